"""The keyed journal against someone who can write the database but has not the key.

Before the chain was keyed, deleting the newest entries and moving the head back, or
re-hashing every entry with the product's own function, left a chain that verified.
Here both are done with raw SQL, as a database administrator would, and verification
must report them; checkpoints kept outside the database must show a head moved back
to a copy taken earlier (which no signature can tell from the real one). Through the
service, on SQLite and PostgreSQL; the CLI's side is in tests/e2e/test_journal_keyed_cli.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.journal.service import CheckpointCheck, Verification
from tests.integration.journal.test_journal import sql, stored, write

Factory = sessionmaker[Session]
WRONG_KEY = b"a key that is not this installation's journal key"


def verify(factory: Factory) -> Verification:
    with UnitOfWork(factory) as uow:
        return journal_service.verify(uow=uow)


def checkpoint_line(factory: Factory) -> str:
    with UnitOfWork(factory) as uow:
        result, checkpoint = journal_service.checkpoint(uow=uow)
    assert result.ok, result.reason
    assert checkpoint is not None
    return checkpoint.line()


def check(factory: Factory, *lines: str) -> CheckpointCheck:
    with UnitOfWork(factory) as uow:
        result = journal_service.verify(uow=uow)
        assert result.ok, result.reason
        return journal_service.check_checkpoints(uow=uow, lines=lines, verification=result)


def head_row(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM journal_head")).mappings().one()
    return dict(row)


def truncate_to(engine: Engine, factory: Factory, seq: int) -> None:
    """Delete the entries after ``seq`` and move the head back to it (seq and hash)."""
    kept = stored(factory, seq)
    sql(engine, "DELETE FROM journal WHERE seq > :seq", seq=seq)
    sql(engine, "UPDATE journal_head SET seq = :seq, hash = :h", seq=seq, h=kept.hash)


def rechain(engine: Engine, factory: Factory, key: bytes | None, upto: int | None = None) -> None:
    """Re-hash every entry (up to ``upto``) in order with ``key`` (None: the unkeyed
    function) and, when all are, point the head at the new last hash: a chain consistent
    with itself, computed without the journal key."""
    previous = journal_service.GENESIS
    with UnitOfWork(factory) as uow:
        rows = list(uow.session.scalars(select(JournalEntryRow).order_by(JournalEntryRow.seq)))
        for row in rows:
            uow.session.expunge(row)
    last = 0
    for row in rows:
        if upto is not None and row.seq > upto:
            return
        new_hash = journal_service.entry_hash(
            key=key,
            prev_hash=previous,
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=row.before,
            after=row.after,
            confidential=row.confidential,
        )
        sql(
            engine,
            "UPDATE journal SET prev_hash = :p, hash = :h WHERE seq = :seq",
            p=previous,
            h=new_hash,
            seq=row.seq,
        )
        previous, last = new_hash, row.seq
    sql(engine, "UPDATE journal_head SET seq = :seq, hash = :h", seq=last, h=previous)


def test_deleting_the_newest_entries_and_moving_the_head_is_reported(
    engine: Engine, session_factory: Factory
) -> None:
    write(session_factory)
    truncate_to(engine, session_factory, 7)
    result = verify(session_factory)
    assert not result.ok
    assert (result.entries, result.last_seq, result.broken_at) == (7, 7, 8)
    assert result.reason == (
        "the journal head (entry 7) is not signed with the journal key:"
        " it was moved or rewritten outside corridor"
    )


def test_a_journal_rechained_without_the_key_is_reported_at_its_first_entry(
    engine: Engine, session_factory: Factory
) -> None:
    write(session_factory)
    rechain(engine, session_factory, None)
    result = verify(session_factory)
    assert (result.ok, result.broken_at, result.entries) == (False, 1, 0)
    assert result.reason == "entry 1 was hashed without the journal key"
    # Declaring the whole chain written before the key does not help: the head that
    # says so is not signed.
    sql(engine, "UPDATE journal_head SET unkeyed_until = 10, signature = NULL")
    result = verify(session_factory)
    assert (result.ok, result.broken_at) == (False, 11)
    assert "the journal head is not signed" in result.reason
    sql(engine, "UPDATE journal_head SET signature = :s", s="0" * 64)
    assert verify(session_factory).reason == (
        "the journal head (entry 10) is not signed with the journal key:"
        " it was moved or rewritten outside corridor"
    )


def test_a_journal_rechained_with_another_key_is_reported_at_its_first_entry(
    engine: Engine, session_factory: Factory
) -> None:
    write(session_factory)
    rechain(engine, session_factory, WRONG_KEY)
    result = verify(session_factory)
    assert (result.ok, result.broken_at) == (False, 1)
    assert result.reason == "entry 1 was altered after it was written"


def test_a_missing_head_is_reported_not_raised(engine: Engine, session_factory: Factory) -> None:
    write(session_factory, 3)
    sql(engine, "DELETE FROM journal_head")
    for emptied in (False, True):
        if emptied:
            sql(engine, "DELETE FROM journal")
        result = verify(session_factory)
        assert (result.ok, result.broken_at, result.reason) == (
            False,
            1,
            "the journal head is missing",
        )
        with UnitOfWork(session_factory) as uow:
            _, checkpoint = journal_service.checkpoint(uow=uow)
        assert checkpoint is None


def test_an_empty_journal_verifies_and_has_no_checkpoint(session_factory: Factory) -> None:
    assert verify(session_factory) == Verification(0, 0)
    with UnitOfWork(session_factory) as uow:
        result, checkpoint = journal_service.checkpoint(uow=uow)
    assert (result.ok, checkpoint) == (True, None)


def test_checkpoints_hold_while_the_journal_grows(session_factory: Factory) -> None:
    write(session_factory, 4)
    first = checkpoint_line(session_factory)
    write(session_factory, 3, start=5)
    second = checkpoint_line(session_factory)
    assert first.startswith('{"seq": 4, "hash": ')
    checked = check(session_factory, first, "", second)
    assert (checked.ok, checked.checkpoints) == (True, 2)
    assert checked.latest is not None
    assert checked.latest.seq == 7


def test_a_head_moved_back_to_a_copy_of_itself_is_shown_by_a_checkpoint(
    engine: Engine, session_factory: Factory
) -> None:
    """The attack no signature in the database can show: the head row copied when the
    journal ended at entry 7 (e.g. from a backup) is put back after entries 8 to 10 are
    deleted. Only a checkpoint taken after entry 10 proves they existed."""
    write(session_factory, 7)
    copied = head_row(engine)
    write(session_factory, 3, start=8)
    line = checkpoint_line(session_factory)
    sql(engine, "DELETE FROM journal WHERE seq > 7")
    sql(
        engine,
        "UPDATE journal_head SET seq = :seq, hash = :h, signature = :s",
        seq=copied["seq"],
        h=copied["hash"],
        s=copied["signature"],
    )
    assert verify(session_factory).ok  # the chain itself cannot tell
    checked = check(session_factory, line)
    assert (checked.ok, checked.failed_line, checked.checkpoints) == (False, 1, 0)
    assert checked.reason.endswith(
        "names entry 10, but the journal ends at entry 7: entries 8 to 10 were removed"
    )


def test_a_forged_checkpoint_is_refused(engine: Engine, session_factory: Factory) -> None:
    write(session_factory, 5)
    genuine = checkpoint_line(session_factory)
    forged = genuine.replace('"seq": 5', '"seq": 3').replace(
        stored(session_factory, 5).hash, stored(session_factory, 3).hash
    )
    checked = check(session_factory, genuine, forged)
    assert (checked.ok, checked.failed_line, checked.checkpoints) == (False, 2, 1)
    assert checked.reason == (
        "the checkpoint on line 2 is not signed with the journal key"
        " (forged, altered, or from another installation)"
    )
    for line, reason in (
        ("not json", "line 1 is not a checkpoint: not JSON"),
        ('{"seq": 1}', "line 1 is not a checkpoint: not an object of exactly seq, hash, at and"),
        (genuine.replace('"seq": 5', '"seq": true'), "line 1 is not a checkpoint: seq is not"),
    ):
        refused = check(session_factory, line)
        assert (refused.ok, refused.failed_line) == (False, 1)
        assert refused.reason.startswith(reason), refused.reason
    assert check(session_factory).reason == "there is no checkpoint to compare"


def test_a_checkpoint_of_a_rewritten_chain_does_not_hold(
    engine: Engine, session_factory: Factory
) -> None:
    """Someone with the key (inside corridor's trust) rewrites history: the chain verifies
    again, but a checkpoint taken before still names the old entry."""
    write(session_factory, 5)
    line = checkpoint_line(session_factory)
    sql(engine, "UPDATE journal SET actor = 'mallory' WHERE seq = 2")
    rechain(engine, session_factory, journal_service.journal_key())
    with UnitOfWork(session_factory) as uow:
        head = uow.session.execute(text("SELECT seq, hash, unkeyed_until FROM journal_head")).one()
    signature = journal_service.head_signature(
        key=journal_service.journal_key(), seq=head.seq, hash=head.hash, unkeyed_until=0
    )
    sql(engine, "UPDATE journal_head SET signature = :s", s=signature)
    assert verify(session_factory).ok
    checked = check(session_factory, line)
    assert not checked.ok
    assert checked.reason.startswith("entry 5 is not the entry checkpointed on line 1")


def test_a_journal_written_before_the_key_is_checked_unkeyed_and_sealed_by_the_next_entry(
    tmp_path: Path,
) -> None:
    """An installation upgraded from the unkeyed chain: the migration marks its entries as
    unkeyed (they cannot be re-hashed: the database has no key), verification says the
    head is not signed until the next entry, which covers them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    factory = make_session_factory(engine)
    upgrade(engine, "0006")
    previous = journal_service.GENESIS
    entries = []
    for seq in (1, 2, 3):
        content: dict[str, Any] = {
            "seq": seq,
            "at": datetime(2026, 1, seq, tzinfo=UTC),
            "actor": "admin",
            "action": "user.create",
            "object_type": "user",
            "object_id": f"user{seq}",
            "before": None,
            "after": {"n": seq},
            "confidential": False,
        }
        digest = journal_service.entry_hash(key=None, prev_hash=previous, **content)
        entries.append({**content, "prev_hash": previous, "hash": digest})
        previous = digest
    with factory() as session:
        session.add_all(JournalEntryRow(**entry) for entry in entries)
        session.execute(text("UPDATE journal_head SET seq = 3, hash = :h"), {"h": previous})
        session.commit()
    upgrade(engine)
    assert head_row(engine)["unkeyed_until"] == 3
    result = verify(factory)
    assert (result.ok, result.entries, result.broken_at) == (False, 3, 4)
    assert result.reason == (
        "the journal head is not signed: entries 1 to 3 were written before the journal"
        " was keyed; the next entry signs them"
    )
    write(factory, 1, start=4)
    assert verify(factory) == Verification(4, 4)
    # The unkeyed entries are now covered by the keyed one after them.
    rechain(engine, factory, None)
    assert verify(factory).reason == "entry 4 was hashed without the journal key"
    engine.dispose()


@pytest.mark.parametrize("seq", [1, 3])
def test_an_unkeyed_entry_rewritten_consistently_breaks_the_first_keyed_link(
    tmp_path: Path, seq: int
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    factory = make_session_factory(engine)
    upgrade(engine)
    write(factory, 3)
    rechain(engine, factory, None)  # as the unkeyed journal wrote them
    sql(engine, "UPDATE journal_head SET unkeyed_until = 3, signature = NULL")
    write(factory, 2, start=4)
    assert verify(factory).ok
    sql(engine, "UPDATE journal SET actor = 'mallory' WHERE seq = :seq", seq=seq)
    assert verify(factory).reason == f"entry {seq} was altered after it was written"
    # Re-hashed with the (public) unkeyed function: consistent up to entry 3, but the
    # keyed entry after them covers the old hash and cannot be recomputed without the key.
    rechain(engine, factory, None, upto=3)
    result = verify(factory)
    assert (result.broken_at, result.reason) == (4, "entry 4 does not link to entry 3")
    engine.dispose()
