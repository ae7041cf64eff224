"""The real `corridor` command in a subprocess, as a user runs it (PYTHONPATH is inherited,
so a checkout's source is the one run)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_corridor(
    *args: str,
    database_url: str,
    cwd: Path | None = None,
    columns: int = 200,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``corridor ARGS…`` on ``database_url``; ``env`` adds variables (None removes one)."""
    environment = {**os.environ, "CORRIDOR_DATABASE_URL": database_url, "COLUMNS": str(columns)}
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-m", "corridor.cli", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
