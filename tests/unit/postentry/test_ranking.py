"""The ranking of audit candidates on a hand-made world, every figure computed by hand.

=======  ======  =====  ======  =====  =====  ========  ==========  ===========  ========
trader   decl.   chan.  value   duty   rate   ratio     mass g/n    history      category
=======  ======  =====  ======  =====  =====  ========  ==========  ===========  ========
A        1       green  1000    150    15 %   0.4       10 / 10     1 of 1       —
A        2       green  1000    150    15 %   1.0       10 / 10
B        3       green  5000    500    10 %   1.0       10 / 10     1 of 10      low
B        4       blue   5000    500    10 %   1.0       20 / 10
C        5       green  100     0      0      —         —           never        —
D        6       green  100     0      0      —         —           0 of 1       —
Z        (no release)                                               5 of 5       high
=======  ======  =====  ======  =====  =====  ========  ==========  ===========  ========

Population (the traders ranked: Z is not): discrepancies 2 of 12 (1/6), undervalued
items 1 of 4 priced, mass gaps 1 of 4 weighed.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest

from corridor.postentry.ranking import ITEM_COLUMNS, TRADER_COLUMNS, rank, reasons_of


def _items(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ITEM_COLUMNS, orient="row")


def _traders(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TRADER_COLUMNS, orient="row")


ITEMS = _items(
    [
        (1, "A", "green", 1000.0, 150.0, 15.0, 0.4, 10.0, 10.0, None),
        (2, "A", "green", 1000.0, 150.0, 15.0, 1.0, 10.0, 10.0, None),
        (3, "B", "green", 5000.0, 500.0, 10.0, 1.0, 10.0, 10.0, None),
        (4, "B", "blue", 5000.0, 500.0, 10.0, 1.0, 20.0, 10.0, None),
        (5, "C", "green", 100.0, 0.0, 0.0, None, None, None, None),
        (6, "D", "green", 100.0, 0.0, 0.0, None, None, None, None),
    ]
)
TRADERS = _traders(
    [
        ("A", 1, 1, 0, 0, None),
        ("B", 10, 1, 0, 0, "low"),
        ("D", 1, 0, 0, 0, None),
        ("Z", 5, 5, 0, 0, "high"),
    ]
)

# Hand-computed (see the module docstring): discrepancies p0 = 1/6, k = 5, weight 3.
P0 = 1 / 6
RATE = {"A": (1 + 5 * P0) / 6, "B": (1 + 5 * P0) / 15, "C": 5 * P0 / 5, "D": 5 * P0 / 6}
POINTS = {
    "A": 3 * math.log(RATE["A"] / P0) + math.log(6 / 22 / 0.25) + 0.5 * math.log(5 / 22 / 0.25),
    "B": 3 * math.log(RATE["B"] / P0)
    + math.log(5 / 22 / 0.25)
    + 0.5 * math.log(6 / 22 / 0.25)
    - 0.5,
    "C": 0.0,
    "D": 3 * math.log(RATE["D"] / P0),
}
RECOVERY = {
    "A": 1000 * (1 / 0.4 - 1) * 0.15 + RATE["A"] * 300 * 0.25,
    "B": RATE["B"] * 1000 * 0.25,
    "C": 0.0,
    "D": 0.0,
}


def rows(order: str = "risk") -> dict[str, dict[str, Any]]:
    ranked = rank(ITEMS, TRADERS, order=order)  # type: ignore[arg-type]
    return {row["tin"]: row for row in ranked.candidates.iter_rows(named=True)}


def test_the_ranking_orders_by_risk_points_computed_by_hand() -> None:
    ranked = rank(ITEMS, TRADERS)
    assert ranked.candidates["tin"].to_list() == ["A", "C", "D", "B"]
    assert ranked.candidates["rank"].to_list() == [1, 2, 3, 4]
    assert ranked.population["discrepancies"] == pytest.approx(P0)
    assert ranked.population["undervalued"] == pytest.approx(0.25)
    assert ranked.population["mass_gap"] == pytest.approx(0.25)
    assert ranked.population["model_score"] is None
    found = rows()
    for tin, points in POINTS.items():
        assert found[tin]["risk_points"] == pytest.approx(points), tin
        assert found[tin]["risk_score"] == pytest.approx(1 / (1 + math.exp(-points))), tin
        assert found[tin]["expected_recovery"] == pytest.approx(RECOVERY[tin]), tin
    assert found["B"]["points_category"] == -0.5
    assert found["A"]["points_category"] == 0.0
    # Z has no release: not a candidate, and not in the population.
    assert "Z" not in found


def test_shrinkage_keeps_small_samples_near_the_population() -> None:
    found = rows()
    # One inspection, one discrepancy: the estimate is 0.31, not 1.
    assert found["A"]["rate_discrepancies"] == pytest.approx(11 / 36)
    # One clean inspection: 0.14, not a perfect 0 (and not minus infinity in points).
    assert found["D"]["rate_discrepancies"] == pytest.approx(5 / 36)
    assert found["D"]["points_discrepancies"] == pytest.approx(3 * math.log(5 / 6))
    # Never inspected: exactly the population's rate, no points.
    assert found["C"]["rate_discrepancies"] == pytest.approx(P0)
    assert found["C"]["points_discrepancies"] == 0.0
    # Ten inspections weigh more than one: B's one discrepancy in ten pulls it below.
    assert found["B"]["points_discrepancies"] < found["D"]["points_discrepancies"] < 0


def test_the_same_evidence_with_more_inspections_moves_further_from_the_population() -> None:
    # B's thousand inspections hold the population's rate near 0.1 either way.
    few = _traders([("A", 2, 2, 0, 0, None), ("B", 1000, 100, 0, 0, None)])
    many = _traders([("A", 20, 20, 0, 0, None), ("B", 1000, 100, 0, 0, None)])
    items = ITEMS.filter(pl.col("tin").is_in(["A", "B"]))
    a_few = rank(items, few).candidates.filter(pl.col("tin") == "A")["risk_points"][0]
    a_many = rank(items, many).candidates.filter(pl.col("tin") == "A")["risk_points"][0]
    assert a_many > a_few > 0


def test_ordering_by_expected_recovery() -> None:
    ranked = rank(ITEMS, TRADERS, order="recovery")
    # C and D recover nothing: the risk points break the tie.
    assert ranked.candidates["tin"].to_list() == ["A", "B", "C", "D"]


def test_counts_of_the_releases() -> None:
    found = rows()
    assert (found["B"]["declarations"], found["B"]["green"], found["B"]["blue"]) == (2, 1, 1)
    assert found["B"]["value_released"] == 10000
    assert found["B"]["duties_released"] == 1000
    assert (found["A"]["priced"], found["A"]["undervalued"]) == (2, 1)
    assert (found["B"]["weighed"], found["B"]["mass_gaps"]) == (2, 1)
    assert (found["C"]["priced"], found["C"]["weighed"]) == (0, 0)


def test_every_candidate_has_its_reasons_in_plain_words() -> None:
    found = rows()
    texts = {tin: [r["text"] for r in reasons_of(row)] for tin, row in found.items()}
    assert texts["A"] == [
        "2 declarations released green or blue worth 2,000 KGS",
        "1 of 2 priced goods items declared at 40 % of the reference price",
        "1 discrepancy in 1 inspection",
    ]
    assert texts["B"] == [
        "2 declarations released green or blue worth 10,000 KGS",
        "1 of 2 goods items with a gross mass over 1.3 times the net mass",
        "1 discrepancy in 10 inspections",
        "compliance category low",
    ]
    assert texts["C"] == [
        "1 declaration released green or blue worth 100 KGS",
        "never inspected",
    ]
    kinds = [r["kind"] for r in reasons_of(found["A"])]
    assert kinds == ["released", "undervalued", "history"]
    assert reasons_of(found["A"])[1]["values"] == {
        "count": 1,
        "priced": 2,
        "lowest": 40,
        "highest": 40,
    }


def test_a_model_score_adds_twice_its_difference_from_the_average() -> None:
    items = ITEMS.with_columns(
        pl.when(pl.col("tin") == "A").then(0.9).otherwise(0.3).alias("model_score")
    )
    ranked = rank(items, TRADERS)
    found = {row["tin"]: row for row in ranked.candidates.iter_rows(named=True)}
    # Six declarations: two of A at 0.9, four at 0.3 -> the mean of the traders' means
    # is (0.9 + 0.3 + 0.3 + 0.3) / 4 = 0.45.
    assert ranked.population["model_score"] == pytest.approx(0.45)
    assert found["A"]["points_model"] == pytest.approx(2 * (0.9 - 0.45))
    assert found["C"]["points_model"] == pytest.approx(2 * (0.3 - 0.45))
    assert found["A"]["risk_points"] == pytest.approx(POINTS["A"] + 0.9)
    texts = [r["text"] for r in reasons_of(found["A"])]
    assert "average model score 0.90" in texts


def test_audit_findings_count_as_discrepancies_and_audits_as_controls() -> None:
    audited = _traders(
        [
            ("A", 1, 1, 0, 0, None),
            ("B", 10, 1, 2, 2, "low"),
            ("D", 1, 0, 0, 0, None),
        ]
    )
    found = {row["tin"]: row for row in rank(ITEMS, audited).candidates.iter_rows(named=True)}
    assert (found["B"]["found"], found["B"]["checked"]) == (3, 12)
    assert "2 of 2 earlier post-entry audits found discrepancies" in [
        r["text"] for r in reasons_of(found["B"])
    ]


def test_no_release_no_candidate() -> None:
    ranked = rank(_items([]), TRADERS)
    assert ranked.candidates.is_empty()
    assert ranked.population["discrepancies"] == 0.0


def test_an_indicator_nobody_shows_is_neutral_and_volume_does_not_sink_a_trader() -> None:
    # BIG released 200 priced items, SMALL1 and SMALL2 two each, all at the reference
    # price and never weighed heavy: "undervalued" and "mass_gap" have no event anywhere.
    # Nobody was ever inspected either. Nothing tells these traders apart.
    def goods(tin: str, first: int, count: int) -> list[tuple[Any, ...]]:
        return [
            (first + n, tin, "green", 1000.0, 100.0, 10.0, 1.0, 10.0, 10.0, None)
            for n in range(count)
        ]

    items = _items([*goods("BIG", 0, 200), *goods("SMALL1", 1000, 2), *goods("SMALL2", 2000, 2)])
    ranked = rank(items, _traders([]))
    assert ranked.population["undervalued"] == ranked.population["mass_gap"] == 0.0
    found = {row["tin"]: row for row in ranked.candidates.iter_rows(named=True)}
    for tin in ("BIG", "SMALL1", "SMALL2"):
        for name in ("discrepancies", "undervalued", "mass_gap"):
            assert found[tin][f"points_{name}"] == 0.0, (tin, name)
        assert found[tin]["risk_points"] == 0.0, tin
    # Equal risk: the larger expected recovery is not at stake (none); the TIN orders them,
    # and BIG, first in that order, is not pushed below the small ones by its volume.
    assert ranked.candidates["tin"].to_list() == ["BIG", "SMALL1", "SMALL2"]
    # One undervalued item anywhere makes the indicator count again, volume included.
    flagged = items.with_columns(
        pl.when(pl.col("declaration_id") == 1000).then(0.3).otherwise(1.0).alias("value_ratio")
    )
    ranked_again = rank(flagged, _traders([])).candidates
    again = {row["tin"]: row for row in ranked_again.iter_rows(named=True)}
    assert again["SMALL1"]["points_undervalued"] > 0 > again["BIG"]["points_undervalued"]
