"""``corridor demo generate`` (the demo world) and ``corridor demo accounts`` (its staff)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from corridor.config import Settings, get_settings
from corridor.db.engine import open_database
from corridor.db.uow import UnitOfWork
from corridor.demo import BISHKEK, loader
from corridor.demo import accounts as demo_accounts
from corridor.demo import inspections as demo_inspections
from corridor.demo import selectivity as demo_selectivity
from corridor.demo import traders as demo_traders
from corridor.errors import ConfigurationError
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.valuation import service as valuation_service
from corridor.valuation.schemas import PriceRefreshIn

app = typer.Typer(help="The demo world: a realistic, seeded flow of declarations.")
console = Console()


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("declarations"),
        TimeElapsedColumn(),
        console=console,
    )


def _demo_settings() -> Settings:
    settings = get_settings()
    if settings.environment == "production":
        raise ConfigurationError("the demo is refused when CORRIDOR_ENVIRONMENT is production")
    return settings


def _yesterday_in_bishkek() -> date:
    # The last day must be over everywhere the demo's registration times can fall.
    return datetime.now(BISHKEK).date() - timedelta(days=1)


@app.command("generate")
def generate_command(
    declarations: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="how many declarations")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="same seed, same world")] = 2026,
    end: Annotated[
        str | None,
        typer.Option(help="last registration day, YYYY-MM-DD (default: yesterday, Bishkek)"),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="days of traffic")] = 365,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing when declarations are stored")
    ] = False,
    assess: Annotated[
        bool,
        typer.Option(help="also seed the demo risk profiles and assess every declaration"),
    ] = True,
) -> None:
    """Generate the demo world and store it: declarations, exchange rates, planted fraud."""
    settings = _demo_settings()
    _engine, session_factory = open_database(settings.database_url)
    try:
        last_day = date.fromisoformat(end) if end else _yesterday_in_bishkek()
    except ValueError:
        raise typer.BadParameter("must be a date, YYYY-MM-DD", param_hint="--end") from None
    if last_day > _yesterday_in_bishkek() + timedelta(days=1):
        raise typer.BadParameter("must not be in the future", param_hint="--end")
    if if_empty and loader.has_declarations(session_factory):
        console.print("Declarations are already stored; the demo world is not loaded again.")
        return
    with _progress("demo world") as progress:
        task = progress.add_task("demo", total=declarations)
        report = loader.load(
            session_factory=session_factory,
            declarations=declarations,
            seed=seed,
            end=last_day,
            days=days,
            progress=lambda n: progress.advance(task, n),
        )
    console.print(
        f"Demo world (seed {seed}, up to {last_day.isoformat()}): "
        f"{report.created} declarations stored, {report.unchanged} already there, "
        f"{report.frauds} with planted fraud (kept apart as ground truth), "
        f"{report.rates} exchange rates."
    )
    if not assess:
        return
    seeded = demo_selectivity.seed(session_factory=session_factory, world_seed=seed, end=last_day)
    console.print(
        f"Risk profiles, lists and office parameters: {seeded.created} created "
        "(drafted by analyst.demo, approved and activated by head.demo)."
    )
    holder = ProfileSetHolder(poll_seconds=0)
    with _progress("assessing") as progress:
        task = progress.add_task("assess", total=report.created + report.unchanged)
        channels = demo_selectivity.assess_all(
            session_factory=session_factory,
            holder=holder,
            secret=settings.selection_secret.encode(),
            progress=lambda n: progress.advance(task, n),
        )
    total = sum(channels.values()) or 1
    mix = ", ".join(
        f"{name} {100 * channels.get(name, 0) / total:.1f} %"
        for name in ("green", "blue", "yellow", "red")
    )
    console.print(f"Assessed {sum(channels.values())} declarations: {mix}.")
    # The last hours' selections stay in the posts' queues for the inspectors to work on.
    acts = demo_inspections.record(
        session_factory=session_factory, seed=seed, leave_pending=timedelta(hours=8)
    )
    console.print(
        demo_inspections.summary(
            acts,
            session_factory=session_factory,
            first_day=last_day - timedelta(days=days - 1),
            last_day=last_day,
        )
    )
    # Close the loop as an administration would each night: prices from the history
    # (misvalued items left out), the trader register, history and categories, for the
    # declarations to come.
    with UnitOfWork(session_factory) as uow:
        prices = valuation_service.refresh(uow=uow, refresh_in=PriceRefreshIn(), actor="demo")
        uow.commit()
    register = demo_traders.seed(session_factory=session_factory, seed=seed, end=last_day)
    history, run = register.refresh.history, register.run
    console.print(
        f"Reference prices version {prices.price_version}: {prices.prices} prices from "
        f"{prices.items_used} goods items ({prices.items_excluded} found misvalued left out); "
        f"trader history of {history.importers} importers and {history.declarants} declarants."
    )
    console.print(
        f"Trader register: {run.traders} traders categorised as of {run.as_of}: "
        f"low {run.low}, medium {run.medium}, high {run.high}; "
        f"{register.certificates} AEO certificates recorded."
    )


@app.command("accounts")
def accounts_command(
    credentials: Annotated[
        Path, typer.Option(help="where the generated password and token are kept")
    ] = Path("var/demo-credentials.json"),
) -> None:
    """Create the demo units and one user per role (once), and print how to sign in."""
    settings = _demo_settings()
    _engine, session_factory = open_database(settings.database_url)
    found = demo_accounts.ensure(
        session_factory=session_factory, settings=settings, path=credentials
    )
    table = Table(title="Demo accounts (demo mode: not for production)", title_justify="left")
    for column in ("username", "role", "unit"):
        table.add_column(column)
    for username, _full_name, unit, role in demo_accounts.USERS:
        table.add_row(username, role.value, unit)
    console.print(table)
    console.print(
        f"Password of every demo account (generated for this installation): "
        f"[bold]{found.password}[/]",
        highlight=False,
    )
    console.print(
        f"API token of {demo_accounts.SYSTEM_USER} (Authorization: Bearer …): {found.token}",
        highlight=False,
    )
    console.print(f"Both are kept in {credentials} (readable by you only).", highlight=False)
    console.print(
        "Sign in: open the web application (http://127.0.0.1:8000 with `make run`) in a "
        "browser with one of these accounts; systems use the API token (see /docs).",
        highlight=False,
    )
