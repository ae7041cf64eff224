"""Every route, as every role, against the permission matrix (SQLite and PostgreSQL).

The routes are enumerated from the application, so a new route that names no
action of the matrix fails ``test_every_route_names_its_action``, and a route
whose enforcement differs from the matrix fails ``test_every_route_as_every_role``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute

from corridor.accounts.roles import PERMISSIONS, Action, Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.web.security import route_action
from tests.staff import Staff, seed_staff

#: Routes anyone may call: health, sign-in, and the API documentation.
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
}

#: A value for each path parameter: well-formed, naming nothing that exists.
PATH_VALUES = {
    "number": "KGBSK/011026/9999999",
    "code": "NAT-2026-9999",
    "version": "1",
    "action": "approve",
    "name": "NO-SUCH-LIST",
    "office": "KGBSK",
    "flow": "IM",
    "username": "nobody",
    "token_id": "999",
    "act_id": "999",
    "override_id": "999",
    "plan_id": "999",
    "case_id": "999",
    "alert_id": "999",
    "request_id": "999",
    "tin": "99999999999999",
}


def flat_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as one entry
    that holds the original router; their routes carry the router's prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        else:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from flat_routes(included.routes)


def api_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every API route of the application (the web pages have
    their own tests: tests/e2e/test_pages.py)."""
    return [
        (method, route.path, route)
        for route in flat_routes(app.routes)
        if route.path.startswith(("/api/", "/docs"))
        for method in sorted(route.methods - {"HEAD"})
    ]


def action_of(route: APIRoute) -> Action | None:
    """The action the route's authorization dependency enforces, if any."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        action = route_action(dependant.call)
        if action is not None:
            return action
        stack.extend(dependant.dependencies)
    return None


def concrete(path: str) -> str:
    """The route's path with every parameter filled in."""
    return re.sub(r"{(\w+)(?::path)?}", lambda m: PATH_VALUES[m.group(1)], path)


@pytest.fixture
def app(engine: Engine, database_url: str) -> FastAPI:
    return create_app(Settings(database_url=database_url, token_cache_seconds=0), engine=engine)


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_every_route_names_its_action(app: FastAPI) -> None:
    unnamed = [
        f"{method} {path}"
        for method, path, route in api_routes(app)
        if action_of(route) is None and (method, path) not in PUBLIC
    ]
    assert unnamed == [], "routes without an action of the permission matrix"
    assert {(m, p) for m, p, _ in api_routes(app)} >= PUBLIC


def test_no_route_but_the_public_ones_answers_without_authentication(
    app: FastAPI, client: TestClient
) -> None:
    for method, path, _ in api_routes(app):
        if (method, path) in PUBLIC:
            continue
        response = client.request(method, concrete(path), json={})
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["type"] == "not authenticated"
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_a_wrong_or_malformed_token_is_401(client: TestClient, staff: Staff) -> None:
    for header in ("Bearer crd_not-a-token", "Basic dXNlcjpwYXNz", "Bearer", "bearer  "):
        response = client.get("/api/v1/measures", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_every_route_as_every_role(app: FastAPI, client: TestClient, staff: Staff) -> None:
    checked = 0
    for method, path, route in api_routes(app):
        action = action_of(route)
        if action is None:
            continue
        for role in Role:
            response = client.request(method, concrete(path), json={}, headers=staff.headers(role))
            allowed = role in PERMISSIONS[action]
            where = f"{method} {path} as {role.value} ({action.value})"
            if allowed:
                assert response.status_code not in (401, 403), f"{where}: {response.text}"
                assert response.status_code < 500, f"{where}: {response.text}"
            else:
                assert response.status_code == 403, f"{where}: {response.status_code}"
                assert response.json()["type"] == "permission denied"
            checked += 1
    assert checked >= 30 * len(Role)


def test_the_readme_shows_the_matrix_in_force() -> None:
    from pathlib import Path

    from corridor.accounts.roles import matrix_markdown

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert matrix_markdown() in readme
