"""The trader register's web pages through the real app (SQLite and PostgreSQL): the list and
its filters, one trader with the components of its score in words, the override and AEO
forms (422 with each field's message, 409, success), who may see and change what, the
simplified procedure on the declaration page and the office parameters' multipliers."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings, customs_day
from corridor.db.uow import UnitOfWork
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import OfficeParametersIn, ProfileCreate
from corridor.traders import service as traders_service
from corridor.traders.schemas import OverrideCreate, TraderRead
from corridor.web.state import state_of
from tests.integration.valuation.history import car_import
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in, with_panels

IMPORTER = "01503200710021"  # the factories' importer
BROKER = "02107199910034"  # the factories' declarant
TODAY = customs_day(datetime.now(UTC))  # the installation's day, as the rules judge it


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        for n in range(2):
            response = test_client.post(
                "/api/v1/declarations",
                json=car_import(f"KGBSK/W/{n:04d}"),
                headers=staff.headers(Role.SYSTEM),
            )
            assert response.status_code == 201, response.text
        yield test_client


def run(session_factory: sessionmaker[Session], use_case: Any) -> Any:
    with UnitOfWork(session_factory) as uow:
        result = use_case(uow)
        uow.commit()
        return result


def trader(session_factory: sessionmaker[Session], tin: str = IMPORTER) -> TraderRead:
    with UnitOfWork(session_factory) as uow:
        return traders_service.get_trader(uow=uow, tin=tin)


def recategorise(session_factory: sessionmaker[Session]) -> None:
    run(session_factory, lambda uow: traders_service.recategorise(uow=uow, actor="cli:test"))


def error_of(text: str, field: str) -> str:
    return html.unescape(text.split(f'id="e-{field}">')[1].split("</small>")[0])


def test_the_list_with_its_filters_and_the_recategorise_button(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    empty = client.get("/traders")
    assert empty.status_code == 200
    assert "never recategorised" in empty.text
    done = client.post("/traders/recategorise", headers=htmx_headers(csrf))
    assert (done.status_code, done.headers["hx-redirect"]) == (204, "/traders")
    page = client.get("/traders")
    assert f'href="/traders/{IMPORTER}"' in page.text
    assert f'href="/traders/{BROKER}"' in page.text
    assert "medium risk" in page.text
    assert 'id="recategorise-form"' in page.text
    declarants = client.get("/traders?role=declarant").text
    assert f"/traders/{BROKER}" in declarants
    assert f"/traders/{IMPORTER}" not in declarants
    assert "No trader matches" in client.get("/traders?category=low").text
    assert client.get("/traders?category=severe").status_code == 422

    sign_in(client, session_factory, staff, Role.POST_ENTRY_AUDITOR)
    reading = client.get("/traders")
    assert reading.status_code == 200
    assert 'id="recategorise-form"' not in reading.text
    for role in (Role.INSPECTOR, Role.VIEWER, Role.ADMINISTRATOR):
        sign_in(client, session_factory, staff, role)
        assert client.get("/traders").status_code == 403, role
        assert client.get(f"/traders/{IMPORTER}").status_code == 403, role


def test_a_trader_s_page_explains_its_category_in_words(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    recategorise(session_factory)
    sign_in(client, session_factory, staff, Role.POST_ENTRY_AUDITOR)
    page = client.get(f"/traders/{IMPORTER}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Controls: 0 inspections and post-entry audits, of which 0 found a discrepancy." in text
    assert "No declaration had been inspected" in text
    assert "Medium risk: the score is from 35 to 75." in text
    assert 'id="override-form"' not in text  # the auditor reads only
    assert client.get("/traders/09999999999999").status_code == 404
    assert client.get("/traders/not%20a%20tin").status_code == 422

    run(
        session_factory,
        lambda uow: accounts_service.set_language(
            uow=uow, username="post_entry_auditor", language="ru"
        ),
    )
    assert "Почему эта категория" in client.get(f"/traders/{IMPORTER}").text


def test_the_override_forms(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    recategorise(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.POST_ENTRY_HEAD)
    url = f"/traders/{IMPORTER}/override"
    data = {"category": "low", "valid_until": str(TODAY), "reason": ""}
    refused = client.post(url, data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 422
    assert error_of(refused.text, "valid_until") == "must be a day after today"
    assert error_of(refused.text, "reason") == "This field is required."
    assert trader(session_factory).override is None
    until = TODAY + timedelta(days=20)
    data = {"category": "high", "valid_until": str(until), "reason": "audit under way"}
    done = client.post(url, data=data, headers=htmx_headers(csrf))
    assert (done.status_code, done.headers["hx-redirect"]) == (204, f"/traders/{IMPORTER}")
    shown = trader(session_factory)
    assert (shown.category, shown.category_source) == ("high", "override")
    assert shown.override is not None
    assert shown.override.created_by == "post_entry_head"
    page = html.unescape(client.get(f"/traders/{IMPORTER}").text)
    assert "Set by hand to high risk" in page
    assert 'id="lift-form"' in page

    lift = f"{url}/lift"
    assert client.post(lift, data={"reason": "x"}, headers=htmx_headers(csrf)).status_code == 422
    lifted = client.post(lift, data={"reason": "audit closed"}, headers=htmx_headers(csrf))
    assert lifted.status_code == 204
    assert trader(session_factory).category == "medium"
    again = client.post(lift, data={"reason": "audit closed"}, headers=htmx_headers(csrf))
    assert again.status_code == 409
    assert "has no override in force" in again.text

    sign_in(client, session_factory, staff, Role.POST_ENTRY_AUDITOR)
    assert client.post(url, data=data, headers=htmx_headers(csrf)).status_code == 403
    assert client.post("/traders/recategorise", headers=htmx_headers(csrf)).status_code == 403


def test_the_aeo_forms(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    recategorise(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    url = f"/traders/{IMPORTER}/aeo"
    data = {
        "certificate": "KG-AEO-2026-0007",
        "kind": "AEO-1",
        "valid_from": str(TODAY),
        "valid_to": str(TODAY - timedelta(days=1)),
    }
    refused = client.post(url, data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 422
    assert error_of(refused.text, "valid_to") == "must not be before valid_from"
    refused = client.post(url, data={**data, "kind": ""}, headers=htmx_headers(csrf))
    assert error_of(refused.text, "kind") == "This field is required."
    data["valid_to"] = str(TODAY + timedelta(days=365))
    done = client.post(url, data=data, headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert trader(session_factory).aeo is not None
    page = client.get(f"/traders/{IMPORTER}").text
    assert "KG-AEO-2026-0007" in page
    assert 'id="aeo-end-form"' in page
    taken = client.post(f"/traders/{BROKER}/aeo", data=data, headers=htmx_headers(csrf))
    assert taken.status_code == 409
    assert "recorded for another trader" in html.unescape(taken.text)
    end = f"{url}/end"
    assert client.post(end, data={"reason": ""}, headers=htmx_headers(csrf)).status_code == 422
    ended = client.post(end, data={"reason": "withdrawn"}, headers=htmx_headers(csrf))
    assert ended.status_code == 204
    assert trader(session_factory).aeo is None
    assert client.post(
        end, data={"reason": "withdrawn"}, headers=htmx_headers(csrf)
    ).status_code == (409)


def test_the_declaration_page_shows_the_simplified_procedure_to_analysts_only(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    recategorise(session_factory)
    profile = ProfileCreate(
        code="NAT-2026-0301",
        title="Cars from China",
        risk_area="valuation",
        criteria='origin = "CN"',
        measures=[{"code": "109", "mandatory": False}, {"code": "101"}],  # type: ignore[list-item]
        exempt_low_risk=True,
    )

    def activate(uow: UnitOfWork) -> None:
        profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile, actor="analyst"
        )
        for action, actor in (("submit", "analyst"), ("approve", "head"), ("activate", "head")):
            profiles_service.transition(
                uow=uow, code=profile.code, version=1, action=action, actor=actor
            )
        profiles_service.set_office_parameters(
            uow=uow,
            office="KGBSK",
            flow="IM",
            parameters=OfficeParametersIn(random_red=Decimal(100), low_risk_multiplier=Decimal(0)),
            actor="administrator",
        )
        traders_service.set_override(
            uow=uow,
            tin=IMPORTER,
            override_in=OverrideCreate(
                category="low", reason="trusted", valid_until=TODAY + timedelta(days=5)
            ),
            actor="analyst",
        )

    run(session_factory, activate)
    response = client.post(
        "/api/v1/declarations",
        json=car_import("KGBSK/W/0100"),
        headers=staff.headers(Role.SYSTEM),
    )
    assert response.json()["decision"]["channel"] == "yellow"
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = html.unescape(with_panels(client, "/declarations/KGBSK/W/0100").text)
    assert "Simplified procedure" in page
    assert "The trader was low-risk on the day of the decision." in page
    assert "Profile NAT-2026-0301 v1: optional measures not applied:" in page
    assert "Random control, red: rate 100 % × 0 = 0 %" in page
    assert "it would have selected at the full rate" in page
    sign_in(client, session_factory, staff, "inspector.post1")
    hidden = with_panels(client, "/declarations/KGBSK/W/0100")
    assert hidden.status_code == 200
    assert "Simplified procedure" not in hidden.text


def test_the_office_parameters_carry_the_multipliers(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    data = {
        "random_red": "2",
        "random_yellow": "3",
        "random_blue": "1",
        "low_risk_multiplier": "1,5",
        "aeo_multiplier": "0.25",
    }
    refused = client.post("/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 422
    assert "low_risk_multiplier" in refused.text
    data["low_risk_multiplier"] = "0.5"
    assert client.post(
        "/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf)
    ).status_code == (204)
    with UnitOfWork(session_factory) as uow:
        stored = profiles_service.office_parameters_of(uow=uow, office="KGBSK", flow="IM")
    assert stored is not None
    assert (stored.low_risk_multiplier, stored.aeo_multiplier) == (Decimal("0.5"), Decimal("0.25"))
    form = client.get("/parameters?office=KGBSK&flow=IM").text
    assert 'name="low_risk_multiplier"' in form
    assert 'value="0.5"' in form
    # Saved without them (an older form), the multipliers are 1: as for everyone.
    data = {"random_red": "2", "random_yellow": "3", "random_blue": "1"}
    assert client.post(
        "/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf)
    ).status_code == (204)
    with UnitOfWork(session_factory) as uow:
        stored = profiles_service.office_parameters_of(uow=uow, office="KGBSK", flow="IM")
    assert stored is not None
    assert stored.low_risk_multiplier == Decimal(1)


def test_the_forms_refusals_speak_russian_and_the_api_english(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    recategorise(session_factory)
    analyst = Role.RISK_ANALYST.value
    run(
        session_factory,
        lambda uow: accounts_service.set_language(uow=uow, username=analyst, language="ru"),
    )
    csrf = sign_in(client, session_factory, staff, analyst)
    url = f"/traders/{IMPORTER}/aeo"
    data = {
        "certificate": "KG-AEO-2026-0007",
        "kind": "AEO-1",
        "valid_from": str(TODAY),
        "valid_to": str(TODAY - timedelta(days=1)),
    }
    backwards = client.post(url, data=data, headers=htmx_headers(csrf))
    assert backwards.status_code == 422
    assert error_of(backwards.text, "valid_to") == "не может быть раньше даты начала действия"
    data["valid_to"] = str(TODAY + timedelta(days=365))
    assert client.post(url, data=data, headers=htmx_headers(csrf)).status_code == 204
    taken = client.post(f"/traders/{BROKER}/aeo", data=data, headers=htmx_headers(csrf))
    assert taken.status_code == 409
    assert "свидетельство УЭО KG-AEO-2026-0007 внесено за другим участником ВЭД" in (
        html.unescape(taken.text)
    )
    assert "recorded for another trader" not in taken.text
    unknown = client.get("/traders/99999999999999")
    assert unknown.status_code == 404
    assert "участника ВЭД с ИНН 99999999999999 нет в реестре" in html.unescape(unknown.text)

    api = client.put(
        f"/api/v1/traders/{BROKER}/aeo", json=data, headers=staff.headers(Role.RISK_ANALYST)
    )
    assert api.status_code == 409
    assert api.json()["detail"] == "AEO certificate KG-AEO-2026-0007 is recorded for another trader"
