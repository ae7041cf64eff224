"""Queries of post-entry control. Never commits.

The ranking reads released declarations in two queries: the goods items of every
declaration released in the period (the latest version, green or blue after
re-routes) with their declaration's channel and model score (:func:`released_items`),
and the history of every importer (:func:`importer_history`); completed audits
come from the cases (:func:`audit_counts`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from corridor.db.tables import (
    AlertReceiptRow,
    AlertRow,
    AuditCaseDeclarationRow,
    AuditCaseRow,
    AuditPlanItemRow,
    AuditPlanRow,
    DecisionRow,
    DeclarationRow,
    GoodsItemRow,
    ProfileRequestRow,
    RerouteRow,
    TraderHistoryRow,
)

RELEASE_CHANNELS = ("green", "blue")


@dataclass(frozen=True, slots=True)
class ReleasedItem:
    """A goods item of a released declaration, as the ranking reads it."""

    declaration_id: int
    tin: str
    channel: str
    hs_code: str
    origin: str | None
    customs_value: Decimal | None
    duties: Decimal | None
    duty_rate: Decimal | None
    net_mass_kg: Decimal | None
    gross_mass_kg: Decimal | None
    supplementary_qty: Decimal | None
    supplementary_unit: str | None
    model_score: str | None


@dataclass(frozen=True, slots=True)
class ScopedDeclaration:
    """A declaration version in (or for) a case's scope."""

    declaration_id: int
    number: str
    version: int
    office: str
    registered_at: datetime
    importer: str | None
    declarant: str
    customs_value: Decimal | None
    channel: str | None


def add(session: Session, row: object) -> None:
    """Stage a new row and give it its id."""
    session.add(row)
    session.flush()


def flush(session: Session) -> None:
    """Write staged changes (a unique key breaks here, not at commit)."""
    session.flush()


# --------------------------------------------------------------------------- ranking


def _current_channel() -> tuple[Any, Any]:
    """(the channel after re-routes, the subquery of each decision's last re-route)."""
    last = (
        select(RerouteRow.decision_id, func.max(RerouteRow.id).label("last_id"))
        .group_by(RerouteRow.decision_id)
        .subquery()
    )
    return last, func.coalesce(RerouteRow.to_channel, DecisionRow.channel)


def _latest() -> ColumnElement[bool]:
    later = aliased(DeclarationRow)
    return ~exists().where(
        later.number == DeclarationRow.number, later.version > DeclarationRow.version
    )


