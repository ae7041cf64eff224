"""Configuration comes through the settings only: no module reads the environment itself,
and the declared extra attributes are a setting (environment or ``.env``)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.app import create_app
from corridor.config import Settings
from corridor.declarations.attributes import DEFAULT_ATTRIBUTES
from corridor.declarations.schemas import declared_attributes
from corridor.errors import ConfigurationError

SRC = Path(__file__).resolve().parents[2] / "src" / "corridor"
#: Where reading the environment is the point: the settings themselves.
READS_THE_ENVIRONMENT = {"config.py"}
#: What reads (or writes) the process environment in the os module.
READERS = frozenset({"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"})
EXCISE = [{"name": "excise_rate", "type": "number", "level": "item", "description": "excise"}]


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that touch os.environ / os.getenv / os.putenv or import them from os."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in READERS
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in READERS for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_but_the_settings_reads_the_environment() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if str(path.relative_to(SRC)) not in READS_THE_ENVIRONMENT
        for line in _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "read the environment through corridor.config.Settings"


def test_the_scan_sees_every_spelling() -> None:
    source = "import os\nfrom os import getenv\nos.environ.get('X')\nos.getenv('Y')\n"
    assert sorted(_environment_reads(ast.parse(source))) == [2, 3, 4]


def test_importing_the_facts_and_the_engine_reads_no_setting() -> None:
    """A wrong declaration in the environment fails where the settings are read (the
    application's start, a command), not when a module is imported."""
    environment = {**os.environ, "CORRIDOR_EXTRA_ATTRIBUTES": "{not json"}
    environment["PYTHONPATH"] = str(SRC.parent)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import corridor.declarations.schemas, corridor.declarations.facts, "
            "corridor.selectivity.engine, corridor.selectivity.snapshot",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_extra_attributes_are_read_from_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CORRIDOR_EXTRA_ATTRIBUTES", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"CORRIDOR_EXTRA_ATTRIBUTES='{json.dumps(EXCISE)}'\n", encoding="utf-8")
    registry = declared_attributes(Settings(_env_file=env_file))  # type: ignore[call-arg]
    assert registry.names("item") == ("excise_rate", "origin_indicator", "tax_type")
    assert registry.coerce("item", "excise_rate", "12.50") == 12.5


def test_without_the_setting_only_the_built_in_attributes_are_declared() -> None:
    registry = declared_attributes(Settings(extra_attributes=""))
    assert set(registry.specs.values()) == set(DEFAULT_ATTRIBUTES)


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("{not json", r"CORRIDOR_EXTRA_ATTRIBUTES is not valid JSON"),
        ('{"name": "x"}', r"CORRIDOR_EXTRA_ATTRIBUTES must be a JSON list"),
        ('[{"name": "Bad", "type": "string"}]', r"CORRIDOR_EXTRA_ATTRIBUTES\[0\]\.name"),
        ('[{"name": "x", "type": "money"}]', r"CORRIDOR_EXTRA_ATTRIBUTES\[0\]\.type"),
    ],
)
def test_a_wrong_declaration_names_the_setting(declared: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        declared_attributes(Settings(extra_attributes=declared))


def test_the_application_refuses_to_start_on_a_wrong_declaration(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'corridor.db'}", extra_attributes="{not json"
    )
    with pytest.raises(ConfigurationError, match="CORRIDOR_EXTRA_ATTRIBUTES"):
        create_app(settings)
