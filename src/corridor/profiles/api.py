"""HTTP routes: measures, reference lists, risk profiles, office parameters.

Until accounts arrive, the acting person is named by the ``X-Corridor-Actor``
header on every change (profiles' four-eyes rule compares these names).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Query, status

from corridor.db.uow import UnitOfWork
from corridor.profiles import service
from corridor.profiles.schemas import (
    CriteriaCheck,
    CriteriaResult,
    FlowCode,
    ListName,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    OfficeCode,
    OfficeParametersIn,
    OfficeParametersRead,
    ProfileCreate,
    ProfileDraft,
    ProfileKind,
    ProfileRead,
    ProfileStatus,
    ReferenceListCreate,
    ReferenceListEntries,
    ReferenceListRead,
    TransitionIn,
)
from corridor.web.deps import ERROR_RESPONSES, unit_of_work

router = APIRouter(prefix="/api/v1", tags=["profiles"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Actor = Annotated[
    str,
    Header(
        alias="X-Corridor-Actor",
        min_length=1,
        max_length=80,
        description="who makes the change (until accounts replace it)",
    ),
]


# --------------------------------------------------------------------------- measures


@router.get("/measures", response_model=list[MeasureRead], tags=["measures"])
def list_measures(uow: UoW) -> list[MeasureRead]:
    """The measures catalogue (forms of control) and their channels."""
    return service.list_measures(uow=uow)


@router.post(
    "/measures",
    response_model=MeasureRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
    tags=["measures"],
)
def create_measure(measure_in: MeasureCreate, uow: UoW, actor: Actor) -> MeasureRead:
    """Add a measure to the catalogue."""
    measure = service.create_measure(uow=uow, measure_in=measure_in, actor=actor)
    uow.commit()
    return measure


@router.put(
    "/measures/{code}", response_model=MeasureRead, responses=ERROR_RESPONSES, tags=["measures"]
)
def update_measure(code: str, measure_in: MeasureUpdate, uow: UoW, actor: Actor) -> MeasureRead:
    """Change a measure's name, channel or description."""
    measure = service.update_measure(uow=uow, code=code, measure_in=measure_in, actor=actor)
    uow.commit()
    return measure


@router.delete(
    "/measures/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
    tags=["measures"],
)
def delete_measure(code: str, uow: UoW, actor: Actor) -> None:
    """Remove a measure no profile version uses (409 otherwise)."""
    service.delete_measure(uow=uow, code=code)
    uow.commit()


# --------------------------------------------------------------------------- lists


@router.get("/lists", response_model=list[ReferenceListRead], tags=["lists"])
def list_lists(uow: UoW) -> list[ReferenceListRead]:
    """Every named list (without entries)."""
    return service.list_lists(uow=uow)


@router.post(
    "/lists",
    response_model=ReferenceListRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
    tags=["lists"],
)
def create_list(list_in: ReferenceListCreate, uow: UoW, actor: Actor) -> ReferenceListRead:
    """Create a named list with its first entries."""
    created = service.create_list(uow=uow, list_in=list_in, actor=actor)
    uow.commit()
    return created


@router.get(
    "/lists/{name}", response_model=ReferenceListRead, responses=ERROR_RESPONSES, tags=["lists"]
)
def get_list(
    name: str, uow: UoW, version: Annotated[int | None, Query(ge=1)] = None
) -> ReferenceListRead:
    """A list with its entries (the current version unless asked)."""
    return service.get_list(uow=uow, name=name, version=version)


@router.put(
    "/lists/{name}", response_model=ReferenceListRead, responses=ERROR_RESPONSES, tags=["lists"]
)
def replace_entries(
    name: ListName, entries_in: ReferenceListEntries, uow: UoW, actor: Actor
) -> ReferenceListRead:
    """A new version of the list's entries."""
    updated = service.replace_entries(
        uow=uow, name=name, entries=entries_in.entries, comment=entries_in.comment, actor=actor
    )
    uow.commit()
    return updated


