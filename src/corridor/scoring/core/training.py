"""Training: time-ordered cross-validation chooses, LightGBM learns, out-of-fold calibrates.

Folds are months: the last ``folds`` months of the training rows are validated one by
one, each on a model trained on every earlier month. A fold is scored as serving would
score it: with the rate tables and categories frozen from its training months. Every
candidate (:class:`Candidate`) is tried on every fold, with its number of rounds read
at checkpoints (every ``round_step``): a candidate keeps the fewest rounds whose mean of
precision at 5 % and 10 % over the folds is within ``round_tolerance`` of its best
(scoring time grows with the rounds), and the candidate with the best such mean wins. Its
out-of-fold predictions fit the calibrator and are the reference for drift. The final
model learns on every row with as-of features (:mod:`corridor.scoring.core.rates`).
"""

from __future__ import annotations

import itertools
import math
import platform
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import Any, Final, Literal

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from corridor.errors import N_, FieldError, InvalidInput
from corridor.scoring.core.evaluation import drift_reference, precision_at
from corridor.scoring.core.features import (
    BY_NAME,
    FEATURES,
    Count,
    Feature,
    FeatureSpace,
    Rate,
    keys_of,
    vocabularies,
)
from corridor.scoring.core.inputs import CODE_COLUMNS, NUMBER_COLUMNS, normalize
from corridor.scoring.core.model import Calibrator, Floats, TrainedModel
from corridor.scoring.core.rates import Key, as_of, freeze

__all__ = ["FEATURE_SETS", "Candidate", "TrainingOptions", "default_candidates", "train"]

_PRODUCTS: Final = (
    "hs6_origin",
    "hs6_dispatch",
    "hs4_origin",
    "hs6_tax",
    "hs6_duty",
    "hs6_office",
    "hs6_indicator",
    "tax",
)
_TRADERS: Final = (
    "importer_hs6",
    "declarant_importer",
    "declarant_hs6",
    "seller_hs6",
    "importer_origin",
)
_CODES: Final = ("heading_code", "subheading_code")


def _set(*, products: bool, traders: bool, codes: bool) -> tuple[str, ...]:
    chosen: list[Feature] = []
    for feature in FEATURES:
        if isinstance(feature, Rate | Count) and (
            (feature.key in _PRODUCTS and not products) or (feature.key in _TRADERS and not traders)
        ):
            continue
        if feature.name in _CODES and not codes:
            continue
        chosen.append(feature)
    return tuple(f.name for f in chosen)


