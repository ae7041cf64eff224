"""Confidential lists stay confidential (SQLite and PostgreSQL).

On the demo's profiles and lists, where confidential lists are hit, a role
without the intelligence clearance learns through no route, page, export,
journal entry, reason or error message that a confidential list exists, its
name, or what is on it; nor that a profile reading one exists. The intelligence
officer sees all of it (so the walks below cannot pass on a world where nothing
confidential happened).
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import PERMISSIONS, Action, Role
from corridor.db.engine import make_session_factory
from corridor.db.uow import UnitOfWork
from corridor.journal.service import MAX_PAGE
from corridor.profiles import service as profiles_service
from tests.e2e.test_pages import concrete_urls, page_routes, path_values
from tests.e2e.test_permissions import action_of, flat_routes
from tests.e2e.world import END, World
from tests.staff import Staff
from tests.web import htmx_headers, sign_in

#: Minutes of work: run before the short modules (tests/conftest.py).
pytestmark = pytest.mark.long

#: Every user of tests/staff.py without the intelligence clearance.
UNCLEARED = [role.value for role in Role if role not in PERMISSIONS[Action.INTELLIGENCE_READ]] + [
    "inspector.post1",
    "coordinator.north",
]


@pytest.fixture(scope="module")
def shared_world(shared_world: World, module_engine: Engine) -> World:
    """The world this module's reading tests share: the demo world, and three of its
    imports lodged again by watched traders: an importer of RISKY_IMPORTERS, a broker of
    COMPLICIT_BROKERS, both with sensitive goods (the national profile NAT-2026-0007 and
    the target TGT-2026-0002 read those lists)."""
    client, staff, bodies = shared_world
    with UnitOfWork(make_session_factory(module_engine)) as uow:
        importer = profiles_service.get_list(uow=uow, name="RISKY_IMPORTERS").entries or []
        broker = profiles_service.get_list(uow=uow, name="COMPLICIT_BROKERS").entries or []
    imports = [b for b in bodies if b["flow"] == "IM" and b["procedure"] == "40"]
    assert importer
    assert broker
    assert len(imports) >= 3
    planted = []
    for index, (body, changes) in enumerate(
        zip(
            imports,
            [
                {"importer": importer[0][0]},
                {"declarant": broker[0][0]},
                {"importer": importer[-1][0], "declarant": broker[-1][0]},
            ],
            strict=False,
        )
    ):
        number = body["number"].rsplit("/", 1)[0] + f"/99000{index}"
        items = [{**item, "hs_code": "8703239000"} for item in body["items"]]
        lodged = {**body, **changes, "number": number, "items": items}
        response = client.post(
            "/api/v1/declarations", json=lodged, headers=staff.headers(Role.SYSTEM)
        )
        assert response.status_code == 201, response.text
        planted.append(lodged)
    return client, staff, planted + bodies


@pytest.fixture
def planted(world: World) -> World:
    """The planted world (this module's ``world``), with the planted bodies first."""
    return world


def intelligence_of(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], numbers: list[str]
) -> tuple[set[str], list[str], list[str]]:
    """(secrets, numbers of declarations an intelligence profile hit, intelligence codes):
    the confidential lists' names, the codes and titles of the profiles reading them and
    of the targets, and the reasons of their hits as the intelligence officer reads them."""
    with UnitOfWork(session_factory) as uow:
        hidden = profiles_service.intelligence(uow=uow)
        profiles = profiles_service.list_profiles(uow=uow)
    intelligence = [p for p in profiles if p.intelligence]
    secrets = set(hidden.lists)
    secrets |= {p.code for p in intelligence} | {p.title for p in intelligence}
    officer = staff.headers("intelligence_officer")
    hit_numbers = []
    for number in numbers:
        decision = client.get(f"/api/v1/declarations/{number}/decision", headers=officer).json()
        reasons = [
            h["reason"] for h in decision["hits"] if (h["code"], h["version"]) in hidden.profiles
        ]
        if reasons:
            hit_numbers.append(number)
            secrets |= {r for r in reasons if r}
    return secrets, hit_numbers, sorted({p.code for p in intelligence})


def _unasked(secrets: set[str], url: str, status: int) -> set[str]:
    # "Profile X does not exist" (or a refusal of the page) names only what was typed.
    return {s for s in secrets if s not in url} if status in (403, 404) else secrets


def _leaks(text: str, secrets: set[str]) -> list[str]:
    unescaped = html.unescape(text)
    return sorted(s for s in secrets if s in text or s in unescaped)


