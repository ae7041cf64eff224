"""Canonical text of an expression: lower-case keywords, minimal parentheses."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from corridor.rules._ast import (
    And,
    Arithmetic,
    Between,
    BooleanLiteral,
    Call,
    Compare,
    Contains,
    DateLiteral,
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
from corridor.rules._grammar import KEYWORDS

# Binding strength; a child weaker than its slot needs parentheses.
_OR, _AND, _NOT, _PREDICATE, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def to_text(expr: Expr) -> str:
    """The canonical text of a (validated) expression; parsing it gives ``expr`` back."""
    return _text(expr, _OR)


def field_text(name: str) -> str:
    """A field name as written in a criterion, in backticks when needed."""
    if _IDENTIFIER.fullmatch(name) and name.lower() not in KEYWORDS:
        return name
    return f"`{name}`"


def string_text(value: str) -> str:
    """A string literal with JSON escapes."""
    return json.dumps(value, ensure_ascii=False)


def number_text(value: Decimal) -> str:
    """A number literal in plain notation (no exponent)."""
    return format(value, "f")


def list_text(values: tuple[str, ...] | tuple[Decimal, ...]) -> str:
    """A list literal."""
    items = [string_text(v) if isinstance(v, str) else number_text(v) for v in values]
    return "[" + ", ".join(items) + "]"


def _level(expr: Expr) -> int:
    match expr:
        case Or():
            return _OR
        case And():
            return _AND
        case Not():
            return _NOT
        case Compare() | IsIn() | StartsWith() | Between() | Contains() | IsMissing() | IsPresent():
            return _PREDICATE
        case Arithmetic(op="+" | "-"):
            return _SUM
        case Arithmetic():
            return _PRODUCT
        case Negate():
            return _UNARY
        case _:
            return _ATOM


def _text(expr: Expr, slot: int) -> str:
    text = _bare(expr)
    return f"({text})" if _level(expr) < slot else text


def _bare(expr: Expr) -> str:
    match expr:
        case Or(operands=ops):
            return " or ".join(_text(o, _AND) for o in ops)
        case And(operands=ops):
            return " and ".join(_text(o, _NOT) for o in ops)
        case Not(operand=o):
            return "not " + _text(o, _NOT)
        case Compare(op=op, left=a, right=b):
            return f"{_text(a, _SUM)} {op} {_text(b, _SUM)}"
        case IsIn(operand=o, values=values, negated=negated):
            return f"{_text(o, _SUM)} {'not in' if negated else 'in'} {list_text(values)}"
        case StartsWith(operand=o, prefixes=prefixes):
            return f"{_text(o, _SUM)} startswith {list_text(prefixes)}"
        case Between(operand=o, low=lo, high=hi, negated=negated):
            keyword = "not between" if negated else "between"
            return f"{_text(o, _SUM)} {keyword} {_text(lo, _SUM)} and {_text(hi, _SUM)}"
        case Contains(container=a, item=b):
            return f"{_text(a, _SUM)} contains {_text(b, _SUM)}"
        case IsMissing(operand=o):
            return f"{_text(o, _SUM)} is missing"
        case IsPresent(operand=o):
            return f"{_text(o, _SUM)} is present"
        case Arithmetic(op=op, left=a, right=b):
            level = _level(expr)
            return f"{_text(a, level)} {op} {_text(b, level + 1)}"
        case Negate(operand=o):
            return "-" + _text(o, _UNARY)
        case Call(function=function, args=args):
            return f"{function}({', '.join(_text(a, _OR) for a in args)})"
        case InList(list_name=name, operand=o):
            extra = "" if o is None else ", " + _text(o, _OR)
            return f"in_list({string_text(name)}{extra})"
        case Field(name=name):
            return field_text(name)
        case StringLiteral(value=value):
            return string_text(value)
        case NumberLiteral(value=value):
            return number_text(value)
        case BooleanLiteral(value=value):
            return "true" if value else "false"
        case DateLiteral(value=value):
            return f'date("{value.isoformat()}")'
        case _:  # DateTimeLiteral
            return f'datetime("{expr.value.isoformat()}")'
