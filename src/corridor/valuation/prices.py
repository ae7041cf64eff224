"""Reference prices computed from the goods items of stored declarations (pure, Polars).

Input: one row per goods item (:data:`ITEM_SCHEMA`), values in national currency.

1. Items of declarations found misvalued at inspection are set aside (counted).
2. Each remaining item gives a unit value per kg (``customs_value / net_mass_kg``)
   and, when it declares one, per supplementary unit (``customs_value /
   supplementary_qty``, keyed by the unit). Zero, missing or absurd values (outside
   what the price columns hold, :data:`SMALLEST` to :data:`LARGEST`) give none.
3. Unit values are grouped by HS code at 10, 6 and 4 digits (an item's code
   counts at each level it is long enough for), by origin and across all
   origins (``"*"``), by basis and unit.
4. Per group: the count, the median and the quartiles of the unit values
   (linear interpolation), and robust bounds in log space:
   ``low, high = exp(median(log v) ∓ K · IQR(log v))`` with ``K =``
   :data:`BOUND_K`. Unit values are roughly log-normal (prices multiply), so
   the bounds are symmetric in ratio, not in som; for log-normal values
   ``1.5 · IQR ≈ 2.02 σ``: about 95.7 % of honest declarations fall inside.
5. A group with fewer items than the minimum sample is left out: its median
   would say more about one importer than about the goods.

Statistics are rounded half to even to 6 decimal places (the price columns' scale).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

import polars as pl

from corridor.valuation.book import ALL_ORIGINS, LEVELS

__all__ = [
    "BOUND_K",
    "ITEM_SCHEMA",
    "KEY",
    "PriceComputation",
    "compute",
    "unit_values",
]

#: Half-width of the bounds, in interquartile ranges of log unit values.
BOUND_K: Final = 1.5
#: Unit values outside these are data errors (or below what 6 decimal places can show).
SMALLEST: Final = 0.000001
LARGEST: Final = 1e17
#: The longest supplementary unit code a price is kept for (the price table's column).
MAX_UNIT_LENGTH: Final = 10
#: The columns of the input, one row per goods item.
ITEM_SCHEMA: Final = {
    "number": pl.String,  # the declaration's number: what a finding at inspection names
    "hs_code": pl.String,
    "origin": pl.String,
    "customs_value": pl.Float64,
    "net_mass_kg": pl.Float64,
    "supplementary_qty": pl.Float64,
    "supplementary_unit": pl.String,
}
#: The key of a reference price.
KEY: Final = ("hs_code", "origin", "basis", "unit")
_STATISTICS: Final = ("median", "q1", "q3", "low", "high")
_MICRO: Final = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class PriceComputation:
    """What a computation found: one dict per price kept, and the items counted."""

    prices: list[dict[str, Any]]  # KEY, count, median, q1, q3, low, high (Decimal)
    items_used: int  # items that gave at least one unit value
    items_excluded: int  # items of declarations found misvalued


def unit_values(items: pl.DataFrame) -> pl.DataFrame:
    """One row per item and basis: ``item`` (row position), ``hs_code``, ``origin``,
    ``basis``, ``unit``, ``value`` (national currency per kg or per unit)."""
    base = items.with_row_index("item").filter(pl.col("customs_value") > 0)
    per_kg = base.filter(pl.col("net_mass_kg") > 0).select(
        "item",
        "hs_code",
        "origin",
        basis=pl.lit("kg"),
        unit=pl.lit(""),
        value=pl.col("customs_value") / pl.col("net_mass_kg"),
    )
    unit = pl.col("supplementary_unit")
    per_unit = base.filter(
        pl.col("supplementary_qty") > 0,
        unit.is_not_null(),
        unit.str.len_chars().is_between(1, MAX_UNIT_LENGTH),
    ).select(
        "item",
        "hs_code",
        "origin",
        basis=pl.lit("unit"),
        unit=unit,
        value=pl.col("customs_value") / pl.col("supplementary_qty"),
    )
    return pl.concat([per_kg, per_unit]).filter(pl.col("value").is_between(SMALLEST, LARGEST))


def compute(
    items: pl.DataFrame, *, misvalued: Collection[str], min_sample: int
) -> PriceComputation:
    """Reference prices of ``items`` (columns of :data:`ITEM_SCHEMA`), leaving out the items
    of the declaration numbers in ``misvalued`` and groups smaller than ``min_sample``.

    Prices are sorted by key. Raises ValueError when ``min_sample`` is below 1.
    """
    if min_sample < 1:
        raise ValueError(f"the minimum sample must be at least 1, got {min_sample}")
    items = items.select(pl.col(name).cast(kind) for name, kind in ITEM_SCHEMA.items())
    found = pl.col("number").is_in(list(misvalued))
    kept = items.filter(~found)
    values = unit_values(kept).with_columns(log=pl.col("value").log())
    groups = []
    # One level and origin mode at a time: memory stays at one copy of the unit values.
    for digits in LEVELS:
        level = values.filter(pl.col("hs_code").str.len_chars() >= digits).with_columns(
            pl.col("hs_code").str.slice(0, digits)
        )
        for each_origin in (False, True):
            keyed = level.with_columns(origin=pl.lit(ALL_ORIGINS)) if each_origin else level
            groups.append(_statistics(keyed, min_sample))
    prices = pl.concat(groups).sort(KEY)
    return PriceComputation(
        prices=[_exact(row) for row in prices.iter_rows(named=True)],
        items_used=values["item"].n_unique(),
        items_excluded=items.height - kept.height,
    )


def _statistics(values: pl.DataFrame, min_sample: int) -> pl.DataFrame:
    log_median = pl.col("log").median()
    log_iqr = pl.col("log").quantile(0.75, interpolation="linear") - pl.col("log").quantile(
        0.25, interpolation="linear"
    )
    return (
        values.group_by(KEY)
        .agg(
            count=pl.len().cast(pl.Int64),
            median=pl.col("value").median(),
            q1=pl.col("value").quantile(0.25, interpolation="linear"),
            q3=pl.col("value").quantile(0.75, interpolation="linear"),
            low=(log_median - BOUND_K * log_iqr).exp(),
            high=(log_median + BOUND_K * log_iqr).exp().clip(upper_bound=LARGEST),
        )
        .filter(pl.col("count") >= min_sample)
        # exp(log v) may miss v by a rounding: the bounds never cut inside the median.
        .with_columns(
            low=pl.min_horizontal("low", "median"), high=pl.max_horizontal("high", "median")
        )
        .select(*KEY, "count", *_STATISTICS)
    )


def _exact(row: dict[str, Any]) -> dict[str, Any]:
    """A price with its statistics as decimals of 6 places (from the float's shortest text)."""
    return {
        **row,
        **{
            name: Decimal(repr(float(row[name]))).quantize(_MICRO, rounding=ROUND_HALF_EVEN)
            for name in _STATISTICS
        },
    }
