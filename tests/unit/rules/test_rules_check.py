"""Type checking: schema, named lists, type errors with positions and suggestions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from corridor import rules as r
from corridor.rules import FieldType as T
from tests.unit.rules.rules_testing import CUSTOMS, CUSTOMS_LISTS


def test_check_returns_what_the_criterion_reads() -> None:
    criterion = r.check(
        'hs_code startswith ["8703"] and in_list("WATCHED") and in_list("SANCTIONED", lower(x))',
        {**CUSTOMS, "x": T.STRING},
        CUSTOMS_LISTS,
    )
    assert criterion.fields == {"hs_code", "importer", "declarant", "origin", "x"}
    assert criterion.lists == {"WATCHED", "SANCTIONED"}
    assert criterion.text.startswith('hs_code startswith ["8703"] and in_list("WATCHED")')
    assert criterion.expr == r.parse(criterion.text)


def test_lists_may_be_given_as_a_mapping() -> None:
    by_name = {named.name: named for named in CUSTOMS_LISTS}
    assert r.check('in_list("SANCTIONED")', CUSTOMS, by_name).lists == {"SANCTIONED"}


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("value_ratio", "must be a condition (true or false), not number", 1),
        ('"CN"', "not string", 1),
        ('origin = "CN" and value_ratio', "`and` needs boolean, not number", 19),
        ("not origin", "`not` needs boolean, not string", 5),
        ("origin = 1", "needs values of the same type, got string and number", 1),
        ("origin < aeo", "`<` needs", 10),
        ("aeo < true", "`<` needs", 1),
        ("documents = documents", "`=` needs", 1),
        ('registered_at < date("2026-01-01")', "got datetime and date", 1),
        ("origin in [1]", "`in` needs number, not string", 1),
        ('value_ratio in ["a"]', "`in` needs string, not number", 1),
        ("aeo in []", "`in` needs number or string, not boolean", 1),
        ('value_ratio startswith "1"', "`startswith` needs string", 1),
        ("value_ratio between 1 and origin", "got number and number and string", 1),
        ("aeo between true and false", "`between` needs", 1),
        ('value_ratio contains "a"', "`contains` needs list of strings or string", 1),
        ("documents contains 1", "`contains` needs string, not number", 20),
        ('-origin = "x"', "`-` needs number", 2),
        ("origin + 1 = 2", "`+` needs number, not string: `origin`", 1),
        ("1 * origin = 2", "`*` needs number", 5),
        ("abs(origin) = 1", "abs() needs number", 5),
        ('min(1, "a") = 1', "min() needs number", 8),
        ("round(origin) = 1", "round() needs number", 7),
        ("round(value_ratio, value_ratio) = 1", "second argument must be a whole number", 20),
        ("round(value_ratio, 10) = 1", "second argument must be a whole number", 20),
        ("round(value_ratio, 1.5) = 1", "second argument must be a whole number", 20),
        ("round(value_ratio, -1) = 1", "second argument must be a whole number", 20),
        ("len(value_ratio) = 1", "len() needs list of strings or string", 5),
        ("lower(value_ratio) = 1", "lower() needs string", 7),
        ("days_between(origin, registered_at) = 1", "days_between() needs date or datetime", 14),
        ('in_list("NOPE")', "unknown named list 'NOPE'", 1),
        ('in_list("WATCHED", origin)', "has 4 key fields", 1),
        ('in_list("SANCTIONED", aeo)', "in_list() needs list of strings or string", 23),
    ],
)
def test_type_errors(text: str, fragment: str, column: int) -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.check(text, CUSTOMS, CUSTOMS_LISTS)
    assert fragment in str(caught.value)
    assert (caught.value.line, caught.value.column) == (1, column)
    assert caught.value.excerpt is not None


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("orgin", "origin"), ("Origin", "origin"), ("value_per_kilo", "value_per_kg"), ("zzz", None)],
)
def test_unknown_fields_suggest_a_known_one(name: str, suggestion: str | None) -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.check(f'{name} = "CN"', CUSTOMS)
    error = caught.value
    assert error.field == name
    assert error.suggestion == suggestion
    assert f"unknown field `{name}`" in str(error)
    if suggestion:
        assert f"did you mean `{suggestion}`?" in str(error)


def test_unknown_list_suggests_a_known_one() -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.check('in_list("TRACTOR")', CUSTOMS, CUSTOMS_LISTS)
    assert caught.value.suggestion == "TRACTORS"


def test_type_errors_of_expressions_have_positions_without_excerpt() -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.check(r.parse("x = 1 and\n  y"), {"x": T.NUMBER, "y": T.NUMBER})
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert caught.value.excerpt is None
    with pytest.raises(r.RuleTypeError) as caught:
        r.check(r.Field("y"), {"y": T.NUMBER})
    assert caught.value.line is None
    assert "(line" not in str(caught.value)


@pytest.mark.parametrize(
    "schema",
    [["origin"], {"origin": "string"}, {1: T.STRING}],
)
def test_invalid_schema(schema: Any) -> None:
    with pytest.raises(r.RuleTypeError, match="schema"):
        r.check('origin = "x"', schema)


def _named(**changes: Any) -> r.NamedList:
    fields: dict[str, Any] = {
        "name": "L",
        "key_fields": ("origin",),
        "entries": frozenset({("CN",)}),
        "prefix_fields": frozenset(),
    }
    fields.update(changes)
    return r.NamedList(**fields)


@pytest.mark.parametrize(
    ("lists", "fragment"),
    [
        ("L", "lists must be NamedList objects"),
        (5, "lists must be NamedList objects"),
        (["L"], "is not a NamedList"),
        ([_named(name=5)], "is not a NamedList"),
        ([_named(), _named()], "two named lists are called 'L'"),
        ([_named(key_fields=())], "needs distinct key fields"),
        ([_named(key_fields=["origin"])], "needs distinct key fields"),
        ([_named(key_fields=("origin", "origin"))], "needs distinct key fields"),
        ([_named(key_fields=(1,))], "needs distinct key fields"),
        ([_named(prefix_fields=frozenset({"hs_code"}))], "prefix fields must be key fields"),
        ([_named(prefix_fields=("origin",))], "prefix fields must be key fields"),
        ([_named(entries="CN")], "entries must be a set of tuples"),
        ([_named(entries=frozenset({("CN", "x")}))], "is not a tuple of 1 string(s)"),
        ([_named(entries=[["CN"]])], "is not a tuple of 1 string(s)"),
        ([_named(entries=[(1,)])], "is not a tuple of 1 string(s)"),
        ([_named(key_fields=("nope",))], "unknown field `nope`"),
        ([_named(key_fields=("value_ratio",))], "keyed by `value_ratio`, which is number"),
        (
            [_named(key_fields=("origin", "documents"), entries=[("a", "b")])],
            "keyed by `documents`",
        ),
    ],
)
def test_invalid_named_lists(lists: Any, fragment: str) -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.check('in_list("L")', CUSTOMS, lists)
    assert fragment in str(caught.value)


def test_named_lists_are_checked_only_when_used() -> None:
    broken = _named(entries="not a set")
    assert r.check('origin = "CN"', CUSTOMS, [broken]).lists == frozenset()


def test_list_entries_may_be_any_collection_of_tuples() -> None:
    listed = _named(entries=[("CN",)], prefix_fields={"origin"})
    assert r.compile_predicate('in_list("L")', CUSTOMS, [listed])({"origin": "CNX"}) is True


def test_round_digits_accepts_whole_numbers_written_with_decimals() -> None:
    expr = r.Compare(
        "=",
        r.Call("round", (r.Field("value_ratio"), r.NumberLiteral(Decimal("2.0")))),
        r.NumberLiteral(Decimal("0.35")),
    )
    assert r.compile_predicate(expr, CUSTOMS)({"value_ratio": Decimal("0.345")}) is True
