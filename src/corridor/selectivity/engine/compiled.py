"""Compiling profile versions into an immutable, indexed ProfileSet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Final, NamedTuple

from corridor.declarations.facts import HEADER_LEVEL_FACTS, fact_schema
from corridor.rules import (
    And,
    Explanation,
    Expr,
    FieldType,
    NamedList,
    Or,
    RuleError,
    check,
    compile_predicate,
    explainer,
    parse,
)
from corridor.selectivity.engine.catalogue import DEFAULT_MEASURES
from corridor.selectivity.engine.draws import _threshold
from corridor.selectivity.engine.index import (
    _SCOPE_FIELDS,
    Guard,
    ProfileIndex,
    _build_index,
    _criteria_guard,
    _estimate,
)
from corridor.selectivity.engine.specs import MeasureSpec, ProfileSpec, Row, Scope


class ProfileProblem(NamedTuple):
    """A profile left out of the set, and why."""

    code: str
    version: int
    message: str


@dataclass(frozen=True, slots=True, eq=False)
class Conjunct:
    """A condition of the set's criteria, compiled once however many profiles use it.

    ``per_declaration``: it reads only facts that are the same on every row of a
    declaration (header and trader facts), so one row decides it for all.
    """

    expr: Expr
    holds: Callable[[Row], bool]
    per_declaration: bool
    reads: tuple[str, ...]  # the facts it reads, in a fixed order
    # Just the facts and lists it reads: explaining re-checks the condition
    # against them, and a small schema keeps that cheap.
    facts: Mapping[str, FieldType]
    lists: Mapping[str, NamedList]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledProfile:
    """A profile ready to test: its spec, parsed criterion, predicate, measures and guard."""

    spec: ProfileSpec
    scope: Scope
    expr: Expr
    matches: Callable[[Row], bool]
    lists: frozenset[str]
    measures: tuple[tuple[MeasureSpec, bool], ...]
    guard: Guard | None
    threshold: float
    # The criterion's top-level "and" operands, as positions in ProfileSet.conjuncts
    # (shared: a condition several profiles use is evaluated once per row), and
    # those left to test, in a good order, on the rows the guard let through (the
    # guard's own condition is not, when the index lookup is exactly that condition).
    conjuncts: tuple[int, ...]
    residual: tuple[int, ...]
    residual_id: int  # equal residuals share an id: profiles sharing it are tested together


@dataclass(frozen=True, slots=True, eq=False)
class ProfileSet:
    """An immutable snapshot of compiled profiles with their index; swap it whole on change.

    Safe to share between threads; the only state it changes is the memory of
    reasons, which speeds up explanations and never alters them.
    """

    version: str
    profiles: tuple[CompiledProfile, ...]
    problems: tuple[ProfileProblem, ...]
    list_versions: Mapping[str, int]
    measures: Mapping[str, MeasureSpec]
    schema: Mapping[str, FieldType]
    lists: Mapping[str, NamedList]
    index: ProfileIndex = field(repr=False)
    conjuncts: tuple[Conjunct, ...] = field(repr=False)
    # Residual id -> the positions in ``conjuncts`` a profile tests after its guard.
    residuals: tuple[tuple[int, ...], ...] = field(repr=False)
    reasons: Reasons = field(repr=False)
    # Profile position -> its residual id (read for every candidate of every declaration).
    residual_of: tuple[int, ...] = field(repr=False)


class Reasons:
    """Plain-words reasons why conditions hold, remembered by the values they read.

    The reason of a matching criterion is what :func:`corridor.rules.explain`
    says: for a top-level ``and``, the reasons of each operand in turn. Each
    operand's reasons depend only on the values of the facts it reads, and
    guards (HS codes, lists, origins) see the same values again and again, so
    they are kept (at most ``limit`` of them, then forgotten all at once). Only
    speed depends on this memory, never a decision.
    """

    def __init__(self, conjuncts: Sequence[Conjunct], limit: int = 100_000) -> None:
        self.conjuncts, self.limit = conjuncts, limit
        self._known: dict[tuple[object, ...], tuple[str, ...]] = {}
        self._explainers: dict[int, Callable[[Row], Explanation]] = {}

    def of(self, position: int, row: Row) -> tuple[str, ...]:
        """The reasons why conjunct ``position`` holds (or not) on ``row``."""
        conjunct = self.conjuncts[position]
        values = tuple((type(value), value) for value in map(row.get, conjunct.reads))
        key = (position, *values)
        try:
            known = self._known.get(key)
        except TypeError:  # an unhashable value (a list): explain without remembering
            return self._explain(position, row)
        if known is None:
            if len(self._known) >= self.limit:
                self._known.clear()
            known = self._known[key] = self._explain(position, row)
        return known

    def _explain(self, position: int, row: Row) -> tuple[str, ...]:
        why = self._explainers.get(position)
        if why is None:  # checked once per set, on first use
            conjunct = self.conjuncts[position]
            why = explainer(conjunct.expr, schema=conjunct.facts, lists=conjunct.lists)
            self._explainers[position] = why
        return why(row).reasons


class ProfileSetError(ValueError):
    """Profiles that cannot be compiled, from :func:`compile_profile_set` with ``strict=True``.

    ``problems`` lists each; the message names each profile version and its problem.
    """

    def __init__(self, problems: tuple[ProfileProblem, ...]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"profile {p.code} version {p.version}: {p.message}" for p in problems)
        )


_NO_VERSIONS: Final[Mapping[str, int]] = MappingProxyType({})


class _Unusable(Exception):
    """A profile that cannot go into the set (its message is the problem reported)."""


def compile_profile_set(
    profiles: Iterable[ProfileSpec],
    *,
    measures: Mapping[str, MeasureSpec] = DEFAULT_MEASURES,
    lists: Iterable[NamedList] = (),
    list_versions: Mapping[str, int] = _NO_VERSIONS,
    schema: Mapping[str, FieldType] | None = None,
    version: str = "unversioned",
    header_facts: Collection[str] = HEADER_LEVEL_FACTS,
    strict: bool = False,
) -> ProfileSet:
    """Compile every profile's criterion once and index the set.

    Profiles that cannot be compiled are reported in ``problems`` and left out;
    with ``strict=True`` they raise :class:`ProfileSetError` instead, naming each
    profile and its problem (for a caller who wants every profile or none).
    The profiles keep the order of (code, version). ``measures`` defaults to the
    seeded catalogue (:data:`~corridor.selectivity.engine.DEFAULT_MEASURES`),
    ``schema`` to :func:`~corridor.declarations.facts.fact_schema`, and ``version``
    (recorded in every decision) to ``"unversioned"``; without ``lists`` a
    criterion naming one is a problem. ``header_facts`` are the
    facts that read the same on every row of a declaration (as
    :func:`~corridor.declarations.facts.build_rows` makes them); a condition
    reading only those is evaluated on one row for all.
    """
    if schema is None:
        schema = fact_schema()
    named = MappingProxyType({entry.name: entry for entry in lists})
    frozen_schema = MappingProxyType(dict(schema))
    compiled: list[CompiledProfile] = []
    problems: list[ProfileProblem] = []
    seen: set[tuple[str, int]] = set()
    conjuncts = _Conjuncts(frozen_schema, named, frozenset(header_facts))
    for spec in sorted(profiles, key=lambda p: (p.code, p.version)):
        try:
            if (spec.code, spec.version) in seen:
                raise _Unusable("the same profile version is given twice")
            seen.add((spec.code, spec.version))
            compiled.append(_compile(spec, measures, conjuncts))
        except (RuleError, _Unusable) as exc:
            problems.append(ProfileProblem(spec.code, spec.version, str(exc)))
    if strict and problems:
        raise ProfileSetError(tuple(problems))
    compiled = _finish(compiled, conjuncts)
    return ProfileSet(
        version=version,
        profiles=tuple(compiled),
        problems=tuple(problems),
        list_versions=MappingProxyType(dict(list_versions)),
        measures=MappingProxyType(dict(measures)),
        schema=frozen_schema,
        lists=named,
        index=_build_index(compiled, frozen_schema, conjuncts.header_facts),
        conjuncts=tuple(conjuncts.compiled),
        residuals=tuple(conjuncts.residuals),
        reasons=Reasons(tuple(conjuncts.compiled)),
        residual_of=tuple(profile.residual_id for profile in compiled),
    )


class _Conjuncts:
    """Conditions of the set's criteria, each compiled once however many profiles use it."""

    def __init__(
        self,
        schema: Mapping[str, FieldType],
        lists: Mapping[str, NamedList],
        header_facts: frozenset[str],
    ) -> None:
        self.schema, self.lists, self.header_facts = schema, lists, header_facts
        self.positions: dict[Expr, int] = {}
        self.compiled: list[Conjunct] = []
        self.residuals: dict[tuple[int, ...], int] = {}

    def position(self, condition: Expr) -> int:
        """The position of a (type-checked) condition, compiling it the first time."""
        found = self.positions.get(condition)
        if found is None:
            found = self.positions[condition] = len(self.compiled)
            criterion = check(condition, self.schema, self.lists)
            reads = tuple(sorted(criterion.fields))
            self.compiled.append(
                Conjunct(
                    expr=condition,
                    holds=compile_predicate(condition, self.schema, self.lists),
                    per_declaration=criterion.fields <= self.header_facts,
                    reads=reads,
                    facts=MappingProxyType({name: self.schema[name] for name in reads}),
                    lists=MappingProxyType(
                        {name: self.lists[name] for name in sorted(criterion.lists)}
                    ),
                )
            )
        return found

    def residual_id(self, positions: tuple[int, ...]) -> int:
        """One id per distinct tuple of conjuncts."""
        return self.residuals.setdefault(positions, len(self.residuals))


