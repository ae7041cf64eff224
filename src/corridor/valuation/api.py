"""HTTP routes of reference prices (``/api/v1/reference-prices``).

Reading needs ``prices.read``; refreshing, setting and lifting overrides
``prices.write``. The signed-in user is the actor of every change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, status

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.valuation import service
from corridor.valuation.schemas import (
    MAX_PAGE,
    PriceOrigin,
    PriceOverrideApplied,
    PriceOverrideCreate,
    PriceOverrideLift,
    PriceOverrideRead,
    PriceOverrideSummary,
    PriceRefreshIn,
    PriceRefreshRead,
    ReferencePricePage,
)
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1/reference-prices", tags=["reference prices"])

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
PriceReader = Annotated[Principal, Depends(authorize(Action.PRICES_READ))]
PriceWriter = Annotated[Principal, Depends(authorize(Action.PRICES_WRITE))]
# Versions and override ids are stored as 32-bit integers.
_INT32 = 2**31 - 1


@router.get("", response_model=ReferencePricePage, responses=ERROR_RESPONSES)
def list_prices(
    uow: UoW,
    who: PriceReader,
    hs: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{1,10}$", description="HS code or its first digits"),
    ] = None,
    origin: Annotated[
        PriceOrigin | None, Query(description="country of origin, or * for all-origin prices")
    ] = None,
    version: Annotated[
        int | None, Query(ge=1, le=_INT32, description="price version (default: in force)")
    ] = None,
    cursor: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> ReferencePricePage:
    """Reference prices of a version (the one in force unless asked), by HS prefix and origin."""
    return service.list_prices(
        uow=uow, hs=hs, origin=origin, version=version, cursor=cursor, limit=limit
    )


@router.post(
    "/refresh",
    response_model=PriceRefreshRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def refresh(
    uow: Committed,
    who: PriceWriter,
    refresh_in: Annotated[PriceRefreshIn | None, Body()] = None,
) -> PriceRefreshRead:
    """Compute a new price version from history (overrides in force applied); workers
    start using it within a second. Earlier versions and decisions stay as they were."""
    return service.refresh(uow=uow, refresh_in=refresh_in or PriceRefreshIn(), actor=who.username)


@router.get(
    "/overrides",
    response_model=list[PriceOverrideRead | PriceOverrideSummary],
    responses=ERROR_RESPONSES,
)
def list_overrides(
    uow: UoW,
    who: PriceReader,
    active: Annotated[
        bool | None, Query(description="only active (true) or lifted (false)")
    ] = None,
) -> list[PriceOverrideRead] | list[PriceOverrideSummary]:
    """Analysts' overrides, active and lifted; their reasons only for callers cleared for
    profile criteria and rationale."""
    found = service.list_overrides(uow=uow, active=active)
    if who.can(Action.PROFILES_CRITERIA):
        return found
    return [PriceOverrideSummary.model_validate(o.model_dump(exclude={"reason"})) for o in found]


@router.post(
    "/overrides",
    response_model=PriceOverrideApplied,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def set_override(
    override_in: PriceOverrideCreate, uow: Committed, who: PriceWriter
) -> PriceOverrideApplied:
    """Set the reference price of one key (HS, origin, basis, unit) with a reason; it applies
    at once, in a new price version, and at every refresh until lifted or ``valid_to``."""
    return service.set_override(uow=uow, override_in=override_in, actor=who.username)


@router.delete(
    "/overrides/{override_id}", response_model=PriceOverrideApplied, responses=ERROR_RESPONSES
)
def lift_override(
    override_id: Annotated[int, Path(ge=1, le=_INT32)],
    lift_in: PriceOverrideLift,
    uow: Committed,
    who: PriceWriter,
) -> PriceOverrideApplied:
    """Lift an override (the reason goes in the body): a new price version gives its key
    history's price again."""
    return service.lift_override(
        uow=uow, override_id=override_id, lift_in=lift_in, actor=who.username
    )
