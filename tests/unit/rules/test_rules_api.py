"""The public surface of corridor.rules: exports, docstrings, the error tree."""

from __future__ import annotations

import builtins
import inspect
from types import ModuleType

import pytest

from corridor import rules
from corridor.rules import errors


def _defined_in_package(obj: object) -> bool:
    module = getattr(obj, "__module__", None)
    return isinstance(module, str) and module.startswith("corridor.rules")


def test_all_lists_exactly_the_public_names() -> None:
    visible = {
        name
        for name, obj in vars(rules).items()
        if not name.startswith("_") and not isinstance(obj, ModuleType) and _defined_in_package(obj)
    }
    assert set(rules.__all__) == visible | {"Expr"}
    assert sorted(rules.__all__) == rules.__all__
    for name in rules.__all__:
        assert getattr(rules, name) is not None


def test_public_modules_are_private_except_errors() -> None:
    modules = {
        name
        for name, obj in vars(rules).items()
        if isinstance(obj, ModuleType) and obj.__name__.startswith("corridor.rules")
    }
    assert {m for m in modules if not m.startswith("_")} == {"errors"}
    assert {"_grammar", "_check", "_compile_py", "_compile_polars", "_explain"} <= modules


@pytest.mark.parametrize("name", rules.__all__)
def test_every_export_is_documented(name: str) -> None:
    obj = getattr(rules, name)
    if name == "Expr":
        return
    assert inspect.getdoc(obj), name


def test_no_export_shadows_a_builtin() -> None:
    assert not set(rules.__all__) & set(dir(builtins))


def test_error_tree() -> None:
    assert errors.__all__ == sorted(
        ["RuleError", "RuleSyntaxError", "RuleTypeError", "RuleLimitError", "RuleFormatError"]
    )
    for name in errors.__all__:
        error = getattr(errors, name)
        assert issubclass(error, rules.RuleError)
        assert getattr(rules, name) is error
        assert name in (errors.__doc__ or "")
    assert issubclass(rules.RuleError, Exception)


@pytest.mark.parametrize(
    "function",
    [
        "parse",
        "to_text",
        "to_json",
        "from_json",
        "check",
        "compile_predicate",
        "compile_polars",
        "explain",
    ],
)
def test_package_docstring_documents_the_functions(function: str) -> None:
    assert f":func:`{function}`" in (rules.__doc__ or "")


def test_package_docstring_states_the_missing_value_rules() -> None:
    doc = rules.__doc__ or ""
    assert "``not (x > 5)`` is **true** when ``x`` is missing" in doc
    assert "``0.1 + 0.2 = 0.3`` is true" in doc
