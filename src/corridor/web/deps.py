"""Dependencies and shapes shared by every HTTP route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel

from corridor.db.uow import UnitOfWork
from corridor.web.state import app_state


class ErrorItem(BaseModel):
    """One offending field."""

    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    """Every error response: a type, a sentence, and the offending fields if any."""

    type: str
    detail: str
    errors: list[ErrorItem] = []


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """A unit of work for one request; the route commits (services never do)."""
    factory = app_state(request).session_factory
    with UnitOfWork(factory) as uow:
        yield uow


def committing_unit_of_work(
    uow: Annotated[UnitOfWork, Depends(unit_of_work)],
) -> Iterator[UnitOfWork]:
    """The request's unit of work, committed when the route returns; a route that raises
    leaves it uncommitted (rolled back). Use it as :data:`Committed`: its scope makes the
    commit happen before the response is sent, so that a failed commit is the answer."""
    yield uow
    uow.commit()


#: A route's unit of work that commits on success (the route writes no ``uow.commit()``).
Committed = Annotated[UnitOfWork, Depends(committing_unit_of_work, scope="function")]


#: The error responses most routes document (OpenAPI), typed as FastAPI expects.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "not found"},
    409: {"model": ErrorBody, "description": "conflicts with what is stored"},
    422: {"model": ErrorBody, "description": "invalid input; every field is listed"},
}
