"""Shapes of the feedback statistics: the reporting period, profile effectiveness, KPIs.

Days are customs days: the date of registration in Kyrgyz time (UTC+6 all year,
no daylight saving), the date printed in the declaration number. A period is a
calendar month (``2026-10``) or a first and a last day, both included.

Rates are fractions (0.25 is 25 %); money is in national currency (KGS) and
exact. CSV renderings (:func:`profiles_csv`, :func:`kpis_csv`,
:func:`channel_days_csv`) have a header row and one line per report row, written by
:mod:`corridor.exports` (no cell can run as a spreadsheet formula).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from corridor.errors import N_, FieldError, InvalidInput
from corridor.exports import csv_text

#: Kyrgyz time: the customs day of a registration (UTC+6, no daylight saving since 2005).
CUSTOMS_TIME: Final = timezone(timedelta(hours=6), "Asia/Bishkek")
#: The longest period a report covers (three years): longer asks are refused, not slow.
MAX_DAYS: Final = 1096
#: The first day a report may start on (no declaration is registered before 2000).
EARLIEST_DAY: Final = date(2000, 1, 1)
CHANNELS: Final = ("green", "blue", "yellow", "red")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_OFFICE = re.compile(r"[A-Z0-9]{2,17}")

ReportFormat = Literal["json", "csv"]


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """Customs days ``first_day`` to ``last_day``, both included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC), included."""
        return datetime.combine(self.first_day, time(), CUSTOMS_TIME).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC), excluded."""
        following = self.last_day + timedelta(days=1)
        return datetime.combine(following, time(), CUSTOMS_TIME).astimezone(UTC)

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.last_day - self.first_day).days + 1


