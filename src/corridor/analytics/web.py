"""Web pages of the analytics package: the dashboard of key figures.

The figures are those of ``GET /api/v1/analytics/kpis`` and ``…/profiles``, from
the same use cases called with the signed-in user's data scope (the offices of
their unit) and clearance (target profiles only for intelligence). One KPI
report over the whole scope gives every number the page shows: the tiles read
the chosen office's row (or the total), the charts its days and every office's
mix, so a dashboard costs one pass over the period's declarations and one for
the profiles, whatever the office.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.analytics import service
from corridor.analytics.schemas import (
    CHANNELS,
    CUSTOMS_TIME,
    EARLIEST_DAY,
    MAX_DAYS,
    ChannelDay,
    HitRate,
    KpiReport,
    LiftRead,
    OfficeKpis,
    ReportPeriod,
    report_scope,
)
from corridor.errors import FieldError, InvalidInput
from corridor.profiles import service as profiles_service
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, options, page, render

router = APIRouter(include_in_schema=False)


Reader = Annotated[Page, Depends(page(Action.ANALYTICS_READ))]

#: Periods offered as one click (days ending today).
PRESETS: Final = (7, 30, 90)
DEFAULT_DAYS: Final = 30
#: Profiles listed on the dashboard (the API and its CSV give them all).
TOP_PROFILES: Final = 10
#: The channels' colours, most severe first (the order of the stacks and tables).
COLOURS: Final = {"red": "#b3261e", "yellow": "#d9a300", "blue": "#1f5fa8", "green": "#2e7d32"}
SEVERITY: Final = ("red", "yellow", "blue", "green")
CHANNEL_NAMES: Final = {
    "red": N_("red"),
    "yellow": N_("yellow"),
    "blue": N_("blue"),
    "green": N_("green"),
}
#: The service's reasons why a lift or its interval does not exist (stats.lift), translated.
LIFT_NOTES: Final = {
    "no targeted inspection": N_("no targeted inspection"),
    "no inspection in the random control group": N_("no inspection in the random control group"),
    "no hit in the random control group: the ratio is unbounded": N_(
        "no hit in the random control group: the ratio is unbounded"
    ),
    "no targeted hit: the Katz interval needs a hit in both": N_(
        "no targeted hit: the confidence interval needs a hit in both groups"
    ),
}
_LAYOUT: Final[dict[str, Any]] = {
    "margin": {"l": 56, "r": 16, "t": 8, "b": 40},
    "legend": {"orientation": "h", "y": -0.15},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
}


def _today() -> date:
    """The customs day now (Kyrgyz time)."""
    return datetime.now(CUSTOMS_TIME).date()


def _parse_day(value: str | None, name: str, errors: list[FieldError]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError((name,), _("Enter a date as YYYY-MM-DD.")))
        return None


def _asked_period(
    date_from: str | None, date_to: str | None, days: int | None
) -> tuple[ReportPeriod | None, list[FieldError]]:
    """The period of the filters: from and to, else the last ``days`` (30) ending today.

    Messages are the page's own (translated); the report's rules are checked again
    by :func:`report_scope`, which the API uses.
    """
    errors: list[FieldError] = []
    first = _parse_day(date_from, "from", errors)
    last = _parse_day(date_to, "to", errors)
    if errors:
        return None, errors
    if first is None and last is None:
        last = _today()
        first = last - timedelta(days=(days or DEFAULT_DAYS) - 1)
    if first is None:
        return None, [FieldError(("from",), _("Enter the first day too."))]
    if last is None:
        return None, [FieldError(("to",), _("Enter the last day too."))]
    if first < EARLIEST_DAY:
        errors.append(FieldError(("from",), _("The first day must be in 2000 or later.")))
    if last < first:
        errors.append(FieldError(("to",), _("The last day must not be before the first.")))
    elif (last - first).days + 1 > MAX_DAYS:
        errors.append(
            FieldError(("to",), _("The period must not exceed %(days)d days.") % {"days": MAX_DAYS})
        )
    if last.year > 9998:
        errors.append(FieldError(("to",), _("The last day is too far ahead.")))
    if errors:
        return None, errors
    try:
        period, _office = report_scope(period=None, date_from=first, date_to=last, office=None)
    except InvalidInput as error:
        return None, list(error.errors)
    return period, []


def _office_choices(me: Page, report: KpiReport | None) -> list[str]:
    """The offices the user may choose: their scope, or (head office) every office of a
    post and every office with declarations in the period."""
    scope = me.principal.offices
    if scope is not None:
        return sorted(scope)
    offices = {o for unit in accounts_service.list_units(uow=me.uow) for o in unit.offices}
    if report is not None:
        offices |= {row.office for row in report.offices if row.office}
    return sorted(offices)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    me: Reader,
    office: Annotated[str | None, Query(max_length=17)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    days: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
) -> Response:
    """Key figures of the user's offices for a period (default: the last 30 days): channel
    shares, physical inspection rate, targeted and random hit rates and lift, duties,
    green value share; channel mix per day and per office; the most effective profiles."""
    office = office or None
    period, errors = _asked_period(date_from, date_to, days)
    report = None
    if period is not None:
        report = service.kpis(uow=me.uow, period=period, scope=me.principal.offices)
    choices = _office_choices(me, report)
    if office is not None and office not in choices:
        errors.append(FieldError(("office",), _("Choose one of your offices.")))
    filters = {
        "office": office or "",
        "from": date_from or (period.first_day.isoformat() if period else ""),
        "to": date_to or (period.last_day.isoformat() if period else ""),
    }
    if errors or period is None or report is None:
        return render(
            me.request,
            "analytics/dashboard.html",
            page=me,
            status_code=422,
            filters=filters,
            errors=FormErrors.of(errors),
            offices=options(choices),
            presets=PRESETS,
            period=None,
        )
    profiles = service.profile_effectiveness(
        uow=me.uow,
        period=period,
        office=office,
        scope=me.principal.offices,
        hidden=profiles_service.hidden_from(uow=me.uow, principal=me.principal).version_ids,
    )
    figures = _figures_of(report, office)
    days_shown = _days(report.days, office)
    rows = [row for row in report.offices if office is None or row.office == office]
    return render(
        me.request,
        "analytics/dashboard.html",
        page=me,
        filters=filters,
        errors=FormErrors(),
        offices=options(choices),
        presets=PRESETS,
        period=period,
        office=office,
        figures=figures,
        days=days_shown,
        office_rows=report.offices,
        hit_rows=[*rows, report.total],
        profiles=profiles.profiles[:TOP_PROFILES],
        profile_count=len(profiles.profiles),
        lift_note=_lift_note,
        charts={
            "days": _days_chart(days_shown),
            "offices": _offices_chart(report.offices, office),
            "hits": _hits_chart([*rows, report.total]),
        },
        csv_query={
            "from": period.first_day.isoformat(),
            "to": period.last_day.isoformat(),
            "office": office or "",
            "format": "csv",
        },
    )


def _figures_of(report: KpiReport, office: str | None) -> OfficeKpis | None:
    """The tiles' figures: every office's, or the chosen office's (None: no declaration)."""
    if office is None:
        return report.total if report.total.declarations else None
    return next((row for row in report.offices if row.office == office), None)


