"""Appending to the journal, reading it, and verifying its hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
own content (sequence, time, actor, action, object, before, after,
confidentiality) in canonical JSON. Editing an entry breaks its own hash;
deleting one breaks the sequence and the next entry's link; deleting the
newest entries leaves the head row pointing past the end. :func:`verify`
reports the first entry where any of this shows.

Entries are written in the caller's transaction: the change and its journal
entry are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.journal import repository

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """A JSON-ready copy: decimals, dates and other values become strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    confidential: bool,
) -> str:
    """The chained hash of one entry's content."""
    content = {
        "seq": seq,
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "confidential": confidential,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode()).hexdigest()


def _hash_of(entry: JournalEntryRow, prev_hash: str) -> str:
    return entry_hash(
        prev_hash=prev_hash,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        confidential=entry.confidential,
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
    confidential: bool = False,
    at: datetime | None = None,
) -> JournalEntryRow:
    """Append one change of state in the caller's transaction; returns the stored entry.

    ``before``/``after`` are the object's state (JSON-ready after conversion:
    decimals and times become strings); None where there was none.
    """
    at = (at or datetime.now(UTC)).astimezone(UTC)
    seq, prev_hash = repository.claim_next(session)
    entry = JournalEntryRow(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_plain(before),
        after=_plain(after),
        confidential=confidential,
        prev_hash=prev_hash,
    )
    entry.hash = _hash_of(entry, prev_hash)
    repository.append(session, entry)
    return entry


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of walking the chain: ``broken_at`` is None when it holds."""

    entries: int
    last_seq: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether the whole chain holds."""
        return self.broken_at is None


def verify(*, uow: UnitOfWork) -> Verification:
    """Walk the chain from the first entry; report the first one that does not hold."""
    session = uow.session
    previous_seq, previous_hash, count = 0, GENESIS, 0
    for entry in repository.in_order(session):
        expected = previous_seq + 1
        if entry.seq != expected:
            return Verification(
                count, previous_seq, expected, f"entry {expected} is missing (next is {entry.seq})"
            )
        if entry.prev_hash != previous_hash:
            return Verification(
                count,
                previous_seq,
                entry.seq,
                f"entry {entry.seq} does not link to entry {previous_seq}",
            )
        if _hash_of(entry, previous_hash) != entry.hash:
            reason = f"entry {entry.seq} was altered after it was written"
            return Verification(count, previous_seq, entry.seq, reason)
        previous_seq, previous_hash, count = entry.seq, entry.hash, count + 1
    head_seq, head_hash = repository.head(session)
    if head_seq != previous_seq or head_hash != previous_hash:
        if head_seq > previous_seq:
            reason = f"entries {previous_seq + 1} to {head_seq} are missing (the newest)"
        else:
            reason = f"the journal head (entry {head_seq}) does not match the last entry"
        return Verification(count, previous_seq, previous_seq + 1, reason)
    return Verification(count, previous_seq)
