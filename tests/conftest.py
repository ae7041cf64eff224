"""Test databases: every database test runs on SQLite, and on PostgreSQL when configured.

``CORRIDOR_TEST_DATABASE_URL`` names a PostgreSQL database the tests may wipe.
Unset, PostgreSQL tests are skipped and the run says so in one line; with
``CORRIDOR_REQUIRE_POSTGRES=1`` an unset or unreachable server fails the run.

``make test`` runs the tests in two processes (pytest-xdist); each worker gets a
database of its own beside the named one (``test`` → ``test_gw0``, ``test_gw1``),
created on first use, so that the workers never wipe each other's tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import SEEDED_TABLES, upgrade
from corridor.db.tables import Base
from tests.examples import load_profile

if os.environ.get("PYTEST_XDIST_WORKER"):
    # xdist's workers inherit a terminal size of 80x24 that a plain run has not: rich would
    # fix the CLI's consoles at 80 columns when their modules are imported, whatever width
    # a test asks for.
    for _name in ("COLUMNS", "LINES"):
        os.environ.pop(_name, None)

# A test process starts hundreds of applications on one large heap: a full collection
# and freeze at each start-up (the servers' setting) would cost more than it saves.
os.environ.setdefault("CORRIDOR_GC_FREEZE", "false")

# The property tests' profile (tests/examples.py): a quarter of the examples by default,
# all of them with HYPOTHESIS_PROFILE=ci.
load_profile()

PG_URL = os.environ.get("CORRIDOR_TEST_DATABASE_URL", "").strip()
#: The browser for the web pages' tests (Debian's chromium; never a downloaded one).
CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CORRIDOR_REQUIRE_BROWSER", "") == "1"
BROWSER_SKIP_REASON = (
    f"Browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium; "
    "CORRIDOR_CHROMIUM names another binary)"
)
REQUIRE_PG = os.environ.get("CORRIDOR_REQUIRE_POSTGRES", "") == "1"
SKIP_REASON = "PostgreSQL tests skipped: CORRIDOR_TEST_DATABASE_URL is not set"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "long: a module whose tests take most of a minute or more; run first (see "
        "pytest_collection_modifyitems)",
    )


@pytest.hookimpl(trylast=True)  # after pytest has grouped each module's tests by fixture
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the modules as the workers should take them: the ``long`` ones first, then
    the others by their number of tests, most first (what ``--dist loadscope`` would do
    alone, but it would start the one-test minute-long modules last, while the other
    worker ran out of work; make test passes ``--no-loadscope-reorder``)."""
    scopes: dict[str, list[pytest.Item]] = {}
    for item in items:
        scopes.setdefault(item.nodeid.rsplit("::", 1)[0], []).append(item)
    ordered = sorted(
        scopes.values(),
        key=lambda tests: (not any(t.get_closest_marker("long") for t in tests), -len(tests)),
    )
    items[:] = [item for tests in ordered for item in tests]


def pytest_report_header() -> str:
    if PG_URL:
        return f"databases: SQLite and PostgreSQL ({PG_URL.split('@')[-1]})"
    return f"databases: SQLite only — {SKIP_REASON}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not PG_URL:
        terminalreporter.write_line(SKIP_REASON, yellow=True)
    if not os.access(CHROMIUM, os.X_OK):
        terminalreporter.write_line(BROWSER_SKIP_REASON, yellow=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_PG and not PG_URL:
        raise pytest.UsageError(
            "CORRIDOR_REQUIRE_POSTGRES=1 but CORRIDOR_TEST_DATABASE_URL is not set"
        )
    if REQUIRE_BROWSER and not os.access(CHROMIUM, os.X_OK):
        raise pytest.UsageError(
            f"CORRIDOR_REQUIRE_BROWSER=1 but there is no executable Chromium at {CHROMIUM}"
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _worker_database(url: str, suffix: str = "") -> str:
    """The URL of this test process's own database: ``url`` itself without xdist, else a
    database named after the worker beside it; ``suffix`` names another database of the
    process (created when missing)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker and not suffix:
        return url
    named = make_url(url)
    own = named.set(database="_".join(p for p in (named.database, worker, suffix) if p))
    server = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        server.dispose()
    return own.render_as_string(hide_password=False)


def _migrated_postgres(suffix: str = "") -> Engine:
    """This process's PostgreSQL database (``suffix``: another one of its own), wiped and
    migrated; skips (or fails, when required) without a usable server."""
    if not PG_URL:
        pytest.skip(SKIP_REASON)
    try:
        engine = make_engine(_worker_database(PG_URL, suffix))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unusable at {PG_URL}: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    upgrade(engine)
    if not _SEEDED:
        with engine.connect() as connection:
            _SEEDED.update(
                {
                    name: [
                        dict(row)
                        for row in connection.execute(
                            Base.metadata.tables[name].select()
                        ).mappings()
                    ]
                    for name in SEEDED_TABLES
                }
            )
    return engine


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """The PostgreSQL test database, wiped and migrated once per run."""
    engine = _migrated_postgres()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_module_engine() -> Iterator[Engine]:
    """A second PostgreSQL database of this process (``…_module``), for the databases a
    module's tests share: ``engine`` empties its own before every test, never this one."""
    engine = _migrated_postgres("module")
    yield engine
    engine.dispose()


_SEEDED: dict[str, list[dict[str, object]]] = {}


#: Every table, children before their parents.
_DELETES = "; ".join(f"DELETE FROM {t.name}" for t in reversed(Base.metadata.sorted_tables))


def _empty(engine: Engine) -> None:
    """Empty every table, restart the sequences a test used, then put back what the
    migrations seeded: a fresh install, as ``TRUNCATE … RESTART IDENTITY`` leaves it.

    Deleting the few rows a test left takes milliseconds; ``TRUNCATE`` gives each of the
    tables and indexes new files, a second per test on a busy server (every sequence is
    owned by its table's key, so restarting the used ones is what RESTART IDENTITY does).
    """
    with engine.begin() as connection:
        connection.exec_driver_sql(_DELETES)
        used = connection.execute(
            text("SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL")
        ).all()
        for schema, sequence in used:
            connection.exec_driver_sql(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART')
        for name, rows in _SEEDED.items():
            if rows:
                connection.execute(Base.metadata.tables[name].insert(), rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Engine]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "corridor.db"
        shutil.copyfile(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
        return
    pg: Engine = request.getfixturevalue("pg_engine")
    _empty(pg)
    yield pg


@pytest.fixture
def database_url(engine: Engine) -> str:
    """The URL of the test database."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the test database."""
    return make_session_factory(engine)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_engine(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Engine]:
    """A migrated, empty database that one module's tests share (SQLite, then PostgreSQL):
    for worlds that are costly to build and that the tests only read."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module") / "corridor.db"
        shutil.copyfile(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
        return
    pg: Engine = request.getfixturevalue("pg_module_engine")
    _empty(pg)
    yield pg
