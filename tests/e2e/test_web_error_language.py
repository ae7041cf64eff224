"""The services' error messages reach a page in its reader's language, the API in English.

A service writes its errors with ``corridor.errors.N_``: the API and the CLI keep saying
the English text; a form or an error page says it in the signed-in user's language, with
the figures of the case. Post-entry control (an audit plan over its capacity, a period
given backwards, a plan that does not exist) and reference prices (an override refused
by its model, by the service, and one lifted twice), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.valuation import service as valuation_service
from tests.integration.postentry.world import B, build
from tests.staff import Staff
from tests.web import htmx_headers, sign_in

HEAD = "post_entry_head"
PLAN = {"unit": "POST-1", "period_from": "2026-10-01", "period_to": "2026-10-31"}
OVERRIDE = {
    "hs_code": "8703239000",
    "origin": "CN",
    "basis": "unit",
    "unit": "796",
    "median": "1500000",
    "low": "900000",
    "high": "2500000",
    "reason": "manufacturer's price list 2026",
}


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


def speaks(session_factory: sessionmaker[Session], username: str, language: str) -> None:
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=username, language=language)
        uow.commit()


def full_plan(client: TestClient, csrf: str) -> str:
    """The URL of a draft plan holding its capacity (two traders)."""
    built = client.post(
        "/post-entry/plans", data={**PLAN, "capacity": "2"}, headers=htmx_headers(csrf)
    )
    assert built.status_code == 204, built.text
    return str(built.headers["hx-redirect"])


def test_post_entry_errors_in_russian_on_the_pages_and_in_english_through_the_api(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    speaks(session_factory, HEAD, "ru")
    csrf = sign_in(client, session_factory, staff, HEAD)
    plan_url = full_plan(client, csrf)
    plan_id = plan_url.rsplit("/", 1)[1]

    full = client.post(f"{plan_url}/items", data={"tin": B, "csrf_token": csrf})
    assert full.status_code == 409
    assert (
        f"план проверок {plan_id} заполнен: участников ВЭД в нём — 2, возможности — "
        "2 проверок; сначала увеличьте возможности или исключите участника ВЭД"
    ) in text_of(full)
    assert "its capacity is" not in full.text

    backwards = client.post(
        "/post-entry/plans",
        data={**PLAN, "period_from": "2026-11-30", "capacity": "2", "csrf_token": csrf},
    )
    assert backwards.status_code == 422
    assert "не может быть раньше from (2026-11-30)" in text_of(backwards)

    missing = client.get("/post-entry/plans/999999")
    assert missing.status_code == 404
    assert "плана проверок 999999 не существует" in text_of(missing)

    # The API says what it always said, whatever the user's language.
    api = client.post(
        f"/api/v1/post-entry/plans/{plan_id}/items", json={"tin": B}, headers=staff.headers(HEAD)
    )
    assert api.status_code == 409
    assert api.json()["detail"] == (
        f"audit plan {plan_id} is full: it holds 2 traders, its capacity is 2 audits; "
        "raise the capacity or remove a trader first"
    )
    gone = client.get("/api/v1/post-entry/plans/999999", headers=staff.headers(HEAD))
    assert gone.json()["detail"] == "audit plan 999999 does not exist"

    # In English the page says the service's own words.
    speaks(session_factory, HEAD, "en")
    csrf = sign_in(client, session_factory, staff, HEAD)
    again = client.post(f"{plan_url}/items", data={"tin": B, "csrf_token": csrf})
    assert again.status_code == 409
    assert api.json()["detail"] in text_of(again)
    backwards = client.post(
        "/post-entry/plans",
        data={**PLAN, "period_from": "2026-11-30", "capacity": "2", "csrf_token": csrf},
    )
    assert "must not be before from (2026-11-30)" in text_of(backwards)
    assert "audit plan 999999 does not exist" in text_of(client.get("/post-entry/plans/999999"))


def test_price_override_errors_in_russian_on_the_pages_and_in_english_through_the_api(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    analyst = Role.RISK_ANALYST.value
    speaks(session_factory, analyst, "ru")
    csrf = sign_in(client, session_factory, staff, analyst)

    above = client.post(
        "/prices/overrides", data={**OVERRIDE, "low": "1600000"}, headers=htmx_headers(csrf)
    )
    assert above.status_code == 422
    assert "не может быть больше медианы (1500000)" in text_of(above)
    past = client.post(
        "/prices/overrides", data={**OVERRIDE, "valid_to": "2020-01-01"}, headers=htmx_headers(csrf)
    )
    assert past.status_code == 422
    assert "не может быть раньше сегодняшнего дня (" in text_of(past)
    assert client.post(
        "/prices/overrides", data=OVERRIDE, headers=htmx_headers(csrf)
    ).status_code in (204, 303)
    with UnitOfWork(session_factory) as uow:
        [override] = [
            o for o in valuation_service.list_overrides(uow=uow) if o.reason == OVERRIDE["reason"]
        ]
    lift = f"/prices/overrides/{override.id}/lift"
    reason = {"reason": "the price list expired"}
    assert client.post(lift, data=reason, headers=htmx_headers(csrf)).status_code == 204
    twice = client.post(lift, data=reason, headers=htmx_headers(csrf))
    assert twice.status_code == 409
    assert f"корректировка справочной цены {override.id} уже отменена" in text_of(twice)

    api = client.request(
        "DELETE",
        f"/api/v1/reference-prices/overrides/{override.id}",
        json=reason,
        headers=staff.headers(analyst),
    )
    assert api.status_code == 409
    assert api.json()["detail"] == f"reference price override {override.id} is already lifted"
    refused = client.post(
        "/api/v1/reference-prices/overrides",
        json={**OVERRIDE, "low": "1600000"},
        headers=staff.headers(analyst),
    )
    assert refused.status_code == 422
    assert [e["msg"] for e in refused.json()["errors"]] == ["must not exceed the median (1500000)"]

    speaks(session_factory, analyst, "en")
    csrf = sign_in(client, session_factory, staff, analyst)
    twice = client.post(lift, data=reason, headers=htmx_headers(csrf))
    assert api.json()["detail"] in text_of(twice)
    above = client.post(
        "/prices/overrides", data={**OVERRIDE, "low": "1600000"}, headers=htmx_headers(csrf)
    )
    assert "must not exceed the median (1500000)" in text_of(above)
