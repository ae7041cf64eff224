"""Pydantic shapes of the model registry: a model version as the API and pages read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
