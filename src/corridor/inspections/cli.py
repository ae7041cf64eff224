"""``corridor inspections import``: inspection acts written on paper first, from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from corridor.config import get_settings
from corridor.db.engine import open_database
from corridor.inspections.importers import Format, format_of, import_acts
from corridor.terminal import EXIT_REJECTED, cli_actor

app = typer.Typer(help="Inspection acts: import acts written on paper first.", no_args_is_help=True)
console = Console()


@app.callback()
def inspections() -> None:
    """Inspection acts: import acts written on paper first."""
    # A callback keeps ``import`` a subcommand even while it is the only one.


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="file of acts (.csv or .jsonl), UTF-8")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv or jsonl (default: from the file's extension)"),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="where to write rejected rows (default: FILE.rejected.csv beside it)"),
    ] = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="exit 0 even when rows were rejected")
    ] = False,
) -> None:
    """Record the acts of a file, each through the API's validation and use case; rejected
    rows go to a report (row, declaration, field, reason), nothing silently. Exit 5 when
    rows were rejected, unless --allow-partial."""
    chosen: Format | None
    if fmt is None:
        chosen = format_of(path)
        if chosen is None:
            raise typer.BadParameter(
                f"cannot tell the format from {path.suffix or 'no extension'!r}; give csv or jsonl",
                param_hint="--format",
            )
    elif fmt in ("csv", "jsonl"):
        chosen = "csv" if fmt == "csv" else "jsonl"
    else:
        raise typer.BadParameter("must be csv or jsonl", param_hint="--format")
    engine, session_factory = open_database(get_settings().database_url)
    try:
        result = import_acts(
            session_factory=session_factory,
            path=path,
            fmt=chosen,
            recorded_by=cli_actor(),
            report_path=report,
        )
    finally:
        engine.dispose()
    console.print(
        f"rows read: {result.rows_read}; acts recorded: {result.acts_recorded}; "
        f"already recorded (identical): {result.acts_unchanged}; "
        f"rows rejected: {result.rows_rejected}",
        highlight=False,
    )
    if result.report_path is not None:
        console.print(
            f"[yellow]rejected rows and reasons:[/] {escape(str(result.report_path))}",
            highlight=False,
        )
        if not allow_partial:
            raise typer.Exit(EXIT_REJECTED)