def month_period(month: str) -> ReportPeriod:
    """The period of a calendar month written ``YYYY-MM``; InvalidInput naming ``period``."""
    found = _MONTH.fullmatch(month.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput(
            N_("the period is not a month"),
            [
                FieldError(
                    ("period",), N_("must be a month written YYYY-MM, got %(got)r", got=month[:20])
                )
            ],
        )
    year, number = int(found.group(1)), int(found.group(2))
    if not EARLIEST_DAY.year <= year <= 9998:
        raise InvalidInput(
            N_("the period is out of range"),
            [
                FieldError(
                    ("period",),
                    N_("must be between %(first)s-01 and 9998-12", first=EARLIEST_DAY.year),
                )
            ],
        )
    first = date(year, number, 1)
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return ReportPeriod(first, following - timedelta(days=1))


def report_period(
    *,
    period: str | None,
    date_from: date | None,
    date_to: date | None,
    location: tuple[str, ...] = (),
) -> ReportPeriod:
    """The period asked for: a month (``period``) or ``date_from`` to ``date_to`` (both
    included), not both. InvalidInput names the field at fault (``period``, ``from``, ``to``),
    after ``location`` (the API says ``("query",)``).
    """
    try:
        return _period(period, date_from, date_to)
    except InvalidInput as error:
        errors = [FieldError((*location, *e.loc), e.msg) for e in error.errors]
        raise InvalidInput(error.detail, errors) from None


def _period(period: str | None, date_from: date | None, date_to: date | None) -> ReportPeriod:
    if period is not None:
        if date_from is not None or date_to is not None:
            names = [n for n, v in (("from", date_from), ("to", date_to)) if v is not None]
            raise InvalidInput(
                N_("give a month or a first and last day, not both"),
                [FieldError((name,), N_("must not be given with period")) for name in names],
            )
        return month_period(period)
    if date_from is None or date_to is None:
        message = N_("required (or give period=YYYY-MM)")
        missing = [n for n, v in (("from", date_from), ("to", date_to)) if v is None]
        raise InvalidInput(
            N_("the period is incomplete"), [FieldError((name,), message) for name in missing]
        )
    errors = []
    if date_from < EARLIEST_DAY:
        errors.append(
            FieldError(
                ("from",), N_("must be %(earliest)s or later", earliest=EARLIEST_DAY.isoformat())
            )
        )
    if date_to.year > 9998:
        errors.append(FieldError(("to",), N_("must be in 9998 or earlier")))
    if date_to < date_from:
        errors.append(FieldError(("to",), N_("must not be before from")))
    elif (date_to - date_from).days + 1 > MAX_DAYS:
        errors.append(
            FieldError(("to",), N_("the period must not exceed %(days)s days", days=MAX_DAYS))
        )
    if errors:
        raise InvalidInput(N_("the period is not valid"), errors)
    return ReportPeriod(date_from, date_to)


def office_code(office: str | None, *, location: tuple[str, ...] = ()) -> str | None:
    """A customs office code as asked for (None: every office); InvalidInput naming
    ``office`` when it is not one (2 to 17 capital letters and digits)."""
    if office is None or _OFFICE.fullmatch(office):
        return office
    raise InvalidInput(
        N_("not a customs office code"),
        [FieldError((*location, "office"), N_("must be 2 to 17 capital letters or digits"))],
    )


def report_scope(
    *,
    period: str | None,
    date_from: date | None,
    date_to: date | None,
    office: str | None,
    location: tuple[str, ...] = (),
) -> tuple[ReportPeriod, str | None]:
    """The period and office of a report, checked together: one InvalidInput lists every
    field at fault (see :func:`report_period` and :func:`office_code`)."""
    errors: list[FieldError] = []
    found: ReportPeriod | None = None
    try:
        found = report_period(
            period=period, date_from=date_from, date_to=date_to, location=location
        )
    except InvalidInput as error:
        errors += error.errors
    try:
        office = office_code(office, location=location)
    except InvalidInput as error:
        errors += error.errors
    if errors or found is None:
        raise InvalidInput(N_("%(count)s field(s) failed validation", count=len(errors)), errors)
    return found, office


# --------------------------------------------------------------------------- read models


class HitRate(BaseModel):
    """Hits of inspections: the share that found a discrepancy, with its 95 % Wilson
    interval (None when nothing was inspected)."""

    hits: int
    inspected: int
    rate: float | None
    low: float | None
    high: float | None


class LiftRead(BaseModel):
    """Targeted hit rate over the random control group's, with the 95 % Katz interval.

    None where it does not exist; ``note`` says why (a zero count)."""

    ratio: float | None
    low: float | None
    high: float | None
    note: str | None


class SelectionGroup(BaseModel):
    """Declarations selected one way (by any profile, or at random and by no profile):
    how many, how many inspected (a current inspection act), what was found."""

    selected: int
    inspected: int
    hits: int
    hit_rate: HitRate
    false_positive_rate: float | None = Field(
        description="inspections without discrepancy / inspections"
    )
    additional_duties: Decimal
    duties_per_inspection: Decimal | None


class ProfileEffectiveness(BaseModel):
    """What one profile version did in the period: matched declarations, selections,
    inspections, hits, revenue, false positives, and its lift over random control."""

    code: str
    version: int
    title: str
    kind: str
    risk_area: str
    matched: int = Field(description="decisions the profile matched (selected or not)")
    exempt: int = Field(description="matches exempted (low-risk trader, AEO)")
    selected: int
    inspected: int = Field(description="selections with a current inspection act")
    hits: int = Field(description="inspections that found a discrepancy")
    hit_rate: HitRate
    false_positive_rate: float | None = Field(
        description="inspections without discrepancy / inspections"
    )
    additional_duties: Decimal = Field(description="assessed at its inspections (KGS)")
    duties_per_inspection: Decimal | None
    lift: LiftRead


class ProfileReport(BaseModel):
    """Profile effectiveness for a period, with the random control group to compare."""

    date_from: date
    date_to: date
    office: str | None = Field(description="the office asked for (None: every office)")
    scope: list[str] | None = Field(description="the caller's offices (None: all)")
    profiles: list[ProfileEffectiveness] = Field(
        description="by hit rate, then lift (highest first)"
    )
    targeted: SelectionGroup = Field(description="declarations selected by any profile")
    random_control: SelectionGroup = Field(
        description="declarations selected at random and by no profile"
    )
    lift: LiftRead = Field(description="targeted over random control")


class ChannelDay(BaseModel):
    """Declarations of one office and customs day by current channel (after re-routes)."""

    office: str
    day: date
    declarations: int
    green: int
    blue: int
    yellow: int
    red: int
    green_share: float
    blue_share: float
    yellow_share: float
    red_share: float


class OfficeKpis(BaseModel):
    """The key figures of one office (``office`` None: every office of the report)."""

    office: str | None
    declarations: int = Field(description="assessed declaration versions")
    green: int
    blue: int
    yellow: int
    red: int
    physical_inspection_rate: float | None = Field(
        description="declarations whose current channel is red / declarations"
    )
    targeted: HitRate = Field(description="inspections of declarations selected by a profile")
    random_control: HitRate = Field(
        description="inspections of declarations selected at random and by no profile"
    )
    lift: LiftRead
    inspections: int = Field(description="current inspection acts")
    additional_duties: Decimal
    duties_per_inspection: Decimal | None
    customs_value: Decimal
    customs_value_green: Decimal
    green_value_share: float | None = Field(
        description="customs value released green / customs value"
    )
    officer_hours: float = Field(description="minutes spent on inspections / 60")
    inspections_per_officer_hour: float | None


class KpiReport(BaseModel):
    """Administration KPIs for a period: every office together, each office, each day."""

    date_from: date
    date_to: date
    office: str | None
    scope: list[str] | None
    total: OfficeKpis
    offices: list[OfficeKpis]
    days: list[ChannelDay]


# --------------------------------------------------------------------------- CSV


_PROFILE_COLUMNS = [
    "code", "version", "title", "kind", "risk_area", "matched", "exempt", "selected",
    "inspected", "hits", "hit_rate", "hit_rate_low", "hit_rate_high", "false_positive_rate",
    "additional_duties", "duties_per_inspection", "lift", "lift_low", "lift_high", "lift_note",
]  # fmt: skip


def profiles_csv(report: ProfileReport) -> str:
    """The report as CSV: one line per profile version, then the random control group
    (code ``RANDOM-CONTROL``, kind ``random``) and all targeted selections together
    (``ALL-PROFILES``, kind ``targeted``)."""
    rows: list[list[Any]] = []
    for p in report.profiles:
        rate, lift = p.hit_rate, p.lift
        rows.append(
            [p.code, p.version, p.title, p.kind, p.risk_area, p.matched, p.exempt, p.selected,
             p.inspected, p.hits, rate.rate, rate.low, rate.high, p.false_positive_rate,
             p.additional_duties, p.duties_per_inspection, lift.ratio, lift.low, lift.high,
             lift.note]
        )  # fmt: skip
    groups: list[tuple[str, str, str, SelectionGroup, LiftRead | None]] = [
        ("RANDOM-CONTROL", "random", "selected at random and by no profile",
         report.random_control, None),
        ("ALL-PROFILES", "targeted", "selected by any profile", report.targeted, report.lift),
    ]  # fmt: skip
    for code, kind, title, group, group_lift in groups:
        rate = group.hit_rate
        lifted = (
            (None,) * 4
            if group_lift is None
            else (group_lift.ratio, group_lift.low, group_lift.high, group_lift.note)
        )
        rows.append(
            [code, None, title, kind, None, None, None, group.selected, group.inspected,
             group.hits, rate.rate, rate.low, rate.high, group.false_positive_rate,
             group.additional_duties, group.duties_per_inspection, *lifted]
        )  # fmt: skip
    return csv_text(_PROFILE_COLUMNS, rows)


_KPI_COLUMNS = [
    "office", "declarations", "green", "blue", "yellow", "red", "physical_inspection_rate",
    "targeted_inspected", "targeted_hits", "targeted_hit_rate", "targeted_low", "targeted_high",
    "random_inspected", "random_hits", "random_hit_rate", "random_low", "random_high",
    "lift", "lift_low", "lift_high", "inspections", "additional_duties", "duties_per_inspection",
    "customs_value", "customs_value_green", "green_value_share", "officer_hours",
    "inspections_per_officer_hour",
]  # fmt: skip


def kpis_csv(report: KpiReport) -> str:
    """The KPIs as CSV: one line per office, then every office together (office ``ALL``)."""
    rows: list[list[Any]] = []
    for k in [*report.offices, report.total]:
        t, r, lift = k.targeted, k.random_control, k.lift
        rows.append(
            [k.office or "ALL", k.declarations, k.green, k.blue, k.yellow, k.red,
             k.physical_inspection_rate, t.inspected, t.hits, t.rate, t.low, t.high,
             r.inspected, r.hits, r.rate, r.low, r.high, lift.ratio, lift.low, lift.high,
             k.inspections, k.additional_duties, k.duties_per_inspection, k.customs_value,
             k.customs_value_green, k.green_value_share, k.officer_hours,
             k.inspections_per_officer_hour]
        )  # fmt: skip
    return csv_text(_KPI_COLUMNS, rows)


def channel_days_csv(report: KpiReport) -> str:
    """Channel counts and shares per office and customs day as CSV."""
    header = list(ChannelDay.model_fields)
    return csv_text(header, [[getattr(d, name) for name in header] for d in report.days])
