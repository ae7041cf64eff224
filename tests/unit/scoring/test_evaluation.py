"""Evaluation figures against fixtures computed by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from corridor.scoring.core import (
    TrainedModel,
    evaluate,
    precision_at,
    psi,
    random_control,
    top_count,
)
from corridor.scoring.core.evaluation import _at, _order, drift_reference


def test_top_k_is_round_half_up_of_k_percent_and_at_least_one() -> None:
    assert top_count(10, 5) == 1  # 0.5 rounds up
    assert top_count(10, 1) == 1  # 0.1 rounds to 0: at least one
    assert top_count(30, 5) == 2  # 1.5
    assert top_count(1000, 10) == 100


def test_precision_recall_and_revenue_at_k_by_hand() -> None:
    # 20 rows; scores descending 20..1; positives at ranks 1, 3, 4 and 15.
    score = np.arange(20, 0, -1, dtype=float)
    labels = np.zeros(20)
    labels[[0, 2, 3, 14]] = 1
    duties = np.zeros(20)
    duties[[0, 2, 14]] = [10.0, 30.0, 60.0]
    figures = _at(_order(score), labels, duties)
    # k=1,2,5: top 1 row; k=10: top 2 rows.
    assert figures["precision_at"] == {"1": 1.0, "2": 1.0, "5": 1.0, "10": 0.5}
    assert figures["recall_at"] == {"1": 0.25, "2": 0.25, "5": 0.25, "10": 0.25}
    assert figures["revenue_at"] == {"1": 0.1, "2": 0.1, "5": 0.1, "10": 0.1}
    assert _at(_order(score), labels, None)["revenue_at"] is None


def test_ties_break_by_raw_score_then_row_order() -> None:
    score = np.array([0.5, 0.5, 0.5, 0.1])
    labels = np.array([0.0, 1.0, 0.0, 1.0])
    assert precision_at(score, labels, 25) == 0.0  # first row among the tied
    assert precision_at(score, labels, 25, raw=np.array([1.0, 2.0, 0.0, -1.0])) == 1.0


def test_the_random_control_estimate_by_hand() -> None:
    # 30 rows scored 30..1; rows 0, 3, 6, … (10 rows) are random controls. Among them,
    # by score: rows 0, 3, 6, 9, …; discrepancies at rows 3, 9 and 27 (controls) and at
    # rows 1 and 2 (profile selections, which the estimate must ignore).
    score = np.arange(30, 0, -1, dtype=float)
    labels = np.zeros(30)
    labels[[1, 2, 3, 9, 27]] = 1
    controls = np.arange(30) % 3 == 0
    estimate = random_control(score, labels, controls)
    assert estimate is not None
    assert (estimate["rows"], estimate["positives"]) == (10, 3)
    assert estimate["base_rate"] == pytest.approx(0.3)
    # 1, 2 and 5 % of 10 controls: the top one (row 0, no discrepancy); 10 %: one too.
    assert estimate["at"]["1"] == {"rows": 1, "positives": 0, "precision": 0.0}
    assert estimate["at"]["10"] == {"rows": 1, "positives": 0, "precision": 0.0}
    # Scored the other way round, the top control is row 27: a discrepancy.
    reversed_ = random_control(-score, labels, controls)
    assert reversed_ is not None
    assert reversed_["at"]["5"] == {"rows": 1, "positives": 1, "precision": 1.0}
    # 60 controls: 10 % is the top 6 of them.
    many = np.ones(60, dtype=bool)
    wide = np.zeros(60)
    wide[[0, 2, 5, 40]] = 1
    at10 = random_control(np.arange(60, 0, -1, dtype=float), wide, many)
    assert at10 is not None
    assert at10["at"]["10"] == {"rows": 6, "positives": 3, "precision": 0.5}
    assert at10["at"]["2"] == {"rows": 1, "positives": 1, "precision": 1.0}
    assert random_control(score, labels, np.zeros(30, dtype=bool)) is None


def test_population_stability_index_by_hand() -> None:
    reference = drift_reference(np.arange(100, dtype=float), {})["score"]
    assert psi(reference, np.arange(100, dtype=float)) == pytest.approx(0.0)
    # Everything in the top decile: 0.9·ln(0.9/0.1)·… computed term by term.
    shifted = psi(reference, np.full(50, 1000.0))
    expected = 9 * (0.0001 - 0.1) * np.log(0.0001 / 0.1) + (1 - 0.1) * np.log(1 / 0.1)
    assert shifted == pytest.approx(expected)


def test_evaluate_reports_the_interface_and_is_consistent(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    frame = labelled.tail(1000)
    figures = evaluate(model, frame)
    assert figures["rows"] == 1000
    assert figures["positives"] == frame["label"].sum()
    assert set(figures["precision_at"]) == {"1", "2", "5", "10"}
    assert 0.5 < figures["auc"] <= 1.0
    scored = model.score_frame(frame)
    order = np.lexsort(
        (np.arange(1000), -scored["raw_score"].to_numpy(), -scored["model_score"].to_numpy())
    )
    top = frame["label"].to_numpy()[order[:100]]
    assert figures["precision_at"]["10"] == top.mean()
    assert figures["revenue_at"] is not None
    assert sum(b["rows"] for b in figures["calibration"]) == 1000
    assert sum(o["rows"] for o in figures["by_office"].values()) == 1000
    assert figures["drift"]["score"] is not None
    assert set(figures["drift"]["features_by_month"]) == set(figures["drift"]["features"])
    assert figures["random_control"] is None  # no selection basis: no random controls
    controls = evaluate(
        model,
        frame.with_columns(
            selection_basis=pl.when(pl.int_range(pl.len()) % 4 == 0)
            .then(pl.lit("random"))
            .otherwise(pl.lit("profile"))
        ),
    )["random_control"]
    assert controls is not None
    assert controls["rows"] == 250
    assert controls["positives"] == frame.gather_every(4)["label"].sum()
    without = evaluate(model, frame.drop("duties_assessed"))
    assert without["revenue_at"] is None
