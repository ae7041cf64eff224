"""A model's score and reasons through the API and the decision panel (SQLite and PostgreSQL):
analysts see the version, the score and the reasons in words; inspectors never do. A model
that fails is counted in the health answer and releases nothing the profiles select."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import ModelVersionRow
from corridor.db.uow import UnitOfWork
from corridor.scoring.core import TrainedModel, train
from corridor.web import i18n
from corridor.web.state import state_of
from tests.factories import declaration, item
from tests.integration.selectivity.test_model_serving import (
    CARS_PROFILE,
    MODEL_PROFILE,
    active_profile,
    serve,
    training_frame,
)
from tests.scoring_data import QUICK
from tests.staff import Staff, seed_staff
from tests.web import sign_in, with_panels

NUMBER = "KGBSK/011026/0000001"


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(training_frame(), options=QUICK)


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see the model and profile at once
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def test_analysts_see_the_model_record_and_inspectors_never(
    client: TestClient, session_factory: sessionmaker[Session], trained: TrainedModel
) -> None:
    staff: Staff = seed_staff(session_factory)
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    version = serve(session_factory, trained)
    lodged = client.post(
        "/api/v1/declarations",
        json=declaration(NUMBER, items=[item(1, origin="KZ")]),
        headers=staff.headers(Role.SYSTEM),
    )
    assert lodged.status_code == 201, lodged.text
    # The clearance system is not cleared for the reasons: channel and measures only.
    assert lodged.json()["decision"]["channel"] == "red"
    assert lodged.json()["decision"]["model"] is None

    url = f"/api/v1/declarations/{NUMBER}/decision"
    analyst = client.get(url, headers=staff.headers(Role.RISK_ANALYST))
    assert analyst.status_code == 200, analyst.text
    model = analyst.json()["model"]
    assert (model["name"], model["version"]) == ("imports", version)
    reasons = [r["text"] for r in model["reasons"]]
    assert reasons
    inspector = client.get(url, headers=staff.headers(Role.INSPECTOR))
    assert inspector.status_code == 200
    assert inspector.json()["model"] is None
    assert inspector.json()["shadow_models"] == []

    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = html.unescape(with_panels(client, f"/declarations/{NUMBER}").text)
    assert f"Model imports v{version} (SHA-256 {model['sha256']})" in page
    assert f"score {model['score']}" in page
    for text in reasons:
        assert text in page
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    page = html.unescape(with_panels(client, f"/declarations/{NUMBER}").text)
    assert "physical examination of goods" in page
    for secret in ("Risk-scoring model", model["score"], model["sha256"], *reasons):
        assert secret not in page, f"{secret!r} shown to an inspector"


def test_the_reasons_are_shown_in_the_analysts_language(
    client: TestClient, session_factory: sessionmaker[Session], trained: TrainedModel
) -> None:
    """The decision keeps each reason's template and parameters beside its English text, so
    the panel says it in Russian (numbers the Russian way) and in English as recorded."""
    staff: Staff = seed_staff(session_factory)
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    serve(session_factory, trained)
    lodged = client.post(
        "/api/v1/declarations",
        json=declaration(NUMBER, items=[item(1, origin="KZ")]),
        headers=staff.headers(Role.SYSTEM),
    )
    assert lodged.status_code == 201, lodged.text
    url = f"/api/v1/declarations/{NUMBER}/decision"
    reasons = client.get(url, headers=staff.headers(Role.RISK_ANALYST)).json()["model"]["reasons"]
    assert reasons
    assert all(r["template"] and r["params"] for r in reasons)
    english = [r["text"] for r in reasons]
    i18n.use_language("ru")
    try:
        russian = [i18n.reason(r) for r in reasons]
    finally:
        i18n.use_language("en")
    assert all(re.search("[а-яё]", text) for text in russian), russian
    # The contribution as Russian writes it: a decimal comma.
    assert all(re.search(r"\(\+?-?\d+,\d\d\)$", text) for text in russian), russian

    analyst = Role.RISK_ANALYST.value
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=analyst, language="ru")
        uow.commit()
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = html.unescape(with_panels(client, f"/declarations/{NUMBER}").text)
    for en, ru in zip(english, russian, strict=True):
        assert ru in page
        assert en not in page
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=analyst, language="en")
        uow.commit()
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = html.unescape(with_panels(client, f"/declarations/{NUMBER}").text)
    for en, ru in zip(english, russian, strict=True):
        assert en in page
        assert ru not in page


def test_a_failing_model_is_counted_in_health_and_the_profiles_still_select(
    client: TestClient, session_factory: sessionmaker[Session], trained: TrainedModel
) -> None:
    staff: Staff = seed_staff(session_factory)
    assert client.get("/api/v1/health").json()["model_failures"] == 0
    active_profile(session_factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    active_profile(session_factory, CARS_PROFILE, 'hs_code startswith ["8703"]', "601")
    serve(session_factory, trained)
    with UnitOfWork(session_factory) as uow:
        uow.session.execute(update(ModelVersionRow).values(artifact=b"{not a model"))
        uow.commit()
    lodged = client.post(
        "/api/v1/declarations",
        json=declaration(NUMBER, items=[item(1, origin="KZ")]),
        headers=staff.headers(Role.SYSTEM),
    )
    assert lodged.status_code == 201, lodged.text
    assert lodged.json()["decision"]["channel"] == "yellow"  # the cars profile, as ever
    assert client.get("/api/v1/health").json()["model_failures"] == 1
    decision = client.get(
        f"/api/v1/declarations/{NUMBER}/decision", headers=staff.headers(Role.RISK_ANALYST)
    ).json()
    assert decision["model"]["error"].startswith("load: ")
    assert [h["code"] for h in decision["hits"]] == [CARS_PROFILE]
