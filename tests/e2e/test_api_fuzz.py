"""Schemathesis against the OpenAPI document: no generated request gets a 5xx.

Each operation is called as a role the permission matrix allows it (so the
generated input reaches validation and the use case, not just the 403), on
SQLite and PostgreSQL, with a bounded number of examples per operation.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import PERMISSIONS, Role
from corridor.app import create_app
from corridor.config import Settings
from tests.e2e.test_permissions import action_of, flat_routes
from tests.staff import seed_staff

#: Minutes of work: run before the short modules (tests/conftest.py).
pytestmark = pytest.mark.long

EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "25"))


def headers_by_operation(app: FastAPI, tokens: dict[str, str]) -> dict[tuple[str, str], str]:
    """(method, path) -> the bearer token of a role allowed the operation."""
    found = {}
    for route in flat_routes(app.routes):
        action = action_of(route)
        allowed = [r for r in Role if action is not None and r in PERMISSIONS[action]]
        token = tokens[allowed[0].value] if allowed else tokens[Role.VIEWER.value]
        for method in route.methods:
            # OpenAPI writes {number:path} as {number}.
            found[(method.upper(), route.path.replace(":path}", "}"))] = token
    return found


def test_no_generated_request_gets_a_server_error(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    app = create_app(Settings(database_url=database_url, token_cache_seconds=60), engine=engine)
    tokens = headers_by_operation(app, seed_staff(session_factory).tokens)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 35
    for operation in operations:
        token = tokens.get((operation.method.upper(), operation.path))
        fuzz(operation, {"Authorization": f"Bearer {token}"} if token else None)


def fuzz(operation: Any, headers: dict[str, str] | None) -> None:
    """Call one operation with generated input; no answer may be a server error."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def no_server_error(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
        )

    no_server_error()
