"""``corridor traders …`` on the test database (SQLite, PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.config import get_settings
from corridor.errors import NotFound
from corridor.traders.cli import app
from tests.integration.valuation.history import act, car_import, store


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def traders(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"CORRIDOR_DATABASE_URL": url, "COLUMNS": "200"})


def flat(result: Result) -> str:
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def test_refresh_then_show_a_trader(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    (caught,) = store(session_factory, car_import("A/1"))
    store(session_factory, car_import("A/2", registered_at="2026-10-05T10:00:00+00:00"))
    act(session_factory, caught, duties="1234.5")
    assert isinstance(traders(database_url, "history", "01503200710021").exception, NotFound)
    done = traders(database_url, "refresh-history")
    assert done.exit_code == 0, done.output
    assert "trader history refreshed: importers 1, declarants 1" in flat(done)
    shown = traders(database_url, "history", "01503200710021")
    assert shown.exit_code == 0, shown.output
    assert "importer 2 1 1 1234.5 2026-10-01 2026-10-05 2026-10-01 2026-10-01" in flat(shown)
    assert "declarant" not in flat(shown)
