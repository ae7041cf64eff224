"""Inspection acts, their corrections and the inspection queue through HTTP."""

from __future__ import annotations

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
from tests.integration.inspections.world import (
    INSTRUCTIONS,
    NUMBER,
    act,
    activate_cars,
    nothing_found,
    random_control,
)
from tests.staff import Staff, seed_staff

ACTS = "/api/v1/inspection-acts"
QUEUE = "/api/v1/inspection-queue"
POST1 = "inspector.post1"  # covers KGBSK, where the factories' declarations are lodged
POST2 = "inspector.post2"  # covers KGOSH only


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile changes at once
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def lodge(client: TestClient, staff: Staff, number: str = NUMBER, **changes: Any) -> str:
    """Submit a declaration as the clearance system; its channel."""
    response = client.post(
        "/api/v1/declarations",
        json=declaration(number, **changes),
        headers=staff.headers(Role.SYSTEM),
    )
    assert response.status_code == 201, response.text
    channel: str = response.json()["decision"]["channel"]
    return channel


def post_act(client: TestClient, staff: Staff, body: dict[str, Any], who: str = POST1) -> Any:
    return client.post(ACTS, json=body, headers=staff.headers(who))


def test_an_act_is_recorded_read_and_listed(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    activate_cars(session_factory)
    assert lodge(client, staff) == "red"
    created = post_act(client, staff, act())
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["inspector"], body["recorded_by"], body["source"]) == (POST1, POST1, "api")
    assert (body["act_version"], body["current"], body["office"]) == (1, True, "KGBSK")
    assert body["additional_duties"] == "48500"
    # An inspector may not tell a profile's selection from a random one.
    assert body["selection_basis"] == "selected"
    url = f"{ACTS}/{body['id']}"
    as_analyst = client.get(url, headers=staff.headers(Role.RISK_ANALYST))
    assert as_analyst.status_code == 200
    assert as_analyst.json()["selection_basis"] == "profile"
    assert as_analyst.json() == {**body, "selection_basis": "profile"}
    assert client.get(url, headers=staff.headers(Role.VIEWER)).json()["selection_basis"] == (
        "selected"
    )
    listed = client.get(ACTS, params={"declaration_number": NUMBER}, headers=staff.headers(POST1))
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [body["id"]]
    assert listed.json()["items"][0]["selection_basis"] == "selected"
    assert (
        client.get(ACTS, params={"outcome": "no_discrepancy"}, headers=staff.headers(POST1)).json()[
            "items"
        ]
        == []
    )
    by_system = client.get(ACTS, headers=staff.headers(Role.SYSTEM))
    assert len(by_system.json()["items"]) == 1
    journal = client.get(
        "/api/v1/journal",
        params={"action": "inspection.record"},
        headers=staff.headers(Role.ADMINISTRATOR),
    )
    (entry,) = journal.json()["items"]
    assert (entry["actor"], entry["object_id"]) == (POST1, f"{NUMBER}/1#1")


def test_a_second_act_is_409_and_a_correction_201(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    activate_cars(session_factory)
    lodge(client, staff)
    first = post_act(client, staff, act()).json()
    again = post_act(client, staff, nothing_found())
    assert again.status_code == 409
    assert f"inspection act {first['id']}" in again.json()["detail"]
    findings = {
        k: v for k, v in act(additional_duties="52000").items() if k != "declaration_number"
    }
    url = f"{ACTS}/{first['id']}/corrections"
    no_reason = client.post(url, json=findings, headers=staff.headers(POST1))
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "correction_reason"]
    corrected = client.post(
        url,
        json={**findings, "correction_reason": "duties recomputed at the new rate"},
        headers=staff.headers(POST1),
    )
    assert corrected.status_code == 201, corrected.text
    new = corrected.json()
    assert (new["act_version"], new["current"], new["additional_duties"]) == (2, True, "52000")
    assert new["correction_reason"] == "duties recomputed at the new rate"
    old = client.get(f"{ACTS}/{first['id']}", headers=staff.headers(POST1)).json()
    assert old == {**first, "current": False}
    stale = client.post(
        url, json={**findings, "correction_reason": "on the old one"}, headers=staff.headers(POST1)
    )
    assert stale.status_code == 409
    both = client.get(ACTS, params={"all_versions": "true"}, headers=staff.headers(POST1)).json()
    assert [a["act_version"] for a in both["items"]] == [2, 1]
    bad = client.post(
        f"{ACTS}/{new['id']}/corrections",
        json={**findings, "discrepancy_types": [], "correction_reason": "types dropped"},
        headers=staff.headers(POST1),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"loc": ["discrepancy_types"], "msg": "at least one type is required with a discrepancy"}
    ]
    assert (
        client.post(
            f"{ACTS}/999999/corrections",
            json={**findings, "correction_reason": "x" * 5},
            headers=staff.headers(POST1),
        ).status_code
        == 404
    )


