"""The model registry's pages in the browser: the list and a model card, the approval by
its button, in English and in Russian, on a desktop and at a phone's 390 px."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from corridor.accounts import service as accounts_service
from corridor.db.uow import UnitOfWork
from corridor.scoring import service
from corridor.scoring.core import train
from tests.browser.conftest import Browsing, LiveServer
from tests.e2e.test_models_web import CDD_ROWS
from tests.scoring_data import QUICK, synthetic
from tests.staff import PASSWORD, seed_staff


def test_an_approver_reads_the_card_and_approves(
    browsing: Browsing, live_server: LiveServer, tmp_path: Path
) -> None:
    factory = live_server.session_factory
    seed_staff(factory, passwords=True)
    model = train(synthetic(1500, months=5), options=QUICK)
    with UnitOfWork(factory) as uow:
        service.register(
            uow=uow,
            model=model,
            name="imports-gbm",
            flow="IM",
            source="cdd",
            inputs={
                "format": "cdd",
                "files": [{"name": "train.csv", "bytes": 1, "sha256": "0" * 64}],
            },
            actor="risk_analyst",
        )
        sample = tmp_path / "cdd-sample.csv"
        sample.write_text(CDD_ROWS, encoding="utf-8")
        service.evaluate_files(
            uow=uow, name="imports-gbm", version=1, paths=[sample], record_by="post_entry_auditor"
        )
        uow.commit()
    page = browsing.sign_in(browsing.context(), "approver", PASSWORD)
    page.get_by_role("link", name="Models").click()
    expect(page.get_by_role("heading", name="Risk-scoring models")).to_be_visible()
    browsing.shot(page, "list")
    page.get_by_role("link", name="imports-gbm").click()
    expect(page.get_by_role("heading", name="Intended use")).to_be_visible()
    browsing.shot(page, "card-draft")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("button", name="Run in shadow")).to_be_visible()
    assert page.locator("h1 .badge").inner_text() == "approved"
    browsing.shot(page, "card-approved")
    page.set_viewport_size({"width": 390, "height": 844})
    browsing.shot(page, "card-390")
    # Nothing widens the page beyond the phone's screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    with UnitOfWork(factory) as uow:
        accounts_service.set_language(uow=uow, username="approver", language="ru")
        uow.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    expect(page.get_by_role("heading", name="Назначение")).to_be_visible()
    browsing.shot(page, "card-ru")
