"""The compliance score and category of a trader (pure: Polars frames in, frames out).

What is scored
--------------
One row per trader (TIN) with what history says of every declaration the trader
was a party to as importer (imports), exporter (exports) or declarant (each
declaration counted once per trader, whatever its versions), and of the
post-entry audits recorded against it (:data:`ACTIVITY_SCHEMA`):

* ``controls`` *n* = declarations inspected (a current inspection act) + post-entry
  audits recorded; ``findings`` *d* = inspections that found a discrepancy + audits
  that found something (a discrepancy type, additional duties or a penalty);
* ``serious`` = findings that are serious: an inspection with a seizure, or an
  inspection or audit finding concealment/smuggling or prohibitions and
  restrictions (:data:`SERIOUS_TYPES`);
* ``amount_found`` = additional duties assessed at inspections + additional duties
  and penalties of audits; ``declared_value`` = the customs value declared;
* ``offences`` = inspections with an offence case number in the last
  :attr:`ScoringRules.offence_years` years;
* ``declarations`` and ``first_seen`` (volume and age).

The formula
-----------
With *p0* the population's discrepancy rate (all traders' findings over all their
controls, :func:`population_rate`) and *k* the prior strength
(:attr:`ScoringRules.prior_strength`, 10: as if every trader came with ten
controls at the population's rate):

1. shrunk discrepancy rate ``r = (d + k·p0) / (n + k)`` (Bayesian shrinkage toward
   the population: one clean inspection moves a new trader only a tenth of the way
   towards 0, so it is never "perfect");
2. rate points ``= 50 · r / p0`` (50 is the population's average; 25 half of it,
   100 twice it); with no controls anywhere (*p0* unknown or 0) every trader gets 50;
3. severity ``s = serious / d`` (the share of findings that are serious, 0 without
   findings) scales them: ``rate points · (1 + s)``;
4. amount points ``= min(500 · amount_found / declared_value, 25)`` (25 points once
   5 % of the declared value was found missing);
5. offence points ``= min(25 · offences, 50)``.

``score = rate points · (1 + s) + amount points + offence points``.

The category
------------
* **high** when ``score >= 75`` (:attr:`ScoringRules.high_from`);
* **low** when ``score < 35`` (:attr:`ScoringRules.low_below`) and the trader has
  the evidence a low category needs: at least 5 controls, 10 declarations and 180
  days since first seen, and no serious finding and no offence case
  (``held_back`` lists what is missing otherwise);
* **medium** otherwise. A new trader, or one with too little history, is medium,
  never low, whatever its score.

Volume and age add no points: they are the evidence a low category needs.
Every figure above is kept per trader (:func:`components`), so an analyst can
see why a trader is in its category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

import polars as pl

__all__ = [
    "ACTIVITY_SCHEMA",
    "CATEGORIES",
    "COMPONENTS",
    "RULES",
    "SERIOUS_TYPES",
    "Category",
    "ScoringRules",
    "components",
    "population_rate",
    "score",
]

Category = Literal["low", "medium", "high"]
CATEGORIES: Final[tuple[Category, ...]] = ("low", "medium", "high")

#: Discrepancy types that make a finding serious (with a seizure at inspection).
SERIOUS_TYPES: Final = frozenset({"concealment_smuggling", "prohibitions_restrictions"})


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """The constants of the score and the thresholds of the categories (see the module)."""

    prior_strength: float = 10.0
    rate_points: float = 50.0
    amount_weight: float = 500.0
    amount_cap: float = 25.0
    offence_points: float = 25.0
    offence_cap: float = 50.0
    offence_years: int = 3
    low_below: float = 35.0
    high_from: float = 75.0
    low_min_controls: int = 5
    low_min_declarations: int = 10
    low_min_age_days: int = 180


#: The rules in force.
RULES: Final = ScoringRules()

#: What is scored: one row per trader.
ACTIVITY_SCHEMA: Final[Mapping[str, pl.DataType]] = {
    "tin": pl.String(),
    "declarations": pl.Int64(),
    "first_seen": pl.Date(),
    "declared_value": pl.Float64(),
    "inspections": pl.Int64(),
    "discrepancies": pl.Int64(),
    "serious": pl.Int64(),
    "additional_duties": pl.Float64(),
    "offences": pl.Int64(),
    "audits": pl.Int64(),
    "audit_findings": pl.Int64(),
    "audit_serious": pl.Int64(),
    "audit_amount": pl.Float64(),
}

#: The columns :func:`score` adds, kept per trader as the score's components.
COMPONENTS: Final = (
    "declarations",
    "age_days",
    "controls",
    "findings",
    "population_rate",
    "prior_strength",
    "shrunk_rate",
    "rate_points",
    "serious",
    "severity",
    "amount_found",
    "declared_value",
    "amount_share",
    "amount_points",
    "offences",
    "offence_points",
    "held_back",
)

#: Why a trader whose score is low enough is not low (``held_back``).
HELD_BACK: Final = ("few_controls", "few_declarations", "new_trader", "serious", "offences")


def population_rate(activity: pl.DataFrame) -> float | None:
    """All traders' findings over all their controls (None when nothing was controlled)."""
    controls = _total(activity, "inspections") + _total(activity, "audits")
    if controls == 0:
        return None
    findings = _total(activity, "discrepancies") + _total(activity, "audit_findings")
    return findings / controls


