"""A domain error's text can be said in the user's language: the domain packages write
the detail of an error and a field's message with ``corridor.errors.N_`` (a template and
its parameters), never as a plain text or an f-string that a page could only show in
English. Edges (api, cli, web pages, file importers, whose reports go to the terminal)
and the infrastructure (db, web, the criteria language) are outside this rule."""

from __future__ import annotations

import ast
from pathlib import Path

import corridor

SOURCE = Path(corridor.__file__).parent
#: The domain packages (the layers contract's, pyproject.toml).
DOMAIN = (
    "accounts", "analytics", "declarations", "inspections", "journal", "postentry",
    "profiles", "reference", "scoring", "selectivity", "traders", "valuation",
)  # fmt: skip
#: The errors that carry a text for the user, and FieldError (its message, second).
ERRORS = {
    "Conflict", "DeclarationConflict", "InvalidInput", "NotAuthenticated", "NotFound",
    "PermissionDenied", "TooManyAttempts",
}  # fmt: skip


def _is_edge(path: Path) -> bool:
    return path.name in {"api.py", "cli.py", "importers.py"} or path.name.startswith("web")


def plain_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, source) of each error or field message written as a plain text."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id in ERRORS:
            texts = node.args[:1]
        elif node.func.id == "FieldError":
            texts = node.args[1:2]
        else:
            continue
        for text in texts:
            if isinstance(text, ast.JoinedStr) or (
                isinstance(text, ast.Constant) and isinstance(text.value, str)
            ):
                found.append((node.lineno, ast.unparse(text)))
    return found


def test_domain_errors_are_written_with_n_() -> None:
    plain = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for package in DOMAIN
        for path in sorted((SOURCE / package).rglob("*.py"))
        if not _is_edge(path) and "core" not in path.relative_to(SOURCE).parts
        for line, text in plain_texts(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert plain == []


def test_the_check_finds_plain_texts() -> None:
    tree = ast.parse(
        "raise NotFound(f'profile {code} does not exist')\n"
        "raise Conflict('stale')\n"
        "FieldError(('limit',), 'too big')\n"
        "raise NotFound(N_('profile %(code)s does not exist', code=code))\n"
        "FieldError(('limit',), N_('too big'))\n"
    )
    assert [line for line, _text in plain_texts(tree)] == [1, 2, 3]
