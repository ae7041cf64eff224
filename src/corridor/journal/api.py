"""HTTP routes to read the journal and verify its hash chain (``/api/v1/journal``).

Both need ``journal.read``. Entries about intelligence material (target
profiles, confidential lists) are shown only to callers also cleared for
``intelligence.read``; to others they are as if absent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.journal import service
from corridor.journal.schemas import JournalPage, VerificationRead
from corridor.web.deps import ERROR_RESPONSES, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1", tags=["journal"])

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
JournalReader = Annotated[Principal, Depends(authorize(Action.JOURNAL_READ))]


@router.get("/journal", response_model=JournalPage, responses=ERROR_RESPONSES)
def list_entries(
    uow: UoW,
    who: JournalReader,
    # Caps follow the columns: a longer value cannot match anything stored.
    actor: Annotated[str | None, Query(max_length=60)] = None,
    action: Annotated[str | None, Query(max_length=60, description="e.g. profile.approve")] = None,
    object_type: Annotated[
        str | None, Query(max_length=40, description="e.g. profile, list, measure")
    ] = None,
    object_id: Annotated[str | None, Query(max_length=200, description="e.g. NAT-1/2")] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="inclusive, ISO 8601 with time zone")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="exclusive, ISO 8601 with time zone")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=18, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> JournalPage:
    """Journal entries, newest first, filtered and paginated by cursor (confidential
    entries only for callers cleared for intelligence; profile criteria and rationale
    only for callers cleared for criteria)."""
    page = service.entries(
        uow=uow,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        include_confidential=who.can(Action.INTELLIGENCE_READ),
        cursor=cursor,
        limit=limit,
    )
    if who.can(Action.PROFILES_CRITERIA):
        return page
    return page.model_copy(update={"items": [service.without_criteria(e) for e in page.items]})


@router.get("/journal/verify", response_model=VerificationRead, responses=ERROR_RESPONSES)
def verify(uow: UoW, who: JournalReader) -> VerificationRead:
    """Walk the whole hash chain; report the first entry that does not hold (if any)."""
    result = service.verify(uow=uow)
    return VerificationRead(
        ok=result.ok,
        entries=result.entries,
        last_seq=result.last_seq,
        broken_at=result.broken_at,
        reason=result.reason,
    )
