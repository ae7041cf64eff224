"""The model component of the ranking on the hand-made world of ``test_ranking.py``, with
declaration scores: the mean of the scored declarations of each trader against the
mean of those traders' means, every figure computed by hand.

============  ===========================  ===========
trader        declaration scores           mean
============  ===========================  ===========
A             1: 0.6, 2: none              0.6
B             3: 0.2 (two items), 4: 0.4   0.3
C             5: none                      — (0 points, no reason)
D             6: 0.1                       0.1
============  ===========================  ===========

Population: (0.6 + 0.3 + 0.1) / 3 = 1/3.
"""

from __future__ import annotations

import contextvars
from typing import Any

import polars as pl
import pytest

from corridor.postentry.ranking import rank, reasons_of
from corridor.postentry.schemas import CandidateReason
from corridor.postentry.web_common import reason_text
from corridor.web.i18n import use_language
from tests.unit.postentry.test_ranking import ITEMS, POINTS, TRADERS

SCORES = {1: 0.6, 3: 0.2, 4: 0.4, 6: 0.1}
POPULATION = (0.6 + 0.3 + 0.1) / 3


def _scored() -> pl.DataFrame:
    items = ITEMS.with_columns(
        pl.col("declaration_id")
        .replace_strict(SCORES, default=None, return_dtype=pl.Float64)
        .alias("model_score")
    )
    # A second goods item of declaration 3: the score is the declaration's, counted once.
    return pl.concat([items, items.filter(pl.col("declaration_id") == 3)])


def _rows(items: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {row["tin"]: row for row in rank(items, TRADERS).candidates.iter_rows(named=True)}


def test_the_model_component_is_twice_the_mean_score_above_the_population() -> None:
    ranked = rank(_scored(), TRADERS)
    assert ranked.population["model_score"] == pytest.approx(POPULATION)
    found = _rows(_scored())
    expected = {
        "A": 2 * (0.6 - POPULATION),  # +0.5333
        "B": 2 * (0.3 - POPULATION),  # -0.0667
        "C": 0.0,  # no scored declaration: no evidence either way
        "D": 2 * (0.1 - POPULATION),  # -0.4667
    }
    for tin, points in expected.items():
        assert found[tin]["points_model"] == pytest.approx(points), tin
        assert found[tin]["model_score"] == (
            None if tin == "C" else pytest.approx(points / 2 + POPULATION)
        )


def test_the_model_reason_gives_the_traders_mean_and_the_populations() -> None:
    found = _rows(_scored())
    model = [r for r in reasons_of(found["A"]) if r["kind"] == "model"]
    assert model == [
        {
            "kind": "model",
            "text": "average model score 0.60",
            "values": {"score": 0.6, "population": round(POPULATION, 4)},
        }
    ]
    assert [r for r in reasons_of(found["C"]) if r["kind"] == "model"] == []


def test_without_any_score_the_component_is_neutral_and_the_ranking_unchanged() -> None:
    found = _rows(ITEMS)
    for tin, points in POINTS.items():
        assert found[tin]["points_model"] == 0.0, tin
        assert found[tin]["risk_points"] == pytest.approx(points), tin
        assert "model" not in [r["kind"] for r in reasons_of(found[tin])], tin


def _page_text(language: str, values: dict[str, Any]) -> str:
    def render() -> str:
        use_language(language)
        return reason_text(CandidateReason(kind="model", text="", values=values))

    return contextvars.copy_context().run(render)


def test_the_pages_say_the_model_reason_with_the_population_in_both_languages() -> None:
    values = {"score": 0.6, "population": 0.3333}
    assert _page_text("en", values) == (
        "the risk model scores their declarations 0.60 on average (population 0.33)"
    )
    assert _page_text("ru", values) == (
        "модель риска оценивает их декларации в среднем в 0,60 (по всем участникам — 0,33)"
    )
    # A reason kept in a plan before the population was recorded.
    assert _page_text("en", {"score": 0.6}) == "average model score 0.60"
