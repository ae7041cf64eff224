"""Use cases: the measures catalogue, named lists, risk profile versions and their lifecycle.

Lifecycle of a profile version::

    draft → submitted → approved → active ⇄ suspended → retired
      ↑         │ (reject)                   └──────────→ expired (validity ended)
      └─────────┘

* An approved, active, suspended, retired or expired version is never edited:
  editing makes a new draft version. A draft (or a submitted version, which
  returns to draft) is edited in place.
* Approval is by a different person than the author (four eyes); both names and
  times are recorded.
* Activating a version retires the profile's previously active or suspended version.
* Every change of state of a measure, list, profile or office parameters is
  journalled in the tamper-evident journal (:mod:`corridor.journal`) in the same
  transaction as the change: both are committed together or not at all. A
  refused change raises before anything is journalled. A profile version also
  keeps its own transitions (actor, time, from, to, comment).
* The journal entry is written last, after the generation is bumped: appending
  locks the journal's head until commit, and taking the locks in the same order
  in every use case (rows, the generation, the head) keeps them from deadlocking.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from corridor import rules
from corridor.accounts.roles import Action, Principal
from corridor.config import customs_day
from corridor.db.tables import (
    MeasureRow,
    OfficeParameterRow,
    ProfileVersionRow,
    ReferenceListRow,
    ReferenceListVersionRow,
)
from corridor.db.uow import UnitOfWork
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import declared_attributes
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import repository
from corridor.profiles.schemas import (
    CriteriaProblem,
    CriteriaResult,
    Intelligence,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    OfficeParametersIn,
    OfficeParametersRead,
    ProfileCreate,
    ProfileDraft,
    ProfileRead,
    ReferenceListCreate,
    ReferenceListEntries,
    ReferenceListRead,
    ReferenceListVersionRead,
    TransitionRead,
)
from corridor.text import refuse_control_characters

SYSTEM = "system"
#: The journal's actor of automatic expiry (the profile's transitions keep SYSTEM).
EXPIRY_ACTOR = "system:expiry"
EDITABLE = ("draft", "submitted")
IN_FORCE = ("active", "suspended")


def _now() -> datetime:
    return datetime.now(UTC)


def selection_changed(*, uow: UnitOfWork) -> None:
    """Tell every worker to rebuild its snapshot: something selection reads (reference
    prices) changed in this transaction. Call it before journalling (lock order)."""
    repository.bump_generation(uow.session)


# =========================================================================== measures


def list_measures(*, uow: UnitOfWork) -> list[MeasureRead]:
    """The measures catalogue."""
    return [MeasureRead.model_validate(row) for row in repository.measures(uow.session)]


def measures_in_use(*, uow: UnitOfWork) -> set[str]:
    """Codes of the measures some profile version applies (those cannot be deleted)."""
    return repository.measures_in_use(uow.session)


def create_measure(*, uow: UnitOfWork, measure_in: MeasureCreate, actor: str) -> MeasureRead:
    """Add a measure to the catalogue. Raises Conflict when the code exists."""
    if repository.measure(uow.session, measure_in.code) is not None:
        raise Conflict(f"measure {measure_in.code} already exists")
    now = _now()
    row = MeasureRow(**measure_in.model_dump(), updated_at=now, updated_by=actor)
    repository.add(uow.session, row)
    repository.bump_generation(uow.session)
    _journal_measure(uow, "measure.create", row.code, None, _measure_state(row), actor, now)
    return MeasureRead.model_validate(row)


def update_measure(
    *, uow: UnitOfWork, code: str, measure_in: MeasureUpdate, actor: str
) -> MeasureRead:
    """Change a measure's name, channel or description."""
    row = _measure_or_raise(uow, code)
    before = _measure_state(row)
    for name, value in measure_in.model_dump().items():
        setattr(row, name, value)
    now = _now()
    row.updated_at, row.updated_by = now, actor
    repository.bump_generation(uow.session)
    _journal_measure(uow, "measure.update", code, before, _measure_state(row), actor, now)
    return MeasureRead.model_validate(row)


