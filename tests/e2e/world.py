"""The demo world the confidentiality tests read: the demo's profiles and lists, a
customs service of one user per role, and 150 demo declarations lodged at two posts.

Built through the real application (``build_world``); ``tests/e2e/conftest.py`` shares
one per module among the tests that only read it and builds a fresh one for a test
that changes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_session_factory
from corridor.db.tables import Base
from corridor.db.uow import UnitOfWork
from corridor.demo import generate
from corridor.demo import selectivity as demo_selectivity
from corridor.profiles import service as profiles_service
from tests.staff import Staff, seed_staff

#: What the tests unpack: the signed-out client, the staff's tokens, the lodged bodies.
World = tuple[TestClient, Staff, list[dict[str, Any]]]

RESTRICTED = ("inspector", "post_entry_auditor", "viewer", "system", "inspector.post1")
END = date.today() - timedelta(days=1)
#: Tables a reading test writes to: web sessions opened by signing in.
SESSION_TABLES = frozenset({"login_sessions"})


@contextmanager
def build_world(engine: Engine) -> Iterator[World]:
    """The demo's profiles and lists, and 150 demo declarations submitted by the system
    (every other one at the post of ``KGBSK``, the rest at ``KGOSH``)."""
    database_url = engine.url.render_as_string(hide_password=False)
    session_factory = make_session_factory(engine)
    staff = seed_staff(session_factory)
    demo_selectivity.seed(session_factory=session_factory, end=END, today=END)
    app = create_app(Settings(database_url=database_url), engine=engine)
    bodies = [
        entry.declaration.model_dump(mode="json")
        for entry in generate(declarations=150, seed=7, end=END, days=20).declarations
    ]
    with TestClient(app, raise_server_exceptions=False) as client:
        for index, body in enumerate(bodies):
            body["office"] = "KGBSK" if index % 2 else "KGOSH"
            response = client.post(
                "/api/v1/declarations", json=body, headers=staff.headers(Role.SYSTEM)
            )
            assert response.status_code == 201, response.text
        yield client, staff, bodies


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, but for the sessions a reading test opens: what a test that only
    reads a shared world leaves as it found it."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name not in SESSION_TABLES
        }


def secrets_of(session_factory: sessionmaker[Session]) -> tuple[list[str], list[str]]:
    """Every profile's criteria and rationale, and every list entry of the demo."""
    with UnitOfWork(session_factory) as uow:
        profiles = profiles_service.list_profiles(uow=uow, status=None, kind=None)
        texts = [p.criteria for p in profiles if p.criteria] + [
            p.rationale for p in profiles if p.rationale
        ]
        entries = [
            value
            for named in profiles_service.list_lists(uow=uow)
            for entry in profiles_service.get_list(uow=uow, name=named.name).entries or []
            for value in entry
        ]
    return texts, entries
