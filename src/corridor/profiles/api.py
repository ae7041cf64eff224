"""HTTP routes: measures, reference lists, risk profiles, office parameters.

Every route names its action in the permission matrix; the signed-in user is
the actor of every change (profiles' four-eyes rule compares these names).
What a role may see of a profile or list is decided in :mod:`.access`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, status

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.profiles import access, service
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
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1", tags=["profiles"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]


# Versions are stored as 32-bit integers.
VersionQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1)]

# The caller, allowed the route's action by the permission matrix.
MeasureWriter = Annotated[Principal, Depends(authorize(Action.MEASURES_WRITE))]
ListReader = Annotated[Principal, Depends(authorize(Action.LISTS_READ))]
ListWriter = Annotated[Principal, Depends(authorize(Action.LISTS_WRITE))]
ProfileReader = Annotated[Principal, Depends(authorize(Action.PROFILES_READ))]
ProfileWriter = Annotated[Principal, Depends(authorize(Action.PROFILES_WRITE))]
ProfileSubmitter = Annotated[Principal, Depends(authorize(Action.PROFILES_SUBMIT))]
ProfileDecider = Annotated[Principal, Depends(authorize(Action.PROFILES_DECIDE))]
ParameterReader = Annotated[Principal, Depends(authorize(Action.PARAMETERS_READ))]
ParameterWriter = Annotated[Principal, Depends(authorize(Action.PARAMETERS_WRITE))]


# --------------------------------------------------------------------------- measures


@router.get(
    "/measures",
    response_model=list[MeasureRead],
    tags=["measures"],
    dependencies=[Depends(authorize(Action.REFERENCE_READ))],
)
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
def create_measure(measure_in: MeasureCreate, uow: Committed, who: MeasureWriter) -> MeasureRead:
    """Add a measure to the catalogue."""
    return service.create_measure(uow=uow, measure_in=measure_in, actor=who.username)


@router.put(
    "/measures/{code}", response_model=MeasureRead, responses=ERROR_RESPONSES, tags=["measures"]
)
def update_measure(
    code: str, measure_in: MeasureUpdate, uow: Committed, who: MeasureWriter
) -> MeasureRead:
    """Change a measure's name, channel or description."""
    return service.update_measure(uow=uow, code=code, measure_in=measure_in, actor=who.username)


@router.delete(
    "/measures/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
    tags=["measures"],
)
def delete_measure(code: str, uow: Committed, who: MeasureWriter) -> None:
    """Remove a measure no profile version uses (409 otherwise)."""
    service.delete_measure(uow=uow, code=code, actor=who.username)


# --------------------------------------------------------------------------- lists


@router.get("/lists", response_model=list[ReferenceListRead], tags=["lists"])
def list_lists(uow: UoW, who: ListReader) -> list[ReferenceListRead]:
    """Every named list the caller may see (without entries)."""
    return [n for n in service.list_lists(uow=uow) if access.can_see_list(who, n.confidential)]


@router.post(
    "/lists",
    response_model=ReferenceListRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
    tags=["lists"],
)
def create_list(list_in: ReferenceListCreate, uow: Committed, who: ListWriter) -> ReferenceListRead:
    """Create a named list with its first entries."""
    access.check_list_write(who, list_in.confidential, existing=False)
    return service.create_list(uow=uow, list_in=list_in, actor=who.username)


@router.get(
    "/lists/{name}", response_model=ReferenceListRead, responses=ERROR_RESPONSES, tags=["lists"]
)
def get_list(
    name: str, uow: UoW, who: ListReader, version: VersionQuery = None
) -> ReferenceListRead:
    """A list with its entries (the current version unless asked)."""
    return access.shown_list(who, service.get_list(uow=uow, name=name, version=version))


@router.put(
    "/lists/{name}", response_model=ReferenceListRead, responses=ERROR_RESPONSES, tags=["lists"]
)
def replace_entries(
    name: ListName, entries_in: ReferenceListEntries, uow: Committed, who: ListWriter
) -> ReferenceListRead:
    """A new version of the list's entries."""
    _check_list_write(uow, who, name)
    return service.replace_entries(
        uow=uow,
        name=name,
        entries=entries_in.entries,
        comment=entries_in.comment,
        actor=who.username,
    )


