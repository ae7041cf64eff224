"""Selection and random-control rates, observed over 100,000 distinct declarations."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from corridor.selectivity.engine import SEVERITY, OfficeParameters
from tests.unit.selectivity.selectivity_testing import (
    CAR,
    decide,
    declaration,
    profile,
    profile_set,
)

DRAWS = 100_000
TOLERANCE = 1  # percentage point
KEYS = [f"KGBSK/011026/{i:07d}/1" for i in range(DRAWS)]


def percent(count: int) -> float:
    return count * 100 / DRAWS


@pytest.mark.parametrize("rate", ["2.5", "30"])
def test_profile_selection_rate(rate: str) -> None:
    facts = declaration(items=[CAR])
    profiles = profile_set(profile(criteria='origin = "CN"', rate=rate))
    selected = 0
    for key in KEYS:
        (hit,) = decide(replace(facts, key=key), profiles).hits
        selected += hit.selected
    assert abs(percent(selected) - float(rate)) <= TOLERANCE


def test_random_rates_per_channel_and_the_resulting_channels() -> None:
    rates = {"red": Decimal(2), "yellow": Decimal(10), "blue": Decimal(35)}
    parameters = OfficeParameters("KGBSK", "IM", rates)
    facts, profiles = declaration(items=[CAR]), profile_set()
    selected: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for key in KEYS:
        decision = decide(replace(facts, key=key), profiles, parameters=parameters)
        chosen = [d.channel for d in decision.random if d.selected]
        selected.update(chosen)
        channels[decision.channel] += 1
        assert decision.channel == max(chosen, key=SEVERITY.__getitem__, default="green")
    for channel, rate in rates.items():
        assert abs(percent(selected[channel]) - float(rate)) <= TOLERANCE, channel
    # Channels draw independently: yellow only where red was not drawn, and so on.
    assert abs(percent(channels["yellow"]) - 10 * 0.98) <= TOLERANCE
    assert abs(percent(channels["blue"]) - 35 * 0.98 * 0.90) <= TOLERANCE


def test_the_expected_floor_raises_the_red_rate() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(1)}, expected_floor=Decimal(8))
    facts, profiles = declaration(items=[CAR]), profile_set()
    red = sum(
        decide(
            replace(facts, key=key),
            profiles,
            parameters=parameters,
            observed_red_rate=Decimal(3),
        ).channel
        == "red"
        for key in KEYS
    )
    assert abs(percent(red) - 5) <= TOLERANCE
