"""Reference prices computed from hand-made goods items: statistics, samples, exclusions."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.valuation.prices import BOUND_K, compute, unit_values
from tests.examples import examples

CAR = "8703231990"


def items(*rows: dict[str, Any]) -> pl.DataFrame:
    """Goods items with defaults: a car from China, 1 kg, no supplementary unit."""
    base = {
        "number": "N",
        "hs_code": CAR,
        "origin": "CN",
        "customs_value": 100.0,
        "net_mass_kg": 1.0,
        "supplementary_qty": None,
        "supplementary_unit": None,
    }
    return pl.DataFrame(
        [{**base, "number": f"N{i}", **row} for i, row in enumerate(rows)],
        schema={
            "number": pl.String,
            "hs_code": pl.String,
            "origin": pl.String,
            "customs_value": pl.Float64,
            "net_mass_kg": pl.Float64,
            "supplementary_qty": pl.Float64,
            "supplementary_unit": pl.String,
        },
    )


def prices_by_key(frame: pl.DataFrame, **options: Any) -> dict[tuple[str, ...], dict[str, Any]]:
    options.setdefault("misvalued", ())
    options.setdefault("min_sample", 1)
    found = compute(frame, **options)
    return {(p["hs_code"], p["origin"], p["basis"], p["unit"]): p for p in found.prices}


def test_median_quartiles_and_log_bounds_of_one_group() -> None:
    # Per kg: 100, 200, 300, 400, 500 som.
    frame = items(*({"customs_value": 100.0 * n} for n in range(1, 6)))
    price = prices_by_key(frame)[(CAR, "CN", "kg", "")]
    assert price["count"] == 5
    assert (price["median"], price["q1"], price["q3"]) == (Decimal(300), Decimal(200), Decimal(400))
    # median of logs = ln 300; IQR of logs = ln 400 − ln 200 = ln 2; bounds 300 · 2^∓1.5
    assert BOUND_K == 1.5
    assert price["low"] == Decimal("106.066017")  # 300 / 2^1.5
    assert price["high"] == Decimal("848.528137")  # 300 · 2^1.5
    assert all(price[n].as_tuple().exponent == -6 for n in ("median", "low", "high"))


def test_even_sample_interpolates_linearly() -> None:
    frame = items(*({"customs_value": v} for v in (10.0, 20.0, 40.0, 80.0)))
    price = prices_by_key(frame)[(CAR, "CN", "kg", "")]
    assert (price["median"], price["q1"], price["q3"]) == (
        Decimal(30),
        Decimal("17.5"),
        Decimal(50),
    )
    # logs ln 10, ln 20, ln 40, ln 80: median ln √800, quartiles interpolated between logs
    log_q1 = math.log(10) + 0.75 * (math.log(20) - math.log(10))
    log_q3 = math.log(40) + 0.25 * (math.log(80) - math.log(40))
    expected_low = math.exp(math.log(math.sqrt(800)) - 1.5 * (log_q3 - log_q1))
    assert abs(float(price["low"]) - expected_low) < 1e-6


def test_a_group_below_the_minimum_sample_is_left_out() -> None:
    frame = items(
        *({"customs_value": 100.0} for _ in range(3)),
        *({"customs_value": 100.0, "origin": "DE"} for _ in range(2)),
    )
    found = prices_by_key(frame, min_sample=3)
    assert (CAR, "CN", "kg", "") in found
    assert (CAR, "DE", "kg", "") not in found  # two German cars say little
    assert found[(CAR, "*", "kg", "")]["count"] == 5  # but they count across origins
    assert prices_by_key(frame, min_sample=6) == {}
    with pytest.raises(ValueError, match="at least 1"):
        compute(frame, misvalued=(), min_sample=0)


def test_items_of_misvalued_declarations_are_excluded_and_counted() -> None:
    frame = items(
        {"number": "GOOD-1", "customs_value": 100.0},
        {"number": "GOOD-2", "customs_value": 110.0},
        {"number": "CAUGHT", "customs_value": 5.0},
        {"number": "CAUGHT", "customs_value": 6.0, "hs_code": "8708299009"},
    )
    found = compute(frame, misvalued=["CAUGHT"], min_sample=1)
    assert (found.items_used, found.items_excluded) == (2, 2)
    prices = {(p["hs_code"], p["origin"], p["basis"]): p for p in found.prices}
    assert prices[(CAR, "CN", "kg")]["median"] == Decimal(105)
    assert not any(code.startswith("8708") for code, _, _ in prices), "no price from them alone"


def test_every_level_and_all_origins() -> None:
    frame = items(
        {"hs_code": "8703231990", "customs_value": 100.0},
        {"hs_code": "8703239000", "customs_value": 300.0, "origin": "DE"},
        {"hs_code": "87032400", "customs_value": 500.0},  # 8 digits: counts at 6 and 4 only
    )
    found = prices_by_key(frame)
    assert set(found) == {
        ("8703231990", "CN", "kg", ""),
        ("8703231990", "*", "kg", ""),
        ("8703239000", "DE", "kg", ""),
        ("8703239000", "*", "kg", ""),
        ("870323", "CN", "kg", ""),
        ("870323", "DE", "kg", ""),
        ("870323", "*", "kg", ""),
        ("870324", "CN", "kg", ""),
        ("870324", "*", "kg", ""),
        ("8703", "CN", "kg", ""),
        ("8703", "DE", "kg", ""),
        ("8703", "*", "kg", ""),
    }
    assert found[("8703", "*", "kg", "")]["median"] == Decimal(300)
    assert found[("8703", "CN", "kg", "")]["median"] == Decimal(300)  # 100 and 500
    assert found[("870323", "*", "kg", "")]["count"] == 2


def test_per_unit_prices_are_kept_per_unit_beside_per_kg() -> None:
    frame = items(
        {"customs_value": 1000.0, "net_mass_kg": 4.0, "supplementary_qty": 2.0,
         "supplementary_unit": "796"},
        {"customs_value": 900.0, "net_mass_kg": 3.0, "supplementary_qty": 3.0,
         "supplementary_unit": "715"},
        {"customs_value": 800.0, "net_mass_kg": None, "supplementary_qty": 4.0,
         "supplementary_unit": "796"},
    )  # fmt: skip
    found = prices_by_key(frame)
    assert found[(CAR, "CN", "unit", "796")]["median"] == Decimal(350)  # 500 and 200
    assert found[(CAR, "CN", "unit", "715")]["median"] == Decimal(300)
    assert found[(CAR, "CN", "kg", "")]["median"] == Decimal(275)  # 250 and 300
    assert found[(CAR, "CN", "kg", "")]["count"] == 2  # the third declares no mass


def test_items_without_a_usable_value_give_none() -> None:
    frame = items(
        {"customs_value": None},
        {"customs_value": 0.0},
        {"net_mass_kg": 0.0},
        {"net_mass_kg": None, "supplementary_qty": 0.0, "supplementary_unit": "796"},
        {"net_mass_kg": None, "supplementary_qty": 2.0, "supplementary_unit": None},
        {"net_mass_kg": None, "supplementary_qty": 2.0, "supplementary_unit": "X" * 11},
        {"customs_value": 1e30},  # beyond what a price column holds: a data error
    )
    assert unit_values(frame).height == 0
    found = compute(frame, misvalued=(), min_sample=1)
    assert (found.prices, found.items_used, found.items_excluded) == ([], 0, 0)
    empty = compute(frame.clear(), misvalued=(), min_sample=1)
    assert (empty.prices, empty.items_used) == ([], 0)


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.floats(min_value=0.01, max_value=1e9, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=40,
    )
)
def test_statistics_agree_with_the_standard_library(values: list[float]) -> None:
    frame = items(*({"customs_value": v} for v in values))
    price = prices_by_key(frame)[(CAR, "CN", "kg", "")]
    assert price["count"] == len(values)
    tolerance = Decimal("0.000001") + Decimal(repr(max(values))) * Decimal("1e-12")
    assert abs(price["median"] - Decimal(repr(statistics.median(values)))) <= tolerance
    assert price["q1"] <= price["median"] <= price["q3"]
    assert price["low"] <= price["median"] <= price["high"]
