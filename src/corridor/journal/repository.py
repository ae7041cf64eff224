"""Queries of the journal and its head (the only place they are built)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from corridor.db.tables import JournalEntryRow, JournalHeadRow

HEAD = "journal"


@dataclass(frozen=True, slots=True)
class Head:
    """The head row: the last entry's sequence and hash, where the unkeyed entries end,
    and the signature over all three (None at the genesis and before the first keyed
    entry)."""

    seq: int
    hash: str
    unkeyed_until: int
    signature: str | None


def claim_next(session: Session) -> tuple[int, str, int] | None:
    """Take the next sequence number; (it, the hash it must chain to, unkeyed_until),
    or None when the head row is missing.

    Updating the head row first takes its write lock (a row lock on PostgreSQL,
    the database write lock on SQLite), so concurrent writers queue here and
    each sees the entry its predecessor committed: the chain never forks.
    """
    row = session.execute(
        update(JournalHeadRow)
        .where(JournalHeadRow.name == HEAD)
        .values(seq=JournalHeadRow.seq + 1)
        .returning(JournalHeadRow.seq, JournalHeadRow.hash, JournalHeadRow.unkeyed_until)
    ).one_or_none()
    return None if row is None else (int(row.seq), str(row.hash), int(row.unkeyed_until))


def append(session: Session, entry: JournalEntryRow, signature: str) -> None:
    """Store an entry and move the head's hash and signature to it."""
    session.add(entry)
    session.flush()
    session.execute(
        update(JournalHeadRow)
        .where(JournalHeadRow.name == HEAD)
        .values(hash=entry.hash, signature=signature)
    )


def head(session: Session) -> Head | None:
    """The head row as stored; None when it is missing."""
    row = session.execute(
        select(
            JournalHeadRow.seq,
            JournalHeadRow.hash,
            JournalHeadRow.unkeyed_until,
            JournalHeadRow.signature,
        ).where(JournalHeadRow.name == HEAD)
    ).one_or_none()
    if row is None:
        return None
    return Head(int(row.seq), str(row.hash), int(row.unkeyed_until), row.signature)


def in_order(session: Session, batch: int = 1000) -> Iterator[JournalEntryRow]:
    """Every entry by sequence, fetched in batches."""
    after = -1
    while True:
        rows = list(
            session.scalars(
                select(JournalEntryRow)
                .where(JournalEntryRow.seq > after)
                .order_by(JournalEntryRow.seq)
                .limit(batch)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


def search(
    *,
    actor: str | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    since: datetime | None,
    until: datetime | None,
    include_confidential: bool,
    before_seq: int | None,
    limit: int,
) -> Select[JournalEntryRow]:
    """Entries matching the filters, newest first (keyset pagination by sequence)."""
    query = select(JournalEntryRow)
    if actor is not None:
        query = query.where(JournalEntryRow.actor == actor)
    if action is not None:
        query = query.where(JournalEntryRow.action == action)
    if object_type is not None:
        query = query.where(JournalEntryRow.object_type == object_type)
    if object_id is not None:
        query = query.where(JournalEntryRow.object_id == object_id)
    if since is not None:
        query = query.where(JournalEntryRow.at >= since)
    if until is not None:
        query = query.where(JournalEntryRow.at < until)
    if not include_confidential:
        query = query.where(JournalEntryRow.confidential.is_(False))
    if before_seq is not None:
        query = query.where(JournalEntryRow.seq < before_seq)
    return query.order_by(JournalEntryRow.seq.desc()).limit(limit)
