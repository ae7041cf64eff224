"""A trained model: booster, frozen tables, calibrator; scoring, reasons, bytes.

The artifact is one JSON document (sorted keys, UTF-8): LightGBM's own model text,
the frozen rate tables and categories, the calibrator's points, the parameters,
metrics and the data-quality report. Nothing is pickled; :meth:`TrainedModel.sha256`
is the digest of exactly those bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import polars as pl

from corridor.errors import N_, FieldError, InvalidInput, Message
from corridor.scoring.core.features import (
    BY_NAME,
    Amount,
    Calendar,
    Category,
    Count,
    Feature,
    FeatureSpace,
    Rate,
    UnitValue,
)
from corridor.scoring.core.inputs import normalize, record_of
from corridor.scoring.core.rates import RateTables
from corridor.scoring.core.reasons import (
    COUNT,
    RATE,
    VALUED,
    Amount2,
    Percent,
    Signed,
    Whole,
    sentence,
)

__all__ = [
    "ARTIFACT_FORMAT",
    "Calibrator",
    "DeclarationScore",
    "Explanation",
    "Reason",
    "TrainedModel",
]

ARTIFACT_FORMAT: Final = "corridor.scoring/1"
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Calibrator:
    """Raw score (log-odds) to probability: isotonic points (interpolated) or Platt's line."""

    kind: str
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def __call__(self, raw: Floats) -> Floats:
        """The calibrated probabilities of raw scores."""
        if self.kind == "isotonic":
            return np.asarray(np.interp(raw, self.x, self.y), dtype=np.float64)
        return np.asarray(1.0 / (1.0 + np.exp(-(self.a * raw + self.b))), dtype=np.float64)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "x": list(self.x), "y": list(self.y), "a": self.a, "b": self.b}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Calibrator:
        """Read :meth:`as_dict`'s form."""
        return cls(data["kind"], tuple(data["x"]), tuple(data["y"]), data["a"], data["b"])


class DeclarationScore(NamedTuple):
    """A declaration's score (the highest of its items') and each item's, in order."""

    score: float
    items: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature's part in an item's raw score (log-odds), in words for analysts."""

    feature: str
    value: float | str | None
    contribution: float
    #: The English text; its template and parameters (``text.template``, ``text.params``)
    #: say it in another language.
    text: Message


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an item scored as it did: base value plus every contribution is its raw score."""

    item: int
    score: float
    raw_score: float
    base: float
    reasons: tuple[Reason, ...]