def test_no_route_or_page_tells_an_uncleared_role_of_confidential_lists(
    planted: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, bodies = planted
    app = client.app
    assert isinstance(app, FastAPI)
    numbers = [b["number"] for b in bodies]
    secrets, hit, codes = intelligence_of(client, staff, world_sessions, numbers)
    # The world must hold what is to be hidden: confidential lists read by national
    # profiles (not only targets), and declarations they selected.
    assert {"RISKY_IMPORTERS", "ASYCUDA_WATCH", "COMPLICIT_BROKERS"} <= secrets
    assert [c for c in codes if c.startswith("NAT-")], codes
    assert hit, "no declaration was hit by an intelligence profile: the walk would prove nothing"
    assert any("RISKY_IMPORTERS" in s or "ASYCUDA_WATCH" in s for s in secrets - set(codes))

    api = _api_urls(app, hit + numbers[:10], codes)
    values = {
        **path_values(bodies),
        "number": hit[:3] + numbers[:2],
        "code": [*codes, "NAT-2026-0001"],
        "name": ["RISKY_IMPORTERS", "ASYCUDA_WATCH", "NEW_COMPANIES"],
    }
    pages = [
        url
        for method, path, route in page_routes(app)
        if method == "GET" and action_of(route) is not None
        for url in concrete_urls(path, values)
    ]
    # The reports over the world's days, as JSON and as the CSV exports analysts
    # download; the journal's whole page.
    days = f"from={END - timedelta(days=30)}&to={END}"
    exports = [
        f"/api/v1/analytics/{report}?{days}{fmt}"
        for report in ("profiles", "kpis")
        for fmt in ("", "&format=csv")
    ] + [f"/api/v1/journal?limit={MAX_PAGE}"]
    read = exported = 0
    for username in UNCLEARED:
        headers = staff.headers(username)
        for url in api + exports:
            response = client.get(url, headers=headers)
            assert response.status_code < 500, f"GET {url} as {username}"
            leaked = _leaks(response.text, _unasked(secrets, url, response.status_code))
            assert not leaked, f"GET {url} as {username} tells of {leaked}"
            read += response.status_code == 200
            exported += url in exports and response.status_code == 200
        sign_in(client, world_sessions, staff, username)
        for url in pages:
            response = client.get(url, follow_redirects=False)
            assert response.status_code < 500, f"page {url} as {username}"
            leaked = _leaks(response.text, _unasked(secrets, url, response.status_code))
            assert not leaked, f"page {url} as {username} tells of {leaked}"
            read += response.status_code == 200
        client.cookies.clear()
    assert read > 500
    assert exported >= 10  # the reports and the journal were read, not refused


def _api_urls(app: FastAPI, numbers: list[str], codes: list[str]) -> list[str]:
    """Every GET route of the API, with real declarations, the intelligence profiles and
    the confidential lists filled in (and one each of the ordinary kind)."""
    urls = []
    for route in flat_routes(app.routes):
        if "GET" not in route.methods or not route.path.startswith("/api/"):
            continue
        path = route.path
        if "{number:path}" in path:
            urls += [path.replace("{number:path}", n) for n in numbers]
        elif "{code}" in path:
            urls += [path.replace("{code}", c) for c in [*codes, "NAT-2026-0001"]]
        elif "{name}" in path:
            urls += [
                path.replace("{name}", n)
                for n in ("RISKY_IMPORTERS", "ASYCUDA_WATCH", "NEW_COMPANIES")
            ]
        elif "{" not in path:
            urls.append(path)
    return urls


def test_the_cleared_see_what_is_hidden_from_the_others(
    planted: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, bodies = planted
    _secrets, hit, codes = intelligence_of(
        client, staff, world_sessions, [b["number"] for b in bodies]
    )
    national = next(c for c in codes if c.startswith("NAT-"))
    for who in ("intelligence_officer", "approver"):
        headers = staff.headers(who)
        profile = client.get(f"/api/v1/profiles/{national}", headers=headers)
        assert profile.status_code == 200
        assert profile.json()["intelligence"] is True
        decision = client.get(f"/api/v1/declarations/{hit[0]}/decision", headers=headers).json()
        assert {"RISKY_IMPORTERS", "ASYCUDA_WATCH"} & set(decision["list_versions"])
    analyst = staff.headers("risk_analyst")
    assert client.get(f"/api/v1/profiles/{national}", headers=analyst).status_code == 404
    decision = client.get(f"/api/v1/declarations/{hit[0]}/decision", headers=analyst).json()
    hidden = [h for h in decision["hits"] if h["version"] == 0]
    # The hit is still counted (its outcome and measures decide the channel) but
    # nothing says which profile, which list or why.
    assert hidden
    assert all(h["code"] == "(confidential profile)" and not h["reason"] for h in hidden)
    assert set(decision["list_versions"]).isdisjoint(
        {"RISKY_IMPORTERS", "ASYCUDA_WATCH", "COMPLICIT_BROKERS"}
    )


def _problem(client: TestClient, headers: dict[str, str], criteria: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/profiles/validate", json={"criteria": criteria}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_criteria_checks_do_not_confirm_a_confidential_list(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
) -> None:
    client, staff, _bodies = world
    for who in ("risk_analyst", "regional_coordinator"):
        headers = staff.headers(who)
        secret = _problem(client, headers, 'in_list("RISKY_IMPORTERS")')
        unknown = _problem(client, headers, 'in_list("RISKY_EXPORTERS")')
        assert secret["valid"] is False
        # Said exactly as of a list that does not exist (only the name differs).
        assert secret["problem"]["message"].replace("RISKY_IMPORTERS", "X") == unknown["problem"][
            "message"
        ].replace("RISKY_EXPORTERS", "X")
        assert secret["problem"]["suggestion"] == unknown["problem"]["suggestion"]
        # A near miss is never corrected to the confidential name.
        near = _problem(client, headers, 'in_list("RISKY_IMPORTER")')
        assert "RISKY_IMPORTERS" not in str(near), who
        assert "COMPLICIT_BROKERS" not in str(
            _problem(client, headers, 'in_list("COMPLICIT_BROKER")')
        )
    officer = staff.headers("intelligence_officer")
    assert _problem(client, officer, 'in_list("RISKY_IMPORTERS")')["valid"] is True
    near = _problem(client, officer, 'in_list("RISKY_IMPORTER")')
    assert near["problem"]["suggestion"] == "RISKY_IMPORTERS"


def test_saving_a_profile_does_not_confirm_a_confidential_list(
    fresh_world: tuple[TestClient, Staff, list[dict[str, Any]]],
) -> None:
    client, staff, _bodies = fresh_world

    def draft(code: str, name: str) -> dict[str, Any]:
        return {
            "code": code,
            "title": "Watched importers",
            "risk_area": "valuation",
            "criteria": f'in_list("{name}") and value_ratio < 0.5',
            "measures": [{"code": "101"}],
        }

    analyst = staff.headers("risk_analyst")
    secret = client.post(
        "/api/v1/profiles", json=draft("NAT-2026-0901", "RISKY_IMPORTERS"), headers=analyst
    )
    unknown = client.post(
        "/api/v1/profiles", json=draft("NAT-2026-0902", "NO_SUCH_LIST"), headers=analyst
    )
    assert (secret.status_code, unknown.status_code) == (422, 422)
    assert secret.json()["errors"][0]["loc"] == unknown.json()["errors"][0]["loc"]
    assert "RISKY_IMPORTERS" in secret.json()["errors"][0]["msg"]  # only the name typed
    officer = staff.headers("intelligence_officer")
    saved = client.post(
        "/api/v1/profiles", json=draft("NAT-2026-0903", "RISKY_IMPORTERS"), headers=officer
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["intelligence"] is True
    # The officer's draft does not exist for the analyst: not listed, not found, not editable.
    assert client.get("/api/v1/profiles/NAT-2026-0903", headers=analyst).status_code == 404
    listed = client.get("/api/v1/profiles", headers=analyst).json()
    assert "NAT-2026-0903" not in {p["code"] for p in listed}
    edit = {k: v for k, v in draft("NAT-2026-0903", "NEW_COMPANIES").items() if k != "code"}
    put = client.put("/api/v1/profiles/NAT-2026-0903", json=edit, headers=analyst)
    assert put.status_code == 404
    # The journal's administrator reads nothing of it either.
    journal = client.get(
        "/api/v1/journal?object_type=profile&limit=500", headers=staff.headers("administrator")
    )
    assert journal.status_code == 200
    assert "NAT-2026-0903" not in journal.text


def test_the_editors_live_check_does_not_confirm_a_confidential_list(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, _bodies = world
    csrf = sign_in(client, world_sessions, staff, "risk_analyst")
    answers = {}
    for name in ("RISKY_IMPORTERS", "RISKY_IMPORTER", "RISKY_EXPORTERS"):
        response = client.post(
            "/profiles/validate-criteria",
            data={"criteria": f'in_list("{name}")'},
            headers=htmx_headers(csrf),
        )
        assert response.status_code == 200, response.text
        answers[name] = html.unescape(response.text)
    assert "RISKY_IMPORTERS" not in answers["RISKY_IMPORTER"]
    assert answers["RISKY_IMPORTERS"].replace("RISKY_IMPORTERS", "X") == answers[
        "RISKY_EXPORTERS"
    ].replace("RISKY_EXPORTERS", "X")