@router.post(
    "/lists/{name}/csv",
    response_model=ReferenceListRead,
    responses=ERROR_RESPONSES,
    tags=["lists"],
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def upload_csv(
    name: ListName,
    uow: UoW,
    actor: Actor,
    body: Annotated[str, Body(media_type="text/csv")],
    comment: Annotated[str, Query(max_length=2000)] = "",
) -> ReferenceListRead:
    """Bulk upload: CSV whose header names the list's key fields; becomes a new version."""
    current = service.get_list(uow=uow, name=name)
    entries = service.parse_list_csv(name=name, text=body, key_fields=current.key_fields)
    updated = service.replace_entries(
        uow=uow, name=name, entries=entries, comment=comment or "CSV upload", actor=actor
    )
    uow.commit()
    return updated


# --------------------------------------------------------------------------- profiles


@router.post("/profiles/validate", response_model=CriteriaResult)
def validate_criteria(check: CriteriaCheck, uow: UoW) -> CriteriaResult:
    """Check criteria against the facts and the current lists; nothing is saved."""
    return service.check_criteria(uow=uow, criteria=check.criteria)


@router.get("/profiles", response_model=list[ProfileRead])
def list_profiles(
    uow: UoW, status: ProfileStatus | None = None, kind: ProfileKind | None = None
) -> list[ProfileRead]:
    """The latest version of every profile, or every version in a state."""
    return service.list_profiles(uow=uow, status=status, kind=kind)


@router.post(
    "/profiles",
    response_model=ProfileRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def create_profile(profile_in: ProfileCreate, uow: UoW, actor: Actor) -> ProfileRead:
    """Draft version 1 of a new profile (criteria checked; errors give line and column)."""
    profile = service.create_profile(uow=uow, profile_in=profile_in, actor=actor)
    uow.commit()
    return profile


@router.get("/profiles/{code}", response_model=ProfileRead, responses=ERROR_RESPONSES)
def get_profile(
    code: str, uow: UoW, version: Annotated[int | None, Query(ge=1)] = None
) -> ProfileRead:
    """A profile version with its journal (the latest unless asked)."""
    return service.get_profile(uow=uow, code=code, version=version)


@router.put("/profiles/{code}", response_model=ProfileRead, responses=ERROR_RESPONSES)
def edit_profile(code: str, draft: ProfileDraft, uow: UoW, actor: Actor) -> ProfileRead:
    """Edit a draft in place, or draft a new version of an approved or active profile."""
    profile = service.edit_profile(uow=uow, code=code, draft=draft, actor=actor)
    uow.commit()
    return profile


@router.post(
    "/profiles/{code}/versions/{version}/{action}",
    response_model=ProfileRead,
    responses=ERROR_RESPONSES,
)
def transition(
    code: str,
    version: int,
    action: str,
    uow: UoW,
    actor: Actor,
    transition_in: TransitionIn | None = None,
) -> ProfileRead:
    """Lifecycle: submit, reject, approve (not by the author), activate, suspend, resume,
    retire."""
    profile = service.transition(
        uow=uow,
        code=code,
        version=version,
        action=action,
        actor=actor,
        comment=transition_in.comment if transition_in else "",
    )
    uow.commit()
    return profile


# --------------------------------------------------------------------------- office parameters


@router.get(
    "/office-parameters", response_model=list[OfficeParametersRead], tags=["office parameters"]
)
def list_office_parameters(uow: UoW) -> list[OfficeParametersRead]:
    """Random control rates and floors of every office and flow."""
    return service.list_office_parameters(uow=uow)


@router.put(
    "/office-parameters/{office}/{flow}",
    response_model=OfficeParametersRead,
    responses=ERROR_RESPONSES,
    tags=["office parameters"],
)
def set_office_parameters(
    office: OfficeCode, flow: FlowCode, parameters: OfficeParametersIn, uow: UoW, actor: Actor
) -> OfficeParametersRead:
    """Set the random control rates (percent per channel) and floor of an office and flow."""
    saved = service.set_office_parameters(
        uow=uow, office=office, flow=flow, parameters=parameters, actor=actor
    )
    uow.commit()
    return saved