@dataclass
class TrainedModel:
    """Everything needed to score and to account for a model, in one object."""

    booster: lgb.Booster
    space: FeatureSpace
    calibrator: Calibrator
    params: dict[str, Any]
    rounds: int
    lag_days: int
    cv: dict[str, Any]
    window: dict[str, str | None]
    rows: int
    positives: int
    versions: dict[str, str]
    quality: dict[str, Any]
    reference: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ scoring

    @property
    def features(self) -> list[str]:
        """The features' names, in the booster's column order."""
        return self.space.names

    def matrix(self, frame: pl.DataFrame) -> Floats:
        """The feature matrix of flat item rows (normalized here), frozen tables joined."""
        return self.space.batch(normalize(frame)).to_numpy().astype(np.float64, copy=False)

    def raw(self, matrix: Floats, *, threads: int = 0) -> Floats:
        """LightGBM's raw scores (log-odds) of a feature matrix."""
        if matrix.shape[0] == 0:
            return np.zeros(0)
        if threads:
            found = self.booster.predict(matrix, raw_score=True, num_threads=threads)
        else:
            found = self.booster.predict(matrix, raw_score=True)
        return np.asarray(found, dtype=np.float64)

    def score_frame(self, frame: pl.DataFrame, *, threads: int = 0) -> pl.DataFrame:
        """Each row's ``model_score`` (calibrated probability) and ``raw_score``, in order."""
        raw = self.raw(self.matrix(frame), threads=threads)
        return pl.DataFrame({"model_score": self.calibrator(raw), "raw_score": raw})

    def _declaration_matrix(self, rows: Sequence[Mapping[str, Any]]) -> Floats:
        return np.array(self.space.declaration([record_of(row) for row in rows]), dtype=np.float64)

    def score_declaration(self, rows: Sequence[Mapping[str, Any]]) -> DeclarationScore:
        """One declaration's fact rows (``build_rows``) scored on one thread.

        The declaration's score is the highest item probability: a declaration is worth
        inspecting when any of its goods is.
        """
        if not rows:
            return DeclarationScore(math.nan, ())
        scores = self.calibrator(self.raw(self._declaration_matrix(rows), threads=1))
        items = tuple(float(s) for s in scores)
        return DeclarationScore(max(items), items)

    def contributions(self, rows: Sequence[Mapping[str, Any]]) -> Floats:
        """LightGBM's per-feature contributions of each item; the last column is the base."""
        matrix = self._declaration_matrix(rows)
        return np.asarray(
            self.booster.predict(matrix, pred_contrib=True, num_threads=1), dtype=np.float64
        )

    def explain(self, rows: Sequence[Mapping[str, Any]], *, top: int = 5) -> Explanation:
        """The top reasons of the declaration's highest-scoring item, largest first.

        Reasons are ordered by the size of their contribution to the raw score (log-odds);
        their words show the feature's value as an analyst reads it.
        """
        if not rows:
            raise InvalidInput(
                N_("a declaration has no goods item"), [FieldError(("rows",), "empty")]
            )
        contributions = self.contributions(rows)
        raw = contributions.sum(axis=1)
        item = int(np.argmax(raw))
        record = record_of(rows[item])
        values = self.space.row(record)
        found = contributions[item]
        order = sorted(range(len(self.features)), key=lambda i: -abs(found[i]))[:top]
        reasons = tuple(
            self._reason(self.space.features[i], values[i], float(found[i]), record) for i in order
        )
        return Explanation(
            item=item,
            score=float(self.calibrator(np.array([raw[item]]))[0]),
            raw_score=float(raw[item]),
            base=float(found[-1]),
            reasons=reasons,
        )

    def _reason(
        self, feature: Feature, value: float, contribution: float, record: Mapping[str, Any]
    ) -> Reason:
        shown: float | str | None = None if math.isnan(value) else value
        sign = Signed(contribution)
        text: Message
        match feature:
            case Rate(key=key):
                text = sentence(RATE[key], rate=Percent(value), contribution=sign)
            case Count(key=key):
                text = sentence(COUNT[key], count=Whole(value), contribution=sign)
            case Category(column=column, digits=digits):
                raw = record.get(column)
                shown = None if raw is None else (raw if digits is None else raw[:digits])
                valued, missing = VALUED[feature.name]
                text = (
                    sentence(missing, contribution=sign)
                    if shown is None
                    else sentence(valued, code=str(shown), contribution=sign)
                )
            case Amount(column=column) | UnitValue(numerator=column):
                if isinstance(feature, UnitValue):
                    den = record.get(feature.denominator)
                    num = record.get(column)
                    shown = num / den if num is not None and den else None
                else:
                    shown = record.get(column)
                valued, missing = VALUED[feature.name]
                text = (
                    sentence(missing, contribution=sign)
                    if shown is None
                    else sentence(valued, amount=Amount2(float(shown)), contribution=sign)
                )
            case Calendar():
                valued, missing = VALUED[feature.name]
                text = (
                    sentence(missing, contribution=sign)
                    if shown is None
                    else sentence(valued, number=Whole(value), contribution=sign)
                )
        return Reason(feature.name, shown, contribution, text)

    # ------------------------------------------------------------------ the artifact

    def to_bytes(self) -> bytes:
        """The artifact: one JSON document, LightGBM's model text inside."""
        document = {
            "format": ARTIFACT_FORMAT,
            "booster": self.booster.model_to_string(),
            "features": [repr(f) for f in self.space.features],
            "feature_names": self.features,
            "vocabularies": {k: list(v) for k, v in self.space.vocabularies.items()},
            "tables": {
                name: [[value, hits, n] for value, (hits, n) in table.items()]
                for name, table in self.space.tables.counts.items()
            },
            "prior": self.space.tables.prior,
            "m": self.space.m,
            "calibrator": self.calibrator.as_dict(),
            "params": self.params,
            "rounds": self.rounds,
            "lag_days": self.lag_days,
            "cv": self.cv,
            "window": self.window,
            "rows": self.rows,
            "positives": self.positives,
            "versions": self.versions,
            "quality": self.quality,
            "reference": self.reference,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    @property
    def sha256(self) -> str:
        """The SHA-256 (hex) of :meth:`to_bytes`."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedModel:
        """Read an artifact of :meth:`to_bytes`.

        Raises InvalidInput when it is not one, or names a feature this code defines
        otherwise than when it was trained.
        """
        try:
            document = json.loads(data)
            if document.get("format") != ARTIFACT_FORMAT:
                raise ValueError("not a corridor scoring model")
        except (ValueError, AttributeError) as error:
            raise InvalidInput(
                N_("the model artifact cannot be read"),
                [FieldError(("artifact",), str(error))],
            ) from None
        try:
            return cls._read(document)
        except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as error:
            raise InvalidInput(
                N_("the model artifact cannot be read"),
                [FieldError(("artifact",), f"{type(error).__name__}: {error}")],
            ) from None

    @classmethod
    def _read(cls, document: dict[str, Any]) -> TrainedModel:
        features = []
        for name, written in zip(document["feature_names"], document["features"], strict=True):
            feature = BY_NAME.get(name)
            if feature is None or repr(feature) != written:
                raise InvalidInput(
                    N_("the model artifact cannot be read"),
                    [FieldError(("features", name), N_("defined otherwise by this version"))],
                )
            features.append(feature)
        tables = RateTables(
            counts={
                name: {value: (int(hits), int(n)) for value, hits, n in rows}
                for name, rows in document["tables"].items()
            },
            prior=float(document["prior"]),
        )
        space = FeatureSpace(
            tuple(features),
            {k: tuple(v) for k, v in document["vocabularies"].items()},
            tables,
            float(document["m"]),
        )
        return cls(
            booster=lgb.Booster(model_str=document["booster"]),
            space=space,
            calibrator=Calibrator.of(document["calibrator"]),
            params=document["params"],
            rounds=document["rounds"],
            lag_days=document["lag_days"],
            cv=document["cv"],
            window=document["window"],
            rows=document["rows"],
            positives=document["positives"],
            versions=document["versions"],
            quality=document["quality"],
            reference=document["reference"],
        )
