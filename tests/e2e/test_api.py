"""The HTTP API end to end: real app, real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_engine
from corridor.db.tables import DeclarationRow, GoodsItemRow
from corridor.errors import ConfigurationError, DatabaseNotReady
from tests.factories import declaration, item
from tests.staff import seed_staff

URL = "/api/v1/declarations"


@pytest.fixture
def client(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    """The clearance system's client: it submits and reads declarations."""
    app = create_app(Settings(database_url=database_url), engine=engine)
    staff = seed_staff(session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(staff.headers(Role.SYSTEM))
        yield test_client


def rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        headers = connection.scalar(select(func.count()).select_from(DeclarationRow))
        items = connection.scalar(select(func.count()).select_from(GoodsItemRow))
    return int(headers or 0), int(items or 0)


def test_submit_then_read(client: TestClient) -> None:
    response = client.post(URL, json=declaration())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "KGBSK/011026/0000001"
    assert body["items"][0]["invoice_value"] == "12000"
    assert body["items"][0]["net_mass_kg"] == "1250.5"
    got = client.get(f"{URL}/KGBSK/011026/0000001")
    assert got.status_code == 200
    assert got.json()["content_hash"] == body["content_hash"]


def test_identical_resend_is_200_and_stores_nothing(client: TestClient, engine: Engine) -> None:
    first = client.post(URL, json=declaration())
    again = client.post(URL, json=declaration())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert rows(engine) == (1, 2)


def test_different_content_same_key_is_409(client: TestClient, engine: Engine) -> None:
    client.post(URL, json=declaration())
    response = client.post(URL, json=declaration(currency="EUR"))
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "declaration conflict"
    assert "send the amendment as version 2" in body["detail"]
    assert rows(engine) == (1, 2)


def test_amendment_and_earlier_version(client: TestClient) -> None:
    client.post(URL, json=declaration())
    amended = client.post(URL, json=declaration(version=2, items=[item(1)]))
    assert amended.status_code == 201
    assert amended.json()["versions"] == [1, 2]
    v1 = client.get(f"{URL}/KGBSK/011026/0000001", params={"version": 1})
    assert v1.status_code == 200
    assert len(v1.json()["items"]) == 2
    assert client.get(f"{URL}/KGBSK/011026/0000001").json()["version"] == 2
    gap = client.post(URL, json=declaration(version=4))
    assert gap.status_code == 409


def test_invalid_declaration_is_422_with_every_field_and_no_write(
    client: TestClient, engine: Engine
) -> None:
    payload = declaration(
        currency="ZZZ",
        transport_mode=31,
        registered_at=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        items=[item(1, hs_code="12", invoice_value="-3"), item(2, origin="XX")],
    )
    response = client.post(URL, json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "invalid input"
    locs = {tuple(error["loc"]) for error in body["errors"]}
    assert {
        ("body", "currency"),
        ("body", "transport_mode"),
        ("body", "registered_at"),
        ("body", "items", 0, "hs_code"),
        ("body", "items", 0, "invoice_value"),
        ("body", "items", 1, "origin"),
    } <= locs
    assert all(
        error["msg"] and not error["msg"].startswith("Value error") for error in body["errors"]
    )
    assert rows(engine) == (0, 0)


@pytest.mark.parametrize(
    "payload",
    [
        "not json at all",
        "[]",
        '{"number": 5}',
        '{"items": [null]}',
        '{"number": "A", "version": 1e400}',
    ],
)
def test_malformed_bodies_are_422_never_500(client: TestClient, payload: str) -> None:
    response = client.post(URL, content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


def test_unknown_declaration_is_404(client: TestClient) -> None:
    response = client.get(f"{URL}/NOPE-1")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not found",
        "detail": "declaration NOPE-1 is not stored",
        "errors": [],
    }


def test_list_filters_and_cursor(client: TestClient) -> None:
    for n in range(4):
        office = "KGOSH" if n % 2 else "KGBSK"
        day = f"2026-10-0{n + 1}T10:00:00+06:00"
        assert (
            client.post(
                URL, json=declaration(f"D/{n}", office=office, registered_at=day)
            ).status_code
            == 201
        )
    page = client.get(URL, params={"limit": 3}).json()
    assert [d["number"] for d in page["items"]] == ["D/3", "D/2", "D/1"]
    rest = client.get(URL, params={"limit": 3, "cursor": page["next_cursor"]}).json()
    assert [d["number"] for d in rest["items"]] == ["D/0"]
    assert rest["next_cursor"] is None
    osh = client.get(URL, params={"office": "KGOSH"}).json()
    assert [d["number"] for d in osh["items"]] == ["D/3", "D/1"]
    window = client.get(
        URL,
        params={
            "registered_from": "2026-10-02T00:00:00+06:00",
            "registered_to": "2026-10-04T00:00:00+06:00",
        },
    ).json()
    assert [d["number"] for d in window["items"]] == ["D/2", "D/1"]
    by_importer = client.get(URL, params={"importer": "01503200710021", "flow": "IM"}).json()
    assert len(by_importer["items"]) == 4
    bad = client.get(URL, params={"cursor": "zzz"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["cursor"]
    assert client.get(URL, params={"limit": 0}).status_code == 422


def test_health_reports_database_state(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["migrated"] is True
    assert body["database"]["revision"] == body["database"]["head"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/declarations", "/api/v1/declarations/{number}", "/api/v1/health"} <= set(
        spec["paths"]
    )
    docs = client.get("/docs")
    assert docs.status_code == 200
    # Served from the package, not a CDN: posts without internet still get the docs.
    assert "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200


def test_app_refuses_unmigrated_database(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(DatabaseNotReady, match="corridor db upgrade"):
        create_app(Settings(database_url=url), engine=make_engine(url))


def test_production_refuses_default_secrets(database_url: str) -> None:
    with pytest.raises(ConfigurationError, match="CORRIDOR_SECRET_KEY is the development default"):
        create_app(Settings(database_url=database_url, environment="production"))
