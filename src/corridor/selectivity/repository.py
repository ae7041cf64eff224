"""Queries over decisions, re-routes and the selectivity generation. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from corridor.db.tables import (
    DecisionHitRow,
    DecisionRow,
    DeclarationRow,
    RerouteRow,
    SelectivityStateRow,
)


def generation(session: Session) -> int:
    """The generation counter of the active profile set."""
    value = session.scalar(
        select(SelectivityStateRow.generation).where(SelectivityStateRow.id == 1)
    )
    return int(value or 0)


def decision_for(session: Session, declaration_id: int) -> DecisionRow | None:
    """The decision of a declaration version, if assessed."""
    return session.scalars(
        select(DecisionRow).where(DecisionRow.declaration_id == declaration_id)
    ).first()


_DECISIONS: Table = DecisionRow.__table__  # type: ignore[assignment]
_DECISION_HITS: Table = DecisionHitRow.__table__  # type: ignore[assignment]
_DECISION_FIELDS = tuple(column.key for column in _DECISIONS.columns if column.key != "id")
# Built once: the busiest statements of the system (one decision per submission).
_INSERT_DECISION = insert(_DECISIONS).returning(_DECISIONS.c.id)
_INSERT_HITS = insert(_DECISION_HITS)


def insert_decision(session: Session, row: DecisionRow, hits: Sequence[dict[str, Any]]) -> None:
    """Write a new decision and its hit rows, and give ``row`` its id. The row stays out of
    the session (decisions are never changed): two plain inserts, no unit-of-work flush."""
    values = {name: getattr(row, name) for name in _DECISION_FIELDS}
    row.id = int(session.execute(_INSERT_DECISION, values).scalar_one())
    if hits:
        session.execute(_INSERT_HITS, [{**hit, "decision_id": row.id} for hit in hits])


def add(session: Session, row: object) -> None:
    """Stage a new row and give it its id."""
    session.add(row)
    session.flush()


def reroutes(session: Session, decision_id: int) -> list[RerouteRow]:
    """Re-routes of a decision, oldest first."""
    return list(
        session.scalars(
            select(RerouteRow).where(RerouteRow.decision_id == decision_id).order_by(RerouteRow.id)
        )
    )


def current_channels(session: Session, declaration_ids: Sequence[int]) -> dict[int, str]:
    """The channel after re-routes of each assessed declaration version among the ids."""
    if not declaration_ids:
        return {}
    last = (
        select(RerouteRow.decision_id, func.max(RerouteRow.id).label("last_id"))
        .join(DecisionRow, DecisionRow.id == RerouteRow.decision_id)
        .where(DecisionRow.declaration_id.in_(declaration_ids))
        .group_by(RerouteRow.decision_id)
        .subquery()
    )
    channel = func.coalesce(RerouteRow.to_channel, DecisionRow.channel)
    rows = session.execute(
        select(DecisionRow.declaration_id, channel)
        .outerjoin(last, last.c.decision_id == DecisionRow.id)
        .outerjoin(RerouteRow, RerouteRow.id == last.c.last_id)
        .where(DecisionRow.declaration_id.in_(declaration_ids))
    )
    return {int(row[0]): str(row[1]) for row in rows}


def recent_red_rate(session: Session, office: str, flow: str, window: int) -> Decimal | None:
    """Percent of the last ``window`` decisions of an office and flow that went red."""
    channels = list(
        session.scalars(
            select(DecisionRow.channel)
            .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
            .where(DeclarationRow.office == office, DeclarationRow.flow == flow)
            .order_by(DecisionRow.id.desc())
            .limit(window)
        )
    )
    if not channels:
        return None
    return Decimal(100 * sum(1 for c in channels if c == "red")) / len(channels)


def unassessed_ids(session: Session, limit: int) -> list[int]:
    """Declaration versions without a decision, oldest first."""
    return list(
        session.scalars(
            select(DeclarationRow.id)
            .outerjoin(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
            .where(DecisionRow.id.is_(None))
            .order_by(DeclarationRow.id)
            .limit(limit)
        )
    )
