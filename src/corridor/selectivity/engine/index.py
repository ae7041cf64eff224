"""The index: each profile's guard, and which profiles a declaration's rows can match."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, cast

from corridor.rules import (
    And,
    Compare,
    Expr,
    Field,
    FieldType,
    InList,
    IsIn,
    NamedList,
    Negate,
    NumberLiteral,
    Or,
    StartsWith,
    StringLiteral,
)
from corridor.selectivity.engine.specs import DeclarationFacts, Row, Scope

if TYPE_CHECKING:
    from corridor.selectivity.engine.compiled import CompiledProfile


_SCOPE_FIELDS: Final = ("flow", "office", "procedure")
_LISTY: Final = (list, tuple, set, frozenset)
# The criteria language rounds a number to 9 places (a float after scaling it by
# 10**9 in binary), so it may read a row's value up to half a unit of 10**-9 plus
# a float's relative error away from the value itself. A range guard's limit is
# widened by more than that for any value near it (values far from the limit are
# on the right side anyway): 10**-9 + (|limit| + 1) * 10**-12.
_WIDE: Final = Context(prec=60)
_FLIPPED: Final = MappingProxyType({"<": ">", "<=": ">=", ">": "<", ">=": "<="})


GuardKind = Literal["equal", "prefix", "scope", "at_least", "at_most"]


@dataclass(frozen=True, slots=True)
class Guard:
    """A necessary condition of a profile that the index looks up.

    - ``equal``/``prefix``: the row's fact ``field`` equals / starts with one of
      ``keys`` (for a list of strings: one of its elements does);
    - ``scope``: the declaration's ``field`` (flow, office, procedure) is one of ``keys``;
    - ``at_least``/``at_most``: the row's number ``field`` is at least / at most
      ``limit`` (looked up with a margin wider than any rounding, so a profile
      is never dropped for a last-digit difference).
    """

    field: str
    kind: GuardKind
    keys: frozenset[str] = frozenset()
    limit: Decimal | None = None

    @property
    def exact(self) -> bool:
        """Whether the lookup decides the condition itself (no need to evaluate it)."""
        return self.kind in ("equal", "prefix")


@dataclass(frozen=True, slots=True)
class _FieldIndex:
    name: str
    per_declaration: bool  # a header fact: the first row speaks for all
    listy: bool  # a STRING_LIST fact: look up each element
    exact: Mapping[str, tuple[int, ...]]
    prefixes: tuple[tuple[int, Mapping[str, tuple[int, ...]]], ...]  # (length, prefix -> ids)


@dataclass(frozen=True, slots=True)
class _RangeIndex:
    name: str
    per_declaration: bool
    # (limits ascending, positions) of the profiles needing at least / at most a
    # limit; the limits are widened by _RANGE_MARGIN so that no rounding of the
    # row's value by the criteria language can drop a profile.
    at_least: tuple[tuple[Decimal, ...], tuple[int, ...]]
    at_most: tuple[tuple[Decimal, ...], tuple[int, ...]]


@dataclass(frozen=True, slots=True, eq=False)
class ProfileIndex:
    """Which profiles a declaration can match, by scope and by guard (positions in the set)."""

    always: tuple[int, ...]
    scope: tuple[tuple[str, Mapping[str, tuple[int, ...]]], ...]
    fields: tuple[_FieldIndex, ...]
    ranges: tuple[_RangeIndex, ...]
    # The named lists profiles read, grouped by scope (for the decision's list versions).
    list_reads: tuple[tuple[Scope, frozenset[str]], ...]

    def candidates(self, declaration: DeclarationFacts) -> dict[int, int]:
        """Profile position -> bit mask of the rows (bit i: row i) its guard lets through."""
        rows = declaration.rows
        full = (1 << len(rows)) - 1
        found = dict.fromkeys(self.always, full)
        for name, table in self.scope:
            for position in table.get(getattr(declaration, name), ()):
                found[position] = full
        first = rows[0] if rows else {}
        for index in self.fields:
            if index.per_declaration:  # the first row speaks for all: one look-up per key
                value = first.get(index.name)
                if index.listy:  # as the criteria read it: a string for a list is missing
                    listed = value if isinstance(value, _LISTY) else ()
                    keys = [e for e in listed if isinstance(e, str)]
                else:
                    keys = [value] if isinstance(value, str) else []
                values = dict.fromkeys(keys, full)
            else:
                values = _row_values(rows, index.name, index.listy)
            exact = index.exact
            if exact:
                for value, mask in values.items():
                    for position in exact.get(value, ()):
                        found[position] = found.get(position, 0) | mask
            for length, table in index.prefixes:
                for value, mask in values.items():
                    for position in table.get(value[:length], ()):
                        found[position] = found.get(position, 0) | mask
        for ranges in self.ranges:
            if ranges.per_declaration:
                numbers = dict.fromkeys(_row_numbers(rows[:1], ranges.name), full)
            else:
                numbers = _row_numbers(rows, ranges.name)
            limits, positions = ranges.at_least
            if positions:
                for number, mask in numbers.items():
                    for position in positions[: bisect.bisect_right(limits, number)]:
                        found[position] = found.get(position, 0) | mask
            limits, positions = ranges.at_most
            if positions:
                for number, mask in numbers.items():
                    for position in positions[bisect.bisect_left(limits, number) :]:
                        found[position] = found.get(position, 0) | mask
        return found


def _row_values(rows: Sequence[Row], name: str, listy: bool) -> dict[str, int]:
    """Distinct string values of one fact across rows, with the mask of rows holding each."""
    masks: dict[str, int] = {}
    for i, row in enumerate(rows):
        value = row.get(name)
        bit = 1 << i
        if listy:  # as the criteria read it: a string where a list belongs is missing
            if isinstance(value, _LISTY):
                for element in value:
                    if isinstance(element, str):
                        masks[element] = masks.get(element, 0) | bit
        elif isinstance(value, str):
            masks[value] = masks.get(value, 0) | bit
    return masks


def _row_numbers(rows: Sequence[Row], name: str) -> dict[Decimal | int | float, int]:
    """Distinct numbers of one fact across rows, with the mask of rows holding each."""
    masks: dict[Decimal | int | float, int] = {}
    for i, row in enumerate(rows):
        value = row.get(name)
        if type(value) is Decimal:  # the facts' own type, first
            if not value.is_finite():
                continue
        elif value is None:
            continue
        elif isinstance(value, Decimal):
            if not value.is_finite():
                continue  # missing, as the criteria read it
        elif isinstance(value, bool) or not isinstance(value, int | float):
            continue  # not a number: missing
        elif value != value:
            continue  # NaN: missing
        masks[value] = masks.get(value, 0) | (1 << i)
    return masks


def _criteria_guard(
    node: Expr, schema: Mapping[str, FieldType], lists: Mapping[str, NamedList]
) -> Guard | None:
    """A lookup-able condition implied by ``node`` on the same row, or None."""
    match node:
        case And(operands=operands):
            found = [g for o in operands if (g := _criteria_guard(o, schema, lists)) is not None]
            return min(found, key=_estimate) if found else None
        case Or(operands=operands):
            branches = [_criteria_guard(o, schema, lists) for o in operands]
            same = [
                g for g in branches if g is not None and (g.field, g.kind) == _kind(branches[0])
            ]
            if len(same) < len(branches):
                return None
            first = same[0]
            if first.kind in ("at_least", "at_most"):
                limits = [g.limit for g in same if g.limit is not None]
                limit = min(limits) if first.kind == "at_least" else max(limits)
                return Guard(first.field, first.kind, limit=limit)
            return Guard(first.field, first.kind, frozenset().union(*(g.keys for g in same)))
        case (
            Compare(op="=", left=Field(name=name), right=StringLiteral(value=value))
            | Compare(op="=", left=StringLiteral(value=value), right=Field(name=name))
        ):
            return _string_guard(name, (value,), False, schema)
        case IsIn(operand=Field(name=name), values=values, negated=False):
            return _string_guard(name, values, False, schema)
        case StartsWith(operand=Field(name=name), prefixes=prefixes):
            return _string_guard(name, prefixes, True, schema)
        case Compare(op=op, left=left, right=right) if op in _FLIPPED:
            if isinstance(right, Field):
                left, right, op = right, left, _FLIPPED[op]
            bound = _number_literal(right)
            if not isinstance(left, Field) or bound is None:
                return None
            if schema.get(left.name) is not FieldType.NUMBER:
                return None
            return Guard(left.name, "at_least" if op[0] == ">" else "at_most", limit=bound)
        case InList(list_name=list_name, operand=operand):
            named = lists.get(list_name)
            if named is None or len(named.key_fields) != 1:
                return None
            key = named.key_fields[0]
            if operand is not None and not isinstance(operand, Field):
                return None
            name = key if operand is None else operand.name
            prefix = key in named.prefix_fields
            return _string_guard(name, [e[0] for e in named.entries], prefix, schema, listy=True)
    return None


def _string_guard(
    name: str,
    keys: Iterable[object],
    prefix: bool,
    schema: Mapping[str, FieldType],
    *,
    listy: bool = False,
) -> Guard | None:
    kinds = (FieldType.STRING, FieldType.STRING_LIST) if listy else (FieldType.STRING,)
    values = tuple(keys)
    if schema.get(name) not in kinds or not all(isinstance(k, str) for k in values):
        return None
    return Guard(name, "prefix" if prefix else "equal", frozenset(cast(tuple[str, ...], values)))


def _kind(guard: Guard | None) -> tuple[str, str] | None:
    return None if guard is None else (guard.field, guard.kind)


def _number_literal(node: Expr) -> Decimal | None:
    match node:
        case NumberLiteral(value=value):
            return value
        case Negate(operand=NumberLiteral(value=value)):
            return -value
    return None


# Rough share of declarations one key of a guard lets through; only the choice
# between a profile's guards depends on it, never the result.
_KEY_SHARE: Final[Mapping[str, float]] = MappingProxyType(
    {
        "importer": 1e-4,
        "exporter": 1e-4,
        "declarant": 1e-3,
        "vehicle_id": 1e-4,
        "containers": 1e-4,
        "hs_code": 1e-4,
        "subheading": 1e-3,
        "heading": 1e-2,
        "chapter": 0.05,
        "office": 0.05,
        "flow": 0.4,
        "procedure": 0.3,
        "currency": 0.3,
        "trader_category": 0.3,
    }
)


# A number above or below a limit: no statistics here, so a middling guess that
# puts it after equality guards and before the flow scope.
_RANGE_SHARE: Final = 0.3


def _estimate(guard: Guard) -> float:
    if guard.limit is not None:
        return _RANGE_SHARE
    share = _KEY_SHARE.get(guard.field, 0.1)
    if guard.kind == "prefix":
        return sum(max(share, 10 ** (-len(key) / 2)) for key in guard.keys)
    return share * len(guard.keys)


def _build_index(
    profiles: Sequence[CompiledProfile],
    schema: Mapping[str, FieldType],
    header_facts: frozenset[str],
) -> ProfileIndex:
    always: list[int] = []
    scope: dict[str, dict[str, list[int]]] = {}
    exact: dict[str, dict[str, list[int]]] = {}
    prefixes: dict[str, dict[int, dict[str, list[int]]]] = {}
    bounds: dict[str, dict[str, list[tuple[Decimal, int]]]] = {}
    for position, profile in enumerate(profiles):
        guard = profile.guard
        if guard is None:
            always.append(position)
            continue
        if guard.limit is not None:
            margin = _WIDE.add(
                Decimal("1e-9"), _WIDE.multiply(abs(guard.limit) + 1, Decimal("1e-12"))
            )
            widen = _WIDE.subtract if guard.kind == "at_least" else _WIDE.add
            limit = widen(guard.limit, margin)
            bounds.setdefault(guard.field, {}).setdefault(guard.kind, []).append((limit, position))
        for key in guard.keys:
            if guard.kind == "scope":
                table = scope.setdefault(guard.field, {})
            elif guard.kind == "prefix":
                table = prefixes.setdefault(guard.field, {}).setdefault(len(key), {})
            else:
                table = exact.setdefault(guard.field, {})
            table.setdefault(key, []).append(position)
    fields = tuple(
        _FieldIndex(
            name=name,
            per_declaration=name in header_facts,
            listy=schema[name] is FieldType.STRING_LIST,
            exact=_frozen(exact.get(name, {})),
            prefixes=tuple(
                (length, _frozen(table)) for length, table in sorted(prefixes.get(name, {}).items())
            ),
        )
        for name in sorted(exact.keys() | prefixes.keys())
    )
    ranges = tuple(
        _RangeIndex(
            name,
            name in header_facts,
            *(
                (tuple(limit for limit, _ in pairs), tuple(position for _, position in pairs))
                for pairs in (sorted(kinds.get(kind, [])) for kind in ("at_least", "at_most"))
            ),
        )
        for name, kinds in sorted(bounds.items())
    )
    reads: dict[Scope, set[str]] = {}
    for profile in profiles:
        if profile.lists:
            reads.setdefault(profile.scope, set()).update(profile.lists)
    return ProfileIndex(
        always=tuple(always),
        scope=tuple((name, _frozen(scope[name])) for name in _SCOPE_FIELDS if name in scope),
        fields=fields,
        ranges=ranges,
        list_reads=tuple((scope, frozenset(names)) for scope, names in reads.items()),
    )


def _frozen(table: Mapping[str, list[int]]) -> Mapping[str, tuple[int, ...]]:
    return MappingProxyType({key: tuple(ids) for key, ids in table.items()})
