"""A model's reasons on the decision panel in the browser, in English and in Russian."""

from __future__ import annotations

import json
from urllib.request import Request, urlopen

from playwright.sync_api import expect

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.db.uow import UnitOfWork
from corridor.scoring.core import train
from corridor.web.state import state_of
from tests.browser.conftest import Browsing, LiveServer
from tests.factories import declaration, item
from tests.integration.selectivity.test_model_serving import (
    MODEL_PROFILE,
    active_profile,
    serve,
    training_frame,
)
from tests.scoring_data import QUICK
from tests.staff import PASSWORD, seed_staff

NUMBER = "KGBSK/011026/0000001"


def test_an_analyst_reads_the_reasons_in_their_language(
    browsing: Browsing, live_server: LiveServer
) -> None:
    factory = live_server.session_factory
    staff = seed_staff(factory, passwords=True)
    state_of(live_server.app).profile_sets._poll_seconds = 0
    active_profile(factory, MODEL_PROFILE, "model_score >= 0.8", "109")
    serve(factory, train(training_frame(), options=QUICK))
    lodge = Request(
        f"{live_server.url}/api/v1/declarations",
        data=json.dumps(declaration(NUMBER, items=[item(1, origin="KZ")])).encode(),
        headers={**staff.headers(Role.SYSTEM), "Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(lodge) as lodged:
        assert lodged.status == 201
    analyst = Role.RISK_ANALYST.value
    for language, heading in (("en", "Risk-scoring model"), ("ru", "Модель оценки риска")):
        with UnitOfWork(factory) as uow:
            accounts_service.set_language(uow=uow, username=analyst, language=language)
            uow.commit()
        page = browsing.sign_in(browsing.context(), analyst, PASSWORD)
        page.goto(f"/declarations/{NUMBER}")
        reasons = page.locator("ul.model-reasons li")
        expect(reasons.first).to_be_visible()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        texts = reasons.all_inner_texts()
        assert texts
        if language == "ru":
            assert all(any("а" <= ch <= "я" for ch in text) for text in texts), texts
        page.locator("ul.model-reasons").scroll_into_view_if_needed()
        browsing.shot(page, f"decision-{language}")
