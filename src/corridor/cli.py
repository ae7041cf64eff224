"""The ``corridor`` command. Subcommands come from the domain packages."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from corridor.accounts.cli import tokens_app, units_app, users_app
from corridor.analytics.cli import app as report_app
from corridor.config import get_settings
from corridor.db.cli import app as db_app
from corridor.declarations.cli import import_command
from corridor.demo.cli import app as demo_app
from corridor.errors import (
    ConfigurationError,
    Conflict,
    CorridorError,
    DatabaseNotReady,
    InvalidInput,
    NotFound,
)
from corridor.inspections.cli import app as inspections_app
from corridor.journal.cli import app as journal_app
from corridor.postentry.cli import app as postentry_app
from corridor.profiles.cli import app as profiles_app
from corridor.scoring.cli import app as model_app
from corridor.traders.cli import app as traders_app
from corridor.valuation.cli import app as prices_app

app = typer.Typer(
    name="corridor",
    help="corridor: customs risk management (selectivity, risk profiles, feedback).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(profiles_app, name="profiles")
app.add_typer(units_app, name="units")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(journal_app, name="journal")
app.add_typer(report_app, name="report")
app.add_typer(inspections_app, name="inspections")
app.add_typer(prices_app, name="prices")
app.add_typer(traders_app, name="traders")
app.add_typer(postentry_app, name="postentry")
app.add_typer(model_app, name="model")
app.command("import")(import_command)

#: Exit codes by error kind; documented in README.
EXIT_CODES: dict[type[CorridorError], int] = {
    InvalidInput: 2,
    DatabaseNotReady: 3,
    ConfigurationError: 4,
    NotFound: 6,
    Conflict: 7,
}


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        help="worker processes; about two per core on a server (each waits on the database "
        "part of the time)",
    ),
    startup_timeout: int | None = typer.Option(
        None,
        min=5,
        max=3600,
        help="seconds a worker may take to answer the supervisor's health check before it "
        "is replaced (default: CORRIDOR_WORKER_STARTUP_TIMEOUT, 120)",
    ),
) -> None:
    """Serve the API (OpenAPI at /docs)."""
    import uvicorn

    from corridor.app import create_app

    # Built here even with several workers: a misconfigured installation stops now,
    # with its message, rather than in every worker.
    application = create_app()
    console = Console()
    base = f"http://{host}:{port}"
    console.print(f"[bold]corridor[/] is serving on {base}", highlight=False)
    console.print(f"  web application:   {base}/", highlight=False)
    console.print(f"  API documentation: {base}/docs", highlight=False)
    console.print(f"  health:            {base}/api/v1/health", highlight=False)
    console.print(f"  declarations:      {base}/api/v1/declarations", highlight=False)
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="info")
    else:
        console.print(f"  worker processes:  {workers}", highlight=False)
        # uvicorn's default (5 s) kills a worker still importing the application on a busy
        # host, and its replacement is as slow: workers restart in a loop and never serve.
        timeout = startup_timeout or get_settings().worker_startup_timeout
        uvicorn.run(
            "corridor.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            timeout_worker_healthcheck=timeout,
        )


def main() -> None:
    """Entry point: run the CLI, turning corridor errors into messages and exit codes."""
    try:
        app()
    except CorridorError as exc:
        console = Console(stderr=True)
        console.print(f"[red]error:[/] {exc.detail}", highlight=False)
        for error in getattr(exc, "errors", ()):
            location = ".".join(str(part) for part in error.loc)
            console.print(f"  {location}: {error.msg}", highlight=False)
        code = next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), 1)
        sys.exit(code)


if __name__ == "__main__":
    main()
