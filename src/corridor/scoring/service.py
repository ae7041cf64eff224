"""The model registry's use cases: train and register, the lifecycle, load, evaluate.

**Lifecycle.** A trained model is registered as a *draft* version (1, 2, … per name). A
person other than its author *approves* it (four eyes; the author's approval is refused
with Conflict). An approved version is put in *shadow* (scored and recorded, selecting
nothing; several may shadow a flow) or made *active* (its scores select); a shadowing
version may be activated. Any version may be *retired*, with a reason. Every step is
journalled (``model.<step>``, object ``model`` ``NAME/VERSION``) in the same transaction,
and whatever puts a version in or out of service bumps the selectivity generation.

**One active model per flow.** Activating a version while another is active for the
flow is refused with Conflict naming it, unless ``replace`` is asked: then the other is
retired in the same transaction ("replaced by NAME vN", journalled as ``model.retire``)
before the new one becomes active. A partial unique index holds the rule in the
database too, whatever the code path.

**Training.** From labelled files (``--format cdd``: every row of the public Customs
Declaration Dataset is an inspected declaration; label ``Fraud``) or from the stored
inspection acts of a period (:mod:`corridor.scoring.history`: label "discrepancy found",
additional duties kept for revenue; the random control group weighted by the inverse of
the random rate against selection bias, recorded in the version's ``weighting``).

Services never commit: the edge does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from corridor.db.tables import ModelVersionRow
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import service as profiles_service
from corridor.scoring import repository
from corridor.scoring.cdd import read_cdd
from corridor.scoring.core import TrainedModel, TrainingOptions, evaluate, train
from corridor.scoring.history import UNWEIGHTED, labelled_history
from corridor.scoring.schemas import (
    FLOWS,
    NAME_PATTERN,
    EvaluationRead,
    ModelSummary,
    ModelVersionRead,
)

__all__ = [
    "STEPS",
    "Training",
    "activate",
    "active_model",
    "approve",
    "check_target",
    "evaluate_acts",
    "evaluate_files",
    "get_model",
    "learn_from_acts",
    "learn_from_files",
    "list_models",
    "load_model",
    "parse_reference",
    "recorded_evaluation",
    "register",
    "register_training",
    "retire",
    "shadow",
    "train_from_acts",
    "train_from_files",
]

#: step -> (the states it starts from, the state it leads to).
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": (("draft",), "approved"),
    "shadow": (("approved",), "shadow"),
    "activate": (("approved", "shadow"), "active"),
    "retire": (("draft", "approved", "shadow", "active"), "retired"),
}
_IN_SERVICE = ("active", "shadow")


# ====================================================================== names


def _check_name(name: str) -> str:
    if not re.fullmatch(NAME_PATTERN, name):
        raise InvalidInput(
            N_("invalid model name %(name)s", name=repr(name)),
            [FieldError(("name",), N_("letters, digits, dot, dash or underscore; at most 60"))],
        )
    return name


def _check_flow(flow: str) -> str:
    if flow not in FLOWS:
        raise InvalidInput(
            N_("invalid flow %(flow)s", flow=repr(flow)),
            [FieldError(("flow",), N_("one of %(flows)s", flows=", ".join(FLOWS)))],
        )
    return flow


def parse_reference(text: str) -> tuple[str, int | None]:
    """``NAME`` or ``NAME:VERSION`` read into its parts (InvalidInput naming ``model``)."""
    name, sep, number = text.partition(":")
    if sep and not number.isdigit():
        raise InvalidInput(
            N_("invalid model reference %(ref)s", ref=repr(text)),
            [FieldError(("model",), N_("NAME or NAME:VERSION, the version a number"))],
        )
    return _check_name(name), int(number) if sep else None


# ====================================================================== reading


def _summary(row: ModelVersionRow) -> ModelSummary:
    return ModelSummary.model_validate(row)


def _read(row: ModelVersionRow) -> ModelVersionRead:
    return ModelVersionRead.model_validate(row)


def _row(uow: UnitOfWork, name: str, version: int | None) -> ModelVersionRow:
    """The version asked for; without one the active version of the name, else its latest."""
    if version is not None:
        row = repository.version(uow.session, name, version)
        if row is None:
            raise NotFound(
                N_("model %(name)s has no version %(version)s", name=name, version=version)
            )
        return row
    row = repository.active_of_name(uow.session, name) or repository.latest_version(
        uow.session, name
    )
    if row is None:
        raise NotFound(N_("model %(name)s does not exist", name=name))
    return row


def list_models(
    *, uow: UnitOfWork, name: str | None = None, status: str | None = None
) -> list[ModelSummary]:
    """Every version (of a name, in a state), by name, the newest version first."""
    return [_summary(row) for row in repository.versions(uow.session, name=name, status=status)]


def get_model(*, uow: UnitOfWork, name: str, version: int | None = None) -> ModelVersionRead:
    """A version with its card's data (without a version: the active one, else the latest)."""
    return _read(_row(uow, name, version))


