"""``corridor demo …``: generate and load the demo world."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from corridor.config import get_settings
from corridor.db.engine import open_database

app = typer.Typer(help="The demo world: a realistic, seeded flow of declarations.")
console = Console()


@app.command("load")
def load_command(
    declarations: Annotated[int, typer.Option(min=1, max=1_000_000)] = 20_000,
    seed: Annotated[int, typer.Option(help="same seed, same world")] = 2026,
    end: Annotated[
        str | None, typer.Option(help="last registration day, YYYY-MM-DD (default: today)")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="days of traffic")] = 365,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing when declarations are stored")
    ] = False,
) -> None:
    """Generate the demo world and store it (declarations, exchange rates, planted fraud)."""
    from corridor.demo import loader

    settings = get_settings()
    _engine, session_factory = open_database(settings.database_url)
    last_day = date.fromisoformat(end) if end else date.today()
    if if_empty and loader.has_declarations(session_factory):
        console.print("Declarations are already stored; the demo world is not loaded again.")
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("demo declarations", total=declarations)
        report = loader.load(
            session_factory=session_factory,
            declarations=declarations,
            seed=seed,
            end=last_day,
            days=days,
            progress=lambda n: progress.advance(task, n),
        )
    console.print(
        f"Demo world (seed {seed}): {report.created} declarations created, "
        f"{report.unchanged} already stored, {report.frauds} with planted fraud, "
        f"{report.rates} exchange rates."
    )


@app.command("generate")
def generate_command(
    declarations: Annotated[int, typer.Option(min=1, max=1_000_000)] = 20_000,
    seed: Annotated[int, typer.Option(help="same seed, same world")] = 2026,
    end: Annotated[
        str | None, typer.Option(help="last registration day, YYYY-MM-DD (default: today)")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650)] = 365,
) -> None:
    """Generate the demo world into the database (alias of ``load``)."""
    load_command(declarations=declarations, seed=seed, end=end, days=days, if_empty=False)
