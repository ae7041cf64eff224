"""A recorded evaluation's page through the real app (SQLite and PostgreSQL): the charts of
precision and recall at k, calibration and drift as data blocks for the vendored Plotly,
the random control group's estimate, the tables per office and month, the figures as
JSON and CSV (no cell runs as a formula), in English and Russian; analysts see it,
inspectors do not."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
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
from tests.scoring_acts import store_inspected
from tests.scoring_data import QUICK, synthetic
from tests.staff import Staff, seed_staff
from tests.web import sign_in

Factory = sessionmaker[Session]
PAGE = "/models/imports/1/evaluation"
APRIL = datetime(2024, 4, 1, tzinfo=UTC)
#: Labelled rows of the public dataset's format.
CDD_ROWS = """Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,\
Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,Country of Departure,\
Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,Net Mass,Item Price,Fraud,\
Critical Fraud
97061800,2024-06-01,30,B,11,21,11,10,BR1,IMP001,S1,,440890,CN,CN,0.0,A,G,108.0,372254.4,0,0
85945189,2024-06-02,40,B,11,21,11,40,BR2,IMP002,S2,,690722,TR,TR,8.0,A,Y,11352.0,375751.2,1,0
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


@pytest.fixture
def evaluated(
    session_factory: Factory, trained: TrainedModel, tmp_path: Path
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Model imports v1, evaluated on a file first, then on the acts from April (recorded);
    an office code planted as a formula."""
    frame = synthetic(600, months=5, seed=5).with_columns(
        office=pl.when(pl.int_range(pl.len()) % 7 == 3)
        .then(pl.lit("=1+2"))
        .otherwise(pl.col("office"))
    )
    store_inspected(session_factory, frame)
    sample = tmp_path / "cdd-sample.csv"
    sample.write_text(CDD_ROWS, encoding="utf-8")
    with UnitOfWork(session_factory) as uow:
        service.register(
            uow=uow, model=trained, name="imports", flow="IM", source="cdd", inputs={},
            actor="a.analyst",
        )  # fmt: skip
        service.evaluate_files(
            uow=uow, name="imports", version=1, paths=[sample], record_by="auditor"
        )
        _summary, figures = service.evaluate_acts(
            uow=uow, name="imports", version=1, since=APRIL, until=None, record_by="auditor"
        )
        uow.commit()
    return frame, figures


def figure(page: str, chart: str) -> dict[str, Any]:
    """The Plotly figure a chart's data block holds."""
    found = re.search(rf'<script type="application/json" id="{chart}-data">(.*?)</script>', page)
    assert found, chart
    loaded: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return loaded


def test_the_page_draws_the_figures_for_analysts(
    client: TestClient,
    staff: Staff,
    session_factory: Factory,
    evaluated: tuple[pl.DataFrame, dict[str, Any]],
) -> None:
    frame, figures = evaluated
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    card = client.get("/models/imports/1")
    assert f'href="{PAGE}?number=2"' in card.text
    page = client.get(PAGE)  # the latest: the acts of April
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<script src="/assets/vendor/plotly-basic-3.7.0.min.js" defer></script>' in page.text
    assert "cdn" not in page.text.lower()
    for part in ("Precision and recall at k", "Calibration", "Drift against training"):
        assert part in text
    control = figures["random_control"]
    assert control is not None
    april = frame.with_row_index().filter(pl.col("registered_at") >= APRIL)
    assert control["rows"] == april.filter(pl.col("index") % 5 == 0).height
    assert f"Among {control['rows']} random controls" in text
    at_k = figure(page.text, "chart-at-k")
    assert [t["name"] for t in at_k["data"]] == [
        "Precision",
        "Recall",
        "Revenue captured",
        "Precision among random controls",
    ]
    assert at_k["data"][0]["y"] == [round(100 * v, 2) for v in figures["precision_at"].values()]
    calibration = figure(page.text, "chart-calibration")
    assert [round(100 * b["observed_rate"], 2) for b in figures["calibration"]] == calibration[
        "data"
    ][1]["y"]
    drift = figure(page.text, "chart-drift")
    assert [s["y0"] for s in drift["layout"]["shapes"]] == [0.1, 0.25]
    assert drift["data"][0]["x"] == ["2024-04", "2024-05"]
    assert len(drift["data"]) == 1 + len(figures["drift"]["features"])
    for office in figures["by_office"]:
        assert f"<td>{office}</td>" in page.text
    # The first evaluation, on a file: no random control, said so.
    first = html.unescape(client.get(f"{PAGE}?number=1").text)
    assert "No random control among the rows evaluated" in first
    assert client.get(f"{PAGE}?number=3").status_code == 404
    assert client.get("/models/imports/2/evaluation").status_code == 404
    assert client.get(f"{PAGE}?format=xml").status_code == 422

    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=Role.RISK_ANALYST.value, language="ru")
        uow.commit()
    russian = html.unescape(client.get(PAGE).text)
    assert "Точность и полнота при k" in russian
    assert "Калибровка" in russian
    assert "Индекс стабильности популяции" in russian

    sign_in(client, session_factory, staff, Role.INSPECTOR)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}?format=csv").status_code == 403


def test_the_figures_download_as_json_and_csv(
    client: TestClient,
    staff: Staff,
    session_factory: Factory,
    evaluated: tuple[pl.DataFrame, dict[str, Any]],
) -> None:
    _frame, figures = evaluated
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    as_json = client.get(f"{PAGE}?format=json")
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert 'filename="evaluation-imports-v1-2.json"' in as_json.headers["content-disposition"]
    loaded = as_json.json()
    assert (loaded["model"], loaded["version"], loaded["number"]) == ("imports", 1, 2)
    assert loaded["details"]["random_control"] == figures["random_control"]
    assert loaded["precision_at"] == figures["precision_at"]
    as_csv = client.get(f"{PAGE}?format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["section", "group", "month", "measure", "value"]
    assert ["summary", "", "", "rows", str(figures["rows"])] in rows
    control = figures["random_control"]
    assert ["random_control", "", "", "rows", str(control["rows"])] in rows
    assert ["random_control", "5 %", "", "positives", str(control["at"]["5"]["positives"])] in rows
    months = {r[2] for r in rows if r[0] == "drift" and r[1] != "model_score"}
    assert months == {"", "2024-04", "2024-05"}
    # The planted office comes back as text, never a formula.
    offices = {r[1] for r in rows if r[0] == "office"}
    assert "'=1+2" in offices
    assert "=1+2" not in offices
    # The file's evaluation: its summary and its own offices.
    first = list(csv.reader(io.StringIO(client.get(f"{PAGE}?number=1&format=csv").text)))
    assert ["summary", "", "", "rows", "2"] in first
    assert {r[1] for r in first if r[0] == "office"} == {"CDD30", "CDD40"}
