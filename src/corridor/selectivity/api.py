"""HTTP routes: a declaration's decision and officers' re-routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import DeclarationCreate
from corridor.errors import PermissionDenied
from corridor.selectivity import service
from corridor.selectivity.schemas import (
    REROUTE_REASONS,
    DecisionRead,
    DeclarationAssessed,
    RerouteIn,
)
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.web.deps import ERROR_RESPONSES, Committed, ErrorBody, unit_of_work
from corridor.web.security import authorize
from corridor.web.state import app_state

router = APIRouter(prefix="/api/v1", tags=["selectivity"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]


@router.post(
    "/declarations",
    response_model=DeclarationAssessed,
    status_code=status.HTTP_201_CREATED,
    tags=["declarations"],
    responses={
        200: {"model": DeclarationAssessed, "description": "identical content was stored before"},
        409: {"model": ErrorBody, "description": "different content under a stored key"},
        422: {"model": ErrorBody, "description": "validation failed; every field is listed"},
    },
)
def submit_declaration(
    declaration_in: DeclarationCreate,
    uow: UoW,
    request: Request,
    principal: Annotated[Principal, Depends(authorize(Action.DECLARATIONS_SUBMIT))],
) -> Response:
    """Submit one declaration version; the decision (channel, measures, reasons) comes back
    in the same response.

    201 when stored and assessed; 200 with the stored version and its decision when
    identical content was sent before; 409 when the key holds different content or
    the version leaves a gap.
    """
    if not principal.sees_office(declaration_in.office):
        raise PermissionDenied(f"office {declaration_in.office} is outside the unit of the caller")
    holder, secret = selection(request)
    # One transaction per attempt, committed here; a race lost to a unique key runs again.
    assessed, created = uow.retrying(
        lambda retry: service.submit(
            uow=uow, declaration_in=declaration_in, holder=holder, secret=secret, retry=retry
        ),
        attempts=service.SUBMIT_ATTEMPTS,
        exhausted=lambda: declarations_service.stored_concurrently(declaration_in),
    )
    shown = service.shown_to(assessed.decision, principal, uow=uow)
    if shown is not assessed.decision:
        assessed = assessed.model_copy(update={"decision": shown})
    # The model is already valid: serialise it once instead of letting FastAPI validate
    # it again against the response model (the busiest route of the system).
    return Response(
        content=assessed.model_dump_json(),
        media_type="application/json",
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


@router.get("/reroute-reasons", dependencies=[Depends(authorize(Action.REFERENCE_READ))])
def reroute_reasons() -> dict[str, str]:
    """The reason codes an officer gives for a re-route."""
    return REROUTE_REASONS


@router.get(
    "/declarations/{number:path}/decision", response_model=DecisionRead, responses=ERROR_RESPONSES
)
def get_decision(
    number: str,
    uow: UoW,
    principal: Annotated[Principal, Depends(authorize(Action.DECLARATIONS_READ))],
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> DecisionRead:
    """The selectivity decision of a declaration (the latest version unless asked); the
    reasons only for roles cleared to see them."""
    decision = service.get_decision(
        uow=uow, number=number, version=version, scope=principal.offices
    )
    return service.shown_to(decision, principal, uow=uow)


@router.post(
    "/declarations/{number:path}/reroute", response_model=DecisionRead, responses=ERROR_RESPONSES
)
def reroute(
    number: str,
    reroute_in: RerouteIn,
    uow: Committed,
    principal: Annotated[Principal, Depends(authorize(Action.DECISIONS_REROUTE))],
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> DecisionRead:
    """Change the channel with a reason code and comment: a new record, never an edit;
    journalled."""
    decision = service.reroute(
        uow=uow,
        number=number,
        version=version,
        reroute_in=reroute_in,
        officer=principal.username,
        scope=principal.offices,
    )
    return service.shown_to(decision, principal, uow=uow)


def selection(request: Request) -> tuple[ProfileSetHolder, bytes]:
    """The worker's profile-set holder and the selection secret."""
    state = app_state(request)
    return state.profile_sets, state.selection_secret
