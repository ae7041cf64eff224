"""The selectivity engine: which controls a declaration gets, and why.

Pure code (the standard library, :mod:`corridor.rules` and the fact names of
:mod:`corridor.selectivity.facts`): plain data in, plain data out, so the same
engine runs in a request, a backtest or a batch job.

Use::

    profile_set = compile_profile_set(specs, measures=catalogue, lists=lists,
                                      list_versions=versions, schema=fact_schema(),
                                      version="2026-11-27T10:00:00Z#42")
    decision = assess(declaration, profile_set, parameters=office_parameters,
                      secret=selection_secret, at=now, zone=ZoneInfo("Asia/Bishkek"))
    store(decision.to_json())

Semantics
---------
**Profiles.** A profile is *tested* on a declaration when the declaration's
flow, office and procedure are in its scope (an empty scope set means all) and
the day of ``at`` in the installation's time zone (``zone``: a profile valid from
1 December starts at midnight there, not at midnight UTC) lies within
``valid_from``/``valid_to`` (inclusive; ``None`` is open). Its criteria are
evaluated on every goods item row (a header fact reads the same on each row);
it *matches* when at least one item matches. The hit records the matching item
numbers and the plain-words explanation of the first.

**Selection.** A matching profile draws ``d = draw(secret, key, code,
str(version))`` and is *selected* when ``d < selection_rate / 100`` (compared
exactly, not in floating point). A match that is not selected is still a hit,
with ``selected`` false: the log of "matched, not selected".

**Exemptions (simplified procedures).** A profile exempting low-risk traders,
on a declaration whose trader category is ``"low"``, or exempting AEO holders,
on a declaration of an AEO, has an *exempt* trader: only its mandatory
measures apply, and a profile without mandatory measures selects nothing (the
hit says ``exempt``). A ``target`` profile (intelligence on one operator or
consignment) is never exempt, whatever its flags: a trader's good record does
not outweigh a specific warning. Random control is never exempted: it is the
control group that tells whether targeting beats chance.

**Random control.** For each channel (red, yellow, blue) with a rate in the
office parameters, ``draw(secret, key, "random", channel) < rate / 100``
applies :data:`RANDOM_MEASURES` ``[channel]`` as a mandatory measure whose
source is random. When the parameters set ``expected_floor`` and the caller
gives ``observed_red_rate`` below it, the red random rate becomes
``max(rate, expected_floor - observed_red_rate)``; the draw records both rates.
For a low-risk trader the rate is then multiplied by the parameters'
``low_risk_multiplier``, for an AEO holder by ``aeo_multiplier`` (the smaller
of the two when both apply; each from 0 to 1, 1 changes nothing). The draw
records the rate it was compared with (``rate``), the office's configured rate
(``configured_rate``) and the ``multiplier`` (None when none applied), so the
control group stays interpretable: every random selection carries its known
selection probability, and a hit rate of random control is estimated either
over the draws made at the configured rate only, or over all draws weighted
by ``1 / rate`` (inverse probability weighting).

**Simplified procedures recorded.** When the trader's status changed anything
(a profile's optional measures dropped by an exemption, or a random rate
lowered by a multiplier), the decision carries a :class:`Simplification`: the
category and AEO status used, each exempted profile with the measures it would
otherwise have applied, each lowered random rate with the draw, and the channel
the declaration would have had if the status had been ignored
(``channel_without``). Otherwise ``Decision.simplified`` is None.

**Measures and channel.** Measures are merged by code (mandatory when any
source says so), each listing its sources (profile code and version, or
random). The channel is the most severe channel of the measures applied:
red (3) > yellow (2) > blue (1) > green (0); green when none applies. A measure
whose channel is ``"none"`` (102 oral questioning) is listed but never changes
the channel. The channel comes from measures only, never from a label.

**Draws.** ``HMAC-SHA256(secret, "\\x1f".join(parts).encode("utf-8"))``; the
first 8 bytes of the digest as a big-endian unsigned integer ``u``, and
``draw = floor(u / 2**11) / 2**53``: the top 53 bits of ``u`` over ``2**53``, a
double exactly (never rounded, so it stays below 1). A profile's parts are the
declaration key (``"number/version"``), the profile code and its version in
decimal; a random channel's are the key, ``"random"`` and the channel. No
global random state: the same secret, declaration, profile set and time give
the same decision, which can be replayed and audited; without the secret no
one can predict it.

**The index.** Each profile gets at most one *guard*, a necessary condition
the index can look up, chosen as the most selective (by a rough, fixed
estimate) of:

- a top-level ``and`` operand of its criterion (or the whole criterion) of the
  form ``field = "x"``, ``field in [..]``, ``field startswith [..]``,
  ``in_list("NAME")`` or ``in_list("NAME", field)`` on a one-key list (looked up
  by entry, or by prefix for prefix lists such as HS codes);
- ``field < n``, ``<=``, ``>``, ``>=`` a number (looked up in sorted limits
  widened by more than the criteria language's rounding of the row's value);
- an ``or`` whose branches all guard the same field the same way (their union);
- its scope of flows, offices or procedures.

A row the guard does not let through cannot match, so ``assess`` tests a
profile only on the rows its guard lets through, and not at all when there are
none; profiles without any guard are always tested. Then the *residual* (the
criterion's other ``and`` operands; the guard's own operand too unless the
lookup is exactly that condition) is evaluated: each distinct operand at most
once per row, an operand reading only header facts on one row for all, and
profiles with equal residuals together. The guarantee, checked by a property
test over random profiles and declarations: the decision is identical with
``use_index=False``, which tests every profile in scope on every row with its
whole criterion.

**Reasons.** A hit's reason is what :func:`corridor.rules.explain` says of the
criterion on the first matching item (for a top-level ``and``, the reasons of
each operand in turn). Operand explanations are remembered by the values they
read (bounded): guards see the same HS codes, origins and traders again and
again. The memory changes only speed, never a word of a reason.

**Problems.** A profile that cannot be compiled (syntax, unknown fact, a
deleted list, an unknown measure, a rate outside 0-100, an empty validity
window) is left out of the set and reported in ``ProfileSet.problems``; it never
stops the others.
"""

