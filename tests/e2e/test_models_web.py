"""The model registry through the real app (SQLite and PostgreSQL): ``/api/v1/models``
(list, a version, approve with four eyes, shadow, activate with one active per flow,
retire with a reason; the permissions) and the pages (the list, the model card in English
and Russian, the lifecycle's forms for approvers only)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.scoring import service
from corridor.scoring.core import TrainedModel, train
from tests.scoring_data import QUICK, synthetic
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

Factory = sessionmaker[Session]
ANALYST = Role.RISK_ANALYST.value
API = "/api/v1/models"
#: Labelled rows of the public dataset's format (an evaluation needs no more).
CDD_ROWS = """Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,\
Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,\
Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,\
Critical Fraud
97061800,2024-06-01,30,B,11,21,11,10,BR1,IMP001,S1,,440890,CN,CN,0.0,A,G,108.0,372254.4,0,0
85945189,2024-06-02,40,B,11,21,11,40,BR2,IMP002,S2,,690722,TR,TR,8.0,A,Y,11352.0,375751.2,1,0
85945190,2024-06-03,40,B,11,21,11,40,BR2,IMP003,S2,,690722,TR,TR,8.0,A,Y,1352.0,5751.2,0,0
"""


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(synthetic(1200, months=4), options=QUICK)


@pytest.fixture
def staff(session_factory: Factory) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def register(factory: Factory, model: TrainedModel, name: str, author: str = ANALYST) -> None:
    with UnitOfWork(factory) as uow:
        service.register(
            uow=uow, model=model, name=name, flow="IM", source="cdd", inputs={}, actor=author
        )
        uow.commit()


def test_the_api_lists_reads_and_moves_versions(
    client: TestClient, staff: Staff, session_factory: Factory, trained: TrainedModel
) -> None:
    register(session_factory, trained, "imports")
    register(session_factory, trained, "imports-b", author=Role.APPROVER.value)
    analyst, approver = staff.headers(Role.RISK_ANALYST), staff.headers(Role.APPROVER)
    listed = client.get(API, headers=analyst)
    assert listed.status_code == 200
    assert [(m["name"], m["version"], m["status"]) for m in listed.json()] == [
        ("imports", 1, "draft"),
        ("imports-b", 1, "draft"),
    ]
    assert "artifact" not in listed.json()[0]
    card = client.get(f"{API}/imports/1", headers=staff.headers(Role.POST_ENTRY_AUDITOR))
    assert card.status_code == 200
    assert card.json()["sha256"] == trained.sha256
    assert card.json()["quality"]["label_rate_by_month"]
    assert client.get(f"{API}/imports/2", headers=analyst).status_code == 404
    assert client.get(API, headers=staff.headers(Role.INSPECTOR)).status_code == 403
    # Only approvers move versions; and an approver never approves their own.
    assert client.post(f"{API}/imports/1/approve", headers=analyst).status_code == 403
    own = client.post(f"{API}/imports-b/1/approve", headers=approver)
    assert own.status_code == 409
    assert own.json()["detail"].startswith("four eyes: approver registered model imports-b v1")
    assert client.post(f"{API}/imports/1/approve", headers=approver).json()["status"] == "approved"
    other = client.post(f"{API}/imports-b/1/approve", headers=staff.headers("senior.analyst"))
    assert other.json()["approved_by"] == "senior.analyst"
    assert client.post(f"{API}/imports/1/activate", headers=approver).json()["status"] == "active"
    refused = client.post(f"{API}/imports-b/1/activate", headers=approver)
    assert refused.status_code == 409
    assert "imports v1 is active for flow IM" in refused.json()["detail"]
    replaced = client.post(f"{API}/imports-b/1/activate", json={"replace": True}, headers=approver)
    assert replaced.status_code == 200, replaced.text
    assert client.get(f"{API}/imports/1", headers=analyst).json()["status"] == "retired"
    short = client.post(f"{API}/imports-b/1/retire", json={"reason": "x"}, headers=approver)
    assert short.status_code == 422
    assert short.json()["errors"][0]["loc"][-1] == "reason"
    assert client.post(f"{API}/imports-b/1/shadow", headers=approver).status_code == 409
    done = client.post(
        f"{API}/imports-b/1/retire", json={"reason": "drift in March"}, headers=approver
    )
    assert (done.json()["status"], done.json()["reason"]) == ("retired", "drift in March")
    journal = client.get(
        "/api/v1/journal", params={"object_type": "model"}, headers=approver
    ).json()
    assert [e["action"] for e in reversed(journal["items"])] == [
        "model.register",
        "model.register",
        "model.approve",
        "model.approve",
        "model.activate",
        "model.retire",
        "model.activate",
        "model.retire",
    ]


def test_the_pages_show_the_card_and_its_lifecycle_to_approvers(
    client: TestClient,
    staff: Staff,
    session_factory: Factory,
    trained: TrainedModel,
    tmp_path: Path,
) -> None:
    sample = tmp_path / "cdd-sample.csv"
    sample.write_text(CDD_ROWS, encoding="utf-8")
    register(session_factory, trained, "imports")
    with UnitOfWork(session_factory) as uow:
        service.evaluate_files(
            uow=uow, name="imports", version=1, paths=[sample], record_by="auditor"
        )
        uow.commit()
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    listed = client.get("/models")
    assert listed.status_code == 200
    assert 'href="/models/imports/1"' in listed.text
    assert 'href="/models"' in listed.text  # the menu
    card = client.get("/models/imports/1")
    assert card.status_code == 200
    text = html.unescape(card.text)
    for part in (
        "Intended use",
        "Label rate by month",
        "Data quality",
        "Known limits",
        trained.sha256,
    ):
        assert part in text
    assert "Precision at 5 % (cross-validated)" in text
    # The recorded evaluation: who, on what, its figures.
    assert re.search(
        r"auditor ·\s*<code>cdd-sample.csv</code>\s*· 3 rows, 1 discrepancies", card.text
    )
    assert "/models/imports/1/approve" not in text  # analysts do not decide
    assert client.get("/models/imports/9").status_code == 404
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    assert client.get("/models").status_code == 403

    csrf = sign_in(client, session_factory, staff, Role.APPROVER)
    card = client.get("/models/imports/1")
    assert "/models/imports/1/approve" in card.text
    approved = client.post("/models/imports/1/approve", headers=htmx_headers(csrf))
    assert approved.status_code == 204
    assert approved.headers["HX-Redirect"] == "/models/imports/1"
    short = client.post(
        "/models/imports/1/retire", data={"reason": "x"}, headers=htmx_headers(csrf)
    )
    assert short.status_code == 422
    refused = client.post("/models/imports/1/approve", headers=htmx_headers(csrf))
    assert refused.status_code == 409
    assert "is approved; to approve it, it must be draft" in html.unescape(refused.text)

    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=Role.APPROVER.value, language="ru")
        uow.commit()
    russian = html.unescape(client.get("/models/imports/1").text)
    assert "Назначение" in russian
    assert "Качество данных" in russian
    refused = client.post("/models/imports/1/approve", headers=htmx_headers(csrf))
    assert "модель imports v1 в состоянии approved" in html.unescape(refused.text)
