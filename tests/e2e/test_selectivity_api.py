"""Profiles, lists, measures, office parameters and decisions through HTTP."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.web.state import state_of
from tests.factories import declaration, item
from tests.staff import seed_staff

# Bearer headers of the head-office users, filled in per test by the client fixture;
# requests without headers are the clearance system's.
ANALYST: dict[str, str] = {}
APPROVER: dict[str, str] = {}
INSPECTOR: dict[str, str] = {}
ADMIN: dict[str, str] = {}
SENIOR: dict[str, str] = {}  # analyst and approver at once
CARS = {
    "code": "NAT-2026-0042",
    "title": "Cars from China below 3,000 per unit",
    "risk_area": "valuation",
    "criteria": 'hs_code startswith ["8703"] and origin = "CN" and value_per_unit < 3000000',
    "measures": [{"code": "109"}, {"code": "601", "mandatory": False}],
    "selection_rate": 100,
    "officer_instructions": "Examine the vehicle; check VIN against the invoice.",
}


@pytest.fixture
def client(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile changes at once
    system = staff_headers(session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers.update(system)
        yield test_client


def staff_headers(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """Seed the staff, fill in the head-office users' headers; the clearance system's."""
    staff = seed_staff(session_factory)
    for headers, role in (
        (ANALYST, Role.RISK_ANALYST),
        (APPROVER, Role.APPROVER),
        (INSPECTOR, Role.INSPECTOR),
        (ADMIN, Role.ADMINISTRATOR),
    ):
        headers.clear()
        headers.update(staff.headers(role))
    SENIOR.clear()
    SENIOR.update(staff.headers("senior.analyst"))
    return staff.headers(Role.SYSTEM)


def activate(client: TestClient, body: dict[str, Any]) -> None:
    assert client.post("/api/v1/profiles", json=body, headers=ANALYST).status_code == 201
    code = body["code"]
    for action, who in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        response = client.post(f"/api/v1/profiles/{code}/versions/1/{action}", headers=who)
        assert response.status_code == 200, response.text


def test_selected_declaration_shows_profile_measures_and_reasons(client: TestClient) -> None:
    activate(client, CARS)
    response = client.post("/api/v1/declarations", json=declaration())
    assert response.status_code == 201, response.text
    # The clearance system gets the channel, measures and instructions, not the reasons.
    told = response.json()["decision"]
    assert (told["channel"], told["restricted"], told["hits"]) == ("red", True, [])
    assert {m["code"] for m in told["measures"]} == {"109", "601"}
    assert told["instructions"] == [CARS["officer_instructions"]]
    again = client.get("/api/v1/declarations/KGBSK/011026/0000001/decision", headers=ANALYST)
    assert again.status_code == 200
    decision = again.json()
    assert decision["id"] == told["id"]
    assert (decision["channel"], decision["restricted"]) == ("red", False)
    (hit,) = decision["hits"]
    assert (hit["code"], hit["version"], hit["selected"]) == ("NAT-2026-0042", 1, True)
    assert "hs_code 8703231990 starts with 8703" in hit["reason"]
    assert "origin CN" in hit["reason"]
    assert {m["code"] for m in decision["measures"]} == {"109", "601"}


def test_unselected_declaration_is_green(client: TestClient) -> None:
    activate(client, CARS)
    response = client.post("/api/v1/declarations", json=declaration(items=[item(1, origin="DE")]))
    decision = response.json()["decision"]
    assert decision["channel"] == "green"
    assert decision["hits"] == []


def test_resend_returns_the_same_decision(client: TestClient) -> None:
    first = client.post("/api/v1/declarations", json=declaration()).json()["decision"]
    activate(client, CARS)  # a later profile does not change a stored decision
    again = client.post("/api/v1/declarations", json=declaration())
    assert again.status_code == 200
    assert again.json()["decision"] == first


def test_reroute_is_a_new_record(client: TestClient) -> None:
    client.post("/api/v1/declarations", json=declaration())
    url = "/api/v1/declarations/KGBSK/011026/0000001/reroute"
    body = {"channel": "yellow", "reason_code": "RISK-INDICATOR", "comment": "seal broken"}
    rerouted = client.post(url, json=body, headers=INSPECTOR)
    assert rerouted.status_code == 200, rerouted.text
    data = rerouted.json()
    assert (data["channel"], data["current_channel"]) == ("green", "yellow")
    assert data["reroutes"][0]["officer"] == "inspector"
    assert data["reroutes"][0]["from_channel"] == "green"
    same = client.post(url, json=body, headers=INSPECTOR)
    assert same.status_code == 409
    bad = client.post(
        url, json={**body, "channel": "red", "reason_code": "WHIM"}, headers=INSPECTOR
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["reason_code"]
    not_an_officer = client.post(url, json={**body, "channel": "red"})  # the system
    assert not_an_officer.status_code == 403
    missing = client.post("/api/v1/declarations/NOPE/reroute", json=body, headers=INSPECTOR)
    assert missing.status_code == 404


def test_profile_api_errors(client: TestClient) -> None:
    bad = client.post("/api/v1/profiles", json={**CARS, "criteria": "origin = "}, headers=ANALYST)
    assert bad.status_code == 422
    assert "line 1" in bad.json()["detail"]
    assert bad.json()["errors"][0]["loc"] == ["criteria"]
    assert client.post("/api/v1/profiles", json=CARS, headers=SENIOR).status_code == 201
    assert client.post("/api/v1/profiles", json=CARS, headers=ANALYST).status_code == 409
    own = "/api/v1/profiles/NAT-2026-0042/versions/1/"
    assert client.post(own + "submit", headers=SENIOR).status_code == 200
    assert client.post(own + "approve", headers=ANALYST).status_code == 403  # not an approver
    four_eyes = client.post(own + "approve", headers=SENIOR)
    assert four_eyes.status_code == 409
    assert "four eyes" in four_eyes.json()["detail"]
    approved = client.post(own + "approve", headers=APPROVER)
    assert approved.status_code == 200
    assert (approved.json()["author"], approved.json()["approved_by"]) == (
        "senior.analyst",
        "approver",
    )
    assert client.post(own + "fly", headers=APPROVER).status_code == 422
    assert client.get("/api/v1/profiles/NOPE", headers=ANALYST).status_code == 404
    assert (
        client.post("/api/v1/profiles", json={**CARS, "code": "x"}, headers=ANALYST).status_code
        == 422
    )
    checked = client.post(
        "/api/v1/profiles/validate", json={"criteria": 'orign = "CN"'}, headers=ANALYST
    )
    assert checked.status_code == 200
    assert checked.json()["valid"] is False
    assert "origin" in checked.json()["problem"]["suggestion"]


def test_lists_measures_and_parameters(client: TestClient) -> None:
    created = client.post(
        "/api/v1/lists",
        json={"name": "RISKY_ORIGINS", "kind": "countries", "entries": [["AE"], ["CN"]]},
        headers=ANALYST,
    )
    assert created.status_code == 201
    uploaded = client.post(
        "/api/v1/lists/RISKY_ORIGINS/csv",
        content="origin\nTR\nIR\n",
        headers={**ANALYST, "content-type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert (uploaded.json()["version"], uploaded.json()["entries"]) == (2, [["IR"], ["TR"]])
    first = client.get("/api/v1/lists/RISKY_ORIGINS?version=1", headers=ANALYST)
    assert first.json()["entries"] == [["AE"], ["CN"]]
    assert client.get("/api/v1/lists/NOPE", headers=ANALYST).status_code == 404
    measures = client.get("/api/v1/measures").json()
    assert {m["code"] for m in measures} >= {"101", "109", "801"}
    assert client.delete("/api/v1/measures/999", headers=ADMIN).status_code == 404
    params = client.put(
        "/api/v1/office-parameters/KGBSK/IM",
        json={"random_red": 100, "random_yellow": 0},
        headers=ADMIN,
    )
    assert params.status_code == 200
    assert client.post("/api/v1/declarations", json=declaration()).status_code == 201
    url = "/api/v1/declarations/KGBSK/011026/0000001/decision"
    decision = client.get(url, headers=ANALYST).json()
    assert decision["channel"] == "red"
    assert decision["random"][0]["selected"] is True
    assert (
        client.put(
            "/api/v1/office-parameters/KGBSK/IM", json={"random_red": 101}, headers=ADMIN
        ).status_code
        == 422
    )


def test_a_worker_compiles_its_profile_set_before_the_first_request(
    engine: Engine, database_url: str
) -> None:
    app = create_app(Settings(database_url=database_url, gc_freeze=True), engine=engine)
    holder = state_of(app).profile_sets
    assert holder.held is None
    with TestClient(app):
        assert holder.held is not None
        # The start-up objects are out of the collector's full passes while serving...
        assert gc.get_freeze_count() > 0
    # ...and back in once the application stops.
    assert gc.get_freeze_count() == 0


def test_a_profile_activated_right_after_start_up_selects_the_first_declaration(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    # The default poll interval: warming at start-up must not hide a change made
    # within the first poll interval.
    app = create_app(Settings(database_url=database_url), engine=engine)
    system = staff_headers(session_factory)
    with TestClient(app, raise_server_exceptions=False) as started:
        started.headers.update(system)
        activate(started, CARS)
        response = started.post("/api/v1/declarations", json=declaration())
    assert response.status_code == 201, response.text
    assert response.json()["decision"]["channel"] == "red"
