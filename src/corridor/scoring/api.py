"""HTTP routes of the model registry (``/api/v1/models``).

Reading needs ``models.read`` (analysts, approvers, post-entry control); the lifecycle
(approve, shadow, activate, retire) ``models.decide``. Training runs from the command
line (``corridor model train``): it takes minutes, longer than a request should. The
signed-in user is the actor of every change; the approver must not be the version's
author (four eyes, 409).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.scoring import service
from corridor.scoring.schemas import (
    NAME_PATTERN,
    ActivateIn,
    ModelStatus,
    ModelSummary,
    ModelVersionRead,
    RetireIn,
)
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1/models", tags=["models"])

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[Principal, Depends(authorize(Action.MODELS_READ))]
Decider = Annotated[Principal, Depends(authorize(Action.MODELS_DECIDE))]
NamePath = Annotated[str, Path(pattern=NAME_PATTERN, max_length=60, description="model name")]
VersionPath = Annotated[int, Path(ge=1, le=2_000_000_000, description="version")]


@router.get("", response_model=list[ModelSummary], responses=ERROR_RESPONSES)
def list_models(
    uow: UoW,
    who: Reader,
    name: Annotated[str | None, Query(pattern=NAME_PATTERN, max_length=60)] = None,
    status: ModelStatus | None = None,
) -> list[ModelSummary]:
    """Every model version (of a name, in a state), the newest of each name first."""
    return service.list_models(uow=uow, name=name, status=status)


@router.get("/{name}/{version}", response_model=ModelVersionRead, responses=ERROR_RESPONSES)
def get_model(name: NamePath, version: VersionPath, uow: UoW, who: Reader) -> ModelVersionRead:
    """A version and its card's data: window, rows, features, parameters, library versions,
    cross-validated metrics, the data-quality report, the weighting, the lifecycle."""
    return service.get_model(uow=uow, name=name, version=version)


@router.post(
    "/{name}/{version}/approve", response_model=ModelVersionRead, responses=ERROR_RESPONSES
)
def approve(name: NamePath, version: VersionPath, uow: Committed, who: Decider) -> ModelVersionRead:
    """Approve a draft (409 when the caller registered it: four eyes)."""
    return service.approve(uow=uow, name=name, version=version, actor=who.username)


@router.post("/{name}/{version}/shadow", response_model=ModelVersionRead, responses=ERROR_RESPONSES)
def shadow(name: NamePath, version: VersionPath, uow: Committed, who: Decider) -> ModelVersionRead:
    """Put an approved version in shadow: scored and recorded, selecting nothing."""
    return service.shadow(uow=uow, name=name, version=version, actor=who.username)


@router.post(
    "/{name}/{version}/activate", response_model=ModelVersionRead, responses=ERROR_RESPONSES
)
def activate(
    name: NamePath,
    version: VersionPath,
    uow: UoW,
    who: Decider,
    activate_in: Annotated[ActivateIn | None, Body()] = None,
) -> ModelVersionRead:
    """Make an approved or shadowing version the active one of its flow; 409 while another
    is active, unless ``{"replace": true}`` retires that one in the same transaction."""
    replace = activate_in.replace if activate_in is not None else False
    # Two activations at once meet on the one-active-per-flow index: the one run again
    # finds the other active and answers 409 with its name.
    return uow.retrying(
        lambda _retry: service.activate(
            uow=uow, name=name, version=version, actor=who.username, replace=replace
        ),
        attempts=2,
    )


@router.post("/{name}/{version}/retire", response_model=ModelVersionRead, responses=ERROR_RESPONSES)
def retire(
    name: NamePath, version: VersionPath, retire_in: RetireIn, uow: Committed, who: Decider
) -> ModelVersionRead:
    """Retire a version for good, with a reason."""
    return service.retire(
        uow=uow, name=name, version=version, actor=who.username, reason=retire_in.reason
    )
