"""``corridor journal …``: verify the hash chain, list entries.

``verify`` exits with :data:`EXIT_BROKEN` when the chain does not hold, so that
a scheduled job (cron, a monitoring probe) notices tampering without parsing
the output.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.db.uow import UnitOfWork
from corridor.journal import service
from corridor.journal.schemas import JournalEntryRead
from corridor.terminal import database

#: Exit code of ``verify`` when the chain is broken (1–7 are taken by corridor's errors).
EXIT_BROKEN = 8

app = typer.Typer(
    help="The tamper-evident journal: verify its chain, list entries.", no_args_is_help=True
)
console = Console()


@app.command("verify")
def verify_command() -> None:
    """Walk the whole chain; exit 8 naming the first entry that does not hold."""
    with database() as factory, UnitOfWork(factory) as uow:
        result = service.verify(uow=uow)
        broken = None if result.broken_at is None else service.entry(uow=uow, seq=result.broken_at)
    if result.ok:
        console.print(
            f"[green]the journal holds[/]: {result.entries} entries, last {result.last_seq}",
            highlight=False,
        )
        return
    console.print(f"[red]the journal is broken at entry {result.broken_at}[/]", highlight=False)
    console.print(f"reason: {escape(result.reason)}", highlight=False)
    console.print(f"{result.entries} entries hold, up to entry {result.last_seq}", highlight=False)
    if broken is not None:
        console.print(_entry_table(broken))
    else:
        console.print(f"entry {result.broken_at} is not stored", highlight=False)
    raise typer.Exit(EXIT_BROKEN)


def _entry_table(entry: JournalEntryRead) -> Table:
    table = Table("field", "value", title=f"entry {entry.seq} as stored", show_header=False)
    for name, value in (
        ("seq", str(entry.seq)),
        ("at", entry.at.isoformat()),
        ("actor", entry.actor),
        ("action", entry.action),
        ("object", f"{entry.object_type} {entry.object_id}"),
        ("before", _json(entry.before)),
        ("after", _json(entry.after)),
        ("confidential", "yes" if entry.confidential else "no"),
        ("prev_hash", entry.prev_hash),
        ("hash", entry.hash),
    ):
        table.add_row(name, escape(value))
    return table


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@app.command("list")
def list_command(
    actor: Annotated[str | None, typer.Option(help="only entries by this actor")] = None,
    object_type: Annotated[
        str | None, typer.Option(help="only entries about this kind of object (profile, list…)")
    ] = None,
    object_id: Annotated[
        str | None, typer.Option(help="only entries about this object (e.g. NAT-1/2)")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=service.MAX_PAGE, help="how many, newest first")
    ] = 50,
) -> None:
    """List the newest journal entries, confidential ones included (marked)."""
    # Confidential entries are shown: whoever can run this holds the database's
    # credentials and could read the table directly; hiding them would only mislead.
    with database() as factory, UnitOfWork(factory) as uow:
        page = service.entries(
            uow=uow,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            include_confidential=True,
            cursor=None,
            limit=limit,
        )
    table = Table("seq", "at (UTC)", "actor", "action", "object", "confidential")
    for entry in page.items:
        table.add_row(
            str(entry.seq),
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            escape(entry.actor),
            escape(entry.action),
            escape(f"{entry.object_type} {entry.object_id}"),
            "yes" if entry.confidential else "",
        )
    console.print(table)
    more = " (more: raise --limit)" if page.next_cursor else ""
    console.print(f"{len(page.items)} entries{more}", highlight=False)
