"""``corridor prices …`` as an analyst runs it, on the test database (SQLite, PostgreSQL).

The Typer app is invoked directly; errors reach the caller as corridor errors
(``corridor.cli.main`` turns them into messages and exit codes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.config import get_settings
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.valuation import service
from corridor.valuation.cli import app
from tests.integration.valuation.history import CAR, cars


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    # Settings are read once per process; each test names its own database.
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def prices(url: str, *args: str) -> Result:
    """Run ``corridor prices …`` on ``url``; output with its line breaks folded."""
    return CliRunner().invoke(app, list(args), env={"CORRIDOR_DATABASE_URL": url, "COLUMNS": "200"})


def flat(result: Result) -> str:
    """The output as words: line breaks and the table's box drawing folded into spaces."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def test_refresh_list_override_lift(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    assert "no reference prices yet" in flat(prices(database_url, "list"))
    cars(session_factory, 3, "1000000")
    done = prices(database_url, "refresh", "--min-sample", "3", "--history-from", "2026-01-01")
    assert done.exit_code == 0, done.output
    assert "price version 1 is in force" in flat(done)
    assert "prices: 12 (minimum sample 3)" in flat(done)
    assert "goods items used: 3; excluded (found misvalued): 0" in flat(done)

    listed = prices(database_url, "list", "--hs", "870323", "--origin", "cn")
    assert listed.exit_code == 0, listed.output
    assert "history 2026-01-01 to …" in flat(listed)
    assert "8703231990 CN unit 796 3 1000000" in flat(listed)
    assert "870323 CN kg 3 800" in flat(listed)
    assert "4 prices" in flat(listed)

    set_ = prices(
        database_url,
        "override",
        "8703231990",
        "CN",
        "unit",
        "--unit",
        "796",
        "--median",
        "1500000",
        "--low",
        "900000",
        "--high",
        "2500000",
        "--reason",
        "manufacturer's price list",
        "--valid-to",
        "2099-12-31",
    )
    assert set_.exit_code == 0, set_.output
    assert "override 1 set: HS 8703231990 origin CN per unit 796; price version 2" in flat(set_)
    assert "8703231990 CN unit 796 3 1500000" in flat(prices(database_url, "list", "--hs", CAR))
    assert "2099-12-31 yes" in flat(prices(database_url, "overrides"))

    lifted = prices(database_url, "lift", "1", "--reason", "withdrawn", "--min-sample", "3")
    assert lifted.exit_code == 0, lifted.output
    assert "override 1 lifted" in flat(lifted)
    assert "price version 3" in flat(lifted)
    assert "lifted" not in flat(prices(database_url, "overrides"))
    assert "lifted" in flat(prices(database_url, "overrides", "--lifted"))
    with UnitOfWork(session_factory) as uow:
        assert service.current_version(uow=uow) == 3
    old = prices(database_url, "list", "--hs", CAR, "--origin", "CN", "--version", "2")
    assert "1500000" in flat(old)


def test_bad_options_are_named(database_url: str) -> None:
    bad_window = prices(
        database_url, "refresh", "--history-from", "2026-10-02", "--history-to", "2026-10-01"
    )
    assert isinstance(bad_window.exception, InvalidInput)
    assert bad_window.exception.errors[0].loc == ("history_to",)
    bad_date = prices(database_url, "refresh", "--history-from", "yesterday")
    assert isinstance(bad_date.exception, InvalidInput)
    assert bad_date.exception.errors[0].loc == ("history_from",)
    no_unit = prices(
        database_url,
        "override",
        CAR,
        "CN",
        "unit",
        "--median",
        "1",
        "--low",
        "1",
        "--high",
        "2",
        "--reason",
        "why not",
    )
    assert isinstance(no_unit.exception, InvalidInput)
    assert no_unit.exception.errors[0].loc == ("unit",)
    for option, value in (("--hs", "87x"), ("--origin", "XX")):
        listed = prices(database_url, "list", option, value)
        assert isinstance(listed.exception, InvalidInput), option
        assert listed.exception.errors[0].loc == (option.removeprefix("--"),)
    assert isinstance(prices(database_url, "lift", "7", "--reason", "gone").exception, NotFound)
    assert prices(database_url, "lift", "7").exit_code == 2  # --reason is required
    assert isinstance(prices(database_url, "list", "--version", "4").exception, NotFound)


def test_lifting_twice_is_a_conflict(database_url: str) -> None:
    args = ("override", "9403", "*", "kg", "--median", "10", "--low", "5", "--high", "20")
    assert prices(database_url, *args, "--reason", "furniture").exit_code == 0
    assert prices(database_url, "lift", "1", "--reason", "done").exit_code == 0
    again = prices(database_url, "lift", "1", "--reason", "done")
    assert isinstance(again.exception, Conflict)
