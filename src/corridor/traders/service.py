"""Trader history use cases: refresh it from declarations and inspection acts, read it.

History is derived data, rebuilt whole by each refresh (one transaction: readers
see the old history or the new, never half). It is read afresh by every
assessment (one query by primary key), so a refresh needs no generation bump:
the next declaration already sees it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.traders import repository
from corridor.traders.schemas import (
    TRADER_ROLES,
    HistoryRefreshRead,
    TraderHistoryRead,
    TraderRole,
)


def refresh_history(*, uow: UnitOfWork, actor: str) -> HistoryRefreshRead:
    """Rebuild every trader's history (importers and declarants) by SQL aggregation over
    declarations and current inspection acts, and journal it (no commit)."""
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for role in TRADER_ROLES:
        found = repository.aggregate(uow.session, role)
        counts[role] = len(found)
        rows.extend({**row, "refreshed_at": now} for row in found)
    repository.replace_all(uow.session, rows)
    result = HistoryRefreshRead(
        importers=counts["importer"], declarants=counts["declarant"], refreshed_at=now
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_history.refresh",
        object_type="trader_history",
        object_id="all",
        after={"importers": result.importers, "declarants": result.declarants},
        at=now,
    )
    return result


def history_of(*, uow: UnitOfWork, tin: str, role: TraderRole) -> TraderHistoryRead | None:
    """The history of one trader in one role, or None when history does not know it
    (never seen in that role as of the last refresh, or never refreshed)."""
    row = repository.history(uow.session, tin, role)
    return None if row is None else TraderHistoryRead.model_validate(row)
