"""Compile a checked criterion to one Polars boolean expression over a frame of facts.

Numbers become ``Decimal(38, 9)``, dates ``Int32`` days and datetimes ``Int64``
microseconds, exactly like the closure's ``_values``. Inside, a condition's
null means false (Kleene ``&``/``|`` keep that right); ``not``, ``=`` on
conditions and the top level first turn null into false.
"""

from __future__ import annotations

from decimal import Decimal
from functools import reduce
from typing import cast

import polars as pl

from corridor.rules import _values as v
from corridor.rules._ast import (
    And,
    Arithmetic,
    Between,
    BooleanLiteral,
    Call,
    Compare,
    Contains,
    DateLiteral,
    DateTimeLiteral,
    Expr,
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
from corridor.rules._check import Analysis
from corridor.rules._compile_py import PythonCompiler, literal_value, round_digits
from corridor.rules._types import FieldType, NamedList
from corridor.rules.errors import RuleTypeError

NUMBER = pl.Decimal(38, v.SCALE)
_LIMIT = pl.lit(v.LIMIT, dtype=pl.Int64)
_NEG_LIMIT = pl.lit(-v.LIMIT, dtype=pl.Int64)
# |a| < 10¹⁰ or |b| < 10¹⁰ keeps a product of in-range numbers below 10²⁸,
# inside Decimal(38, 9); otherwise the product is at least 10²⁰: out of range.
_MUL_SAFE = pl.lit(10**10, dtype=pl.Int64)
_PREFIX_SCAN_MAX = 16


def _number(value: Decimal) -> pl.Expr:
    return pl.lit(value, dtype=NUMBER)


_ZERO = _number(Decimal(0))
_ONE = _number(Decimal(1))


def _in_range(expr: pl.Expr) -> pl.Expr:
    return pl.when((expr < _LIMIT) & (expr > _NEG_LIMIT)).then(expr)


def column(name: str) -> pl.Expr:
    """``pl.col`` for one column, refusing names Polars would read as patterns."""
    if name == "*" or (name.startswith("^") and name.endswith("$")):
        raise RuleTypeError(
            f"field name `{name}` cannot be used with Polars (it reads as a pattern)",
            field=name,
        )
    return pl.col(name)


def field_expr(name: str, kind: FieldType) -> pl.Expr:
    """A fact column in the internal representation (wrong-magnitude numbers are null)."""
    col = column(name)
    if kind is FieldType.NUMBER:
        return _in_range(col).cast(NUMBER)
    if kind is FieldType.STRING:
        return col.cast(pl.String)
    if kind is FieldType.BOOLEAN:
        return col.cast(pl.Boolean)
    if kind is FieldType.DATE:
        return col.cast(pl.Date).cast(pl.Int32)
    if kind is FieldType.DATETIME:
        return col.dt.epoch("us")
    return col.cast(pl.List(pl.String))


def _starts_with(expr: pl.Expr, prefixes: tuple[str, ...]) -> pl.Expr:
    if not prefixes:
        return pl.when(expr.is_not_null()).then(pl.lit(False))
    if len(prefixes) <= _PREFIX_SCAN_MAX:
        return reduce(pl.Expr.or_, [expr.str.starts_with(p) for p in prefixes])
    by_length: dict[int, list[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    return reduce(
        pl.Expr.or_,
        [expr.str.slice(0, n).is_in(_strings(group)) for n, group in sorted(by_length.items())],
    )


def _strings(values: list[str] | tuple[str, ...]) -> pl.Series:
    return pl.Series(values, dtype=pl.String).implode()


def _list_matcher(named: NamedList, keys: list[pl.Expr]) -> pl.Expr:
    """Do the key expressions match an entry of the list (see ``key_matcher``)?"""
    prefix = [k in named.prefix_fields for k in named.key_fields]
    groups: dict[tuple[int | None, ...], list[tuple[str, ...]]] = {}
    for entry in named.entries:
        shape = tuple(len(e) if p else None for e, p in zip(entry, prefix, strict=True))
        groups.setdefault(shape, []).append(entry)
    if not groups:
        return pl.when(pl.all_horizontal([k.is_not_null() for k in keys])).then(pl.lit(False))
    tests = []
    for shape, entries in groups.items():
        cut = [k if n is None else k.str.slice(0, n) for k, n in zip(keys, shape, strict=True)]
        if len(cut) == 1:
            tests.append(cut[0].is_in(_strings([e[0] for e in entries])))
            continue
        # Length-prefixed parts cannot run into each other, whatever the values hold.
        parts: list[pl.Expr] = []
        for k in cut:
            parts += [k.str.len_chars().cast(pl.String), pl.lit(":"), k]
        encoded = ["".join(f"{len(x)}:{x}" for x in entry) for entry in entries]
        tests.append(pl.concat_str(parts).is_in(_strings(encoded)))
    return reduce(pl.Expr.or_, tests)


class PolarsCompiler:
    """Builds Polars expressions for the nodes of one analysed criterion."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    def kind(self, node: Expr) -> FieldType:
        """Type of a node."""
        return self.analysis.type_of(node)

    def two_valued(self, node: Expr) -> pl.Expr:
        """A condition without nulls."""
        return self.condition(node).fill_null(False)

    def condition(self, node: Expr) -> pl.Expr:
        """A BOOLEAN node as a condition; null means false."""
        match node:
            case And(operands=ops):
                return reduce(pl.Expr.and_, [self.condition(o) for o in ops])
            case Or(operands=ops):
                return reduce(pl.Expr.or_, [self.condition(o) for o in ops])
            case Not(operand=o):
                return ~self.two_valued(o)
            case Compare(op=op, left=a, right=b):
                return _COMPARE[op](self.value(a), self.value(b))
            case IsIn(operand=o, values=values, negated=negated):
                x = self.value(o)
                if self.kind(o) is FieldType.NUMBER:
                    members = pl.Series(list(values), dtype=NUMBER).implode()
                else:
                    members = _strings(cast(tuple[str, ...], values))
                return (x.is_not_null() & ~x.is_in(members)) if negated else x.is_in(members)
            case StartsWith(operand=o, prefixes=prefixes):
                return _starts_with(self.value(o), prefixes)
            case Between(operand=o, low=lo, high=hi, negated=negated):
                x, low, high = self.value(o), self.value(lo), self.value(hi)
                if not negated:
                    return (x >= low) & (x <= high)
                present = x.is_not_null() & low.is_not_null() & high.is_not_null()
                return ((x < low) | (x > high)) & present
            case Contains(container=a, item=b):
                container, item = self.value(a), self.value(b)
                if self.kind(a) is FieldType.STRING:
                    return container.str.contains(item, literal=True)
                return pl.when(item.is_not_null()).then(container.list.contains(item))
            case IsMissing(operand=o):
                return self.value(o).is_null()
            case IsPresent(operand=o):
                return self.value(o).is_not_null()
            case InList():
                return self._in_list(node)
            case _:  # a BOOLEAN field or literal: null counts as false
                return self.value(node)

    def _in_list(self, node: InList) -> pl.Expr:
        named = self.analysis.lists[node.list_name]
        schema = self.analysis.schema
        if node.operand is not None:
            x = self.value(node.operand)
            listy = self.kind(node.operand) is FieldType.STRING_LIST
        else:
            keys = named.key_fields
            if len(keys) > 1:
                return _list_matcher(named, [field_expr(k, FieldType.STRING) for k in keys])
            x = field_expr(keys[0], schema[keys[0]])
            listy = schema[keys[0]] is FieldType.STRING_LIST
        if listy:
            return x.list.eval(_list_matcher(named, [pl.element()])).list.any()
        return _list_matcher(named, [x])

    def value(self, node: Expr) -> pl.Expr:
        """A node's value; null is missing. A condition's value is two-valued."""
        match node:
            case Field(name=name):
                return field_expr(name, self.kind(node))
            case Negate(operand=o):
                return -self.value(o)
            case Arithmetic(op=op, left=a, right=b):
                return _arithmetic(op, self.value(a), self.value(b))
            case Call():
                return self._call(node)
            case NumberLiteral(value=value):
                return _number(value)
            case StringLiteral(value=value):
                return pl.lit(value, dtype=pl.String)
            case BooleanLiteral(value=value):
                return pl.lit(value, dtype=pl.Boolean)
            case DateLiteral() | DateTimeLiteral():
                dtype = pl.Int32 if isinstance(node, DateLiteral) else pl.Int64
                return pl.lit(literal_value(node), dtype=dtype)
            case _:
                return self.two_valued(node)

    def _call(self, node: Call) -> pl.Expr:
        args = [self.value(a) for a in node.args]
        first = args[0]
        match node.function:
            case "abs":
                return first.abs()
            case "min" | "max":
                pick = pl.min_horizontal if node.function == "min" else pl.max_horizontal
                present = pl.all_horizontal([a.is_not_null() for a in args])
                return pl.when(present).then(pick(args))
            case "round":
                digits = round_digits(node)
                return _in_range(first.round(digits, mode="half_away_from_zero"))
            case "len":
                if self.kind(node.args[0]) is FieldType.STRING:
                    return first.str.len_chars().cast(NUMBER)
                return first.list.len().cast(NUMBER)
            case "lower":
                return first.str.to_lowercase()
            case "upper":
                return first.str.to_uppercase()
            case _:  # days_between
                a_dt = self.kind(node.args[0]) is FieldType.DATETIME
                b_dt = self.kind(node.args[1]) is FieldType.DATETIME
                a, b = first.cast(pl.Int64), args[1].cast(pl.Int64)
                if not (a_dt or b_dt):
                    return (b - a).cast(NUMBER)
                diff = (b if b_dt else b * v.DAY_US) - (a if a_dt else a * v.DAY_US)
                whole = pl.when(diff >= 0).then(diff // v.DAY_US).otherwise(-(-diff // v.DAY_US))
                return whole.cast(NUMBER)


_COMPARE = {
    "=": pl.Expr.eq,
    "!=": pl.Expr.ne,
    "<": pl.Expr.lt,
    "<=": pl.Expr.le,
    ">": pl.Expr.gt,
    ">=": pl.Expr.ge,
}


def _arithmetic(op: str, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    if op == "+":
        return _in_range(a + b)
    if op == "-":
        return _in_range(a - b)
    if op == "*":
        safe = (a.abs() < _MUL_SAFE) | (b.abs() < _MUL_SAFE)
        product = pl.when(safe).then(a).otherwise(_ZERO) * pl.when(safe).then(b).otherwise(_ZERO)
        return pl.when(safe).then(_in_range(product))
    nonzero = b != _ZERO
    quotient = a / pl.when(nonzero).then(b).otherwise(_ONE)
    return pl.when(nonzero).then(_in_range(quotient))


def compile_polars(analysis: Analysis) -> pl.Expr:
    """The criterion of ``analysis`` as a Polars expression without nulls, one value a row."""
    if not analysis.criterion.fields:  # a constant
        constant = PythonCompiler(analysis).condition(analysis.criterion.expr)({})
        return pl.repeat(constant, pl.len())
    # Polars may shorten a ``when`` whose mask is all false to one null (seen in
    # 2.1 on an all-null column); and-ing with a full-height column broadcasts
    # that back to one value per row, so the result always fits the frame.
    return pl.repeat(True, pl.len()) & PolarsCompiler(analysis).two_valued(analysis.criterion.expr)
