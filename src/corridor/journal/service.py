"""Appending to the journal, reading it, and verifying its hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
own content (sequence, time, actor, action, object, before, after,
confidentiality) in canonical JSON. Editing an entry breaks its own hash;
deleting one breaks the sequence and the next entry's link; deleting the
newest entries leaves the head row pointing past the end; an entry added at
the end without moving the head lies beyond it. :func:`verify` reports the
first entry where any of this shows.

Entries are written in the caller's transaction: the change and its journal
entry are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.errors import FieldError, InvalidInput
from corridor.journal import repository
from corridor.journal.schemas import JournalEntryRead, JournalPage

GENESIS = "0" * 64
#: The largest page :func:`entries` returns.
MAX_PAGE = 500
# A cursor is the sequence number of the last entry of the previous page. ASCII digits
# only (str.isdigit would take other scripts' digits) and few enough to fit a BIGINT.
_CURSOR = re.compile(r"[0-9]{1,18}")


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
    # The change itself is written first, so that the journal's head is the last lock
    # the transaction takes: it is held until commit and every journalled write queues
    # on it, so taking it last keeps that queue short and the lock order the same in
    # every use case (rows, then the head), which keeps them from deadlocking.
    session.flush()
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
    """Walk the chain from the first entry; report the first one that does not hold.

    Safe while others append: the head is read before the walk (every entry up
    to it was committed with it, so must be there) and again after it (an entry
    the walk saw was committed with a head at least that far, so one beyond the
    second reading was inserted without moving the head: forged). Reading the
    head only after the walk would take an append committed in between for
    deleted entries.
    """
    session = uow.session
    head_seq, head_hash = repository.head(session)
    previous_seq, previous_hash, count = 0, GENESIS, 0
    # Hashes of the entries from the head (as first read) on: its own, later appends'.
    hashes: dict[int, str] = {}
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
        if entry.seq >= head_seq:
            hashes[entry.seq] = entry.hash
        previous_seq, previous_hash, count = entry.seq, entry.hash, count + 1
    if previous_seq < head_seq:
        reason = f"entries {previous_seq + 1} to {head_seq} are missing (the newest)"
        return Verification(count, previous_seq, previous_seq + 1, reason)
    if head_seq > 0 and hashes[head_seq] != head_hash:
        # An entry rewritten with a recomputed hash shows here when none follows it.
        return _not_recorded(head_seq)
    if previous_seq > head_seq:
        head_seq, head_hash = repository.head(session)
        if previous_seq > head_seq:
            reason = (
                f"entries {head_seq + 1} to {previous_seq} are not in the journal head"
                f" (entry {head_seq}): they were inserted without it"
            )
            return Verification(head_seq, head_seq, head_seq + 1, reason)
        # (A head now beyond the walk names appends committed since: nothing to compare.)
        if head_seq <= previous_seq and hashes[head_seq] != head_hash:
            return _not_recorded(head_seq)
    return Verification(count, previous_seq)


def _not_recorded(seq: int) -> Verification:
    # Entries before ``seq`` hold (the walk reached it); seqs have no gaps, so seq-1 of them.
    reason = f"entry {seq} is not the entry the journal head recorded"
    return Verification(seq - 1, seq - 1, seq, reason)


def entries(
    *,
    uow: UnitOfWork,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_confidential: bool,
    cursor: str | None,
    limit: int,
) -> JournalPage:
    """A page of entries matching the filters, newest first.

    ``since`` is inclusive, ``until`` exclusive; both must carry a time zone.
    Confidential entries are left out unless ``include_confidential``. Raises
    InvalidInput naming the field for a malformed cursor, a limit outside
    1..MAX_PAGE or a time without a zone.
    """
    errors = []
    if not 1 <= limit <= MAX_PAGE:
        errors.append(FieldError(("limit",), f"must be between 1 and {MAX_PAGE}"))
    if cursor is not None and not _CURSOR.fullmatch(cursor):
        errors.append(FieldError(("cursor",), "not a cursor returned by this API"))
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.utcoffset() is None:
            errors.append(FieldError((name,), "needs a time zone (ISO 8601, e.g. …Z or +02:00)"))
    if errors:
        raise InvalidInput("invalid journal query", errors)
    rows = list(
        uow.session.scalars(
            repository.search(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                since=since,
                until=until,
                include_confidential=include_confidential,
                before_seq=None if cursor is None else int(cursor),
                # One more than asked tells whether another page follows.
                limit=limit + 1,
            )
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return JournalPage(
        items=[JournalEntryRead.model_validate(row) for row in rows],
        next_cursor=str(rows[-1].seq) if has_more and rows else None,
    )


def entry(*, uow: UnitOfWork, seq: int) -> JournalEntryRead | None:
    """The entry stored at ``seq``, confidential or not; None if there is none."""
    row = uow.session.get(JournalEntryRow, seq)
    return None if row is None else JournalEntryRead.model_validate(row)


#: What stands in for a profile's criteria and rationale for a reader not cleared for them.
HIDDEN = "(confidential)"


def without_criteria(entry: JournalEntryRead) -> JournalEntryRead:
    """A profile's entry without its criteria and rationale, for a reader not cleared for
    them (the hash still covers them); other entries unchanged."""
    if entry.object_type != "profile":
        return entry

    def hidden(state: Any) -> Any:
        if not isinstance(state, dict):
            return state
        return {k: HIDDEN if k in ("criteria", "rationale") else v for k, v in state.items()}

    return entry.model_copy(update={"before": hidden(entry.before), "after": hidden(entry.after)})
