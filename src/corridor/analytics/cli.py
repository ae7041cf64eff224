"""``corridor report …``: profile effectiveness and the administration's KPIs.

Whoever runs these holds the database's credentials, so every office and every
profile is reported, target profiles included (their kind says ``target``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.analytics import service
from corridor.analytics.schemas import (
    CHANNELS,
    HitRate,
    KpiReport,
    LiftRead,
    ProfileReport,
    ReportPeriod,
    channel_days_csv,
    kpis_csv,
    profiles_csv,
    report_scope,
)
from corridor.db.uow import UnitOfWork
from corridor.terminal import database

app = typer.Typer(
    help="Reports: profile effectiveness and the administration's KPIs.", no_args_is_help=True
)
console = Console()

OutputFormat = Literal["table", "json", "csv"]
PeriodOption = Annotated[
    str | None, typer.Option("--period", help="a calendar month, YYYY-MM (or --from and --to)")
]
FromOption = Annotated[
    datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], help="first registration day (Kyrgyz time)"),
]
ToOption = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="last registration day, included"),
]
OfficeOption = Annotated[str | None, typer.Option("--office", help="one customs office")]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table (readable), json or csv")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", help="write the report to this file instead")
]


def _asked(
    period: str | None, date_from: datetime | None, date_to: datetime | None, office: str | None
) -> tuple[ReportPeriod, str | None]:
    return report_scope(
        period=period,
        date_from=None if date_from is None else date_from.date(),
        date_to=None if date_to is None else date_to.date(),
        office=office,
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _rate(rate: HitRate) -> str:
    if rate.rate is None or rate.low is None or rate.high is None:
        return "–"
    return f"{100 * rate.rate:.1f} % ({100 * rate.low:.1f}–{100 * rate.high:.1f})"


def _lift(lift: LiftRead, *, sentence: bool = False) -> str:
    if lift.ratio is None:
        return f"none: {lift.note}" if sentence else "–"
    if lift.low is None or lift.high is None:
        return f"{lift.ratio:.2f} (no interval: {lift.note})" if sentence else f"{lift.ratio:.2f}"
    return f"{lift.ratio:.2f} ({lift.low:.2f}–{lift.high:.2f})"


def _money(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _where(office: str | None) -> str:
    return f"office {office}" if office else "all offices"


def _emit(text: str | None, table: list[Table | str], output: Path | None) -> None:
    """Print the report, or write it to ``output`` (tables as plain text)."""
    if output is None:
        if text is not None:
            typer.echo(text, nl=not text.endswith("\n"))
        else:
            for part in table:
                console.print(part)
        return
    if text is None:
        with output.open("w", encoding="utf-8") as handle:
            plain = Console(file=handle, width=200, no_color=True, highlight=False)
            for part in table:
                plain.print(part)
    else:
        output.write_text(text, encoding="utf-8")
    console.print(f"report written to {output}", highlight=False)


@app.command("profiles")
def profiles_command(
    period: PeriodOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    office: OfficeOption = None,
    output_format: FormatOption = "table",
    output: OutputOption = None,
) -> None:
    """Effectiveness of each profile version (by hit rate, then lift) against the random
    control group, for declarations registered in the period."""
    found, office = _asked(period, date_from, date_to, office)
    with database() as factory, UnitOfWork(factory) as uow:
        report = service.profile_effectiveness(uow=uow, period=found, office=office, hidden=())
    if output_format == "json":
        _emit(report.model_dump_json(indent=2) + "\n", [], output)
    elif output_format == "csv":
        _emit(profiles_csv(report), [], output)
    else:
        _emit(None, _profiles_table(report), output)


def _profiles_table(report: ProfileReport) -> list[Table | str]:
    title = (
        f"Profile effectiveness, {report.date_from.isoformat()} – {report.date_to.isoformat()}, "
        f"{_where(report.office)}"
    )
    table = Table(title=title, title_justify="left")
    for name in (
        "profile", "kind", "area", "matched", "selected", "inspected", "hits",
        "hit rate (95 % CI)", "lift (95 % CI)", "false pos.", "add. duties", "per insp.",
    ):  # fmt: skip
        table.add_column(name, justify="left" if name in ("profile", "kind", "area") else "right")
    for p in report.profiles:
        table.add_row(
            escape(f"{p.code} v{p.version}"), p.kind, p.risk_area, str(p.matched),
            str(p.selected), str(p.inspected), str(p.hits), _rate(p.hit_rate), _lift(p.lift),
            _percent(p.false_positive_rate), _money(p.additional_duties),
            _money(p.duties_per_inspection),
        )  # fmt: skip
    table.add_section()
    for label, group, lift in (
        ("all profiles", report.targeted, _lift(report.lift)),
        ("random control", report.random_control, "1"),
    ):
        table.add_row(
            label, "", "", "", str(group.selected), str(group.inspected), str(group.hits),
            _rate(group.hit_rate), lift, _percent(group.false_positive_rate),
            _money(group.additional_duties), _money(group.duties_per_inspection),
        )  # fmt: skip
    summary = (
        f"Targeted hit rate {_rate(report.targeted.hit_rate)} against random control "
        f"{_rate(report.random_control.hit_rate)}: lift {_lift(report.lift, sentence=True)}. "
        "Intervals are 95 %: Wilson for hit rates, Katz (log) for lifts."
    )
    return [table, summary]


@app.command("kpis")
def kpis_command(
    period: PeriodOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    office: OfficeOption = None,
    output_format: FormatOption = "table",
    daily: Annotated[
        bool, typer.Option("--daily", help="the channel mix per office and day instead")
    ] = False,
    output: OutputOption = None,
) -> None:
    """The administration's key figures per office and for every office together."""
    found, office = _asked(period, date_from, date_to, office)
    with database() as factory, UnitOfWork(factory) as uow:
        report = service.kpis(uow=uow, period=found, office=office)
    if output_format == "json":
        _emit(report.model_dump_json(indent=2) + "\n", [], output)
    elif output_format == "csv":
        _emit(channel_days_csv(report) if daily else kpis_csv(report), [], output)
    else:
        _emit(None, [_days_table(report) if daily else _kpis_table(report)], output)