def active_model(*, uow: UnitOfWork, flow: str) -> ModelVersionRead | None:
    """The version active for a flow, if any."""
    row = repository.active_for_flow(uow.session, _check_flow(flow))
    return None if row is None else _read(row)


def load_model(
    *, uow: UnitOfWork, name: str, version: int | None = None
) -> tuple[ModelVersionRead, TrainedModel]:
    """A version and its model read from the stored artifact.

    Raises Conflict when the artifact's SHA-256 is not the one registered (the bytes were
    altered since): a model is never used on other bytes than those approved.
    """
    row = _row(uow, name, version)
    digest = hashlib.sha256(row.artifact).hexdigest()
    if digest != row.sha256:
        raise Conflict(
            N_(
                "model %(name)s v%(version)s: the artifact's SHA-256 is %(found)s, "
                "registered %(registered)s",
                name=row.name,
                version=row.version,
                found=digest,
                registered=row.sha256,
            )
        )
    return _read(row), TrainedModel.from_bytes(row.artifact)


# ====================================================================== registering


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _state(row: ModelVersionRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "version": row.version,
        "flow": row.flow,
        "status": row.status,
        "sha256": row.sha256,
        "rows": row.rows,
        "positives": row.positives,
        "source": row.source,
    }


def _journal(
    uow: UnitOfWork,
    action: str,
    row: ModelVersionRow,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    actor: str,
) -> None:
    journal_service.record(
        uow.session,
        actor=actor,
        action=f"model.{action}",
        object_type="model",
        object_id=f"{row.name}/{row.version}",
        before=before,
        after=after,
    )


def register(
    *,
    uow: UnitOfWork,
    model: TrainedModel,
    name: str,
    flow: str,
    source: str,
    inputs: dict[str, Any],
    actor: str,
    weighting: dict[str, Any] | None = None,
    window: tuple[datetime | None, datetime | None] | None = None,
) -> ModelVersionRead:
    """Store a trained model as the next draft version of ``name`` (journalled
    ``model.register``). ``window``: the training period asked for, [from, until); by
    default the first and last registration the rows held."""
    _check_name(name)
    _check_flow(flow)
    latest = repository.latest_version(uow.session, name)
    if latest is not None and latest.flow != flow:
        raise Conflict(
            N_(
                "model %(name)s scores flow %(flow)s; a version cannot score another",
                name=name,
                flow=latest.flow,
            )
        )
    artifact = model.to_bytes()
    first, last = window or (_moment(model.window.get("first")), _moment(model.window.get("last")))
    row = ModelVersionRow(
        name=name,
        version=(latest.version + 1) if latest is not None else 1,
        flow=flow,
        status="draft",
        source=source,
        inputs=inputs,
        artifact=artifact,
        sha256=hashlib.sha256(artifact).hexdigest(),
        window_from=first,
        window_until=last,
        rows=model.rows,
        positives=model.positives,
        features=list(model.features),
        parameters={
            "lightgbm": model.params,
            "rounds": model.rounds,
            "lag_days": model.lag_days,
            "calibration": model.calibrator.kind,
        },
        library_versions=dict(model.versions),
        metrics={"cv": model.cv},
        quality=model.quality,
        weighting=weighting or {"method": UNWEIGHTED},
        created_by=actor,
        created_at=uow.now,
        reason="",
    )
    repository.add(uow.session, row)
    _journal(uow, "register", row, None, _state(row), actor)
    return _read(row)


