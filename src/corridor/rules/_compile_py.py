"""Compile a checked criterion to nested Python closures over one fact row.

Values flow in the representation of ``_values`` (numbers as units, dates as
days, datetimes as microseconds); ``None`` is a missing value. Conditions
always return a real ``bool``: a comparison with a missing value is False.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

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
from corridor.rules._types import FieldType, NamedList

Facts = Mapping[str, Any]
Getter = Callable[[Facts], Any]
Predicate = Callable[[Facts], bool]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_LIST_TYPES = (list, tuple, set, frozenset)
# Above this many prefixes, look prefixes up by length instead of trying each.
_PREFIX_SCAN_MAX = 16


def field_getter(name: str, kind: FieldType) -> Getter:
    """Read one fact; a value of the wrong Python type counts as missing."""
    if kind is FieldType.STRING:

        def get_string(facts: Facts) -> str | None:
            value = facts.get(name)
            return value if isinstance(value, str) else None

        return get_string
    if kind is FieldType.NUMBER:
        return lambda facts: v.number_units(facts.get(name))
    if kind is FieldType.BOOLEAN:

        def get_boolean(facts: Facts) -> bool | None:
            value = facts.get(name)
            return value if type(value) is bool else None

        return get_boolean
    if kind is FieldType.DATE:
        return lambda facts: v.date_days(facts.get(name))
    if kind is FieldType.DATETIME:
        return lambda facts: v.datetime_us(facts.get(name))

    def get_list(facts: Facts) -> Any:
        value = facts.get(name)
        return value if isinstance(value, _LIST_TYPES) else None

    return get_list


LiteralNode = StringLiteral | NumberLiteral | BooleanLiteral | DateLiteral | DateTimeLiteral
LITERALS = (StringLiteral, NumberLiteral, BooleanLiteral, DateLiteral, DateTimeLiteral)


def literal_value(node: LiteralNode) -> Any:
    """The internal value of a literal node."""
    match node:
        case NumberLiteral(value=value):
            return v.decimal_units(value)
        case DateLiteral(value=value):
            return v.date_days(value)
        case DateTimeLiteral(value=value):
            return v.datetime_us(value)
        case _:
            return node.value


def string_matcher(prefixes: tuple[str, ...]) -> Callable[[str], bool]:
    """``s.startswith(any of prefixes)``, fast for long prefix lists too."""
    if len(prefixes) <= _PREFIX_SCAN_MAX:
        return lambda s: s.startswith(prefixes)
    by_length: dict[int, set[str]] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), set()).add(prefix)
    buckets = tuple((n, frozenset(group)) for n, group in sorted(by_length.items()))
    return lambda s: any(s[:n] in group for n, group in buckets)


def key_matcher(named: NamedList) -> Callable[[tuple[str, ...]], bool]:
    """Does a tuple of key values match an entry (prefix fields by prefix)?"""
    prefix = [k in named.prefix_fields for k in named.key_fields]
    # Group entries by the lengths of their prefix-field values: each group is
    # then a plain set lookup of the row's values cut to those lengths.
    groups: dict[tuple[int | None, ...], set[tuple[str, ...]]] = {}
    for entry in named.entries:
        shape = tuple(len(e) if p else None for e, p in zip(entry, prefix, strict=True))
        groups.setdefault(shape, set()).add(entry)
    frozen = tuple((shape, frozenset(entries)) for shape, entries in groups.items())
    if not any(prefix):
        everything = frozenset(named.entries)
        return lambda values: values in everything

    def match(values: tuple[str, ...]) -> bool:
        for shape, entries in frozen:
            key = tuple(x if n is None else x[:n] for x, n in zip(values, shape, strict=True))
            if key in entries:
                return True
        return False

    return match


def round_digits(node: Call) -> int:
    """The ``n`` of ``round(x, n)`` (a literal, as the checker ensured); 0 for ``round(x)``."""
    digits = node.args[-1]
    return int(digits.value) if len(node.args) == 2 and isinstance(digits, NumberLiteral) else 0


class PythonCompiler:
    """Builds closures for the nodes of one analysed criterion."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    def kind(self, node: Expr) -> FieldType:
        """Type of a node."""
        return self.analysis.type_of(node)

    # Conditions -------------------------------------------------------------

    def condition(self, node: Expr) -> Predicate:
        """A closure returning the (two-valued) truth of a BOOLEAN node."""
        match node:
            case And(operands=ops):
                return _all([self.condition(o) for o in ops])
            case Or(operands=ops):
                return _any([self.condition(o) for o in ops])
            case Not(operand=o):
                inner = self.condition(o)
                return lambda facts: not inner(facts)
            case Compare():
                return self._compare(node)
            case IsIn():
                return self._is_in(node)
            case StartsWith():
                return self._startswith(node)
            case Between():
                return self._between(node)
            case Contains():
                return self._contains(node)
            case IsMissing(operand=o):
                get = self.value(o)
                return lambda facts: get(facts) is None
            case IsPresent(operand=o):
                get = self.value(o)
                return lambda facts: get(facts) is not None
            case InList():
                return self._in_list(node)
            case _:  # a BOOLEAN field or literal: missing counts as false
                get = self.value(node)
                return lambda facts: get(facts) is True

    def _compare(self, node: Compare) -> Predicate:
        op = _COMPARE[node.op]
        left, right = node.left, node.right
        get_left, get_right = self.value(left), self.value(right)
        if isinstance(right, LITERALS):
            const = literal_value(right)
            if isinstance(left, Field) and self.kind(left) is FieldType.STRING:
                name = left.name

                def string_vs_literal(facts: Facts) -> bool:
                    value = facts.get(name)
                    return isinstance(value, str) and op(value, const)

                return string_vs_literal
            if isinstance(left, Field) and self.kind(left) is FieldType.NUMBER:
                name = left.name
                units = v.number_units

                def number_vs_literal(facts: Facts) -> bool:
                    value = units(facts.get(name))
                    return value is not None and op(value, const)

                return number_vs_literal

            def vs_literal(facts: Facts) -> bool:
                value = get_left(facts)
                return value is not None and op(value, const)

            return vs_literal

        def compare(facts: Facts) -> bool:
            a = get_left(facts)
            if a is None:
                return False
            b = get_right(facts)
            return b is not None and op(a, b)

        return compare

    def _is_in(self, node: IsIn) -> Predicate:
        if self.kind(node.operand) is FieldType.NUMBER:
            numbers = cast(tuple[Decimal, ...], node.values)
            members: frozenset[Any] = frozenset(v.decimal_units(x) for x in numbers)
        else:
            members = frozenset(node.values)
        get = self.value(node.operand)
        if node.negated:
            return lambda facts: (x := get(facts)) is not None and x not in members
        if isinstance(node.operand, Field) and self.kind(node.operand) is FieldType.STRING:
            name = node.operand.name

            def string_in(facts: Facts) -> bool:
                value = facts.get(name)
                return isinstance(value, str) and value in members

            return string_in
        return lambda facts: (x := get(facts)) is not None and x in members

    def _startswith(self, node: StartsWith) -> Predicate:
        matcher = string_matcher(node.prefixes)
        if isinstance(node.operand, Field):
            name = node.operand.name

            def field_startswith(facts: Facts) -> bool:
                value = facts.get(name)
                return isinstance(value, str) and matcher(value)

            return field_startswith
        get = self.value(node.operand)
        return lambda facts: (x := get(facts)) is not None and matcher(x)

    def _between(self, node: Between) -> Predicate:
        get, low, high = self.value(node.operand), self.value(node.low), self.value(node.high)
        negated = node.negated

        def between(facts: Facts) -> bool:
            x, lo, hi = get(facts), low(facts), high(facts)
            if x is None or lo is None or hi is None:
                return False
            inside: bool = lo <= x <= hi
            return inside != negated

        return between

    def _contains(self, node: Contains) -> Predicate:
        get_container, get_item = self.value(node.container), self.value(node.item)

        def contains(facts: Facts) -> bool:
            container = get_container(facts)
            if container is None:
                return False
            item = get_item(facts)
            return item is not None and item in container

        return contains

    def _in_list(self, node: InList) -> Predicate:
        named = self.analysis.lists[node.list_name]
        match = key_matcher(named)
        if node.operand is not None:
            get = self.value(node.operand)
            listy = self.kind(node.operand) is FieldType.STRING_LIST
        else:
            keys = named.key_fields
            schema = self.analysis.schema
            if len(keys) > 1:
                getters = [field_getter(k, FieldType.STRING) for k in keys]

                def row_in_list(facts: Facts) -> bool:
                    values = tuple(g(facts) for g in getters)
                    return None not in values and match(values)

                return row_in_list
            get = field_getter(keys[0], schema[keys[0]])
            listy = schema[keys[0]] is FieldType.STRING_LIST
        if listy:
            return lambda facts: (
                (x := get(facts)) is not None and any(isinstance(e, str) and match((e,)) for e in x)
            )
        return lambda facts: (x := get(facts)) is not None and match((x,))

    # Values -----------------------------------------------------------------

    def value(self, node: Expr) -> Getter:
        """A closure returning the value of a node, or None when missing.

        The value of a condition is its two-valued truth: never missing.
        """
        match node:
            case Field(name=name):
                return field_getter(name, self.kind(node))
            case Negate(operand=o):
                get = self.value(o)
                return lambda facts: None if (x := get(facts)) is None else -x
            case Arithmetic(op=op, left=a, right=b):
                return _arithmetic(op, self.value(a), self.value(b))
            case Call():
                return self._call(node)
            case (
                StringLiteral()
                | NumberLiteral()
                | BooleanLiteral()
                | DateLiteral()
                | DateTimeLiteral()
            ):
                const = literal_value(node)
                return lambda facts: const
            case _:
                return self.condition(node)

    def _call(self, node: Call) -> Getter:
        getters = [self.value(a) for a in node.args]
        first = getters[0]
        match node.function:
            case "abs":
                return lambda facts: None if (x := first(facts)) is None else abs(x)
            case "min" | "max":
                pick = min if node.function == "min" else max

                def extreme(facts: Facts) -> int | None:
                    values = [g(facts) for g in getters]
                    return None if None in values else int(pick(values))

                return extreme
            case "round":
                digits = round_digits(node)
                return lambda facts: (
                    None if (x := first(facts)) is None else v.round_half_away(x, digits)
                )
            case "len":
                return lambda facts: None if (x := first(facts)) is None else len(x) * v.UNIT
            case "lower":
                return lambda facts: None if (x := first(facts)) is None else x.lower()
            case "upper":
                return lambda facts: None if (x := first(facts)) is None else x.upper()
            case _:  # days_between
                second = getters[1]
                a_dt = self.kind(node.args[0]) is FieldType.DATETIME
                b_dt = self.kind(node.args[1]) is FieldType.DATETIME

                def days(facts: Facts) -> int | None:
                    a, b = first(facts), second(facts)
                    if a is None or b is None:
                        return None
                    return v.days_between(a, b, a_dt, b_dt) * v.UNIT

                return days


def _all(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 2:
        p, q = predicates
        return lambda facts: p(facts) and q(facts)
    if len(predicates) == 3:
        p, q, r = predicates
        return lambda facts: p(facts) and q(facts) and r(facts)

    def every(facts: Facts) -> bool:
        return all(p(facts) for p in predicates)

    return every


def _any(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 2:
        p, q = predicates
        return lambda facts: p(facts) or q(facts)

    def some(facts: Facts) -> bool:
        return any(p(facts) for p in predicates)

    return some


_ARITHMETIC: dict[str, Callable[[int, int], int | None]] = {
    "+": lambda a, b: v.in_range(a + b),
    "-": lambda a, b: v.in_range(a - b),
    "*": v.multiply,
    "/": v.divide,
}


def _arithmetic(op: str, left: Getter, right: Getter) -> Getter:
    combine = _ARITHMETIC[op]

    def arithmetic(facts: Facts) -> int | None:
        a = left(facts)
        if a is None:
            return None
        b = right(facts)
        return None if b is None else combine(a, b)

    return arithmetic


def compile_predicate(analysis: Analysis) -> Predicate:
    """The criterion of ``analysis`` as a closure over one fact row."""
    return PythonCompiler(analysis).condition(analysis.criterion.expr)
