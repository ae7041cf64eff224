"""Only edges commit: services, repositories and every other inner module never do.

A use case runs in the caller's transaction; the edge that runs it (a route, a page, a
command, a batch loop) commits once, or runs it with ``UnitOfWork.retrying``, which
commits. The modules are read, not imported: a commit in a branch no test takes is
found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import corridor

SOURCE = Path(corridor.__file__).parent

#: Edges by name: HTTP routes, web pages, commands and the importers' batch loops.
EDGE_NAMES = ("api.py", "cli.py", "web.py", "importers.py")
EDGE_PREFIXES = ("web_",)
#: Edges by path, each with the reason it commits.
EDGE_MODULES = {
    "db/uow.py": "the unit of work itself: commit() and retrying()",
    "terminal.py": "run_use_case, the command-line edges' one use case per session",
    "web/security.py": "the HTTP dependency that keeps an API token's last use",
    "web/deps.py": "Committed, the routes' unit of work that commits on success",
    "demo/loader.py": "the demo load's batch loop",
    "demo/accounts.py": "the demo load's batch loop",
    "demo/inspections.py": "the demo load's batch loop",
    "demo/selectivity.py": "the demo load's batch loop",
    "demo/traders.py": "the demo load's batch loop",
}
#: What ends a transaction for good: a commit, or the helper that commits.
COMMITTING = frozenset({"commit", "retrying"})


def is_edge(path: Path) -> bool:
    """Whether the module at ``path`` is an edge (allowed to commit)."""
    relative = path.relative_to(SOURCE).as_posix()
    return (
        path.name in EDGE_NAMES or path.name.startswith(EDGE_PREFIXES) or relative in EDGE_MODULES
    )


def commits_in(path: Path) -> list[str]:
    """Each call of ``.commit(...)`` or ``.retrying(...)`` in the module, as ``line: text``."""
    text = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in COMMITTING
        ):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def test_no_service_repository_or_other_inner_module_commits() -> None:
    inner = [path for path in sorted(SOURCE.rglob("*.py")) if not is_edge(path)]
    assert any(path.name == "service.py" for path in inner)
    assert any(path.name == "repository.py" for path in inner)
    offenders = {
        path.relative_to(SOURCE).as_posix(): found for path in inner if (found := commits_in(path))
    }
    assert offenders == {}, (
        "services and repositories never commit; the edge that runs the use case does "
        "(CONTRIBUTING: one transaction per use case)"
    )


def test_the_check_sees_a_commit() -> None:
    # The scan must be able to fail: the edge that runs the submission commits.
    assert commits_in(SOURCE / "selectivity" / "api.py")
    assert not is_edge(SOURCE / "declarations" / "service.py")
    assert is_edge(SOURCE / "accounts" / "web_admin.py")


def test_every_listed_edge_module_exists() -> None:
    # A module renamed or removed must leave the list, or the list would excuse a newcomer.
    missing = [name for name in EDGE_MODULES if not (SOURCE / name).is_file()]
    assert missing == []
