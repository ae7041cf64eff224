"""``corridor journal verify`` and ``corridor journal checkpoint`` as an operator runs them,
in subprocesses, against tampering done with raw SQL by someone without the journal key.

Each case says clearly what it found: exit 8 with the reason, or a plain message;
never a traceback. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.journal.cli import EXIT_BROKEN
from tests.cli import run_corridor
from tests.integration.journal.test_journal import sql, stored, write
from tests.integration.journal.test_keyed_journal import head_row, rechain, truncate_to

Factory = sessionmaker[Session]
OTHER_KEY = "another installation's journal key, long enough"


def corridor(
    url: str, *args: str, key: str | None = None, production: bool = False
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (PYTHONPATH is inherited) on ``url``."""
    env = {
        "CORRIDOR_JOURNAL_KEY": key,
        "CORRIDOR_ENVIRONMENT": "production" if production else None,
    }
    result = run_corridor("journal", *args, database_url=url, env=env)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


def test_truncation_and_rechaining_without_the_key_exit_8(
    database_url: str, engine: Engine, session_factory: Factory
) -> None:
    write(session_factory)
    assert corridor(database_url, "verify").returncode == 0

    truncate_to(engine, session_factory, 7)
    truncated = corridor(database_url, "verify")
    assert truncated.returncode == EXIT_BROKEN == 8
    output = flat(truncated.stdout)
    assert "the journal is broken at entry 8" in output
    assert (
        "reason: the journal head (entry 7) is not signed with the journal key:"
        " it was moved or rewritten outside corridor" in output
    )
    assert "7 entries hold, up to entry 7" in output

    rechain(engine, session_factory, None)
    rechained = corridor(database_url, "verify")
    assert rechained.returncode == 8
    assert "reason: entry 1 was hashed without the journal key" in flat(rechained.stdout)


def test_verifying_with_another_key_fails_and_production_refuses_the_default(
    database_url: str, session_factory: Factory
) -> None:
    write(session_factory, 3)
    other = corridor(database_url, "verify", key=OTHER_KEY)
    assert other.returncode == 8
    assert "reason: entry 1 was altered after it was written" in flat(other.stdout)
    refused = corridor(database_url, "verify", production=True)
    assert refused.returncode == 4
    assert "CORRIDOR_JOURNAL_KEY" in refused.stderr


def test_checkpoints_prove_the_newest_entries_are_all_there(
    database_url: str, engine: Engine, session_factory: Factory, tmp_path: Path
) -> None:
    store = tmp_path / "checkpoints.jsonl"
    write(session_factory, 7)
    # What someone with read access keeps (e.g. in a backup): the head row at entry 7.
    copied = head_row(engine)
    first = corridor(database_url, "checkpoint", "--output", str(store))
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert "checkpoint: entry 7" in first.stderr
    write(session_factory, 3, start=8)
    # Standard output holds the line alone, for a store outside the database.
    printed = corridor(database_url, "checkpoint")
    assert printed.returncode == 0, printed.stderr
    line = json.loads(printed.stdout)
    assert set(line) == {"seq", "hash", "at", "signature"}
    assert (line["seq"], line["hash"]) == (10, stored(session_factory, 10).hash)
    with store.open("a") as file:
        file.write(printed.stdout)
    assert len(store.read_text().splitlines()) == 2

    holds = corridor(database_url, "verify", "--checkpoints", str(store))
    assert holds.returncode == 0, holds.stdout
    assert "every checkpoint holds: 2, the latest at entry 10" in flat(holds.stdout)

    # The newest entries deleted and the head row put back as copied (its signature too):
    # the chain alone cannot tell, the checkpoint can.
    sql(engine, "DELETE FROM journal WHERE seq > 7")
    sql(
        engine,
        "UPDATE journal_head SET seq = :seq, hash = :h, signature = :s",
        seq=copied["seq"],
        h=copied["hash"],
        s=copied["signature"],
    )
    assert corridor(database_url, "verify").returncode == 0
    rolled_back = corridor(database_url, "verify", "--checkpoints", str(store))
    assert rolled_back.returncode == 8
    output = flat(rolled_back.stdout)
    assert "a checkpoint does not hold" in output
    assert "names entry 10, but the journal ends at entry 7: entries 8 to 10 were removed" in output
    assert "1 checkpoints before it hold" in output


def test_a_forged_checkpoint_exits_8(
    database_url: str, session_factory: Factory, tmp_path: Path
) -> None:
    write(session_factory, 5)
    store = tmp_path / "checkpoints.jsonl"
    assert corridor(database_url, "checkpoint", "--output", str(store)).returncode == 0
    genuine = json.loads(store.read_text())
    # Someone edits the external store to vouch for a shorter journal.
    forged = {**genuine, "seq": 3, "hash": stored(session_factory, 3).hash}
    store.write_text(json.dumps(forged) + "\n")
    result = corridor(database_url, "verify", "--checkpoints", str(store))
    assert result.returncode == 8
    assert (
        "reason: the checkpoint on line 1 is not signed with the journal key"
        " (forged, altered, or from another installation)" in flat(result.stdout)
    )
    # A checkpoint signed by another installation's key.
    other = tmp_path / "other.jsonl"
    assert (
        corridor(database_url, "checkpoint", "--output", str(other), key=OTHER_KEY).returncode
        == 8  # the chain does not hold under that key: nothing is certified
    )
    assert not other.exists()
    store.write_text("garbage\n")
    garbled = corridor(database_url, "verify", "--checkpoints", str(store))
    assert garbled.returncode == 8
    assert "line 1 is not a checkpoint: not JSON" in flat(garbled.stdout)
    missing = corridor(database_url, "verify", "--checkpoints", str(tmp_path / "none"))
    assert missing.returncode == 2
    assert "does not exist" in flat(missing.stderr)


def test_an_empty_journal_says_so_and_a_missing_head_exits_8(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    empty = corridor(database_url, "verify")
    assert empty.returncode == 0, empty.stdout
    assert "the journal holds: 0 entries, last 0" in flat(empty.stdout)
    assert "the journal is empty" in flat(empty.stdout)
    store = tmp_path / "checkpoints.jsonl"
    nothing = corridor(database_url, "checkpoint", "--output", str(store))
    assert nothing.returncode == 0
    assert "the journal is empty: there is no entry to checkpoint" in flat(nothing.stderr)
    assert not store.exists()

    sql(engine, "DELETE FROM journal_head")
    headless = corridor(database_url, "verify")
    assert headless.returncode == 8
    assert "reason: the journal head is missing" in flat(headless.stdout)
    assert corridor(database_url, "checkpoint").returncode == 8


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_a_store_without_checkpoints_exits_8(
    database_url: str, session_factory: Factory, tmp_path: Path, content: str
) -> None:
    write(session_factory, 2)
    store = tmp_path / "checkpoints.jsonl"
    store.write_text(content)
    result = corridor(database_url, "verify", "--checkpoints", str(store))
    assert result.returncode == 8
    assert "reason: there is no checkpoint to compare" in flat(result.stdout)
