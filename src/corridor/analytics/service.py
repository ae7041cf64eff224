"""Feedback statistics: profile effectiveness and the administration's key figures.

Read-only use cases; nothing here writes or commits.

* :func:`profile_effectiveness`: per profile version, for a period and
  optionally an office, what it matched, selected, what the inspections of its
  selections found (hit rate with its 95 % Wilson interval, false-positive
  rate, additional duties), and its *lift*: its hit rate over the random
  control group's (declarations selected at random and by no profile), with
  the 95 % Katz interval.
* :func:`kpis`: channel shares per office and day, the physical inspection
  rate, targeted and random hit rates and their ratio, additional duties per
  inspection, the share of customs value released green, inspections per
  officer-hour; per office and for every office together.

``scope`` is the caller's data scope (the offices of their unit, None for all):
it restricts every figure, the random control group included. Intelligence
profiles (targets, and profiles reading confidential lists) are left out by the
edge for callers without the clearance (``hidden``).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from corridor.analytics import repository, stats
from corridor.analytics.schemas import (
    CHANNELS,
    ChannelDay,
    HitRate,
    KpiReport,
    LiftRead,
    OfficeKpis,
    ProfileEffectiveness,
    ProfileReport,
    ReportPeriod,
    SelectionGroup,
)
from corridor.db.uow import UnitOfWork

_CENT = Decimal("0.01")


def _offices(office: str | None, scope: frozenset[str] | None) -> frozenset[str] | None:
    """The offices a report reads: the one asked for, within the caller's scope."""
    if office is None:
        return scope
    return frozenset({office}) & scope if scope is not None else frozenset({office})


def _scope(
    period: ReportPeriod, office: str | None, scope: frozenset[str] | None
) -> repository.Scope:
    return repository.Scope(start=period.start, end=period.end, offices=_offices(office, scope))


def hit_rate(hits: int, inspected: int) -> HitRate:
    """Hits of inspections with the 95 % Wilson interval (None when nothing was inspected)."""
    interval = stats.wilson_interval(hits, inspected)
    low, high = interval if interval is not None else (None, None)
    return HitRate(
        hits=hits,
        inspected=inspected,
        rate=stats.proportion(hits, inspected),
        low=low,
        high=high,
    )


def lift_of(targeted: HitRate, control: HitRate) -> LiftRead:
    """The lift of a targeted hit rate over the random control group's (Katz 95 %)."""
    found = stats.lift(targeted.hits, targeted.inspected, control.hits, control.inspected)
    return LiftRead(ratio=found.ratio, low=found.low, high=found.high, note=found.note)


def _false_positive_rate(hits: int, inspected: int) -> float | None:
    return (inspected - hits) / inspected if inspected else None


def _per_inspection(total: Decimal, inspections: int) -> Decimal | None:
    if not inspections:
        return None
    return (total / inspections).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _group(counts: repository.GroupCounts) -> SelectionGroup:
    return SelectionGroup(
        selected=counts.selected,
        inspected=counts.inspected,
        hits=counts.hits,
        hit_rate=hit_rate(counts.hits, counts.inspected),
        false_positive_rate=_false_positive_rate(counts.hits, counts.inspected),
        additional_duties=counts.additional_duties,
        duties_per_inspection=_per_inspection(counts.additional_duties, counts.inspected),
    )


def _ranking(profile: ProfileEffectiveness) -> tuple[bool, float, bool, float, str, int]:
    """Highest hit rate first, then highest lift; profiles without inspections last."""
    rate, ratio = profile.hit_rate.rate, profile.lift.ratio
    return (
        rate is None,
        -(rate or 0.0),
        ratio is None,
        -(ratio or 0.0),
        profile.code,
        profile.version,
    )


