"""``corridor traders …``: the trader register, compliance categories, overrides, AEO status.

Run ``refresh`` and ``recategorise`` nightly, after the day's inspection acts (the
importer facts and the categories selectivity reads are what they wrote), from
cron::

    30 2 * * *  corridor traders refresh && corridor traders recategorise

or keep ``corridor traders recategorise --every 24`` running as a service (it
recategorises, then sleeps the given hours, until stopped). Options are validated
by the API's shapes (:mod:`corridor.traders.schemas`), so the terminal and HTTP
accept and refuse alike. Changes are journalled with the actor
``cli:<operating-system user>``.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.errors import FieldError, InvalidInput, NotFound
from corridor.terminal import cli_actor, run_use_case, validated
from corridor.traders import service
from corridor.traders.schemas import (
    MAX_PAGE,
    TRADER_ROLES,
    AeoSet,
    OverrideCreate,
    ReasonIn,
    RecategoriseRead,
    TraderHistoryRead,
    TraderRead,
)

app = typer.Typer(
    help="Traders: the register, compliance categories, overrides, AEO status, history.",
    no_args_is_help=True,
)
console = Console()


@app.command("refresh")
def refresh_command() -> None:
    """Rebuild the register (traders, roles, names seen) and trader history from
    declarations and inspection acts."""
    actor = cli_actor()
    result = run_use_case(lambda uow: service.refresh(uow=uow, actor=actor), commit=True)
    console.print(
        f"register: {result.traders} traders, {result.names} names seen; history of "
        f"{result.history.importers} importers and {result.history.declarants} declarants",
        highlight=False,
    )


@app.command("refresh-history")
def refresh_history_command() -> None:
    """Rebuild every importer's and declarant's history from declarations and inspections."""
    actor = cli_actor()
    result = run_use_case(lambda uow: service.refresh_history(uow=uow, actor=actor), commit=True)
    console.print(
        f"trader history refreshed: importers {result.importers}, declarants {result.declarants}",
        highlight=False,
    )


@app.command("recategorise")
def recategorise_command(
    as_of: Annotated[
        str | None, typer.Option(help="score as of this day, YYYY-MM-DD (default: today)")
    ] = None,
    every: Annotated[
        float | None,
        typer.Option(min=0.01, max=24 * 31, help="repeat every so many hours, until stopped"),
    ] = None,
) -> None:
    """Score every trader from its history and store the categories; each change of a
    trader's category is kept with the score's components."""
    day = _day(as_of, "as_of") if as_of else None
    actor = cli_actor()
    while True:
        result = run_use_case(
            lambda uow: service.recategorise(uow=uow, actor=actor, as_of=day), commit=True
        )
        _print_run(result)
        if every is None:
            return
        time.sleep(every * 3600)


def _print_run(run: RecategoriseRead) -> None:
    rate = "unknown" if run.population_rate is None else f"{100 * run.population_rate:.1f} %"
    console.print(
        f"{run.at:%Y-%m-%d %H:%M} UTC: {run.traders} traders as of {run.as_of}: "
        f"low {run.low}, medium {run.medium}, high {run.high}; {run.changes} changed; "
        f"population discrepancy rate {rate}",
        highlight=False,
    )


@app.command("list")
def list_command(
    category: Annotated[str | None, typer.Option(help="low, medium or high (in force)")] = None,
    role: Annotated[str | None, typer.Option(help="importer, exporter or declarant")] = None,
    aeo: Annotated[bool | None, typer.Option("--aeo/--no-aeo", help="AEO holders or not")] = None,
    text: Annotated[str | None, typer.Option(help="start of the TIN, or part of a name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="how many")] = 50,
) -> None:
    """List the register by TIN."""
    if category is not None and category not in ("low", "medium", "high"):
        raise InvalidInput("invalid options", [FieldError(("category",), "low, medium or high")])
    if role is not None and role not in ("importer", "exporter", "declarant"):
        raise InvalidInput(
            "invalid options", [FieldError(("role",), "importer, exporter or declarant")]
        )
    page = run_use_case(
        lambda uow: service.list_traders(
            uow=uow,
            category=category,  # type: ignore[arg-type]  # checked above
            role=role,
            aeo=aeo,
            text=text,
            limit=limit,
        ),
        commit=False,
    )
    table = Table("TIN", "name", "roles", "declarations", "category", "score", "AEO")
    for item in page.items:
        table.add_row(
            item.tin,
            escape(item.names[0] if item.names else ""),
            ", ".join(item.roles),
            str(item.declarations),
            (item.category or "") + (" (override)" if item.overridden else ""),
            "" if item.score is None else f"{item.score:.1f}",
            "yes" if item.aeo else "",
        )
    console.print(table)


@app.command("show")
def show_command(tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")]) -> None:
    """Show one trader: category and why, override, AEO, history, category changes."""
    trader = run_use_case(lambda uow: service.get_trader(uow=uow, tin=tin), commit=False)
    _print_trader(trader)


def _print_trader(trader: TraderRead) -> None:
    names = ", ".join(n.name for n in trader.names) or "(no name in the declarations)"
    console.print(f"[bold]{escape(trader.tin)}[/] {escape(names)}", highlight=False)
    console.print(
        f"roles {', '.join(trader.roles)}; {trader.declarations} declarations "
        f"from {trader.first_seen} to {trader.last_seen}",
        highlight=False,
    )
    source = f" ({trader.category_source})" if trader.category_source else ""
    console.print(f"category: {trader.category or 'none'}{source}", highlight=False)
    if trader.score is not None:
        console.print(
            f"computed: {trader.score.category}, score {trader.score.score:.1f} "
            f"({trader.score.computed_at:%Y-%m-%d %H:%M} UTC)",
            highlight=False,
        )
        table = Table("component", "value", title="why")
        for name, value in trader.score.components.items():
            table.add_row(name, escape(str(value)))
        console.print(table)
    if trader.override is not None:
        o = trader.override
        console.print(
            f"override: {o.category} until {o.valid_until} by {o.created_by}: {escape(o.reason)}",
            highlight=False,
        )
    if trader.aeo is not None:
        a = trader.aeo
        console.print(
            f"AEO: {a.kind} certificate {escape(a.certificate)}, {a.valid_from} to {a.valid_to}",
            highlight=False,
        )
    if trader.history:
        console.print(_history_table(trader.history))
    if trader.changes:
        table = Table("when", "from", "to", "score", "source", "by", "reason")
        for c in trader.changes:
            table.add_row(
                f"{c.at:%Y-%m-%d %H:%M}",
                c.from_category or "",
                c.to_category or "",
                "" if c.score is None else f"{c.score:.1f}",
                c.source,
                escape(c.actor),
                escape(c.reason),
            )
        console.print(table)


@app.command("override")
def override_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
    category: Annotated[str, typer.Option(help="low, medium or high")],
    reason: Annotated[str, typer.Option(help="why the computed category is overruled")],
    until: Annotated[str, typer.Option(help="last day it applies, YYYY-MM-DD (after today)")],
) -> None:
    """Put a trader in a category by hand until a day; it replaces an override in force."""
    override_in = validated(
        OverrideCreate, {"category": category, "reason": reason, "valid_until": until}
    )
    actor = cli_actor()
    found = run_use_case(
        lambda uow: service.set_override(uow=uow, tin=tin, override_in=override_in, actor=actor),
        commit=True,
    )
    console.print(
        f"trader {tin} is {found.category} until {found.valid_until} (override {found.id})",
        highlight=False,
    )


@app.command("lift")
def lift_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
    reason: Annotated[str, typer.Option(help="why the override ends early")],
) -> None:
    """Lift a trader's override in force: the computed category applies again."""
    lift_in = validated(ReasonIn, {"reason": reason})
    actor = cli_actor()
    found = run_use_case(
        lambda uow: service.lift_override(uow=uow, tin=tin, lift_in=lift_in, actor=actor),
        commit=True,
    )
    console.print(f"override {found.id} of trader {tin} lifted", highlight=False)


