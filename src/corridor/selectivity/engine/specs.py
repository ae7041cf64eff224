"""What the engine is given: measures, profile versions, office parameters, declarations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal

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
