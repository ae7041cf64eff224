"""The text form: what parses to what, canonical text, syntax errors and limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from corridor import rules as r
from corridor.rules import (
    And,
    Arithmetic,
    Between,
    BooleanLiteral,
    Call,
    Compare,
    Contains,
    DateLiteral,
    DateTimeLiteral,
    Field,
    InList,
    IsIn,
    IsMissing,
    IsPresent,
    Negate,
    Not,
    NumberLiteral,
    Or,
    StartsWith,
    StringLiteral,
)

D = Decimal
x, y, z = Field("x"), Field("y"), Field("z")
ONE = NumberLiteral(D(1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x", x),
        ("`payment type`", Field("payment type")),
        ("`and`", Field("and")),
        ('"CN"', StringLiteral("CN")),
        (r'"a\"b\\c\n\u00e9"', StringLiteral('a"b\\c\né')),
        ("0.60", NumberLiteral(D("0.60"))),
        ("-1", Negate(ONE)),
        ("--x", Negate(Negate(x))),
        ("TRUE", BooleanLiteral(True)),
        ("false", BooleanLiteral(False)),
        ('date("2026-01-31")', DateLiteral(date(2026, 1, 31))),
        (
            'DATETIME("2026-01-31T10:00:00+06:00")',
            DateTimeLiteral(datetime(2026, 1, 31, 10, tzinfo=timezone(timedelta(hours=6)))),
        ),
        ('datetime("2026-01-31 10:00")', DateTimeLiteral(datetime(2026, 1, 31, 10))),
        ('datetime("2026-01-31T04:00:00Z")', DateTimeLiteral(datetime(2026, 1, 31, 4, tzinfo=UTC))),
        ("x = 1", Compare("=", x, ONE)),
        ("x != 1", Compare("!=", x, ONE)),
        ("x<=1", Compare("<=", x, ONE)),
        ("x + y * z", Arithmetic("+", x, Arithmetic("*", y, z))),
        ("(x + y) * z", Arithmetic("*", Arithmetic("+", x, y), z)),
        ("x - y - z", Arithmetic("-", Arithmetic("-", x, y), z)),
        ("x / -y", Arithmetic("/", x, Negate(y))),
        ("-x * y", Arithmetic("*", Negate(x), y)),
        ("x and y and z", And((x, y, z))),
        ("x or y and z", Or((x, And((y, z))))),
        ("(x or y) or z", Or((Or((x, y)), z))),
        ("not x and y", And((Not(x), y))),
        ("not not x", Not(Not(x))),
        ("NOT x = 1", Not(Compare("=", x, ONE))),
        ('x In ["a", "b"]', IsIn(x, ("a", "b"))),
        ("x not in [1, -2.5]", IsIn(x, (D(1), D("-2.5")), negated=True)),
        ("x in []", IsIn(x, ())),
        ('x startswith "87"', StartsWith(x, ("87",))),
        ('x STARTSWITH ["87", "88"]', StartsWith(x, ("87", "88"))),
        ("x between 1 and y and z", And((Between(x, ONE, y), z))),
        ("x not between -1 and 1", Between(x, Negate(ONE), ONE, negated=True)),
        ('x contains "a"', Contains(x, StringLiteral("a"))),
        ("x is missing", IsMissing(x)),
        ("x is not present", IsMissing(x)),
        ("x IS PRESENT", IsPresent(x)),
        ("x is not missing", IsPresent(x)),
        ("ABS(x)", Call("abs", (x,))),
        ("round(x, 2)", Call("round", (x, NumberLiteral(D(2))))),
        ("max(x, y, z)", Call("max", (x, y, z))),
        ('in_list("TRACTORS")', InList("TRACTORS")),
        ('in_list("TRACTORS", lower(x))', InList("TRACTORS", Call("lower", (x,)))),
        ("x\n  and\ty", And((x, y))),
        ("android or notes or island", Or((Field("android"), Field("notes"), Field("island")))),
    ],
)
def test_parse(text: str, expected: r.Expr) -> None:
    parsed = r.parse(text)
    assert parsed == expected
    assert r.parse(r.to_text(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ('hs_code StartsWith "8703"', 'hs_code startswith ["8703"]'),
        ("x is not missing AND NOT y", "x is present and not y"),
        ("((x))", "x"),
        ("x - (y - z)", "x - (y - z)"),
        ("(x - y) - z", "x - y - z"),
        ("-(x + 1)", "-(x + 1)"),
        ("(x = 1) = (y < 2)", "(x = 1) = (y < 2)"),
        ("not (x or y)", "not (x or y)"),
        ("(x and y) and z", "(x and y) and z"),
        ("x in [1.50, -2]", "x in [1.50, -2]"),
        ("`a b` = `b`", "`a b` = b"),
        ("`true` = `OR`", "`true` = `OR`"),
        (
            'datetime("2026-01-31T10:00:00.5+06:00") = t',
            'datetime("2026-01-31T10:00:00.500000+06:00") = t',
        ),
        ('"\\u00e9\\t\\"" = s', '"é\\t\\"" = s'),
        ("0.000000001 = n", "0.000000001 = n"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    assert r.to_text(r.parse(text)) == canonical


def test_hand_built_expressions_print_as_text() -> None:
    expr = And((Compare("<", Field("v"), NumberLiteral(D("1E+3"))), Field("weird`name")))
    with pytest.raises(r.RuleFormatError):
        r.to_text(expr)
    assert r.to_text(Compare("<", Field("v"), NumberLiteral(D("1E+3")))) == "v < 1000"


def test_positions_are_recorded_but_not_compared() -> None:
    parsed = r.parse("x = 1 and\n  y")
    assert isinstance(parsed, And)
    assert parsed.pos == r.Position(1, 1)
    assert parsed.operands[1].pos == r.Position(2, 3)
    assert parsed == And((Compare("=", x, ONE), y))


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("x = ", 1, 5, "unexpected end of criterion"),
        ("x = )", 1, 5, "unexpected `)`"),
        ("x @ 1", 1, 3, "unexpected character `@`"),
        ("x = 1\nand and y", 2, 5, "unexpected `and`"),
        ("", 1, 1, "unexpected end"),
        ("a < b < c", 1, 7, "unexpected `<`"),
        ("x = 1.", 1, 6, "unexpected character `.`"),
        ("x = .5", 1, 5, "unexpected character `.`"),
        ("x = 1e3", 1, 6, "unexpected `e3`"),
        ("`` = 1", 1, 1, "unexpected character `"),
        ("x in [y]", 1, 7, "unexpected `y`"),
        ('x = "\\q"', 1, 5, "invalid escape in string"),
        ('x = "\\ud800"', 1, 5, "string is not valid Unicode"),
        ("x = '\ud800'", 1, 6, "not valid Unicode"),
        ("lenn(x) = 1", 1, 1, "unknown function `lenn`"),
        ("len(x, y) = 1", 1, 1, "len takes 1 arguments, got 2"),
        ("min(x) = 1", 1, 1, "min takes 2 or more arguments, got 1"),
        ("round() = 1", 1, 1, "round takes 1 or 2 arguments, got 0"),
        ("date(x) = d", 1, 1, 'write date("2026-01-31")'),
        ('date("2026-01-31", "x") = d', 1, 1, "write date"),
        ('date("2026-02-30") = d', 1, 1, 'invalid date "2026-02-30"'),
        ('date("20260131") = d', 1, 1, "invalid date"),
        ('datetime("2026-01-31T25:00") = d', 1, 1, "invalid datetime"),
        ('datetime("yesterday") = d', 1, 1, "invalid datetime"),
        ("in_list(x)", 1, 1, 'in_list("NAME")'),
        ('in_list("A", x, y)', 1, 1, 'in_list("NAME")'),
        ("in_list()", 1, 1, 'in_list("NAME")'),
    ],
)
def test_syntax_errors(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(r.RuleSyntaxError) as caught:
        r.parse(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert fragment in str(error)
    assert error.excerpt is not None
    assert error.excerpt.splitlines()[-1].index("^") >= 2


def test_syntax_error_lists_what_was_expected() -> None:
    with pytest.raises(r.RuleSyntaxError) as caught:
        r.parse("x =")
    assert "a number" in caught.value.expected
    assert "a field name" in caught.value.expected


def test_unknown_function_suggests_a_known_one() -> None:
    with pytest.raises(r.RuleSyntaxError) as caught:
        r.parse("day_between(a, b) < 3")
    assert caught.value.suggestion == "days_between"
    assert caught.value.token == "day_between"
    assert "did you mean `days_between`?" in str(caught.value)


def test_caret_points_at_the_column() -> None:
    with pytest.raises(r.RuleSyntaxError) as caught:
        r.parse('origin = "CN" and value_ratio <')
    assert str(caught.value).splitlines()[1:] == [
        '  origin = "CN" and value_ratio <',
        "                                 ^",
    ]


def test_long_lines_are_cut_around_the_caret() -> None:
    text = "x = 1 and " * 30 + "y = = 2"
    with pytest.raises(r.RuleSyntaxError) as caught:
        r.parse(text)
    source, caret = (caught.value.excerpt or "").splitlines()
    assert source.startswith("  …")
    assert not source.endswith("…")
    assert source[caret.index("^")] == "="
    assert len(source) < 80


def test_a_mixed_list_is_a_type_error_with_position() -> None:
    with pytest.raises(r.RuleTypeError) as caught:
        r.parse('x in [1, "a"]')
    assert (caught.value.line, caught.value.column) == (1, 6)
    with pytest.raises(r.RuleTypeError):
        r.parse("x startswith [1]")


class TestLimits:
    def test_text_length(self) -> None:
        ok = 'x = "' + "a" * (10_000 - 6) + '"'
        assert len(ok) == 10_000
        assert r.parse(ok) == Compare("=", x, StringLiteral("a" * 9_994))
        with pytest.raises(r.RuleLimitError) as caught:
            r.parse(ok + " ")
        assert (caught.value.limit, caught.value.maximum, caught.value.actual) == (
            "text_length",
            10_000,
            10_001,
        )

    def test_nesting_depth(self) -> None:
        assert isinstance(r.parse("not " * 49 + "x"), Not)
        with pytest.raises(r.RuleLimitError) as caught:
            r.parse("not " * 50 + "x")
        assert caught.value.limit == "depth"
        assert caught.value.maximum == 50
        with pytest.raises(r.RuleLimitError):
            r.parse("1" + " + 1" * 50 + " = 1")

    def test_deep_parentheses_alone_are_not_nesting(self) -> None:
        assert r.parse("(" * 2000 + "x" + ")" * 2000) == x

    def test_very_deep_text_is_a_limit_error_not_a_crash(self) -> None:
        with pytest.raises(r.RuleLimitError):
            r.parse("-" * 9_000 + "x")

    def test_list_items(self) -> None:
        # 5,000 items do not fit in 10,000 characters: the list limit guards JSON and
        # hand-built expressions (see test_rules_json), the text limit guards text.
        parsed = r.parse("x in [" + ",".join(["1"] * 4_996) + "]")
        assert isinstance(parsed, IsIn)
        assert len(parsed.values) == 4_996
        with pytest.raises(r.RuleLimitError) as caught:
            r.to_text(IsIn(x, ("a",) * 5_001))
        assert (caught.value.limit, caught.value.actual) == ("list_items", 5_001)
        assert r.to_text(IsIn(x, ("a",) * 5_000)).startswith('x in ["a", "a"')

    @pytest.mark.parametrize(
        ("text", "limit"),
        [
            ("x = 1000000000000000000", "number_range"),
            ("x = 0.0000000001", "number_scale"),
            ("x in [1, -1000000000000000000]", "number_range"),
            ("x in [0.1234567891]", "number_scale"),
        ],
    )
    def test_numbers(self, text: str, limit: str) -> None:
        with pytest.raises(r.RuleLimitError) as caught:
            r.parse(text)
        assert caught.value.limit == limit
        assert caught.value.line == 1

    def test_largest_and_finest_numbers_are_accepted(self) -> None:
        assert r.parse("x = 999999999999999999.999999999 + 0.000000001") is not None
        assert r.parse("x = 1.000000000000") == Compare("=", x, NumberLiteral(D("1.000000000000")))


def test_parse_rejects_non_text() -> None:
    with pytest.raises(r.RuleFormatError):
        r.parse(b"x = 1")  # type: ignore[arg-type]
