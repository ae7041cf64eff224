"""HTTP routes of the trader register (``/api/v1/traders``).

Reading needs ``traders.read`` (analysts, post-entry control); overriding a
category, recording or ending AEO status and recategorising ``traders.write``. The
signed-in user is the actor of every change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, status

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.traders import service
from corridor.traders.schemas import (
    MAX_PAGE,
    AeoRead,
    AeoSet,
    Category,
    OverrideCreate,
    OverrideRead,
    ReasonIn,
    RecategoriseIn,
    RecategoriseRead,
    RegisterRole,
    TraderPage,
    TraderRead,
)
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1/traders", tags=["traders"])

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
TraderReader = Annotated[Principal, Depends(authorize(Action.TRADERS_READ))]
TraderWriter = Annotated[Principal, Depends(authorize(Action.TRADERS_WRITE))]
TinPath = Annotated[
    str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-.]+$", description="TIN")
]


@router.get("", response_model=TraderPage, responses=ERROR_RESPONSES)
def list_traders(
    uow: UoW,
    who: TraderReader,
    category: Annotated[Category | None, Query(description="the category in force")] = None,
    role: Annotated[RegisterRole | None, Query(description="a role seen")] = None,
    aeo: Annotated[bool | None, Query(description="holds an AEO certificate in force")] = None,
    text: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="start of the TIN, or part of a name"),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^[A-Za-z0-9\-.]+$",
            description="next_cursor of the previous page",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> TraderPage:
    """The register by TIN, with each trader's category in force, score and AEO status."""
    return service.list_traders(
        uow=uow, category=category, role=role, aeo=aeo, text=text, cursor=cursor, limit=limit
    )


@router.post(
    "/recategorise",
    response_model=RecategoriseRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def recategorise(
    uow: Committed,
    who: TraderWriter,
    recategorise_in: Annotated[RecategoriseIn | None, Body()] = None,
) -> RecategoriseRead:
    """Score every trader from its history now and store the categories (each change kept
    with the score's components); selectivity uses them at once."""
    given = recategorise_in or RecategoriseIn()
    return service.recategorise(uow=uow, actor=who.username, as_of=given.as_of)


@router.get("/{tin}", response_model=TraderRead, responses=ERROR_RESPONSES)
def get_trader(tin: TinPath, uow: UoW, who: TraderReader) -> TraderRead:
    """One trader: roles, names seen, the category in force and why (the score's
    components), overrides, AEO certificates, history and the changes of its category."""
    return service.get_trader(uow=uow, tin=tin)


@router.post(
    "/{tin}/override",
    response_model=OverrideRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def set_override(
    tin: TinPath, override_in: OverrideCreate, uow: Committed, who: TraderWriter
) -> OverrideRead:
    """Put the trader in a category by hand, with a reason, until a day after today; it
    replaces an override in force and applies to decisions at once."""
    return service.set_override(uow=uow, tin=tin, override_in=override_in, actor=who.username)


@router.post("/{tin}/override/lift", response_model=OverrideRead, responses=ERROR_RESPONSES)
def lift_override(
    tin: TinPath, lift_in: ReasonIn, uow: Committed, who: TraderWriter
) -> OverrideRead:
    """Lift the override in force (the reason goes in the body): the computed category
    applies again."""
    return service.lift_override(uow=uow, tin=tin, lift_in=lift_in, actor=who.username)


@router.put("/{tin}/aeo", response_model=AeoRead, responses=ERROR_RESPONSES)
def set_aeo(tin: TinPath, aeo_in: AeoSet, uow: Committed, who: TraderWriter) -> AeoRead:
    """Record the trader's AEO certificate (number, type, validity), or correct the one
    recorded under that number; a new certificate ends the earlier ones."""
    return service.set_aeo(uow=uow, tin=tin, aeo_in=aeo_in, actor=who.username)


@router.post("/{tin}/aeo/end", response_model=AeoRead, responses=ERROR_RESPONSES)
def end_aeo(tin: TinPath, end_in: ReasonIn, uow: Committed, who: TraderWriter) -> AeoRead:
    """End the trader's AEO certificate before its validity runs out (withdrawn,
    suspended); it has no effect from today."""
    return service.end_aeo(uow=uow, tin=tin, end_in=end_in, actor=who.username)