from __future__ import annotations

import bisect
import functools
import hmac
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Context, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final, Literal, NamedTuple, cast

from corridor.rules import (
    And,
    Compare,
    Explanation,
    Expr,
    Field,
    FieldType,
    InList,
    IsIn,
    NamedList,
    Negate,
    NumberLiteral,
    Or,
    RuleError,
    StartsWith,
    StringLiteral,
    check,
    compile_predicate,
    explainer,
    parse,
)
from corridor.selectivity.facts import HEADER_LEVEL_FACTS

__all__ = [
    "DECISION_FORMAT",
    "ENGINE_VERSION",
    "RANDOM_MEASURES",
    "SEVERITY",
    "AppliedMeasure",
    "Channel",
    "CompiledProfile",
    "Conjunct",
    "Decision",
    "DeclarationFacts",
    "ExemptedProfile",
    "Guard",
    "GuardKind",
    "LoweredRate",
    "MeasureChannel",
    "MeasureSource",
    "MeasureSpec",
    "OfficeParameters",
    "ProfileHit",
    "ProfileIndex",
    "ProfileProblem",
    "ProfileSet",
    "ProfileSpec",
    "RandomChannel",
    "RandomDraw",
    "Reasons",
    "Scope",
    "Simplification",
    "assess",
    "compile_profile_set",
    "draw",
    "selects",
]

Channel = Literal["red", "yellow", "blue", "green"]
MeasureChannel = Literal["red", "yellow", "blue", "none"]
RandomChannel = Literal["red", "yellow", "blue"]

#: How severe each channel is; the declaration gets the most severe of its measures'.
SEVERITY: Final[Mapping[str, int]] = MappingProxyType(
    {"green": 0, "blue": 1, "yellow": 2, "red": 3}
)
#: The measure a random selection of each channel applies.
RANDOM_MEASURES: Final[Mapping[str, str]] = MappingProxyType(
    {"red": "109", "yellow": "101", "blue": "801"}
)
#: Recorded in every decision; bump it when the semantics above change.
ENGINE_VERSION: Final = "1.1.0"
#: Version of the JSON shape of :meth:`Decision.to_json` (1: without ``simplified`` and the
#: draws' ``multiplier``; :meth:`Decision.from_json` reads both).
DECISION_FORMAT: Final = 2

_RANDOM_CHANNELS: Final[tuple[RandomChannel, ...]] = ("red", "yellow", "blue")
_MEASURE_CHANNELS: Final = frozenset({"red", "yellow", "blue", "none"})
_SEPARATOR: Final = "\x1f"
_SCOPE_FIELDS: Final = ("flow", "office", "procedure")
_LISTY: Final = (list, tuple, set, frozenset)
# The criteria language rounds a number to 9 places (a float after scaling it by
# 10**9 in binary), so it may read a row's value up to half a unit of 10**-9 plus
# a float's relative error away from the value itself. A range guard's limit is
# widened by more than that for any value near it (values far from the limit are
# on the right side anyway): 10**-9 + (|limit| + 1) * 10**-12.
_WIDE: Final = Context(prec=60)
_FLIPPED: Final = MappingProxyType({"<": ">", "<=": ">=", ">": "<", ">=": "<="})

