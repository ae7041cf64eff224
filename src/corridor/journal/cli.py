"""``corridor journal …``: verify the hash chain and checkpoints, write a checkpoint,
list entries.

``verify`` exits with :data:`EXIT_BROKEN` when the chain does not hold or a
checkpoint is no longer a prefix of it, so that a scheduled job (cron, a
monitoring probe) notices tampering without parsing the output. ``checkpoint``
prints the signed head alone on standard output (messages go to standard error),
so that it can be piped to a store outside the database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.db.uow import UnitOfWork
from corridor.errors import FieldError, InvalidInput
from corridor.journal import service
from corridor.journal.schemas import JournalEntryRead
from corridor.terminal import database

#: Exit code of ``verify`` when the chain is broken (1–7 are taken by corridor's errors).
EXIT_BROKEN = 8

app = typer.Typer(
    help="The tamper-evident journal: verify its chain, checkpoint its head, list entries.",
    no_args_is_help=True,
)
console = Console()
#: Messages of ``checkpoint``, whose standard output is the checkpoint line alone.
errors = Console(stderr=True)


@app.command("verify")
def verify_command(
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="a file of checkpoints (`corridor journal checkpoint`): prove each is still"
            " a prefix of the chain",
        ),
    ] = None,
) -> None:
    """Walk the whole chain; exit 8 naming the first entry that does not hold, or the
    first checkpoint the chain no longer contains."""
    lines = None if checkpoints is None else _read_lines(checkpoints)
    with database() as factory, UnitOfWork(factory) as uow:
        result = service.verify(uow=uow)
        broken = None if result.broken_at is None else service.entry(uow=uow, seq=result.broken_at)
        checked = (
            None
            if lines is None or not result.ok
            else service.check_checkpoints(uow=uow, lines=lines, verification=result)
        )
    if not result.ok:
        _report_broken(result, broken)
    console.print(
        f"[green]the journal holds[/]: {result.entries} entries, last {result.last_seq}",
        highlight=False,
    )
    if result.last_seq == 0:
        console.print(
            "the journal is empty: nothing has been recorded (only a checkpoint shows a"
            " journal emptied since)",
            highlight=False,
        )
    if checked is None:
        return
    if not checked.ok:
        console.print(f"[red]a checkpoint does not hold[/] ({checkpoints})", highlight=False)
        console.print(f"reason: {escape(checked.reason)}", highlight=False)
        console.print(f"{checked.checkpoints} checkpoints before it hold", highlight=False)
        raise typer.Exit(EXIT_BROKEN)
    latest = checked.latest
    assert latest is not None  # ok means at least one checkpoint
    console.print(
        f"[green]every checkpoint holds[/]: {checked.checkpoints}, the latest at entry"
        f" {latest.seq} ({escape(latest.at)})",
        highlight=False,
    )


@app.command("checkpoint")
def checkpoint_command(
    output: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False,
            help="append the checkpoint to this file (default: print it on standard output)",
        ),
    ] = None,
) -> None:
    """Verify the chain and write its signed head (seq, hash, at, signature) as one line
    of JSON, for a store outside the database; exit 8, writing nothing, when the chain
    does not hold."""
    with database() as factory, UnitOfWork(factory) as uow:
        result, checkpoint = service.checkpoint(uow=uow)
        broken = None if result.broken_at is None else service.entry(uow=uow, seq=result.broken_at)
    if not result.ok:
        _report_broken(result, broken, stderr=True)
    if checkpoint is None:
        errors.print("the journal is empty: there is no entry to checkpoint", highlight=False)
        return
    if output is None:
        typer.echo(checkpoint.line())
    else:
        try:
            # Append only: earlier checkpoints are never rewritten.
            with output.open("a", encoding="utf-8") as file:
                file.write(checkpoint.line() + "\n")
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise InvalidInput(
                "cannot write the checkpoint", [FieldError(("output",), exc.strerror or str(exc))]
            ) from None
    errors.print(
        f"checkpoint: entry {checkpoint.seq} ({checkpoint.at})"
        + ("" if output is None else f", appended to {output}"),
        highlight=False,
    )


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInput(
            "cannot read the checkpoints", [FieldError(("checkpoints",), reason or str(exc))]
        ) from None


def _report_broken(
    result: service.Verification, broken: JournalEntryRead | None, *, stderr: bool = False
) -> NoReturn:
    out = errors if stderr else console
    out.print(f"[red]the journal is broken at entry {result.broken_at}[/]", highlight=False)
    out.print(f"reason: {escape(result.reason)}", highlight=False)
    out.print(f"{result.entries} entries hold, up to entry {result.last_seq}", highlight=False)
    if broken is not None:
        out.print(_entry_table(broken))
    else:
        out.print(f"entry {result.broken_at} is not stored", highlight=False)
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
