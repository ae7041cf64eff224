"""Evaluation an auditor can recompute: precision, recall and revenue at k, AUC, drift.

Ranking: rows by calibrated score, highest first; ties (isotonic calibration has
plateaus) broken by the raw score, then by the order of the rows. The top k % is
the first ``max(1, round_half_up(k · rows / 100))`` rows. Precision at k is the share
of discrepancies among them, recall the share of all discrepancies they hold, revenue
the share of all additional duties (``duties_assessed``) they hold (``None`` without
that column or when it sums to zero). Rows without an outcome are left out and counted.

Random control (the unbiased estimate): inspected rows carry their ``selection_basis``
where it is known; the rows of the random control group were chosen without regard to
risk, so the model's ranking *among them* says what it would find among declarations
no one chose. Its figures: the control rows, their discrepancies and base rate, and at
each k the top ``max(1, round_half_up(k · controls / 100))`` control rows by score (same
order as above) with the discrepancies among them and their share.

Drift: the population stability index ``Σ (a − e) · ln(a / e)`` over the reference's
decile bins (shares floored at 0.0001), of the score and of the model's main features
against the out-of-fold rows of training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl
from sklearn.metrics import roc_auc_score

from corridor.scoring.core.inputs import normalize

if TYPE_CHECKING:
    from corridor.scoring.core.model import TrainedModel

__all__ = [
    "KS",
    "RANDOM",
    "drift_reference",
    "evaluate",
    "precision_at",
    "psi",
    "random_control",
    "top_count",
]

Floats = npt.NDArray[np.float64]
#: The shares of declarations inspected at which the ranking is measured (percent).
KS: Final = (1, 2, 5, 10)
_FLOOR: Final = 1e-4
#: The selection basis of the random control group (inspection acts record it).
RANDOM: Final = "random"


def top_count(rows: int, k: float) -> int:
    """How many rows the top ``k`` % holds: ``round_half_up(k · rows / 100)``, at least one."""
    return max(1, math.floor(k * rows / 100 + 0.5))


def _order(score: Floats, raw: Floats | None = None) -> npt.NDArray[np.intp]:
    keys = (np.arange(len(score)),) + ((-raw,) if raw is not None else ()) + (-score,)
    return np.lexsort(keys)


def precision_at(score: Floats, labels: Floats, k: float, raw: Floats | None = None) -> float:
    """Share of discrepancies among the top ``k`` % by score (ties by ``raw``, then order)."""
    if len(score) == 0:
        return math.nan
    top = _order(score, raw)[: top_count(len(score), k)]
    return float(labels[top].mean())


def psi(reference: Mapping[str, Any], values: Floats) -> float | None:
    """Population stability index of ``values`` against a reference of :func:`drift_reference`."""
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return None
    edges = np.asarray(reference["edges"])
    expected = np.maximum(np.asarray(reference["shares"]), _FLOOR)
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(expected))
    actual = np.maximum(counts / len(values), _FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _bins(values: Floats) -> dict[str, Any]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return {"edges": [], "shares": [1.0]}
    edges = np.unique(np.quantile(values, np.linspace(0.1, 0.9, 9)))
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return {"edges": edges.tolist(), "shares": (counts / len(values)).tolist()}


def drift_reference(score: Floats, features: Mapping[str, Floats]) -> dict[str, Any]:
    """Decile bins and shares of the score and of each feature: what drift compares with."""
    return {"score": _bins(score), "features": {n: _bins(v) for n, v in features.items()}}


def _auc(labels: Floats, score: Floats) -> float | None:
    if len(labels) == 0 or labels.min() == labels.max():
        return None
    return float(roc_auc_score(labels, score))


def _at(
    order: npt.NDArray[np.intp], labels: Floats, duties: Floats | None
) -> dict[str, dict[str, float] | None]:
    rows, positives = len(labels), float(labels.sum())
    precision, recall, revenue = {}, {}, {}
    total = float(np.nansum(duties)) if duties is not None else 0.0
    for k in KS:
        top = order[: top_count(rows, k)]
        found = float(labels[top].sum())
        precision[str(k)] = found / len(top)
        recall[str(k)] = found / positives if positives else 0.0
        if duties is not None and total > 0:
            revenue[str(k)] = float(np.nansum(duties[top])) / total
    return {
        "precision_at": precision,
        "recall_at": recall,
        "revenue_at": revenue if duties is not None and total > 0 else None,
    }


def _calibration(score: Floats, labels: Floats) -> list[dict[str, Any]]:
    bins = np.minimum((score * 10).astype(int), 9)
    table = []
    for b in range(10):
        inside = bins == b
        if inside.any():
            table.append(
                {
                    "from": b / 10,
                    "to": (b + 1) / 10,
                    "rows": int(inside.sum()),
                    "mean_score": float(score[inside].mean()),
                    "observed_rate": float(labels[inside].mean()),
                }
            )
    return table


def _groups(
    keys: list[Any], score: Floats, raw: Floats, labels: Floats
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    column = np.array(["" if k is None else str(k) for k in keys], dtype=object)
    for value in sorted(set(column.tolist())):
        inside = column == value
        s, r, y = score[inside], raw[inside], labels[inside]
        out[value] = {
            "rows": int(inside.sum()),
            "positives": int(y.sum()),
            "mean_score": float(s.mean()),
            "auc": _auc(y, r),
            "precision_at_10": precision_at(s, y, 10, r),
        }
    return out


def random_control(
    score: Floats, labels: Floats, controls: npt.NDArray[np.bool_], raw: Floats | None = None
) -> dict[str, Any] | None:
    """The model's top k % among the random control rows only (``None`` without any)."""
    inside = np.flatnonzero(controls)
    if len(inside) == 0:
        return None
    s, y = score[inside], labels[inside]
    order = _order(s, None if raw is None else raw[inside])
    at: dict[str, dict[str, Any]] = {}
    for k in KS:
        top = order[: top_count(len(inside), k)]
        found = int(y[top].sum())
        at[str(k)] = {"rows": len(top), "positives": found, "precision": found / len(top)}
    positives = int(y.sum())
    return {
        "rows": len(inside),
        "positives": positives,
        "base_rate": positives / len(inside),
        "at": at,
    }


