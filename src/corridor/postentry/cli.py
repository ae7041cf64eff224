"""`corridor postentry …`: audit candidates and plans from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Post-entry control: audit candidates, plans and cases.", no_args_is_help=True
)