INVALID: list[tuple[dict[str, Any], list[str | int]]] = [
    ({"additional_duties": "-0.01"}, ["body", "additional_duties"]),
    ({"additional_duties": 1e300}, ["body", "additional_duties"]),
    ({"minutes_spent": 10_001}, ["body", "minutes_spent"]),
    ({"discrepancy_types": ["smell"]}, ["body", "discrepancy_types", 0]),
    (
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "not_applied", "reason_code": "NAP"},
            ]
        },
        ["body", "measures", 1, "reason_code"],
    ),
    ({"inspected_at": "2099-01-01T00:00:00+06:00"}, ["body", "inspected_at"]),
    ({"inspected_at": "2026-10-01T14:10:00"}, ["body", "inspected_at"]),
    ({"selection_basis": "random"}, ["body", "selection_basis"]),
    ({"inspector": "someone.else"}, ["body", "inspector"]),
    ({"discrepancy_types": []}, ["discrepancy_types"]),
    ({"outcome": "no_discrepancy", "additional_duties": "0"}, ["discrepancy_types"]),
    ({"outcome": "no_discrepancy", "discrepancy_types": []}, ["additional_duties"]),
    ({"seizure": True}, ["offence_case"]),
    (
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "not_applied"},
            ]
        },
        ["measures", 1, "reason_code"],
    ),
    (
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "applied"},
                {"code": "X1", "status": "applied"},
            ]
        },
        ["measures", 2, "code"],
    ),
    ({"measures": [{"code": "109", "status": "applied"}]}, ["measures"]),
    ({"inspected_at": "2026-10-01T09:00:00+06:00"}, ["inspected_at"]),
    ({"selection_basis": "discretionary"}, ["selection_basis"]),
    ({"declaration_number": "KGBSK/011026/7777777"}, ["declaration_number"]),
    ({"declaration_version": 3}, ["declaration_version"]),
]


@pytest.mark.parametrize(("change", "loc"), INVALID)
def test_invalid_acts_are_422_naming_the_field(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    change: dict[str, Any],
    loc: list[str | int],
) -> None:
    activate_cars(session_factory)
    lodge(client, staff)
    response = post_act(client, staff, act(**change))
    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["errors"]] == [loc]
    assert response.json()["type"] == "invalid input"
    listed = client.get(ACTS, headers=staff.headers(POST1)).json()
    assert listed["items"] == []


def test_malformed_bodies_are_422(client: TestClient, staff: Staff) -> None:
    headers = {**staff.headers(POST1), "content-type": "application/json"}
    for content in ("{", "[]", '"act"', "null"):
        response = client.post(ACTS, content=content, headers=headers)
        assert response.status_code == 422, content


