"""The pure core of risk scoring: features, training, scoring with reasons, evaluation.

Plain data in, plain data out (Polars, NumPy, LightGBM, scikit-learn): no database,
web or CLI, so the same model trains in a batch job and scores in the engine.

Use::

    model = train(frame, options=TrainingOptions())      # flat item rows with ``label``
    artifact = model.to_bytes(); digest = model.sha256
    model = TrainedModel.from_bytes(artifact)
    scores = model.score_frame(frame)                      # model_score, raw_score
    score, item_scores = model.score_declaration(rows)     # facts.build_rows(...) rows
    why = model.explain(rows)                              # top reasons, in words
    figures = evaluate(model, labelled_frame)

**Never the future (the leakage rule).** A feature of a declaration reads only what
was known when it was registered. Risk rates per importer, declarant, seller, HS code,
country, office, route, … count, in training, only the outcomes of declarations
registered on an earlier UTC day (``lag_days`` ≥ 1 days before: same-day outcomes are
not known yet, and a day is the finest time the public dataset has); the prior they
shrink towards is the rate of those same earlier outcomes. For serving, the counts of
every training outcome are frozen into the model, and cross-validation scores each
month with the tables frozen from the months before it, exactly as serving will.

**A declaration's score** is the highest calibrated probability of its goods items:
a declaration deserves inspection when any of its goods does. ``explain`` gives the
reasons of that item: LightGBM's per-feature contributions to its raw score (log-odds;
their sum plus the base value is the raw score), the largest first, in words.

**Weights.** A ``weight`` column (e.g. the inverse of the selection rate that brought a
declaration to inspection; the random control group is the unbiased sample) weighs
the learning and the calibration; the rate tables count outcomes unweighted.
"""

from corridor.scoring.core.evaluation import (
    KS,
    RANDOM,
    evaluate,
    precision_at,
    psi,
    random_control,
    top_count,
)
from corridor.scoring.core.features import FEATURES, KEYS, FeatureSpace
from corridor.scoring.core.inputs import normalize, record_of
from corridor.scoring.core.model import (
    Calibrator,
    DeclarationScore,
    Explanation,
    Reason,
    TrainedModel,
)
from corridor.scoring.core.training import (
    FEATURE_SETS,
    Candidate,
    TrainingOptions,
    default_candidates,
    train,
)

__all__ = [
    "FEATURES",
    "FEATURE_SETS",
    "KEYS",
    "KS",
    "RANDOM",
    "Calibrator",
    "Candidate",
    "DeclarationScore",
    "Explanation",
    "FeatureSpace",
    "Reason",
    "TrainedModel",
    "TrainingOptions",
    "default_candidates",
    "evaluate",
    "normalize",
    "precision_at",
    "psi",
    "random_control",
    "record_of",
    "top_count",
    "train",
]