def _finish(profiles: list[CompiledProfile], conjuncts: _Conjuncts) -> list[CompiledProfile]:
    """Order each residual to fail fast and share most, and give equal residuals one id.

    Conditions on header facts first (one evaluation decides every row), then
    those reading only strings (cheap: numbers are converted on every reading),
    then those more profiles share (most likely known already). "and" is
    two-valued and conditions have no side effects, so the order changes
    nothing but time.
    """
    usage = Counter(position for p in profiles for position in set(p.residual))
    compiled, schema = conjuncts.compiled, conjuncts.schema
    strings = (FieldType.STRING, FieldType.STRING_LIST)
    finished = []
    for profile in profiles:
        residual = tuple(
            sorted(
                set(profile.residual),
                key=lambda c: (
                    not compiled[c].per_declaration,
                    any(schema[name] not in strings for name in compiled[c].reads),
                    -usage[c],
                    c,
                ),
            )
        )
        finished.append(
            replace(profile, residual=residual, residual_id=conjuncts.residual_id(residual))
        )
    return finished


def _top_level_conjuncts(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, And):
        return tuple(c for operand in expr.operands for c in _top_level_conjuncts(operand))
    return (expr,)


def _compile(
    spec: ProfileSpec, catalogue: Mapping[str, MeasureSpec], conjuncts: _Conjuncts
) -> CompiledProfile:
    rate = spec.selection_rate
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate <= 100:
        raise _Unusable(f"selection rate must be from 0 to 100, got {rate!r}")
    if spec.valid_from and spec.valid_to and spec.valid_to < spec.valid_from:
        raise _Unusable(f"valid_to {spec.valid_to} is before valid_from {spec.valid_from}")
    merged: dict[str, bool] = {}
    for code, mandatory in spec.measures:
        if code not in catalogue:
            raise _Unusable(f"unknown measure {code!r}")
        merged[code] = merged.get(code, False) or mandatory
    schema, lists = conjuncts.schema, conjuncts.lists
    expr = parse(spec.criteria)
    criterion = check(expr, schema, lists)
    parts = _top_level_conjuncts(expr)
    # Candidate guards: (guard, the conjunct it comes from, or None for the scope).
    options: list[tuple[Guard, int | None]] = [
        (guard, k)
        for k, part in enumerate(parts)
        if (guard := _criteria_guard(part, schema, lists)) is not None
    ]
    for name in _SCOPE_FIELDS:
        if keys := getattr(spec, name + "s"):
            options.append((Guard(name, "scope", keys), None))
    guard, source = min(options, key=lambda o: _estimate(o[0])) if options else (None, None)
    # A guard read off a single condition (not an "or") may be exactly that condition.
    exact = (
        guard is not None
        and source is not None
        and guard.exact
        and not isinstance(parts[source], Or)
    )
    positions = tuple(conjuncts.position(part) for part in parts)
    residual = tuple(p for k, p in enumerate(positions) if not (exact and k == source))
    return CompiledProfile(
        spec=spec,
        scope=Scope.of(spec),
        expr=expr,
        matches=compile_predicate(expr, schema, lists),
        lists=criterion.lists,
        measures=tuple((catalogue[code], mandatory) for code, mandatory in merged.items()),
        guard=guard,
        threshold=_threshold(rate),
        conjuncts=positions,
        residual=residual,
        residual_id=-1,  # set once every profile is compiled (see _finish)
    )