def _file_inputs(paths: Sequence[Path]) -> dict[str, Any]:
    files = []
    for path in paths:
        data = Path(path).read_bytes()
        files.append(
            {
                "name": Path(path).name,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    return {"format": "cdd", "files": files}


@dataclass(frozen=True, slots=True)
class Training:
    """A trained model and where it learned from, ready to be registered."""

    model: TrainedModel
    source: str
    inputs: dict[str, Any]
    weighting: dict[str, Any]
    window: tuple[datetime | None, datetime | None] | None = None


def check_target(*, name: str, flow: str) -> None:
    """Refuse a bad name or flow before anything is trained (InvalidInput)."""
    _check_name(name)
    _check_flow(flow)


def learn_from_files(*, paths: Sequence[Path], options: TrainingOptions | None = None) -> Training:
    """Train on labelled CDD files (no database). Every row of the dataset is an inspected
    declaration (its label ``Fraud``), so every row weighs 1: the files hold no selection
    basis (the model card says so)."""
    frame = read_cdd(paths)
    return Training(
        model=train(frame, options=options),
        source="cdd",
        inputs=_file_inputs(paths),
        weighting={
            "method": UNWEIGHTED,
            "note": "the files record no selection basis: every row is taken as inspected "
            "alike, so the figures describe the inspected population, not all declarations",
        },
    )


def learn_from_acts(
    *,
    uow: UnitOfWork,
    flow: str,
    since: datetime | None = None,
    until: datetime | None = None,
    options: TrainingOptions | None = None,
) -> Training:
    """Train on the inspection acts of declarations of ``flow`` registered in [since, until)
    (see :mod:`corridor.scoring.history` for labels and weights); reads, writes nothing."""
    _check_flow(flow)
    if since is not None and until is not None and since >= until:
        raise InvalidInput(
            N_("the training period is empty"),
            [FieldError(("until",), N_("must be after the start of the period"))],
        )
    frame, weighting = labelled_history(uow.session, flow=flow, since=since, until=until)
    if frame.height == 0:
        raise InvalidInput(
            N_("no inspected declaration of flow %(flow)s in the period", flow=flow),
            [FieldError(("from",), N_("no inspection act to learn from"))],
        )
    model = train(frame, options=options)
    return Training(
        model=model,
        source="acts",
        inputs={
            "format": "acts",
            "from": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        },
        weighting=weighting,
        window=(
            since or _moment(model.window.get("first")),
            until or _moment(model.window.get("last")),
        ),
    )


def register_training(
    *, uow: UnitOfWork, training: Training, name: str, flow: str, actor: str
) -> ModelVersionRead:
    """Register a training's model as the next draft version of ``name``. Two registrations
    of one name at once meet on the unique (name, version): the edge runs this in
    ``uow.retrying``, and the loser takes the next number."""
    return register(
        uow=uow,
        model=training.model,
        name=name,
        flow=flow,
        source=training.source,
        inputs=training.inputs,
        actor=actor,
        weighting=training.weighting,
        window=training.window,
    )


def train_from_files(
    *,
    uow: UnitOfWork,
    paths: Sequence[Path],
    name: str,
    actor: str,
    flow: str = "IM",
    options: TrainingOptions | None = None,
) -> ModelVersionRead:
    """Train on labelled CDD files and register the model as a draft (one transaction)."""
    check_target(name=name, flow=flow)
    training = learn_from_files(paths=paths, options=options)
    return register_training(uow=uow, training=training, name=name, flow=flow, actor=actor)


def train_from_acts(
    *,
    uow: UnitOfWork,
    name: str,
    actor: str,
    flow: str = "IM",
    since: datetime | None = None,
    until: datetime | None = None,
    options: TrainingOptions | None = None,
) -> ModelVersionRead:
    """Train on the inspection acts of a period and register the model as a draft."""
    check_target(name=name, flow=flow)
    training = learn_from_acts(uow=uow, flow=flow, since=since, until=until, options=options)
    return register_training(uow=uow, training=training, name=name, flow=flow, actor=actor)


# ====================================================================== lifecycle


def _step(uow: UnitOfWork, name: str, version: int, step: str) -> ModelVersionRow:
    row = repository.version(uow.session, _check_name(name), version)
    if row is None:
        raise NotFound(N_("model %(name)s has no version %(version)s", name=name, version=version))
    allowed, _target = STEPS[step]
    if row.status not in allowed:
        raise Conflict(
            N_(
                "model %(name)s v%(version)s is %(status)s; to %(step)s it, it must be %(allowed)s",
                name=name,
                version=version,
                status=row.status,
                step=step,
                allowed=" or ".join(allowed),
            )
        )
    return row


def _move(uow: UnitOfWork, row: ModelVersionRow, step: str, actor: str, comment: str = "") -> None:
    before = {"status": row.status}
    row.status = STEPS[step][1]
    after: dict[str, Any] = {"status": row.status}
    if comment:
        after["reason"] = comment
    uow.session.flush()
    _journal(uow, step, row, before, after, actor)


def approve(*, uow: UnitOfWork, name: str, version: int, actor: str) -> ModelVersionRead:
    """Approve a draft. Raises Conflict when the approver is its author (four eyes)."""
    row = _step(uow, name, version, "approve")
    if actor == row.created_by:
        raise Conflict(
            N_(
                "four eyes: %(actor)s registered model %(name)s v%(version)s and cannot approve it",
                actor=actor,
                name=name,
                version=version,
            )
        )
    row.approved_by, row.approved_at = actor, uow.now
    _move(uow, row, "approve", actor)
    return _read(row)


def shadow(*, uow: UnitOfWork, name: str, version: int, actor: str) -> ModelVersionRead:
    """Put an approved version in shadow: scored and recorded, selecting nothing."""
    row = _step(uow, name, version, "shadow")
    profiles_service.selection_changed(uow=uow)
    row.activated_by, row.activated_at = actor, uow.now
    _move(uow, row, "shadow", actor)
    return _read(row)


def activate(
    *, uow: UnitOfWork, name: str, version: int, actor: str, replace: bool = False
) -> ModelVersionRead:
    """Make an approved or shadowing version the active one of its flow.

    Raises Conflict when another version is active for the flow, naming it, unless
    ``replace``: then that one is retired first, in the same transaction.
    """
    row = _step(uow, name, version, "activate")
    current = repository.active_for_flow(uow.session, row.flow, lock=True)
    if current is not None and not replace:
        raise Conflict(
            N_(
                "model %(other)s v%(other_version)s is active for flow %(flow)s; retire it "
                "first, or activate with replace",
                other=current.name,
                other_version=current.version,
                flow=row.flow,
            )
        )
    profiles_service.selection_changed(uow=uow)
    if current is not None:
        _retire(uow, current, actor, f"replaced by {row.name} v{row.version}")
    row.activated_by, row.activated_at = actor, uow.now
    _move(uow, row, "activate", actor)
    return _read(row)


def _retire(uow: UnitOfWork, row: ModelVersionRow, actor: str, reason: str) -> None:
    row.retired_by, row.retired_at, row.reason = actor, uow.now, reason
    _move(uow, row, "retire", actor, reason)


def retire(
    *, uow: UnitOfWork, name: str, version: int, actor: str, reason: str
) -> ModelVersionRead:
    """Retire a version (for good), with a reason of at least three characters."""
    if len(reason.strip()) < 3:
        raise InvalidInput(
            N_("a reason is required"), [FieldError(("reason",), N_("at least 3 characters"))]
        )
    row = _step(uow, name, version, "retire")
    if row.status in _IN_SERVICE:
        profiles_service.selection_changed(uow=uow)
    _retire(uow, row, actor, reason.strip())
    return _read(row)


# ====================================================================== evaluation


def _summary_of(row: ModelVersionRead, figures: dict[str, Any]) -> EvaluationRead:
    return EvaluationRead(
        model=row.name,
        version=row.version,
        rows=figures["rows"],
        positives=figures["positives"],
        auc=figures["auc"],
        precision_at=figures["precision_at"],
        recall_at=figures["recall_at"],
        revenue_at=figures["revenue_at"],
    )


#: The figures of :func:`corridor.scoring.core.evaluate` kept beside the summary when an
#: evaluation is recorded (its page draws them).
DETAILS: Final = (
    "rows_without_outcome",
    "calibration",
    "by_office",
    "by_month",
    "random_control",
    "drift",
)


def _record(
    uow: UnitOfWork,
    read: ModelVersionRead,
    summary: EvaluationRead,
    figures: dict[str, Any],
    data: dict[str, Any],
    actor: str,
) -> None:
    """Keep an evaluation in the version's metrics (``evaluations``, newest last) and
    journal it (``model.evaluate``): what the model card and the evaluation page show an
    auditor. The journal keeps the summary; the details (calibration, per office and
    month, random control, drift) are on the version."""
    row = repository.version(uow.session, read.name, read.version)
    assert row is not None  # loaded just before, in this transaction
    entry = {
        "at": uow.now.isoformat(),
        "by": actor,
        "data": data,
        **summary.model_dump(mode="json", exclude={"model", "version"}),
    }
    details = {name: figures.get(name) for name in DETAILS}
    # A new dict: the JSON column is saved when it is replaced, not when changed in place.
    row.metrics = {
        **row.metrics,
        "evaluations": [*row.metrics.get("evaluations", []), {**entry, "details": details}],
    }
    uow.session.flush()
    _journal(uow, "evaluate", row, None, entry, actor)


def evaluate_files(
    *,
    uow: UnitOfWork,
    name: str,
    version: int | None,
    paths: Sequence[Path],
    record_by: str | None = None,
) -> tuple[EvaluationRead, dict[str, Any]]:
    """A version's figures on labelled CDD files: the interface's summary and every figure
    of :func:`corridor.scoring.core.evaluate` (calibration, per office and month, drift).
    ``record_by``: keep the summary in the version's metrics, journalled with that actor."""
    row, model = load_model(uow=uow, name=name, version=version)
    figures = evaluate(model, read_cdd(paths))
    summary = _summary_of(row, figures)
    if record_by is not None:
        _record(uow, row, summary, figures, _file_inputs(paths), record_by)
    return summary, figures


def evaluate_acts(
    *,
    uow: UnitOfWork,
    name: str,
    version: int | None,
    since: datetime | None,
    until: datetime | None,
    record_by: str | None = None,
) -> tuple[EvaluationRead, dict[str, Any]]:
    """A version's figures on the inspection acts of a period (its own flow): the summary
    and every figure, with the random control group's (``random_control``: the model's
    top k % among the random controls alone, the unbiased estimate) when the period has
    any; ``record_by`` as for :func:`evaluate_files`."""
    row, model = load_model(uow=uow, name=name, version=version)
    frame, _weighting = labelled_history(uow.session, flow=row.flow, since=since, until=until)
    if frame.height == 0:
        raise InvalidInput(
            N_("no inspected declaration of flow %(flow)s in the period", flow=row.flow),
            [FieldError(("from",), N_("no inspection act to evaluate on"))],
        )
    figures = evaluate(model, frame)
    summary = _summary_of(row, figures)
    if record_by is not None:
        data = {
            "format": "acts",
            "from": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        }
        _record(uow, row, summary, figures, data, record_by)
    return summary, figures


def recorded_evaluation(
    *, uow: UnitOfWork, name: str, version: int, number: int | None = None
) -> tuple[ModelVersionRead, dict[str, Any], int]:
    """A version, one of its recorded evaluations (``number``, from 1 in the order they
    were recorded; None: the latest) and that number. NotFound without it."""
    read = get_model(uow=uow, name=name, version=version)
    recorded = read.metrics.get("evaluations", [])
    if not recorded:
        raise NotFound(
            N_("model %(name)s v%(version)s has no recorded evaluation", name=name, version=version)
        )
    chosen = len(recorded) if number is None else number
    if not 1 <= chosen <= len(recorded):
        raise NotFound(
            N_(
                "model %(name)s v%(version)s has no evaluation %(number)s",
                name=name,
                version=version,
                number=chosen,
            )
        )
    return read, recorded[chosen - 1], chosen
