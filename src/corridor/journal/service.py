"""Appending to the journal, reading it, and verifying its hash chain and checkpoints.

Each entry's hash is HMAC-SHA256 under the journal key (``CORRIDOR_JOURNAL_KEY``,
from the environment, never stored in the database) over the previous entry's
hash and the entry's own content (sequence, time, actor, action, object, before,
after, confidentiality) in canonical JSON. Editing an entry breaks its own hash,
and without the key no one can compute a new one; deleting one breaks the
sequence and the next entry's link; deleting the newest entries leaves the head
row pointing past the end, and moving the head back breaks its signature (also
keyed); an entry added at the end without moving the head lies beyond it.
:func:`verify` reports the first entry where any of this shows.

Entries written before the chain was keyed (up to the head's ``unkeyed_until``)
are checked with plain SHA-256: they are protected by the first keyed entry
after them, which covers their last hash.

A checkpoint (:func:`checkpoint`) is the verified head — sequence, hash, time —
signed with the key, for a store outside the database; :func:`check_checkpoints`
proves that each one is still a prefix of the chain, which is what shows the
newest entries deleted together with a head moved back to a state copied before.

Entries are written in the caller's transaction: the change and its journal
entry are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from corridor.config import Settings
from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork, now_of
from corridor.errors import N_, DatabaseNotReady, FieldError, InvalidInput
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


@lru_cache(maxsize=1)
def journal_key() -> bytes:
    """The journal key of this process (``CORRIDOR_JOURNAL_KEY``, read once from the
    environment); ConfigurationError in production when it is unset, the development
    default or short."""
    # Its own reading of the environment, not get_settings(): a use case run before a
    # command has read its settings must not fix them (the tests run commands in-process).
    return Settings().journal_secret()


def entry_hash(
    *,
    key: bytes | None,
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
    """The chained hash of one entry's content: HMAC-SHA256 under ``key``, or plain
    SHA-256 when ``key`` is None (entries written before the chain was keyed)."""
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
    message = (prev_hash + "\n" + canonical).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_signature(*, key: bytes, seq: int, hash: str, unkeyed_until: int) -> str:
    """The signature of the head row: HMAC-SHA256 under ``key`` of what it records."""
    message = f"corridor journal head\n{seq}\n{hash}\n{unkeyed_until}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _hash_of(entry: JournalEntryRow, prev_hash: str, key: bytes | None) -> str:
    return entry_hash(
        key=key,
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
    decimals and times become strings); None where there was none. ``at``: the moment
    of the change, by default that of the unit of work that owns ``session``.
    """
    at = (at or now_of(session)).astimezone(UTC)
    # The change itself is written first, so that the journal's head is the last lock
    # the transaction takes: it is held until commit and every journalled write queues
    # on it, so taking it last keeps that queue short and the lock order the same in
    # every use case (rows, then the head), which keeps them from deadlocking.
    session.flush()
    key = journal_key()
    claimed = repository.claim_next(session)
    if claimed is None:
        raise DatabaseNotReady(
            N_(
                "the journal head is missing (deleted outside corridor); "
                "`corridor journal verify` reports the journal's state"
            )
        )
    seq, prev_hash, unkeyed_until = claimed
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
    entry.hash = _hash_of(entry, prev_hash, key)
    signature = head_signature(key=key, seq=seq, hash=entry.hash, unkeyed_until=unkeyed_until)
    repository.append(session, entry, signature)
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

    Entries up to the head's ``unkeyed_until`` are checked with plain SHA-256, the
    others with HMAC-SHA256 under the journal key; the head's signature must be the
    key's (a head moved back over deleted entries, or re-chained entries, show there).

    Safe while others append: the head is read before the walk (every entry up
    to it was committed with it, so must be there) and again after it (an entry
    the walk saw was committed with a head at least that far, so one beyond the
    second reading was inserted without moving the head: forged). Reading the
    head only after the walk would take an append committed in between for
    deleted entries.
    """
    key = journal_key()
    session = uow.session
    head = repository.head(session)
    if head is None:
        return Verification(0, 0, 1, "the journal head is missing")
    head_seq, head_hash = head.seq, head.hash
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
        keyed = entry.seq > head.unkeyed_until
        if _hash_of(entry, previous_hash, key if keyed else None) != entry.hash:
            reason = f"entry {entry.seq} was altered after it was written"
            if keyed and _hash_of(entry, previous_hash, None) == entry.hash:
                reason = f"entry {entry.seq} was hashed without the journal key"
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
    unsigned = _unsigned(head, key)
    if unsigned is not None:
        return unsigned
    if previous_seq > head_seq:
        later = repository.head(session)
        if later is None:
            return Verification(0, 0, 1, "the journal head is missing")
        head_seq, head_hash = later.seq, later.hash
        if previous_seq > head_seq:
            reason = (
                f"entries {head_seq + 1} to {previous_seq} are not in the journal head"
                f" (entry {head_seq}): they were inserted without it"
            )
            return Verification(head_seq, head_seq, head_seq + 1, reason)
        # (A head now beyond the walk names appends committed since: nothing to compare.)
        if head_seq <= previous_seq:
            if hashes[head_seq] != head_hash:
                return _not_recorded(head_seq)
            unsigned = _unsigned(later, key)
            if unsigned is not None:
                return unsigned
    return Verification(count, previous_seq)


def _unsigned(head: repository.Head, key: bytes) -> Verification | None:
    """Why the head's signature does not hold, as a verification; None when it holds.

    Entries up to the head hold (the walk checked them): the break is after it.
    """
    seq = head.seq
    if head.signature is None:
        if seq == 0:
            return None  # the genesis: nothing was ever appended
        if seq == head.unkeyed_until:
            reason = (
                f"the journal head is not signed: entries 1 to {seq} were written before the"
                " journal was keyed; the next entry signs them"
            )
            return Verification(seq, seq, seq + 1, reason)
    else:
        expected = head_signature(
            key=key, seq=seq, hash=head.hash, unkeyed_until=head.unkeyed_until
        )
        if hmac.compare_digest(expected, head.signature):
            return None
    reason = (
        f"the journal head (entry {seq}) is not signed with the journal key:"
        " it was moved or rewritten outside corridor"
    )
    return Verification(seq, seq, seq + 1, reason)


def _not_recorded(seq: int) -> Verification:
    # Entries before ``seq`` hold (the walk reached it); seqs have no gaps, so seq-1 of them.
    reason = f"entry {seq} is not the entry the journal head recorded"
    return Verification(seq - 1, seq - 1, seq, reason)


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified head, signed with the journal key, for a store outside the database.

    Its line (:meth:`line`) is one JSON object: ``seq``, ``hash``, ``at`` (UTC,
    ISO 8601 with microseconds and Z) and ``signature``, HMAC-SHA256 under the key
    of ``corridor journal checkpoint``, seq, hash and at, one per line.
    """

    seq: int
    hash: str
    at: str
    signature: str

    def line(self) -> str:
        """The checkpoint as one line of JSON (without the line break)."""
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "signature": self.signature}
        )


