"""Every web page, as every role, on the demo's profiles and declarations (SQLite and
PostgreSQL).

The pages are enumerated from the application, like the API routes in
``test_permissions``: a page that names no action of the permission matrix fails,
every page renders for every role allowed it (no server error) and is an HTML 403
for the others, and the roles not cleared for criteria, rationale, list entries
and hit reasons never find them in any page's HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import PERMISSIONS, Role
from tests.e2e.test_permissions import action_of, flat_routes
from tests.e2e.world import RESTRICTED, secrets_of
from tests.staff import Staff
from tests.web import sign_in

#: Pages anyone may open or post: sign-in and the language switch.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/language")}

#: Every user of tests/staff.py: one per role at head office, and the posts' users.
USERS = [role.value for role in Role] + ["inspector.post1", "coordinator.north", "senior.analyst"]


def page_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every web page (everything outside /api and /docs)."""
    return [
        (method, route.path, route)
        for route in flat_routes(app.routes)
        if not route.path.startswith(("/api/", "/docs", "/openapi"))
        for method in sorted(route.methods - {"HEAD"})
    ]


def concrete_urls(path: str, values: dict[str, list[str]]) -> list[str]:
    """The page's path with each parameter filled in from ``values`` (every value of the
    first parameter, the first value of the others)."""
    names = re.findall(r"{(\w+)(?::path)?}", path)
    if not names:
        return [path]
    urls = []
    for first in values[names[0]]:
        url = _fill(path, names[0], first)
        for name in names[1:]:
            url = _fill(url, name, values[name][0])
        urls.append(url)
    return urls


def _fill(path: str, name: str, value: str) -> str:
    return re.sub(r"{" + name + r"(?::path)?}", value, path)


def path_values(bodies: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Real objects of the demo world for each path parameter the pages use (ids of
    objects the world does not hold name nothing: those pages answer 404)."""
    return {
        "number": [bodies[0]["number"], bodies[1]["number"]],
        "code": ["NAT-2026-0001", "TGT-2026-0001"],
        "version": ["1"],
        "name": ["RISKY_IMPORTERS", "NEW_COMPANIES"],
        "office": ["KGBSK"],
        "flow": ["IM"],
        "username": ["inspector.post1"],
        "token_id": ["1"],
        "act_id": ["1"],
        "override_id": ["1"],
        "plan_id": ["1"],
        "case_id": ["1"],
        "alert_id": ["1"],
        "request_id": ["1"],
        "tin": [bodies[0]["importer"] or bodies[0]["declarant"], "99999999999999"],
    }


def test_every_page_names_its_action(world: tuple[TestClient, Staff, list[Any]]) -> None:
    client, _staff, _bodies = world
    assert isinstance(client.app, FastAPI)
    routes = page_routes(client.app)
    unnamed = [
        f"{method} {path}"
        for method, path, route in routes
        if action_of(route) is None and (method, path) not in PUBLIC
    ]
    assert unnamed == [], "pages without an action of the permission matrix"
    assert len(routes) >= 30


def test_every_page_as_every_role(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, bodies = world
    assert isinstance(client.app, FastAPI)
    criteria, _entries = secrets_of(world_sessions)
    values = path_values(bodies)
    pages = [
        (url, action_of(route))
        for method, path, route in page_routes(client.app)
        if method == "GET" and (method, path) not in PUBLIC
        for url in concrete_urls(path, values)
    ]
    rendered = 0
    for username in USERS:
        sign_in(client, world_sessions, staff, username)
        roles = {Role(r) for r in _roles_of(username)}
        for url, action in pages:
            assert action is not None
            response = client.get(url, follow_redirects=False)
            where = f"GET {url} as {username}"
            assert response.status_code < 500, f"{where}: {response.text[:2000]}"
            if roles.isdisjoint(PERMISSIONS[action]):
                assert response.status_code == 403, f"{where}: {response.status_code}"
                continue
            # Allowed: the page, a redirect (the home page), or an object that is not
            # there or not within the user's clearance or offices.
            assert response.status_code in (200, 303, 404), f"{where}: {response.status_code}"
            if response.status_code != 200:
                continue
            rendered += 1
            assert response.headers["content-type"].startswith("text/html"), where
            if username in RESTRICTED:
                text = html.unescape(response.text)
                for secret in criteria:
                    assert secret not in text, f"criteria or rationale in {where}"
                assert "TGT-2026-0001" not in text, f"target profile in {where}"
    assert rendered >= 100


def _roles_of(username: str) -> list[str]:
    special = {
        "inspector.post1": ["inspector"],
        "coordinator.north": ["regional_coordinator"],
        "senior.analyst": ["risk_analyst", "approver"],
    }
    return special.get(username, [username])


def test_pages_without_a_session_go_to_sign_in(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, _staff, bodies = world
    assert isinstance(client.app, FastAPI)
    client.cookies.clear()
    values = path_values(bodies)
    for method, path, _route in page_routes(client.app):
        if (method, path) in PUBLIC:
            continue
        url = concrete_urls(path, values)[0]
        response = client.request(method, url, follow_redirects=False)
        where = f"{method} {url}"
        assert response.status_code in (303, 422), f"{where}: {response.status_code}"
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login?next="), where
        htmx = client.request(method, url, headers={"HX-Request": "true"}, follow_redirects=False)
        if htmx.status_code == 204:
            assert htmx.headers["hx-redirect"].startswith("/login?next="), where


def test_a_change_without_the_csrf_token_is_refused(
    world: tuple[TestClient, Staff, list[dict[str, Any]]],
    world_sessions: sessionmaker[Session],
) -> None:
    client, staff, bodies = world
    assert isinstance(client.app, FastAPI)
    values = path_values(bodies)
    checked = 0
    for method, path, route in page_routes(client.app):
        action = action_of(route)
        if method != "POST" or (method, path) in PUBLIC or action is None:
            continue
        allowed = [role for role in Role if role in PERMISSIONS[action]]
        if not allowed:
            continue
        sign_in(client, world_sessions, staff, allowed[0])
        url = concrete_urls(path, values)[0]
        response = client.post(url, data={"x": "1"}, follow_redirects=False)
        assert response.status_code == 403, f"POST {url}: {response.status_code}"
        checked += 1
    assert checked >= 10
