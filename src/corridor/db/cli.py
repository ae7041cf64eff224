"""``corridor db …``: migrate the database and show its state."""

from __future__ import annotations

import typer
from rich.console import Console

from corridor.config import get_settings
from corridor.db.engine import make_engine
from corridor.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema: migrate and inspect.", no_args_is_help=True)
console = Console()


@app.command("upgrade")
def upgrade_command(
    revision: str = typer.Argument("head", help="target revision (default: the newest)"),
) -> None:
    """Migrate the database to the newest schema (safe to run again)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    url = engine.url.render_as_string()
    if before == after:
        console.print(f"Database {url} is already at revision {after}.")
    else:
        console.print(f"Database {url} migrated from {before or 'empty'} to {after}.")


@app.command("current")
def current_command() -> None:
    """Show the database's revision and the newest one this corridor ships."""
    engine = make_engine(get_settings().database_url)
    current, head = current_revision(engine), head_revision()
    state = "up to date" if current == head else "run `corridor db upgrade`"
    console.print(f"database revision: {current or 'none'}; newest: {head} ({state})")
