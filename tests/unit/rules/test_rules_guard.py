"""Nothing but RuleError escapes the public functions, even on internal failures."""

from __future__ import annotations

from typing import Any

import pytest

from corridor import rules as r
from corridor.rules import FieldType as T
from corridor.rules import _check, _grammar


def _explode(*args: Any, **kwargs: Any) -> Any:
    raise ValueError("boom")


def _recurse(*args: Any, **kwargs: Any) -> Any:
    raise RecursionError("maximum recursion depth exceeded")


@pytest.mark.parametrize("failure", [_explode, _recurse])
def test_unexpected_failures_become_rule_errors(
    monkeypatch: pytest.MonkeyPatch, failure: Any
) -> None:
    monkeypatch.setattr(_check, "analyse", failure)
    schema = {"x": T.NUMBER}
    for call in (
        lambda: r.check("x > 1", schema),
        lambda: r.compile_predicate("x > 1", schema),
        lambda: r.compile_polars("x > 1", schema),
        lambda: r.explain("x > 1", {}, schema=schema),
    ):
        with pytest.raises(r.RuleError, match="cannot process the criterion") as caught:
            call()
        assert type(caught.value) is r.RuleError
        assert isinstance(caught.value.__cause__, ValueError | RecursionError)


def test_parse_failures_become_rule_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_grammar, "_convert", _explode)
    with pytest.raises(r.RuleError, match="ValueError: boom"):
        r.parse("x")


def test_errors_from_text_carry_an_excerpt_when_raised_later() -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.compile_predicate("x > 1 and\n    y", {"x": T.NUMBER})
    assert caught.value.excerpt == "      y\n      ^"
