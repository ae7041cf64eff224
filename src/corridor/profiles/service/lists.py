"""Named reference lists: versions of entries, criteria-ready lists, CSV uploads."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from corridor import rules
from corridor.db.tables import (
    ReferenceListRow,
    ReferenceListVersionRow,
)
from corridor.db.uow import UnitOfWork
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import declared_attributes
from corridor.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import repository
from corridor.profiles.schemas import (
    ReferenceListCreate,
    ReferenceListEntries,
    ReferenceListRead,
    ReferenceListVersionRead,
)
from corridor.text import refuse_control_characters

# =========================================================================== lists


def named_lists(*, uow: UnitOfWork, confidential: bool) -> list[rules.NamedList]:
    """The current version of every list, as the criteria language takes them; the
    confidential ones only with ``confidential`` (for the engine and cleared authors)."""
    return [
        _named(head, version)
        for head, version in repository.current_list_versions(uow.session)
        if confidential or not head.confidential
    ]


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
        raise Conflict(
            N_(
                "list %(name)s already exists; upload entries as a new version",
                name=list_in.name,
            )
        )
    schema = fact_schema(declared_attributes())
    keys = list_in.key_fields or []
    unknown = [key for key in keys if key not in schema]
    if unknown:
        raise InvalidInput(
            N_("unknown key fields"),
            [
                FieldError(
                    ("key_fields",), N_("%(key)s is not a fact criteria can read", key=repr(key))
                )
                for key in unknown
            ],
        )
    now = uow.now
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
        FieldError(
            ("entries", index),
            N_(
                "has %(count)s values, the list has %(width)s key(s)", count=len(entry), width=width
            ),
        )
        for index, entry in enumerate(entries)
        if len(entry) != width
    ]
    if bad:
        raise InvalidInput(N_("entries do not fit list %(name)s", name=name), bad[:50])
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
            N_("the CSV header cannot be read"), [FieldError(("header",), str(exc))]
        ) from None
    if sorted(header) != sorted(key_fields):
        raise InvalidInput(
            N_("the CSV header does not fit list %(name)s", name=name),
            [
                FieldError(
                    ("header",),
                    N_(
                        "expected columns %(expected)s, got %(got)s",
                        expected=list(key_fields),
                        got=header,
                    ),
                )
            ],
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
            errors.append(
                FieldError(("row", number + 1), N_("is not valid CSV: %(reason)s", reason=str(exc)))
            )
            break
        number += 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header) or any(not row[i].strip() for i in order):
            errors.append(FieldError(("row", number), N_("every key column needs a value")))
            continue
        entries.append([row[i].strip() for i in order])
        numbers.append(number)
    if errors:
        raise InvalidInput(
            N_("%(count)s row(s) of the CSV are incomplete", count=len(errors)), errors[:50]
        )
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
        raise InvalidInput(
            N_("%(count)s value(s) of the CSV are not valid", count=len(errors)), errors[:50]
        )
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
        raise NotFound(N_("list %(name)s has no version %(version)s", name=name, version=version))
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
        created_at=uow.now,
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
        raise NotFound(N_("list %(name)s does not exist", name=name))
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
