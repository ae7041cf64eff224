"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from corridor.db.engine import make_engine, open_database
from corridor.db.migrate import current_revision, ensure_migrated, head_revision, upgrade
from corridor.db.tables import Base
from corridor.errors import DatabaseNotReady


def test_no_pending_autogenerate_diff(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "target_metadata": Base.metadata},
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    ensure_migrated(engine)


def test_unmigrated_database_is_refused_with_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(DatabaseNotReady, match="run `corridor db upgrade` first"):
        open_database(url)


def test_upgrade_is_repeatable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'twice.db'}")
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_unreachable_database_is_reported() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    with pytest.raises(DatabaseNotReady, match="cannot reach the database"):
        ensure_migrated(engine)
