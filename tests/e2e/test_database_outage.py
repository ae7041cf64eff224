"""A database outage answers 503, never 500, and service resumes by itself (SQLite and
PostgreSQL).

The database really refuses connections: PostgreSQL's database (one of its own beside
the test database, ``<test database>_outage``) is closed to connections and its
sessions are terminated, as a fail-over or a restart does; SQLite's folder is moved
away, as when its volume goes (the pool's open connections go with it). Every API
route then answers 503 with the JSON error body and ``Retry-After``, every web page
the HTML error page, health says why; when connections are allowed again the very
next requests are served, without a restart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from tests.e2e.test_pages import PUBLIC as PUBLIC_PAGES
from tests.e2e.test_pages import page_routes
from tests.e2e.test_permissions import api_routes, concrete
from tests.live import free_port
from tests.staff import seed_staff
from tests.web import htmx_headers, sign_in

UNAVAILABLE = {
    "type": "database unavailable",
    "detail": "The database cannot be reached just now; try again in a few seconds.",
    "errors": [],
}


@dataclass
class Outage:
    """A database the test can close to connections and open again."""

    url: str
    engine: Engine
    cut: Callable[[], None]
    restore: Callable[[], None]


@pytest.fixture(params=["sqlite", "postgresql"])
def outage(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Outage]:
    if request.param == "sqlite":
        yield from _sqlite_outage(sqlite_template, tmp_path)
    else:
        yield from _postgresql_outage(request.getfixturevalue("pg_engine"))


def _sqlite_outage(template: Path, tmp_path: Path) -> Iterator[Outage]:
    volume, away = tmp_path / "volume", tmp_path / "volume-gone"
    volume.mkdir()
    shutil.copyfile(template, volume / "corridor.db")
    url = f"sqlite:///{volume / 'corridor.db'}"
    engine = make_engine(url)

    def cut() -> None:
        volume.rename(away)
        engine.dispose()  # the open connections go with the volume

    def restore() -> None:
        away.rename(volume)

    yield Outage(url, engine, cut, restore)
    engine.dispose()


def _postgresql_outage(test_database: Engine) -> Iterator[Outage]:
    # A database of its own: closing the test database would cut the fixtures off too.
    name = f"{test_database.url.database}_outage"
    server = make_engine(
        test_database.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )

    def allow(allowed: bool) -> None:
        with server.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            )
            if not allowed:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                        "WHERE datname = :name"
                    ),
                    {"name": name},
                )

    # Kept between runs, like the workers' databases (creating and dropping one costs
    # PostgreSQL a checkpoint each); emptied and migrated for each test.
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    allow(True)  # a run stopped halfway may have left it closed
    url = test_database.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    try:
        yield Outage(url, engine, lambda: allow(False), lambda: allow(True))
    finally:
        allow(True)
        engine.dispose()
        server.dispose()


def test_an_outage_is_503_everywhere_and_service_resumes_by_itself(outage: Outage) -> None:
    factory = make_session_factory(outage.engine)
    staff = seed_staff(factory)
    # No token cache: each request authenticates against the database, as after expiry.
    app = create_app(Settings(database_url=outage.url, token_cache_seconds=0), engine=outage.engine)
    token = staff.headers(Role.ADMINISTRATOR)
    with TestClient(app, raise_server_exceptions=False) as client:
        csrf = sign_in(client, factory, staff, Role.ADMINISTRATOR)
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/admin/users").status_code == 200

        outage.cut()

        checked = 0
        for method, path, _ in api_routes(app):
            if path.startswith("/docs") or path == "/api/v1/health":
                continue
            body = {"username": "admin", "password": "a password"} if "login" in path else {}
            response = client.request(method, concrete(path), json=body, headers=token)
            where = f"{method} {path}"
            assert response.status_code == 503, f"{where}: {response.status_code} {response.text}"
            assert response.json() == UNAVAILABLE, where
            assert int(response.headers["Retry-After"]) > 0, where
            checked += 1
        assert checked >= 90

        pages = 0
        for method, path, _ in page_routes(app):
            if (method, path) in PUBLIC_PAGES or path.startswith("/assets"):
                continue
            response = client.request(method, concrete(path), headers=htmx_headers(csrf))
            where = f"{method} {path}"
            assert response.status_code == 503, f"{where}: {response.status_code}"
            assert response.headers["content-type"].startswith("text/html"), where
            assert "Service unavailable" in response.text, where
            assert UNAVAILABLE["detail"] in response.text, where
            assert int(response.headers["Retry-After"]) > 0, where
            pages += 1
        assert pages >= 60
        refused = client.post("/login", data={"username": "admin", "password": "a password"})
        assert refused.status_code == 503
        assert "Service unavailable" in refused.text

        health = client.get("/api/v1/health")
        assert health.status_code == 503
        assert int(health.headers["Retry-After"]) > 0
        state = health.json()
        assert state["status"] == "unavailable"
        assert state["database"]["reachable"] is False
        assert state["database"]["error"].startswith("cannot reach the database")
        assert "5432" not in state["database"]["error"]

        outage.restore()

        # No restart, no wait: the pool opens a new connection for the next request.
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/users", headers=token).status_code == 200
        assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("command", [["db", "upgrade"], ["journal", "verify"]])
def test_the_cli_says_the_database_is_unreachable_without_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    # A port nothing listens on: the connection is refused, as by a server that is down.
    url = f"postgresql+psycopg://corridor@127.0.0.1:{free_port()}/corridor"
    result = subprocess.run(
        [sys.executable, "-m", "corridor.cli", *command],
        cwd=tmp_path,
        env={**os.environ, "CORRIDOR_DATABASE_URL": url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    said = " ".join(result.stderr.split())  # as wrapped by the console
    assert said.startswith("error: cannot reach the database at postgresql+psycopg://"), said
    assert "Connection refused" in said
    assert "Traceback" not in result.stderr + result.stdout
