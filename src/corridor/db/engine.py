"""Database engines and sessions for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

from corridor.errors import DatabaseUnavailable


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    A connection that cannot be opened, or is lost while in use, raises
    DatabaseUnavailable (the edges answer 503 / exit code 3); the pool opens a new
    connection for the next use, so service resumes by itself when the database returns.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _unavailable(context: ExceptionContext) -> None:
    """Raise DatabaseUnavailable for a failure to reach the database; leave other errors.

    A failure with no connection yet is a refused connect (server down, database closed
    to connections, SQLite file gone); ``is_disconnect`` is a connection lost in use.
    A failed pre-ping is left to the pool, which reconnects and reports that instead.
    """
    if context.is_pre_ping:
        return
    if context.connection is not None and not context.is_disconnect:
        return
    cause = str(context.original_exception).strip()
    reason = cause.splitlines()[0] if cause else type(context.original_exception).__name__
    where = context.engine.url.render_as_string() if context.engine is not None else None
    raise DatabaseUnavailable(reason, where=where) from context.original_exception


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for a database that must be migrated to head.

    Raises DatabaseNotReady (naming ``corridor db upgrade``) otherwise.
    """
    from corridor.db.migrate import ensure_migrated

    engine = make_engine(url)
    ensure_migrated(engine)
    return engine, make_session_factory(engine)
