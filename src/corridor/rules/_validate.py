"""Structural validation of an expression, whoever built it.

Runs before every other pass: it walks the tree without recursion and stops at
the depth and size limits, so the recursive passes after it are safe. It
rejects whatever the parser could never produce (unknown operators, wrong
attribute types, negative number literals…), which keeps ``to_text`` and
``to_json`` round trips exact.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypeGuard, cast

from corridor.rules._ast import (
    ARITHMETIC_OPS,
    COMPARE_OPS,
    FUNCTIONS,
    NODE_TYPES,
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
    Position,
    StartsWith,
    StringLiteral,
)
from corridor.rules._types import MAX_DEPTH, MAX_LIST_ITEMS, MAX_NODES
from corridor.rules._values import LIMIT, SCALE, decimal_units
from corridor.rules.errors import RuleFormatError, RuleLimitError, RuleTypeError


def is_text(value: object) -> TypeGuard[str]:
    """A ``str`` that is valid Unicode (no lone surrogates), as Polars needs."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_field_name(value: object) -> bool:
    """A name that the text form can write (in backticks if need be)."""
    return is_text(value) and value != "" and not any(c in value for c in "`\r\n")


def position(node: object) -> Position | None:
    """Where a node came from in the text, if it did."""
    pos = getattr(node, "pos", None)
    return pos if isinstance(pos, Position) else None


def _line(pos: Position | None) -> int | None:
    return None if pos is None else pos.line


def _column(pos: Position | None) -> int | None:
    return None if pos is None else pos.column


def check_number(value: Decimal, pos: Position | None, *, what: str = "number") -> None:
    """Raise RuleLimitError unless finite ``value`` fits the 9-place, ±10¹⁸ range."""
    if decimal_units(value) is not None:
        return
    if value.copy_abs() >= LIMIT:
        raise RuleLimitError(
            f"{what} {value} is too large (the limit is 10^18)",
            limit="number_range",
            maximum=LIMIT,
            line=_line(pos),
            column=_column(pos),
        )
    raise RuleLimitError(
        f"{what} {value} has more than {SCALE} decimal places",
        limit="number_scale",
        maximum=SCALE,
        line=_line(pos),
        column=_column(pos),
    )


def check_list_size(size: int, pos: Position | None) -> None:
    """Raise RuleLimitError when a list literal has too many items."""
    if size > MAX_LIST_ITEMS:
        raise RuleLimitError(
            f"list has {size} items; at most {MAX_LIST_ITEMS} are allowed",
            limit="list_items",
            maximum=MAX_LIST_ITEMS,
            actual=size,
            line=_line(pos),
            column=_column(pos),
        )


def validate(expr: object) -> Expr:
    """Check the shape of ``expr`` and the limits; return it typed as an Expr."""
    stack: list[tuple[object, str, int]] = [(expr, "$", 1)]
    size = 0
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, NODE_TYPES):
            raise RuleFormatError(
                f"expected an expression node, got {type(node).__name__}", path=path
            )
        if depth > MAX_DEPTH:
            pos = position(node)
            raise RuleLimitError(
                f"criterion is nested more than {MAX_DEPTH} levels deep",
                limit="depth",
                maximum=MAX_DEPTH,
                line=_line(pos),
                column=_column(pos),
            )
        kids = _check_node(cast(Expr, node), path)
        size += 1 + len(getattr(node, "values", ())) + len(getattr(node, "prefixes", ()))
        if size > MAX_NODES:
            raise RuleLimitError(
                f"criterion has more than {MAX_NODES} nodes and list items",
                limit="nodes",
                maximum=MAX_NODES,
            )
        stack.extend((kid, f"{path}.{name}", depth + 1) for name, kid in reversed(kids))
    return cast(Expr, expr)


def _fail(message: str, path: str) -> RuleFormatError:
    return RuleFormatError(message, path=path)