def delete_measure(*, uow: UnitOfWork, code: str, actor: str) -> None:
    """Remove a measure nobody uses. Raises Conflict naming the profile versions using it."""
    row = _measure_or_raise(uow, code)
    users = repository.profile_versions_using_measure(uow.session, code)
    if users:
        raise Conflict(f"measure {code} is used by {', '.join(users[:10])}; it cannot be deleted")
    before = _measure_state(row)
    repository.delete(uow.session, row)
    repository.bump_generation(uow.session)  # the compiled set carries the catalogue
    _journal_measure(uow, "measure.delete", code, before, None, actor, _now())


def _measure_state(row: MeasureRow) -> dict[str, Any]:
    # updated_at/updated_by are left out: the journal entry's own time and actor say them.
    return {
        "code": row.code,
        "name": row.name,
        "channel": row.channel,
        "description": row.description,
    }


def _journal_measure(
    uow: UnitOfWork,
    action: str,
    code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: str,
    at: datetime,
) -> None:
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type="measure",
        object_id=code,
        before=before,
        after=after,
        at=at,
    )


def _measure_or_raise(uow: UnitOfWork, code: str) -> MeasureRow:
    row = repository.measure(uow.session, code)
    if row is None:
        raise NotFound(f"measure {code} does not exist")
    return row


# =========================================================================== lists


def named_lists(*, uow: UnitOfWork, confidential: bool) -> list[rules.NamedList]:
    """The current version of every list, as the criteria language takes them; the
    confidential ones only with ``confidential`` (for the engine and cleared authors)."""
    return [
        _named(head, version)
        for head, version in repository.current_list_versions(uow.session)
        if confidential or not head.confidential
    ]


