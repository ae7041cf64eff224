"""What the engine is given: measures, profile versions, office parameters, declarations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal

from corridor.declarations.attributes import DEFAULT_REGISTRY, AttributeRegistry
from corridor.declarations.facts import TraderFacts, build_rows

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
#: Recorded in every decision; bump it when the semantics (the package docstring) change.
ENGINE_VERSION: Final = "1.1.0"


_MEASURE_CHANNELS: Final = frozenset({"red", "yellow", "blue", "none"})

Row = Mapping[str, Any]


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
    """One version of a risk profile, as the engine needs it.

    Only the code and the criteria are required; the rest defaults to a first
    (version 1) national profile in force everywhere and always, selecting every
    match (rate 100) and applying no measure: ``ProfileSpec("P-1", 'origin = "CN"',
    measures=(("109", True),))``. The scope sets may be given as any collection of
    codes (kept as frozensets), the measures as any sequence of (code, mandatory).
    """

    code: str
    criteria: str
    _: KW_ONLY
    version: int = 1
    title: str = ""
    kind: str = "national"
    risk_area: str = ""
    measures: tuple[tuple[str, bool], ...] = ()  # (measure code, mandatory)
    selection_rate: Decimal = Decimal(100)  # percent, 0-100
    offices: frozenset[str] = frozenset()  # empty: all offices
    flows: frozenset[str] = frozenset()  # empty: all flows
    procedures: frozenset[str] = frozenset()  # empty: all procedures
    exempt_low_risk: bool = False
    exempt_aeo: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    officer_instructions: str = ""

    def __post_init__(self) -> None:
        # A scope is hashed (list versions are grouped by scope): a set or a list given
        # by a plain-Python caller is kept as a frozenset; one string is not a set of codes.
        for name in ("offices", "flows", "procedures"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(
                    f"profile {self.code}: {name} must be a collection of codes, "
                    f"not the string {value!r}"
                )
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if not isinstance(self.measures, tuple):
            object.__setattr__(self, "measures", tuple(self.measures))


@dataclass(frozen=True, slots=True)
class OfficeParameters:
    """Random control rates of one office and flow.

    ``random_rates`` maps ``red``/``yellow``/``blue`` to a percent (0-100).
    ``expected_floor`` is the percent of declarations that should be selected
    for red (targeted and random); ``low_risk_multiplier`` and ``aeo_multiplier``
    (0-1) lower the random rates of low-risk traders and AEO holders; see the
    package docstring (:mod:`corridor.selectivity.engine`).
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
    :func:`corridor.declarations.facts.build_rows`: header and trader facts are
    the same on every row (the engine reads them from the first row for all).
    A declaration without rows matches no profile.

    The scope (flow, office, procedure) and the trader's status (``trader_category``,
    ``aeo``: exemptions and random-rate multipliers) are read from the fields, the
    criteria read the rows. :meth:`of` builds both from one header, items and trader
    record, so each fact is given once. Rows that state the trader's status
    (``trader_category``, ``aeo``) must agree with the fields, else ValueError: a
    trader exempted as low risk while its criteria read another category is a
    caller's mistake, not a decision.
    """

    key: str
    flow: str
    office: str
    procedure: str
    rows: tuple[Row, ...]
    trader_category: str | None = None
    aeo: bool = False

    def __post_init__(self) -> None:
        if not self.rows:
            return
        first = self.rows[0]
        if "trader_category" in first and first["trader_category"] != self.trader_category:
            raise ValueError(
                f"declaration {self.key}: trader_category is {self.trader_category!r} but its "
                f"rows read {first['trader_category']!r}; give it once (DeclarationFacts.of)"
            )
        # A row's aeo is missing (None) when the register does not know: not an AEO.
        if "aeo" in first and (first["aeo"] is True) != (self.aeo is True):
            raise ValueError(
                f"declaration {self.key}: aeo is {self.aeo!r} but its rows read "
                f"{first['aeo']!r}; give it once (DeclarationFacts.of)"
            )

    @classmethod
    def of(
        cls,
        key: str,
        header: Mapping[str, Any],
        items: Sequence[Mapping[str, Any]],
        *,
        trader: TraderFacts | None = None,
        item_extras: Mapping[int, Mapping[str, Any]] | None = None,
        attributes: AttributeRegistry = DEFAULT_REGISTRY,
    ) -> DeclarationFacts:
        """A declaration from plain mappings of its header and goods items, and the trader's
        record: the rows are :func:`~corridor.declarations.facts.build_rows`'s, the scope is
        read from the header and the trader's status from ``trader``, each given once.

        Raises ValueError when the header's ``flow``, ``office`` or ``procedure`` is not a
        string (the scope of every profile is read from them), or an item extra is not a
        fact of an item.
        """
        scope = {}
        for name in ("flow", "office", "procedure"):
            value = header.get(name)
            if not isinstance(value, str):
                raise ValueError(
                    f"declaration {key}: header {name} must be a string, got {value!r}"
                )
            scope[name] = value
        trader = trader or TraderFacts()
        rows = build_rows(
            header, items, trader=trader, item_extras=item_extras, attributes=attributes
        )
        return cls(
            key=key,
            rows=rows,
            trader_category=trader.category if isinstance(trader.category, str) else None,
            aeo=trader.aeo is True,
            **scope,
        )


def _check_percent(value: object, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{what} must be a Decimal percent from 0 to 100, got {value!r}")


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
