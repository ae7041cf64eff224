"""The trader register through HTTP: listing, one trader, recategorising, overrides, AEO
status, every error (422 naming the field, 404, 409, 403), and the simplified procedure
recorded with a decision (shown to analysts, hidden from restricted roles)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings, customs_day
from corridor.web.state import state_of
from tests.integration.valuation.history import car_import
from tests.staff import Staff, seed_staff

TRADERS = "/api/v1/traders"
IMPORTER = "01503200710021"  # the factories' importer
BROKER = "02107199910034"  # the factories' declarant
TODAY = customs_day(datetime.now(UTC))  # the installation's day, as the rules judge it
OVERRIDE = {
    "category": "low",
    "reason": "AEO applicant, audited in 2026 without findings",
    "valid_until": str(TODAY + timedelta(days=30)),
}
CERTIFICATE = {
    "certificate": "KG-AEO-2026-0001",
    "kind": "AEO-3",
    "valid_from": str(TODAY - timedelta(days=10)),
    "valid_to": str(TODAY + timedelta(days=700)),
}


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile and parameter changes at once
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(staff.headers(Role.RISK_ANALYST))
        yield test_client


def submit(client: TestClient, staff: Staff, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/declarations", json=payload, headers=staff.headers(Role.SYSTEM))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def registered(client: TestClient, staff: Staff, count: int = 2) -> dict[str, Any]:
    """Declarations of the factories' importer and broker, then a recategorisation."""
    for n in range(count):
        submit(client, staff, car_import(f"KGBSK/R/{n:04d}"))
    response = client.post(f"{TRADERS}/recategorise", json={})
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    return run


def locations(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["errors"]]


