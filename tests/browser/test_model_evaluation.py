"""A recorded evaluation's page in the browser: from the model card to the charts Plotly
draws (precision and recall at k, calibration, drift), in English and in Russian, on a
desktop and at a phone's 390 px."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from playwright.sync_api import expect

from corridor.accounts import service as accounts_service
from corridor.db.uow import UnitOfWork
from corridor.scoring import service
from corridor.scoring.core import train
from tests.browser.conftest import Browsing, LiveServer
from tests.scoring_acts import store_inspected
from tests.scoring_data import QUICK, synthetic
from tests.staff import PASSWORD, seed_staff


def test_an_analyst_reads_an_evaluation_with_its_charts(
    browsing: Browsing, live_server: LiveServer
) -> None:
    factory = live_server.session_factory
    seed_staff(factory, passwords=True)
    history = synthetic(1500, months=6, seed=3)
    store_inspected(
        factory, history.filter(pl.col("registered_at") >= datetime(2024, 4, 1, tzinfo=UTC))
    )
    model = train(
        history.filter(pl.col("registered_at") < datetime(2024, 4, 1, tzinfo=UTC)), options=QUICK
    )
    with UnitOfWork(factory) as uow:
        service.register(
            uow=uow, model=model, name="imports-gbm", flow="IM", source="acts", inputs={},
            actor="risk_analyst",
        )  # fmt: skip
        service.evaluate_acts(
            uow=uow,
            name="imports-gbm",
            version=1,
            since=datetime(2024, 4, 1, tzinfo=UTC),
            until=None,
            record_by="post_entry_auditor",
        )
        uow.commit()
    page = browsing.sign_in(browsing.context(), "risk_analyst", PASSWORD)
    page.goto("/models/imports-gbm/1")
    page.get_by_role("link", name="Charts, offices, months and drift").click()
    expect(page.get_by_role("heading", name="Precision and recall at k")).to_be_visible()
    # Plotly (vendored, no CDN) drew the three charts.
    for chart in ("chart-at-k", "chart-calibration", "chart-drift"):
        expect(page.locator(f"#{chart} .main-svg").first).to_be_visible()
    browsing.shot(page, "evaluation")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#chart-drift .main-svg").first).to_be_visible()
    browsing.shot(page, "evaluation-390")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    with UnitOfWork(factory) as uow:
        accounts_service.set_language(uow=uow, username="risk_analyst", language="ru")
        uow.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    expect(page.get_by_role("heading", name="Точность и полнота при k")).to_be_visible()
    expect(page.locator("#chart-calibration .main-svg").first).to_be_visible()
    browsing.shot(page, "evaluation-ru")
