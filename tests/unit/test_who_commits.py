"""Only edges commit: services, repositories and every other inner module never do.

A use case runs in the caller's transaction; the edge that runs it (a route, a page, a
command, a batch loop) commits once, or runs it with ``UnitOfWork.retrying``, which
commits. A route or a page does not even write the commit: its unit of work commits on
success (``web.deps.Committed``, ``web.pages.writing``), but for the few listed with
their reason. The modules are read, not imported: a commit in a branch no test takes is
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
    "web/pages.py": "writing(), the pages' unit of work that commits on success",
    "demo/loader.py": "the demo load's batch loop",
    "demo/accounts.py": "the demo load's batch loop",
    "demo/inspections.py": "the demo load's batch loop",
    "demo/selectivity.py": "the demo load's batch loop",
    "demo/traders.py": "the demo load's batch loop",
}
#: What ends a transaction for good: a commit, or the helper that commits.
COMMITTING = frozenset({"commit", "retrying"})
#: HTTP edges (routes, pages) by name: they commit through their dependency.
HTTP_EDGE_NAMES = ("api.py", "web.py")
_AFTER_COMMIT = "committed before the token cache is emptied, which must come after"
#: The routes and pages that commit themselves, by (module, function), with the reason.
ROUTE_COMMITS = {
    ("accounts/api.py", "login"): "a refused sign-in is kept: it counts towards the lockout",
    ("accounts/web.py", "login"): "a refused sign-in is kept: it counts towards the lockout",
    ("accounts/api.py", "update_user"): _AFTER_COMMIT,
    ("accounts/api.py", "revoke_token"): _AFTER_COMMIT,
    ("accounts/web_admin.py", "update_user"): _AFTER_COMMIT,
    ("accounts/web_admin.py", "revoke_token"): _AFTER_COMMIT,
    ("selectivity/api.py", "submit_declaration"): "retrying(): a race lost to a unique key",
    ("scoring/api.py", "activate"): "retrying(): two activations meet on the one-active index",
    ("scoring/web.py", "_step"): "retrying(): two activations meet on the one-active index",
}


def is_edge(path: Path) -> bool:
    """Whether the module at ``path`` is an edge (allowed to commit)."""
    relative = path.relative_to(SOURCE).as_posix()
    return (
        path.name in EDGE_NAMES or path.name.startswith(EDGE_PREFIXES) or relative in EDGE_MODULES
    )


def is_http_edge(path: Path) -> bool:
    """Whether the module at ``path`` holds routes or pages (commits by dependency)."""
    return path.name in HTTP_EDGE_NAMES or path.name.startswith(EDGE_PREFIXES)


def commits_by_function(path: Path) -> dict[str, list[int]]:
    """The lines of each top-level function's commits (``.commit``, ``.retrying``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: dict[str, list[int]] = {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in COMMITTING
            ):
                found.setdefault(function.name, []).append(node.lineno)
    return found


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


def test_routes_and_pages_commit_through_their_unit_of_work() -> None:
    edges = [path for path in sorted(SOURCE.rglob("*.py")) if is_http_edge(path)]
    assert any(path.name == "api.py" for path in edges)
    assert any(path.name.startswith("web_") for path in edges)
    offenders = {
        f"{relative}:{line} in {function}"
        for path in edges
        for function, lines in commits_by_function(path).items()
        if (relative := path.relative_to(SOURCE).as_posix(), function) not in ROUTE_COMMITS
        for line in lines
    }
    # Every commit is in a function: one at module level would be found by commits_in.
    loose = {
        path.relative_to(SOURCE).as_posix()
        for path in edges
        if len(commits_in(path)) != sum(len(v) for v in commits_by_function(path).values())
    }
    assert (offenders, loose) == (set(), set()), (
        "a route takes uow: Committed and a page writing(action): they commit on success "
        "(CONTRIBUTING: one transaction per use case)"
    )


def test_every_listed_route_commit_is_there() -> None:
    # A commit removed must leave the list, or the list would excuse a newcomer.
    stale = [key for key in ROUTE_COMMITS if key[1] not in commits_by_function(SOURCE / key[0])]
    assert stale == []


def test_the_check_sees_a_commit() -> None:
    # The scan must be able to fail: the edge that runs the submission commits.
    assert commits_in(SOURCE / "selectivity" / "api.py")
    assert not is_edge(SOURCE / "declarations" / "service.py")
    assert is_edge(SOURCE / "accounts" / "web_admin.py")


def test_every_listed_edge_module_exists() -> None:
    # A module renamed or removed must leave the list, or the list would excuse a newcomer.
    missing = [name for name in EDGE_MODULES if not (SOURCE / name).is_file()]
    assert missing == []
