"""Interval estimates for hit rates and lifts (pure: no database, no I/O).

* :func:`wilson_interval`: the Wilson score interval of a proportion (hits of
  inspections). Unlike the textbook ``p ± z·√(p(1-p)/n)`` it stays inside [0, 1]
  and is usable for the small counts a month of one profile gives (0 of 10 is
  not "0 % ± 0").
* :func:`lift`: the ratio of two hit rates (targeted over random control) with the
  Katz log interval: ``ln(RR) ± z·√(1/a − 1/n₁ + 1/c − 1/n₂)``. The interval does
  not exist when either hit count is zero (the logarithm of zero); the ratio does
  not exist when the control group has no hit or no inspection. :class:`Lift`
  says why in ``note``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

#: The two-sided 95 % quantile of the standard normal distribution (1.959964…).
Z95: Final = NormalDist().inv_cdf(0.975)


def _check_counts(successes: int, trials: int, what: str) -> None:
    if trials < 0 or successes < 0 or successes > trials:
        raise ValueError(f"{what}: need 0 <= hits <= trials, got {successes} of {trials}")


def proportion(successes: int, trials: int) -> float | None:
    """``successes / trials``; None when nothing was tried."""
    _check_counts(successes, trials, "proportion")
    return successes / trials if trials else None


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` of ``trials`` (None when ``trials`` is 0).

    ``z`` is the normal quantile of the confidence level (default 95 %).
    """
    _check_counts(successes, trials, "wilson_interval")
    if trials == 0:
        return None
    n = trials
    z2 = z * z
    centre = (successes + z2 / 2) / (n + z2)
    half = z * math.sqrt(successes * (n - successes) / n + z2 / 4) / (n + z2)
    # At x = 0 and x = n a bound is exactly 0 or 1; floating point would miss it by a hair.
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return low, high


@dataclass(frozen=True, slots=True)
class Lift:
    """How many times the targeted hit rate is the control group's, with its interval.

    ``ratio`` is None when it does not exist, ``low``/``high`` when the Katz
    interval does not; ``note`` says why in a sentence (None when all three exist).
    """

    ratio: float | None
    low: float | None
    high: float | None
    note: str | None


def lift(
    hits: int, inspected: int, control_hits: int, control_inspected: int, z: float = Z95
) -> Lift:
    """Targeted hit rate (``hits / inspected``) over the control group's, with the Katz
    log interval of a ratio of two independent proportions (default 95 %)."""
    _check_counts(hits, inspected, "lift (targeted)")
    _check_counts(control_hits, control_inspected, "lift (control)")
    if inspected == 0:
        return Lift(None, None, None, "no targeted inspection")
    if control_inspected == 0:
        return Lift(None, None, None, "no inspection in the random control group")
    if control_hits == 0:
        return Lift(None, None, None, "no hit in the random control group: the ratio is unbounded")
    ratio = (hits / inspected) / (control_hits / control_inspected)
    if hits == 0:
        return Lift(ratio, None, None, "no targeted hit: the Katz interval needs a hit in both")
    spread = z * math.sqrt(1 / hits - 1 / inspected + 1 / control_hits - 1 / control_inspected)
    centre = math.log(ratio)
    return Lift(ratio, math.exp(centre - spread), math.exp(centre + spread), None)
