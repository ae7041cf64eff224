"""Hostile input on filters and forms: a 4xx with the field named, and nothing changed.

SQL fragments, script tags, control characters, oversized and malformed values
are sent to every filter of the listing routes and every field of the forms
(declarations, profiles, lists, users, units, tokens, sign-in), on SQLite and
PostgreSQL. The database must hold exactly what it held before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import Base
from tests.factories import declaration
from tests.staff import Staff, seed_staff

INJECTIONS = [
    "' OR '1'='1' --",
    "'; DROP TABLE declarations; --",
    "<script>alert(1)</script>",
    "\x00\x01\x02",
    "../../etc/passwd",
]
HOSTILE = [
    *INJECTIONS,
    "A" * 10_000,  # (URLs are capped near 64 KiB by clients; forms get bigger ones)
    "𝕏" * 2000,
    "-1",
    "1e309",
    "NaN",
    "9" * 400,
]


#: Fields where quotes, brackets, slashes and digits are legitimate.
FREE_TEXT = {
    "title",
    "name",
    "full_name",
    "number",
    "declarant",
    "importer",
    "exporter",
    "vehicle_id",
}


@pytest.fixture
def setup(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff, Engine]]:
    staff = seed_staff(session_factory)
    app = create_app(
        Settings(database_url=database_url, max_request_bytes=1_000_000), engine=engine
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        stored = client.post(
            "/api/v1/declarations", json=declaration(), headers=staff.headers(Role.SYSTEM)
        )
        assert stored.status_code == 201
        yield client, staff, engine


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table except the journal of sign-ins."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("journal", "journal_head", "users", "login_sessions")
        }


def assert_refused(response: Any, where: str) -> None:
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code == 422:
        body = response.json()
        assert body["errors"], f"{where}: no field named"
        assert all(e["loc"] for e in body["errors"])


def test_hostile_filters_are_refused_or_match_nothing(
    setup: tuple[TestClient, Staff, Engine],
) -> None:
    client, staff, engine = setup
    before = snapshot(engine)
    analyst = staff.headers(Role.RISK_ANALYST)
    filters = {
        "/api/v1/declarations": [
            "office",
            "importer",
            "number",
            "flow",
            "cursor",
            "limit",
            "registered_from",
            "registered_to",
        ],
        "/api/v1/profiles": ["status", "kind"],
    }
    for path, names in filters.items():
        for name in names:
            for value in HOSTILE:
                response = client.get(path, params={name: value}, headers=analyst)
                where = f"{path}?{name}={value[:20]!r}"
                if response.status_code == 200:
                    items = response.json()
                    items = items["items"] if isinstance(items, dict) else items
                    if value in INJECTIONS:  # read literally, they match nothing
                        assert items == [], where
                else:
                    assert_refused(response, where)
    for value in INJECTIONS:
        value = quote(value, safe="")  # a client cannot put control characters in a path
        for path in ("/api/v1/declarations/{}", "/api/v1/profiles/{}", "/api/v1/lists/{}"):
            response = client.get(path.format(value), headers=analyst)
            assert response.status_code in (404, 422), f"{path} {value!r}"
    assert snapshot(engine) == before


def test_hostile_forms_are_refused_and_change_nothing(
    setup: tuple[TestClient, Staff, Engine],
) -> None:
    client, staff, engine = setup
    before = snapshot(engine)
    admin, analyst = staff.headers(Role.ADMINISTRATOR), staff.headers(Role.RISK_ANALYST)
    system = staff.headers(Role.SYSTEM)
    profile = {
        "code": "NAT-2026-0100",
        "title": "Valid title",
        "risk_area": "valuation",
        "criteria": 'origin = "CN"',
        "measures": [{"code": "109"}],
    }
    forms: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("/api/v1/profiles", profile, analyst),
        ("/api/v1/lists", {"name": "GOOD_NAME", "kind": "countries", "entries": [["CN"]]}, analyst),
        (
            "/api/v1/units",
            {
                "code": "POST-9",
                "name": "A post",
                "kind": "post",
                "parent": "REG-N",
                "offices": ["KGXYZ"],
            },
            admin,
        ),
        (
            "/api/v1/users",
            {"username": "new.user", "full_name": "New User", "unit": "HQ", "roles": ["viewer"]},
            admin,
        ),
        ("/api/v1/declarations", declaration(number="KGBSK/011026/0000777"), system),
    ]
    for path, valid, headers in forms:
        for field in valid:
            for value in [*HOSTILE, "B" * 300_000]:
                body = {**valid, field: value}
                response = client.post(path, json=body, headers=headers)
                where = f"POST {path} {field}={value[:20]!r}"
                if response.status_code in (200, 201):
                    # Accepted only where the value is a legitimate free text or
                    # identifier, and never with control characters.
                    assert field in FREE_TEXT, where
                    assert value.isprintable(), where
                    continue
                assert_refused(response, where)
        assert_refused(
            client.post(
                path, content=b"{not json", headers={**headers, "content-type": "application/json"}
            ),
            f"{path} malformed JSON",
        )
        assert_refused(client.post(path, json=[1, 2, 3], headers=headers), f"{path} a list")
    huge = client.post(
        "/api/v1/declarations",
        content=b"x" * 2_000_000,
        headers={**system, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["type"] == "request too large"
    after = snapshot(engine)
    created_by_free_text = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert set(created_by_free_text) <= {
        "profile_versions",
        "profile_transitions",
        "units",
        "declarations",
        "declaration_items",
        "decisions",
        "user_roles",
    }, created_by_free_text


def test_hostile_sign_in_is_refused(setup: tuple[TestClient, Staff, Engine]) -> None:
    client, _, _ = setup
    for value in HOSTILE:
        response = client.post("/api/v1/auth/login", json={"username": value, "password": value})
        assert response.status_code in (401, 422, 429), repr(value[:20])
    assert client.get("/api/v1/auth/me").status_code == 401
