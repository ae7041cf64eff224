"""The scoring core: one feature code two ways, no leakage, reasons that add up, bytes."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from corridor.errors import InvalidInput
from corridor.scoring.core import TrainedModel, normalize, record_of, train
from corridor.scoring.core.features import FEATURES, KEYS, FeatureSpace, vocabularies
from corridor.scoring.core.rates import as_of, freeze
from corridor.scoring.core.reasons import RATE, VALUED, Percent, Signed, sentence
from corridor.web import i18n
from tests.scoring_data import (
    HEADER,
    HEADER_ATTRIBUTES,
    QUICK,
    SHARED_DATA,
    fact_rows,
    synthetic,
)

ALL_KEYS = tuple(KEYS.values())


def same(a: list[float], b: list[float]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


def online_equals_batch(frame: pl.DataFrame, space: FeatureSpace) -> None:
    batch = space.batch(normalize(frame)).rows()
    for row, expected in zip(frame.iter_rows(named=True), batch, strict=True):
        (facts,) = fact_rows([row])
        online = space.row(record_of(facts))
        assert same(online, list(expected)), (row, online, expected)


def test_online_features_equal_batch_features_on_synthetic_rows() -> None:
    frame = synthetic(600)
    known = normalize(frame.head(400))
    space = FeatureSpace(FEATURES, vocabularies(known, FEATURES), freeze(known, ALL_KEYS), 7.0)
    online_equals_batch(frame, space)  # the last 200 hold values training never saw


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="shared data folder is absent")
def test_online_features_equal_batch_features_on_the_public_dataset() -> None:
    from corridor.scoring.cdd import read_cdd

    frame = read_cdd([SHARED_DATA / "df_syn_train_eng.csv"])
    sample = frame.sample(500, seed=3)
    known = normalize(frame.head(5000))
    space = FeatureSpace(FEATURES, vocabularies(known, FEATURES), freeze(known, ALL_KEYS), 20.0)
    online_equals_batch(sample, space)
    assert frame["label"].dtype == pl.Boolean
    assert frame["label"].null_count() == 0


def test_an_outcome_recorded_at_or_after_registration_never_changes_features() -> None:
    frame = normalize(synthetic(800))
    space = FeatureSpace(FEATURES, vocabularies(frame, FEATURES), freeze(frame, ALL_KEYS), 5.0)
    before = space.batch(as_of(frame, ALL_KEYS, lag_days=1), counted=True)
    target = frame.row(500, named=True)
    # Discrepancies of the same importer, seller and HS code at the very instant, later that
    # day and next week: none was known when the declaration was registered.
    planted = pl.DataFrame(
        [
            {
                **target,
                "number": f"P{i}",
                "label": True,
                "registered_at": target["registered_at"] + d,
            }
            for i, d in enumerate((timedelta(0), timedelta(hours=5), timedelta(days=7)))
        ],
        schema=frame.schema,
    )
    after = space.batch(
        as_of(pl.concat([frame, planted]), ALL_KEYS, lag_days=1), counted=True
    ).head(frame.height)
    # The declaration and every one registered up to its day read exactly as before.
    known = (frame["registered_at"].dt.date() <= target["registered_at"].date()).to_list()
    assert known[500]
    assert sum(known) > 500
    assert before.filter(pl.Series(known)).equals(after.filter(pl.Series(known)))
    assert not before.equals(after)  # later declarations do learn of them
    # The same outcome a day earlier is known, and the importer's rate moves.
    earlier = planted.head(1).with_columns(pl.col("registered_at") - timedelta(days=1))
    moved = space.batch(as_of(pl.concat([frame, earlier]), ALL_KEYS, lag_days=1), counted=True)
    assert moved["importer_rate"][500] > before["importer_rate"][500]
    assert moved["importer_n"][500] == before["importer_n"][500] + 1


def test_as_of_counts_only_earlier_days_by_hand() -> None:
    frame = normalize(
        pl.DataFrame(
            {
                "registered_at": [
                    "2024-01-01T10:00:00",
                    "2024-01-01T11:00:00",
                    "2024-01-02T09:00:00",
                    "2024-01-05T09:00:00",
                ],
                "importer": ["A", "A", "A", "A"],
                "label": [True, False, True, None],
            }
        )
    )
    counted = as_of(frame, (KEYS["importer"],), lag_days=1)
    assert counted["__hits_importer"].to_list() == [0, 0, 1, 2]
    assert counted["__n_importer"].to_list() == [0, 0, 2, 3]
    assert counted["__prior"].to_list() == [0.5, 0.5, 0.5, 0.6]
    with pytest.raises(ValueError, match="at least 1"):
        as_of(frame, (), lag_days=0)


def test_contributions_plus_base_equal_the_raw_score(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    rows = fact_rows(list(labelled.head(10).iter_rows(named=True)))
    contributions = model.contributions(rows)
    raw = model.raw(np.array([model.space.row(record_of(r)) for r in rows]), threads=1)
    assert np.allclose(contributions.sum(axis=1), raw, rtol=0, atol=1e-9)
    why = model.explain(rows, top=3)
    assert len(why.reasons) == 3
    assert abs(why.reasons[0].contribution) >= abs(why.reasons[-1].contribution)
    assert why.raw_score == pytest.approx(raw.max())
    assert all(r.text.endswith(f"({r.contribution:+.2f})") for r in why.reasons)


def test_a_reason_is_a_message_that_renders_in_russian() -> None:
    """A reason's words are a translatable message: English as text, Russian on a page,
    with the rate as a Russian percentage and the contribution with a decimal comma."""
    text = sentence(RATE["importer"], rate=Percent(0.38), contribution=Signed(0.2146))
    assert text == "importer's past discrepancy rate 38% (+0.21)"
    assert (text.template, dict(text.params)) == (
        "importer's past discrepancy rate %(rate)s (%(contribution)s)",
        {"rate": 0.38, "contribution": 0.2146},
    )
    i18n.use_language("ru")
    try:
        assert i18n.reason(text) == "доля расхождений импортёра в прошлом: 38\xa0% (+0,21)"
        stored = {
            "text": "origin KZ (-0.50)",
            "template": VALUED["origin_code"][0],
            "params": {"code": "KZ", "contribution": -0.5},
        }
        assert i18n.reason(stored) == "страна происхождения KZ (-0,50)"
        # A decision recorded before the templates: its English text as it was.
        assert i18n.reason({"text": "origin KZ (-0.50)"}) == "origin KZ (-0.50)"
    finally:
        i18n.use_language("en")
    assert i18n.reason(text) == str(text)


def test_a_declaration_scores_as_its_riskiest_item_and_as_in_batch(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    # Ten goods items under the header of the first: one declaration.
    first = labelled.row(0, named=True)
    items = labelled.head(10).with_columns(
        pl.lit(first[name]).alias(name) for name in (*HEADER, *HEADER_ATTRIBUTES) if name in first
    )
    score, item_scores = model.score_declaration(fact_rows(list(items.iter_rows(named=True))))
    batch = model.score_frame(items)["model_score"].to_list()
    assert item_scores == pytest.approx(batch, abs=1e-12)
    assert score == max(item_scores)
    assert all(0.0 <= s <= 1.0 for s in item_scores)


def test_the_artifact_round_trips_and_training_is_deterministic(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    data = model.to_bytes()
    again = TrainedModel.from_bytes(data)
    assert again.sha256 == model.sha256
    assert again.score_frame(labelled.head(50)).equals(model.score_frame(labelled.head(50)))
    assert train(labelled, options=QUICK).sha256 == model.sha256
    assert model.rows == labelled.height
    assert model.positives == labelled["label"].sum()
    quality = model.quality
    assert quality["rows_used"] == labelled.height
    assert sum(m["rows"] for m in quality["label_rate_by_month"]) == labelled.height
    assert quality["missing_inputs"]["dispatch_country"] > 0
    with pytest.raises(InvalidInput):
        TrainedModel.from_bytes(b'{"format": "something else"}')
    with pytest.raises(InvalidInput) as caught:
        TrainedModel.from_bytes(b'{"format": "corridor.scoring/1"}')
    assert caught.value.errors[0].loc == ("artifact",)


def test_rows_without_outcome_are_left_out_and_counted(labelled: pl.DataFrame) -> None:
    frame = labelled.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0)
        .then(None)
        .otherwise(pl.col("label"))
        .alias("label")
    )
    model = train(frame, options=QUICK)
    assert model.quality["rows_excluded"] == {"no outcome recorded": 300}
    assert model.rows == 2700


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize(pl.DataFrame({"registered_at": ["2024-01-01"], "customs_value": ["12,5"]}))
    assert caught.value.errors[0].loc == ("customs_value",)
    with pytest.raises(InvalidInput) as caught:
        normalize(pl.DataFrame({"importer": ["A"]}))
    assert caught.value.errors[0].loc == ("registered_at",)
    with pytest.raises(InvalidInput) as caught:
        train(synthetic(200, months=2), options=QUICK)
    assert caught.value.errors[0].loc == ("registered_at",)


def test_platt_calibration_keeps_the_order_of_raw_scores(labelled: pl.DataFrame) -> None:
    model = train(labelled, options=replace(QUICK, calibration="platt"))
    scored = model.score_frame(labelled.head(200)).sort("raw_score")
    assert model.calibrator.kind == "platt"
    assert scored["model_score"].is_sorted()
    assert scored["model_score"].min() > 0.0
    assert scored["model_score"].max() < 1.0


def test_a_declaration_computes_its_header_features_once_and_alike(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    shared = [record_of(r) for r in fact_rows(list(labelled.head(5).iter_rows(named=True)))]
    mixed = [record_of(fact_rows([r])[0]) for r in labelled.head(5).iter_rows(named=True)]
    for records in (shared, mixed, shared[:1]):
        assert [
            same(a, b)
            for a, b in zip(
                model.space.declaration(records), [model.space.row(r) for r in records], strict=True
            )
        ] == [True] * len(records)


def test_weights_weigh_the_learning_and_a_weight_not_positive_leaves_the_row_out(
    model: TrainedModel, labelled: pl.DataFrame
) -> None:
    weighted = labelled.with_columns(
        pl.when(pl.int_range(pl.len()) % 50 == 0)
        .then(0.0)
        .otherwise(pl.when(pl.col("label")).then(3.0).otherwise(1.0))
        .alias("weight")
    )
    again = train(weighted, options=QUICK)
    assert again.quality["rows_excluded"] == {"weight not positive": 60}
    assert again.rows == labelled.height - 60
    assert again.sha256 != model.sha256
    # Positives weighed three times: the calibrated scores rise on average.
    frame = labelled.tail(500)
    assert (
        again.score_frame(frame)["model_score"].mean()
        > model.score_frame(frame)["model_score"].mean()
    )