def _kpis_table(report: KpiReport) -> Table:
    title = (
        f"Key figures, {report.date_from.isoformat()} – {report.date_to.isoformat()}, "
        f"{_where(report.office)} (channels after re-routes)"
    )
    table = Table(title=title, title_justify="left")
    for name in (
        "office", "declarations", "green", "blue", "yellow", "red", "targeted hit rate",
        "random hit rate", "lift", "inspections", "duties / insp.", "value green",
        "insp. / officer-hour",
    ):  # fmt: skip
        table.add_column(name, justify="left" if name == "office" else "right")
    rows = [*report.offices, report.total]
    for k in rows:
        if k is report.total:
            table.add_section()
        n = k.declarations
        shares = [f"{100 * getattr(k, c) / n:.1f} %" if n else "–" for c in CHANNELS]
        per_hour = k.inspections_per_officer_hour
        table.add_row(
            k.office or "all", str(n), *shares, _rate(k.targeted), _rate(k.random_control),
            _lift(k.lift), str(k.inspections), _money(k.duties_per_inspection),
            _percent(k.green_value_share), "–" if per_hour is None else f"{per_hour:.2f}",
        )  # fmt: skip
    return table


def _days_table(report: KpiReport) -> Table:
    table = Table(title="Channel mix per office and day", title_justify="left")
    for name in ("office", "day", "declarations", *CHANNELS):
        table.add_column(name, justify="left" if name in ("office", "day") else "right")
    for d in report.days:
        shares = [f"{100 * getattr(d, f'{c}_share'):.1f} %" for c in CHANNELS]
        table.add_row(d.office, d.day.isoformat(), str(d.declarations), *shares)
    return table
