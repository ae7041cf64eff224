"""Ranking of post-entry audit candidates (pure: Polars frames in, a frame out).

Who is ranked: every importer with at least one declaration released in the period
(latest version; green or blue after re-routes) at the offices of the unit. Each is
scored by **risk** and by **expected recovery**, and each score is explained.

Risk: evidence points
---------------------

Every indicator compares the trader's rate with the rate of the traders ranked (the
population), after shrinking the trader's rate toward the population's (a Bayesian
estimate with a Beta prior of strength ``k``), so that a trader with one inspection
and one discrepancy is not "certain", nor one with one clean inspection "perfect"::

    r̂ = (x + k · r0) / (n + k)          x events in n trials, population rate r0
    points = w · ln(r̂ / r0)             0 at the population's rate, > 0 above it

=====================  ==============================================  ===  =====
indicator              x of n                                          k    w
=====================  ==============================================  ===  =====
``discrepancies``      discrepancies found (inspections, and earlier   5    3
                       post-entry audits that found something) of the
                       inspections and completed audits (all history)
``undervalued``        released goods items declared below 0.5 × the   20   1
                       reference price, of those with a price
``mass_gap``           released goods items whose gross mass exceeds   20   0.5
                       1.3 × the net mass, of those with both masses
=====================  ==============================================  ===  =====

Population rates are floored at 0.2 % (an indicator few show would otherwise make one
occurrence overwhelming evidence). An indicator with no event in the whole population
is neutral: 0 points for everyone. (Compared with the floor, its shrunk rate would fall
with the number of trials, ``k / (n + k)``, and push traders down in proportion to
their volume: large, never-caught importers would sink below small ones for want of an
event nobody showed.) Findings weigh most: they were proven; prices and masses only
point at something. Then:

* ``category``: the trader's compliance category in force: high +0.5, medium 0, low −0.5
  (light: the category summarises the history the first indicator reads already, but
  it also carries what history does not know, such as an analyst's override);
* ``model``: where decisions carry the active risk-scoring model's declaration score
  (``detail["model"]["score"]``, the highest of its goods items' calibrated
  probabilities), 2 × (the mean score of the trader's released declarations that carry
  one − the population's: the mean of those traders' means). The mean, not a high
  quantile: the declaration's score is already its riskiest item's, and an audit looks
  at the trader's whole activity, so what counts is how risky the trader's declarations
  are as a rule; a high quantile of a few declarations would follow one outlier, and a
  trader with one declaration would weigh as much as one with a hundred. Declarations
  without a score (scored before a model was active, or the model failed) are left out,
  not counted as 0; a trader with none gets 0 points, and when no declaration of the
  population carries one the component is neutral (0 points, no reason for anyone), so
  an installation without a model ranks as without this component.

``risk_points`` is the sum; ``risk_score`` = 1 / (1 + e^−points) (0.5: the population).

Expected recovery (KGS)
-----------------------

What an audit may bring back: the duties on the value missing from undervalued items,
plus the share of declared duties a finding typically adds, times the trader's
shrunk discrepancy rate::

    Σ undervalued items: customs_value × (1 / max(ratio, 0.1) − 1) × duty_rate / 100
      + r̂(discrepancies) × duties released × 0.25

Order: by risk points, then expected recovery (``order="recovery"``: the reverse); the
TIN breaks ties, so the same data always gives the same ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal

import polars as pl

__all__ = [
    "CATEGORY_POINTS",
    "COMPONENTS",
    "FINDING_UPLIFT",
    "INDICATORS",
    "ITEM_COLUMNS",
    "MASS_GAP",
    "RATIO_FLOOR",
    "TRADER_COLUMNS",
    "UNDERVALUED_RATIO",
    "Indicator",
    "Ranked",
    "rank",
    "reasons_of",
]

#: An item declared below this share of its reference price counts as undervalued.
UNDERVALUED_RATIO: Final = 0.5
#: An item whose gross mass exceeds its net mass this many times has a mass gap.
MASS_GAP: Final = 1.3
#: The lowest value ratio the recovery estimate believes (1/0.1 - 1 = 9 times the value).
RATIO_FLOOR: Final = 0.1
#: The share of the declared duties a post-entry finding typically adds.
FINDING_UPLIFT: Final = 0.25
#: The least population rate an indicator is compared with.
RATE_FLOOR: Final = 0.002
CATEGORY_POINTS: Final[dict[str, float]] = {"high": 0.5, "medium": 0.0, "low": -0.5}
MODEL_WEIGHT: Final = 2.0


@dataclass(frozen=True, slots=True)
class Indicator:
    """A rate indicator: events ``events`` of ``trials``, prior strength ``k``, weight."""

    name: str
    events: str
    trials: str
    k: float
    weight: float


INDICATORS: Final = (
    Indicator("discrepancies", "found", "checked", 5.0, 3.0),
    Indicator("undervalued", "undervalued", "priced", 20.0, 1.0),
    Indicator("mass_gap", "mass_gaps", "weighed", 20.0, 0.5),
)
#: The risk components: each candidate's ``points_<name>`` column; their sum is its risk.
COMPONENTS: Final = (*(indicator.name for indicator in INDICATORS), "category", "model")

#: One row per goods item of a declaration released in the period.
ITEM_COLUMNS: Final[dict[str, type[pl.DataType]]] = {
    "declaration_id": pl.Int64,
    "tin": pl.String,
    "channel": pl.String,  # green | blue, after re-routes
    "customs_value": pl.Float64,
    "duties": pl.Float64,
    "duty_rate": pl.Float64,  # percent
    "value_ratio": pl.Float64,  # declared / reference unit value; null: no price
    "gross_mass": pl.Float64,
    "net_mass": pl.Float64,
    "model_score": pl.Float64,  # the declaration's; null: no model
}
#: One row per trader (any trader; those without releases are ignored).
TRADER_COLUMNS: Final[dict[str, type[pl.DataType]]] = {
    "tin": pl.String,
    "inspections": pl.Int64,
    "discrepancies": pl.Int64,
    "audits": pl.Int64,  # completed post-entry audits
    "audit_findings": pl.Int64,  # of which found a discrepancy
    "category": pl.String,  # in force; null: none
}


@dataclass(frozen=True, slots=True)
class Ranked:
    """The ranking: one row per candidate in order (``rank`` from 1), and the population
    rates it compared with."""

    candidates: pl.DataFrame
    population: dict[str, float | None]


def rank(
    items: pl.DataFrame,
    traders: pl.DataFrame,
    *,
    order: Literal["risk", "recovery"] = "risk",
) -> Ranked:
    """Score and order every trader with released items (see the module docstring)."""
    items = items.select(
        [pl.col(name).cast(kind) for name, kind in ITEM_COLUMNS.items()]
    ).with_columns(
        (pl.col("value_ratio") < UNDERVALUED_RATIO).fill_null(False).alias("is_undervalued"),
        ((pl.col("gross_mass") > MASS_GAP * pl.col("net_mass")) & (pl.col("net_mass") > 0))
        .fill_null(False)
        .alias("is_mass_gap"),
        ((pl.col("gross_mass") > 0) & (pl.col("net_mass") > 0)).fill_null(False).alias("weighs"),
        pl.col("value_ratio").clip(lower_bound=RATIO_FLOOR).alias("believed_ratio"),
    )
    gap = pl.when(pl.col("is_undervalued")).then(
        pl.col("customs_value").fill_null(0)
        * (1 / pl.col("believed_ratio") - 1)
        * pl.col("duty_rate").fill_null(0)
        / 100
    )
    per_trader = items.group_by("tin").agg(
        pl.col("declaration_id").n_unique().alias("declarations"),
        pl.col("declaration_id").filter(pl.col("channel") == "green").n_unique().alias("green"),
        pl.col("declaration_id").filter(pl.col("channel") == "blue").n_unique().alias("blue"),
        pl.col("customs_value").fill_null(0).sum().alias("value_released"),
        pl.col("duties").fill_null(0).sum().alias("duties_released"),
        pl.len().alias("items"),
        pl.col("value_ratio").is_not_null().sum().alias("priced"),
        pl.col("is_undervalued").sum().alias("undervalued"),
        pl.col("value_ratio").filter(pl.col("is_undervalued")).min().alias("lowest_ratio"),
        pl.col("value_ratio").filter(pl.col("is_undervalued")).max().alias("highest_low_ratio"),
        gap.fill_null(0).sum().alias("valuation_gap_duties"),
        pl.col("weighs").sum().alias("weighed"),
        pl.col("is_mass_gap").sum().alias("mass_gaps"),
    )
    # The model score is the declaration's: one per declaration, not per item.
    scores = (
        items.unique(subset=["declaration_id"])
        .group_by("tin")
        .agg(pl.col("model_score").mean().alias("model_score"))
    )
    history = traders.select([pl.col(n).cast(k) for n, k in TRADER_COLUMNS.items()]).unique(
        subset=["tin"], keep="first"
    )
    frame = (
        per_trader.join(scores, on="tin", how="left")
        .join(history, on="tin", how="left")
        .with_columns(
            pl.col(name).fill_null(0)
            for name in ("inspections", "discrepancies", "audits", "audit_findings")
        )
        .with_columns(
            (pl.col("discrepancies") + pl.col("audit_findings")).alias("found"),
            (pl.col("inspections") + pl.col("audits")).alias("checked"),
        )
    )
    population: dict[str, float | None] = {}
    points: list[pl.Expr] = []
    for indicator in INDICATORS:
        trials = int(frame[indicator.trials].sum() or 0)
        events = int(frame[indicator.events].sum() or 0)
        base = max(events / trials if trials else 0.0, RATE_FLOOR)
        population[indicator.name] = events / trials if trials else 0.0
        shrunk = (pl.col(indicator.events) + indicator.k * base) / (
            pl.col(indicator.trials) + indicator.k
        )
        frame = frame.with_columns(shrunk.alias(f"rate_{indicator.name}"))
        if events:
            evidence = indicator.weight * (pl.col(f"rate_{indicator.name}") / base).log()
        else:  # nobody showed it: no evidence either way (see the module docstring)
            evidence = pl.lit(0.0)
        points.append(evidence.alias(f"points_{indicator.name}"))
    points.append(
        pl.col("category")
        .replace_strict(CATEGORY_POINTS, default=0.0, return_dtype=pl.Float64)
        .alias("points_category")
    )
    mean_score = frame["model_score"].mean() if frame.height else None
    population["model_score"] = float(mean_score) if isinstance(mean_score, int | float) else None
    if population["model_score"] is not None:
        points.append(
            (MODEL_WEIGHT * (pl.col("model_score") - population["model_score"]))
            .fill_null(0.0)
            .alias("points_model")
        )
    else:  # no declaration of the population carries a score: neutral
        points.append(pl.lit(0.0).alias("points_model"))
    points.append(
        pl.lit(population["model_score"], dtype=pl.Float64).alias("population_model_score")
    )
    frame = frame.with_columns(points)
    frame = frame.with_columns(
        pl.sum_horizontal(f"points_{name}" for name in COMPONENTS).alias("risk_points"),
        (
            pl.col("valuation_gap_duties")
            + pl.col("rate_discrepancies") * pl.col("duties_released") * FINDING_UPLIFT
        ).alias("expected_recovery"),
    ).with_columns((1 / (1 + (-pl.col("risk_points")).exp())).alias("risk_score"))
    keys = ["risk_points", "expected_recovery"]
    if order == "recovery":
        keys.reverse()
    frame = frame.sort([*keys, "tin"], descending=[True, True, False]).with_row_index(
        "rank", offset=1
    )
    return Ranked(candidates=frame, population=population)


def _money(value: float) -> str:
    return f"{value:,.0f} KGS"


def _count(number: int, word: str, words: str | None = None) -> str:
    return f"{number} {word if number == 1 else words or word + 's'}"


def _percent(ratio: float) -> str:
    return f"{100 * ratio:.0f}"


def reasons_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons of one candidate (a row of :attr:`Ranked.candidates`), in plain words
    with their figures: what was released, then each piece of evidence found."""
    reasons = [
        _reason(
            "released",
            f"{_count(row['declarations'], 'declaration')} released green or blue worth "
            f"{_money(row['value_released'])}",
            declarations=row["declarations"],
            green=row["green"],
            blue=row["blue"],
            value=round(row["value_released"], 2),
        )
    ]
    if row["undervalued"]:
        low, high = row["lowest_ratio"], row["highest_low_ratio"]
        span = _percent(low)
        if _percent(high) != span:
            span = f"{span}–{_percent(high)}"
        reasons.append(
            _reason(
                "undervalued",
                f"{row['undervalued']} of {_count(row['priced'], 'priced goods item')} declared at "
                f"{span} % of the reference price",
                count=row["undervalued"],
                priced=row["priced"],
                lowest=round(100 * low),
                highest=round(100 * high),
            )
        )
    if row["mass_gaps"]:
        reasons.append(
            _reason(
                "mass_gap",
                f"{row['mass_gaps']} of {_count(row['weighed'], 'goods item')} with a gross "
                f"mass over {MASS_GAP} times the net mass",
                count=row["mass_gaps"],
                weighed=row["weighed"],
            )
        )
    if row["inspections"]:
        reasons.append(
            _reason(
                "history",
                f"{_count(row['discrepancies'], 'discrepancy', 'discrepancies')} in "
                f"{_count(row['inspections'], 'inspection')}",
                discrepancies=row["discrepancies"],
                inspections=row["inspections"],
            )
        )
    else:
        reasons.append(_reason("no_history", "never inspected"))
    if row["audits"]:
        reasons.append(
            _reason(
                "audits",
                f"{row['audit_findings']} of {_count(row['audits'], 'earlier post-entry audit')} "
                "found discrepancies",
                found=row["audit_findings"],
                audits=row["audits"],
            )
        )
    if row["category"]:
        reasons.append(
            _reason("category", f"compliance category {row['category']}", category=row["category"])
        )
    if row["model_score"] is not None and not math.isnan(row["model_score"]):
        reasons.append(
            _reason(
                "model",
                f"average model score {row['model_score']:.2f}",
                score=round(row["model_score"], 4),
                population=round(row["population_model_score"], 4),
            )
        )
    return reasons


def _reason(kind: str, text: str, **values: Any) -> dict[str, Any]:
    return {"kind": kind, "text": text, "values": values}
