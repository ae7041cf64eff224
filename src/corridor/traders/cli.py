"""``corridor traders …``: refresh trader history, show one trader's.

Run ``refresh-history`` daily (cron), after the day's inspection acts: the
importer facts of selectivity read what it wrote. Refreshes are journalled with
the actor ``cli:<operating-system user>``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.accounts.cli import cli_actor
from corridor.config import get_settings
from corridor.db.engine import open_database
from corridor.db.uow import UnitOfWork
from corridor.errors import NotFound
from corridor.traders import service
from corridor.traders.schemas import TRADER_ROLES, TraderHistoryRead

app = typer.Typer(help="Traders: history per TIN and role.", no_args_is_help=True)
console = Console()


@app.command("refresh-history")
def refresh_history_command() -> None:
    """Rebuild every importer's and declarant's history from declarations and inspections."""
    actor = cli_actor()
    engine, factory = open_database(get_settings().database_url)
    try:
        with UnitOfWork(factory) as uow:
            result = service.refresh_history(uow=uow, actor=actor)
            uow.commit()
    finally:
        engine.dispose()
    console.print(
        f"trader history refreshed: importers {result.importers}, declarants {result.declarants}",
        highlight=False,
    )


@app.command("history")
def history_command(
    tin: Annotated[str, typer.Argument(help="the trader's taxpayer number")],
) -> None:
    """Show what history says of one trader, as importer and as declarant."""
    engine, factory = open_database(get_settings().database_url)
    try:
        with UnitOfWork(factory) as uow:
            found = [service.history_of(uow=uow, tin=tin, role=role) for role in TRADER_ROLES]
    finally:
        engine.dispose()
    known = [history for history in found if history is not None]
    if not known:
        raise NotFound(f"history knows no trader {tin} (run `corridor traders refresh-history`)")
    console.print(_table(known))


def _table(known: list[TraderHistoryRead]) -> Table:
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
