"""HTTP routes to read declarations (``/api/v1/declarations``).

Submission (``POST``) is in ``corridor.selectivity.api``: it stores and assesses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.declarations import service
from corridor.declarations.repository import ListFilters
from corridor.declarations.schemas import DeclarationPage, DeclarationRead, Flow
from corridor.web.deps import ErrorBody, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1/declarations", tags=["declarations"])

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[Principal, Depends(authorize(Action.DECLARATIONS_READ))]


@router.get(
    "/{number:path}",
    response_model=DeclarationRead,
    responses={404: {"model": ErrorBody}},
)
def read_declaration(
    number: str,
    uow: UoW,
    principal: Reader,
    version: Annotated[int | None, Query(ge=1, le=999, description="default: the latest")] = None,
) -> DeclarationRead:
    """One declaration: the latest version, or the one asked for."""
    return service.get(uow=uow, number=number, version=version, scope=principal.offices)


@router.get("", response_model=DeclarationPage, responses={422: {"model": ErrorBody}})
def list_declarations(
    uow: UoW,
    principal: Reader,
    office: Annotated[str | None, Query(max_length=17)] = None,
    flow: Flow | None = None,
    importer: Annotated[str | None, Query(max_length=40)] = None,
    number: Annotated[str | None, Query(max_length=40)] = None,
    registered_from: Annotated[
        datetime | None, Query(description="inclusive, ISO 8601 with time zone")
    ] = None,
    registered_to: Annotated[
        datetime | None, Query(description="exclusive, ISO 8601 with time zone")
    ] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> DeclarationPage:
    """Stored declaration versions of the caller's offices, newest first, filtered and
    paginated by cursor."""
    filters = ListFilters(
        office=office,
        flow=flow,
        importer=importer,
        number=number,
        registered_from=registered_from,
        registered_to=registered_to,
        scope=principal.offices,
    )
    return service.list_declarations(uow=uow, filters=filters, cursor=cursor, limit=limit)
