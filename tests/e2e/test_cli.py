"""The ``corridor`` command as a user runs it (subprocesses, SQLite file)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli import run_corridor
from tests.factories import declaration, item, write_flat_csv


def corridor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_corridor(*args, database_url=f"sqlite:///{tmp_path / 'cli.db'}", cwd=tmp_path)


def test_commands_refuse_an_unmigrated_database(tmp_path: Path) -> None:
    result = corridor(tmp_path, "import", "nothing.csv")
    assert result.returncode == 3
    assert "run `corridor db upgrade` first" in result.stderr


def test_import_exit_codes_and_report(tmp_path: Path) -> None:
    assert corridor(tmp_path, "db", "upgrade").returncode == 0
    write_flat_csv(
        tmp_path / "in.csv",
        [declaration("A/1"), declaration("B/1", items=[item(1, hs_code="12")])],
    )
    result = corridor(tmp_path, "import", "in.csv", "--report", "rejected.csv")
    assert result.returncode == 5, result.stdout + result.stderr
    assert "declarations created: 1" in result.stdout
    assert "rows rejected: 1" in result.stdout
    report = (tmp_path / "rejected.csv").read_text()
    assert "B/1" in report
    assert "6 to 10 digits" in report
    again = corridor(tmp_path, "import", "in.csv", "--allow-partial", "--report", "r2.csv")
    assert again.returncode == 0
    assert "already stored (identical): 1" in again.stdout


def test_import_of_an_unfit_file_names_the_columns(tmp_path: Path) -> None:
    corridor(tmp_path, "db", "upgrade")
    (tmp_path / "bad.csv").write_text("number,colour\nA,red\n")
    result = corridor(tmp_path, "import", "bad.csv")
    assert result.returncode == 2
    assert "columns.colour: unknown column" in result.stderr
    assert "columns.hs_code: required column is missing" in result.stderr


@pytest.mark.parametrize("fmt", ["xml"])
def test_unknown_format_is_a_usage_error(tmp_path: Path, fmt: str) -> None:
    corridor(tmp_path, "db", "upgrade")
    result = corridor(tmp_path, "import", "x.csv", "--format", fmt)
    assert result.returncode == 2
    assert "must be flat or cdd" in result.stderr


def test_demo_generate_then_if_empty(tmp_path: Path) -> None:
    corridor(tmp_path, "db", "upgrade")
    first = corridor(
        tmp_path, "demo", "generate", "--declarations", "60", "--seed", "3", "--end", "2026-06-30"
    )
    assert first.returncode == 0, first.stderr
    assert "60 declarations stored" in first.stdout
    second = corridor(tmp_path, "demo", "generate", "--declarations", "60", "--if-empty")
    assert second.returncode == 0
    assert "not loaded again" in second.stdout
    current = corridor(tmp_path, "db", "current")
    assert "up to date" in current.stdout


def test_demo_accounts_once_per_installation(tmp_path: Path) -> None:
    assert corridor(tmp_path, "db", "upgrade").returncode == 0
    first = corridor(tmp_path, "demo", "accounts")
    assert first.returncode == 0, first.stderr
    for username in ("admin.demo", "analyst.demo", "head.demo", "inspector.osh", "clearance.demo"):
        assert username in first.stdout
    stored = json.loads((tmp_path / "var" / "demo-credentials.json").read_text())
    assert stat.S_IMODE((tmp_path / "var" / "demo-credentials.json").stat().st_mode) == 0o600
    assert stored["password"] in first.stdout
    assert len(stored["password"]) >= 16
    again = corridor(tmp_path, "demo", "accounts")
    assert again.returncode == 0
    assert stored["password"] in again.stdout  # the same installation, the same password
    other = tmp_path / "other"
    other.mkdir()
    assert corridor(other, "db", "upgrade").returncode == 0
    assert stored["password"] not in corridor(other, "demo", "accounts").stdout
    journal = corridor(tmp_path, "journal", "verify")
    assert journal.returncode == 0, journal.stdout


def test_demo_is_refused_in_production(tmp_path: Path) -> None:
    assert corridor(tmp_path, "db", "upgrade").returncode == 0
    env_production = {"CORRIDOR_ENVIRONMENT": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "corridor.cli", "demo", "accounts"],
        cwd=tmp_path,
        env={**os.environ, **env_production, "CORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 4
    assert "production" in result.stderr


def test_serve_with_several_workers_answers_from_worker_processes(tmp_path: Path) -> None:
    assert corridor(tmp_path, "db", "upgrade").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while status != 200 and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health") as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        # The supervisor's children: the worker processes (and multiprocessing's tracker).
        workers = [
            pid
            for pid in children
            if b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "worker processes:  2" in output


#: Run at the start of every interpreter on its path; delays the worker processes that
#: uvicorn's supervisor spawns (``--multiprocessing-fork``), as a busy host does, before
#: they can answer its health checks.
SLOW_WORKER_START = """\
import sys
import time

if "--multiprocessing-fork" in sys.argv:
    time.sleep({seconds})
"""


def test_serve_keeps_workers_that_start_slower_than_uvicorns_default(tmp_path: Path) -> None:
    """uvicorn's supervisor kills a worker that does not answer in 5 s by default, and its
    replacement is as slow: the workers restart in a loop and never serve. Workers taking
    8 s to start come up once, and stay."""
    assert corridor(tmp_path, "db", "upgrade").returncode == 0
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_WORKER_START.format(seconds=8))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = os.pathsep.join(p for p in (str(slow), os.environ.get("PYTHONPATH", "")) if p)
    env = {
        **os.environ,
        "CORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PYTHONPATH": path,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "corridor.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def workers() -> set[str]:
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        return {
            pid
            for pid in children
            if b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes()
        }

    try:
        status = None
        deadline = time.monotonic() + 90
        while status != 200 and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health") as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        first = workers()
        assert len(first) == 2
        time.sleep(6)  # past another round of health checks
        assert workers() == first, "the supervisor replaced its workers"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "died" not in output, output
    assert output.count("Application startup complete") == 2, output