Row = Mapping[str, Any]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A measure (form of control) of the catalogue, e.g. 109 physical examination, red."""

    code: str
    name: str
    channel: MeasureChannel

    def __post_init__(self) -> None:
        if self.channel not in _MEASURE_CHANNELS:
            raise ValueError(f"measure {self.code}: unknown channel {self.channel!r}")


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    """One version of a risk profile, as the engine needs it."""

    code: str
    version: int
    title: str
    kind: str
    risk_area: str
    criteria: str
    measures: tuple[tuple[str, bool], ...]  # (measure code, mandatory)
    selection_rate: Decimal  # percent, 0-100
    offices: frozenset[str]  # empty: all offices
    flows: frozenset[str]  # empty: all flows
    procedures: frozenset[str]  # empty: all procedures
    exempt_low_risk: bool
    exempt_aeo: bool
    valid_from: date | None
    valid_to: date | None
    officer_instructions: str = ""


@dataclass(frozen=True, slots=True)
class OfficeParameters:
    """Random control rates of one office and flow.

    ``random_rates`` maps ``red``/``yellow``/``blue`` to a percent (0-100).
    ``expected_floor`` is the percent of declarations that should be selected
    for red (targeted and random); ``low_risk_multiplier`` and ``aeo_multiplier``
    (0-1) lower the random rates of low-risk traders and AEO holders; see the
    module docstring.
    """

    office: str
    flow: str
    random_rates: Mapping[str, Decimal]
    expected_floor: Decimal | None = None
    low_risk_multiplier: Decimal = Decimal(1)
    aeo_multiplier: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for channel, rate in self.random_rates.items():
            if channel not in RANDOM_MEASURES:
                raise ValueError(f"random rate for unknown channel {channel!r}")
            _check_percent(rate, f"random rate of {channel}")
        if self.expected_floor is not None:
            _check_percent(self.expected_floor, "expected floor")
        for name in ("low_risk_multiplier", "aeo_multiplier"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a Decimal from 0 to 1, got {value!r}")
        object.__setattr__(self, "random_rates", MappingProxyType(dict(self.random_rates)))


@dataclass(frozen=True, slots=True)
class DeclarationFacts:
    """One declaration version as the engine sees it.

    ``key`` is stable across replays (e.g. ``"number/version"``) and keys the
    draws. ``rows`` are one fact mapping per goods item, from
    :func:`corridor.selectivity.facts.build_rows`: header and trader facts are
    the same on every row (the engine reads them from the first row for all).
    A declaration without rows matches no profile.
    """

    key: str
    flow: str
    office: str
    procedure: str
    rows: tuple[Row, ...]
    trader_category: str | None = None
    aeo: bool = False


def _check_percent(value: object, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{what} must be a Decimal percent from 0 to 100, got {value!r}")


# --------------------------------------------------------------------------- draws


def draw(secret: bytes, *parts: str) -> float:
    """A keyed, reproducible number in [0, 1): HMAC-SHA256 of the parts joined by U+001F.

    The message is the parts joined by the byte 0x1F, in UTF-8. With ``u`` the first
    8 bytes of the digest as a big-endian unsigned integer, the draw is
    ``floor(u / 2**11) / 2**53`` (the top 53 bits of ``u``), which a double holds
    exactly. Stored decisions keep their draws; this formula replays them.
    """
    digest = hmac.digest(secret, _SEPARATOR.join(parts).encode(), "sha256")
    # The top 53 bits are exactly what a double holds, so the value never rounds up to 1.
    return (int.from_bytes(digest[:8], "big") >> 11) * 2.0**-53


@functools.lru_cache(maxsize=4096)
def _threshold(rate: Decimal) -> float:
    """The smallest double ``t >= rate/100``: for a double ``d``, ``d < t`` iff ``d < rate/100``."""
    exact = Fraction(rate) / 100
    nearest = float(exact)
    return nearest if Fraction(nearest) >= exact else math.nextafter(nearest, math.inf)


def selects(value: float, rate: Decimal) -> bool:
    """Whether a draw falls within a percent rate: ``value < rate / 100``, exactly."""
    return value < _threshold(rate)


# --------------------------------------------------------------------------- compilation


class ProfileProblem(NamedTuple):
    """A profile left out of the set, and why."""

    code: str
    version: int
    message: str


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
class Scope:
    """Where and when a profile is in force (empty sets and None dates are open)."""

    flows: frozenset[str]
    offices: frozenset[str]
    procedures: frozenset[str]
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def of(cls, spec: ProfileSpec) -> Scope:
        """The scope of a profile."""
        return cls(spec.flows, spec.offices, spec.procedures, spec.valid_from, spec.valid_to)

    def covers(self, declaration: DeclarationFacts, today: date) -> bool:
        """Whether a declaration assessed on ``today`` is in scope."""
        return (
            (not self.flows or declaration.flow in self.flows)
            and (not self.offices or declaration.office in self.offices)
            and (not self.procedures or declaration.procedure in self.procedures)
            and (self.valid_from is None or self.valid_from <= today)
            and (self.valid_to is None or today <= self.valid_to)
        )


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


class _Unusable(Exception):
    """A profile that cannot go into the set (its message is the problem reported)."""


def compile_profile_set(
    profiles: Sequence[ProfileSpec],
    *,
    measures: Mapping[str, MeasureSpec],
    lists: Sequence[NamedList],
    list_versions: Mapping[str, int],
    schema: Mapping[str, FieldType],
    version: str,
    header_facts: Collection[str] = HEADER_LEVEL_FACTS,
) -> ProfileSet:
    """Compile every profile's criterion once and index the set.

    Profiles that cannot be compiled are reported in ``problems`` and left out.
    The profiles keep the order of (code, version). ``header_facts`` are the
    facts that read the same on every row of a declaration (as
    :func:`~corridor.selectivity.facts.build_rows` makes them); a condition
    reading only those is evaluated on one row for all.
    """
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


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True, slots=True)
class ProfileHit:
    """A profile that matched: whether it selected, what it applied, and why."""

    code: str
    version: int
    title: str
    kind: str
    risk_area: str
    matched_items: tuple[int, ...]
    reason: str  # explanation on the first matching item, e.g. "origin CN is in [CN, AE]"
    draw: float
    selection_rate: Decimal
    selected: bool
    exempt: bool
    measures: tuple[str, ...]  # codes applied by this hit (none unless selected)
    officer_instructions: str


@dataclass(frozen=True, slots=True)
class RandomDraw:
    """One random-control draw: the rate used (after any floor and multiplier), the draw and
    its outcome."""

    channel: RandomChannel
    rate: Decimal
    draw: float
    selected: bool
    configured_rate: Decimal | None  # the office parameter before the expected-rate floor
    # The trader's multiplier of the rate (low risk, AEO); None when none applied.
    multiplier: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ExemptedProfile:
    """A selected profile whose optional measures the trader's status dropped."""

    code: str
    version: int
    dropped: tuple[str, ...]  # the measure codes it would otherwise have applied


