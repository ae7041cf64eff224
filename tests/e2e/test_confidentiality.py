"""Confidentiality and data scope through HTTP, on the demo's profiles (SQLite and PostgreSQL).

Inspectors, post-entry auditors, viewers and the clearance system never get
criteria, rationale, list entries, reasons or random draws, by any route;
target profiles and confidential lists exist only for intelligence officers
and approvers; a post's inspector sees only the post's declarations.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.e2e.test_permissions import flat_routes
from tests.e2e.world import RESTRICTED, secrets_of
from tests.staff import Staff

CLEARED_FOR_INTELLIGENCE = ("intelligence_officer", "approver")


def readable_urls(app: FastAPI, bodies: list[dict[str, Any]]) -> list[str]:
    """Every GET route, with real declarations, profiles and lists filled in."""
    urls = []
    numbers = [b["number"] for b in bodies[:40]]
    for route in flat_routes(app.routes):
        if "GET" not in route.methods or not route.path.startswith("/api/"):
            continue
        path = route.path
        if "{number:path}" in path:
            urls += [path.replace("{number:path}", n) for n in numbers]
        elif "{code}" in path:
            urls += [
                path.replace("{code}", c)
                for c in ("TGT-2026-0001", "TGT-2026-0002", "NAT-2026-0001", "NAT-2026-0004")
            ]
        elif "{name}" in path:
            urls += [path.replace("{name}", n) for n in ("RISKY_IMPORTERS", "NEW_COMPANIES")]
        elif "{" not in path:
            urls.append(path)
    return urls


def walk(value: Any, where: str) -> None:
    """Fail on any field that carries what a restricted reader must not get."""
    if isinstance(value, dict):
        assert value.get("criteria") is None, f"criteria in {where}"
        assert not value.get("rationale"), f"rationale in {where}"
        for key in ("entries", "reason"):
            assert key not in value, f"{key} in {where}"
        for key in ("hits", "random"):
            assert not value.get(key), f"{key} in {where}"
        for key, inner in value.items():
            walk(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for inner in value:
            walk(inner, where)


def test_restricted_roles_never_get_criteria_lists_or_reasons(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, bodies = world
    criteria, entries = secrets_of(world_sessions)
    assert len(criteria) > 30
    app = client.app
    assert isinstance(app, FastAPI)
    urls = readable_urls(app, bodies)
    red = 0
    for who in RESTRICTED:
        for url in urls:
            response = client.get(url, headers=staff.headers(who))
            assert response.status_code < 500, f"{url} as {who}"
            if response.status_code != 200:
                # Refused, hidden, or a report asked for without its required period.
                assert response.status_code in (403, 404, 422), f"{url} as {who}"
                continue
            text = response.text
            for secret in criteria:
                assert secret not in text, f"criteria or rationale in {url} as {who}"
            assert "named list" not in text
            body = response.json()
            walk(body, f"{url} as {who}")
            if url.endswith("/decision"):
                assert body["restricted"] is True
                red += body["channel"] == "red"
            if url.startswith("/api/v1/lists"):
                pytest.fail(f"{who} read {url}")
    assert red > 0, "no red decision was read: the test would prove nothing"
    # The list entries themselves (traders' TINs on watch lists) never appear on list
    # or profile routes; declarations carry their own traders' TINs legitimately.
    for who in RESTRICTED:
        for url in ("/api/v1/profiles", "/api/v1/lists", "/api/v1/measures"):
            text = client.get(url, headers=staff.headers(who)).text
            assert not [e for e in entries if len(e) > 6 and e in text], f"{url} as {who}"


def test_analysts_see_the_reasons(world: tuple[TestClient, Staff, list[dict[str, Any]]]) -> None:
    client, staff, bodies = world
    decisions = [
        client.get(
            f"/api/v1/declarations/{b['number']}/decision", headers=staff.headers("risk_analyst")
        ).json()
        for b in bodies
    ]
    hits = [hit for d in decisions for hit in d["hits"]]
    assert hits, "some demo declarations match a profile"
    assert all(not d["restricted"] for d in decisions)
    assert any(" is in " in hit["reason"] or " < " in hit["reason"] for hit in hits)


def test_intelligence_is_seen_only_by_the_cleared(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
) -> None:
    client, staff, _ = world
    for who in ("risk_analyst", "regional_coordinator", "inspector", "viewer"):
        headers = staff.headers(who)
        assert client.get("/api/v1/profiles/TGT-2026-0001", headers=headers).status_code == 404
        listed = client.get("/api/v1/profiles", headers=headers).json()
        assert not [p for p in listed if p["kind"] == "target"], who
    for who in ("risk_analyst", "regional_coordinator"):
        headers = staff.headers(who)
        assert client.get("/api/v1/lists/RISKY_IMPORTERS", headers=headers).status_code == 404
        names = {n["name"] for n in client.get("/api/v1/lists", headers=headers).json()}
        assert "NEW_COMPANIES" in names
        assert "RISKY_IMPORTERS" not in names
    for who in CLEARED_FOR_INTELLIGENCE:
        headers = staff.headers(who)
        target = client.get("/api/v1/profiles/TGT-2026-0001", headers=headers)
        assert target.status_code == 200
        assert target.json()["criteria"].startswith("importer = ")
    listed = client.get("/api/v1/lists/RISKY_IMPORTERS", headers=staff.headers("approver"))
    assert listed.status_code == 200
    assert listed.json()["entries"]


def test_analysts_cannot_write_intelligence(
    fresh_world: tuple[TestClient, Staff, list[dict[str, Any]]],
) -> None:
    client, staff, _ = fresh_world
    target = {
        "code": "TGT-2026-0099",
        "title": "A target drafted by the wrong person",
        "kind": "target",
        "risk_area": "valuation",
        "criteria": 'importer = "01234567890123"',
        "measures": [{"code": "109"}],
    }
    analyst = staff.headers("risk_analyst")
    assert client.post("/api/v1/profiles", json=target, headers=analyst).status_code == 403
    confidential = {"name": "MY_WATCH", "kind": "companies", "confidential": True, "entries": []}
    assert client.post("/api/v1/lists", json=confidential, headers=analyst).status_code == 403
    intel = staff.headers("intelligence_officer")
    assert client.post("/api/v1/profiles", json=target, headers=intel).status_code == 201
    assert client.post("/api/v1/lists", json=confidential, headers=intel).status_code == 201


def test_a_post_sees_only_its_offices(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
) -> None:
    client, staff, bodies = world
    ours = [b["number"] for b in bodies if b["office"] == "KGBSK"]
    theirs = [b["number"] for b in bodies if b["office"] == "KGOSH"]
    assert ours
    assert theirs
    post1 = staff.headers("inspector.post1")
    page = client.get("/api/v1/declarations?limit=500", headers=post1).json()
    assert {d["number"] for d in page["items"]} == set(ours)
    assert client.get(f"/api/v1/declarations/{ours[0]}", headers=post1).status_code == 200
    for number in theirs[:5]:
        assert client.get(f"/api/v1/declarations/{number}", headers=post1).status_code == 404
        decision = client.get(f"/api/v1/declarations/{number}/decision", headers=post1)
        assert decision.status_code == 404
        reroute = client.post(
            f"/api/v1/declarations/{number}/reroute",
            json={"channel": "red", "reason_code": "INTEL", "comment": "not ours"},
            headers=post1,
        )
        assert reroute.status_code == 404
    everything = client.get("/api/v1/declarations?limit=500", headers=staff.headers("inspector"))
    assert len(everything.json()["items"]) == len(bodies)
    # The post's clearance-system client may not lodge a declaration of another post.
    other = {**bodies[0], "number": "KGOSH/011026/7777777", "office": "KGOSH"}
    lodged = client.post("/api/v1/declarations", json=other, headers=staff.headers("system.post1"))
    assert lodged.status_code == 403
    assert json.loads(lodged.text)["type"] == "permission denied"


def test_the_journal_shows_criteria_only_to_the_cleared(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, _ = world
    criteria, _ = secrets_of(world_sessions)
    url = "/api/v1/journal?object_type=profile&action=profile.create&limit=500"
    admin = client.get(url, headers=staff.headers("administrator"))
    assert admin.status_code == 200
    entries = admin.json()["items"]
    assert len(entries) > 30
    assert all(e["after"]["criteria"] == "(confidential)" for e in entries)
    assert not [c for c in criteria if c in admin.text]
    assert not [e for e in entries if e["confidential"]]  # no target profile either
    approver = client.get(url, headers=staff.headers("approver")).json()["items"]
    assert {e["after"]["criteria"] for e in approver} & set(criteria)
    assert [e for e in approver if e["confidential"]]
