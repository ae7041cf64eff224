"""Schema migrations (Alembic) and the check that a database is at head."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from corridor.errors import DatabaseNotReady

MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "corridor db upgrade"
#: Tables the migrations fill with reference data (what a fresh install holds):
#: whoever empties a database for a test or a benchmark puts these rows back.
SEEDED_TABLES = ("measures", "selectivity_state", "journal_head")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the package's migrations on ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration shipped with this version of corridor (read once per process)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        # One plain query: health checks call this on every probe.
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_migrated(engine: Engine) -> None:
    """Refuse to run against an unreachable or un-migrated database, naming the fix."""
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        raise DatabaseNotReady(
            f"cannot reach the database at {engine.url.render_as_string()}: "
            f"{type(cause).__name__}: {reason}"
        ) from None
    head = head_revision()
    if current != head:
        state = "is not migrated" if current is None else f"is at revision {current}"
        raise DatabaseNotReady(
            f"the database {state}, this corridor needs revision {head}: "
            f"run `{UPGRADE_COMMAND}` first"
        )
