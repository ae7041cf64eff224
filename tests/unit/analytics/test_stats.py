"""Wilson intervals and lifts against values computed by hand and published ones."""

from __future__ import annotations

import math

import pytest

from corridor.analytics.stats import Z95, lift, proportion, wilson_interval


def test_z_is_the_two_sided_95_percent_quantile() -> None:
    assert abs(Z95 - 1.959964) < 1e-6


@pytest.mark.parametrize(
    ("hits", "trials", "low", "high"),
    [
        # 0 of 10: the upper bound is z² / (n + z²) = 3.8415 / 13.8415
        (0, 10, 0.0, 0.277533),
        # 5 of 10: centred on 0.5, half-width z·√(2.5 + z²/4) / (n + z²)
        (5, 10, 0.236593, 0.763407),
        # Newcombe (1998), Statistics in Medicine 17, table I: 81/263 and 15/148
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        # 10 of 10: the mirror of 0 of 10
        (10, 10, 0.722467, 1.0),
        (1, 1, 0.206549, 1.0),
    ],
)
def test_wilson_interval(hits: int, trials: int, low: float, high: float) -> None:
    found = wilson_interval(hits, trials)
    assert found is not None
    tolerance = 1e-4 if trials in (263, 148) else 1e-6
    assert found[0] == pytest.approx(low, abs=tolerance)
    assert found[1] == pytest.approx(high, abs=tolerance)


def bounds(hits: int, trials: int) -> tuple[float, float]:
    found = wilson_interval(hits, trials)
    assert found is not None
    return found


def test_wilson_bounds_are_exact_at_the_edges() -> None:
    assert bounds(0, 7)[0] == 0.0
    assert bounds(7, 7)[1] == 1.0


def test_wilson_holds_the_point_estimate_and_narrows_with_trials() -> None:
    widths = []
    for hits, trials in ((1, 3), (30, 100), (300, 1000)):
        low, high = bounds(hits, trials)
        assert low < hits / trials < high
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True)


def test_nothing_tried_has_no_rate_or_interval() -> None:
    assert wilson_interval(0, 0) is None
    assert proportion(0, 0) is None
    assert proportion(1, 4) == 0.25


@pytest.mark.parametrize(("hits", "trials"), [(-1, 5), (6, 5), (0, -1)])
def test_impossible_counts_are_refused(hits: int, trials: int) -> None:
    with pytest.raises(ValueError, match="hits <= trials"):
        wilson_interval(hits, trials)
    with pytest.raises(ValueError, match="hits <= trials"):
        lift(hits, trials, 1, 2)


def test_lift_with_the_katz_interval() -> None:
    # 30/100 against 10/100: ratio 3; ln 3 ± 1.96·√(1/30 − 1/100 + 1/10 − 1/100)
    # = 1.0986 ± 1.96·0.33665 = 1.0986 ± 0.65982 → 3·e^±0.65982 = 1.5508 … 5.8033
    found = lift(30, 100, 10, 100)
    assert found.ratio == pytest.approx(3.0)
    assert found.low == pytest.approx(1.550830, abs=1e-5)
    assert found.high == pytest.approx(5.803345, abs=1e-5)
    assert found.note is None
    # 1/4 against 1/2: ratio 0.5, √(1 − 1/4 + 1 − 1/2) = √1.25 → 0.5·e^±2.19131
    small = lift(1, 4, 1, 2)
    assert small.ratio == pytest.approx(0.5)
    assert small.low == pytest.approx(0.055885, abs=1e-6)
    assert small.high == pytest.approx(4.473447, abs=1e-6)


def test_the_interval_is_symmetric_on_the_log_scale() -> None:
    found = lift(45, 120, 12, 300)
    assert found.ratio is not None
    assert found.low is not None
    assert found.high is not None
    assert math.log(found.ratio) - math.log(found.low) == pytest.approx(
        math.log(found.high) - math.log(found.ratio)
    )


def test_no_lift_or_no_interval_when_a_count_is_zero() -> None:
    no_control_hit = lift(5, 10, 0, 50)
    assert (no_control_hit.ratio, no_control_hit.low, no_control_hit.high) == (None, None, None)
    assert no_control_hit.note == "no hit in the random control group: the ratio is unbounded"
    no_hit = lift(0, 10, 2, 50)
    assert (no_hit.ratio, no_hit.low, no_hit.high) == (0.0, None, None)
    assert no_hit.note is not None
    assert "no targeted hit" in no_hit.note
    assert lift(0, 0, 2, 50).note == "no targeted inspection"
    assert lift(3, 5, 0, 0).note == "no inspection in the random control group"
