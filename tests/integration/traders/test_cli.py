"""``corridor traders …`` on the test database (SQLite, PostgreSQL)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.config import customs_day, get_settings
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.traders.cli import app
from tests.integration.valuation.history import act, car_import, store

TODAY = customs_day(datetime.now(UTC))  # the installation's day, as the rules judge it


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


def test_refresh_recategorise_show_and_list(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    (caught, _clean) = store(
        session_factory,
        car_import("A/1", importer="04444444444444"),
        car_import("A/2", registered_at="2026-10-05T10:00:00+00:00"),
    )
    act(session_factory, caught, duties="1234.5")
    assert isinstance(traders(database_url, "show", "01503200710021").exception, NotFound)
    refreshed = traders(database_url, "refresh")
    assert refreshed.exit_code == 0, refreshed.output
    assert "register: 3 traders, 0 names seen; history of 2 importers and 1 declarants" in flat(
        refreshed
    )
    scored = traders(database_url, "recategorise", "--as-of", "2026-11-01")
    assert scored.exit_code == 0, scored.output
    assert "3 traders as of 2026-11-01: low 0, medium 3, high 0; 3 changed" in flat(scored)
    assert "population discrepancy rate 100.0 %" in flat(scored)
    shown = traders(database_url, "show", "04444444444444")
    assert shown.exit_code == 0, shown.output
    # One control in all, and it found a discrepancy: the trader is the population.
    assert "category: medium (computed)" in flat(shown)
    assert "rate_points 50.0" in flat(shown)
    assert "shrunk_rate" in flat(shown)
    assert "controls 1" in flat(shown)
    listed = traders(database_url, "list", "--text", "0444")
    assert listed.exit_code == 0, listed.output
    assert "04444444444444" in flat(listed)
    assert "01503200710021" not in flat(listed)
    refused = traders(database_url, "list", "--category", "severe")
    assert isinstance(refused.exception, InvalidInput)
    bad_day = traders(database_url, "recategorise", "--as-of", "yesterday")
    assert isinstance(bad_day.exception, InvalidInput)


def test_override_lift_and_aeo_from_the_terminal(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    store(session_factory, car_import("A/1"))
    assert traders(database_url, "recategorise").exit_code == 0
    tin = "01503200710021"
    until = str(TODAY + timedelta(days=30))
    missing = traders(database_url, "override", tin, "--category", "low", "--reason", "ok")
    assert missing.exit_code == 2  # --until is required
    past = traders(
        database_url,
        "override",
        tin,
        "--category",
        "low",
        "--reason",
        "trusted",
        "--until",
        "2020-01-01",
    )
    assert isinstance(past.exception, InvalidInput)
    assert [e.loc for e in past.exception.errors] == [("valid_until",)]
    unknown = traders(
        database_url, "override", "09999999999999", "--category", "low", "--reason", "trusted",
        "--until", until,
    )  # fmt: skip
    assert isinstance(unknown.exception, NotFound)
    done = traders(
        database_url, "override", tin, "--category", "low", "--reason", "trusted", "--until", until
    )
    assert done.exit_code == 0, done.output
    assert f"trader {tin} is low until {until}" in flat(done)
    assert "category: low (override)" in flat(traders(database_url, "show", tin))
    lifted = traders(database_url, "lift", tin, "--reason", "no longer")
    assert lifted.exit_code == 0, lifted.output
    assert isinstance(traders(database_url, "lift", tin, "--reason", "again").exception, Conflict)
    start, end = str(TODAY), str(TODAY + timedelta(days=365))
    aeo = traders(
        database_url, "aeo", tin, "--certificate", "KG-AEO-1", "--kind", "AEO-2",
        "--from", start, "--to", end,
    )  # fmt: skip
    assert aeo.exit_code == 0, aeo.output
    assert "AEO-2 certificate KG-AEO-1" in flat(aeo)
    assert "(in force)" in flat(aeo)
    wrong = traders(
        database_url, "aeo", tin, "--certificate", "KG-AEO-2", "--kind", "AEO-9",
        "--from", start, "--to", end,
    )  # fmt: skip
    assert isinstance(wrong.exception, InvalidInput)
    ended = traders(database_url, "aeo-end", tin, "--reason", "withdrawn")
    assert ended.exit_code == 0, ended.output
    assert isinstance(
        traders(database_url, "aeo-end", tin, "--reason", "x y z").exception, Conflict
    )


def test_recategorise_every_hours_repeats_until_stopped(
    database_url: str, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    store(session_factory, car_import("A/1"))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:
            raise KeyboardInterrupt  # what stopping the service does

    monkeypatch.setattr(time, "sleep", sleep)
    result = traders(database_url, "recategorise", "--every", "6")
    assert result.exit_code == 130  # interrupted, as Click reports it
    assert slept == [6 * 3600, 6 * 3600]
    assert flat(result).count("traders as of") == 2