def test_another_post_sees_nothing_of_bishkek(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    activate_cars(session_factory)
    lodge(client, staff)
    recorded = post_act(client, staff, act()).json()
    elsewhere = post_act(client, staff, act(), who=POST2)
    unknown = post_act(client, staff, act("KGBSK/011026/7777777"), who=POST2)
    # Another office's declaration is refused exactly like one never lodged.
    assert elsewhere.status_code == unknown.status_code == 422
    assert (
        elsewhere.json()["errors"][0]["loc"]
        == unknown.json()["errors"][0]["loc"]
        == ["declaration_number"]
    )
    assert elsewhere.json()["errors"][0]["msg"].replace(NUMBER, "N") == unknown.json()["errors"][0][
        "msg"
    ].replace("KGBSK/011026/7777777", "N")
    url = f"{ACTS}/{recorded['id']}"
    assert client.get(url, headers=staff.headers(POST2)).status_code == 404
    correction = {
        **{k: v for k, v in nothing_found().items() if k != "declaration_number"},
        "correction_reason": "not mine to correct",
    }
    assert (
        client.post(f"{url}/corrections", json=correction, headers=staff.headers(POST2)).status_code
        == 404
    )
    assert client.get(ACTS, headers=staff.headers(POST2)).json()["items"] == []
    assert client.get(QUEUE, headers=staff.headers(POST2)).json()["items"] == []
    assert client.get(url, headers=staff.headers("coordinator.north")).status_code == 200
    assert client.get(url, headers=staff.headers(POST1)).status_code == 200
    assert client.get(f"{ACTS}/999999", headers=staff.headers(POST1)).status_code == 404


def test_the_queue_lists_what_waits_oldest_first(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    activate_cars(session_factory)
    random_control(session_factory, channel="yellow", office="KGOSH")
    parts = [item(1, hs_code="8708299009", description="car parts")]
    assert lodge(client, staff, "KGBSK/2", registered_at="2026-09-03T10:00:00+06:00") == "red"
    assert lodge(client, staff, "KGBSK/1", registered_at="2026-09-02T10:00:00+06:00") == "red"
    assert (
        lodge(client, staff, "KGBSK/3", registered_at="2026-09-01T10:00:00+06:00", items=parts)
        == "green"
    )
    assert lodge(client, staff, "KGOSH/1", office="KGOSH", items=parts) == "yellow"
    rerouted = client.post(
        "/api/v1/declarations/KGBSK/3/reroute",
        json={
            "channel": "red",
            "reason_code": "RISK-INDICATOR",
            "comment": "fresh paint on the floor",
        },
        headers=staff.headers(POST1),
    )
    assert rerouted.status_code == 200
    response = client.get(QUEUE, headers=staff.headers(POST1))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(e["declaration_number"], e["channel"], e["rerouted"]) for e in items] == [
        ("KGBSK/3", "red", True),
        ("KGBSK/1", "red", False),
        ("KGBSK/2", "red", False),
    ]
    assert items[1]["office"] == "KGBSK"
    assert items[1]["registered_at"].startswith("2026-09-02T04:00:00")
    assert [m["code"] for m in items[1]["measures"]] == ["109", "601"]
    assert items[1]["instructions"] == [INSTRUCTIONS]
    # The inspector learns what to do, never why: no hits, reasons, sources or draws.
    for secret in ('"hits"', '"reason"', '"sources"', '"random"', "NAT-2026-0100", "8703"):
        assert secret not in response.text
    page = client.get(QUEUE, params={"limit": 2}, headers=staff.headers(POST1)).json()
    rest = client.get(
        QUEUE, params={"limit": 2, "cursor": page["next_cursor"]}, headers=staff.headers(POST1)
    ).json()
    assert [e["declaration_number"] for e in page["items"] + rest["items"]] == [
        "KGBSK/3",
        "KGBSK/1",
        "KGBSK/2",
    ]
    assert rest["next_cursor"] is None
    recent = client.get(
        QUEUE, params={"registered_from": "2026-09-02T10:00:00+06:00"}, headers=staff.headers(POST1)
    ).json()["items"]
    assert [e["declaration_number"] for e in recent] == ["KGBSK/1", "KGBSK/2"]
    naive = client.get(
        QUEUE, params={"registered_from": "2026-09-02T10:00:00"}, headers=staff.headers(POST1)
    )
    assert naive.status_code == 422
    osh = client.get(QUEUE, headers=staff.headers(POST2)).json()["items"]
    assert [(e["declaration_number"], e["channel"]) for e in osh] == [("KGOSH/1", "yellow")]
    head_office = client.get(QUEUE, headers=staff.headers(Role.INSPECTOR)).json()["items"]
    assert len(head_office) == 4
    measures = [{"code": "109", "status": "applied"}]
    done = post_act(client, staff, nothing_found("KGBSK/3", measures=measures))
    assert done.status_code == 201, done.text
    after = client.get(QUEUE, headers=staff.headers(POST1)).json()["items"]
    assert [e["declaration_number"] for e in after] == ["KGBSK/1", "KGBSK/2"]
    bad = client.get(QUEUE, params={"cursor": "yesterday"}, headers=staff.headers(POST1))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["cursor"]


def test_who_may_do_what(client: TestClient, staff: Staff) -> None:
    assert post_act(client, staff, act(), who=Role.RISK_ANALYST.value).status_code == 403
    assert client.get(QUEUE, headers=staff.headers(Role.SYSTEM)).status_code == 403
    assert client.get(QUEUE, headers=staff.headers(Role.RISK_ANALYST)).status_code == 403
    assert client.get(ACTS, headers=staff.headers(Role.ADMINISTRATOR)).status_code == 403
    assert client.get(ACTS).status_code == 401
    reasons = client.get("/api/v1/inspection-reasons", headers=staff.headers(Role.VIEWER))
    assert reasons.status_code == 200
    assert "DOCS-SUFFICIENT" in reasons.json()["reason_codes"]
    assert set(reasons.json()["discrepancy_types"]) == {
        "classification",
        "valuation",
        "origin",
        "quantity_weight",
        "description",
        "prohibitions_restrictions",
        "ipr",
        "concealment_smuggling",
        "documents",
    }


def test_listing_parameters_are_checked(client: TestClient, staff: Staff) -> None:
    headers = staff.headers(POST1)
    for params, loc in (
        ({"inspected_from": "2026-10-01T00:00:00"}, "inspected_from"),
        ({"inspected_from": "0001-01-01T00:00:00+06:00"}, "inspected_from"),
        ({"inspected_to": "9999-12-31T23:59:59-06:00"}, "inspected_to"),
        ({"outcome": "perhaps"}, "outcome"),
        ({"limit": 501}, "limit"),
        ({"cursor": "-5"}, "cursor"),
    ):
        response = client.get(ACTS, params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["loc"][-1] == loc
    far = client.get(
        QUEUE, params={"registered_from": "0001-01-01T00:00:00+06:00"}, headers=headers
    )
    assert far.status_code == 422
    assert far.json()["errors"][0]["loc"] == ["query", "registered_from"]
    assert client.get(f"{ACTS}/0", headers=headers).status_code == 422
    assert client.get(f"{ACTS}/abc", headers=headers).status_code == 422
