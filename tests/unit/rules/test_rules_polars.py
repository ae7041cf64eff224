"""The Polars compiler on the column dtypes callers may have, and its shape."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from corridor import rules as r
from corridor.rules import FieldType as T

SCHEMA = {
    "s": T.STRING,
    "n": T.NUMBER,
    "b": T.BOOLEAN,
    "d": T.DATE,
    "t": T.DATETIME,
    "l": T.STRING_LIST,
}


def _run(criterion: str, column: str, dtype: Any, values: list[Any]) -> list[bool]:
    frame = pl.DataFrame({column: pl.Series(values, dtype=dtype)})
    for name in SCHEMA:
        if name != column:
            frame = frame.with_columns(pl.lit(None).alias(name))
    return frame.with_columns(m=r.compile_polars(criterion, SCHEMA))["m"].to_list()


@pytest.mark.parametrize(
    ("criterion", "column", "dtype", "values", "expected"),
    [
        ('s = "a"', "s", pl.Categorical, ["a", "b", None], [True, False, False]),
        ('s startswith "a"', "s", pl.Enum(["ab", "b"]), ["ab", "b", None], [True, False, False]),
        ("s is missing", "s", pl.Null, [None, None], [True, True]),
        ("n = 0.6", "n", pl.Float32, [0.6, None], [False, False]),
        ("n > 1", "n", pl.UInt64, [2**64 - 1, 2, None], [False, True, False]),
        ("n is missing", "n", pl.UInt64, [2**64 - 1, 10**18 - 1], [True, False]),
        ("n is missing", "n", pl.Int64, [-(2**63), -(10**18) + 1], [True, False]),
        ("n < 0", "n", pl.Int8, [-1, 1], [True, False]),
        ("n is missing", "n", pl.Null, [None], [True]),
        (
            "n is missing",
            "n",
            pl.Float64,
            [float("nan"), float("-inf"), 1e30, -1.5],
            [True, True, True, False],
        ),
        ("n = 1.5", "n", pl.Decimal(38, 20), [Decimal("1.50000000049999999999")], [True]),
        ("n is missing", "n", pl.Decimal(38, 0), [Decimal(10**37)], [True]),
        ("b", "b", pl.Null, [None], [False]),
        ("not b", "b", pl.Boolean, [True, False, None], [False, True, True]),
        (
            'd = date("2026-01-01")',
            "d",
            pl.Datetime("ms", "Asia/Tashkent"),
            [datetime(2026, 1, 1, 3, tzinfo=UTC)],
            [True],
        ),
        ('d = date("2026-01-01")', "d", pl.Datetime("ns"), [datetime(2026, 1, 1, 23, 59)], [True]),
        ('t = datetime("2026-01-01T00:00:00Z")', "t", pl.Date, [date(2026, 1, 1)], [True]),
        (
            't = datetime("2026-01-01T05:00:00+05:00")',
            "t",
            pl.Datetime("ns", "Asia/Tashkent"),
            [datetime(2026, 1, 1, tzinfo=UTC)],
            [True],
        ),
        (
            't < datetime("2026-01-01T00:00:01")',
            "t",
            pl.Datetime("ms"),
            [datetime(2026, 1, 1)],
            [True],
        ),
        (
            'l contains "a"',
            "l",
            pl.List(pl.Categorical),
            [["a"], ["b"], None],
            [True, False, False],
        ),
        ("len(l) = 0", "l", pl.Null, [None], [False]),
    ],
)
def test_column_dtypes(
    criterion: str, column: str, dtype: Any, values: list[Any], expected: list[bool]
) -> None:
    assert _run(criterion, column, dtype, values) == expected


def test_result_is_boolean_without_nulls_and_fits_any_use() -> None:
    frame = pl.DataFrame({"n": pl.Series([None, None], dtype=pl.Int64)})
    schema = {"n": T.NUMBER}
    # Polars 2.1 shortens `when` over an all-null column; the result still fits the frame.
    expr = r.compile_polars("0 = n or not (n > 1)", schema)
    assert frame.with_columns(m=expr)["m"].to_list() == [True, True]
    assert frame.select(expr).to_series().to_list() == [True, True]
    assert frame.filter(expr).height == 2


@pytest.mark.parametrize(("criterion", "value"), [("1 < 2", True), ('"a" in ["b"]', False)])
def test_constant_criteria_give_one_value_per_row(criterion: str, value: bool) -> None:
    frame = pl.DataFrame({"n": [1, 2, 3]})
    expr = r.compile_polars(criterion, {"n": T.NUMBER})
    assert frame.select(expr).to_series().to_list() == [value] * 3
    assert frame.with_columns(m=expr)["m"].to_list() == [value] * 3


@pytest.mark.parametrize("name", ["*", "^n.*$"])
def test_field_names_polars_would_read_as_patterns_are_refused(name: str) -> None:
    schema = {name: T.NUMBER}
    expr = r.Compare(">", r.Field(name), r.NumberLiteral(Decimal(1)))
    assert r.compile_predicate(expr, schema)({name: 2}) is True
    with pytest.raises(r.RuleTypeError, match="cannot be used with Polars"):
        r.compile_polars(expr, schema)


def test_many_prefixes_are_matched_by_length() -> None:
    prefixes = [f"{n:04d}" for n in range(0, 400, 7)] + ["87", "9"]
    text = "s startswith [" + ", ".join(f'"{p}"' for p in prefixes) + "]"
    values = ["0007", "0008", "8703", "99", "", None]
    expected = [True, False, True, True, False, False]
    assert _run(text, "s", pl.String, values) == expected
    predicate = r.compile_predicate(text, SCHEMA)
    assert [predicate({"s": v}) for v in values] == expected
