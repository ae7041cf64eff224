"""The measures catalogue: the forms of control profiles apply, kept as data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corridor.db.tables import (
    MeasureRow,
)
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, Conflict, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import repository
from corridor.profiles.schemas import (
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
)

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
        raise Conflict(N_("measure %(code)s already exists", code=measure_in.code))
    now = uow.now
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
    now = uow.now
    row.updated_at, row.updated_by = now, actor
    repository.bump_generation(uow.session)
    _journal_measure(uow, "measure.update", code, before, _measure_state(row), actor, now)
    return MeasureRead.model_validate(row)


def delete_measure(*, uow: UnitOfWork, code: str, actor: str) -> None:
    """Remove a measure nobody uses. Raises Conflict naming the profile versions using it."""
    row = _measure_or_raise(uow, code)
    users = repository.profile_versions_using_measure(uow.session, code)
    if users:
        raise Conflict(
            N_(
                "measure %(code)s is used by %(users)s; it cannot be deleted",
                code=code,
                users=", ".join(users[:10]),
            )
        )
    before = _measure_state(row)
    repository.delete(uow.session, row)
    repository.bump_generation(uow.session)  # the compiled set carries the catalogue
    _journal_measure(uow, "measure.delete", code, before, None, actor, uow.now)


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
        raise NotFound(N_("measure %(code)s does not exist", code=code))
    return row