def _total(frame: pl.DataFrame, column: str) -> int:
    return int(frame[column].sum() or 0)


def score(
    activity: pl.DataFrame,
    *,
    as_of: date,
    p0: float | None,
    rules: ScoringRules = RULES,
) -> pl.DataFrame:
    """Score every trader of ``activity`` (:data:`ACTIVITY_SCHEMA`) as of a day.

    Returns ``tin``, ``score``, ``category`` and the :data:`COMPONENTS` per trader,
    in the order of ``activity``. ``p0`` is the population's discrepancy rate
    (:func:`population_rate`, or a stored one when scoring a few traders).
    """
    k = rules.prior_strength
    known = p0 is not None and p0 > 0
    controls = pl.col("inspections") + pl.col("audits")
    findings = pl.col("discrepancies") + pl.col("audit_findings")
    serious = pl.col("serious") + pl.col("audit_serious")
    amount = pl.col("additional_duties") + pl.col("audit_amount")
    frame = activity.select(
        "tin",
        "declarations",
        (pl.lit(as_of) - pl.col("first_seen")).dt.total_days().alias("age_days"),
        controls.alias("controls"),
        findings.alias("findings"),
        pl.lit(p0 if known else None, dtype=pl.Float64).alias("population_rate"),
        pl.lit(k).alias("prior_strength"),
        serious.alias("serious"),
        amount.alias("amount_found"),
        "declared_value",
        "offences",
    )
    if known:
        assert p0 is not None
        shrunk = (pl.col("findings") + k * p0) / (pl.col("controls") + k)
        rate_points = rules.rate_points * shrunk / p0
    else:
        shrunk = pl.lit(None, dtype=pl.Float64)
        rate_points = pl.lit(rules.rate_points)
    share = (
        pl.when(pl.col("declared_value") > 0)
        .then(pl.col("amount_found") / pl.col("declared_value"))
        .otherwise(0.0)
    )
    frame = frame.with_columns(
        shrunk.alias("shrunk_rate"),
        rate_points.alias("rate_points"),
        pl.when(pl.col("findings") > 0)
        .then(pl.col("serious") / pl.col("findings"))
        .otherwise(0.0)
        .alias("severity"),
        share.alias("amount_share"),
        pl.min_horizontal(rules.offence_points * pl.col("offences"), pl.lit(rules.offence_cap))
        .cast(pl.Float64)
        .alias("offence_points"),
    ).with_columns(
        pl.min_horizontal(rules.amount_weight * pl.col("amount_share"), pl.lit(rules.amount_cap))
        .cast(pl.Float64)
        .alias("amount_points"),
    )
    total = (
        pl.col("rate_points") * (1 + pl.col("severity"))
        + pl.col("amount_points")
        + pl.col("offence_points")
    )
    reasons = [
        pl.when(pl.col("controls") < rules.low_min_controls).then(pl.lit("few_controls")),
        pl.when(pl.col("declarations") < rules.low_min_declarations).then(
            pl.lit("few_declarations")
        ),
        pl.when(pl.col("age_days").fill_null(0) < rules.low_min_age_days).then(
            pl.lit("new_trader")
        ),
        pl.when(pl.col("serious") > 0).then(pl.lit("serious")),
        pl.when(pl.col("offences") > 0).then(pl.lit("offences")),
    ]
    frame = frame.with_columns(
        total.alias("score"),
        pl.concat_list(reasons).list.drop_nulls().alias("held_back"),
    )
    category = (
        pl.when(pl.col("score") >= rules.high_from)
        .then(pl.lit("high"))
        .when((pl.col("score") < rules.low_below) & (pl.col("held_back").list.len() == 0))
        .then(pl.lit("low"))
        .otherwise(pl.lit("medium"))
    )
    scored = frame.with_columns(category.alias("category"))
    # Kept to 6 decimal places (after the thresholds were applied to the exact score).
    return scored.select("tin", "score", "category", *COMPONENTS).with_columns(
        pl.col(pl.Float64).round(6)
    )


def components(row: Mapping[str, Any]) -> dict[str, Any]:
    """The components of one scored row (or a stored score, whose ``held_back`` is the codes
    joined by commas) as JSON-ready data."""
    found = {name: row[name] for name in COMPONENTS}
    held_back = found["held_back"]
    if isinstance(held_back, str):
        found["held_back"] = held_back.split(",") if held_back else []
    else:
        found["held_back"] = list(held_back)
    return found
