"""The decision: hits, random draws, measures, the simplified procedure, and its JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from corridor.selectivity.engine.specs import (
    _MEASURE_CHANNELS,
    RANDOM_MEASURES,
    SEVERITY,
    Channel,
    MeasureChannel,
    RandomChannel,
)

#: Version of the JSON shape of :meth:`Decision.to_json` (1: without ``simplified`` and the
#: draws' ``multiplier``; :meth:`Decision.from_json` reads both).
DECISION_FORMAT: Final = 2


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