def _days(days: list[ChannelDay], office: str | None) -> list[dict[str, Any]]:
    """Declarations per customs day and channel: of one office, or summed over all."""
    summed: dict[date, dict[str, Any]] = {}
    for row in days:
        if office is not None and row.office != office:
            continue
        found = summed.setdefault(
            row.day, {"day": row.day, "declarations": 0, **dict.fromkeys(CHANNELS, 0)}
        )
        found["declarations"] += row.declarations
        for name in CHANNELS:
            found[name] += getattr(row, name)
    return [summed[day] for day in sorted(summed)]


def _lift_note(lift: LiftRead) -> str:
    """Why a lift or its interval is missing, in the reader's language ("" when complete)."""
    if lift.note is None:
        return ""
    return _(LIFT_NOTES.get(lift.note, lift.note))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def _days_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars: declarations per customs day by channel (most severe at the bottom)."""
    x = [row["day"].isoformat() for row in days]
    data = [
        {
            "type": "bar",
            "name": _(CHANNEL_NAMES[name]),
            "x": x,
            "y": [row[name] for row in days],
            "marker": {"color": COLOURS[name]},
            "hovertemplate": "%{x}: %{y}<extra>" + _(CHANNEL_NAMES[name]) + "</extra>",
        }
        for name in SEVERITY
    ]
    layout = {
        **_LAYOUT,
        "barmode": "stack",
        "height": 320,
        "xaxis": {"type": "date", "tickformat": "%d.%m"},
        "yaxis": {"title": {"text": _("Declarations")}, "rangemode": "tozero"},
    }
    return {"data": data, "layout": layout}


def _offices_chart(rows: list[OfficeKpis], office: str | None) -> dict[str, Any]:
    """Horizontal stacked bars: each office's channel shares in per cent."""
    names = [row.office or "" for row in rows]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": _(CHANNEL_NAMES[name]),
            "y": names,
            "x": [
                round(100 * getattr(row, name) / row.declarations, 2) if row.declarations else 0
                for row in rows
            ],
            "marker": {
                "color": COLOURS[name],
                "line": {
                    "color": ["#1d2733" if row.office == office else COLOURS[name] for row in rows],
                    "width": [2 if row.office == office else 0 for row in rows],
                },
            },
            "hovertemplate": "%{y}: %{x:.1f} %<extra>" + _(CHANNEL_NAMES[name]) + "</extra>",
        }
        for name in SEVERITY
    ]
    layout = {
        **_LAYOUT,
        "barmode": "stack",
        "height": 90 + 26 * max(len(rows), 1),
        "margin": {**_LAYOUT["margin"], "l": 70},
        "xaxis": {"range": [0, 100], "ticksuffix": " %"},
        "yaxis": {"autorange": "reversed", "type": "category"},
    }
    return {"data": data, "layout": layout}