@app.command("aeo")
def aeo_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
    certificate: Annotated[str, typer.Option(help="the certificate's number")],
    kind: Annotated[str, typer.Option(help="AEO-1, AEO-2 or AEO-3 (EAEU types)")],
    valid_from: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD")],
    valid_to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD")],
) -> None:
    """Record a trader's AEO certificate (or correct the one with that number)."""
    aeo_in = validated(
        AeoSet,
        {"certificate": certificate, "kind": kind, "valid_from": valid_from, "valid_to": valid_to},
    )
    actor = cli_actor()
    found = run_use_case(
        lambda uow: service.set_aeo(uow=uow, tin=tin, aeo_in=aeo_in, actor=actor), commit=True
    )
    state = "in force" if found.in_force else "not in force today"
    console.print(
        f"trader {tin}: {found.kind} certificate {escape(found.certificate)} "
        f"from {found.valid_from} to {found.valid_to} ({state})",
        highlight=False,
    )


@app.command("aeo-end")
def aeo_end_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
    reason: Annotated[str, typer.Option(help="why the certificate ends (withdrawn, suspended)")],
) -> None:
    """End a trader's AEO certificate before its validity runs out."""
    end_in = validated(ReasonIn, {"reason": reason})
    actor = cli_actor()
    found = run_use_case(
        lambda uow: service.end_aeo(uow=uow, tin=tin, end_in=end_in, actor=actor), commit=True
    )
    console.print(f"AEO certificate {escape(found.certificate)} ended", highlight=False)


@app.command("history")
def history_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
) -> None:
    """Show what history says of one trader, as importer and as declarant."""

    def read(uow: Any) -> list[TraderHistoryRead]:
        found = [service.history_of(uow=uow, tin=tin, role=role) for role in TRADER_ROLES]
        return [history for history in found if history is not None]

    known = run_use_case(read, commit=False)
    if not known:
        raise NotFound(f"history knows no trader {tin} (run `corridor traders refresh-history`)")
    console.print(_history_table(known))


def _history_table(known: list[TraderHistoryRead]) -> Table:
    table = Table(
        "role",
        "declarations",
        "inspections",
        "discrepancies",
        "additional duties",
        "first seen",
        "last seen",
        "last inspection",
        "last discrepancy",
        title=escape(f"trader {known[0].tin}, as of {known[0].refreshed_at:%Y-%m-%d %H:%M} UTC"),
    )
    for h in known:
        table.add_row(
            h.role,
            str(h.declarations),
            str(h.inspections),
            str(h.discrepancies),
            format(h.additional_duties, "f"),
            *(str(day or "") for day in (h.first_seen, h.last_seen)),
            *(str(day or "") for day in (h.last_inspection, h.last_discrepancy)),
        )
    return table


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "invalid options", [FieldError((name,), "must be a date, YYYY-MM-DD")]
        ) from None
