"""The application's state is typed: only ``corridor.web.state`` touches Starlette's untyped
``app.state``; routes, pages and tests go through ``app_state``/``Services``/``state_of``."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

from corridor.web.state import AppState

ROOT = Path(__file__).resolve().parents[2]
#: Where the untyped state is the point: the one module that installs and reads it.
TOUCHES_THE_STATE = {ROOT / "src" / "corridor" / "web" / "state.py"}
#: What the application's state held when it was untyped, and where it is now.
HELD = frozenset(field.name for field in fields(AppState)) | {"corridor"}


def _is_application(node: ast.expr) -> bool:
    """``app``, ``….app`` (a request's, a client's) or ``create_app(…)``."""
    if isinstance(node, ast.Name):
        return node.id == "app"
    if isinstance(node, ast.Attribute):
        return node.attr == "app"
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id.endswith("_app")
    return False


def _state_reads(tree: ast.AST) -> list[int]:
    """Lines that read or write an application's ``.state``, or a service off any ``.state``."""
    lines = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "state" and _is_application(node.value):
            lines.add(node.lineno)
        if (
            node.attr in HELD
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "state"
        ):
            lines.add(node.lineno)
    return sorted(lines)


def test_only_the_state_module_touches_the_untyped_state() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("src", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in TOUCHES_THE_STATE
        for line in _state_reads(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "use corridor.web.state (app_state, Services, state_of)"


def test_the_scan_sees_every_spelling() -> None:
    source = (
        "request.app.state.settings\n"  # 1: a request's application
        "app.state.profile_sets = holder\n"  # 2: written
        "create_app(settings).state.engine\n"  # 3: a fresh application
        "client.app.state\n"  # 4: a test client's application
        "whatever.state.token_cache\n"  # 5: a service off any state
        "request.state.principal\n"  # a request's own state: fine
        "plan.state\n"  # a plan's state: fine
    )
    assert _state_reads(ast.parse(source)) == [1, 2, 3, 4, 5]
    assert _state_reads(ast.parse((ROOT / "src/corridor/web/state.py").read_text())) != []