def _tuple_of_nodes(value: object, path: str, name: str) -> list[tuple[str, object]]:
    if not isinstance(value, tuple):
        raise _fail(f"{name} must be a tuple", f"{path}.{name}")
    return [(f"{name}[{i}]", item) for i, item in enumerate(value)]


def _check_node(node: Expr, path: str) -> list[tuple[str, object]]:
    """Check one node's own attributes; return its children with their path names."""
    match node:
        case Field(name=name):
            if not is_field_name(name):
                raise _fail("field name must be non-empty text without ` or line breaks", path)
            return []
        case StringLiteral(value=value):
            if not is_text(value):
                raise _fail("string literal must be valid Unicode text", path)
            return []
        case NumberLiteral(value=value):
            if not isinstance(value, Decimal) or not value.is_finite() or value.is_signed():
                raise _fail("number literal must be a finite, non-negative Decimal", path)
            check_number(value, position(node))
            return []
        case BooleanLiteral(value=value):
            if not isinstance(value, bool):
                raise _fail("boolean literal must be a bool", path)
            return []
        case DateLiteral(value=value):
            if type(value) is not date:
                raise _fail("date literal must be a datetime.date", path)
            return []
        case DateTimeLiteral(value=value):
            if not isinstance(value, datetime) or (
                value.tzinfo is not None and value.utcoffset() is None
            ):
                raise _fail("datetime literal must be a datetime with a fixed UTC offset", path)
            return []
        case Negate(operand=o) | Not(operand=o) | IsMissing(operand=o) | IsPresent(operand=o):
            return [("operand", o)]
        case Arithmetic(op=op, left=a, right=b) | Compare(op=op, left=a, right=b):
            ops = ARITHMETIC_OPS if isinstance(node, Arithmetic) else COMPARE_OPS
            if op not in ops:
                raise _fail(f"unknown operator {op!r}", path)
            return [("left", a), ("right", b)]
        case Call(function=function, args=args):
            kids = _tuple_of_nodes(args, path, "args")
            if function not in FUNCTIONS:
                raise _fail(f"unknown function {function!r}", path)
            low, high = FUNCTIONS[function]
            if len(kids) < low or (high is not None and len(kids) > high):
                raise _fail(f"wrong number of arguments for {function}", path)
            return kids
        case InList(list_name=name, operand=o):
            if not is_text(name) or name == "":
                raise _fail("list name must be non-empty text", path)
            return [] if o is None else [("operand", o)]
        case IsIn(operand=o, values=values, negated=negated):
            _check_values(node, values, path)
            if not isinstance(negated, bool):
                raise _fail("negated must be a bool", path)
            return [("operand", o)]
        case StartsWith(operand=o, prefixes=prefixes):
            if not isinstance(prefixes, tuple) or not all(is_text(p) for p in prefixes):
                raise _fail("prefixes must be a tuple of strings", path)
            check_list_size(len(prefixes), position(node))
            return [("operand", o)]
        case Between(operand=o, low=lo, high=hi, negated=negated):
            if not isinstance(negated, bool):
                raise _fail("negated must be a bool", path)
            return [("operand", o), ("low", lo), ("high", hi)]
        case Contains(container=a, item=b):
            return [("container", a), ("item", b)]
        case _:  # And, Or
            kids = _tuple_of_nodes(node.operands, path, "operands")
            if len(kids) < 2:
                raise _fail("and/or need at least two operands", path)
            return kids


def _check_values(node: IsIn, values: object, path: str) -> None:
    if not isinstance(values, tuple):
        raise _fail("values must be a tuple", path)
    check_list_size(len(values), position(node))
    if all(is_text(v) for v in values):
        return
    if all(isinstance(v, Decimal) for v in values):
        for v in values:
            if not v.is_finite():
                raise _fail("list numbers must be finite", path)
            check_number(v.copy_abs(), position(node), what="list number")
        return
    if all(isinstance(v, str | Decimal) for v in values):
        pos = position(node)
        raise RuleTypeError(
            "a list mixes strings and numbers", line=_line(pos), column=_column(pos)
        )
    raise _fail("values must be strings or Decimals", path)
