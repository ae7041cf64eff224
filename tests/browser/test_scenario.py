"""The whole loop in the browser: a profile is written, approved, selects a declaration,
the inspector finds a discrepancy, and the hit shows in the figures.

1. An analyst writes a profile with a criteria typo, sees the error (line,
   column, "did you mean"), fixes it, saves the draft and submits it.
2. An approver (another user) approves and activates it.
3. The post's clearance system submits a declaration through the API: red.
4. The post's inspector finds it in the queue, records a discrepancy (first
   forgetting its type, which the form points out), and saves the act.
5. The dashboard and the profile's effectiveness show the hit; the inspector
   sees the officer instructions but never the criteria.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import Browsing, LiveServer
from tests.factories import declaration
from tests.staff import PASSWORD, seed_staff

CODE = "NAT-2026-0901"
TYPO = 'orgin = "CN" and heading = "8703"'
CRITERIA = 'origin = "CN" and heading = "8703"'
INSTRUCTIONS = "Examine the vehicle; compare the VIN and engine volume with the invoice."


def write_profile(page: Page, browsing: Browsing) -> None:
    page.goto("/profiles/new")
    page.fill("#f-code", CODE)
    page.fill("#f-title", "Passenger cars from China: physical examination")
    page.select_option("#f-kind", "national")
    page.select_option("#f-risk_area", "valuation")
    page.check("#f-measure-109")
    page.fill("#f-selection_rate", "100")
    page.fill("#f-officer_instructions", INSTRUCTIONS)
    page.fill("#f-rationale", "Cars from China declared far below their price in 2026 audits.")
    page.fill("#f-criteria", TYPO)
    status = page.locator("#criteria-status")
    expect(status).to_contain_text("origin", timeout=10_000)
    expect(status).to_contain_text("Line 1, column 1")
    expect(status).to_contain_text("Did you mean origin?")
    browsing.shot(page, "criteria-typo")
    page.fill("#f-criteria", CRITERIA)
    expect(status).not_to_contain_text("Line 1", timeout=10_000)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(rf"/profiles/{CODE}(\?.*)?$"))
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("main")).to_contain_text("submitted", timeout=10_000)
    browsing.shot(page, "submitted")


def approve_and_activate(page: Page, browsing: Browsing) -> None:
    page.goto(f"/profiles/{CODE}")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("button", name="Activate")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Suspend")).to_be_visible(timeout=10_000)
    browsing.shot(page, "active")


def record_discrepancy(page: Page, number: str, browsing: Browsing) -> None:
    page.goto("/queue")
    row = page.locator("tr", has_text=number)
    expect(row).to_have_count(1)
    browsing.shot(page, "queue")
    row.get_by_role("link", name="Record act").click()
    page.wait_for_url(re.compile(r"/acts/new\?declaration="))
    page.select_option("#f-outcome", "discrepancy")
    page.fill("#f-additional_duties", "48500")
    page.fill("#f-minutes_spent", "45")
    page.get_by_role("button", name="Save act").click()
    expect(page.locator("main")).to_contain_text("at least one type is required", timeout=10_000)
    browsing.shot(page, "act-needs-a-type")
    page.check("#f-discrepancy_types-valuation")
    page.get_by_role("button", name="Save act").click()
    page.wait_for_url(re.compile(r"/acts/\d+$"))
    expect(page.locator("main")).to_contain_text("48,500.00")
    browsing.shot(page, "act")


def test_from_a_new_profile_to_a_recorded_hit(browsing: Browsing, live_server: LiveServer) -> None:
    staff = seed_staff(live_server.session_factory, passwords=True)

    analyst = browsing.sign_in(browsing.context(), "risk_analyst", PASSWORD)
    write_profile(analyst, browsing)
    approver = browsing.sign_in(browsing.context(), "approver", PASSWORD)
    approve_and_activate(approver, browsing)

    now = datetime.now(UTC) - timedelta(hours=1)
    number = f"KGBSK/{now:%d%m%y}/0000901"
    body = declaration(number, registered_at=now.isoformat())
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/declarations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **staff.headers("system.post1")},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
        assert json.load(answer)["decision"]["channel"] == "red"

    inspector = browsing.sign_in(browsing.context(), "inspector.post1", PASSWORD)
    record_discrepancy(inspector, number, browsing)
    # The inspector reads the instructions, never the criteria.
    inspector.goto(f"/profiles/{CODE}")
    expect(inspector.locator("main")).to_contain_text(INSTRUCTIONS)
    assert "heading" not in inspector.locator("main").inner_text()
    inspector.goto(f"/declarations/{number}")
    # htmx loads the page's panels: the decision (selectivity), the act (inspections).
    expect(inspector.locator("#panel-decision")).to_contain_text(INSTRUCTIONS)
    expect(inspector.locator("#panel-act")).to_contain_text("48,500.00")
    assert CODE not in inspector.locator("main").inner_text()
    browsing.shot(inspector, "inspector-declaration")

    # The analyst sees the hit: on the dashboard and in the profile's effectiveness.
    analyst.goto("/dashboard")
    figures = analyst.locator("main")
    expect(figures).to_contain_text("48,500")
    browsing.shot(analyst, "dashboard")
    analyst.goto(f"/profiles/{CODE}")
    effectiveness = analyst.locator("#effectiveness")
    expect(effectiveness).to_contain_text("1")
    expect(effectiveness).to_contain_text("48,500")
    browsing.shot(analyst, "profile-effectiveness")
    analyst.goto(f"/declarations/{number}")
    expect(analyst.locator("#panel-decision")).to_contain_text(CODE)
    expect(analyst.locator("#panel-act")).to_contain_text("48,500.00")
    browsing.shot(analyst, "analyst-declaration")
    # The panels speak the page's language.
    with analyst.expect_navigation():
        analyst.select_option("#language-switch", "ru")
    expect(analyst.locator("#panel-decision")).to_contain_text("Решение СУР")
    expect(analyst.locator("#panel-act")).to_contain_text("Акт таможенного досмотра")
    browsing.shot(analyst, "analyst-declaration-ru")
