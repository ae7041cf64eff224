"""Risk-scoring models in the engine, on real databases (SQLite and PostgreSQL).

The active model's item scores are the ``model_score`` facts profiles select on; the
decision records the version and the reasons (for analysts only); a shadow version is
scored and recorded but selects nothing; a model that fails leaves the score missing and
never turns off what the other profiles select.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Principal, Role
from corridor.db.tables import DecisionRow, ModelVersionRow
from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.scoring import service as scoring_service
from corridor.scoring.core import Calibrator, TrainedModel, train
from corridor.selectivity import service
from corridor.selectivity.schemas import DecisionRead
from corridor.selectivity.snapshot import ProfileSetHolder
from tests.factories import declaration, item
from tests.integration.profiles.test_profiles import ANALYST, APPROVER, profile, run
from tests.scoring_data import QUICK, synthetic

Factory = sessionmaker[Session]
MODEL_PROFILE = "NAT-2026-0101"
CARS_PROFILE = "NAT-2026-0102"


def training_frame() -> pl.DataFrame:
    """Labelled rows whose label is driven by one field: goods of origin KZ are risky."""
    frame = synthetic(1500, months=4)
    noise = np.random.default_rng(7).random(frame.height)
    label = ((frame["origin"] == "KZ") & pl.Series(noise < 0.9)) | pl.Series(noise > 0.97)
    return frame.with_columns(label=label)


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(training_frame(), options=QUICK)


def serve(factory: Factory, model: TrainedModel, step: str = "activate") -> int:
    """Register (one person), approve and put in service (another) a version."""
    version: int = run(
        factory,
        lambda uow: scoring_service.register(
            uow=uow, model=model, name="imports", flow="IM", source="cdd", inputs={}, actor=ANALYST
        ),
    ).version
    run(
        factory,
        lambda uow: scoring_service.approve(
            uow=uow, name="imports", version=version, actor=APPROVER
        ),
    )
    move = scoring_service.activate if step == "activate" else scoring_service.shadow
    run(factory, lambda uow: move(uow=uow, name="imports", version=version, actor=APPROVER))
    return version


def active_profile(factory: Factory, code: str, criteria: str, measure: str) -> None:
    created = profile(
        code,
        criteria=criteria,
        selection_rate="100",
        measures=[{"code": measure, "mandatory": True}],
    )
    run(
        factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=created, actor=ANALYST
        ),
    )
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            factory,
            lambda uow, a=action, who=actor: profiles_service.transition(
                uow=uow, code=code, version=1, action=a, actor=who
            ),
        )


def submit(factory: Factory, holder: ProfileSetHolder, number: str, origin: str) -> DecisionRead:
    payload = declaration(
        number, items=[item(1, origin=origin), item(2, hs_code="8708299009", origin="DE")]
    )
    with UnitOfWork(factory) as uow:
        assessed, _ = service.submit(
            uow=uow,
            declaration_in=DeclarationCreate.model_validate(payload),
            holder=holder,
            secret=b"k",
        )
        uow.commit()
    return assessed.decision


def detail(factory: Factory, decision: DecisionRead) -> dict[str, Any]:
    with UnitOfWork(factory) as uow:
        row = uow.session.get(DecisionRow, decision.id)
        assert row is not None
        return dict(row.detail)


def principal(role: Role) -> Principal:
    return Principal(1, "x", "X", frozenset({role}), "HQ", None, "session")


def hit_codes(decision: DecisionRead) -> set[str]:
    return {hit["code"] for hit in decision.hits if hit["selected"]}


def test_an_active_model_selects_through_a_profile_and_the_decision_says_why(
    session_factory: Factory, trained: TrainedModel
) -> None:
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    version = serve(session_factory, trained)
    holder = ProfileSetHolder(poll_seconds=0)
    risky = submit(session_factory, holder, "KGBSK/011026/0000001", "KZ")
    plain = submit(session_factory, holder, "KGBSK/011026/0000002", "CN")

    assert hit_codes(risky) == {MODEL_PROFILE}
    assert risky.channel == "red"
    [hit] = risky.hits
    assert hit["matched_items"] == [1]  # per item: the KZ item, not the German one
    model = risky.model
    assert model is not None
    assert (model["name"], model["version"]) == ("imports", version)
    assert len(model["sha256"]) == 12
    assert trained.sha256.startswith(model["sha256"])
    assert Decimal(model["score"]) >= Decimal("0.8")
    assert Decimal(model["score"]) == max(Decimal(s) for s in model["items"])
    assert model["item"] == 1
    assert 1 <= len(model["reasons"]) <= service.MODEL_REASONS
    assert all(r["text"] and isinstance(r["contribution"], float) for r in model["reasons"])
    assert any("origin" in r["feature"] for r in model["reasons"])
    # Beside its English text, what says the reason again in another language.
    assert all(
        isinstance(r["template"], str) and "contribution" in r["params"] for r in model["reasons"]
    )
    # The declaration's model_score fact is the highest item's, as the engine records it.
    stored = detail(session_factory, risky)
    assert Decimal(stored["model_score"]) == Decimal(model["score"])
    assert stored["model"] == model
    assert "shadow_models" not in stored

    assert plain.model is not None
    assert Decimal(plain.model["score"]) < Decimal("0.8")
    assert "reasons" not in plain.model  # no profile reading the score matched: no words
    assert hit_codes(plain) == set()
    assert plain.channel == "green"

    # Analysts see the record; inspectors never do.
    with UnitOfWork(session_factory) as uow:
        analyst = service.shown_to(risky, principal(Role.RISK_ANALYST), uow=uow)
        inspector = service.shown_to(risky, principal(Role.INSPECTOR), uow=uow)
    assert analyst.model == model
    assert inspector.restricted
    assert inspector.model is None
    assert inspector.shadow_models == []
    shown = inspector.model_dump_json()
    assert model["score"] not in shown
    assert model["reasons"][0]["text"] not in shown
    assert holder.model_failures == 0


def test_the_model_is_loaded_once_and_leaves_with_its_version(
    session_factory: Factory, trained: TrainedModel
) -> None:
    version = serve(session_factory, trained)
    holder = ProfileSetHolder(poll_seconds=0)
    with UnitOfWork(session_factory) as uow:
        first = holder.current(uow).models_of("IM").active
    active_profile(session_factory, CARS_PROFILE, 'hs_code startswith ["8703"]', "601")
    with UnitOfWork(session_factory) as uow:
        again = holder.current(uow)
    assert first is not None
    assert first.model is not None
    assert again.profile_set.profiles  # the generation moved: a new snapshot …
    assert again.models_of("IM").active is first  # … with the same loaded model
    assert again.models_of("EX").active is None
    run(
        session_factory,
        lambda uow: scoring_service.retire(
            uow=uow, name="imports", version=version, actor=APPROVER, reason="replaced"
        ),
    )
    with UnitOfWork(session_factory) as uow:
        assert holder.current(uow).models_of("IM").active is None
    decision = submit(session_factory, holder, "KGBSK/011026/0000003", "KZ")
    assert decision.model is None
    assert decision.shadow_models == []
    assert "model" not in detail(session_factory, decision)


def test_a_shadow_model_is_scored_and_recorded_but_selects_nothing(
    session_factory: Factory, trained: TrainedModel
) -> None:
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    version = serve(session_factory, trained, step="shadow")
    holder = ProfileSetHolder(poll_seconds=0)
    decision = submit(session_factory, holder, "KGBSK/011026/0000001", "KZ")
    assert decision.hits == []
    assert decision.channel == "green"
    assert decision.model is None
    [shadow] = decision.shadow_models
    assert (shadow["name"], shadow["version"]) == ("imports", version)
    assert Decimal(shadow["score"]) >= Decimal("0.8")  # it would have selected
    stored = detail(session_factory, decision)
    assert stored["model_score"] is None  # the shadow's score is no fact
    with UnitOfWork(session_factory) as uow:
        row = uow.session.get(DecisionRow, decision.id)
        assert row is not None
        assert row.selected_by_profile is False


@pytest.mark.parametrize("rehash", [False, True], ids=["altered", "unreadable"])
def test_a_failing_model_never_releases_what_a_profile_selects(
    session_factory: Factory,
    trained: TrainedModel,
    caplog: pytest.LogCaptureFixture,
    rehash: bool,
) -> None:
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    active_profile(session_factory, CARS_PROFILE, 'hs_code startswith ["8703"]', "601")
    version = serve(session_factory, trained)
    bad = b"\x00 not a model"
    # Bytes altered behind the registry's back (``rehash``: with a matching SHA-256, so
    # the artifact itself fails to parse).
    changes: dict[str, Any] = {"artifact": bad}
    if rehash:
        changes["sha256"] = hashlib.sha256(bad).hexdigest()
    run(
        session_factory,
        lambda uow: uow.session.execute(
            update(ModelVersionRow).where(ModelVersionRow.name == "imports").values(**changes)
        ),
    )
    holder = ProfileSetHolder(poll_seconds=0)
    with caplog.at_level(logging.ERROR, logger="corridor.selectivity.snapshot"):
        first = submit(session_factory, holder, "KGBSK/011026/0000001", "KZ")
        second = submit(session_factory, holder, "KGBSK/011026/0000002", "KZ")
    for decision in (first, second):
        # The cars profile selects as it would without a model; the model's profile,
        # reading a missing score, does not match.
        assert hit_codes(decision) == {CARS_PROFILE}
        assert decision.channel == "yellow"
        assert decision.model is not None
        assert (decision.model["name"], decision.model["version"]) == ("imports", version)
        assert decision.model["error"].startswith("load: ")
        assert "score" not in decision.model
        assert detail(session_factory, decision)["model_score"] is None
    assert holder.model_failures == 1  # loaded (and failed) once, not per declaration
    assert [r for r in caplog.records if f"imports v{version}" in r.getMessage()]


def test_a_model_that_fails_to_score_is_counted_per_declaration(
    session_factory: Factory, trained: TrainedModel, caplog: pytest.LogCaptureFixture
) -> None:
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    active_profile(session_factory, CARS_PROFILE, 'hs_code startswith ["8703"]', "601")
    # Loads, but its "probabilities" are 2: scoring refuses them.
    broken = replace(trained, calibrator=Calibrator("isotonic", (0.0, 1.0), (2.0, 2.0)))
    version = serve(session_factory, broken)
    holder = ProfileSetHolder(poll_seconds=0)
    with caplog.at_level(logging.ERROR, logger="corridor.selectivity.snapshot"):
        decisions = [
            submit(session_factory, holder, f"KGBSK/011026/000000{n}", "KZ") for n in (1, 2)
        ]
    for decision in decisions:
        assert hit_codes(decision) == {CARS_PROFILE}
        assert decision.channel == "yellow"
        assert decision.model is not None
        assert decision.model["error"] == "score: ValueError"
        assert detail(session_factory, decision)["model_score"] is None
    assert holder.model_failures == 2  # each declaration's failure counts
    assert len([r for r in caplog.records if f"imports v{version}" in r.getMessage()]) == 2
