"""Queries over trader history. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Integer, case, cast, delete, distinct, func, insert, select
from sqlalchemy.orm import Session

from corridor.db.tables import DeclarationRow, InspectionActRow, TraderHistoryRow

#: Additional duties are summed in millionths (the columns' scale) on SQLite, which would
#: otherwise add decimal text as binary floats; exact for any act below 9 × 10⁹ som.
_MICRO = 1_000_000


def history(session: Session, tin: str, role: str) -> TraderHistoryRow | None:
    """The history of one trader in one role (one query by primary key)."""
    return session.get(TraderHistoryRow, (tin, role))


def aggregate(session: Session, role: str) -> list[dict[str, Any]]:
    """History of every trader in ``role`` (``importer`` or ``declarant``), aggregated in SQL
    from declarations and their current inspection acts; one dict per TIN (no
    ``refreshed_at``)."""
    declaration, act = DeclarationRow, InspectionActRow
    tin = declaration.importer if role == "importer" else declaration.declarant
    found = act.outcome == "discrepancy"
    if session.get_bind().dialect.name == "sqlite":
        duties: Any = func.sum(
            cast(func.round(cast(act.additional_duties, Float) * _MICRO), Integer)
        )
    else:
        duties = func.sum(act.additional_duties)
    query = (
        select(
            tin,
            func.count(distinct(declaration.number)),
            func.count(distinct(case((act.id.is_not(None), declaration.number)))),
            func.count(distinct(case((found, declaration.number)))),
            duties,
            func.min(declaration.registered_at),
            func.max(declaration.registered_at),
            func.max(act.inspected_at),
            func.max(case((found, act.inspected_at))),
        )
        .select_from(declaration)
        # At most one current act per declaration version: the join adds no rows.
        .outerjoin(act, (act.declaration_id == declaration.id) & act.current.is_(True))
        .where(tin.is_not(None))
        .group_by(tin)
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    rows = []
    for name, declared, inspected, discrepant, due, first, last, checked, caught in session.execute(
        query
    ):
        if due is None:
            due = Decimal(0)
        elif sqlite:
            due = Decimal(int(due)) / _MICRO
        rows.append(
            {
                "tin": name,
                "role": role,
                "declarations": int(declared),
                "inspections": int(inspected),
                "discrepancies": int(discrepant),
                "additional_duties": Decimal(due),
                "first_seen": _day(first),
                "last_seen": _day(last),
                "last_inspection": _day(checked),
                "last_discrepancy": _day(caught),
            }
        )
    return rows


def replace_all(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the whole history with ``rows`` (in the caller's transaction)."""
    session.execute(delete(TraderHistoryRow))
    if rows:
        session.execute(insert(TraderHistoryRow), list(rows))


def _day(moment: datetime | None) -> date | None:
    """The UTC day of an instant (aggregates may come back naive on SQLite: UTC)."""
    if moment is None:
        return None
    if isinstance(moment, str):  # an aggregate SQLite returned untyped
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()
