"""HTTP routes: inspection acts, their corrections, the inspection queue, the coded lists.

The signed-in inspector is the act's inspector and its recorder. Every act and
declaration is looked at within the caller's offices (``principal.offices``):
an act of another office does not exist for the caller (404), and a declaration
of another office is refused exactly like an unknown one (422 naming
``declaration_number``), so that neither leaks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.inspections import service
from corridor.inspections.repository import ActFilters
from corridor.inspections.schemas import (
    InspectionActCorrection,
    InspectionActCreate,
    InspectionActPage,
    InspectionActRead,
    InspectionReasons,
    Moment,
    Outcome,
    QueuePage,
)
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1", tags=["inspections"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Recorder = Annotated[Principal, Depends(authorize(Action.INSPECTIONS_RECORD))]
Reader = Annotated[Principal, Depends(authorize(Action.DECLARATIONS_READ))]
# Act ids are 63-bit integers.
ActId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post(
    "/inspection-acts",
    response_model=InspectionActRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def record_act(
    act_in: InspectionActCreate, uow: Committed, principal: Recorder
) -> InspectionActRead:
    """Record the inspection act of a declaration version (the latest unless named); the
    signed-in inspector signs it. 409 when the version already has an act: correct it."""
    act = service.record(
        uow=uow,
        act_in=act_in,
        inspector=principal.username,
        recorded_by=principal.username,
        scope=principal.offices,
    )
    return service.shown_to(act, principal)


@router.post(
    "/inspection-acts/{act_id}/corrections",
    response_model=InspectionActRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def correct_act(
    act_id: ActId, correction: InspectionActCorrection, uow: Committed, principal: Recorder
) -> InspectionActRead:
    """Correct the current version of an act: a new act version with the reason; the
    corrected version stays readable, no longer current. 409 for a replaced version."""
    act = service.correct(
        uow=uow,
        act_id=act_id,
        correction=correction,
        recorded_by=principal.username,
        scope=principal.offices,
    )
    return service.shown_to(act, principal)


@router.get("/inspection-acts", response_model=InspectionActPage, responses=ERROR_RESPONSES)
def list_acts(
    uow: UoW,
    principal: Reader,
    declaration_number: Annotated[str | None, Query(max_length=40)] = None,
    office: Annotated[str | None, Query(max_length=17)] = None,
    outcome: Outcome | None = None,
    inspected_from: Annotated[
        Moment | None, Query(description="inclusive, ISO 8601 with time zone")
    ] = None,
    inspected_to: Annotated[
        Moment | None, Query(description="exclusive, ISO 8601 with time zone")
    ] = None,
    all_versions: Annotated[
        bool, Query(description="also the versions a correction replaced")
    ] = False,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> InspectionActPage:
    """Inspection acts of the caller's offices, newest first, filtered and paginated by
    cursor (current versions unless ``all_versions``)."""
    filters = ActFilters(
        declaration_number=declaration_number,
        office=office,
        outcome=outcome,
        inspected_from=inspected_from,
        inspected_to=inspected_to,
        all_versions=all_versions,
        scope=principal.offices,
    )
    page = service.list_acts(uow=uow, filters=filters, cursor=cursor, limit=limit)
    return page.model_copy(
        update={"items": [service.shown_to(act, principal) for act in page.items]}
    )


@router.get(
    "/inspection-acts/{act_id}", response_model=InspectionActRead, responses=ERROR_RESPONSES
)
def read_act(act_id: ActId, uow: UoW, principal: Reader) -> InspectionActRead:
    """One inspection act version (404 for an act of an office outside the caller's)."""
    act = service.get_act(uow=uow, act_id=act_id, scope=principal.offices)
    return service.shown_to(act, principal)


@router.get("/inspection-queue", response_model=QueuePage, responses=ERROR_RESPONSES)
def inspection_queue(
    uow: UoW,
    principal: Recorder,
    registered_from: Annotated[
        Moment | None,
        Query(description="inclusive, ISO 8601 with time zone: only recent registrations"),
    ] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> QueuePage:
    """Declarations of the caller's offices waiting for an act (red or yellow after
    re-routes, no act yet), oldest registration first, with their measures and the
    officer instructions."""
    return service.queue(
        uow=uow,
        scope=principal.offices,
        cursor=cursor,
        limit=limit,
        registered_from=registered_from,
    )


@router.get("/inspection-reasons", dependencies=[Depends(authorize(Action.REFERENCE_READ))])
def inspection_reasons() -> InspectionReasons:
    """The reason codes for measures not (fully) applied, and the discrepancy types."""
    return service.reasons()