def checkpoint_signature(*, key: bytes, seq: int, hash: str, at: str) -> str:
    """The signature of a checkpoint: HMAC-SHA256 under ``key`` of what it records."""
    message = f"corridor journal checkpoint\n{seq}\n{hash}\n{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint(
    *, uow: UnitOfWork, at: datetime | None = None
) -> tuple[Verification, Checkpoint | None]:
    """Verify the chain and sign its last entry; the checkpoint is None when the chain
    does not hold (a broken chain is never certified) or the journal is empty."""
    result = verify(uow=uow)
    if not result.ok or result.last_seq == 0:
        return result, None
    row = uow.session.get(JournalEntryRow, result.last_seq)
    if row is None:  # deleted since the walk: verify again to say where
        return verify(uow=uow), None
    when = (at or uow.now).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    signature = checkpoint_signature(key=journal_key(), seq=row.seq, hash=row.hash, at=when)
    return result, Checkpoint(row.seq, row.hash, when, signature)


@dataclass(frozen=True, slots=True)
class CheckpointCheck:
    """The outcome of comparing checkpoints with the chain: ``failed_line`` (1-based)
    is None when every checkpoint is a prefix of it."""

    checkpoints: int
    latest: Checkpoint | None
    failed_line: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether every checkpoint holds (and there was at least one)."""
        return self.failed_line is None


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _parse_checkpoint(text: str) -> Checkpoint | str:
    """The checkpoint a line holds, or why it holds none."""
    try:
        data = json.loads(text)
    except ValueError:
        return "not JSON"
    if not isinstance(data, dict) or set(data) != {"seq", "hash", "at", "signature"}:
        return "not an object of exactly seq, hash, at and signature"
    seq, hash_, at, signature = data["seq"], data["hash"], data["at"], data["signature"]
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        return "seq is not a whole number from 1"
    for name, value in (("hash", hash_), ("signature", signature)):
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            return f"{name} is not 64 lower-case hexadecimal digits"
    if not isinstance(at, str):
        return "at is not a time"
    try:
        datetime.fromisoformat(at)
    except ValueError:
        return "at is not an ISO 8601 time"
    return Checkpoint(seq, hash_, at, signature)


def check_checkpoints(
    *, uow: UnitOfWork, lines: Iterable[str], verification: Verification
) -> CheckpointCheck:
    """Prove each checkpoint (one per line; blank lines skipped) is still a prefix of the
    chain that ``verification`` found to hold: signed with this key, its entry still
    there, with the same hash. Reports the first line that fails."""
    key = journal_key()
    count, latest = 0, None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        parsed = _parse_checkpoint(text)
        if isinstance(parsed, str):
            return CheckpointCheck(
                count, latest, number, f"line {number} is not a checkpoint: {parsed}"
            )
        expected = checkpoint_signature(key=key, seq=parsed.seq, hash=parsed.hash, at=parsed.at)
        if not hmac.compare_digest(expected, parsed.signature):
            reason = (
                f"the checkpoint on line {number} is not signed with the journal key"
                " (forged, altered, or from another installation)"
            )
            return CheckpointCheck(count, latest, number, reason)
        if parsed.seq > verification.last_seq:
            reason = (
                f"the checkpoint on line {number} ({parsed.at}) names entry {parsed.seq}, but"
                f" the journal ends at entry {verification.last_seq}: entries"
                f" {verification.last_seq + 1} to {parsed.seq} were removed"
            )
            return CheckpointCheck(count, latest, number, reason)
        row = uow.session.get(JournalEntryRow, parsed.seq)
        if row is None or row.hash != parsed.hash:
            reason = (
                f"entry {parsed.seq} is not the entry checkpointed on line {number}"
                f" ({parsed.at}): the journal was rewritten up to it"
            )
            return CheckpointCheck(count, latest, number, reason)
        count += 1
        if latest is None or parsed.seq >= latest.seq:
            latest = parsed
    if count == 0:
        return CheckpointCheck(0, None, 0, "there is no checkpoint to compare")
    return CheckpointCheck(count, latest)


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
        errors.append(FieldError(("limit",), N_("must be between 1 and %(most)s", most=MAX_PAGE)))
    if cursor is not None and not _CURSOR.fullmatch(cursor):
        errors.append(FieldError(("cursor",), N_("not a cursor returned by this API")))
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.utcoffset() is None:
            errors.append(
                FieldError((name,), N_("needs a time zone (ISO 8601, e.g. …Z or +02:00)"))
            )
    if errors:
        raise InvalidInput(N_("invalid journal query"), errors)
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
