"""Post-entry control through HTTP: candidates, plans, cases, alerts, requests, inboxes,
each refusal with its status and the field it names (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.app import create_app
from corridor.config import Settings
from corridor.postentry import service
from tests.integration.postentry.world import BLUE, A, B, C, D, build
from tests.staff import Staff

API = "/api/v1/post-entry"
HEAD, AUDITOR, ANALYST = "post_entry_head", "post_entry_auditor", "risk_analyst"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}
CAR_OF_A, CAR_OF_D = "KGBSK/051026/0000001", "KGOSH/051026/0000031"


@pytest.fixture
def world(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff]]:
    staff = build(session_factory).staff
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, staff


def call(client: TestClient, staff: Staff, who: str, method: str, url: str, **kw: Any) -> Any:
    return client.request(method, url, headers=staff.headers(who), **kw)


def locs(response: Any) -> list[list[Any]]:
    return [error["loc"] for error in response.json()["errors"]]


def test_candidates(world: tuple[TestClient, Staff]) -> None:
    client, staff = world
    found = call(
        client, staff, AUDITOR, "GET", f"{API}/candidates", params={"unit": "POST-1", **OCTOBER}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert [c["tin"] for c in body["candidates"]] == [A, C, B]
    assert body["candidates"][0]["reasons"][0]["text"].startswith("3 declarations released")
    assert body["candidates"][0]["expected_recovery"] == "129195"
    # Analysts read; an inspector does not.
    assert (
        call(client, staff, ANALYST, "GET", f"{API}/candidates", params=OCTOBER).status_code == 200
    )
    assert call(client, staff, "inspector", "GET", f"{API}/candidates").status_code == 403
    backwards = call(
        client,
        staff,
        AUDITOR,
        "GET",
        f"{API}/candidates",
        params={"from": "2026-10-31", "to": "2026-10-01"},
    )
    assert backwards.status_code == 422
    assert locs(backwards) == [["query", "to"]]
    assert (
        call(
            client, staff, AUDITOR, "GET", f"{API}/candidates", params={"unit": "NOWHERE"}
        ).status_code
        == 404
    )
    # The northern coordinator's offices are KGBSK: Osh's post is not theirs to rank.
    osh = call(
        client, staff, "coordinator.north", "GET", f"{API}/candidates", params={"unit": "POST-2"}
    )
    assert osh.status_code == 404
    limited = call(client, staff, AUDITOR, "GET", f"{API}/candidates", params={"limit": 0})
    assert limited.status_code == 422


def test_plans(world: tuple[TestClient, Staff]) -> None:
    client, staff = world
    body = {"unit": "POST-1", "period_from": "2026-10-01", "period_to": "2026-10-31", "capacity": 2}
    assert call(client, staff, AUDITOR, "POST", f"{API}/plans", json=body).status_code == 403
    created = call(client, staff, HEAD, "POST", f"{API}/plans", json=body)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert [(i["tin"], i["rank"]) for i in plan["items"]] == [(A, 1), (C, 2)]
    again = call(client, staff, HEAD, "POST", f"{API}/plans", json=body)
    assert again.status_code == 409
    url = f"{API}/plans/{plan['id']}"
    full = call(client, staff, HEAD, "POST", f"{url}/items", json={"tin": B})
    assert full.status_code == 409
    assert "its capacity is 2 audits" in full.json()["detail"]
    zero = call(client, staff, HEAD, "PATCH", url, json={"capacity": 0})
    assert (zero.status_code, locs(zero)) == (422, [["body", "capacity"]])
    assert call(client, staff, HEAD, "PATCH", url, json={"capacity": 3}).status_code == 200
    added = call(client, staff, HEAD, "POST", f"{url}/items", json={"tin": B, "note": "tip-off"})
    assert added.status_code == 201
    assert [i["tin"] for i in added.json()["items"]] == [A, C, B]
    removed = call(client, staff, HEAD, "DELETE", f"{url}/items/{C}")
    assert [i["tin"] for i in removed.json()["items"]] == [A, B]
    assert call(client, staff, HEAD, "DELETE", f"{url}/items/{C}").status_code == 404
    assert call(client, staff, HEAD, "POST", f"{url}/close").status_code == 409
    assert call(client, staff, HEAD, "POST", f"{url}/approve").json()["state"] == "approved"
    listed = call(client, staff, ANALYST, "GET", f"{API}/plans").json()
    assert [(p["id"], p["items"], p["state"]) for p in listed] == [(plan["id"], 2, "approved")]
    assert call(client, staff, ANALYST, "GET", f"{API}/plans/999").status_code == 404
    unknown = call(client, staff, HEAD, "POST", f"{API}/plans", json={**body, "surprise": 1})
    assert (unknown.status_code, locs(unknown)) == (422, [["body", "surprise"]])


def test_case_lifecycle(world: tuple[TestClient, Staff]) -> None:
    client, staff = world
    body = {"tin": A, "unit": "POST-1", "period_from": "2026-10-01", "period_to": "2026-10-31"}
    assert call(client, staff, AUDITOR, "POST", f"{API}/cases", json=body).status_code == 403
    missing = call(client, staff, HEAD, "POST", f"{API}/cases", json={"tin": A})
    assert (missing.status_code, locs(missing)) == (422, [["period_from"], ["period_to"]])
    opened = call(client, staff, HEAD, "POST", f"{API}/cases", json={**body, "auditor": AUDITOR})
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert [d["declaration_number"] for d in case["declarations"]] == [BLUE]
    url = f"{API}/cases/{case['id']}"
    assert call(client, staff, ANALYST, "POST", f"{url}/start").status_code == 403
    findings = {
        "outcome": "discrepancy",
        "discrepancy_types": ["valuation"],
        "additional_duties": "93960",
        "penalties": "5000",
    }
    early = call(client, staff, AUDITOR, "POST", f"{url}/complete", json=findings)
    assert early.status_code == 409
    started = call(client, staff, AUDITOR, "POST", f"{url}/start")
    assert started.json()["state"] == "in_progress"
    assert call(client, staff, AUDITOR, "POST", f"{url}/start").status_code == 409
    document = call(client, staff, AUDITOR, "POST", f"{url}/documents", json={"ref": "Act 7/2026"})
    assert document.json()["documents"][0]["ref"] == "Act 7/2026"
    other = call(
        client, staff, AUDITOR, "POST", f"{url}/declarations", json={"declaration_number": CAR_OF_D}
    )
    assert (other.status_code, locs(other)) == (422, [["declaration_number"]])
    mine = call(
        client, staff, AUDITOR, "POST", f"{url}/declarations", json={"declaration_number": CAR_OF_A}
    )
    assert len(mine.json()["declarations"]) == 2
    wrong = call(client, staff, AUDITOR, "POST", f"{url}/complete", json={"outcome": "discrepancy"})
    assert (wrong.status_code, locs(wrong)) == (422, [["discrepancy_types"]])
    bad_type = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{url}/complete",
        json={**findings, "discrepancy_types": ["bribery"]},
    )
    assert (bad_type.status_code, locs(bad_type)) == (422, [["body", "discrepancy_types", 0]])
    done = call(client, staff, AUDITOR, "POST", f"{url}/complete", json=findings)
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["additional_duties"]) == ("completed", "93960")
    assert (
        call(client, staff, HEAD, "POST", f"{url}/cancel", json={"note": "too late"}).status_code
        == 409
    )
    listed = call(client, staff, ANALYST, "GET", f"{API}/cases", params={"state": "completed"})
    assert [c["reference"] for c in listed.json()] == [case["reference"]]
    assert call(client, staff, ANALYST, "GET", f"{API}/cases/999").status_code == 404


def test_alerts_on_declarations_of_their_offices_while_in_force(
    world: tuple[TestClient, Staff],
) -> None:
    client, staff = world
    today = service.today()
    base = {
        "title": "Cars of A under value",
        "instructions": "Ask for the sales contract.",
        "hs_prefix": "8703",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=10)).isoformat(),
    }
    assert (
        call(
            client,
            staff,
            "inspector",
            "POST",
            f"{API}/alerts",
            json={**base, "importer": A, "units": ["POST-1"]},
        ).status_code
        == 403
    )
    vague = call(client, staff, AUDITOR, "POST", f"{API}/alerts", json={**base, "hs_prefix": None})
    assert (vague.status_code, locs(vague)) == (422, [["importer"], ["units"]])
    past = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/alerts",
        json={
            **base,
            "importer": A,
            "units": ["POST-1"],
            "valid_from": (today - timedelta(days=9)).isoformat(),
            "valid_to": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert (past.status_code, locs(past)) == (422, [["valid_to"]])
    to_a = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/alerts",
        json={**base, "importer": A, "units": ["POST-1"]},
    )
    assert to_a.status_code == 201, to_a.text
    to_d = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/alerts",
        json={**base, "importer": D, "offices": ["KGOSH"]},
    )
    later = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/alerts",
        json={
            **base,
            "importer": A,
            "units": ["HQ"],
            "valid_from": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert later.json()["in_force"] is False

    def alerts(who: str, number: str) -> Any:
        return call(client, staff, who, "GET", f"/api/v1/declarations/{number}/alerts")

    shown = alerts("inspector.post1", CAR_OF_A)
    assert shown.status_code == 200
    assert [a["id"] for a in shown.json()] == [to_a.json()["id"]]
    assert [a["id"] for a in alerts("inspector.post2", CAR_OF_D).json()] == [to_d.json()["id"]]
    # Another post's declaration is not found, as everywhere.
    assert alerts("inspector.post2", CAR_OF_A).status_code == 404
    assert alerts("inspector.post1", "KGBSK/051026/0000011").json() == []
    # The clearance system and viewers read them too: they are instructions.
    assert alerts("viewer", CAR_OF_A).status_code == 200
    withdrawn = call(
        client,
        staff,
        HEAD,
        "POST",
        f"{API}/alerts/{to_a.json()['id']}/withdraw",
        json={"note": "the trader paid"},
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert alerts("inspector.post1", CAR_OF_A).json() == []
    again = call(
        client,
        staff,
        HEAD,
        "POST",
        f"{API}/alerts/{to_a.json()['id']}/withdraw",
        json={"note": "again"},
    )
    assert again.status_code == 409
    listed = call(client, staff, ANALYST, "GET", f"{API}/alerts", params={"current": True})
    assert [a["id"] for a in listed.json()] == [later.json()["id"], to_d.json()["id"]]


def test_inboxes_and_requests(world: tuple[TestClient, Staff]) -> None:
    client, staff = world
    today = service.today()
    alert = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/alerts",
        json={
            "title": "Phones",
            "instructions": "Count the phones.",
            "hs_prefix": "8517",
            "units": ["POST-1"],
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=5)).isoformat(),
        },
    ).json()
    inbox = call(client, staff, "inspector.post1", "GET", "/api/v1/inbox").json()
    assert (inbox["unit"], [a["id"] for a in inbox["alerts"]], inbox["unacknowledged"]) == (
        "POST-1",
        [alert["id"]],
        1,
    )
    assert call(client, staff, "inspector.post2", "GET", "/api/v1/inbox").json()["alerts"] == []
    assert call(client, staff, "viewer", "GET", "/api/v1/inbox").status_code == 403
    ack = f"/api/v1/inbox/alerts/{alert['id']}/acknowledge"
    assert call(client, staff, "inspector.post2", "POST", ack).status_code == 404
    done = call(client, staff, "inspector.post1", "POST", ack)
    assert (done.status_code, done.json()["acknowledged_by"]) == (200, "inspector.post1")
    assert call(client, staff, "inspector.post1", "POST", ack).status_code == 409

    bad = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/requests",
        json={"title": "Cars", "text": "cheap cars", "proposed_criteria": "value_ration < 1"},
    )
    assert (bad.status_code, locs(bad)) == (422, [["proposed_criteria"]])
    assert "value_ratio" in bad.json()["errors"][0]["msg"]
    request = call(
        client,
        staff,
        AUDITOR,
        "POST",
        f"{API}/requests",
        json={
            "title": "Cars under value",
            "text": "Audits found invoices at 40 %.",
            "proposed_criteria": 'hs_code startswith ["8703"] and value_ratio < 0.5',
        },
    )
    assert request.status_code == 201, request.text
    rid = request.json()["id"]
    hq = call(client, staff, ANALYST, "GET", "/api/v1/inbox").json()
    assert [r["id"] for r in hq["requests"]] == [rid]
    assert hq["requests"][0]["proposed_criteria"].startswith("hs_code startswith")
    assert call(client, staff, "inspector.post1", "GET", "/api/v1/inbox").json()["requests"] == []
    # Head office's administrator and inspector see the request, not its criteria.
    for uncleared in ("administrator", "inspector"):
        seen = call(client, staff, uncleared, "GET", "/api/v1/inbox").json()["requests"]
        assert [(r["id"], r["proposed_criteria"]) for r in seen] == [(rid, None)]
    # An inspector at head office reads the inbox but does not handle profile requests.
    assert (
        call(client, staff, "inspector", "POST", f"/api/v1/inbox/requests/{rid}/accept").status_code
        == 403
    )
    assert (
        call(client, staff, ANALYST, "POST", f"/api/v1/inbox/requests/{rid}/done").status_code
        == 409
    )
    accepted = call(client, staff, ANALYST, "POST", f"/api/v1/inbox/requests/{rid}/accept")
    assert accepted.json()["status"] == "accepted"
    settled = call(
        client,
        staff,
        "senior.analyst",
        "POST",
        f"/api/v1/inbox/requests/{rid}/done",
        json={"response": "drafted", "profile_code": "NAT-2026-0099"},
    )
    assert (settled.json()["status"], settled.json()["handled_by"]) == ("done", "senior.analyst")
    assert call(client, staff, AUDITOR, "GET", f"{API}/requests/{rid}").json()["profile_code"] == (
        "NAT-2026-0099"
    )
