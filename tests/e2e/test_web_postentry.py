"""The pages of post-entry control and the inbox (SQLite and PostgreSQL): the ranking with
its reasons, a plan built and edited within its capacity, a case worked through its
lifecycle with buttons only for the roles allowed them, alerts shown on the declarations
they apply to, and requests handled in the risk unit's inbox."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.postentry import service
from tests.integration.postentry.world import REROUTED, A, B, C, build
from tests.staff import Staff
from tests.web import htmx_headers, sign_in, with_panels

HEAD, AUDITOR, ANALYST = "post_entry_head", "post_entry_auditor", "risk_analyst"
RANKING = "/post-entry?unit=POST-1&from=2026-10-01&to=2026-10-31"
PLAN = {"unit": "POST-1", "period_from": "2026-10-01", "period_to": "2026-10-31"}


@pytest.fixture
def world(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff]]:
    staff = build(session_factory).staff
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, staff


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def test_the_ranking_page_shows_the_reasons_and_the_plan_form_to_the_head(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    sign_in(client, session_factory, staff, AUDITOR)
    page = client.get(RANKING)
    assert page.status_code == 200
    shown = text_of(page)
    assert shown.index(A) < shown.index(C) < shown.index(B)
    assert "3 declarations released green or blue worth 1,661,600 KGS" in shown
    assert "1 of 2 priced goods items declared at 40 % of the reference price" in shown
    assert "Build the plan" not in shown
    sign_in(client, session_factory, staff, HEAD)
    assert "Build the plan" in text_of(client.get(RANKING))
    bad = client.get("/post-entry?from=2026-10-31&to=2026-10-01")
    assert bad.status_code == 200
    assert "must not be before from" in text_of(bad)


def test_the_ranking_page_in_russian(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=AUDITOR, language="ru")
        uow.commit()
    sign_in(client, session_factory, staff, AUDITOR)
    shown = text_of(client.get(RANKING))
    assert "Кандидаты на проверку" in shown
    assert "3 декларации выпущены по зелёному или синему коридору на 1 661 600 сом" in shown


def test_building_and_editing_a_plan(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    csrf = sign_in(client, session_factory, staff, HEAD)
    refused = client.post("/post-entry/plans", data={**PLAN, "capacity": "0", "csrf_token": csrf})
    assert refused.status_code == 422
    assert 'id="e-capacity"' in refused.text
    built = client.post(
        "/post-entry/plans", data={**PLAN, "capacity": "2"}, headers=htmx_headers(csrf)
    )
    assert built.status_code == 204
    plan_url = built.headers["hx-redirect"]
    page = client.get(plan_url)
    assert page.status_code == 200
    assert "Approve the plan" in page.text
    full = client.post(f"{plan_url}/items", data={"tin": B, "csrf_token": csrf})
    assert full.status_code == 409
    assert "its capacity is 2 audits" in html.unescape(full.text)
    assert (
        client.post(f"{plan_url}/capacity", data={"capacity": "3", "csrf_token": csrf}).status_code
        == 303
    )
    assert client.post(f"{plan_url}/items", data={"tin": B, "csrf_token": csrf}).status_code == 303
    assert client.post(f"{plan_url}/items/{C}/remove", data={"csrf_token": csrf}).status_code == 303
    assert client.post(f"{plan_url}/approve", data={"csrf_token": csrf}).status_code == 303
    approved = client.get(plan_url)
    assert "Open the case" in approved.text
    assert "Approve the plan" not in approved.text
    # Without the session's CSRF token nothing changes.
    assert client.post(f"{plan_url}/close", data={}).status_code == 403
    opened = client.post(
        "/post-entry/cases",
        data={
            "plan_id": plan_url.rsplit("/", 1)[1],
            "tin": A,
            "auditor": AUDITOR,
            "csrf_token": csrf,
        },
    )
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"].startswith("/post-entry/cases/")
    listed = text_of(client.get("/post-entry/plans"))
    assert "approved" in listed
    sign_in(client, session_factory, staff, ANALYST)
    read_only = client.get(plan_url)
    assert read_only.status_code == 200
    assert "Close the plan" not in read_only.text


def test_a_case_worked_through_its_pages(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    csrf = sign_in(client, session_factory, staff, HEAD)
    opened = client.post(
        "/post-entry/cases",
        data={
            "tin": A,
            "unit": "POST-1",
            "period_from": "2026-10-01",
            "period_to": "2026-10-31",
            "csrf_token": csrf,
        },
    )
    case_url = opened.headers["location"]
    head_page = client.get(case_url).text
    assert "Cancel the case" in head_page
    assert "Start the audit" in head_page  # the head audits too
    sign_in(client, session_factory, staff, ANALYST)
    analyst_page = client.get(case_url).text
    assert "Start the audit" not in analyst_page
    assert "Cancel the case" not in analyst_page
    csrf = sign_in(client, session_factory, staff, AUDITOR)
    auditor_page = client.get(case_url).text
    assert "Start the audit" in auditor_page
    assert "Cancel the case" not in auditor_page
    assert client.post(f"{case_url}/start", data={"csrf_token": csrf}).status_code == 303
    assert client.post(f"{case_url}/start", data={"csrf_token": csrf}).status_code == 409
    document = client.post(f"{case_url}/documents", data={"ref": "Act 7/2026", "csrf_token": csrf})
    assert document.status_code == 303
    wrong = client.post(f"{case_url}/complete", data={"outcome": "discrepancy", "csrf_token": csrf})
    assert wrong.status_code == 422
    assert "at least one type is required with a discrepancy" in html.unescape(wrong.text)
    done = client.post(
        f"{case_url}/complete",
        data={
            "outcome": "discrepancy",
            "discrepancy_types": ["valuation"],
            "additional_duties": "93,960.50",
            "penalties": "0",
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 303, done.text
    shown = text_of(client.get(case_url))
    assert "discrepancies found by the audit" in shown
    assert "93,960.50" in shown
    assert "Act 7/2026" in shown


def test_alerts_on_the_declaration_page_and_in_the_queue(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    csrf = sign_in(client, session_factory, staff, AUDITOR)
    today = service.today()
    raised = client.post(
        "/post-entry/alerts",
        data={
            "title": "Cars of A under value",
            "instructions": "Ask for the sales contract.",
            "importer": A,
            "hs_prefix": "8703",
            "units": ["POST-1"],
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=3)).isoformat(),
            "csrf_token": csrf,
        },
    )
    assert raised.status_code == 303, raised.text
    vague = client.post(
        "/post-entry/alerts",
        data={
            "title": "Vague",
            "instructions": "Look.",
            "valid_from": today.isoformat(),
            "valid_to": today.isoformat(),
            "csrf_token": csrf,
        },
    )
    assert vague.status_code == 422
    assert 'id="e-importer"' in vague.text
    assert 'id="e-units"' in vague.text
    sign_in(client, session_factory, staff, "inspector.post1")
    declaration = text_of(with_panels(client, f"/declarations/{REROUTED}"))
    assert "Alerts in force for this declaration" in declaration
    assert "Ask for the sales contract." in declaration
    assert "Alerts in force" not in text_of(
        with_panels(client, "/declarations/KGBSK/051026/0000011")
    )
    queue = text_of(client.get("/queue"))
    assert REROUTED in queue
    assert "Cars of A under value" in queue
    sign_in(client, session_factory, staff, "inspector.post2")
    assert "Cars of A under value" not in text_of(client.get("/queue"))


def test_the_inbox(world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]) -> None:
    client, staff = world
    csrf = sign_in(client, session_factory, staff, AUDITOR)
    today = service.today()
    client.post(
        "/post-entry/alerts",
        data={
            "title": "Phones",
            "instructions": "Count the phones.",
            "hs_prefix": "8517",
            "offices": "KGBSK",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=3)).isoformat(),
            "csrf_token": csrf,
        },
    )
    refused = client.post(
        "/post-entry/requests",
        data={
            "title": "Cars",
            "text": "cheap cars",
            "proposed_criteria": "hs_kode = 1",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 422
    assert 'id="e-proposed_criteria"' in refused.text
    sent = client.post(
        "/post-entry/requests",
        data={
            "title": "Cars under value",
            "text": "Invoices at 40 % of contracts.",
            "csrf_token": csrf,
        },
    )
    assert sent.status_code == 303
    csrf = sign_in(client, session_factory, staff, "inspector.post1")
    inbox = client.get("/inbox")
    assert "Count the phones." in text_of(inbox)
    assert "Cars under value" not in text_of(inbox)
    alert_id = re.search(r"/inbox/alerts/(\d+)/acknowledge", inbox.text)
    assert alert_id is not None
    ack = client.post(f"/inbox/alerts/{alert_id.group(1)}/acknowledge", headers=htmx_headers(csrf))
    assert ack.status_code == 204
    assert "Acknowledged" in text_of(client.get("/inbox"))
    csrf = sign_in(client, session_factory, staff, ANALYST)
    hq = client.get("/inbox")
    request_id = re.search(r"/inbox/requests/(\d+)/accept", hq.text)
    assert request_id is not None
    assert (
        client.post(
            f"/inbox/requests/{request_id.group(1)}/accept", data={"csrf_token": csrf}
        ).status_code
        == 303
    )
    settle = client.post(
        f"/inbox/requests/{request_id.group(1)}/done",
        data={"profile_code": "nat-2026-0099", "csrf_token": csrf},
    )
    assert settle.status_code == 303
    assert "Profile NAT-2026-0099" in text_of(client.get("/post-entry/requests"))
    sign_in(client, session_factory, staff, "inspector")
    assert "Take it up" not in client.get("/inbox").text
