"""Property tests: the two compilers agree, round trips hold, no foreign error escapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor import rules as r
from corridor.rules import FieldType as T
from tests.examples import examples
from tests.unit.rules.rules_testing import (
    LISTS,
    SCHEMA,
    evaluate_both,
    expressions,
    fact_frames,
    frame_of,
)

#: Minutes of work: run before the short modules (tests/conftest.py).
pytestmark = pytest.mark.long


@settings(max_examples=examples(2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(T.BOOLEAN, 4), fact_frames())
def test_closure_and_polars_agree(expr: r.Expr, frame: tuple[list[dict[str, Any]], Any]) -> None:
    rows, dtypes = frame
    closure, batch = evaluate_both(expr, rows, dtypes=dtypes)
    assert closure == batch, r.to_text(expr)


NUMBER_CONDITIONS = st.one_of(
    st.builds(
        r.Compare,
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        expressions(T.NUMBER, 3),
        expressions(T.NUMBER, 3),
    ),
    st.builds(r.IsMissing, expressions(T.NUMBER, 3)),
)


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NUMBER_CONDITIONS, fact_frames())
def test_arithmetic_agrees(expr: r.Expr, frame: tuple[list[dict[str, Any]], Any]) -> None:
    rows, dtypes = frame
    closure, batch = evaluate_both(expr, rows, dtypes=dtypes)
    assert closure == batch, r.to_text(expr)


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(list(T)).flatmap(lambda kind: expressions(kind, 4)))
def test_text_and_json_round_trip(expr: r.Expr) -> None:
    text = r.to_text(expr)
    again = r.parse(text)
    assert again == expr
    assert r.to_text(again) == text
    document = r.to_json(expr)
    assert r.from_json(json.loads(json.dumps(document))) == expr


NULL_ROW = frame_of([{}])


def _outcome(action: Callable[[], object]) -> str:
    """Run ``action``: "ok", or "rule error"; any other exception fails the test."""
    try:
        action()
    except r.RuleError:
        return "rule error"
    return "ok"


def _furthest_stage(text: str) -> str:
    """Parse, check, compile and explain ``text`` as far as it goes without a RuleError."""
    if _outcome(lambda: r.parse(text)) != "ok":
        return "parse"
    expr = r.parse(text)
    if _outcome(lambda: r.check(expr, SCHEMA, LISTS)) != "ok":
        return "check"
    assert r.compile_predicate(expr, SCHEMA, LISTS)({}) in (True, False)
    assert NULL_ROW.with_columns(m=r.compile_polars(expr, SCHEMA, LISTS))["m"].dtype == pl.Boolean
    assert r.explain(expr, {}, schema=SCHEMA, lists=LISTS).reasons
    return "evaluated"


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_rule_errors(text: str) -> None:
    assert _furthest_stage(text) in ("parse", "check", "evaluated")


TOKENS = [
    *"()[],+-*/=<>",
    "!=",
    "<=",
    ">=",
    "and",
    "OR",
    "not",
    "in",
    "startswith",
    "between",
    "contains",
    "is",
    "missing",
    "present",
    "true",
    "FALSE",
    "s1",
    "n1",
    "d1",
    "t1",
    "l1",
    "b1",
    "unknown",
    "`s 1`",
    '"a"',
    '"\\u00e9"',
    '"\\q"',
    "0",
    "2.5",
    "1.0000000001",
    "1000000000000000000",
    "abs(",
    "min(",
    "round(",
    "len(",
    "lower(",
    "days_between(",
    'in_list("ONE"',
    'in_list("TWO")',
    'date("2026-01-01")',
    'datetime("2026-01-01T00:00:00Z")',
    'date("x")',
]


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_token_soup_raises_only_rule_errors(tokens: list[str]) -> None:
    assert _furthest_stage(" ".join(tokens)) in ("parse", "check", "evaluated")


JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=5),
        st.sampled_from(["field", "and", "in", "number", "string", "call", "abs", "between"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["op", "name", "value", "left", "right", "operand", "operands", "values", "type"]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=examples(500), deadline=None)
@given(JSONISH)
def test_arbitrary_json_raises_only_rule_errors(document: object) -> None:
    try:
        expr = r.from_json(document)
    except r.RuleError:
        return
    assert r.from_json(r.to_json(expr)) == expr
