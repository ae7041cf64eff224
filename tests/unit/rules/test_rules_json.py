"""The JSON form, and validation of JSON documents and hand-built expressions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

import pytest

from corridor import rules as r
from corridor.rules import (
    And,
    Arithmetic,
    Between,
    BooleanLiteral,
    Call,
    Compare,
    DateLiteral,
    DateTimeLiteral,
    Field,
    InList,
    IsIn,
    Negate,
    Not,
    NumberLiteral,
    Or,
    StartsWith,
    StringLiteral,
)

D = Decimal
x = Field("x")


def test_json_of_a_criterion() -> None:
    expr = r.parse('hs_code startswith ["8703"] and origin in ["CN"] and value_ratio < 0.60')
    assert r.to_json(expr) == {
        "op": "and",
        "operands": [
            {
                "op": "startswith",
                "operand": {"op": "field", "name": "hs_code"},
                "prefixes": ["8703"],
            },
            {
                "op": "in",
                "operand": {"op": "field", "name": "origin"},
                "type": "string",
                "values": ["CN"],
            },
            {
                "op": "<",
                "left": {"op": "field", "name": "value_ratio"},
                "right": {"op": "number", "value": "0.60"},
            },
        ],
    }


@pytest.mark.parametrize(
    "text",
    [
        "x in [1, -2.5] or x not in []",
        'x not in ["a"]',
        'in_list("A") and in_list("B", lower(s))',
        'd = date("2026-01-31") and t < datetime("2026-01-31T10:00:00+06:00")',
        'not (a is missing) and b is present and c contains "z"',
        "x not between -1 and 2 * y / 3 - 1 and round(x, 2) > abs(y)",
        "flag = true or flag != false",
    ],
)
def test_json_round_trip(text: str) -> None:
    expr = r.parse(text)
    document = r.to_json(expr)
    assert r.from_json(json.loads(json.dumps(document))) == expr
    assert r.to_json(r.from_json(document)) == document


def _path(path: str) -> Any:
    return pytest.raises(r.RuleFormatError, match=path.replace("$", r"\$").replace("[", r"\["))


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "$"),
        ({"name": "x"}, "$"),
        ({"op": "nope"}, "$"),
        ({"op": 3}, "$"),
        ({"op": "field"}, "$"),
        ({"op": "field", "name": "x", "extra": 1}, "$"),
        ({"op": "field", "name": 3}, "$.name"),
        ({"op": "field", "name": ""}, "$"),
        ({"op": "field", "name": "a`b"}, "$"),
        ({"op": "string", "value": None}, "$.value"),
        ({"op": "string", "value": "\ud800"}, "$"),
        ({"op": "number", "value": 1}, "$.value"),
        ({"op": "number", "value": "1e3"}, "$.value"),
        ({"op": "number", "value": "NaN"}, "$.value"),
        ({"op": "number", "value": "-1"}, "$"),
        ({"op": "boolean", "value": "true"}, "$.value"),
        ({"op": "date", "value": "2026-02-30"}, "$.value"),
        ({"op": "date", "value": "2026-W05"}, "$.value"),
        ({"op": "datetime", "value": "noon"}, "$.value"),
        ({"op": "datetime", "value": "2026-01-01T24:00"}, "$.value"),
        ({"op": "neg", "operand": None}, "$.operand"),
        ({"op": "and", "operands": {"op": "field", "name": "x"}}, "$.operands"),
        ({"op": "and", "operands": [{"op": "field", "name": "x"}]}, "$"),
        ({"op": "or", "operands": [{"op": "field", "name": "x"}, 1]}, "$.operands[1]"),
        ({"op": "call", "function": "nope", "args": []}, "$"),
        ({"op": "call", "function": "abs", "args": []}, "$"),
        ({"op": "in_list", "list": ""}, "$"),
        ({"op": "in_list", "list": 5}, "$.list"),
        (
            {"op": "in", "operand": {"op": "field", "name": "x"}, "type": "date", "values": []},
            "$.type",
        ),
        (
            {"op": "in", "operand": {"op": "field", "name": "x"}, "type": "string", "values": [1]},
            "$.values",
        ),
        (
            {
                "op": "in",
                "operand": {"op": "field", "name": "x"},
                "type": "number",
                "values": ["a"],
            },
            "$.values[0]",
        ),
        (
            {"op": "startswith", "operand": {"op": "field", "name": "x"}, "prefixes": "87"},
            "$.prefixes",
        ),
        ({"op": "<", "left": {"op": "field", "name": "x"}}, "$"),
    ],
)
def test_malformed_json(document: object, path: str) -> None:
    with _path(path):
        r.from_json(document)


def test_json_limits() -> None:
    deep: dict[str, Any] = {"op": "field", "name": "x"}
    for _ in range(60):
        deep = {"op": "not", "operand": deep}
    with pytest.raises(r.RuleLimitError) as caught:
        r.from_json(deep)
    assert caught.value.limit == "depth"
    many = {"op": "in", "operand": {"op": "field", "name": "x"}, "type": "string"}
    with pytest.raises(r.RuleLimitError) as caught:
        r.from_json({**many, "values": ["a"] * 5_001})
    assert caught.value.limit == "list_items"
    with pytest.raises(r.RuleLimitError) as caught:
        r.from_json({**many, "type": "number", "values": ["1", "-1000000000000000000"]})
    assert caught.value.limit == "number_range"
    wide = {"op": "or", "operands": [{"op": "field", "name": "x"}] * 20_001}
    with pytest.raises(r.RuleLimitError) as caught:
        r.from_json(wide)
    assert caught.value.limit == "nodes"


def test_json_number_list_rejects_bad_text_before_range() -> None:
    with pytest.raises(r.RuleFormatError):
        r.from_json(
            {
                "op": "in",
                "operand": {"op": "field", "name": "x"},
                "type": "number",
                "values": ["1e3"],
            }
        )


class _Wobbly(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "?"


@pytest.mark.parametrize(
    ("expr", "error"),
    [
        ("x = 1", r.RuleFormatError),
        (Field(""), r.RuleFormatError),
        (Field("a\nb"), r.RuleFormatError),
        (Field(3), r.RuleFormatError),  # type: ignore[arg-type]
        (StringLiteral(b"x"), r.RuleFormatError),  # type: ignore[arg-type]
        (NumberLiteral(5), r.RuleFormatError),  # type: ignore[arg-type]
        (NumberLiteral(D(-1)), r.RuleFormatError),
        (NumberLiteral(D("NaN")), r.RuleFormatError),
        (NumberLiteral(D("1e18")), r.RuleLimitError),
        (NumberLiteral(D("1e-10")), r.RuleLimitError),
        (BooleanLiteral(1), r.RuleFormatError),  # type: ignore[arg-type]
        (DateLiteral(datetime(2026, 1, 1)), r.RuleFormatError),
        (DateTimeLiteral(date(2026, 1, 1)), r.RuleFormatError),  # type: ignore[arg-type]
        (DateTimeLiteral(datetime(2026, 1, 1, tzinfo=_Wobbly())), r.RuleFormatError),
        (Negate(None), r.RuleFormatError),  # type: ignore[arg-type]
        (Arithmetic("%", x, x), r.RuleFormatError),
        (Compare("==", x, x), r.RuleFormatError),
        (Call("sqrt", (x,)), r.RuleFormatError),
        (Call("abs", [x]), r.RuleFormatError),  # type: ignore[arg-type]
        (Call("abs", ()), r.RuleFormatError),
        (Call("round", (x, x, x)), r.RuleFormatError),
        (InList(""), r.RuleFormatError),
        (IsIn(x, ["a"]), r.RuleFormatError),  # type: ignore[arg-type]
        (IsIn(x, ("a", D(1))), r.RuleTypeError),  # type: ignore[arg-type]
        (IsIn(x, (1, 2)), r.RuleFormatError),  # type: ignore[arg-type]
        (IsIn(x, (D("NaN"),)), r.RuleFormatError),
        (IsIn(x, (D("-1e18"),)), r.RuleLimitError),
        (IsIn(x, ("a",), negated="yes"), r.RuleFormatError),  # type: ignore[arg-type]
        (StartsWith(x, ["a"]), r.RuleFormatError),  # type: ignore[arg-type]
        (StartsWith(x, ("a",) * 5_001), r.RuleLimitError),
        (Between(x, x, x, negated=None), r.RuleFormatError),  # type: ignore[arg-type]
        (And((x,)), r.RuleFormatError),
        (Or([x, x]), r.RuleFormatError),  # type: ignore[arg-type]
        (Not(Not(Not("x"))), r.RuleFormatError),  # type: ignore[arg-type]
    ],
)
def test_hand_built_expressions_are_validated(expr: object, error: type[r.RuleError]) -> None:
    for action in (r.to_text, r.to_json):
        with pytest.raises(error):
            action(expr)  # type: ignore[arg-type]


def test_shared_subtrees_count_towards_the_node_limit() -> None:
    expr: r.Expr = x
    for _ in range(20):
        expr = And((expr, expr))  # 2**20 leaves, 21 levels: bounded work, not a hang
    with pytest.raises(r.RuleLimitError) as caught:
        r.to_text(expr)
    assert caught.value.limit == "nodes"


def test_aware_and_naive_datetimes_round_trip() -> None:
    for value in (
        datetime(2026, 1, 1, 10, 0, 0, 5),
        datetime(2026, 1, 1, 10, tzinfo=UTC),
        datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15))),
    ):
        expr = Compare("=", Field("t"), DateTimeLiteral(value))
        assert r.parse(r.to_text(expr)) == expr
        assert r.from_json(r.to_json(expr)) == expr


def test_hand_built_nesting_is_limited() -> None:
    expr: r.Expr = x
    for _ in range(49):
        expr = Not(expr)
    assert r.to_text(expr) == "not " * 49 + "x"
    with pytest.raises(r.RuleLimitError) as caught:
        r.to_text(Not(expr))
    assert (caught.value.limit, caught.value.maximum) == ("depth", 50)
