"""HTTP routes: profile effectiveness and the administration's KPIs (``/api/v1/analytics``).

Both need ``analytics.read``; every figure is restricted to the caller's data
scope (the offices of their unit). Target profiles (intelligence) are listed only
to callers cleared for intelligence; to others they do not exist, and their
selections count only in the totals of all targeted selections.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from corridor.accounts.roles import Action, Principal
from corridor.analytics import service
from corridor.analytics.schemas import (
    KpiReport,
    ProfileReport,
    ReportFormat,
    ReportPeriod,
    kpis_csv,
    profiles_csv,
    report_scope,
)
from corridor.db.uow import UnitOfWork
from corridor.profiles import service as profiles_service
from corridor.web.deps import ErrorBody, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[Principal, Depends(authorize(Action.ANALYTICS_READ))]

PeriodQuery = Annotated[
    str | None, Query(max_length=20, description="a calendar month, YYYY-MM (or from and to)")
]
FromQuery = Annotated[
    date | None, Query(alias="from", description="first registration day (Kyrgyz time)")
]
ToQuery = Annotated[date | None, Query(alias="to", description="last registration day, included")]
OfficeQuery = Annotated[
    str | None,
    Query(description="one customs office (default: every office of the caller's scope)"),
]
FormatQuery = Annotated[ReportFormat, Query(description="json, or csv with a header row")]

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    422: {"model": ErrorBody, "description": "invalid period, office or format (named)"},
}


def _asked(
    period: str | None, date_from: date | None, date_to: date | None, office: str | None
) -> tuple[ReportPeriod, str | None]:
    return report_scope(
        period=period, date_from=date_from, date_to=date_to, office=office, location=("query",)
    )


def _csv(text: str, name: str, period: ReportPeriod) -> Response:
    filename = f"{name}-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/profiles", response_model=ProfileReport, responses=_RESPONSES)
def profile_effectiveness(
    uow: UoW,
    who: Reader,
    period: PeriodQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    office: OfficeQuery = None,
    format: FormatQuery = "json",
) -> Response:
    """Effectiveness of each profile version on declarations registered in the period:
    matched, selected, inspected, hits, hit rate (95 % Wilson interval), additional
    duties, false-positive rate, and lift over the random control group (95 % Katz
    interval); sorted by hit rate, then lift."""
    found, office = _asked(period, date_from, date_to, office)
    report = service.profile_effectiveness(
        uow=uow,
        period=found,
        office=office,
        scope=who.offices,
        hidden=profiles_service.hidden_from(uow=uow, principal=who).version_ids,
    )
    if format == "csv":
        return _csv(profiles_csv(report), "profile-effectiveness", found)
    return Response(content=report.model_dump_json(), media_type="application/json")


@router.get("/kpis", response_model=KpiReport, responses=_RESPONSES)
def key_figures(
    uow: UoW,
    who: Reader,
    period: PeriodQuery = None,
    date_from: FromQuery = None,
    date_to: ToQuery = None,
    office: OfficeQuery = None,
    format: FormatQuery = "json",
) -> Response:
    """The administration's key figures for declarations registered in the period, per
    office and for every office together, with the channel mix per office and day (csv:
    one line per office, then ``ALL``)."""
    found, office = _asked(period, date_from, date_to, office)
    report = service.kpis(uow=uow, period=found, office=office, scope=who.offices)
    if format == "csv":
        return _csv(kpis_csv(report), "kpis", found)
    return Response(content=report.model_dump_json(), media_type="application/json")
