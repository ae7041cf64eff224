"""The model registry on real databases (SQLite and PostgreSQL): registration, the
lifecycle with four eyes, one active model per flow (service and database), the journal,
training from stored inspection acts with selection-bias weights."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import (
    ModelVersionRow,
)
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.journal import service as journal_service
from corridor.scoring import service
from corridor.scoring.core import TrainedModel, train
from tests.scoring_acts import store_inspected
from tests.scoring_data import QUICK, synthetic

Factory = sessionmaker[Session]
ANALYST, APPROVER = "a.analyst", "b.approver"


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(synthetic(1500, months=4), options=QUICK)


def run(factory: Factory, action: Any) -> Any:
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def register(factory: Factory, model: TrainedModel, name: str = "imports", flow: str = "IM") -> Any:
    return run(
        factory,
        lambda uow: service.register(
            uow=uow, model=model, name=name, flow=flow, source="cdd", inputs={}, actor=ANALYST
        ),
    )


def approved(factory: Factory, model: TrainedModel, name: str = "imports") -> int:
    version: int = register(factory, model, name).version
    run(factory, lambda uow: service.approve(uow=uow, name=name, version=version, actor=APPROVER))
    return version


def entries(factory: Factory, object_id: str | None = None) -> list[tuple[str, str, Any]]:
    with UnitOfWork(factory) as uow:
        page = journal_service.entries(
            uow=uow, include_confidential=True, cursor=None, limit=500, object_type="model"
        )
    found = [(e.action, e.object_id, e.after) for e in reversed(page.items)]
    return [e for e in found if object_id is None or e[1] == object_id]


def test_a_registered_model_is_a_draft_whose_artifact_scores_as_trained(
    session_factory: Factory, trained: TrainedModel
) -> None:
    first = register(session_factory, trained)
    second = register(session_factory, trained)
    assert (first.version, second.version, first.status) == (1, 2, "draft")
    assert first.sha256 == trained.sha256
    assert (first.rows, first.positives) == (trained.rows, trained.positives)
    assert first.features == trained.features
    assert first.library_versions["lightgbm"] == trained.versions["lightgbm"]
    assert first.quality["label_rate_by_month"]
    assert first.metrics["cv"]["chosen"]["rounds"] == trained.rounds
    frame = synthetic(200, seed=9)
    with UnitOfWork(session_factory) as uow:
        read, model = service.load_model(uow=uow, name="imports", version=1)
        latest = service.get_model(uow=uow, name="imports")
    assert read.version == 1
    assert latest.version == 2  # no active version: the latest
    assert model.score_frame(frame).equals(trained.score_frame(frame))
    assert [e[:2] for e in entries(session_factory)] == [
        ("model.register", "imports/1"),
        ("model.register", "imports/2"),
    ]


def test_an_altered_artifact_is_refused(session_factory: Factory, trained: TrainedModel) -> None:
    register(session_factory, trained)
    with session_factory() as session:
        session.execute(update(ModelVersionRow).values(artifact=b"{}"))
        session.commit()
    with UnitOfWork(session_factory) as uow, pytest.raises(Conflict, match="SHA-256"):
        service.load_model(uow=uow, name="imports", version=1)


def test_four_eyes_the_author_cannot_approve_and_nothing_is_written(
    session_factory: Factory, trained: TrainedModel
) -> None:
    register(session_factory, trained)
    with pytest.raises(Conflict, match="four eyes"):
        run(
            session_factory,
            lambda uow: service.approve(uow=uow, name="imports", version=1, actor=ANALYST),
        )
    with UnitOfWork(session_factory) as uow:
        assert service.get_model(uow=uow, name="imports", version=1).status == "draft"
    assert len(entries(session_factory)) == 1
    done = run(
        session_factory,
        lambda uow: service.approve(uow=uow, name="imports", version=1, actor=APPROVER),
    )
    assert (done.status, done.approved_by) == ("approved", APPROVER)
    assert entries(session_factory)[-1] == (
        "model.approve",
        "imports/1",
        {"status": "approved"},
    )


def test_steps_out_of_order_are_refused(session_factory: Factory, trained: TrainedModel) -> None:
    register(session_factory, trained)
    for step in (service.activate, service.shadow):
        with pytest.raises(Conflict, match="is draft"):
            run(
                session_factory,
                lambda uow, step=step: step(uow=uow, name="imports", version=1, actor=APPROVER),
            )
    with pytest.raises(NotFound, match="no version 9"):
        run(
            session_factory,
            lambda uow: service.approve(uow=uow, name="imports", version=9, actor=APPROVER),
        )
    with pytest.raises(InvalidInput, match="reason"):
        run(
            session_factory,
            lambda uow: service.retire(
                uow=uow, name="imports", version=1, actor=APPROVER, reason=" "
            ),
        )
    retired = run(
        session_factory,
        lambda uow: service.retire(
            uow=uow, name="imports", version=1, actor=APPROVER, reason="trained on a bad file"
        ),
    )
    assert (retired.status, retired.reason) == ("retired", "trained on a bad file")
    with pytest.raises(Conflict, match="is retired"):
        run(
            session_factory,
            lambda uow: service.approve(uow=uow, name="imports", version=1, actor=APPROVER),
        )


def test_one_active_model_per_flow(session_factory: Factory, trained: TrainedModel) -> None:
    approved(session_factory, trained, "imports")
    approved(session_factory, trained, "imports-b")
    register(session_factory, trained, "exports", flow="EX")
    run(
        session_factory,
        lambda uow: service.approve(uow=uow, name="exports", version=1, actor=APPROVER),
    )
    run(
        session_factory,
        lambda uow: service.activate(uow=uow, name="imports", version=1, actor=APPROVER),
    )
    # Another flow has its own active model.
    run(
        session_factory,
        lambda uow: service.activate(uow=uow, name="exports", version=1, actor=APPROVER),
    )
    with pytest.raises(Conflict, match="imports v1 is active for flow IM"):
        run(
            session_factory,
            lambda uow: service.activate(uow=uow, name="imports-b", version=1, actor=APPROVER),
        )
    assert entries(session_factory, "imports-b/1")[-1][0] == "model.approve"
    done = run(
        session_factory,
        lambda uow: service.activate(
            uow=uow, name="imports-b", version=1, actor=APPROVER, replace=True
        ),
    )
    assert done.status == "active"
    with UnitOfWork(session_factory) as uow:
        old = service.get_model(uow=uow, name="imports", version=1)
        assert service.active_model(uow=uow, flow="IM") == done
        assert service.active_model(uow=uow, flow="EX").name == "exports"  # type: ignore[union-attr]
    assert (old.status, old.reason, old.retired_by) == (
        "retired",
        "replaced by imports-b v1",
        APPROVER,
    )
    assert entries(session_factory)[-2:] == [
        ("model.retire", "imports/1", {"status": "retired", "reason": "replaced by imports-b v1"}),
        ("model.activate", "imports-b/1", {"status": "active"}),
    ]
    with UnitOfWork(session_factory) as uow:
        assert journal_service.verify(uow=uow).ok


def test_the_database_holds_one_active_model_per_flow(
    session_factory: Factory, trained: TrainedModel
) -> None:
    register(session_factory, trained, "imports")
    register(session_factory, trained, "imports-b")
    with session_factory() as session:
        session.execute(
            update(ModelVersionRow).where(ModelVersionRow.name == "imports").values(status="active")
        )
        session.commit()
        session.execute(
            update(ModelVersionRow)
            .where(ModelVersionRow.name == "imports-b")
            .values(status="shadow")
        )
        session.commit()
        second_active = (
            update(ModelVersionRow)
            .where(ModelVersionRow.name == "imports-b")
            .values(status="active")
        )
        with pytest.raises(IntegrityError):
            session.execute(second_active)


def test_shadow_then_promote(session_factory: Factory, trained: TrainedModel) -> None:
    approved(session_factory, trained, "imports")
    approved(session_factory, trained, "imports-b")
    for name in ("imports", "imports-b"):  # several may shadow a flow
        done = run(
            session_factory,
            lambda uow, name=name: service.shadow(uow=uow, name=name, version=1, actor=APPROVER),
        )
        assert (done.status, done.activated_by) == ("shadow", APPROVER)
    done = run(
        session_factory,
        lambda uow: service.activate(uow=uow, name="imports", version=1, actor=APPROVER),
    )
    assert done.status == "active"
    assert [e[0] for e in entries(session_factory, "imports/1")] == [
        "model.register",
        "model.approve",
        "model.shadow",
        "model.activate",
    ]


def test_names_and_flows_are_checked(session_factory: Factory, trained: TrainedModel) -> None:
    with pytest.raises(InvalidInput, match="invalid model name") as bad:
        register(session_factory, trained, "bad/name")
    assert bad.value.errors[0].loc == ("name",)
    with pytest.raises(InvalidInput, match="invalid flow"):
        register(session_factory, trained, "imports", flow="XX")
    register(session_factory, trained, "imports")
    with pytest.raises(Conflict, match="scores flow IM"):
        register(session_factory, trained, "imports", flow="EX")
    assert service.parse_reference("imports:3") == ("imports", 3)
    assert service.parse_reference("imports") == ("imports", None)
    with pytest.raises(InvalidInput, match="invalid model reference"):
        service.parse_reference("imports:x")


# ------------------------------------------------------------------ the acts' history


def test_training_from_stored_acts_weights_the_random_control_group(
    session_factory: Factory,
) -> None:
    frame = synthetic(900, months=4, seed=5)
    store_inspected(session_factory, frame)
    until = datetime(2024, 4, 1, tzinfo=UTC)
    done = run(
        session_factory,
        lambda uow: service.train_from_acts(
            uow=uow, name="acts", actor=ANALYST, until=until, options=QUICK
        ),
    )
    inside = frame.filter(pl.col("registered_at") < until)
    assert (done.version, done.status, done.source, done.flow) == (1, "draft", "acts", "IM")
    assert done.rows == inside.height
    assert done.positives == inside["label"].sum()
    assert done.window_until == until
    assert done.weighting["declarations_by_basis"] == {
        "profile": inside.height - (inside.height + 4) // 5,
        "random": (inside.height + 4) // 5,
    }
    # A random control stands for itself and the three no profile selected.
    assert done.weighting["random_weight"] == 4.0
    assert done.weighting["unselected_declarations"] == 4 * ((inside.height + 4) // 5)
    figures, details = run(
        session_factory,
        lambda uow: service.evaluate_acts(
            uow=uow, name="acts", version=None, since=until, until=None, record_by=APPROVER
        ),
    )
    assert figures.rows == frame.height - inside.height
    assert 0 <= figures.precision_at["10"] <= 1
    assert figures.revenue_at is not None
    # The unbiased estimate: the model's ranking among the random controls of the period.
    evaluated = frame.with_row_index().filter(pl.col("registered_at") >= until)
    controls = evaluated.filter(pl.col("index") % 5 == 0)
    control = details["random_control"]
    assert (control["rows"], control["positives"]) == (controls.height, controls["label"].sum())
    assert control["at"]["10"]["rows"] == max(1, int(controls.height / 10 + 0.5))
    # Recorded: on the version's metrics (the model card) and in the journal.
    with UnitOfWork(session_factory) as uow:
        (kept,) = service.get_model(uow=uow, name="acts", version=1).metrics["evaluations"]
    assert kept["by"] == APPROVER
    assert kept["data"] == {"format": "acts", "from": until.isoformat(), "until": None}
    assert (kept["rows"], kept["precision_at"]) == (figures.rows, figures.precision_at)
    assert kept["details"]["random_control"] == control
    assert kept["details"]["calibration"] == details["calibration"]
    assert set(kept["details"]["drift"]["features_by_month"]) == set(details["drift"]["features"])
    assert entries(session_factory)[-1][:2] == ("model.evaluate", "acts/1")


def test_training_from_an_empty_period_is_refused(session_factory: Factory) -> None:
    with pytest.raises(InvalidInput, match="no inspected declaration of flow IM") as refused:
        run(
            session_factory,
            lambda uow: service.train_from_acts(uow=uow, name="acts", actor=ANALYST),
        )
    assert refused.value.errors[0].loc == ("from",)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="the training period is empty"):
        run(
            session_factory,
            lambda uow: service.train_from_acts(
                uow=uow, name="acts", actor=ANALYST, since=start, until=start
            ),
        )


def test_two_activations_at_once_leave_one_active_and_refuse_the_other(
    session_factory: Factory, trained: TrainedModel
) -> None:
    approved(session_factory, trained, "imports")
    approved(session_factory, trained, "imports-b")
    outcome: list[BaseException | str] = []

    def second() -> None:
        with UnitOfWork(session_factory) as uow:
            try:
                uow.retrying(
                    lambda _retry: service.activate(
                        uow=uow, name="imports-b", version=1, actor=APPROVER
                    ),
                    attempts=2,
                )
                outcome.append("activated")
            except Conflict as exc:
                outcome.append(exc)

    with UnitOfWork(session_factory) as first:
        service.activate(uow=first, name="imports", version=1, actor=APPROVER)
        # The second starts while the first holds its writes uncommitted: it waits on them.
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(0.5)
        first.commit()
    racer.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict)
    assert "imports v1 is active for flow IM" in str(outcome[0])
    with UnitOfWork(session_factory) as uow:
        assert [m.name for m in service.list_models(uow=uow, status="active")] == ["imports"]
