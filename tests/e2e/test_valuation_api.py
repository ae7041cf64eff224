"""Reference prices through HTTP: refresh, listing, overrides, every error, the decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import PERMISSIONS, Action, Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.web.state import state_of
from tests.integration.valuation.history import CAR, car_import
from tests.staff import Staff, seed_staff

PRICES = "/api/v1/reference-prices"
OVERRIDE = {
    "hs_code": CAR,
    "origin": "CN",
    "basis": "unit",
    "unit": "796",
    "median": "1500000",
    "low": "900000",
    "high": "2500000",
    "reason": "manufacturer's price list 2026",
}
UNDERVALUED = {
    "code": "NAT-2026-0101",
    "title": "Cars declared far below the reference price",
    "risk_area": "valuation",
    "criteria": "value_ratio < 0.6",
    "measures": [{"code": "601"}],
    "selection_rate": 100,
    "flows": ["IM"],
    "officer_instructions": "Request the sales contract and proof of payment.",
}


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see new price versions at once
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(staff.headers(Role.RISK_ANALYST))
        yield test_client


def submit(client: TestClient, staff: Staff, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/declarations", json=payload, headers=staff.headers(Role.SYSTEM))
    assert response.status_code == 201, response.text
    decision: dict[str, Any] = response.json()["decision"]
    return decision


def history(client: TestClient, staff: Staff, count: int = 3, value: str = "1044000") -> None:
    for n in range(count):
        submit(client, staff, car_import(f"KGBSK/H/{value}/{n}", value))


def refresh(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(f"{PRICES}/refresh", json={"min_sample": 3, **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def decision(client: TestClient, number: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/declarations/{number}/decision")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def errors(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["errors"]]


def test_a_refresh_changes_later_decisions_but_never_earlier_ones(
    client: TestClient, staff: Staff
) -> None:
    assert client.post("/api/v1/profiles", json=UNDERVALUED).status_code == 201
    for action, who in (("submit", Role.RISK_ANALYST), ("approve", Role.APPROVER)):
        url = f"/api/v1/profiles/{UNDERVALUED['code']}/versions/1/{action}"
        assert client.post(url, headers=staff.headers(who)).status_code == 200
    url = f"/api/v1/profiles/{UNDERVALUED['code']}/versions/1/activate"
    assert client.post(url, headers=staff.headers(Role.APPROVER)).status_code == 200
    history(client, staff)

    earlier = submit(client, staff, car_import("KGBSK/CHEAP/1", "400000"))
    assert (earlier["channel"], earlier["price_version"]) == ("green", None)
    before = decision(client, "KGBSK/CHEAP/1")

    done = refresh(client)
    assert (done["price_version"], done["items_used"], done["computed_by"]) == (
        1,
        4,
        "risk_analyst",
    )
    later = submit(client, staff, car_import("KGBSK/CHEAP/2", "400000"))
    assert (later["channel"], later["price_version"]) == ("yellow", 1)
    shown = decision(client, "KGBSK/CHEAP/2")
    assert shown["hits"][0]["code"] == UNDERVALUED["code"]
    assert "value_ratio" in shown["hits"][0]["reason"]
    assert decision(client, "KGBSK/CHEAP/1") == before

    # An override raising the car's reference price applies at once, in a new version.
    applied = client.post(f"{PRICES}/overrides", json=OVERRIDE)
    assert applied.status_code == 201, applied.text
    assert applied.json()["price_version"] == 2
    # 800,000 is 0.77 of history's 1,044,000 but 0.53 of the analyst's 1,500,000.
    fair = submit(client, staff, car_import("KGBSK/FAIR/1", "800000"))
    assert (fair["channel"], fair["price_version"]) == ("yellow", 2)
    assert decision(client, "KGBSK/CHEAP/2")["price_version"] == 1


def test_listing_and_its_errors(client: TestClient, staff: Staff) -> None:
    empty = client.get(PRICES)
    assert empty.status_code == 200
    assert empty.json() == {"version": None, "items": [], "next_cursor": None}
    history(client, staff)
    refresh(client)
    listed = client.get(PRICES, params={"hs": "8703", "origin": "cn"})
    assert listed.status_code == 200
    body = listed.json()
    assert body["version"]["price_version"] == 1
    assert {(p["hs_code"], p["basis"], p["unit"]) for p in body["items"]} == {
        (code, basis, unit)
        for code in (CAR, "870323", "8703")
        for basis, unit in (("kg", ""), ("unit", "796"))
    }
    car = next(p for p in body["items"] if p["hs_code"] == CAR and p["basis"] == "unit")
    assert (car["median"], car["count"], car["source"]) == ("1044000", 3, "computed")
    everywhere = client.get(PRICES, params={"origin": "*", "version": 1, "limit": 2})
    assert len(everywhere.json()["items"]) == 2
    assert {p["origin"] for p in everywhere.json()["items"]} == {"*"}
    cursor = everywhere.json()["next_cursor"]
    assert client.get(PRICES, params={"cursor": cursor}).status_code == 200

    assert client.get(PRICES, params={"version": 2}).status_code == 404
    assert errors(client.get(PRICES, params={"hs": "87a3"})) == [["query", "hs"]]
    assert errors(client.get(PRICES, params={"hs": "12345678901"})) == [["query", "hs"]]
    origin = client.get(PRICES, params={"origin": "XX"})
    assert errors(origin) == [["query", "origin"]]
    assert "country code" in origin.json()["errors"][0]["msg"]
    assert errors(client.get(PRICES, params={"version": 0})) == [["query", "version"]]
    assert errors(client.get(PRICES, params={"limit": 5000})) == [["query", "limit"]]
    assert errors(client.get(PRICES, params={"cursor": "x"})) == [["query", "cursor"]]


def test_refresh_errors_name_the_field(client: TestClient) -> None:
    url = f"{PRICES}/refresh"
    assert errors(client.post(url, json={"min_sample": 0})) == [["body", "min_sample"]]
    window = client.post(url, json={"history_from": "2026-10-02", "history_to": "2026-10-01"})
    assert errors(window) == [["body", "history_to"]]
    assert "history_from" in window.json()["errors"][0]["msg"]
    assert errors(client.post(url, json={"history_from": "2026-13-01"})) == [
        ["body", "history_from"]
    ]
    assert errors(client.post(url, json={"sample": 5})) == [["body", "sample"]]
    # No body at all: every default.
    plain = client.post(url)
    assert plain.status_code == 201, plain.text
    assert (plain.json()["min_sample"], plain.json()["prices"]) == (20, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hs_code": "87032"}, "hs_code"),
        ({"hs_code": "8703x1"}, "hs_code"),
        ({"origin": "XX"}, "origin"),
        ({"origin": "CHN"}, "origin"),
        ({"basis": "box"}, "basis"),
        ({"unit": ""}, "unit"),
        ({"basis": "kg"}, "unit"),  # a per-kg price with a unit
        ({"unit": "79 6"}, "unit"),
        ({"median": "-1"}, "median"),
        ({"median": "abc"}, "median"),
        ({"median": "1.1234567"}, "median"),
        ({"low": "1600000"}, "low"),
        ({"high": "1400000"}, "high"),
        ({"reason": ""}, "reason"),
        ({"reason": "ok\x00"}, "reason"),
        ({"valid_to": "31.12.2026"}, "valid_to"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_override_errors_name_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    assert errors(client.post(f"{PRICES}/overrides", json={**OVERRIDE, **change})) == [
        ["body", field]
    ]


def test_override_lifecycle_and_its_errors(client: TestClient, staff: Staff) -> None:
    missing_reason = {key: value for key, value in OVERRIDE.items() if key != "reason"}
    assert errors(client.post(f"{PRICES}/overrides", json=missing_reason)) == [["body", "reason"]]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    past = client.post(f"{PRICES}/overrides", json={**OVERRIDE, "valid_to": yesterday})
    assert errors(past) == [["valid_to"]]

    applied = client.post(f"{PRICES}/overrides", json=OVERRIDE)
    assert applied.status_code == 201, applied.text
    override = applied.json()
    assert (override["active"], override["price_version"], override["median"]) == (
        True,
        1,
        "1500000",
    )
    listed = client.get(f"{PRICES}/overrides").json()
    assert [(o["id"], o["reason"]) for o in listed] == [(override["id"], OVERRIDE["reason"])]
    # Auditors read prices but are not cleared for rationale: no reason for them.
    audited = client.get(f"{PRICES}/overrides", headers=staff.headers(Role.POST_ENTRY_AUDITOR))
    assert audited.status_code == 200
    assert [o["id"] for o in audited.json()] == [override["id"]]
    assert "reason" not in audited.json()[0]
    url = f"{PRICES}/overrides/{override['id']}"
    assert errors(client.request("DELETE", url)) == [["body"]]
    assert errors(client.request("DELETE", url, json={})) == [["body", "reason"]]
    assert errors(client.request("DELETE", f"{PRICES}/overrides/0", json={"reason": "x" * 3})) == [
        ["path", "override_id"]
    ]
    missing = client.request("DELETE", f"{PRICES}/overrides/999", json={"reason": "not needed"})
    assert missing.status_code == 404
    lifted = client.request("DELETE", url, json={"reason": "the price list was withdrawn"})
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["active"], lifted.json()["price_version"]) == (False, 2)
    again = client.request("DELETE", url, json={"reason": "the price list was withdrawn"})
    assert again.status_code == 409
    assert client.get(f"{PRICES}/overrides", params={"active": True}).json() == []

    journal = client.get(
        "/api/v1/journal",
        params={"object_type": "reference_price_override"},
        headers=staff.headers(Role.ADMINISTRATOR),
    )
    assert [e["action"] for e in journal.json()["items"]] == [
        "price.override_lift",
        "price.override",
    ]
    assert journal.json()["items"][0]["after"]["reason"] == "the price list was withdrawn"


def test_every_route_refuses_the_roles_the_matrix_refuses(client: TestClient, staff: Staff) -> None:
    routes = [
        ("GET", PRICES, None, Action.PRICES_READ),
        ("GET", f"{PRICES}/overrides", None, Action.PRICES_READ),
        ("POST", f"{PRICES}/refresh", {"min_sample": 0}, Action.PRICES_WRITE),
        ("POST", f"{PRICES}/overrides", {}, Action.PRICES_WRITE),
        ("DELETE", f"{PRICES}/overrides/1", {}, Action.PRICES_WRITE),
    ]
    for method, url, body, action in routes:
        for role in Role:
            response = client.request(method, url, json=body, headers=staff.headers(role))
            where = f"{method} {url} as {role.value}"
            if role in PERMISSIONS[action]:
                # Allowed: a read answers, a write reaches validation (its body is invalid).
                assert response.status_code == (200 if method == "GET" else 422), where
            else:
                assert response.status_code == 403, where
                assert response.json()["type"] == "permission denied"
    assert client.get(PRICES, headers={"Authorization": "Bearer nope"}).status_code == 401
