"""Type checking against the caller's fact schema and named lists."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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
    StartsWith,
    StringLiteral,
)
from corridor.rules._text import to_text
from corridor.rules._types import FieldType, NamedList
from corridor.rules._validate import is_text, position, validate
from corridor.rules.errors import RuleTypeError

STRING = FieldType.STRING
NUMBER = FieldType.NUMBER
BOOLEAN = FieldType.BOOLEAN
DATE = FieldType.DATE
DATETIME = FieldType.DATETIME
STRING_LIST = FieldType.STRING_LIST
ORDERED = frozenset({STRING, NUMBER, DATE, DATETIME})
EQUATABLE = ORDERED | {BOOLEAN}

NamedLists = Iterable[NamedList] | Mapping[str, NamedList]


@dataclass(frozen=True, slots=True)
class Criterion:
    """A criterion that passed :func:`check`: its expression and what it reads."""

    expr: Expr
    fields: frozenset[str]
    lists: frozenset[str]

    @property
    def text(self) -> str:
        """The canonical text of the criterion."""
        return to_text(self.expr)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the compilers need: the checked tree, the type of each node, the lists."""

    criterion: Criterion
    schema: Mapping[str, FieldType]
    lists: Mapping[str, NamedList]
    types: Mapping[int, FieldType]

    def type_of(self, node: Expr) -> FieldType:
        """The type of a node of the checked expression."""
        return self.types[id(node)]


def analyse(expr: Expr, schema: object, lists: object) -> Analysis:
    """Validate ``expr`` and type-check it; the top level must be a condition."""
    valid = validate(expr)
    checked_schema = _schema(schema)
    checker = _Checker(checked_schema, _lists(lists))
    kind = checker.visit(valid)
    if kind is not BOOLEAN:
        raise _error(valid, f"a criterion must be a condition (true or false), not {_d(kind)}")
    criterion = Criterion(valid, frozenset(checker.fields), frozenset(checker.used_lists))
    return Analysis(criterion, checked_schema, checker.used_lists, checker.types)


def _d(kind: FieldType) -> str:
    return kind.describe()


def _error(node: object, message: str, **extra: str | None) -> RuleTypeError:
    pos = position(node)
    return RuleTypeError(
        message,
        line=pos.line if pos else None,
        column=pos.column if pos else None,
        field=extra.get("field"),
        suggestion=extra.get("suggestion"),
    )


def _schema(schema: object) -> dict[str, FieldType]:
    if not isinstance(schema, Mapping):
        raise RuleTypeError("the schema must be a mapping of field name to FieldType")
    for name, kind in schema.items():
        if not isinstance(name, str) or not isinstance(kind, FieldType):
            raise RuleTypeError(f"schema entry {name!r}: {kind!r} is not a name and a FieldType")
    return dict(schema)


def _lists(lists: object) -> dict[str, NamedList]:
    items = lists.values() if isinstance(lists, Mapping) else lists
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise RuleTypeError("lists must be NamedList objects")
    found: dict[str, NamedList] = {}
    for item in items:
        if not isinstance(item, NamedList) or not is_text(item.name):
            raise RuleTypeError(f"{item!r} is not a NamedList")
        if item.name in found:
            raise RuleTypeError(f"two named lists are called {item.name!r}")
        found[item.name] = item
    return found


def _check_named_list(named: NamedList, node: InList) -> None:
    keys = named.key_fields
    if (
        not isinstance(keys, tuple)
        or not keys
        or not all(isinstance(k, str) for k in keys)
        or len(set(keys)) != len(keys)
    ):
        raise _error(node, f"named list {named.name!r} needs distinct key fields")
    if not isinstance(named.prefix_fields, frozenset | set) or not named.prefix_fields <= set(keys):
        raise _error(node, f"named list {named.name!r}: prefix fields must be key fields")
    if not isinstance(named.entries, frozenset | set | list | tuple):
        raise _error(node, f"named list {named.name!r}: entries must be a set of tuples")
    for entry in named.entries:
        if (
            not isinstance(entry, tuple)
            or len(entry) != len(keys)
            or not all(is_text(v) for v in entry)
        ):
            raise _error(
                node,
                f"named list {named.name!r}: entry {entry!r} is not a tuple of "
                f"{len(keys)} string(s)",
            )


def _suggest(name: str, known: Iterable[str]) -> str | None:
    candidates = list(known)
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    close = difflib.get_close_matches(name, candidates, n=1)
    return close[0] if close else None