@router.post(
    "/lists/{name}/csv",
    response_model=ReferenceListRead,
    responses=ERROR_RESPONSES,
    tags=["lists"],
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def upload_csv(
    name: ListName,
    uow: Committed,
    who: ListWriter,
    body: Annotated[str, Body(media_type="text/csv")],
    comment: Annotated[str, Query(max_length=2000)] = "",
) -> ReferenceListRead:
    """Bulk upload: CSV whose header names the list's key fields; becomes a new version."""
    current = _check_list_write(uow, who, name)
    entries = service.parse_list_csv(name=name, text=body, key_fields=current.key_fields)
    return service.replace_entries(
        uow=uow, name=name, entries=entries, comment=comment or "CSV upload", actor=who.username
    )


def _check_list_write(uow: UnitOfWork, who: Principal, name: str) -> ReferenceListRead:
    current = service.get_list(uow=uow, name=name)
    access.check_list_write(who, current.confidential, existing=True)
    return current


# --------------------------------------------------------------------------- profiles


@router.post("/profiles/validate", response_model=CriteriaResult)
def validate_criteria(check: CriteriaCheck, uow: UoW, who: ProfileWriter) -> CriteriaResult:
    """Check criteria against the facts and the current lists; nothing is saved."""
    return service.check_criteria(
        uow=uow, criteria=check.criteria, confidential_lists=who.can(Action.INTELLIGENCE_READ)
    )


@router.get("/profiles", response_model=list[ProfileRead])
def list_profiles(
    uow: UoW,
    who: ProfileReader,
    status: ProfileStatus | None = None,
    kind: ProfileKind | None = None,
) -> list[ProfileRead]:
    """The latest version of every profile, or every version in a state (criteria only
    for roles cleared to see them; target profiles only for intelligence)."""
    return access.shown_profiles(who, service.list_profiles(uow=uow, status=status, kind=kind))


@router.post(
    "/profiles",
    response_model=ProfileRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def create_profile(profile_in: ProfileCreate, uow: Committed, who: ProfileWriter) -> ProfileRead:
    """Draft version 1 of a new profile (criteria checked; errors give line and column)."""
    access.check_profile_write(who, profile_in, existing=None)
    return service.create_profile(
        uow=uow,
        profile_in=profile_in,
        actor=who.username,
        confidential_lists=who.can(Action.INTELLIGENCE_READ),
    )


@router.get("/profiles/{code}", response_model=ProfileRead, responses=ERROR_RESPONSES)
def get_profile(
    code: str, uow: UoW, who: ProfileReader, version: VersionQuery = None
) -> ProfileRead:
    """A profile version with its journal (the latest unless asked)."""
    return access.shown_profile(who, service.get_profile(uow=uow, code=code, version=version))


@router.put("/profiles/{code}", response_model=ProfileRead, responses=ERROR_RESPONSES)
def edit_profile(code: str, draft: ProfileDraft, uow: Committed, who: ProfileWriter) -> ProfileRead:
    """Edit a draft in place, or draft a new version of an approved or active profile."""
    existing = service.get_profile(uow=uow, code=code)
    access.check_profile_write(who, draft, existing=existing)
    return service.edit_profile(
        uow=uow,
        code=code,
        draft=draft,
        actor=who.username,
        confidential_lists=who.can(Action.INTELLIGENCE_READ),
    )


@router.post(
    "/profiles/{code}/versions/{version}/submit",
    response_model=ProfileRead,
    responses=ERROR_RESPONSES,
)
def submit_profile(
    code: str,
    version: VersionPath,
    uow: Committed,
    who: ProfileSubmitter,
    transition_in: TransitionIn | None = None,
) -> ProfileRead:
    """Submit a draft for approval."""
    return _transition(uow, who, code, version, "submit", transition_in)


@router.post(
    "/profiles/{code}/versions/{version}/{action}",
    response_model=ProfileRead,
    responses=ERROR_RESPONSES,
)
def decide_profile(
    code: str,
    version: VersionPath,
    action: Literal["reject", "approve", "activate", "suspend", "resume", "retire"],
    uow: Committed,
    who: ProfileDecider,
    transition_in: TransitionIn | None = None,
) -> ProfileRead:
    """Lifecycle: reject, approve (never by the author), activate, suspend, resume, retire."""
    return _transition(uow, who, code, version, action, transition_in)


def _transition(
    uow: UnitOfWork,
    who: Principal,
    code: str,
    version: VersionPath,
    action: str,
    transition_in: TransitionIn | None,
) -> ProfileRead:
    access.check_profile_transition(who, service.get_profile(uow=uow, code=code, version=version))
    profile = service.transition(
        uow=uow,
        code=code,
        version=version,
        action=action,
        actor=who.username,
        comment=transition_in.comment if transition_in else "",
    )
    return access.shown_profile(who, profile)


# --------------------------------------------------------------------------- office parameters


@router.get(
    "/office-parameters", response_model=list[OfficeParametersRead], tags=["office parameters"]
)
def list_office_parameters(uow: UoW, who: ParameterReader) -> list[OfficeParametersRead]:
    """Random control rates and floors of every office and flow."""
    return service.list_office_parameters(uow=uow)


@router.put(
    "/office-parameters/{office}/{flow}",
    response_model=OfficeParametersRead,
    responses=ERROR_RESPONSES,
    tags=["office parameters"],
)
def set_office_parameters(
    office: OfficeCode,
    flow: FlowCode,
    parameters: OfficeParametersIn,
    uow: Committed,
    who: ParameterWriter,
) -> OfficeParametersRead:
    """Set the random control rates (percent per channel) and floor of an office and flow."""
    return service.set_office_parameters(
        uow=uow, office=office, flow=flow, parameters=parameters, actor=who.username
    )
