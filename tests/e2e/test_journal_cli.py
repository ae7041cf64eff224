"""``corridor journal verify`` and ``corridor journal list`` as an operator runs them.

The journal's Typer app is invoked directly (``corridor journal`` is that app,
registered in ``corridor.cli``); the database is the test database, SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.config import get_settings
from corridor.db.uow import UnitOfWork
from corridor.errors import DatabaseNotReady
from corridor.journal import service as journal_service
from corridor.journal.cli import EXIT_BROKEN, app

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    # Settings are read once per process; each test names its own database.
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def journal(url: str, *args: str) -> Result:
    """Run ``corridor journal …`` on ``url``; output with its line breaks folded."""
    runner = CliRunner()
    return runner.invoke(app, list(args), env={"CORRIDOR_DATABASE_URL": url, "COLUMNS": "200"})


def flat(result: Result) -> str:
    return " ".join(result.output.split())


def write(factory: sessionmaker[Session], count: int = 10) -> None:
    for n in range(1, count + 1):
        with UnitOfWork(factory) as uow:
            journal_service.record(
                uow.session,
                actor="a.analyst" if n % 2 else "b.approver",
                action="profile.edit" if n % 2 else "profile.approve",
                object_type="profile" if n < 8 else "list",
                object_id=f"NAT-{n}/1" if n < 8 else "WATCH",
                after={"n": n},
                confidential=n == 9,
                at=T0 + timedelta(minutes=n),
            )
            uow.commit()


def test_verify_exits_0_when_the_chain_holds(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    empty = journal(database_url, "verify")
    assert empty.exit_code == 0, empty.output
    assert "the journal holds: 0 entries" in flat(empty)
    write(session_factory)
    result = journal(database_url, "verify")
    assert result.exit_code == 0, result.output
    assert "the journal holds: 10 entries, last 10" in flat(result)


def test_verify_exits_8_naming_an_altered_entry(
    database_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    write(session_factory)
    with engine.begin() as connection:
        connection.execute(text("UPDATE journal SET actor = 'mallory' WHERE seq = 4"))
    result = journal(database_url, "verify")
    assert result.exit_code == EXIT_BROKEN == 8
    output = flat(result)
    assert "the journal is broken at entry 4" in output
    assert "reason: entry 4 was altered after it was written" in output
    assert "3 entries hold, up to entry 3" in output
    # The entry as stored, so the operator sees what was changed.
    assert "entry 4 as stored" in output
    assert "mallory" in output
    assert "NAT-4/1" in output


def test_verify_exits_8_naming_a_deleted_entry(
    database_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    write(session_factory)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM journal WHERE seq = 6"))
    result = journal(database_url, "verify")
    assert result.exit_code == 8
    output = flat(result)
    assert "the journal is broken at entry 6" in output
    assert "reason: entry 6 is missing (next is 7)" in output
    assert "entry 6 is not stored" in output


def test_list_prints_the_newest_entries(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    write(session_factory)
    everything = journal(database_url, "list")
    assert everything.exit_code == 0, everything.output
    lines = everything.output.splitlines()
    rows = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert rows == [str(seq) for seq in range(10, 0, -1)]
    output = flat(everything)
    assert "10 entries" in output
    assert "profile.approve" in output
    assert "list WATCH" in output
    assert "2026-03-01 08:09:00" in output
    # The confidential entry is shown, and marked.
    confidential = next(line for line in lines if line.startswith("│ 9 "))
    assert "yes" in confidential

    filtered = journal(database_url, "list", "--actor", "b.approver", "--object-type", "profile")
    assert filtered.exit_code == 0, filtered.output
    assert "NAT-6/1" in filtered.output
    assert "NAT-4/1" in filtered.output
    assert "NAT-5/1" not in filtered.output
    assert "WATCH" not in filtered.output
    assert "3 entries" in flat(filtered)

    one = journal(database_url, "list", "--object-id", "WATCH", "--limit", "2")
    assert one.exit_code == 0, one.output
    assert "2 entries (more: raise --limit)" in flat(one)

    refused = journal(database_url, "list", "--limit", "0")
    assert refused.exit_code == 2  # a usage error, before the database is opened


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    result = journal(f"sqlite:///{tmp_path / 'new.db'}", "verify")
    assert isinstance(result.exception, DatabaseNotReady)