def _drift(model: TrainedModel, score: Floats, matrix: Floats, months: list[str]) -> dict[str, Any]:
    reference = model.reference
    if not reference:
        return {}
    names = model.features
    month_values = np.array(months, dtype=object)
    in_month = {m: month_values == m for m in sorted(set(months))}
    return {
        "score": psi(reference["score"], score),
        "features": {
            name: psi(bins, matrix[:, names.index(name)])
            for name, bins in reference["features"].items()
        },
        "score_by_month": {
            m: psi(reference["score"], score[inside]) for m, inside in in_month.items()
        },
        "features_by_month": {
            name: {
                m: psi(bins, matrix[inside, names.index(name)]) for m, inside in in_month.items()
            }
            for name, bins in reference["features"].items()
        },
    }


def evaluate(model: TrainedModel, frame: pl.DataFrame) -> dict[str, Any]:
    """The model's figures on labelled flat item rows (see the module's definitions)."""
    typed = normalize(frame)
    has_duties = "duties_assessed" in frame.columns
    unlabelled = typed.filter(pl.col("label").is_null()).height
    typed = typed.filter(pl.col("label").is_not_null())
    scored = model.score_frame(typed)
    score = scored["model_score"].to_numpy()
    raw = scored["raw_score"].to_numpy()
    labels = typed["label"].cast(pl.Float64).to_numpy()
    duties = typed["duties_assessed"].to_numpy() if has_duties else None
    order = _order(score, raw)
    matrix = model.space.batch(typed).to_numpy() if typed.height else np.zeros((0, 0))
    months = typed["registered_at"].dt.strftime("%Y-%m").to_list()
    controls = (
        (typed["selection_basis"] == RANDOM).fill_null(value=False).to_numpy()
        if "selection_basis" in typed.columns
        else np.zeros(typed.height, dtype=bool)
    )
    return {
        "rows": typed.height,
        "positives": int(labels.sum()),
        "rows_without_outcome": unlabelled,
        "auc": _auc(labels, raw),
        **_at(order, labels, duties),
        "calibration": _calibration(score, labels),
        "by_office": _groups(typed["office"].to_list(), score, raw, labels),
        "by_month": _groups(months, score, raw, labels),
        "random_control": random_control(score, labels, controls, raw),
        "drift": _drift(model, score, matrix, months),
    }
