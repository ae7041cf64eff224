"""Evaluation figures against fixtures computed by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from corridor.scoring.core import TrainedModel, evaluate, precision_at, psi, top_count
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
    without = evaluate(model, frame.drop("duties_assessed"))
    assert without["revenue_at"] is None
