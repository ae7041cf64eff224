"""Queries over inspection acts and the inspection queue. Never commits.

Acts are inserted and never edited, with one exception: :func:`supersede` sets
``current = False`` on the version a correction replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from corridor.db.tables import DecisionRow, DeclarationRow, InspectionActRow, RerouteRow

_INSPECTION_CHANNELS = ("red", "yellow")


@dataclass(frozen=True, slots=True)
class ActFilters:
    """Filters of the act listing; None means no filter."""

    declaration_number: str | None = None
    office: str | None = None
    outcome: str | None = None
    inspected_from: datetime | None = None  # inclusive
    inspected_to: datetime | None = None  # exclusive
    # Corrected (superseded) versions too, not only the current one of each declaration.
    all_versions: bool = False
    # The caller's data scope: only these offices (None: every office).
    scope: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class StoredAct:
    """An act row with the number and version of its declaration."""

    row: InspectionActRow
    declaration_number: str
    declaration_version: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A declaration version waiting for its act, with its decision's detail."""

    declaration_id: int
    number: str
    version: int
    office: str
    registered_at: datetime
    channel: str
    rerouted: bool
    detail: dict[str, Any]


def add(session: Session, row: InspectionActRow) -> None:
    """Stage a new act and give it its id (a second act version 1 fails here, not at commit)."""
    session.add(row)
    session.flush()


def supersede(session: Session, row: InspectionActRow) -> None:
    """Mark an act version as replaced by a correction: the only change an act row sees."""
    row.current = False
    session.flush()


def current_act(session: Session, declaration_id: int) -> InspectionActRow | None:
    """The current act of a declaration version, if one was recorded."""
    return session.scalars(
        select(InspectionActRow).where(
            InspectionActRow.declaration_id == declaration_id, InspectionActRow.current.is_(True)
        )
    ).first()


def act(session: Session, act_id: int) -> StoredAct | None:
    """One act version by id."""
    found = session.execute(
        select(InspectionActRow, DeclarationRow.number, DeclarationRow.version)
        .join(DeclarationRow, DeclarationRow.id == InspectionActRow.declaration_id)
        .where(InspectionActRow.id == act_id)
    ).first()
    return None if found is None else StoredAct(found[0], found[1], found[2])


def acts_page(
    session: Session, filters: ActFilters, *, before_id: int | None, limit: int
) -> list[StoredAct]:
    """Acts matching ``filters``, newest first, with ids below ``before_id``."""
    query = select(InspectionActRow, DeclarationRow.number, DeclarationRow.version).join(
        DeclarationRow, DeclarationRow.id == InspectionActRow.declaration_id
    )
    if not filters.all_versions:
        query = query.where(InspectionActRow.current.is_(True))
    if filters.declaration_number is not None:
        query = query.where(DeclarationRow.number == filters.declaration_number)
    if filters.office is not None:
        query = query.where(InspectionActRow.office == filters.office)
    if filters.outcome is not None:
        query = query.where(InspectionActRow.outcome == filters.outcome)
    if filters.inspected_from is not None:
        query = query.where(InspectionActRow.inspected_at >= filters.inspected_from)
    if filters.inspected_to is not None:
        query = query.where(InspectionActRow.inspected_at < filters.inspected_to)
    if filters.scope is not None:
        query = query.where(InspectionActRow.office.in_(sorted(filters.scope)))
    if before_id is not None:
        query = query.where(InspectionActRow.id < before_id)
    rows = session.execute(query.order_by(InspectionActRow.id.desc()).limit(limit))
    return [StoredAct(row, number, version) for row, number, version in rows]


def queue_page(
    session: Session,
    *,
    scope: frozenset[str] | None,
    after: tuple[datetime, int] | None,
    limit: int,
    registered_from: datetime | None = None,
) -> list[QueueRow]:
    """Latest declaration versions whose channel after re-routes is red or yellow and that
    have no act, oldest registration first, after the (registered_at, id) ``after``.

    The query walks the declarations of the scope in registration order until it has
    ``limit`` rows, so its cost grows with the history before the oldest one waiting;
    ``registered_from`` (inclusive) bounds that walk.
    """
    last = (
        select(RerouteRow.decision_id, func.max(RerouteRow.id).label("last_id"))
        .group_by(RerouteRow.decision_id)
        .subquery()
    )
    later = aliased(DeclarationRow)
    channel = func.coalesce(RerouteRow.to_channel, DecisionRow.channel)
    query = (
        select(
            DeclarationRow.id,
            DeclarationRow.number,
            DeclarationRow.version,
            DeclarationRow.office,
            DeclarationRow.registered_at,
            channel,
            RerouteRow.id,
            DecisionRow.detail,
        )
        .join(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
        .outerjoin(last, last.c.decision_id == DecisionRow.id)
        .outerjoin(RerouteRow, RerouteRow.id == last.c.last_id)
        # The first condition lets the database use the index on decisions.channel for
        # the many declarations never re-routed; the second is the rule itself.
        .where(
            or_(DecisionRow.channel.in_(_INSPECTION_CHANNELS), RerouteRow.id.is_not(None)),
            channel.in_(_INSPECTION_CHANNELS),
            ~exists().where(InspectionActRow.declaration_id == DeclarationRow.id),
            # An amended declaration is inspected in its latest version.
            ~exists().where(
                later.number == DeclarationRow.number, later.version > DeclarationRow.version
            ),
        )
    )
    if scope is not None:
        query = query.where(DeclarationRow.office.in_(sorted(scope)))
    if registered_from is not None:
        query = query.where(DeclarationRow.registered_at >= registered_from)
    if after is not None:
        registered_at, declaration_id = after
        query = query.where(
            or_(
                DeclarationRow.registered_at > registered_at,
                and_(
                    DeclarationRow.registered_at == registered_at,
                    DeclarationRow.id > declaration_id,
                ),
            )
        )
    rows = session.execute(
        query.order_by(DeclarationRow.registered_at, DeclarationRow.id).limit(limit)
    )
    return [
        QueueRow(
            declaration_id=row_id,
            number=number,
            version=version,
            office=office,
            registered_at=registered_at,
            channel=current,
            rerouted=reroute_id is not None,
            detail=detail,
        )
        for row_id, number, version, office, registered_at, current, reroute_id, detail in rows
    ]