def profile_effectiveness(
    *,
    uow: UnitOfWork,
    period: ReportPeriod,
    office: str | None = None,
    scope: frozenset[str] | None = None,
    hidden: Collection[int],
) -> ProfileReport:
    """Effectiveness of every profile version that matched a declaration registered in
    ``period`` (of ``office``, within ``scope``), by hit rate then lift, with the targeted
    and random-control groups. The profile versions of ids in ``hidden`` (intelligence
    the caller may not know of) are left out, counted only in the groups' totals."""
    where = _scope(period, office, scope)
    session = uow.session
    targeted_counts, random_counts = repository.selection_groups(session, scope=where)
    targeted, control = _group(targeted_counts), _group(random_counts)
    profiles = []
    for counts in repository.profile_counts(session, scope=where, hidden=hidden):
        rate = hit_rate(counts.hits, counts.inspected)
        profiles.append(
            ProfileEffectiveness(
                code=counts.code,
                version=counts.version,
                title=counts.title,
                kind=counts.kind,
                risk_area=counts.risk_area,
                matched=counts.matched,
                exempt=counts.exempt,
                selected=counts.selected,
                inspected=counts.inspected,
                hits=counts.hits,
                hit_rate=rate,
                false_positive_rate=_false_positive_rate(counts.hits, counts.inspected),
                additional_duties=counts.additional_duties,
                duties_per_inspection=_per_inspection(counts.additional_duties, counts.inspected),
                lift=lift_of(rate, control.hit_rate),
            )
        )
    profiles.sort(key=_ranking)
    return ProfileReport(
        date_from=period.first_day,
        date_to=period.last_day,
        office=office,
        scope=None if scope is None else sorted(scope),
        profiles=profiles,
        targeted=targeted,
        random_control=control,
        lift=lift_of(targeted.hit_rate, control.hit_rate),
    )


_SUMMED = (
    "declarations",
    "inspections",
    "targeted_inspected",
    "targeted_hits",
    "random_inspected",
    "random_hits",
    "minutes_spent",
    "additional_duties",
    "customs_value",
)


def _by_channel(column: str = "declarations") -> list[pl.Expr]:
    return [pl.col(column).filter(pl.col("channel") == name).sum().alias(name) for name in CHANNELS]


def _office_kpis(row: dict[str, object], office: str | None) -> OfficeKpis:
    """The key figures from one row of summed counts (see :func:`kpis`)."""

    def count(name: str) -> int:
        value = row[name]
        return int(value) if isinstance(value, int) else 0

    def money(name: str) -> Decimal:
        value = row[name]
        return value.normalize() + Decimal(0) if isinstance(value, Decimal) else Decimal(0)

    declarations, inspections, minutes = (
        count("declarations"),
        count("inspections"),
        count("minutes_spent"),
    )
    targeted = hit_rate(count("targeted_hits"), count("targeted_inspected"))
    control = hit_rate(count("random_hits"), count("random_inspected"))
    duties, value, green_value = (
        money("additional_duties"),
        money("customs_value"),
        money("customs_value_green"),
    )
    hours = minutes / 60
    return OfficeKpis(
        office=office,
        declarations=declarations,
        green=count("green"),
        blue=count("blue"),
        yellow=count("yellow"),
        red=count("red"),
        physical_inspection_rate=count("red") / declarations if declarations else None,
        targeted=targeted,
        random_control=control,
        lift=lift_of(targeted, control),
        inspections=inspections,
        additional_duties=duties,
        duties_per_inspection=_per_inspection(duties, inspections),
        customs_value=value,
        customs_value_green=green_value,
        green_value_share=float(green_value / value) if value else None,
        officer_hours=hours,
        inspections_per_officer_hour=inspections / hours if hours else None,
    )


def kpis(
    *,
    uow: UnitOfWork,
    period: ReportPeriod,
    office: str | None = None,
    scope: frozenset[str] | None = None,
) -> KpiReport:
    """The administration's key figures for declarations registered in ``period`` (of
    ``office``, within ``scope``): per office, every office together, and the channel mix
    per office and customs day. Channels are current ones (after re-routes)."""
    counts = repository.kpi_counts(uow.session, scope=_scope(period, office, scope))
    sums = [pl.col(name).sum() for name in _SUMMED]
    green_value = (
        pl.col("customs_value")
        .filter(pl.col("channel") == "green")
        .sum()
        .alias("customs_value_green")
    )
    per_office = counts.group_by("office").agg(*sums, *_by_channel(), green_value).sort("office")
    total = counts.select(*sums, *_by_channel(), green_value)
    days = (
        counts.group_by("office", "day")
        .agg(pl.col("declarations").sum(), *_by_channel())
        .filter(pl.col("declarations") > 0)
        .with_columns(
            (pl.col(name) / pl.col("declarations")).alias(f"{name}_share") for name in CHANNELS
        )
        .sort("office", "day")
    )
    return KpiReport(
        date_from=period.first_day,
        date_to=period.last_day,
        office=office,
        scope=None if scope is None else sorted(scope),
        total=_office_kpis(total.row(0, named=True), None),
        offices=[_office_kpis(row, str(row["office"])) for row in per_office.iter_rows(named=True)],
        days=[ChannelDay.model_validate(row) for row in days.iter_rows(named=True)],
    )