def lists_read(criteria_json: Any) -> frozenset[str]:
    """The names of the lists a stored criterion reads (its ``in_list`` calls)."""
    found: set[str] = set()
    pending = [criteria_json]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("op") == "in_list" and isinstance(node.get("list"), str):
                found.add(node["list"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return frozenset(found)


#: Nothing hidden: what a role cleared for intelligence is hidden.
NOTHING_HIDDEN = Intelligence(lists=frozenset(), profiles=frozenset(), version_ids=frozenset())


def hidden_from(*, uow: UnitOfWork, principal: Principal) -> Intelligence:
    """The intelligence material ``principal`` may not know of (nothing when cleared)."""
    if principal.can(Action.INTELLIGENCE_READ):
        return NOTHING_HIDDEN
    return intelligence(uow=uow)


def intelligence(*, uow: UnitOfWork) -> Intelligence:
    """What is intelligence material now: the confidential lists, and the profile
    versions that are targets or read one of them (the edges hide both from roles
    without the intelligence clearance)."""
    confidential = repository.confidential_list_names(uow.session)
    versions = [
        (version_id, code, version)
        for version_id, code, version, kind, criteria_json in repository.version_criteria(
            uow.session
        )
        if kind == "target" or lists_read(criteria_json) & confidential
    ]
    return Intelligence(
        lists=confidential,
        profiles=frozenset((code, version) for _id, code, version in versions),
        version_ids=frozenset(version_id for version_id, _code, _version in versions),
    )


def list_versions(*, uow: UnitOfWork) -> dict[str, int]:
    """The current version of every list, by name."""
    return {head.name: head.current_version for head in repository.reference_lists(uow.session)}


def _named(head: ReferenceListRow, version: ReferenceListVersionRow) -> rules.NamedList:
    return rules.NamedList(
        name=head.name,
        key_fields=tuple(head.key_fields),
        entries=frozenset(tuple(entry) for entry in version.entries),
        prefix_fields=frozenset(head.prefix_fields),
    )


def create_list(*, uow: UnitOfWork, list_in: ReferenceListCreate, actor: str) -> ReferenceListRead:
    """Create a named list with its first version of entries."""
    if repository.reference_list(uow.session, list_in.name) is not None:
        raise Conflict(f"list {list_in.name} already exists; upload entries as a new version")
    schema = fact_schema(declared_attributes())
    keys = list_in.key_fields or []
    unknown = [key for key in keys if key not in schema]
    if unknown:
        raise InvalidInput(
            "unknown key fields",
            [
                FieldError(("key_fields",), f"{key!r} is not a fact criteria can read")
                for key in unknown
            ],
        )
    now = _now()
    head = ReferenceListRow(
        name=list_in.name,
        kind=list_in.kind,
        description=list_in.description,
        key_fields=keys,
        prefix_fields=list_in.prefix_fields or [],
        confidential=list_in.confidential,
        current_version=1,
        created_at=now,
        created_by=actor,
    )
    repository.add(uow.session, head)
    version = _add_list_version(uow, head, list_in.entries, "created", actor, 1)
    _journal_list(uow, "list.create", head, None, _list_state(head, version), actor, now)
    return _list_read(head, version, with_entries=True)


def replace_entries(
    *, uow: UnitOfWork, name: str, entries: Sequence[Sequence[str]], comment: str, actor: str
) -> ReferenceListRead:
    """Store a new version of a list's entries; decisions keep the version they used."""
    head = _list_or_raise(uow, name)
    width = len(head.key_fields)
    bad = [
        FieldError(("entries", index), f"has {len(entry)} values, the list has {width} key(s)")
        for index, entry in enumerate(entries)
        if len(entry) != width
    ]
    if bad:
        raise InvalidInput(f"entries do not fit list {name}", bad[:50])
    previous = repository.list_version(uow.session, name, head.current_version)
    before = None if previous is None else _list_state(head, previous)
    head.current_version += 1
    version = _add_list_version(uow, head, entries, comment, actor, head.current_version)
    after = _list_state(head, version)
    _journal_list(uow, "list.new_version", head, before, after, actor, version.created_at)
    return _list_read(head, version, with_entries=True)


def parse_list_csv(*, name: str, text: str, key_fields: Sequence[str]) -> list[list[str]]:
    """Entries from CSV text whose header names the list's key fields (in any order),
    each value checked as the API's entries are (:class:`ReferenceListEntries`)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [column.strip() for column in next(reader, [])]
    except csv.Error as exc:
        raise InvalidInput(
            "the CSV header cannot be read", [FieldError(("header",), str(exc))]
        ) from None
    if sorted(header) != sorted(key_fields):
        raise InvalidInput(
            f"the CSV header does not fit list {name}",
            [FieldError(("header",), f"expected columns {list(key_fields)}, got {header}")],
        )
    order = [header.index(key) for key in key_fields]
    entries: list[list[str]] = []
    numbers: list[int] = []
    errors: list[FieldError] = []
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # Past a value beyond the csv module's size limit the rows cannot be delimited.
            errors.append(FieldError(("row", number + 1), f"is not valid CSV: {exc}"))
            break
        number += 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header) or any(not row[i].strip() for i in order):
            errors.append(FieldError(("row", number), "every key column needs a value"))
            continue
        entries.append([row[i].strip() for i in order])
        numbers.append(number)
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) of the CSV are incomplete", errors[:50])
    for number, entry in zip(numbers, entries, strict=True):
        for key, value in zip(key_fields, entry, strict=True):
            try:
                refuse_control_characters(value)  # the forms' rule, located at the cell
            except ValueError as exc:
                errors.append(FieldError(("row", number, key), str(exc)))
    try:
        ReferenceListEntries.model_validate({"entries": entries})
    except ValidationError as exc:
        errors = errors or [_entry_error(error, numbers, key_fields) for error in exc.errors()]
    if errors:
        raise InvalidInput(f"{len(errors)} value(s) of the CSV are not valid", errors[:50])
    return entries


def _entry_error(
    error: Mapping[str, Any], numbers: Sequence[int], key_fields: Sequence[str]
) -> FieldError:
    """A validation error of ``entries[i][j]`` located at the CSV row and column."""
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = error["loc"]
    if len(loc) >= 3 and isinstance(loc[1], int) and isinstance(loc[2], int):
        return FieldError(("row", numbers[loc[1]], key_fields[loc[2]]), message)
    return FieldError(tuple(str(part) for part in loc) or ("entries",), message)


def get_list(*, uow: UnitOfWork, name: str, version: int | None = None) -> ReferenceListRead:
    """A list with its entries (the current version unless asked)."""
    head = _list_or_raise(uow, name)
    row = repository.list_version(uow.session, name, version or head.current_version)
    if row is None:
        raise NotFound(f"list {name} has no version {version}")
    return _list_read(head, row, with_entries=True)


def list_lists(*, uow: UnitOfWork) -> list[ReferenceListRead]:
    """Every list, without entries."""
    result = []
    for head, version in repository.current_list_versions(uow.session):
        result.append(_list_read(head, version, with_entries=False))
    return result


def list_history(*, uow: UnitOfWork, name: str) -> list[ReferenceListVersionRead]:
    """Every version of a list, newest first, without entries (NotFound for no such list).
    The caller checks first that the principal may see the list."""
    _list_or_raise(uow, name)
    return [
        ReferenceListVersionRead.model_validate(row)
        for row in repository.list_version_history(uow.session, name)
    ]


def _add_list_version(
    uow: UnitOfWork,
    head: ReferenceListRow,
    entries: Sequence[Sequence[str]],
    comment: str,
    actor: str,
    number: int,
) -> ReferenceListVersionRow:
    unique = sorted({tuple(entry) for entry in entries})
    version = ReferenceListVersionRow(
        list_name=head.name,
        version=number,
        entries=[list(entry) for entry in unique],
        entry_count=len(unique),
        comment=comment,
        created_at=_now(),
        created_by=actor,
    )
    repository.add(uow.session, version)
    repository.bump_generation(uow.session)
    return version


def entries_digest(entries: Sequence[Sequence[str]]) -> str:
    """SHA-256 (hex) of a list version's entries in canonical form.

    The journal records this digest instead of the entries (a list may hold
    200,000 of them): recomputing it from a stored version proves the version
    is the one journalled. Canonical form: the distinct entries, sorted, as
    compact JSON (UTF-8) — the form a version stores them in.
    """
    unique = sorted({tuple(entry) for entry in entries})
    text = json.dumps([list(entry) for entry in unique], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _list_state(head: ReferenceListRow, version: ReferenceListVersionRow) -> dict[str, Any]:
    # The digest, not the entries: the journal stays small and the content provable.
    return {
        "version": version.version,
        "entry_count": version.entry_count,
        "comment": version.comment,
        "key_fields": list(head.key_fields),
        "entries_sha256": entries_digest(version.entries),
    }


def _journal_list(
    uow: UnitOfWork,
    action: str,
    head: ReferenceListRow,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    actor: str,
    at: datetime,
) -> None:
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type="list",
        object_id=head.name,
        before=before,
        after=after,
        confidential=head.confidential,
        at=at,
    )


def _list_or_raise(uow: UnitOfWork, name: str) -> ReferenceListRow:
    head = repository.reference_list(uow.session, name)
    if head is None:
        raise NotFound(f"list {name} does not exist")
    return head


def _list_read(
    head: ReferenceListRow, version: ReferenceListVersionRow, *, with_entries: bool
) -> ReferenceListRead:
    return ReferenceListRead(
        name=head.name,
        kind=head.kind,
        description=head.description,
        key_fields=head.key_fields,
        prefix_fields=head.prefix_fields,
        confidential=head.confidential,
        version=version.version,
        entry_count=version.entry_count,
        entries=[list(entry) for entry in version.entries] if with_entries else None,
        updated_at=version.created_at,
        updated_by=version.created_by,
    )


# =========================================================================== criteria


def check_criteria(*, uow: UnitOfWork, criteria: str, confidential_lists: bool) -> CriteriaResult:
    """Parse and type-check criteria against the facts and the current lists.

    Without ``confidential_lists`` (an author not cleared for intelligence) the
    confidential lists are not there at all: reading one is an unknown list, with
    the same message and suggestions as a list that does not exist."""
    try:
        checked = rules.check(
            criteria,
            fact_schema(declared_attributes()),
            named_lists(uow=uow, confidential=confidential_lists),
        )
    except rules.RuleError as exc:
        return CriteriaResult(
            valid=False,
            problem=CriteriaProblem(
                message=str(exc),
                line=getattr(exc, "line", None),
                column=getattr(exc, "column", None),
                excerpt=getattr(exc, "excerpt", None),
                suggestion=getattr(exc, "suggestion", None),
            ),
        )
    return CriteriaResult(
        valid=True,
        fields=sorted(checked.fields),
        lists=sorted(checked.lists),
        canonical=rules.to_text(checked.expr),
    )


def _criteria_or_raise(uow: UnitOfWork, criteria: str, confidential_lists: bool) -> dict[str, Any]:
    result = check_criteria(uow=uow, criteria=criteria, confidential_lists=confidential_lists)
    if result.problem is not None:
        where = ""
        if result.problem.line is not None:
            where = f" (line {result.problem.line}, column {result.problem.column})"
        raise InvalidInput(
            f"the criteria do not compile{where}",
            [FieldError(("criteria",), result.problem.message)],
        )
    return rules.to_json(rules.parse(criteria))


def _measures_or_raise(uow: UnitOfWork, draft: ProfileDraft) -> None:
    missing = [m.code for m in draft.measures if repository.measure(uow.session, m.code) is None]
    if missing:
        raise InvalidInput(
            "unknown measures",
            [
                FieldError(("measures",), f"measure {code} is not in the catalogue")
                for code in missing
            ],
        )


# =========================================================================== profiles


def create_profile(
    *, uow: UnitOfWork, profile_in: ProfileCreate, actor: str, confidential_lists: bool
) -> ProfileRead:
    """Draft version 1 of a new profile. Raises Conflict when the code exists.

    ``confidential_lists``: whether the author may read confidential lists in the
    criteria (see :func:`check_criteria`)."""
    if repository.latest_version(uow.session, profile_in.code) is not None:
        raise Conflict(f"profile {profile_in.code} already exists; edit it to draft a new version")
    row = _new_version(uow, profile_in.code, 1, profile_in, actor, confidential_lists)
    _journal_profile(uow, "profile.create", row, None, _profile_state(row), actor, row.created_at)
    return _read(uow, row)


def edit_profile(
    *, uow: UnitOfWork, code: str, draft: ProfileDraft, actor: str, confidential_lists: bool
) -> ProfileRead:
    """Change a profile: a draft is edited in place (a submitted one returns to draft);
    an approved or later version is never edited — a new draft version is made.
    ``confidential_lists`` as for :func:`create_profile`."""
    latest = _latest_or_raise(uow, code)
    before = _profile_state(latest)
    if latest.status in EDITABLE:
        criteria_json = _criteria_or_raise(uow, draft.criteria, confidential_lists)
        _measures_or_raise(uow, draft)
        _apply(latest, draft, criteria_json)
        if latest.status == "submitted":
            # One journal entry for the edit: its before/after show the return to draft.
            _transition(uow, latest, "draft", actor, "edited after submission", journal=None)
            latest.submitted_by = latest.submitted_at = None
        after = _profile_state(latest)
        _journal_profile(uow, "profile.edit", latest, before, after, actor, _now(), before)
        return _read(uow, latest)
    row = _new_version(uow, code, latest.version + 1, draft, actor, confidential_lists)
    # before: the version the new draft replaces, so the entry shows what changed.
    after = _profile_state(row)
    _journal_profile(uow, "profile.new_version", row, before, after, actor, row.created_at, before)
    return _read(uow, row)


def _new_version(
    uow: UnitOfWork,
    code: str,
    version: int,
    draft: ProfileDraft,
    actor: str,
    confidential_lists: bool,
) -> ProfileVersionRow:
    criteria_json = _criteria_or_raise(uow, draft.criteria, confidential_lists)
    _measures_or_raise(uow, draft)
    row = ProfileVersionRow(
        code=code, version=version, status="draft", author=actor, created_at=_now()
    )
    _apply(row, draft, criteria_json)
    repository.add(uow.session, row)
    repository.record_transition(
        uow.session,
        profile_version_id=row.id,
        from_status=None,
        to_status="draft",
        actor=actor,
        at=row.created_at,
        comment="drafted",
    )
    return row


def _apply(row: ProfileVersionRow, draft: ProfileDraft, criteria_json: dict[str, Any]) -> None:
    data = draft.model_dump(exclude={"code"}, mode="python")
    data["measures"] = [m.model_dump() for m in draft.measures]
    data["criteria_json"] = criteria_json
    for name, value in data.items():
        setattr(row, name, value)


#: The content of a profile version as an analyst writes it (criteria included).
_DRAFT_FIELDS = tuple(ProfileDraft.model_fields)


def _profile_state(row: ProfileVersionRow) -> dict[str, Any]:
    # A deep copy: the entry must keep the state of this moment, not later edits of
    # the row's lists in place.
    state: dict[str, Any] = {"version": row.version, "status": row.status}
    state.update({name: copy.deepcopy(getattr(row, name)) for name in _DRAFT_FIELDS})
    return state


def _journal_profile(
    uow: UnitOfWork,
    action: str,
    row: ProfileVersionRow,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    actor: str,
    at: datetime,
    previous: dict[str, Any] | None = None,
) -> None:
    # Intelligence material (a target, or criteria reading a confidential list): the
    # entry is confidential when the version is intelligence before or after the change
    # (an edit can turn one into the other).
    confidential = repository.confidential_list_names(uow.session)
    secret = _is_intelligence(row.kind, row.criteria_json, confidential) or (
        previous is not None
        and _is_intelligence(
            str(previous.get("kind")), _criteria_json_of(previous.get("criteria")), confidential
        )
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type="profile",
        object_id=f"{row.code}/{row.version}",
        before=before,
        after=after,
        confidential=secret,
        at=at,
    )


def _is_intelligence(kind: str, criteria_json: Any, confidential: frozenset[str]) -> bool:
    return kind == "target" or bool(lists_read(criteria_json) & confidential)


def _criteria_json_of(criteria: Any) -> Any:
    # A stored version's criteria compiled when it was saved; anything else reads no list.
    try:
        return rules.to_json(rules.parse(criteria)) if isinstance(criteria, str) else None
    except rules.RuleError:
        return None


def get_profile(*, uow: UnitOfWork, code: str, version: int | None = None) -> ProfileRead:
    """A profile version (the latest unless asked) with its journal."""
    if version is None:
        return _read(uow, _latest_or_raise(uow, code))
    row = repository.profile_version(uow.session, code, version)
    if row is None:
        raise NotFound(f"profile {code} has no version {version}")
    return _read(uow, row)


def profile_history(*, uow: UnitOfWork, code: str) -> list[ProfileRead]:
    """Every version of a profile, oldest first, each with its journal (NotFound for no
    such profile). The caller decides what the principal may see of each."""
    rows = repository.versions_of(uow.session, code)
    if not rows:
        raise NotFound(f"profile {code} does not exist")
    return [_read(uow, row) for row in rows]


def list_profiles(
    *, uow: UnitOfWork, status: str | None = None, kind: str | None = None
) -> list[ProfileRead]:
    """The latest version of every profile, or every version in a state."""
    confidential = repository.confidential_list_names(uow.session)
    return [
        _read(uow, row, journal=False, confidential=confidential)
        for row in repository.profiles(uow.session, status=status, kind=kind)
    ]


# ------------------------------------------------------------------ transitions

#: (from states, to state) per action.
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "submitted"),
    "reject": (("submitted",), "draft"),
    "approve": (("submitted",), "approved"),
    "activate": (("approved",), "active"),
    "suspend": (("active",), "suspended"),
    "resume": (("suspended",), "active"),
    "retire": (("approved", "active", "suspended"), "retired"),
}


def transition(
    *, uow: UnitOfWork, code: str, version: int, action: str, actor: str, comment: str = ""
) -> ProfileRead:
    """Move a profile version along its lifecycle. Raises Conflict for a move not allowed
    from the current state, and for an approval by the version's author (four eyes).

    Every move is journalled as ``profile.<action>``; activating a version also
    journals the retirement of the version it replaces (``profile.retire``).
    """
    if action not in ACTIONS:
        raise NotFound(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    row = repository.profile_version(uow.session, code, version)
    if row is None:
        raise NotFound(f"profile {code} has no version {version}")
    allowed, target = ACTIONS[action]
    if row.status not in allowed:
        raise Conflict(
            f"profile {code} v{version} is {row.status}; {action} needs it {' or '.join(allowed)}"
        )
    now = _now()
    # Every refusal is raised before anything is written (journal included).
    if action == "approve" and actor == row.author:
        raise Conflict(f"four eyes: {actor} wrote profile {code} v{version} and cannot approve it")
    expired = row.valid_to is not None and row.valid_to < customs_day(now)
    if action in ("activate", "resume") and expired:
        raise Conflict(f"profile {code} v{version} expired on {row.valid_to}")
    if target in IN_FORCE or action in ("suspend", "retire", "resume"):
        repository.bump_generation(uow.session)
    if action == "submit":
        row.submitted_by, row.submitted_at = actor, now
    elif action == "approve":
        row.approved_by, row.approved_at = actor, now
    elif action == "activate":
        for other in repository.versions_in(uow.session, code, IN_FORCE):
            if other.id != row.id:
                other.ended_at = now
                _transition(uow, other, "retired", actor, f"replaced by v{version}", "retire")
        row.activated_at = now
    elif action == "retire":
        row.ended_at = now
    _transition(uow, row, target, actor, comment, action)
    return _read(uow, row)


def expire_due(*, uow: UnitOfWork, today: date) -> list[str]:
    """Mark active or suspended versions whose validity ended before ``today`` as expired.

    The profiles' transitions name SYSTEM; the journal names EXPIRY_ACTOR, so that
    automatic expiry is told apart from other system changes.
    """
    due = [
        row
        for row in repository.in_force(uow.session)
        if row.valid_to is not None and row.valid_to < today
    ]
    if due:
        repository.bump_generation(uow.session)
    for row in due:
        row.ended_at = _now()
        _transition(
            uow,
            row,
            "expired",
            SYSTEM,
            f"validity ended {row.valid_to}",
            "expire",
            journal_actor=EXPIRY_ACTOR,
        )
    return [f"{row.code} v{row.version}" for row in due]


def active_versions(*, uow: UnitOfWork) -> list[ProfileVersionRow]:
    """The versions in force and active (what the engine compiles)."""
    return repository.profiles(uow.session, status="active")


def _transition(
    uow: UnitOfWork,
    row: ProfileVersionRow,
    target: str,
    actor: str,
    comment: str,
    journal: str | None,
    *,
    journal_actor: str | None = None,
) -> None:
    """Record a change of state in the version's transitions and, as ``profile.<journal>``,
    in the journal (``journal=None``: the caller journals the change itself)."""
    at = _now()
    repository.record_transition(
        uow.session,
        profile_version_id=row.id,
        from_status=row.status,
        to_status=target,
        actor=actor,
        at=at,
        comment=comment,
    )
    before = {"status": row.status}
    row.status = target
    if journal is not None:
        _journal_profile(
            uow,
            f"profile.{journal}",
            row,
            before,
            {"status": target, "comment": comment},
            journal_actor or actor,
            at,
        )


def _latest_or_raise(uow: UnitOfWork, code: str) -> ProfileVersionRow:
    row = repository.latest_version(uow.session, code)
    if row is None:
        raise NotFound(f"profile {code} does not exist")
    return row


def _read(
    uow: UnitOfWork,
    row: ProfileVersionRow,
    *,
    journal: bool = True,
    confidential: frozenset[str] | None = None,
) -> ProfileRead:
    uow.session.flush()
    data = {
        column: getattr(row, column) for column in ProfileRead.model_fields if hasattr(row, column)
    }
    if confidential is None:
        confidential = repository.confidential_list_names(uow.session)
    data["intelligence"] = _is_intelligence(row.kind, row.criteria_json, confidential)
    data["transitions"] = (
        [TransitionRead.model_validate(t) for t in repository.transitions(uow.session, row.id)]
        if journal
        else []
    )
    return ProfileRead.model_validate(data)


# =========================================================================== office parameters


def list_office_parameters(*, uow: UnitOfWork) -> list[OfficeParametersRead]:
    """Parameters of every office and flow that has them."""
    return [
        OfficeParametersRead.model_validate(row)
        for row in repository.office_parameters(uow.session)
    ]


def set_office_parameters(
    *, uow: UnitOfWork, office: str, flow: str, parameters: OfficeParametersIn, actor: str
) -> OfficeParametersRead:
    """Create or replace the parameters of one office and flow."""
    row = repository.office_parameter(uow.session, office, flow)
    before = None if row is None else _rates(row)
    if row is None:
        row = OfficeParameterRow(office=office, flow=flow)
        uow.session.add(row)
    for name, value in parameters.model_dump().items():
        setattr(row, name, value)
    now = _now()
    row.updated_at, row.updated_by = now, actor
    uow.session.flush()
    repository.bump_generation(uow.session)
    journal_service.record(
        uow.session,
        actor=actor,
        action="office_parameters.set",
        object_type="office_parameters",
        object_id=f"{office}/{flow}",
        before=before,
        after=_rates(row),
        at=now,
    )
    return OfficeParametersRead.model_validate(row)


def _rates(row: OfficeParameterRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in OfficeParametersIn.model_fields}


def office_parameters_of(*, uow: UnitOfWork, office: str, flow: str) -> OfficeParametersRead | None:
    """The parameters of one office and flow, if set."""
    row = repository.office_parameter(uow.session, office, flow)
    return None if row is None else OfficeParametersRead.model_validate(row)