class _Checker:
    def __init__(self, schema: dict[str, FieldType], lists: dict[str, NamedList]) -> None:
        self.schema = schema
        self.lists = lists
        self.used_lists: dict[str, NamedList] = {}
        self.fields: set[str] = set()
        self.types: dict[int, FieldType] = {}

    def visit(self, node: Expr) -> FieldType:
        kind = self._visit(node)
        self.types[id(node)] = kind
        return kind

    def _expect(self, node: Expr, allowed: frozenset[FieldType], what: str) -> FieldType:
        kind = self.visit(node)
        if kind not in allowed:
            names = " or ".join(sorted(_d(k) for k in allowed))
            raise _error(node, f"{what} needs {names}, not {_d(kind)}: `{to_text(node)}`")
        return kind

    def _field(self, node: Expr, name: str) -> FieldType:
        if name not in self.schema:
            suggestion = _suggest(name, self.schema)
            raise _error(node, f"unknown field `{name}`", field=name, suggestion=suggestion)
        self.fields.add(name)
        return self.schema[name]

    def _same(
        self, node: Expr, operands: tuple[Expr, ...], allowed: frozenset[FieldType], what: str
    ) -> FieldType:
        kinds = [self._expect(o, allowed, what) for o in operands]
        if len(set(kinds)) > 1:
            shown = " and ".join(_d(k) for k in kinds)
            raise _error(node, f"{what} needs values of the same type, got {shown}")
        return kinds[0]

    def _visit(self, node: Expr) -> FieldType:
        match node:
            case Field(name=name):
                return self._field(node, name)
            case StringLiteral():
                return STRING
            case NumberLiteral():
                return NUMBER
            case BooleanLiteral():
                return BOOLEAN
            case DateLiteral():
                return DATE
            case DateTimeLiteral():
                return DATETIME
            case Negate(operand=o):
                return self._expect(o, frozenset({NUMBER}), "`-`")
            case Arithmetic(op=op, left=a, right=b):
                self._expect(a, frozenset({NUMBER}), f"`{op}`")
                return self._expect(b, frozenset({NUMBER}), f"`{op}`")
            case Call():
                return self._call(node)
            case InList():
                self._in_list(node)
                return BOOLEAN
            case Compare(op=op, left=a, right=b):
                allowed = EQUATABLE if op in ("=", "!=") else ORDERED
                self._same(node, (a, b), allowed, f"`{op}`")
                return BOOLEAN
            case IsIn(operand=o, values=values):
                element = STRING if values and isinstance(values[0], str) else NUMBER
                allowed = frozenset({element}) if values else frozenset({STRING, NUMBER})
                self._expect(o, allowed, "`in`")
                return BOOLEAN
            case StartsWith(operand=o):
                self._expect(o, frozenset({STRING}), "`startswith`")
                return BOOLEAN
            case Between(operand=o, low=lo, high=hi):
                self._same(node, (o, lo, hi), ORDERED, "`between`")
                return BOOLEAN
            case Contains(container=a, item=b):
                self._expect(a, frozenset({STRING, STRING_LIST}), "`contains`")
                self._expect(b, frozenset({STRING}), "`contains`")
                return BOOLEAN
            case IsMissing(operand=o) | IsPresent(operand=o):
                self.visit(o)
                return BOOLEAN
            case Not(operand=o):
                self._expect(o, frozenset({BOOLEAN}), "`not`")
                return BOOLEAN
            case _:  # And, Or
                word = "`and`" if isinstance(node, And) else "`or`"
                for o in node.operands:
                    self._expect(o, frozenset({BOOLEAN}), word)
                return BOOLEAN

    def _call(self, node: Call) -> FieldType:
        name, args = node.function, node.args
        what = f"{name}()"
        if name in ("abs", "min", "max"):
            for arg in args:
                self._expect(arg, frozenset({NUMBER}), what)
            return NUMBER
        if name == "round":
            self._expect(args[0], frozenset({NUMBER}), what)
            if len(args) == 2:
                digits = args[1]
                self.visit(digits)
                if not (
                    isinstance(digits, NumberLiteral)
                    and digits.value == digits.value.to_integral_value()
                    and 0 <= digits.value <= 9
                ):
                    raise _error(digits, "round()'s second argument must be a whole number 0 to 9")
            return NUMBER
        if name == "len":
            self._expect(args[0], frozenset({STRING, STRING_LIST}), what)
            return NUMBER
        if name in ("lower", "upper"):
            return self._expect(args[0], frozenset({STRING}), what)
        # days_between
        for arg in args:
            self._expect(arg, frozenset({DATE, DATETIME}), what)
        return NUMBER

    def _in_list(self, node: InList) -> None:
        name = node.list_name
        named = self.lists.get(name)
        if named is None:
            raise _error(
                node, f"unknown named list {name!r}", suggestion=_suggest(name, self.lists)
            )
        _check_named_list(named, node)
        self.used_lists[name] = named
        keys = named.key_fields
        if node.operand is not None:
            if len(keys) != 1:
                raise _error(
                    node,
                    f"named list {name!r} has {len(keys)} key fields; "
                    f'write in_list("{name}") to match them all',
                )
            self._expect(node.operand, frozenset({STRING, STRING_LIST}), "in_list()")
            return
        for key in keys:
            kind = self._field(node, key)
            allowed = {STRING, STRING_LIST} if len(keys) == 1 else {STRING}
            if kind not in allowed:
                raise _error(
                    node,
                    f"named list {name!r} is keyed by `{key}`, which is {_d(kind)}; "
                    "keys must be strings (or one list of strings)",
                    field=key,
                )
