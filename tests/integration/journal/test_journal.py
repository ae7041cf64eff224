"""The journal's hash chain: it verifies, tampering with the stored rows is reported at
the right entry, concurrent appends never fork it, and entries are searchable.

Tampering is done as an attacker with database access would: raw SQL on the
engine, bypassing the application. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import JournalEntryRow
from corridor.db.types import JsonDocument, UtcDateTime
from corridor.db.uow import UnitOfWork
from corridor.errors import InvalidInput
from corridor.journal import service as journal_service
from corridor.journal.service import Verification

Factory = sessionmaker[Session]
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ZONE = timezone(timedelta(hours=5))


def write(factory: Factory, count: int = 10, *, start: int = 1) -> None:
    """``count`` entries, each in its own transaction, one minute apart from T0."""
    for n in range(start, start + count):
        with UnitOfWork(factory) as uow:
            journal_service.record(
                uow.session,
                actor=f"user{n % 3}",
                action="profile.edit" if n % 2 else "list.new_version",
                object_type="profile" if n % 2 else "list",
                object_id=f"OBJ-{n}",
                before={"n": n - 1},
                after={"n": n, "rate": Decimal("1.5"), "when": T0},
                confidential=n % 5 == 0,
                at=T0 + timedelta(minutes=n),
            )
            uow.commit()


def verify(factory: Factory) -> Verification:
    with UnitOfWork(factory) as uow:
        return journal_service.verify(uow=uow)


def stored(factory: Factory, seq: int) -> JournalEntryRow:
    with UnitOfWork(factory) as uow:
        row = uow.session.get(JournalEntryRow, seq)
        assert row is not None
        uow.session.expunge(row)
        return row


def sql(engine: Engine, statement: str, **params: Any) -> None:
    """Raw SQL, committed: what someone with write access to the database can do.

    Only the bind types are the application's (JSON as JSONB or text, instants in
    UTC) so that the same statement is valid on both databases.
    """
    types = {"before_doc": JsonDocument, "after_doc": JsonDocument, "at": UtcDateTime()}
    query = text(statement).bindparams(
        *(bindparam(name, type_=kind) for name, kind in types.items() if name in params)
    )
    with engine.begin() as connection:
        connection.execute(query, params)


def test_a_fresh_journal_and_recorded_entries_verify(session_factory: Factory) -> None:
    empty = verify(session_factory)
    assert (empty.ok, empty.entries, empty.last_seq, empty.broken_at) == (True, 0, 0, None)
    write(session_factory)
    result = verify(session_factory)
    assert (result.ok, result.entries, result.last_seq, result.reason) == (True, 10, 10, "")
    first, second = stored(session_factory, 1), stored(session_factory, 2)
    assert first.prev_hash == journal_service.GENESIS
    assert second.prev_hash == first.hash
    # Values are stored JSON-ready: decimals and instants as text.
    assert first.after == {"n": 1, "rate": "1.5", "when": "2026-03-01T08:00:00+00:00"}


def test_an_entry_rolled_back_with_its_change_leaves_no_trace(session_factory: Factory) -> None:
    with UnitOfWork(session_factory) as uow:
        journal_service.record(uow.session, actor="a", action="x.y", object_type="x", object_id="1")
    write(session_factory, 1)
    assert stored(session_factory, 1).actor == "user1"
    assert verify(session_factory).ok


# --------------------------------------------------------------------------- tampering


def test_an_edited_entry_is_reported_and_restoring_it_heals(
    engine: Engine, session_factory: Factory
) -> None:
    write(session_factory)
    original = stored(session_factory, 4)

    sql(engine, "UPDATE journal SET actor = 'mallory' WHERE seq = 4")
    result = verify(session_factory)
    assert (result.ok, result.broken_at) == (False, 4)
    assert (result.entries, result.last_seq) == (3, 3)
    assert result.reason == "entry 4 was altered after it was written"
    sql(engine, "UPDATE journal SET actor = :actor WHERE seq = 4", actor=original.actor)
    assert verify(session_factory).ok

    sql(
        engine,
        'UPDATE journal SET "after" = :after_doc WHERE seq = 4',
        after_doc={**original.after, "rate": "0.5"},
    )
    assert verify(session_factory).broken_at == 4
    sql(engine, 'UPDATE journal SET "after" = :after_doc WHERE seq = 4', after_doc=original.after)
    assert verify(session_factory).ok

    for statement in (
        "UPDATE journal SET confidential = NOT confidential WHERE seq = 4",
        "UPDATE journal SET object_id = 'OBJ-99' WHERE seq = 4",
    ):
        sql(engine, statement)
        assert verify(session_factory).broken_at == 4, statement
    sql(
        engine,
        "UPDATE journal SET confidential = :c, object_id = :o WHERE seq = 4",
        c=original.confidential,
        o=original.object_id,
    )
    assert verify(session_factory).ok


def _delete_middle(engine: Engine, factory: Factory) -> None:
    sql(engine, "DELETE FROM journal WHERE seq = 5")


def _delete_newest(engine: Engine, factory: Factory) -> None:
    sql(engine, "DELETE FROM journal WHERE seq = 10")


def _delete_the_first(engine: Engine, factory: Factory) -> None:
    sql(engine, "DELETE FROM journal WHERE seq = 1")


def _rewrite_with_recomputed_hash(seq: int) -> Callable[[Engine, Factory], None]:
    """An attacker who knows the algorithm and the journal key: the entry is consistent
    with itself again."""

    def tamper(engine: Engine, factory: Factory) -> None:
        row = stored(factory, seq)
        forged_hash = journal_service.entry_hash(
            key=journal_service.journal_key(),
            prev_hash=row.prev_hash,
            seq=row.seq,
            at=row.at,
            actor="mallory",
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=row.before,
            after=row.after,
            confidential=row.confidential,
        )
        sql(
            engine,
            "UPDATE journal SET actor = 'mallory', hash = :h WHERE seq = :seq",
            h=forged_hash,
            seq=seq,
        )

    return tamper


def _append_without_the_head(engine: Engine, factory: Factory) -> None:
    """A forged entry, correctly chained and hashed (with the key), inserted after the last
    one."""
    last = stored(factory, 10)
    at = datetime.now(UTC).replace(microsecond=0)
    content: dict[str, Any] = {
        "seq": 11,
        "at": at,
        "actor": "mallory",
        "action": "profile.approve",
        "object_type": "profile",
        "object_id": "NAT-1/1",
        "before": None,
        "after": {"status": "approved"},
        "confidential": False,
    }
    forged_hash = journal_service.entry_hash(
        key=journal_service.journal_key(), prev_hash=last.hash, **content
    )
    sql(
        engine,
        "INSERT INTO journal (seq, at, actor, action, object_type, object_id, "
        '"before", "after", confidential, prev_hash, hash) VALUES (:seq, :at, :actor, '
        ":action, :object_type, :object_id, :before_doc, :after_doc, :confidential, "
        ":prev_hash, :hash)",
        **{k: v for k, v in content.items() if k not in ("before", "after")},
        before_doc=None,
        after_doc=content["after"],
        prev_hash=last.hash,
        hash=forged_hash,
    )


def _relink(engine: Engine, factory: Factory) -> None:
    """Entry 6 pointed at another hash (e.g. to splice in a different history)."""
    sql(engine, "UPDATE journal SET prev_hash = :h WHERE seq = 6", h="f" * 64)


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason"),
    [
        pytest.param(_delete_middle, 5, "entry 5 is missing (next is 6)", id="delete-middle"),
        pytest.param(_delete_the_first, 1, "entry 1 is missing (next is 2)", id="delete-first"),
        pytest.param(
            _delete_newest, 10, "entries 10 to 10 are missing (the newest)", id="delete-newest"
        ),
        pytest.param(
            _rewrite_with_recomputed_hash(4),
            5,
            "entry 5 does not link to entry 4",
            id="rewrite-and-rehash",
        ),
        pytest.param(
            _rewrite_with_recomputed_hash(10),
            10,
            "entry 10 is not the entry the journal head recorded",
            id="rewrite-and-rehash-the-newest",
        ),
        pytest.param(
            _append_without_the_head,
            11,
            "entries 11 to 11 are not in the journal head (entry 10):"
            " they were inserted without it",
            id="insert-at-the-end",
        ),
        pytest.param(_relink, 6, "entry 6 does not link to entry 5", id="relink"),
    ],
)
def test_tampering_is_reported_at_the_first_entry_that_does_not_hold(
    engine: Engine,
    session_factory: Factory,
    tamper: Callable[[Engine, Factory], None],
    broken_at: int,
    reason: str,
) -> None:
    write(session_factory)
    assert verify(session_factory).ok
    tamper(engine, session_factory)
    result = verify(session_factory)
    assert not result.ok
    assert (result.broken_at, result.reason) == (broken_at, reason)
    # Everything before the break holds; the count says how much.
    assert result.entries == result.last_seq == broken_at - 1


# --------------------------------------------------------------------------- concurrency


def _append_with_retries(factory: Factory, actor: str, n: int) -> None:
    # SQLite allows one writer; a writer that cannot get the lock in time is told
    # "database is locked" and simply tries again. The service does not retry: a
    # use case decides itself whether its whole transaction may be repeated.
    for attempt in range(50):
        try:
            with UnitOfWork(factory) as uow:
                journal_service.record(
                    uow.session,
                    actor=actor,
                    action="test.append",
                    object_type="test",
                    object_id=f"{actor}/{n}",
                    after={"n": n},
                )
                uow.commit()
            return
        except OperationalError as exc:
            if "database is locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.01 * (attempt + 1))


def test_concurrent_appends_leave_one_unbroken_chain(session_factory: Factory) -> None:
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def appender(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                _append_with_retries(session_factory, f"worker{worker}", n)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    workers = [threading.Thread(target=appender, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not failures, failures
    result = verify(session_factory)
    assert (result.ok, result.entries, result.last_seq) == (True, 200, 200), result.reason
    with UnitOfWork(session_factory) as uow:
        rows = list(uow.session.execute(select(JournalEntryRow.seq, JournalEntryRow.object_id)))
    assert sorted(seq for seq, _ in rows) == list(range(1, 201))
    # Each worker's own appends are in its order, and none is lost or doubled.
    by_worker: dict[str, list[tuple[int, int]]] = {}
    for seq, object_id in rows:
        actor, n = object_id.split("/")
        by_worker.setdefault(actor, []).append((seq, int(n)))
    assert len(by_worker) == threads
    for appended in by_worker.values():
        assert [n for _, n in sorted(appended)] == list(range(per_thread))


def test_verifying_while_others_append_raises_no_false_alarm(
    engine: Engine, session_factory: Factory
) -> None:
    """An append commits just before each of the verifier's reads of the journal.

    Had the verifier read the head only after walking the entries, the append
    committed between the two would look like deleted newest entries.
    """
    write(session_factory, 5)
    verifier = threading.get_ident()
    appended: list[int] = []

    def append_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        reads_journal = statement.lstrip().upper().startswith("SELECT") and "journal" in statement
        if reads_journal and threading.get_ident() == verifier and len(appended) < 5:
            appended.append(len(appended))
            # Another connection, committed at once; this thread waits for it.
            worker = threading.Thread(
                target=write, args=(session_factory, 1), kwargs={"start": 100 + len(appended)}
            )
            worker.start()
            worker.join()

    event.listen(engine, "before_cursor_execute", append_first)
    try:
        result = verify(session_factory)
    finally:
        event.remove(engine, "before_cursor_execute", append_first)
    assert appended, "the verifier read nothing"
    assert result.ok, result.reason
    assert verify(session_factory).ok


# --------------------------------------------------------------------------- search


def page(factory: Factory, **query: Any) -> Any:
    query.setdefault("include_confidential", True)
    query.setdefault("cursor", None)
    query.setdefault("limit", 100)
    with UnitOfWork(factory) as uow:
        return journal_service.entries(uow=uow, **query)


def seqs(factory: Factory, **query: Any) -> list[int]:
    return [entry.seq for entry in page(factory, **query).items]


def test_entries_are_filtered_newest_first(session_factory: Factory) -> None:
    write(session_factory)
    assert seqs(session_factory) == list(range(10, 0, -1))
    assert seqs(session_factory, actor="user1") == [10, 7, 4, 1]
    assert seqs(session_factory, action="list.new_version") == [10, 8, 6, 4, 2]
    assert seqs(session_factory, object_type="profile") == [9, 7, 5, 3, 1]
    assert seqs(session_factory, object_type="profile", object_id="OBJ-3") == [3]
    assert seqs(session_factory, object_id="nothing") == []
    # since inclusive, until exclusive; any time zone.
    assert seqs(
        session_factory,
        since=T0 + timedelta(minutes=3),
        until=(T0 + timedelta(minutes=6)).astimezone(ZONE),
    ) == [5, 4, 3]
    entry = page(session_factory, object_id="OBJ-2").items[0]
    assert (entry.actor, entry.action, entry.object_type) == ("user2", "list.new_version", "list")
    assert (entry.before, entry.after["n"], entry.at) == ({"n": 1}, 2, T0 + timedelta(minutes=2))
    assert entry.hash == stored(session_factory, 2).hash
    assert entry.prev_hash == stored(session_factory, 1).hash


def test_entries_page_by_cursor(session_factory: Factory) -> None:
    write(session_factory)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        result = page(session_factory, limit=3, cursor=cursor)
        seen += [entry.seq for entry in result.items]
        pages += 1
        cursor = result.next_cursor
        if cursor is None:
            break
    assert pages == 4
    assert seen == list(range(10, 0, -1))
    # A page that ends exactly at the last entry says there is no next one.
    assert page(session_factory, limit=10).next_cursor is None
    assert page(session_factory, limit=5, cursor="6").next_cursor is None
    # Filters hold across pages.
    first = page(session_factory, actor="user1", limit=2)
    assert [e.seq for e in first.items] == [10, 7]
    second = page(session_factory, actor="user1", limit=2, cursor=first.next_cursor)
    assert [e.seq for e in second.items] == [4, 1]
    assert second.next_cursor is None


def test_confidential_entries_are_left_out_unless_asked(session_factory: Factory) -> None:
    write(session_factory)
    assert seqs(session_factory, include_confidential=False) == [9, 8, 7, 6, 4, 3, 2, 1]
    assert 5 in seqs(session_factory, include_confidential=True)
    assert seqs(session_factory, include_confidential=False, object_id="OBJ-5") == []
    hidden = page(session_factory, include_confidential=False, limit=4)
    assert [e.seq for e in hidden.items] == [9, 8, 7, 6]
    rest = page(session_factory, include_confidential=False, limit=4, cursor=hidden.next_cursor)
    assert [e.seq for e in rest.items] == [4, 3, 2, 1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"cursor": "٣"}, "cursor"),  # a digit, but not an ASCII one
        ({"cursor": "1" * 19}, "cursor"),  # beyond a BIGINT
        ({"cursor": ""}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"since": datetime(2026, 3, 1)}, "since"),
        ({"until": datetime(2026, 3, 1)}, "until"),
    ],
)
def test_a_malformed_query_names_the_field(
    session_factory: Factory, query: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        page(session_factory, **query)
    assert [error.loc for error in caught.value.errors] == [(field,)]
