"""Pydantic shapes of the model registry: a model version as the API and pages read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.exports import csv_text
from corridor.text import InputModel

#: The lifecycle of a model version (see :mod:`corridor.scoring.service`).
ModelStatus = Literal["draft", "approved", "active", "shadow", "retired"]
STATUSES: tuple[ModelStatus, ...] = ("draft", "approved", "active", "shadow", "retired")
Flow = Literal["IM", "EX"]
FLOWS: tuple[Flow, ...] = ("IM", "EX")
#: A model's name: letters, digits, dot, dash, underscore (it is a path segment).
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$"


class ModelVersionRead(BaseModel):
    """A model version with what describes it (never the artifact's bytes)."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    version: int
    flow: str
    status: str
    source: str
    inputs: dict[str, Any]
    sha256: str
    window_from: datetime | None
    window_until: datetime | None
    rows: int
    positives: int
    features: list[str]
    parameters: dict[str, Any]
    library_versions: dict[str, str]
    metrics: dict[str, Any]
    quality: dict[str, Any]
    weighting: dict[str, Any]
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    activated_by: str | None
    activated_at: datetime | None
    retired_by: str | None
    retired_at: datetime | None
    reason: str


class ModelSummary(BaseModel):
    """A line of the registry's list."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    version: int
    flow: str
    status: str
    source: str
    sha256: str
    rows: int
    positives: int
    created_by: str
    created_at: datetime
    activated_at: datetime | None


class ActivateIn(InputModel):
    """Activate a version; ``replace`` retires the version active for the flow, in the same
    transaction (without it, activation is refused while another is active)."""

    replace: bool = False


class RetireIn(InputModel):
    """Why a version is retired."""

    reason: str = Field(min_length=3, max_length=2000)


class EvaluationRead(BaseModel):
    """A model's figures on labelled rows (the shape ``corridor model evaluate --json`` prints)."""

    model: str
    version: int
    rows: int
    positives: int
    auc: float | None
    precision_at: dict[str, float]
    recall_at: dict[str, float]
    revenue_at: dict[str, float] | None


#: The columns of a recorded evaluation as CSV: one figure a line.
EVALUATION_COLUMNS = ("section", "group", "month", "measure", "value")


def evaluation_rows(entry: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A recorded evaluation (``metrics["evaluations"][i]``) as one figure a line:
    (section, group, month, measure, value); shares are fractions, PSI plain numbers."""
    rows: list[tuple[Any, ...]] = [
        ("summary", "", "", name, entry.get(name)) for name in ("rows", "positives", "auc")
    ]
    for measure in ("precision", "recall", "revenue"):
        for k, value in (entry.get(f"{measure}_at") or {}).items():
            rows.append(("at_k", f"{k} %", "", measure, value))
    details = entry.get("details") or {}
    control = details.get("random_control")
    if control:
        for name in ("rows", "positives", "base_rate"):
            rows.append(("random_control", "", "", name, control[name]))
        for k, at in control["at"].items():
            for name in ("rows", "positives", "precision"):
                rows.append(("random_control", f"{k} %", "", name, at[name]))
    for bin_ in details.get("calibration") or []:
        group = f"{bin_['from']:.1f}-{bin_['to']:.1f}"
        for name in ("rows", "mean_score", "observed_rate"):
            rows.append(("calibration", group, "", name, bin_[name]))
    for section, key in (("office", "by_office"), ("month", "by_month")):
        for group, figures in (details.get(key) or {}).items():
            for name in ("rows", "positives", "mean_score", "auc", "precision_at_10"):
                rows.append((section, group, "", name, figures.get(name)))
    drift = details.get("drift") or {}
    if drift:
        rows.append(("drift", "model_score", "", "psi", drift.get("score")))
        for month, value in drift.get("score_by_month", {}).items():
            rows.append(("drift", "model_score", month, "psi", value))
        for feature, value in drift.get("features", {}).items():
            rows.append(("drift", feature, "", "psi", value))
        for feature, months in drift.get("features_by_month", {}).items():
            for month, value in months.items():
                rows.append(("drift", feature, month, "psi", value))
    return rows


def evaluation_csv(entry: dict[str, Any]) -> str:
    """A recorded evaluation as CSV (:func:`evaluation_rows`, through ``corridor.exports``)."""
    return csv_text(EVALUATION_COLUMNS, evaluation_rows(entry))
