"""``corridor import``: bulk import of declaration files with a rejection report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corridor.config import get_settings
from corridor.db.engine import open_database
from corridor.declarations.importers import Format, import_file
from corridor.terminal import EXIT_REJECTED

console = Console()


def import_command(
    path: Annotated[Path, typer.Argument(help="file to import (.csv, .jsonl, .parquet)")],
    fmt: Annotated[
        str, typer.Option("--format", help="flat (corridor's own) or cdd (public dataset)")
    ] = "flat",
    report: Annotated[
        Path | None,
        typer.Option(help="where to write rejected rows (default: var/import-reports/…)"),
    ] = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="exit 0 even when rows were rejected")
    ] = False,
) -> None:
    """Import declarations from a file; rejected rows go to a report, nothing silently."""
    if fmt not in ("flat", "cdd"):
        raise typer.BadParameter("must be flat or cdd", param_hint="--format")
    chosen: Format = "cdd" if fmt == "cdd" else "flat"
    settings = get_settings()
    _engine, session_factory = open_database(settings.database_url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report_path = report or Path("var/import-reports") / f"{path.stem}-{stamp}.rejected.csv"
    with Progress(
        TextColumn("[bold]importing[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(path.name, total=None)
        result = import_file(
            session_factory=session_factory,
            path=path,
            fmt=chosen,
            report_path=report_path,
            batch_size=settings.import_batch_size,
            progress=lambda rows: progress.advance(task, rows),
            total=lambda rows: progress.update(task, total=rows),
        )
    console.print(
        f"rows read: {result.rows_read}; declarations created: {result.declarations_created}; "
        f"already stored (identical): {result.declarations_unchanged}; "
        f"rows rejected: {result.rows_rejected}"
    )
    if result.report_path is not None:
        console.print(f"[yellow]rejected rows and reasons:[/] {result.report_path}")
        if not allow_partial:
            raise typer.Exit(EXIT_REJECTED)
