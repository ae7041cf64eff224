"""The JSON form of an expression: plain dicts, lists, strings and booleans.

Every node is an object with an ``"op"`` key::

    {"op": "field", "name": "origin"}
    {"op": "string", "value": "CN"}          {"op": "number", "value": "0.6"}
    {"op": "boolean", "value": true}          {"op": "date", "value": "2026-01-31"}
    {"op": "datetime", "value": "2026-01-31T10:00:00+06:00"}
    {"op": "neg", "operand": E}               {"op": "+", "left": E, "right": E}  (+ - * /)
    {"op": "<", "left": E, "right": E}        (= != < <= > >=)
    {"op": "call", "function": "abs", "args": [E, ...]}
    {"op": "in_list", "list": "NAME"}         {"op": "in_list", "list": "NAME", "operand": E}
    {"op": "in", "operand": E, "type": "string", "values": ["CN", "AE"]}   (also "not in";
        "type": "number" with values as decimal strings)
    {"op": "startswith", "operand": E, "prefixes": ["87"]}
    {"op": "between", "operand": E, "low": E, "high": E}                  (also "not between")
    {"op": "contains", "container": E, "item": E}
    {"op": "is missing", "operand": E}        {"op": "is present", "operand": E}
    {"op": "not", "operand": E}               {"op": "and", "operands": [E, E, ...]}  (also "or")

Numbers are decimal strings so that no digit is lost on the way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from corridor.rules._ast import (
    ARITHMETIC_OPS,
    COMPARE_OPS,
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
from corridor.rules._grammar import DATE_PATTERN, DATETIME_PATTERN
from corridor.rules._text import number_text
from corridor.rules._types import MAX_DEPTH, MAX_LIST_ITEMS
from corridor.rules._validate import validate
from corridor.rules.errors import RuleFormatError, RuleLimitError

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

JSONObject = dict[str, Any]


def to_json(expr: Expr) -> JSONObject:
    """The JSON form of a (validated) expression."""
    match expr:
        case Field(name=name):
            return {"op": "field", "name": name}
        case StringLiteral(value=value):
            return {"op": "string", "value": value}
        case NumberLiteral(value=value):
            return {"op": "number", "value": number_text(value)}
        case BooleanLiteral(value=value):
            return {"op": "boolean", "value": value}
        case DateLiteral(value=value):
            return {"op": "date", "value": value.isoformat()}
        case DateTimeLiteral(value=value):
            return {"op": "datetime", "value": value.isoformat()}
        case Negate(operand=o):
            return {"op": "neg", "operand": to_json(o)}
        case Not(operand=o):
            return {"op": "not", "operand": to_json(o)}
        case IsMissing(operand=o):
            return {"op": "is missing", "operand": to_json(o)}
        case IsPresent(operand=o):
            return {"op": "is present", "operand": to_json(o)}
        case Arithmetic(op=op, left=a, right=b) | Compare(op=op, left=a, right=b):
            return {"op": op, "left": to_json(a), "right": to_json(b)}
        case Call(function=function, args=args):
            return {"op": "call", "function": function, "args": [to_json(a) for a in args]}
        case InList(list_name=name, operand=o):
            found: JSONObject = {"op": "in_list", "list": name}
            if o is not None:
                found["operand"] = to_json(o)
            return found
        case IsIn(operand=o, values=values, negated=negated):
            numeric = bool(values) and isinstance(values[0], Decimal)
            return {
                "op": "not in" if negated else "in",
                "operand": to_json(o),
                "type": "number" if numeric else "string",
                "values": [number_text(v) if isinstance(v, Decimal) else v for v in values],
            }
        case StartsWith(operand=o, prefixes=prefixes):
            return {"op": "startswith", "operand": to_json(o), "prefixes": list(prefixes)}
        case Between(operand=o, low=lo, high=hi, negated=negated):
            return {
                "op": "not between" if negated else "between",
                "operand": to_json(o),
                "low": to_json(lo),
                "high": to_json(hi),
            }
        case Contains(container=a, item=b):
            return {"op": "contains", "container": to_json(a), "item": to_json(b)}
        case And(operands=ops):
            return {"op": "and", "operands": [to_json(o) for o in ops]}
        case _:  # Or
            return {"op": "or", "operands": [to_json(o) for o in expr.operands]}


def from_json(obj: object) -> Expr:
    """Read the JSON form back; malformed input raises RuleFormatError or RuleLimitError."""
    return validate(_Reader().read(obj, "$", 1))


class _Reader:
    def read(self, obj: object, path: str, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise RuleLimitError(
                f"criterion is nested more than {MAX_DEPTH} levels deep",
                limit="depth",
                maximum=MAX_DEPTH,
            )
        if not isinstance(obj, Mapping):
            raise RuleFormatError("expected an object", path=path)
        op = obj.get("op")
        reader = _READERS.get(op) if isinstance(op, str) else None
        if reader is None:
            raise RuleFormatError(f"unknown op {op!r}", path=path)
        keys, build = reader
        if set(obj) != {"op", *keys} and not (op == "in_list" and set(obj) == {"op", "list"}):
            wanted, got = sorted({"op", *keys}), sorted(map(str, obj))
            raise RuleFormatError(f"{op!r} needs exactly the keys {wanted}, got {got}", path=path)
        return build(self, obj, path, depth)

    def sub(self, obj: Mapping[str, Any], key: str, path: str, depth: int) -> Expr:
        return self.read(obj[key], f"{path}.{key}", depth + 1)

    def subs(self, obj: Mapping[str, Any], key: str, path: str, depth: int) -> tuple[Expr, ...]:
        items = obj[key]
        if not isinstance(items, list):
            raise RuleFormatError(f"{key} must be a list", path=f"{path}.{key}")
        return tuple(self.read(v, f"{path}.{key}[{i}]", depth + 1) for i, v in enumerate(items))


def _text(obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise RuleFormatError(f"{key} must be a string", path=f"{path}.{key}")
    return value


def _strings(obj: Mapping[str, Any], key: str, path: str) -> list[str]:
    items = obj[key]
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise RuleFormatError(f"{key} must be a list of strings", path=f"{path}.{key}")
    if len(items) > MAX_LIST_ITEMS:
        raise RuleLimitError(
            f"list has {len(items)} items; at most {MAX_LIST_ITEMS} are allowed",
            limit="list_items",
            maximum=MAX_LIST_ITEMS,
            actual=len(items),
        )
    return items


def _number(text: str, path: str) -> Decimal:
    if not _NUMBER.fullmatch(text):
        raise RuleFormatError(f"{text!r} is not a decimal number", path=path)
    return Decimal(text)


def _read_number(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    return NumberLiteral(_number(_text(obj, "value", path), f"{path}.value"))


def _read_boolean(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    value = obj["value"]
    if not isinstance(value, bool):
        raise RuleFormatError("value must be true or false", path=f"{path}.value")
    return BooleanLiteral(value)


def _read_date(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    text = _text(obj, "value", path)
    try:
        if DATE_PATTERN.fullmatch(text):
            return DateLiteral(date.fromisoformat(text))
    except ValueError:
        pass
    raise RuleFormatError(f"{text!r} is not a date (YYYY-MM-DD)", path=f"{path}.value")


def _read_datetime(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    text = _text(obj, "value", path)
    try:
        if DATETIME_PATTERN.fullmatch(text):
            return DateTimeLiteral(datetime.fromisoformat(text))
    except ValueError:
        pass
    raise RuleFormatError(f"{text!r} is not an ISO 8601 datetime", path=f"{path}.value")


def _read_call(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    return Call(_text(obj, "function", path), r.subs(obj, "args", path, depth))


def _read_in_list(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    operand = r.sub(obj, "operand", path, depth) if "operand" in obj else None
    return InList(_text(obj, "list", path), operand)


def _read_in(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    kind = obj["type"]
    strings = _strings(obj, "values", path)
    values: tuple[str, ...] | tuple[Decimal, ...]
    if kind == "string":
        values = tuple(strings)
    elif kind == "number":
        values = tuple(_number(v, f"{path}.values[{i}]") for i, v in enumerate(strings))
    else:
        raise RuleFormatError("type must be 'string' or 'number'", path=f"{path}.type")
    operand = r.sub(obj, "operand", path, depth)
    return IsIn(operand, values, negated=obj["op"] == "not in")


def _read_between(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    return Between(
        r.sub(obj, "operand", path, depth),
        r.sub(obj, "low", path, depth),
        r.sub(obj, "high", path, depth),
        negated=obj["op"] == "not between",
    )


def _read_binary(r: _Reader, obj: Mapping[str, Any], path: str, depth: int) -> Expr:
    op = obj["op"]
    cls = Arithmetic if op in ARITHMETIC_OPS else Compare
    return cls(op, r.sub(obj, "left", path, depth), r.sub(obj, "right", path, depth))


_Build = Callable[[_Reader, Mapping[str, Any], str, int], Expr]


def _unary(cls: Callable[[Expr], Expr]) -> _Build:
    return lambda r, obj, path, depth: cls(r.sub(obj, "operand", path, depth))


def _nary(cls: Callable[[tuple[Expr, ...]], Expr]) -> _Build:
    return lambda r, obj, path, depth: cls(r.subs(obj, "operands", path, depth))


_READERS: dict[str, tuple[tuple[str, ...], _Build]] = {
    "field": (("name",), lambda r, obj, path, depth: Field(_text(obj, "name", path))),
    "string": (("value",), lambda r, obj, path, depth: StringLiteral(_text(obj, "value", path))),
    "number": (("value",), _read_number),
    "boolean": (("value",), _read_boolean),
    "date": (("value",), _read_date),
    "datetime": (("value",), _read_datetime),
    "neg": (("operand",), _unary(Negate)),
    "not": (("operand",), _unary(Not)),
    "is missing": (("operand",), _unary(IsMissing)),
    "is present": (("operand",), _unary(IsPresent)),
    "call": (("function", "args"), _read_call),
    "in_list": (("list", "operand"), _read_in_list),
    "in": (("operand", "type", "values"), _read_in),
    "not in": (("operand", "type", "values"), _read_in),
    "startswith": (
        ("operand", "prefixes"),
        lambda r, obj, path, depth: StartsWith(
            r.sub(obj, "operand", path, depth), tuple(_strings(obj, "prefixes", path))
        ),
    ),
    "between": (("operand", "low", "high"), _read_between),
    "not between": (("operand", "low", "high"), _read_between),
    "contains": (
        ("container", "item"),
        lambda r, obj, path, depth: Contains(
            r.sub(obj, "container", path, depth), r.sub(obj, "item", path, depth)
        ),
    ),
    "and": (("operands",), _nary(And)),
    "or": (("operands",), _nary(Or)),
    **dict.fromkeys(ARITHMETIC_OPS | COMPARE_OPS, (("left", "right"), _read_binary)),
}
