"""Simplified procedures in the engine: exemptions of low-risk traders and AEO holders (never
mandatory measures, never target profiles), lower random rates, and their record."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from corridor.selectivity.engine import (
    Decision,
    ExemptedProfile,
    OfficeParameters,
)
from tests.unit.selectivity.selectivity_testing import (
    CAR,
    decide,
    declaration,
    profile,
    profile_set,
)

DRAWS = 20_000
TOLERANCE = 1  # percentage point
KEYS = [f"KGBSK/011026/{i:07d}/1" for i in range(DRAWS)]
STATUSES = [("low", False), (None, True), ("low", True)]


@pytest.mark.parametrize(("category", "aeo"), STATUSES)
def test_a_target_profile_is_never_exempt(category: str | None, aeo: bool) -> None:
    spec = profile(
        "TGT-2026-0001",
        kind="target",
        measures=[("109", False), ("101", False)],
        exempt_low_risk=True,
        exempt_aeo=True,
    )
    decision = decide(declaration(trader_category=category, aeo=aeo), profile_set(spec))
    (hit,) = decision.hits
    assert not hit.exempt
    assert hit.selected
    assert hit.measures == ("109", "101")
    assert decision.channel == "red"
    assert decision.simplified is None


@pytest.mark.parametrize(("category", "aeo"), STATUSES)
@pytest.mark.parametrize(
    "measures",
    [
        [("109", True)],
        [("109", True), ("101", False)],
        [("101", True), ("109", False), ("601", False)],
        [("801", True), ("109", False)],
        [("105", False), ("103", True), ("102", True)],
    ],
)
def test_exemption_never_drops_a_mandatory_measure(
    measures: list[tuple[str, bool]], category: str | None, aeo: bool
) -> None:
    profiles = profile_set(
        profile("NAT-2026-0001", measures=measures, exempt_low_risk=True, exempt_aeo=True),
        profile("NAT-2026-0002", 'origin = "TR"', measures=[("601", False)], exempt_aeo=True),
    )
    exempt = decide(declaration(trader_category=category, aeo=aeo), profiles)
    ordinary = decide(declaration(trader_category="medium"), profiles)
    mandatory = {m.code for m in ordinary.measures if m.mandatory}
    applied = {m.code for m in exempt.measures}
    assert mandatory <= applied
    assert all(m.mandatory for m in exempt.measures if m.code in mandatory)
    # Only optional measures went, and the record names them (per profile: another
    # profile may still apply a code one exempted profile dropped).
    simplified = exempt.simplified
    dropped = set() if simplified is None else {c for e in simplified.exempted for c in e.dropped}
    assert {m.code for m in ordinary.measures} - applied <= dropped
    assert not dropped & mandatory
    if simplified is None:
        assert exempt.measures == ordinary.measures
    else:
        assert simplified.channel_without == ordinary.channel
    assert decide(declaration(trader_category=category, aeo=aeo), profiles, use_index=False) == (
        exempt
    )


def test_the_record_names_the_exempted_profile_and_the_channel_without_it() -> None:
    spec = profile(measures=[("109", False), ("101", True)], exempt_low_risk=True)
    decision = decide(declaration(trader_category="low"), profile_set(spec))
    assert decision.channel == "yellow"
    simplified = decision.simplified
    assert simplified is not None
    assert (simplified.trader_category, simplified.aeo) == ("low", False)
    assert simplified.exempted == (ExemptedProfile("NAT-2026-0001", 1, ("109",)),)
    assert simplified.lowered == ()
    assert simplified.channel_without == "red"


def test_a_status_that_changes_nothing_leaves_no_record() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(50)})  # multipliers 1
    spec = profile(measures=[("109", False)])  # exempts nobody
    decision = decide(
        declaration(trader_category="low", aeo=True), profile_set(spec), parameters=parameters
    )
    assert decision.simplified is None
    assert all(draw.multiplier is None for draw in decision.random)
    # A profile that did not draw its rate drops nothing either.
    unselected = profile(measures=[("109", False)], exempt_aeo=True, rate="0")
    assert decide(declaration(aeo=True), profile_set(unselected)).simplified is None


@pytest.mark.parametrize(
    ("category", "aeo", "expected"),
    [
        ("medium", False, 10.0),
        ("low", False, 5.0),  # low_risk_multiplier 0.5
        (None, True, 2.0),  # aeo_multiplier 0.2
        ("low", True, 2.0),  # both: the smaller multiplier
    ],
)
def test_the_random_rate_is_multiplied_for_low_risk_and_aeo_traders(
    category: str | None, aeo: bool, expected: float
) -> None:
    parameters = OfficeParameters(
        "KGBSK",
        "IM",
        {"red": Decimal(10)},
        low_risk_multiplier=Decimal("0.5"),
        aeo_multiplier=Decimal("0.2"),
    )
    facts = declaration(items=[CAR], trader_category=category, aeo=aeo)
    profiles = profile_set()
    selected = 0
    for key in KEYS:
        decision = decide(replace(facts, key=key), profiles, parameters=parameters)
        (draw,) = decision.random
        selected += draw.selected
        assert draw.rate == Decimal(str(expected))
        assert draw.configured_rate == Decimal(10)
    assert abs(selected * 100 / DRAWS - expected) <= TOLERANCE
    if expected == 10.0:
        assert draw.multiplier is None
        assert decision.simplified is None
    else:
        assert draw.multiplier == Decimal(str(expected / 10))
        assert decision.simplified is not None
        (lowered,) = decision.simplified.lowered
        assert (lowered.channel, lowered.full_rate, lowered.rate) == (
            "red",
            Decimal(10),
            Decimal(str(expected)),
        )
        assert lowered.draw == draw.draw


def test_a_draw_the_multiplier_let_through_is_recorded_with_the_channel_without() -> None:
    parameters = OfficeParameters(
        "KGBSK", "IM", {"red": Decimal(100)}, low_risk_multiplier=Decimal(0)
    )
    decision = decide(declaration(trader_category="low"), profile_set(), parameters=parameters)
    assert decision.channel == "green"
    (draw,) = decision.random
    assert (draw.rate, draw.configured_rate, draw.selected) == (Decimal(0), Decimal(100), False)
    assert decision.simplified is not None
    assert decision.simplified.lowered[0].selected_at_full_rate
    assert decision.simplified.channel_without == "red"


def test_the_floor_is_raised_before_the_multiplier() -> None:
    parameters = OfficeParameters(
        "KGBSK",
        "IM",
        {"red": Decimal(1)},
        expected_floor=Decimal(8),
        low_risk_multiplier=Decimal("0.5"),
    )
    decision = decide(
        declaration(trader_category="low"),
        profile_set(),
        parameters=parameters,
        observed_red_rate=Decimal(2),
    )
    (draw,) = decision.random
    assert (draw.rate, draw.configured_rate, draw.multiplier) == (
        Decimal(3),
        Decimal(1),
        Decimal("0.5"),
    )
    assert decision.simplified.lowered[0].full_rate == Decimal(6)  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["-0.1", "1.01", "NaN"])
def test_a_multiplier_outside_0_to_1_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="multiplier"):
        OfficeParameters("KGBSK", "IM", {}, aeo_multiplier=Decimal(value))


def test_the_simplified_record_survives_json_and_older_decisions_still_read() -> None:
    parameters = OfficeParameters(
        "KGBSK", "IM", {"red": Decimal(40), "blue": Decimal(2)}, aeo_multiplier=Decimal("0.5")
    )
    spec = profile(measures=[("109", False), ("101", True)], exempt_aeo=True)
    decision = decide(declaration(aeo=True), profile_set(spec), parameters=parameters)
    data = json.loads(json.dumps(decision.to_json()))
    assert data["format"] == 2
    assert data["simplified"]["exempted"] == [
        {"code": "NAT-2026-0001", "version": 1, "dropped": ["109"]}
    ]
    assert [d["multiplier"] for d in data["random"]] == ["0.5", "0.5"]
    assert Decision.from_json(data) == decision
    # A decision written before simplified procedures (format 1) reads as none applied.
    plain = decide(declaration(), profile_set(spec), parameters=parameters).to_json()
    older = {**plain, "format": 1}
    del older["simplified"]
    for draw in older["random"]:
        del draw["multiplier"]
    assert Decision.from_json(older).simplified is None
