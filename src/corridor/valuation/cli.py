"""``corridor prices …``: refresh reference prices, list them, set and lift overrides.

Options are validated by the API's shapes (:mod:`corridor.valuation.schemas`), so
the terminal and HTTP accept and refuse alike. Changes are journalled with the
actor ``cli:<operating-system user>``. Run ``refresh`` daily (cron): an override
past its ``valid_to`` stops applying at the next refresh.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.errors import FieldError, InvalidInput
from corridor.terminal import cli_actor, run_use_case, validated
from corridor.valuation import service
from corridor.valuation.schemas import (
    DEFAULT_MIN_SAMPLE,
    MAX_PAGE,
    PriceOrigin,
    PriceOverrideApplied,
    PriceOverrideCreate,
    PriceOverrideLift,
    PriceRefreshIn,
)

app = typer.Typer(
    help="Reference prices (value control): refresh, list, override, lift.", no_args_is_help=True
)
console = Console()


@app.command("refresh")
def refresh_command(
    min_sample: Annotated[
        int, typer.Option(help="items a group needs for its price to be kept")
    ] = DEFAULT_MIN_SAMPLE,
    history_from: Annotated[
        str | None, typer.Option(help="first registration day read, YYYY-MM-DD (UTC)")
    ] = None,
    history_to: Annotated[
        str | None, typer.Option(help="last registration day read, YYYY-MM-DD (UTC)")
    ] = None,
) -> None:
    """Compute a new price version from the history of imports; it applies at once."""
    refresh_in = validated(
        PriceRefreshIn,
        {"min_sample": min_sample, "history_from": history_from, "history_to": history_to},
    )
    actor = cli_actor()
    result = run_use_case(
        lambda uow: service.refresh(uow=uow, refresh_in=refresh_in, actor=actor), commit=True
    )
    console.print(f"price version {result.price_version} is in force", highlight=False)
    console.print(
        f"  prices: {result.prices} (minimum sample {result.min_sample}); "
        f"overrides applied: {result.overrides_applied}",
        highlight=False,
    )
    console.print(
        f"  goods items used: {result.items_used}; excluded (found misvalued): "
        f"{result.items_excluded}",
        highlight=False,
    )


@app.command("list")
def list_command(
    hs: Annotated[str | None, typer.Option(help="HS code or its first digits")] = None,
    origin: Annotated[str | None, typer.Option(help="country of origin, or * for all")] = None,
    version: Annotated[int | None, typer.Option(help="price version (default: in force)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="how many")] = 100,
) -> None:
    """List the reference prices of a version."""
    if hs is not None and not (hs.isascii() and hs.isdigit() and len(hs) <= 10):
        raise InvalidInput("invalid options", [FieldError(("hs",), "1 to 10 digits")])
    if origin is not None:
        try:
            origin = TypeAdapter(PriceOrigin).validate_python(origin)
        except ValidationError as exc:
            message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            raise InvalidInput("invalid options", [FieldError(("origin",), message)]) from None
    page = run_use_case(
        lambda uow: service.list_prices(
            uow=uow, hs=hs, origin=origin, version=version, limit=limit
        ),
        commit=False,
    )
    if page.version is None:
        console.print("no reference prices yet: run `corridor prices refresh`")
        return
    v = page.version
    window = f"{v.history_from or '…'} to {v.history_to or '…'}"
    console.print(
        f"price version {v.price_version}, {v.computed_at:%Y-%m-%d %H:%M} UTC by "
        f"{escape(v.computed_by)}; history {window}",
        highlight=False,
    )
    table = Table("HS", "origin", "basis", "count", "median", "q1", "q3", "low", "high", "source")
    for p in page.items:
        basis = p.basis if p.basis == "kg" else f"unit {p.unit}"
        table.add_row(
            p.hs_code,
            p.origin,
            escape(basis),
            str(p.count),
            *(format(value, "f") for value in (p.median, p.q1, p.q3, p.low, p.high)),
            p.source,
        )
    console.print(table)
    more = " (more: raise --limit)" if page.next_cursor else ""
    console.print(f"{len(page.items)} prices{more}", highlight=False)


@app.command("override")
def override_command(
    hs: Annotated[str, typer.Argument(help="HS code: 4, 6 or 10 digits")],
    origin: Annotated[str, typer.Argument(help="country of origin, or * for all")],
    basis: Annotated[str, typer.Argument(help="kg or unit")],
    median: Annotated[str, typer.Option(help="reference unit value (national currency)")],
    low: Annotated[str, typer.Option(help="lowest plausible unit value")],
    high: Annotated[str, typer.Option(help="highest plausible unit value")],
    reason: Annotated[str, typer.Option(help="why history is overruled")],
    unit: Annotated[str, typer.Option(help="supplementary unit code (basis unit)")] = "",
    valid_to: Annotated[str | None, typer.Option(help="last day it applies, YYYY-MM-DD")] = None,
) -> None:
    """Set the reference price of one key; it applies at once in a new price version."""
    override_in = validated(
        PriceOverrideCreate,
        {
            "hs_code": hs,
            "origin": origin,
            "basis": basis,
            "unit": unit,
            "median": median,
            "low": low,
            "high": high,
            "reason": reason,
            "valid_to": valid_to,
        },
    )
    actor = cli_actor()
    applied = run_use_case(
        lambda uow: service.set_override(uow=uow, override_in=override_in, actor=actor),
        commit=True,
    )
    _report(applied, "set")


@app.command("lift")
def lift_command(
    override_id: Annotated[int, typer.Argument(help="the override's id (see `overrides`)")],
    reason: Annotated[str, typer.Option(help="why the override is lifted")],
    min_sample: Annotated[
        int, typer.Option(min=1, help="items history needs for the key's price")
    ] = DEFAULT_MIN_SAMPLE,
) -> None:
    """Lift an override; its key gets history's price again in a new price version."""
    lift_in = validated(PriceOverrideLift, {"reason": reason})
    actor = cli_actor()
    applied = run_use_case(
        lambda uow: service.lift_override(
            uow=uow, override_id=override_id, lift_in=lift_in, actor=actor, min_sample=min_sample
        ),
        commit=True,
    )
    _report(applied, "lifted")


@app.command("overrides")
def overrides_command(
    lifted: Annotated[bool, typer.Option(help="also list lifted overrides")] = False,
) -> None:
    """List the analysts' overrides."""
    found = run_use_case(
        lambda uow: service.list_overrides(uow=uow, active=None if lifted else True),
        commit=False,
    )
    table = Table("id", "HS", "origin", "basis", "median", "low", "high", "valid to", "active")
    for o in found:
        table.add_row(
            str(o.id),
            o.hs_code,
            o.origin,
            escape(o.basis if o.basis == "kg" else f"unit {o.unit}"),
            *(format(value, "f") for value in (o.median, o.low, o.high)),
            str(o.valid_to or ""),
            "yes" if o.active else "lifted",
        )
    console.print(table)


def _report(applied: PriceOverrideApplied, what: str) -> None:
    unit = f" {applied.unit}" if applied.unit else ""
    console.print(
        f"override {applied.id} {what}: HS {applied.hs_code} origin {applied.origin} "
        f"per {applied.basis}{escape(unit)}; price version {applied.price_version} is in force",
        highlight=False,
    )