def _interval(rate: HitRate) -> tuple[float, float]:
    """The Wilson interval as distances below and above the rate, in per cent."""
    if rate.rate is None or rate.low is None or rate.high is None:
        return 0.0, 0.0
    return round(100 * (rate.rate - rate.low), 2), round(100 * (rate.high - rate.rate), 2)


def _hits_chart(rows: list[OfficeKpis]) -> dict[str, Any]:
    """Grouped bars: targeted and random-control hit rates per office (and all), with their
    95 % intervals as error bars."""
    names = [row.office or _("All offices") for row in rows]
    data = []
    groups = (
        ("targeted", _("Selected by profiles"), COLOURS["red"]),
        ("random_control", _("Random control"), "#5b6776"),
    )
    for attribute, label, colour in groups:
        rates: list[HitRate] = [getattr(row, attribute) for row in rows]
        below = [_interval(rate)[0] for rate in rates]
        above = [_interval(rate)[1] for rate in rates]
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": names,
                "y": [_percent(rate.rate) for rate in rates],
                "marker": {"color": colour},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": above,
                    "arrayminus": below,
                    "color": "#1d2733",
                    "thickness": 1,
                },
                "hovertemplate": "%{x}: %{y:.1f} %<extra>" + label + "</extra>",
            }
        )
    layout = {
        **_LAYOUT,
        "barmode": "group",
        "height": 320,
        "xaxis": {"type": "category"},
        "yaxis": {"title": {"text": _("Hit rate")}, "ticksuffix": " %", "rangemode": "tozero"},
    }
    return {"data": data, "layout": layout}
