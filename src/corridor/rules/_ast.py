"""The abstract syntax tree of a criterion: small frozen dataclasses.

Positions (``pos``) are kept for messages but take no part in equality, so an
expression parsed from text equals the same expression read back from JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Position:
    """Where a node starts in the criterion text (1-based)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Field:
    """A fact of the row, e.g. ``origin``."""

    name: str
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """``"CN"``"""

    value: str
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    """``0.6``; never negative (``-0.6`` is :class:`Negate` of ``0.6``)."""

    value: Decimal
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class BooleanLiteral:
    """``true`` or ``false``"""

    value: bool
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class DateLiteral:
    """``date("2026-01-31")``"""

    value: date
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class DateTimeLiteral:
    """``datetime("2026-01-31T10:00:00+06:00")``; a naive value means UTC."""

    value: datetime
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Negate:
    """``-x``"""

    operand: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """``left op right`` with ``op`` one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call: ``abs min max round len lower upper days_between``."""

    function: str
    args: tuple[Expr, ...]
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class InList:
    """``in_list("NAME")`` (the row's key fields) or ``in_list("NAME", expr)``."""

    list_name: str
    operand: Expr | None = None
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Compare:
    """``left op right`` with ``op`` one of ``= != < <= > >=``."""

    op: str
    left: Expr
    right: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class IsIn:
    """``x in [..]`` or, when ``negated``, ``x not in [..]``.

    ``values`` are all strings or all decimals.
    """

    operand: Expr
    values: tuple[str, ...] | tuple[Decimal, ...]
    negated: bool = False
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class StartsWith:
    """``x startswith ["87", "88"]``"""

    operand: Expr
    prefixes: tuple[str, ...]
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Between:
    """``x between low and high`` (inclusive) or ``x not between low and high``."""

    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Contains:
    """``documents contains "N002"`` (list element) or ``description contains "x"``."""

    container: Expr
    item: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class IsMissing:
    """``x is missing``"""

    operand: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class IsPresent:
    """``x is present``"""

    operand: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Not:
    """``not x``"""

    operand: Expr
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class And:
    """``a and b and …`` (two operands or more)."""

    operands: tuple[Expr, ...]
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Or:
    """``a or b or …`` (two operands or more)."""

    operands: tuple[Expr, ...]
    pos: Position | None = field(default=None, compare=False, repr=False, kw_only=True)


Expr: TypeAlias = (
    Field
    | StringLiteral
    | NumberLiteral
    | BooleanLiteral
    | DateLiteral
    | DateTimeLiteral
    | Negate
    | Arithmetic
    | Call
    | InList
    | Compare
    | IsIn
    | StartsWith
    | Between
    | Contains
    | IsMissing
    | IsPresent
    | Not
    | And
    | Or
)

NODE_TYPES: tuple[type, ...] = Expr.__args__

ARITHMETIC_OPS = frozenset({"+", "-", "*", "/"})
COMPARE_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
# name -> (minimum, maximum) number of arguments; None: no maximum.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "abs": (1, 1),
    "min": (2, None),
    "max": (2, None),
    "round": (1, 2),
    "len": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "days_between": (2, 2),
}
