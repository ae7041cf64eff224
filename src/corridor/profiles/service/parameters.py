"""Office selectivity parameters: random control rates and floors per office and flow."""

from __future__ import annotations

from typing import Any

from corridor.db.tables import (
    OfficeParameterRow,
)
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.profiles import repository
from corridor.profiles.schemas import (
    OfficeParametersIn,
    OfficeParametersRead,
)

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
    now = uow.now
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