def _released(
    query: Select[Any],
    *,
    start: datetime,
    end: datetime,
    offices: frozenset[str] | None,
    channels: Sequence[str],
) -> Select[Any]:
    last, channel = _current_channel()
    query = (
        query.join(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
        .outerjoin(last, last.c.decision_id == DecisionRow.id)
        .outerjoin(RerouteRow, RerouteRow.id == last.c.last_id)
        .where(
            DeclarationRow.registered_at >= start,
            DeclarationRow.registered_at < end,
            channel.in_(channels),
            _latest(),
        )
    )
    if offices is not None:
        query = query.where(DeclarationRow.office.in_(sorted(offices)))
    return query


def released_items(
    session: Session, *, start: datetime, end: datetime, offices: frozenset[str] | None
) -> list[ReleasedItem]:
    """The goods items of the import declarations registered in [start, end) at
    ``offices`` (None: all) and released green or blue (after re-routes), latest versions."""
    _last, channel = _current_channel()
    query = select(
        DeclarationRow.id,
        DeclarationRow.importer,
        channel,
        GoodsItemRow.hs_code,
        GoodsItemRow.origin,
        GoodsItemRow.customs_value,
        GoodsItemRow.duties,
        GoodsItemRow.duty_rate,
        GoodsItemRow.net_mass_kg,
        GoodsItemRow.gross_mass_kg,
        GoodsItemRow.supplementary_qty,
        GoodsItemRow.supplementary_unit,
        # The active model's declaration score, a decimal string (absent: no model).
        DecisionRow.detail[("model", "score")].as_string(),
    ).select_from(DeclarationRow)
    query = _released(
        query.join(GoodsItemRow, GoodsItemRow.declaration_id == DeclarationRow.id).where(
            DeclarationRow.flow == "IM", DeclarationRow.importer.is_not(None)
        ),
        start=start,
        end=end,
        offices=offices,
        channels=RELEASE_CHANNELS,
    )
    return [ReleasedItem(*row) for row in session.execute(query)]


def importer_history(session: Session) -> list[tuple[str, int, int]]:
    """(TIN, inspections, discrepancies) of every importer trader history knows."""
    rows = session.execute(
        select(
            TraderHistoryRow.tin, TraderHistoryRow.inspections, TraderHistoryRow.discrepancies
        ).where(TraderHistoryRow.role == "importer")
    )
    return [(tin, int(inspections), int(found)) for tin, inspections, found in rows]


def audit_counts(session: Session) -> list[tuple[str, int, int]]:
    """(TIN, completed audit cases, of which found a discrepancy) per audited trader."""
    found = AuditCaseRow.outcome == "discrepancy"
    rows = session.execute(
        select(AuditCaseRow.tin, func.count(), func.count().filter(found))
        .where(AuditCaseRow.state == "completed")
        .group_by(AuditCaseRow.tin)
    )
    return [(tin, int(done), int(hits)) for tin, done, hits in rows]


# --------------------------------------------------------------------------- plans


def plan(session: Session, plan_id: int, *, lock: bool = False) -> AuditPlanRow | None:
    """One plan (``lock``: for update, so that two edits of one plan queue up)."""
    query = select(AuditPlanRow).where(AuditPlanRow.id == plan_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def plan_for(session: Session, unit: str, first: date, last: date) -> AuditPlanRow | None:
    """The plan of a unit for exactly this period, if one exists."""
    return session.scalars(
        select(AuditPlanRow).where(
            AuditPlanRow.unit == unit,
            AuditPlanRow.period_from == first,
            AuditPlanRow.period_to == last,
        )
    ).first()


def plans(session: Session, *, state: str | None, limit: int) -> list[AuditPlanRow]:
    """Plans, the latest period first."""
    query = select(AuditPlanRow)
    if state is not None:
        query = query.where(AuditPlanRow.state == state)
    return list(
        session.scalars(
            query.order_by(AuditPlanRow.period_to.desc(), AuditPlanRow.id.desc()).limit(limit)
        )
    )


def plan_items(session: Session, plan_id: int) -> list[AuditPlanItemRow]:
    """A plan's traders, in ranking order (added ones last, in the order added)."""
    return list(
        session.scalars(
            select(AuditPlanItemRow)
            .where(AuditPlanItemRow.plan_id == plan_id)
            .order_by(AuditPlanItemRow.rank.is_(None), AuditPlanItemRow.rank, AuditPlanItemRow.id)
        )
    )


def plan_item(session: Session, plan_id: int, tin: str) -> AuditPlanItemRow | None:
    """A plan's item of one trader."""
    return session.scalars(
        select(AuditPlanItemRow).where(
            AuditPlanItemRow.plan_id == plan_id, AuditPlanItemRow.tin == tin
        )
    ).first()


def delete(session: Session, row: object) -> None:
    """Remove a row (a plan item taken out of a draft plan)."""
    session.delete(row)
    session.flush()


def item_counts(session: Session, plan_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """(items, cases) of each plan."""
    if not plan_ids:
        return {}
    items: dict[Any, Any] = dict(
        session.execute(
            select(AuditPlanItemRow.plan_id, func.count())
            .where(AuditPlanItemRow.plan_id.in_(plan_ids))
            .group_by(AuditPlanItemRow.plan_id)
        ).all()
    )
    cases: dict[Any, Any] = dict(
        session.execute(
            select(AuditCaseRow.plan_id, func.count())
            .where(AuditCaseRow.plan_id.in_(plan_ids))
            .group_by(AuditCaseRow.plan_id)
        ).all()
    )
    return {pid: (int(items.get(pid, 0)), int(cases.get(pid, 0))) for pid in plan_ids}


def cases_of_items(session: Session, item_ids: Collection[int]) -> dict[int, int]:
    """The case opened for each plan item that has one: item id -> case id."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(AuditCaseRow.plan_item_id, AuditCaseRow.id).where(
            AuditCaseRow.plan_item_id.in_(item_ids)
        )
    )
    return {int(item): int(case) for item, case in rows if item is not None}


# --------------------------------------------------------------------------- cases


def case(session: Session, case_id: int, *, lock: bool = False) -> AuditCaseRow | None:
    """One case (``lock``: for update)."""
    query = select(AuditCaseRow).where(AuditCaseRow.id == case_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def cases(
    session: Session,
    *,
    state: str | None,
    auditor: str | None,
    tin: str | None,
    plan_id: int | None,
    limit: int,
) -> list[AuditCaseRow]:
    """Cases, the latest opened first."""
    query = select(AuditCaseRow)
    if state is not None:
        query = query.where(AuditCaseRow.state == state)
    if auditor is not None:
        query = query.where(AuditCaseRow.auditor == auditor)
    if tin is not None:
        query = query.where(AuditCaseRow.tin == tin)
    if plan_id is not None:
        query = query.where(AuditCaseRow.plan_id == plan_id)
    return list(session.scalars(query.order_by(AuditCaseRow.id.desc()).limit(limit)))


def open_case_of(session: Session, tin: str) -> AuditCaseRow | None:
    """A case of the trader still planned or in progress, if any."""
    return session.scalars(
        select(AuditCaseRow).where(
            AuditCaseRow.tin == tin, AuditCaseRow.state.in_(("planned", "in_progress"))
        )
    ).first()


def blue_releases(
    session: Session,
    *,
    tin: str,
    start: datetime,
    end: datetime,
    offices: frozenset[str] | None,
) -> list[int]:
    """Ids of the trader's declarations (as importer) registered in [start, end) at
    ``offices``, released in the blue channel (after re-routes), latest versions."""
    query = select(DeclarationRow.id).where(DeclarationRow.importer == tin)
    query = _released(query, start=start, end=end, offices=offices, channels=("blue",))
    return [int(row) for row in session.scalars(query.order_by(DeclarationRow.registered_at))]


def case_declarations(session: Session, case_id: int) -> list[tuple[ScopedDeclaration, str, str]]:
    """The declarations in a case's scope, oldest registration first, each with how it was
    linked and by whom."""
    last, channel = _current_channel()
    link = AuditCaseDeclarationRow
    rows = session.execute(
        select(
            DeclarationRow.id,
            DeclarationRow.number,
            DeclarationRow.version,
            DeclarationRow.office,
            DeclarationRow.registered_at,
            DeclarationRow.importer,
            DeclarationRow.declarant,
            DeclarationRow.total_customs_value,
            channel,
            link.linked,
            link.added_by,
        )
        .select_from(link)
        .join(DeclarationRow, DeclarationRow.id == link.declaration_id)
        .outerjoin(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
        .outerjoin(last, last.c.decision_id == DecisionRow.id)
        .outerjoin(RerouteRow, RerouteRow.id == last.c.last_id)
        .where(link.case_id == case_id)
        .order_by(DeclarationRow.registered_at, DeclarationRow.id)
    )
    return [(ScopedDeclaration(*row[:9]), row[9], row[10]) for row in rows]


def case_declaration(
    session: Session, case_id: int, declaration_id: int
) -> AuditCaseDeclarationRow | None:
    """The link of a declaration to a case, if any."""
    return session.get(AuditCaseDeclarationRow, (case_id, declaration_id))


# --------------------------------------------------------------------------- alerts


def alert(session: Session, alert_id: int, *, lock: bool = False) -> AlertRow | None:
    """One alert (``lock``: for update)."""
    query = select(AlertRow).where(AlertRow.id == alert_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def alerts(session: Session, *, active_on: date | None = None, limit: int = 500) -> list[AlertRow]:
    """Alerts, the latest raised first; ``active_on``: only active ones not past their last
    day on that day (in force or still to come)."""
    query = select(AlertRow)
    if active_on is not None:
        query = query.where(AlertRow.status == "active", AlertRow.valid_to >= active_on)
    return list(session.scalars(query.order_by(AlertRow.id.desc()).limit(limit)))


def alerts_in_force(session: Session, on: date) -> list[AlertRow]:
    """The active alerts in force on a day, oldest first (few: they are instructions)."""
    return list(
        session.scalars(
            select(AlertRow)
            .where(
                AlertRow.status == "active",
                AlertRow.valid_from <= on,
                AlertRow.valid_to >= on,
            )
            .order_by(AlertRow.id)
        )
    )


def receipts(session: Session, unit: str, alert_ids: Collection[int]) -> dict[int, AlertReceiptRow]:
    """A unit's acknowledgements of the alerts, by alert id."""
    if not alert_ids:
        return {}
    rows = session.scalars(
        select(AlertReceiptRow).where(
            AlertReceiptRow.unit == unit, AlertReceiptRow.alert_id.in_(alert_ids)
        )
    )
    return {row.alert_id: row for row in rows}


def receipt(session: Session, alert_id: int, unit: str) -> AlertReceiptRow | None:
    """A unit's acknowledgement of one alert."""
    return session.get(AlertReceiptRow, (alert_id, unit))


def declaration_goods(
    session: Session, keys: Collection[tuple[str, int]]
) -> dict[tuple[str, int], tuple[str, str | None, list[tuple[str, str | None]]]]:
    """For each (number, version): (office, importer, [(hs_code, origin) of each item])."""
    numbers = sorted({number for number, _version in keys})
    if not numbers:
        return {}
    rows = session.execute(
        select(
            DeclarationRow.number,
            DeclarationRow.version,
            DeclarationRow.office,
            DeclarationRow.importer,
            GoodsItemRow.hs_code,
            GoodsItemRow.origin,
        )
        .join(GoodsItemRow, GoodsItemRow.declaration_id == DeclarationRow.id)
        .where(DeclarationRow.number.in_(numbers))
    )
    wanted = set(keys)
    found: dict[tuple[str, int], tuple[str, str | None, list[tuple[str, str | None]]]] = {}
    for number, version, office, importer, hs_code, origin in rows:
        key = (number, version)
        if key in wanted:
            found.setdefault(key, (office, importer, []))[2].append((hs_code, origin))
    return found


# --------------------------------------------------------------------------- requests


def request(session: Session, request_id: int, *, lock: bool = False) -> ProfileRequestRow | None:
    """One request to draft a profile (``lock``: for update)."""
    query = select(ProfileRequestRow).where(ProfileRequestRow.id == request_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def requests(
    session: Session, *, unit: str | None = None, settled: bool = True, limit: int = 500
) -> list[ProfileRequestRow]:
    """Requests (to ``unit`` when given), open ones first then the latest; ``settled``
    False leaves out those done or rejected."""
    query = select(ProfileRequestRow)
    if unit is not None:
        query = query.where(ProfileRequestRow.unit == unit)
    if not settled:
        query = query.where(ProfileRequestRow.status.in_(("open", "accepted")))
    waiting = ProfileRequestRow.status.in_(("open", "accepted"))
    return list(session.scalars(query.order_by(~waiting, ProfileRequestRow.id.desc()).limit(limit)))