@dataclass(frozen=True, slots=True)
class LoweredRate:
    """A random-control rate the trader's status lowered, and the draw compared with it."""

    channel: RandomChannel
    full_rate: Decimal  # the rate a trader of no particular status gets (after any floor)
    multiplier: Decimal
    rate: Decimal
    draw: float
    selected_at_full_rate: bool


@dataclass(frozen=True, slots=True)
class Simplification:
    """How the trader's status (low risk, AEO) changed a decision: the simplified procedure."""

    trader_category: str | None
    aeo: bool
    exempted: tuple[ExemptedProfile, ...]
    lowered: tuple[LoweredRate, ...]
    channel_without: Channel  # the channel had the trader's status been ignored


@dataclass(frozen=True, slots=True)
class MeasureSource:
    """Why a measure applies: a profile version, or random control (``profile_code`` None)."""

    profile_code: str | None = None
    profile_version: int | None = None

    @property
    def is_random(self) -> bool:
        """True for a random-control selection."""
        return self.profile_code is None


@dataclass(frozen=True, slots=True)
class AppliedMeasure:
    """A measure the declaration gets, merged over all its sources."""

    code: str
    name: str
    channel: MeasureChannel
    mandatory: bool
    sources: tuple[MeasureSource, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of assessing one declaration version; written once, never changed.

    JSON shape (:meth:`to_json`; decimals and times are strings, draws are numbers)::

        {"format": 1, "declaration_key": "KGBSK/011026/0000001/1", "channel": "red",
         "engine_version": "1.0.0", "profile_set_version": "...",
         "assessed_at": "2026-10-01T03:30:00+00:00", "trader_category": "medium",
         "aeo": false, "model_score": "0.91" | null, "list_versions": {"NAME": 3},
         "hits": [{"code", "version", "title", "kind", "risk_area", "matched_items": [1],
                   "reason", "draw": 0.0123, "selection_rate": "100", "selected": true,
                   "exempt": false, "measures": ["109"], "officer_instructions"}],
         "random": [{"channel": "red", "rate": "2", "configured_rate": "1" | null,
                     "multiplier": "0.5" | null, "draw": 0.53, "selected": false}],
         "measures": [{"code": "109", "name", "channel": "red", "mandatory": true,
                       "sources": [{"kind": "profile", "code": "...", "version": 3},
                                   {"kind": "random"}]}],
         "simplified": null | {"trader_category": "low", "aeo": true,
                               "channel_without": "red",
                               "exempted": [{"code", "version", "dropped": ["109"]}],
                               "lowered": [{"channel": "red", "full_rate": "2",
                                            "multiplier": "0.5", "rate": "1", "draw": 0.013,
                                            "selected_at_full_rate": true}]}}
    """

    declaration_key: str
    channel: Channel
    hits: tuple[ProfileHit, ...]
    random: tuple[RandomDraw, ...]
    measures: tuple[AppliedMeasure, ...]
    engine_version: str
    profile_set_version: str
    list_versions: Mapping[str, int]
    assessed_at: datetime
    trader_category: str | None
    aeo: bool
    model_score: Decimal | None = None
    simplified: Simplification | None = None

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON-ready data (see the class docstring for the shape)."""
        return {
            "format": DECISION_FORMAT,
            "declaration_key": self.declaration_key,
            "channel": self.channel,
            "engine_version": self.engine_version,
            "profile_set_version": self.profile_set_version,
            "assessed_at": self.assessed_at.isoformat(),
            "trader_category": self.trader_category,
            "aeo": self.aeo,
            "model_score": _text(self.model_score),
            "list_versions": dict(self.list_versions),
            "hits": [
                {
                    "code": h.code,
                    "version": h.version,
                    "title": h.title,
                    "kind": h.kind,
                    "risk_area": h.risk_area,
                    "matched_items": list(h.matched_items),
                    "reason": h.reason,
                    "draw": h.draw,
                    "selection_rate": _text(h.selection_rate),
                    "selected": h.selected,
                    "exempt": h.exempt,
                    "measures": list(h.measures),
                    "officer_instructions": h.officer_instructions,
                }
                for h in self.hits
            ],
            "random": [
                {
                    "channel": d.channel,
                    "rate": _text(d.rate),
                    "configured_rate": _text(d.configured_rate),
                    "multiplier": _text(d.multiplier),
                    "draw": d.draw,
                    "selected": d.selected,
                }
                for d in self.random
            ],
            "measures": [
                {
                    "code": m.code,
                    "name": m.name,
                    "channel": m.channel,
                    "mandatory": m.mandatory,
                    "sources": [
                        {"kind": "random"}
                        if s.is_random
                        else {
                            "kind": "profile",
                            "code": s.profile_code,
                            "version": s.profile_version,
                        }
                        for s in m.sources
                    ],
                }
                for m in self.measures
            ],
            "simplified": None if self.simplified is None else _simplified_json(self.simplified),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """Read back :meth:`to_json`; raises ValueError on anything else."""
        try:
            if data["format"] not in (1, DECISION_FORMAT):
                raise ValueError(f"unknown decision format {data['format']!r}")
            decision = cls(
                declaration_key=str(data["declaration_key"]),
                channel=_one_of(data["channel"], SEVERITY),
                hits=tuple(
                    ProfileHit(
                        code=str(h["code"]),
                        version=int(h["version"]),
                        title=str(h["title"]),
                        kind=str(h["kind"]),
                        risk_area=str(h["risk_area"]),
                        matched_items=tuple(int(i) for i in h["matched_items"]),
                        reason=str(h["reason"]),
                        draw=float(h["draw"]),
                        selection_rate=Decimal(h["selection_rate"]),
                        selected=bool(h["selected"]),
                        exempt=bool(h["exempt"]),
                        measures=tuple(str(c) for c in h["measures"]),
                        officer_instructions=str(h["officer_instructions"]),
                    )
                    for h in data["hits"]
                ),
                random=tuple(
                    RandomDraw(
                        channel=_one_of(d["channel"], RANDOM_MEASURES),
                        rate=Decimal(d["rate"]),
                        draw=float(d["draw"]),
                        selected=bool(d["selected"]),
                        configured_rate=_decimal(d["configured_rate"]),
                        multiplier=_decimal(d.get("multiplier")),
                    )
                    for d in data["random"]
                ),
                measures=tuple(
                    AppliedMeasure(
                        code=str(m["code"]),
                        name=str(m["name"]),
                        channel=_one_of(m["channel"], _MEASURE_CHANNELS),
                        mandatory=bool(m["mandatory"]),
                        sources=tuple(
                            MeasureSource()
                            if s["kind"] == "random"
                            else MeasureSource(str(s["code"]), int(s["version"]))
                            for s in m["sources"]
                        ),
                    )
                    for m in data["measures"]
                ),
                engine_version=str(data["engine_version"]),
                profile_set_version=str(data["profile_set_version"]),
                list_versions=MappingProxyType(
                    {str(k): int(v) for k, v in data["list_versions"].items()}
                ),
                assessed_at=datetime.fromisoformat(data["assessed_at"]),
                trader_category=data["trader_category"],
                aeo=bool(data["aeo"]),
                model_score=_decimal(data["model_score"]),
                simplified=_simplified_of(data.get("simplified")),
            )
        except (KeyError, TypeError, AttributeError, ArithmeticError, ValueError) as exc:
            raise ValueError(f"not a decision: {type(exc).__name__}: {exc}") from None
        return decision


def _simplified_json(simplified: Simplification) -> dict[str, Any]:
    return {
        "trader_category": simplified.trader_category,
        "aeo": simplified.aeo,
        "channel_without": simplified.channel_without,
        "exempted": [
            {"code": e.code, "version": e.version, "dropped": list(e.dropped)}
            for e in simplified.exempted
        ],
        "lowered": [
            {
                "channel": r.channel,
                "full_rate": _text(r.full_rate),
                "multiplier": _text(r.multiplier),
                "rate": _text(r.rate),
                "draw": r.draw,
                "selected_at_full_rate": r.selected_at_full_rate,
            }
            for r in simplified.lowered
        ],
    }


def _simplified_of(data: Mapping[str, Any] | None) -> Simplification | None:
    if data is None:
        return None
    return Simplification(
        trader_category=data["trader_category"],
        aeo=bool(data["aeo"]),
        exempted=tuple(
            ExemptedProfile(str(e["code"]), int(e["version"]), tuple(str(c) for c in e["dropped"]))
            for e in data["exempted"]
        ),
        lowered=tuple(
            LoweredRate(
                channel=_one_of(r["channel"], RANDOM_MEASURES),
                full_rate=Decimal(r["full_rate"]),
                multiplier=Decimal(r["multiplier"]),
                rate=Decimal(r["rate"]),
                draw=float(r["draw"]),
                selected_at_full_rate=bool(r["selected_at_full_rate"]),
            )
            for r in data["lowered"]
        ),
        channel_without=_one_of(data["channel_without"], SEVERITY),
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _one_of(value: object, allowed: Iterable[str]) -> Any:
    if value not in set(allowed):
        raise ValueError(f"unexpected value {value!r}")
    return value


# --------------------------------------------------------------------------- assessment


def assess(
    declaration: DeclarationFacts,
    profile_set: ProfileSet,
    *,
    parameters: OfficeParameters | None,
    secret: bytes,
    at: datetime,
    zone: tzinfo,
    observed_red_rate: Decimal | None = None,
    use_index: bool = True,
) -> Decision:
    """Decide the controls of one declaration (see the module docstring for the rules).

    ``parameters`` are the random-control rates of the declaration's office and
    flow (None: no random control). ``at`` is the aware time of the assessment;
    validity windows compare with its day in ``zone``, the installation's time zone
    (the caller's setting: the engine reads none). ``use_index=False`` tests every
    profile on every row: the same decision, slower (for tests and benchmarks).
    """
    if not secret:
        raise ValueError("the selection secret is empty")
    if at.utcoffset() is None:
        raise ValueError("the assessment time must carry a time zone")
    if observed_red_rate is not None:
        _check_percent(observed_red_rate, "observed red rate")
    # "Today" is the customs day where the declaration is lodged, not the UTC day.
    rows, today = declaration.rows, at.astimezone(zone).date()
    if use_index:
        found = _indexed_matches(declaration, profile_set)
    else:
        found = _all_matches(declaration, profile_set, today)
    hits: list[ProfileHit] = []
    applied: list[tuple[MeasureSpec, bool, MeasureSource]] = []
    # What would apply if the trader's status were ignored (no exemption, full rates).
    unsimplified: list[tuple[MeasureSpec, bool, MeasureSource]] = []
    exempted: list[ExemptedProfile] = []
    for position, mask in found:
        profile = profile_set.profiles[position]
        if not profile.scope.covers(declaration, today):
            continue
        matched = [i for i in range(len(rows)) if mask >> i & 1]
        hit, hit_measures, full = _hit(profile, matched, declaration, profile_set, secret)
        hits.append(hit)
        source = MeasureSource(hit.code, hit.version)
        applied.extend((spec, mandatory, source) for spec, mandatory in hit_measures)
        unsimplified.extend((spec, mandatory, source) for spec, mandatory in full)
        if len(full) > len(hit_measures):
            kept = {spec.code for spec, _ in hit_measures}
            dropped = tuple(spec.code for spec, _ in full if spec.code not in kept)
            exempted.append(ExemptedProfile(hit.code, hit.version, dropped))
    multiplier = _multiplier(parameters, declaration)
    draws, full_rates = _random_draws(
        parameters, declaration.key, secret, observed_red_rate, multiplier
    )
    lowered: list[LoweredRate] = []
    for random_draw, full_rate in zip(draws, full_rates, strict=True):
        code = RANDOM_MEASURES[random_draw.channel]
        spec = profile_set.measures.get(code) or MeasureSpec(code, code, random_draw.channel)
        if random_draw.selected:
            applied.append((spec, True, MeasureSource()))
        at_full_rate = selects(random_draw.draw, full_rate)
        if at_full_rate:
            unsimplified.append((spec, True, MeasureSource()))
        if random_draw.multiplier is not None:
            lowered.append(
                LoweredRate(
                    random_draw.channel,
                    full_rate,
                    random_draw.multiplier,
                    random_draw.rate,
                    random_draw.draw,
                    at_full_rate,
                )
            )
    measures = _merge(applied)
    channel = _channel(measures)
    simplified = None
    if exempted or lowered:
        simplified = Simplification(
            trader_category=declaration.trader_category,
            aeo=declaration.aeo,
            exempted=tuple(exempted),
            lowered=tuple(lowered),
            channel_without=_channel(_merge(unsimplified)),
        )
    return Decision(
        declaration_key=declaration.key,
        channel=channel,
        hits=tuple(hits),
        random=draws,
        measures=measures,
        engine_version=ENGINE_VERSION,
        profile_set_version=profile_set.version,
        list_versions=_list_versions(profile_set, declaration, today),
        assessed_at=at,
        trader_category=declaration.trader_category,
        aeo=declaration.aeo,
        model_score=_model_score(rows),
        simplified=simplified,
    )


def _channel(measures: Sequence[AppliedMeasure]) -> Channel:
    """The most severe channel of the measures (green when none has a channel)."""
    severities = [SEVERITY[m.channel] for m in measures if m.channel != "none"]
    channels: tuple[Channel, ...] = ("green", "blue", "yellow", "red")
    return channels[max(severities, default=0)]


def _multiplier(parameters: OfficeParameters | None, declaration: DeclarationFacts) -> Decimal:
    """The multiplier of the random rates for the declaration's trader (1: none applies)."""
    if parameters is None:
        return Decimal(1)
    found = [Decimal(1)]
    if declaration.trader_category == "low":
        found.append(parameters.low_risk_multiplier)
    if declaration.aeo is True:
        found.append(parameters.aeo_multiplier)
    return min(found)


def _indexed_matches(
    declaration: DeclarationFacts, profile_set: ProfileSet
) -> list[tuple[int, int]]:
    """(profile position, rows matched) of the profiles whose criteria match, by position.

    Only the rows each profile's guard let through are tested, and profiles
    sharing a residual (the conjuncts left after the guard) are tested together.
    """
    candidates = profile_set.index.candidates(declaration)
    residual_of = profile_set.residual_of
    wanted: dict[int, int] = {}  # residual id -> rows some profile wants it tested on
    for position, mask in candidates.items():
        residual = residual_of[position]
        wanted[residual] = wanted.get(residual, 0) | mask
    holding = _Evaluation(declaration.rows, profile_set.conjuncts).holding
    residuals = profile_set.residuals
    # Most residuals hold on no row: keep the few that do, then the profiles reading them.
    held = {
        residual: rows
        for residual, mask in wanted.items()
        if (rows := holding(residuals[residual], mask))
    }
    if not held:
        return []
    return sorted(
        (position, rows)
        for position, mask in candidates.items()
        if (rows := mask & held.get(residual_of[position], 0))
    )


def _all_matches(
    declaration: DeclarationFacts, profile_set: ProfileSet, today: date
) -> list[tuple[int, int]]:
    """The same as :func:`_indexed_matches`, testing every profile in scope on every row."""
    found = []
    for position, profile in enumerate(profile_set.profiles):
        if profile.scope.covers(declaration, today):
            rows = sum(1 << i for i, row in enumerate(declaration.rows) if profile.matches(row))
            if rows:
                found.append((position, rows))
    return found


class _Evaluation:
    """The rows of one declaration, with what is known of them so far.

    Row sets are bit masks (bit i: row i); each conjunct is evaluated at most
    once per row, and a conjunct reading only header facts on one row for all.
    """

    def __init__(self, rows: Sequence[Row], conjuncts: Sequence[Conjunct]) -> None:
        self.rows, self.conjuncts = rows, conjuncts
        self.every_row = (1 << len(rows)) - 1
        self.known: dict[int, tuple[int, int]] = {}  # conjunct -> (rows tested, rows true)

    def holding(self, conjuncts: tuple[int, ...], mask: int) -> int:
        """The rows of ``mask`` on which every one of ``conjuncts`` holds."""
        known, rows = self.known, self.rows
        for position in conjuncts:
            seen = known.get(position)
            if seen is None:
                tested = true = 0
            else:
                tested, true = seen
            todo = mask & ~tested
            if todo:
                conjunct = self.conjuncts[position]
                if conjunct.per_declaration:
                    tested = self.every_row
                    true = tested if conjunct.holds(rows[(todo & -todo).bit_length() - 1]) else 0
                else:
                    holds = conjunct.holds
                    tested |= todo
                    while todo:
                        bit = todo & -todo
                        if holds(rows[bit.bit_length() - 1]):
                            true |= bit
                        todo ^= bit
                known[position] = (tested, true)
            mask &= true
            if not mask:
                break
        return mask


def _hit(
    profile: CompiledProfile,
    matched: list[int],
    declaration: DeclarationFacts,
    profile_set: ProfileSet,
    secret: bytes,
) -> tuple[ProfileHit, tuple[tuple[MeasureSpec, bool], ...], tuple[tuple[MeasureSpec, bool], ...]]:
    """The hit of a matching profile, the measures it applies (empty unless selected), and
    those it would apply if the trader's status were ignored."""
    spec, rows = profile.spec, declaration.rows
    # A target profile is never exempt: intelligence on one operator outweighs a record.
    exempt = spec.kind != "target" and (
        (spec.exempt_low_risk and declaration.trader_category == "low")
        or (spec.exempt_aeo and declaration.aeo is True)
    )
    value = draw(secret, declaration.key, spec.code, str(spec.version))
    drawn = value < profile.threshold
    full = profile.measures if drawn else ()
    measures = tuple(m for m in profile.measures if m[1] or not exempt)
    selected = drawn and (bool(measures) or not exempt)
    if not selected:
        measures = ()
    first = rows[matched[0]]
    reasons = profile_set.reasons
    reason = "; ".join(
        text for position in profile.conjuncts for text in reasons.of(position, first)
    )
    hit = ProfileHit(
        code=spec.code,
        version=spec.version,
        title=spec.title,
        kind=spec.kind,
        risk_area=spec.risk_area,
        matched_items=tuple(_item_no(rows[i], i) for i in matched),
        reason=reason,
        draw=value,
        selection_rate=spec.selection_rate,
        selected=selected,
        exempt=exempt,
        measures=tuple(m.code for m, _ in measures),
        officer_instructions=spec.officer_instructions,
    )
    return hit, measures, full


def _item_no(row: Row, position: int) -> int:
    """The item number of a row (its position, counted from 1, if the row has none)."""
    value = row.get("item_no")
    if type(value) is int:
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return position + 1


def _random_draws(
    parameters: OfficeParameters | None,
    key: str,
    secret: bytes,
    observed_red_rate: Decimal | None,
    multiplier: Decimal,
) -> tuple[tuple[RandomDraw, ...], tuple[Decimal, ...]]:
    """The random-control draws, and the rate of each before the trader's multiplier."""
    if parameters is None:
        return (), ()
    draws, full_rates = [], []
    for channel in _RANDOM_CHANNELS:
        configured = parameters.random_rates.get(channel)
        rate = configured
        floor = parameters.expected_floor
        if (
            channel == "red"
            and floor is not None
            and observed_red_rate is not None
            and observed_red_rate < floor
        ):
            rate = max(configured or Decimal(0), floor - observed_red_rate)
        if rate is None:
            continue
        value = draw(secret, key, "random", channel)
        full_rates.append(rate)
        applied = None
        if multiplier != 1 and rate != 0:
            rate, applied = rate * multiplier, multiplier
        draws.append(RandomDraw(channel, rate, value, selects(value, rate), configured, applied))
    return tuple(draws), tuple(full_rates)


def _merge(
    applied: Sequence[tuple[MeasureSpec, bool, MeasureSource]],
) -> tuple[AppliedMeasure, ...]:
    """One measure per code, mandatory if any source says so, most severe first."""
    by_code: dict[str, tuple[MeasureSpec, bool, list[MeasureSource]]] = {}
    for spec, mandatory, source in applied:
        known = by_code.get(spec.code)
        if known is None:
            by_code[spec.code] = (spec, mandatory, [source])
        else:
            by_code[spec.code] = (known[0], known[1] or mandatory, [*known[2], source])
    merged = [
        AppliedMeasure(spec.code, spec.name, spec.channel, mandatory, tuple(sources))
        for spec, mandatory, sources in by_code.values()
    ]
    return tuple(sorted(merged, key=lambda m: (-SEVERITY.get(m.channel, -1), m.code)))


def _list_versions(
    profile_set: ProfileSet, declaration: DeclarationFacts, today: date
) -> Mapping[str, int]:
    """Versions of the lists read by every profile in force for the declaration.

    Independent of the index: a profile the index skipped was still decided by
    its lists' contents.
    """
    names: set[str] = set()
    for scope, lists in profile_set.index.list_reads:
        if scope.covers(declaration, today):
            names |= lists
    versions = profile_set.list_versions
    return MappingProxyType({name: versions[name] for name in sorted(names) if name in versions})


def _model_score(rows: Sequence[Row]) -> Decimal | None:
    """The highest model score of the items, if any item has one."""
    scores = [
        Decimal(score)
        for row in rows
        if type(score := row.get("model_score")) is int
        or (isinstance(score, Decimal) and score.is_finite())
    ]
    return max(scores, default=None)
