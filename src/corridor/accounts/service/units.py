"""The unit tree: head office, regional departments, posts and their offices."""

from __future__ import annotations

from corridor.accounts import repository
from corridor.accounts.schemas import (
    UnitCreate,
    UnitRead,
)
from corridor.accounts.service._common import KIND_ORDER
from corridor.db.tables import UnitRow
from corridor.db.uow import UnitOfWork
from corridor.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    Message,
    NotFound,
)
from corridor.journal import service as journal

# =========================================================================== units


def create_unit(*, uow: UnitOfWork, unit_in: UnitCreate, actor: str) -> UnitRead:
    """Add a unit to the tree.

    Raises Conflict when the code exists, and InvalidInput naming the field when the
    unit does not fit the tree: one head office, without parent; a regional
    department under the head office; a post under a regional department or the
    head office; customs offices only on posts, each office on at most one post.
    """
    session = uow.session
    if repository.unit_by_code(session, unit_in.code) is not None:
        raise Conflict(N_("unit %(unit)s already exists", unit=unit_in.code))
    errors: list[FieldError] = []
    parent: UnitRow | None = None
    if unit_in.parent is not None:
        parent = repository.unit_by_code(session, unit_in.parent)
        if parent is None:
            errors.append(
                FieldError(("parent",), N_("unit %(unit)s does not exist", unit=unit_in.parent))
            )
    if unit_in.kind == "head_office":
        if unit_in.parent is not None:
            errors.append(FieldError(("parent",), N_("the head office has no parent unit")))
        existing = repository.head_office(session)
        if existing is not None:
            errors.append(
                FieldError(
                    ("kind",), N_("there is already a head office (%(unit)s)", unit=existing.code)
                )
            )
    elif unit_in.parent is None:
        errors.append(
            FieldError(
                ("parent",),
                N_("a post needs a parent unit")
                if unit_in.kind == "post"
                else N_("a regional department needs a parent unit"),
            )
        )
    elif parent is not None:
        allowed = ("head_office",) if unit_in.kind == "regional" else ("head_office", "regional")
        if parent.kind not in allowed:
            errors.append(FieldError(("parent",), _not_under(unit_in.kind, parent)))
    if unit_in.offices and unit_in.kind != "post":
        errors.append(FieldError(("offices",), N_("only posts cover customs offices")))
    elif unit_in.offices:
        owners = {
            office: post.code for post in repository.posts(session) for office in post.offices
        }
        errors += [
            FieldError(
                ("offices", index),
                N_(
                    "office %(office)s already belongs to post %(post)s",
                    office=office,
                    post=owners[office],
                ),
            )
            for index, office in enumerate(unit_in.offices)
            if office in owners
        ]
    if errors:
        raise InvalidInput(
            N_("unit %(unit)s does not fit the unit tree", unit=unit_in.code), errors
        )
    row = UnitRow(
        code=unit_in.code,
        name=unit_in.name,
        kind=unit_in.kind,
        parent_id=None if parent is None else parent.id,
        offices=list(unit_in.offices),
        created_at=uow.now,
    )
    repository.add(session, row)
    read = _unit_read(row, None if parent is None else parent.code)
    journal.record(
        session,
        actor=actor,
        action="unit.create",
        object_type="unit",
        object_id=row.code,
        after=read.model_dump(mode="json"),
    )
    return read


def list_units(*, uow: UnitOfWork) -> list[UnitRead]:
    """Every unit in tree order: each unit followed by the units under it (by code)."""
    rows = repository.units(uow.session)
    codes = {row.id: row.code for row in rows}
    children: dict[int | None, list[UnitRow]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[UnitRead] = []

    def walk(parent_id: int | None) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda r: (KIND_ORDER[r.kind], r.code)):
            ordered.append(_unit_read(row, None if row.parent_id is None else codes[row.parent_id]))
            walk(row.id)

    walk(None)
    return ordered


def offices_under(*, uow: UnitOfWork, unit_code: str) -> frozenset[str] | None:
    """The customs offices of every post in the unit's subtree; None (every office) for the
    head office. Raises NotFound for an unknown unit."""
    unit = repository.unit_by_code(uow.session, unit_code)
    if unit is None:
        raise NotFound(N_("unit %(unit)s does not exist", unit=unit_code))
    return offices_below(uow, unit)


def offices_below(uow: UnitOfWork, unit: UnitRow) -> frozenset[str] | None:
    if unit.kind == "head_office":
        return None
    if unit.kind == "post":
        return frozenset(unit.offices)
    children: dict[int | None, list[UnitRow]] = {}
    for row in repository.units(uow.session):
        children.setdefault(row.parent_id, []).append(row)
    offices: set[str] = set()
    pending = [unit]
    while pending:
        current = pending.pop()
        offices.update(current.offices)
        pending.extend(children.get(current.id, []))
    return frozenset(offices)


def _unit_read(row: UnitRow, parent_code: str | None) -> UnitRead:
    return UnitRead.model_validate(
        {
            "code": row.code,
            "name": row.name,
            "kind": row.kind,
            "parent": parent_code,
            "offices": list(row.offices),
        }
    )


def _not_under(kind: str, parent: UnitRow) -> Message:
    """Why a unit of ``kind`` cannot be under ``parent``: a regional department is under
    the head office, a post under a regional department or the head office."""
    if kind == "post":
        return N_(
            "a post cannot be under a post (%(parent)s); "
            "its parent is a head office or a regional department",
            parent=parent.code,
        )
    if parent.kind == "post":
        return N_(
            "a regional department cannot be under a post (%(parent)s); "
            "its parent is a head office",
            parent=parent.code,
        )
    return N_(
        "a regional department cannot be under a regional department (%(parent)s); "
        "its parent is a head office",
        parent=parent.code,
    )
