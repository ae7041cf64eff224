"""``corridor profiles …``: export and import profiles as YAML, expire, list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from corridor.config import customs_day, get_settings
from corridor.db.engine import open_database
from corridor.db.uow import UnitOfWork
from corridor.profiles import files, service

app = typer.Typer(help="Risk profiles: list, export/import as YAML, expire.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="only versions in this state")] = None,
) -> None:
    """List profiles (the latest version of each, or every version in a state)."""
    _engine, factory = open_database(get_settings().database_url)
    with UnitOfWork(factory) as uow:
        profiles = service.list_profiles(uow=uow, status=status)
    table = Table("code", "version", "status", "kind", "risk area", "rate %", "title")
    for p in profiles:
        table.add_row(
            p.code, str(p.version), p.status, p.kind, p.risk_area, str(p.selection_rate), p.title
        )
    console.print(table)


@app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="folder to write <code>.yaml files into")],
) -> None:
    """Write the latest version of every profile as one YAML file each."""
    _engine, factory = open_database(get_settings().database_url)
    with UnitOfWork(factory) as uow:
        paths = files.export_profiles(uow=uow, directory=directory)
    console.print(f"{len(paths)} profile(s) written to {directory}")


@app.command("import")
def import_command(
    directory: Annotated[Path, typer.Argument(help="folder of <code>.yaml files")],
    actor: Annotated[str, typer.Option(help="who drafts the imported versions")],
) -> None:
    """Validate every file, then draft what changed (nothing is written if any file is bad)."""
    _engine, factory = open_database(get_settings().database_url)
    with UnitOfWork(factory) as uow:
        # The terminal is the database operator's: every list is known to the criteria.
        result = files.import_profiles(
            uow=uow, directory=directory, actor=actor, confidential_lists=True
        )
        uow.commit()
    console.print(
        f"created: {len(result.created)}; new draft versions: {len(result.new_versions)}; "
        f"unchanged: {len(result.unchanged)}"
    )
    for code in result.created + result.new_versions:
        console.print(f"  {code}: draft — submit it for approval")


@app.command("expire")
def expire_command() -> None:
    """Mark profiles whose validity has ended as expired."""
    _engine, factory = open_database(get_settings().database_url)
    with UnitOfWork(factory) as uow:
        expired = service.expire_due(uow=uow, today=customs_day(datetime.now(UTC)))
        uow.commit()
    console.print(f"expired: {', '.join(expired) if expired else 'none'}")
