"""Aggregations over decisions, decision hits and inspection acts. Never commits.

Every figure is counted in the database (``GROUP BY`` with ``FILTER``ed
aggregates): the rows of a year never travel to Python. The period is on the
declaration's registration time, the office is the declaration's; an
inspection is a *current* act (the latest version of a corrected act), joined
on the declaration version the decision was made for.

Money: PostgreSQL sums NUMERIC exactly. SQLite keeps exact decimals as text
(:class:`corridor.db.types.ExactDecimal`), and its ``sum`` would go through
binary floating point; there each amount is summed as an integer count of
millionths (the column's scale), exact for amounts below 9·10⁹ and totals below
9·10¹² som.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import polars as pl
from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    and_,
    cast,
    exists,
    func,
    literal_column,
    not_,
    select,
)
from sqlalchemy.orm import Session, aliased

from corridor.db.tables import (
    DecisionHitRow,
    DecisionRow,
    DeclarationRow,
    InspectionActRow,
    ProfileVersionRow,
    RerouteRow,
)

_MICRO: Final = 1_000_000
#: Hours Kyrgyz time is ahead of UTC (the customs day; see ``schemas.CUSTOMS_TIME``).
UTC_OFFSET_HOURS: Final = 6


@dataclass(frozen=True, slots=True)
class Scope:
    """Which declarations a query reads: registered in [start, end), of ``offices``
    (None: every office)."""

    start: datetime
    end: datetime
    offices: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class ProfileCounts:
    """The counts of one profile version."""

    code: str
    version: int
    title: str
    kind: str
    risk_area: str
    matched: int
    exempt: int
    selected: int
    inspected: int
    hits: int
    additional_duties: Decimal


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """The counts of a group of selected declarations."""

    selected: int
    inspected: int
    hits: int
    additional_duties: Decimal


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _money_sum(session: Session, column: Any, where: ColumnElement[bool] | None = None) -> Any:
    """An exact sum of a money column (see the module docstring), optionally filtered."""
    if _sqlite(session):
        total = func.sum(cast(func.round(cast(column, Float) * _MICRO), Integer))
    else:
        total = func.sum(column)
    return total if where is None else total.filter(where)


def _money(session: Session, value: Any) -> Decimal:
    """A money sum as read back: millionths on SQLite, NUMERIC on PostgreSQL; 0 for none."""
    if value is None:
        return Decimal(0)
    if _sqlite(session):
        return (Decimal(int(value)) / _MICRO).normalize() + Decimal(0)
    return Decimal(str(value)).normalize() + Decimal(0)


def _customs_day(session: Session) -> Any:
    """The registration date in Kyrgyz time, computed by the database."""
    registered = DeclarationRow.registered_at
    if _sqlite(session):
        # Stored as naive UTC text; SQLite's date() shifts and truncates it.
        return func.date(registered, f"+{UTC_OFFSET_HOURS} hours")
    shifted = func.timezone("UTC", registered) + literal_column(
        f"INTERVAL '{UTC_OFFSET_HOURS} hours'"
    )
    return cast(shifted, Date)


def _in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [
        DeclarationRow.registered_at >= scope.start,
        DeclarationRow.registered_at < scope.end,
    ]
    if scope.offices is not None:
        conditions.append(DeclarationRow.office.in_(sorted(scope.offices)))
    return conditions


def profile_counts(
    session: Session, *, scope: Scope, hidden: Collection[int]
) -> list[ProfileCounts]:
    """Per profile version that matched a decision in scope: matched, exempt, selected,
    inspected (selected with a current act), hits (inspected, discrepancy found) and the
    additional duties of those inspections; not the versions whose ids are ``hidden``."""
    hit, act = DecisionHitRow, aliased(InspectionActRow)
    selected = hit.selected.is_(True)
    inspected = and_(selected, act.id.is_not(None))
    found = and_(selected, act.outcome == "discrepancy")
    query = (
        select(
            hit.profile_code,
            hit.profile_version,
            ProfileVersionRow.title,
            ProfileVersionRow.kind,
            ProfileVersionRow.risk_area,
            func.count().label("matched"),
            func.count().filter(hit.exempt.is_(True)).label("exempt"),
            func.count().filter(selected).label("selected"),
            func.count().filter(inspected).label("inspected"),
            func.count().filter(found).label("hits"),
            _money_sum(session, act.additional_duties, inspected).label("duties"),
        )
        .join(DecisionRow, DecisionRow.id == hit.decision_id)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .join(
            ProfileVersionRow,
            and_(
                ProfileVersionRow.code == hit.profile_code,
                ProfileVersionRow.version == hit.profile_version,
            ),
        )
        .outerjoin(
            act, and_(act.declaration_id == DecisionRow.declaration_id, act.current.is_(True))
        )
        .where(*_in_scope(scope))
        .group_by(
            hit.profile_code,
            hit.profile_version,
            ProfileVersionRow.title,
            ProfileVersionRow.kind,
            ProfileVersionRow.risk_area,
        )
    )
    if hidden:
        query = query.where(ProfileVersionRow.id.not_in(sorted(hidden)))
    return [
        ProfileCounts(
            code=row.profile_code,
            version=row.profile_version,
            title=row.title,
            kind=row.kind,
            risk_area=row.risk_area,
            matched=row.matched,
            exempt=row.exempt,
            selected=row.selected,
            inspected=row.inspected,
            hits=row.hits,
            additional_duties=_money(session, row.duties),
        )
        for row in session.execute(query)
    ]


def selection_groups(session: Session, *, scope: Scope) -> tuple[GroupCounts, GroupCounts]:
    """(targeted, random control): decisions in scope selected by any profile, and those
    selected at random and by no profile; each with its inspections, hits and duties."""
    act = aliased(InspectionActRow)
    targeted = DecisionRow.selected_by_profile.is_(True)
    random = and_(DecisionRow.selected_at_random.is_(True), not_(targeted))
    inspected = act.id.is_not(None)
    found = act.outcome == "discrepancy"
    columns = []
    for group in (targeted, random):
        columns += [
            func.count().filter(group),
            func.count().filter(and_(group, inspected)),
            func.count().filter(and_(group, found)),
            _money_sum(session, act.additional_duties, and_(group, inspected)),
        ]
    query = (
        select(*columns)
        .select_from(DecisionRow)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .outerjoin(
            act, and_(act.declaration_id == DecisionRow.declaration_id, act.current.is_(True))
        )
        .where(
            *_in_scope(scope),
            (DecisionRow.selected_by_profile.is_(True))
            | (DecisionRow.selected_at_random.is_(True)),
        )
    )
    row = session.execute(query).one()
    groups = [
        GroupCounts(
            selected=int(row[i] or 0),
            inspected=int(row[i + 1] or 0),
            hits=int(row[i + 2] or 0),
            additional_duties=_money(session, row[i + 3]),
        )
        for i in (0, 4)
    ]
    return groups[0], groups[1]


#: Columns of :func:`kpi_counts`: one row per office, customs day and current channel.
KPI_SCHEMA: Final[dict[str, pl.DataType | type[pl.DataType]]] = {
    "office": pl.String,
    "day": pl.Date,
    "channel": pl.String,
    "declarations": pl.Int64,
    "inspections": pl.Int64,
    "targeted_inspected": pl.Int64,
    "targeted_hits": pl.Int64,
    "random_inspected": pl.Int64,
    "random_hits": pl.Int64,
    "minutes_spent": pl.Int64,
    "additional_duties": pl.Decimal(38, 6),
    "customs_value": pl.Decimal(38, 6),
}


def _with_current_channel(query: Select[Any]) -> tuple[Select[Any], Any]:
    """``query`` (over decisions) joined with each decision's latest re-route, and the
    current channel: the latest re-route's, else the decision's."""
    latest, later = aliased(RerouteRow), aliased(RerouteRow)
    # An anti-join rather than a window function: PostgreSQL keeps the plan parallel.
    is_latest = ~exists().where(later.decision_id == latest.decision_id, later.id > latest.id)
    joined = query.outerjoin(latest, and_(latest.decision_id == DecisionRow.id, is_latest))
    return joined, func.coalesce(latest.to_channel, DecisionRow.channel)


def kpi_counts(session: Session, *, scope: Scope) -> pl.DataFrame:
    """Counts per office, customs day and current channel (the latest re-route's, else the
    decision's) of the assessed declarations in scope: declarations, current acts,
    inspections and hits of targeted and of random-control selections, minutes spent,
    additional duties, customs value. See :data:`KPI_SCHEMA`.

    Two aggregations, whose rows the caller sums: every assessed declaration (channel,
    customs value), then only those with a current act (inspections, hits, minutes,
    duties), so the pass over every declaration carries two aggregates, not ten.
    """
    day = _customs_day(session)
    declarations, channel = _with_current_channel(
        select()
        .select_from(DecisionRow)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
    )
    declared = (
        declarations.add_columns(
            DeclarationRow.office,
            day.label("day"),
            channel.label("channel"),
            func.count(),
            _money_sum(session, DeclarationRow.total_customs_value),
        )
        .where(*_in_scope(scope))
        .group_by(DeclarationRow.office, day, channel)
    )
    zero = Decimal(0)
    rows = [
        (office, _as_date(found_day), found_channel, count, 0, 0, 0, 0, 0, 0, zero,
         _money(session, value))
        for office, found_day, found_channel, count, value in session.execute(declared)
    ]  # fmt: skip

    act = aliased(InspectionActRow)
    acts, channel = _with_current_channel(
        select()
        .select_from(act)
        .join(DecisionRow, DecisionRow.declaration_id == act.declaration_id)
        .join(DeclarationRow, DeclarationRow.id == act.declaration_id)
    )
    targeted = DecisionRow.selected_by_profile.is_(True)
    random = and_(DecisionRow.selected_at_random.is_(True), not_(targeted))
    found = act.outcome == "discrepancy"
    inspected = (
        acts.add_columns(
            DeclarationRow.office,
            day.label("day"),
            channel.label("channel"),
            func.count(),
            func.count().filter(targeted),
            func.count().filter(and_(targeted, found)),
            func.count().filter(random),
            func.count().filter(and_(random, found)),
            func.sum(act.minutes_spent),
            _money_sum(session, act.additional_duties),
        )
        .where(act.current.is_(True), *_in_scope(scope))
        .group_by(DeclarationRow.office, day, channel)
    )
    rows += [
        (office, _as_date(found_day), found_channel, 0, int(count), int(t_inspected),
         int(t_hits), int(r_inspected), int(r_hits), int(minutes or 0),
         _money(session, duties), zero)
        for (office, found_day, found_channel, count, t_inspected, t_hits, r_inspected, r_hits,
             minutes, duties) in session.execute(inspected)
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=KPI_SCHEMA, orient="row")


def _as_date(value: Any) -> date:
    """A day as the database returns it (a date on PostgreSQL, ISO text on SQLite)."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
