"""Fixtures of the end-to-end tests: the demo world of tests/e2e/world.py.

``world`` is shared by the tests of one module (built once per module and database,
SQLite then PostgreSQL, on a database of its own): a test that takes it only reads,
and fails if it leaves the world with more or fewer rows than it found. A test that
changes the world takes ``fresh_world``, built for it alone on ``engine``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.engine import make_session_factory
from tests.e2e.world import World, build_world, row_counts


@pytest.fixture(scope="module")
def shared_world(module_engine: Engine) -> Iterator[World]:
    """One demo world for the module's reading tests."""
    with build_world(module_engine) as world:
        yield world


@pytest.fixture
def world(shared_world: World, module_engine: Engine) -> Iterator[World]:
    """The module's demo world, signed out; the test must leave it as it found it."""
    client, _staff, _bodies = shared_world
    client.cookies.clear()
    before = row_counts(module_engine)
    yield shared_world
    assert row_counts(module_engine) == before, "a test changed the shared world"


@pytest.fixture
def world_sessions(shared_world: World, module_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the shared world's database."""
    return make_session_factory(module_engine)


@pytest.fixture
def fresh_world(engine: Engine) -> Iterator[World]:
    """A demo world of the test's own, which it may change."""
    with build_world(engine) as world:
        yield world