def test_the_register_lists_and_shows_traders_with_their_category_and_why(
    client: TestClient, staff: Staff
) -> None:
    run = registered(client, staff)
    assert (run["traders"], run["medium"], run["changes"]) == (2, 2, 2)
    assert run["population_rate"] is None  # nothing inspected yet
    listed = client.get(TRADERS).json()
    assert [t["tin"] for t in listed["items"]] == [IMPORTER, BROKER]
    first = listed["items"][0]
    assert (first["roles"], first["declarations"], first["category"], first["aeo"]) == (
        ["importer"],
        2,
        "medium",
        False,
    )
    shown = client.get(f"{TRADERS}/{IMPORTER}").json()
    assert (shown["category"], shown["category_source"]) == ("medium", "computed")
    assert shown["score"]["components"]["rate_points"] == 50
    assert shown["score"]["components"]["held_back"] == [
        "few_controls",
        "few_declarations",
        "new_trader",
    ]
    assert [c["to_category"] for c in shown["changes"]] == ["medium"]
    page = client.get(TRADERS, params={"limit": 1}).json()
    assert page["next_cursor"] == IMPORTER
    after = client.get(TRADERS, params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [t["tin"] for t in after["items"]] == [BROKER]
    assert client.get(TRADERS, params={"role": "declarant"}).json()["items"][0]["tin"] == BROKER
    assert client.get(TRADERS, params={"category": "high"}).json()["items"] == []
    assert locations(client.get(TRADERS, params={"category": "severe"})) == [["query", "category"]]
    assert locations(client.get(TRADERS, params={"limit": 0})) == [["query", "limit"]]
    missing = client.get(f"{TRADERS}/09999999999999")
    assert missing.status_code == 404
    assert missing.json()["type"] == "not found"


def test_overrides_through_http_with_every_error(client: TestClient, staff: Staff) -> None:
    registered(client, staff)
    url = f"{TRADERS}/{IMPORTER}/override"
    assert sorted(locations(client.post(url, json={}))) == [
        ["body", "category"],
        ["body", "reason"],
        ["body", "valid_until"],
    ]
    today = {**OVERRIDE, "valid_until": str(TODAY)}
    assert locations(client.post(url, json=today)) == [["body", "valid_until"]]
    assert locations(client.post(url, json={**OVERRIDE, "category": "none"})) == [
        ["body", "category"]
    ]
    assert locations(client.post(url, json={**OVERRIDE, "reason": "x"})) == [["body", "reason"]]
    assert client.post(f"{TRADERS}/09999999999999/override", json=OVERRIDE).status_code == 404
    created = client.post(url, json=OVERRIDE)
    assert created.status_code == 201, created.text
    assert (created.json()["category"], created.json()["in_force"]) == ("low", True)
    shown = client.get(f"{TRADERS}/{IMPORTER}").json()
    assert (shown["category"], shown["category_source"]) == ("low", "override")
    assert client.get(TRADERS, params={"category": "low"}).json()["items"][0]["overridden"]
    lift = f"{url}/lift"
    assert locations(client.post(lift, json={})) == [["body", "reason"]]
    lifted = client.post(lift, json={"reason": "application withdrawn"})
    assert lifted.status_code == 200, lifted.text
    assert client.get(f"{TRADERS}/{IMPORTER}").json()["category"] == "medium"
    again = client.post(lift, json={"reason": "application withdrawn"})
    assert again.status_code == 409
    assert again.json()["type"] == "conflict"


def test_aeo_status_through_http_with_every_error(client: TestClient, staff: Staff) -> None:
    registered(client, staff)
    url = f"{TRADERS}/{IMPORTER}/aeo"
    backwards = {**CERTIFICATE, "valid_to": str(TODAY - timedelta(days=30))}
    assert locations(client.put(url, json=backwards)) == [["body", "valid_to"]]
    assert locations(client.put(url, json={**CERTIFICATE, "kind": "AEO-4"})) == [["body", "kind"]]
    assert client.put(f"{TRADERS}/09999999999999/aeo", json=CERTIFICATE).status_code == 404
    recorded = client.put(url, json=CERTIFICATE)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["in_force"]
    assert client.get(TRADERS, params={"aeo": "true"}).json()["items"][0]["tin"] == IMPORTER
    taken = client.put(f"{TRADERS}/{BROKER}/aeo", json=CERTIFICATE)
    assert taken.status_code == 409
    assert locations(client.post(f"{url}/end", json={"reason": ""})) == [["body", "reason"]]
    ended = client.post(f"{url}/end", json={"reason": "withdrawn by decision 2026/14"})
    assert ended.status_code == 200, ended.text
    assert not ended.json()["in_force"]
    assert client.get(f"{TRADERS}/{IMPORTER}").json()["aeo"] is None
    assert client.post(f"{url}/end", json={"reason": "again"}).status_code == 409


@pytest.mark.parametrize(
    ("role", "reads", "writes"),
    [
        (Role.RISK_ANALYST, True, True),
        (Role.POST_ENTRY_HEAD, True, True),
        (Role.POST_ENTRY_AUDITOR, True, False),
        (Role.INTELLIGENCE_OFFICER, True, False),
        (Role.INSPECTOR, False, False),
        (Role.VIEWER, False, False),
        (Role.SYSTEM, False, False),
    ],
)
def test_who_reads_and_who_writes_the_register(
    client: TestClient, staff: Staff, role: Role, reads: bool, writes: bool
) -> None:
    registered(client, staff, count=1)
    headers = staff.headers(role)
    read = client.get(f"{TRADERS}/{IMPORTER}", headers=headers)
    assert read.status_code == (200 if reads else 403)
    written = client.post(f"{TRADERS}/{IMPORTER}/override", json=OVERRIDE, headers=headers)
    assert written.status_code == (201 if writes else 403)
    if not writes:
        assert written.json()["type"] == "permission denied"


def test_the_decision_records_the_simplified_procedure_for_analysts_only(
    client: TestClient, staff: Staff
) -> None:
    registered(client, staff, count=1)
    admin = staff.headers(Role.ADMINISTRATOR)
    parameters = {"random_blue": "100", "low_risk_multiplier": "0"}
    response = client.put("/api/v1/office-parameters/KGBSK/IM", json=parameters, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["low_risk_multiplier"] == "0"
    profile = {
        "code": "NAT-2026-0201",
        "title": "Cars from China: examine, check the documents",
        "risk_area": "valuation",
        "criteria": 'origin = "CN"',
        "measures": [{"code": "109", "mandatory": False}, {"code": "101", "mandatory": True}],
        "exempt_low_risk": True,
        "officer_instructions": "Examine the car; check the invoice.",
    }
    assert client.post("/api/v1/profiles", json=profile).status_code == 201
    for action, role in (
        ("submit", Role.RISK_ANALYST),
        ("approve", Role.APPROVER),
        ("activate", Role.APPROVER),
    ):
        url = f"/api/v1/profiles/{profile['code']}/versions/1/{action}"
        assert client.post(url, json={}, headers=staff.headers(role)).status_code == 200
    assert client.post(f"{TRADERS}/{IMPORTER}/override", json=OVERRIDE).status_code == 201

    low = submit(client, staff, car_import("KGBSK/S/0001"))["decision"]
    assert (low["channel"], low["restricted"], low["simplified"]) == ("yellow", True, None)
    seen = client.get("/api/v1/declarations/KGBSK/S/0001/decision").json()
    simplified = seen["simplified"]
    assert (simplified["trader_category"], simplified["aeo"]) == ("low", False)
    assert simplified["exempted"] == [{"code": "NAT-2026-0201", "version": 1, "dropped": ["109"]}]
    assert simplified["channel_without"] == "red"
    (lowered,) = simplified["lowered"]
    assert (lowered["channel"], lowered["full_rate"], lowered["rate"]) == ("blue", "100", "0")
    assert lowered["selected_at_full_rate"]
    draws = {d["channel"]: d for d in seen["random"]}
    assert [draws["blue"][k] for k in ("rate", "configured_rate", "multiplier")] == [
        "0",
        "100",
        "0",
    ]
    assert draws["red"]["multiplier"] is None  # a rate of 0 is not lowered
    assert [m["code"] for m in seen["measures"]] == ["101"]
    for role in (Role.INSPECTOR, Role.POST_ENTRY_AUDITOR, Role.VIEWER):
        hidden = client.get(
            "/api/v1/declarations/KGBSK/S/0001/decision", headers=staff.headers(role)
        ).json()
        assert (hidden["restricted"], hidden["simplified"]) == (True, None)
    # Another importer, never scored: no simplification, the full controls.
    other = submit(client, staff, car_import("KGBSK/S/0002", importer="06666666666666"))
    full = client.get("/api/v1/declarations/KGBSK/S/0002/decision").json()
    assert other["decision"]["channel"] == "red"
    assert full["simplified"] is None
    assert {m["code"] for m in full["measures"]} == {"109", "101", "801"}