#: Named feature subsets cross-validation chooses among: rates of single keys, plus
#: goods against places and duty, plus traders against goods.
FEATURE_SETS: Final = {
    "single": _set(products=False, traders=False, codes=False),
    "products": _set(products=True, traders=False, codes=True),
    "all": _set(products=True, traders=True, codes=True),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One choice cross-validation tries."""

    num_leaves: int = 31
    learning_rate: float = 0.1
    min_data_in_leaf: int = 40
    m: float = 10.0
    features: str = "all"
    feature_fraction: float = 0.8


def default_candidates() -> tuple[Candidate, ...]:
    """The grid tried by default: feature sets × leaves (shrinkage ``m`` 10, see
    benchmarks/README.md for the choices tried beside it)."""
    return tuple(
        Candidate(num_leaves=leaves, features=subset)
        for subset, leaves in itertools.product(("single", "products", "all"), (31, 63))
    )


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    """How to train: the candidates, folds, rounds, calibration, seed and threads."""

    candidates: tuple[Candidate, ...] = field(default_factory=default_candidates)
    folds: int = 4
    max_rounds: int = 400
    round_step: int = 25
    round_tolerance: float = 0.005
    lag_days: int = 1
    calibration: Literal["isotonic", "platt"] = "isotonic"
    seed: int = 0
    threads: int = 1
    drift_features: int = 10


def _params(candidate: Candidate, options: TrainingOptions) -> dict[str, Any]:
    return {
        "objective": "binary",
        "num_leaves": candidate.num_leaves,
        "learning_rate": candidate.learning_rate,
        "min_data_in_leaf": candidate.min_data_in_leaf,
        "feature_fraction": candidate.feature_fraction,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "cat_smooth": 10.0,
        "seed": options.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": options.threads,
        "verbosity": -1,
    }


def _space(frame: pl.DataFrame, candidate: Candidate) -> FeatureSpace:
    """Features of a candidate with categories and rate tables frozen from ``frame``."""
    features = tuple(BY_NAME[name] for name in FEATURE_SETS[candidate.features])
    return FeatureSpace(
        features, vocabularies(frame, features), freeze(frame, keys_of(features)), candidate.m
    )


def _fit(
    matrix: Floats,
    labels: Floats,
    weights: Floats,
    space: FeatureSpace,
    params: dict[str, Any],
    rounds: int,
) -> lgb.Booster:
    data = lgb.Dataset(
        matrix,
        label=labels,
        weight=weights,
        feature_name=space.names,
        categorical_feature=space.categorical,
        free_raw_data=True,
        params={"verbosity": -1},
    )
    return lgb.train(params, data, num_boost_round=rounds)


def _prepare(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    typed = normalize(frame)
    excluded: dict[str, int] = {}
    conditions = {
        "no registration time": pl.col("registered_at").is_null(),
        "no outcome recorded": pl.col("label").is_null(),
        "weight not positive": pl.col("weight").is_not_null() & (pl.col("weight") <= 0),
    }
    for reason, condition in conditions.items():
        count = typed.filter(condition).height
        if count:
            excluded[reason] = count
            typed = typed.filter(~condition)
    return typed.sort("registered_at", maintain_order=True), excluded


def _quality(
    raw_rows: int,
    frame: pl.DataFrame,
    matrix: Floats,
    space: FeatureSpace,
    excluded: dict[str, int],
) -> dict[str, Any]:
    months = (
        frame.group_by(pl.col("registered_at").dt.strftime("%Y-%m").alias("month"))
        .agg(pl.len().alias("rows"), pl.col("label").sum().alias("positives"))
        .sort("month")
    )
    return {
        "rows_read": raw_rows,
        "rows_used": frame.height,
        "rows_excluded": excluded,
        "missing_inputs": {
            name: round(float(frame[name].null_count()) / max(frame.height, 1), 6)
            for name in (*CODE_COLUMNS, *NUMBER_COLUMNS)
        },
        "missing_features": {
            name: round(float(np.isnan(matrix[:, i]).mean()), 6) if matrix.size else 0.0
            for i, name in enumerate(space.names)
        },
        "label_rate_by_month": [
            {
                "month": month,
                "rows": rows,
                "positives": positives,
                "rate": round(positives / rows, 6),
            }
            for month, rows, positives in months.iter_rows()
        ],
    }


def train(frame: pl.DataFrame, *, options: TrainingOptions | None = None) -> TrainedModel:
    """Choose by time-ordered cross-validation, then learn on every labelled row.

    ``frame``: flat item rows with ``label`` (rows without one are left out and
    counted), optionally ``weight`` (selection-bias weights; 1 when missing).
    Raises InvalidInput when fewer than ``options.folds + 1`` months hold outcomes,
    or when the rows hold no discrepancy or nothing but discrepancies.
    """
    options = options or TrainingOptions()
    if not options.candidates:
        raise InvalidInput(N_("nothing to try"), [FieldError(("candidates",), N_("empty"))])
    data, excluded = _prepare(frame)
    labels = data["label"].cast(pl.Float64).to_numpy()
    if data.height == 0 or labels.min() == labels.max():
        raise InvalidInput(
            N_("the rows need outcomes of both kinds to learn from"),
            [FieldError(("label",), N_("%(rows)s labelled rows", rows=data.height))],
        )
    weights = data["weight"].fill_null(1.0).to_numpy()
    month = data["registered_at"].dt.truncate("1mo")
    months = month.unique().sort().to_list()
    if len(months) < options.folds + 1:
        raise InvalidInput(
            N_("cross-validation needs more months of outcomes"),
            [FieldError(("registered_at",), N_("%(months)s months", months=len(months)))],
        )
    counted = as_of(data, _all_keys(options), lag_days=options.lag_days)
    checkpoints = list(range(options.round_step, options.max_rounds + 1, options.round_step))
    folds = []
    for start in months[-options.folds :]:
        before = (month < start).to_numpy()
        inside = (month == start).to_numpy()
        folds.append((before, inside))

    results: list[dict[str, Any]] = []
    oof_by_candidate: dict[int, dict[int, Floats]] = {}
    for index, candidate in enumerate(options.candidates):
        params = _params(candidate, options)
        per_round: dict[int, list[float]] = {k: [] for k in checkpoints}
        oof: dict[int, Floats] = {k: np.full(data.height, np.nan) for k in checkpoints}
        for before, inside in folds:
            past = data.filter(pl.Series(before))
            space = _space(past, candidate)
            fit_matrix = space.batch(counted.filter(pl.Series(before)), counted=True).to_numpy()
            booster = _fit(
                fit_matrix, labels[before], weights[before], space, params, options.max_rounds
            )
            valid = space.batch(data.filter(pl.Series(inside))).to_numpy()
            for k in checkpoints:
                raw = np.asarray(booster.predict(valid, raw_score=True, num_iteration=k))
                oof[k][inside] = raw
                per_round[k].append(
                    (precision_at(raw, labels[inside], 5) + precision_at(raw, labels[inside], 10))
                    / 2
                )
        best = max(float(np.mean(per_round[k])) for k in checkpoints)
        # The fewest rounds within the tolerance of the best: scoring time grows with them.
        best_k = min(
            k for k in checkpoints if float(np.mean(per_round[k])) >= best - options.round_tolerance
        )
        oof_by_candidate[index] = {best_k: oof[best_k]}
        results.append(
            {
                "candidate": asdict(candidate),
                "rounds": best_k,
                "score": float(np.mean(per_round[best_k])),
                "precision_at_5": _fold_mean(oof[best_k], labels, folds, 5),
                "precision_at_10": _fold_mean(oof[best_k], labels, folds, 10),
            }
        )
    chosen_index = max(range(len(results)), key=lambda i: (results[i]["score"], -i))
    chosen = options.candidates[chosen_index]
    rounds = int(results[chosen_index]["rounds"])
    oof_raw = oof_by_candidate[chosen_index][rounds]
    validated = ~np.isnan(oof_raw)
    calibrator = _calibrate(oof_raw[validated], labels[validated], weights[validated], options)

    space = _space(data, chosen)
    matrix = space.batch(counted, counted=True).to_numpy()
    params = _params(chosen, options)
    booster = _fit(matrix, labels, weights, space, params, rounds)
    gains = booster.feature_importance(importance_type="gain")
    main = [space.names[i] for i in np.argsort(-gains)[: options.drift_features]]
    # The reference of drift is what serving saw in cross-validation: out-of-fold rows.
    reference_rows = data.filter(pl.Series(validated))
    reference_matrix = space.batch(reference_rows).to_numpy()
    reference = drift_reference(
        calibrator(oof_raw[validated]),
        {name: reference_matrix[:, space.names.index(name)] for name in main},
    )
    at = data["registered_at"]
    return TrainedModel(
        booster=booster,
        space=space,
        calibrator=calibrator,
        params=params,
        rounds=rounds,
        lag_days=options.lag_days,
        cv={
            "folds": [s.strftime("%Y-%m") for s in months[-options.folds :]],
            "chosen": results[chosen_index],
            "candidates": results,
            "selection": "mean of precision at 5 % and 10 % over the folds",
        },
        window={"first": at.min().isoformat(), "last": at.max().isoformat()},  # type: ignore[union-attr]
        rows=data.height,
        positives=int(labels.sum()),
        versions={
            "python": platform.python_version(),
            **{name: version(name) for name in ("lightgbm", "numpy", "polars", "scikit-learn")},
        },
        quality=_quality(frame.height, data, matrix, space, excluded),
        reference=reference,
    )


def _all_keys(options: TrainingOptions) -> tuple[Key, ...]:
    """Every key a candidate reads: their as-of counts are computed once for all."""
    return keys_of([BY_NAME[name] for c in options.candidates for name in FEATURE_SETS[c.features]])


def _fold_mean(raw: Floats, labels: Floats, folds: list[Any], k: float) -> float:
    return float(np.mean([precision_at(raw[inside], labels[inside], k) for _b, inside in folds]))


def _calibrate(
    raw: Floats, labels: Floats, weights: Floats, options: TrainingOptions
) -> Calibrator:
    if options.calibration == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(raw, labels, sample_weight=weights)
        return Calibrator(
            "isotonic",
            x=tuple(float(v) for v in iso.X_thresholds_),
            y=tuple(float(v) for v in iso.y_thresholds_),
        )
    platt = LogisticRegression(C=1e6)
    platt.fit(raw.reshape(-1, 1), labels, sample_weight=weights)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    if not (math.isfinite(a) and math.isfinite(b)):
        raise InvalidInput(N_("calibration failed"), [FieldError(("calibration",), "platt")])
    return Calibrator("platt", a=a, b=b)
