"""The inspector's pages: the queue, the inspection act form (checked as it is filled in),
an act with its versions, and its correction (SQLite and PostgreSQL).

The form posts to the use cases of the API's inspection acts: what the API refuses,
the form refuses beside the field, storing nothing; nothing on these pages shows a
hit's reason or tells a profile's selection from a random one.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.inspections import service as inspections_service
from corridor.inspections.repository import ActFilters
from corridor.inspections.schemas import InspectionActRead
from corridor.web.state import state_of
from tests.factories import declaration, item
from tests.integration.inspections.world import INSTRUCTIONS, activate_cars, random_control
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in, with_panels

CARS = "KGBSK/011026/0000001"  # registered 1 Oct 09:30; the cars profile sends it red
EARLIER = "KGBSK/300926/0000009"  # a car registered the day before: first in the queue
SHOES = "KGBSK/011026/0000003"  # random control sends it yellow
OSH = "KGOSH/011026/0000002"  # red, at the other post
EXPORT = "KGBSK/011026/0000004"  # green: nobody selected it
REASON = "hs_code 8703231990 starts with 8703"
POST1 = "inspector.post1"


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile changes at once
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def lodge(client: TestClient, staff: Staff, number: str, **changes: Any) -> str:
    """Submit a declaration as the clearance system; its channel."""
    response = client.post(
        "/api/v1/declarations",
        json=declaration(number, **changes),
        headers=staff.headers(Role.SYSTEM),
    )
    assert response.status_code == 201, response.text
    channel: str = response.json()["decision"]["channel"]
    return channel


@pytest.fixture
def lodged(client: TestClient, staff: Staff, session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    random_control(session_factory, channel="yellow")
    assert lodge(client, staff, CARS) == "red"
    assert lodge(client, staff, EARLIER, registered_at="2026-09-30T16:00:00+06:00") == "red"
    shoes = [item(1, hs_code="6403990000", description="leather shoes")]
    assert (
        lodge(client, staff, SHOES, registered_at="2026-10-02T10:00:00+06:00", items=shoes)
        == "yellow"
    )
    assert lodge(client, staff, OSH, office="KGOSH") == "red"
    grapes = [item(1, hs_code="0806101000", description="fresh grapes", origin="KG")]
    export = {"flow": "EX", "procedure": "10", "importer": None, "items": grapes}
    assert lodge(client, staff, EXPORT, **export) == "green"


def act_form(number: str = CARS, **changes: Any) -> dict[str, Any]:
    """The act form as an inspector fills it in: the cars profile's measures (109, 601)
    and random control's (101), a valuation discrepancy."""
    data: dict[str, Any] = {
        "declaration_number": number,
        "declaration_version": "1",
        "measure_code": ["109", "101", "601"],
        "measure_status": ["applied", "applied", "not_applied"],
        "measure_reason": ["", "", "DOCS-SUFFICIENT"],
        "outcome": "discrepancy",
        "discrepancy_types": ["valuation"],
        "additional_duties": "48500.00",
        "offence_case": "",
        "minutes_spent": "95",
        "inspected_at": "2026-10-01T14:10",
        "notes": "Invoice 40 % below the sales contract found in the cabin.",
    }
    data.update(changes)
    return data


def stored_acts(session_factory: sessionmaker[Session]) -> list[InspectionActRead]:
    with UnitOfWork(session_factory) as uow:
        found = inspections_service.list_acts(
            uow=uow, filters=ActFilters(all_versions=True), cursor=None, limit=50
        )
    return found.items


def queued(page: str) -> list[str]:
    """The declaration numbers of a queue page, in order."""
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return [part.split('">')[1].split("<")[0] for part in body.split('<a href="/declarations/')[1:]]


# --------------------------------------------------------------------------- the queue


def test_the_queue_lists_red_and_yellow_awaiting_acts_oldest_first(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    page = client.get("/queue")
    assert page.status_code == 200
    assert queued(page.text) == [EARLIER, CARS, SHOES]  # not Osh's, not the green export
    text = html.unescape(page.text)
    assert f'<a class="button primary" href="/acts/new?declaration={CARS}">Record act</a>' in text
    assert text.count(">Record act</a>") == 3
    assert 'class="badge ch-yellow"' in text
    assert INSTRUCTIONS in text
    assert "physical examination of goods" in text
    for secret in (REASON, "NAT-2026-0100", "random control", "random"):
        assert secret not in text

    saved = client.post(
        "/acts", data=act_form(EARLIER, inspected_at="2026-09-30T18:00"), headers=htmx_headers(csrf)
    )
    assert saved.status_code == 204, saved.text
    assert queued(client.get("/queue").text) == [CARS, SHOES]

    sign_in(client, session_factory, staff, "inspector.post2")
    assert queued(client.get("/queue").text) == [OSH]
    for who in (Role.RISK_ANALYST, Role.VIEWER, Role.REGIONAL_COORDINATOR):
        sign_in(client, session_factory, staff, who)
        assert client.get("/queue").status_code == 403
        assert client.get(f"/acts/new?declaration={CARS}").status_code == 403
    sign_in(client, session_factory, staff, POST1)
    assert client.get("/queue?cursor=nonsense").status_code == 422


# --------------------------------------------------------------------------- the act form


def test_the_act_form_shows_the_decisions_measures_and_no_reasons(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    sign_in(client, session_factory, staff, POST1)
    form = client.get(f"/acts/new?declaration={CARS}")
    assert form.status_code == 200
    text = html.unescape(form.text)
    for needle in (
        'hx-post="/acts/validate"',
        'hx-trigger="change"',
        'hx-target="#act-errors"',
        'id="f-outcome"',
        'id="f-discrepancy_types-valuation"',
        'id="f-additional_duties"',
        'id="f-minutes_spent"',
        'id="f-inspected_at"',
        'id="f-offence_case"',
        'id="f-seizure"',
        'id="f-measures.0.status"',
        'id="f-measures.2.reason_code"',
        'name="measure_code" value="109"',
        'name="measure_code" value="601"',
        'name="measure_code" value="101"',
        ">Save act</button>",
        INSTRUCTIONS,
    ):
        assert needle in text, needle
    for secret in (REASON, "NAT-2026-0100", "random control"):
        assert secret not in text
    assert 'name="selection_basis"' not in text  # derived from the decision
    # Another post's declaration does not exist for this inspector.
    assert client.get(f"/acts/new?declaration={OSH}").status_code == 404
    picker = client.get("/acts/new?declaration=")
    assert picker.status_code == 200
    assert 'id="f-declaration"' in picker.text
    assert client.get("/acts/new?declaration=" + "9" * 81).status_code == 422


def test_a_discrepancy_without_a_type_is_refused_beside_the_field_and_nothing_stored(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    message = "at least one type is required with a discrepancy"
    # While the form is filled in: the same message, nothing stored.
    checked = client.post(
        "/acts/validate", data=act_form(discrepancy_types=[]), headers=htmx_headers(csrf)
    )
    assert checked.status_code == 422
    assert message in checked.text
    assert 'href="#f-discrepancy_types"' in checked.text
    # A field the inspector has not reached yet is not reported.
    early = client.post(
        "/acts/validate",
        data=act_form(discrepancy_types=[], minutes_spent=""),
        headers=htmx_headers(csrf),
    )
    assert message in early.text
    assert "Minutes spent" not in early.text
    fine = client.post(
        "/acts/validate", data=act_form(minutes_spent=""), headers=htmx_headers(csrf)
    )
    assert fine.status_code == 200
    assert "No problems found so far." in fine.text

    refused = client.post("/acts", data=act_form(discrepancy_types=[]), headers=htmx_headers(csrf))
    assert refused.status_code == 422
    assert refused.text.lstrip().startswith('<form id="act-form"')
    assert f'<small class="error" id="e-discrepancy_types">{message}</small>' in refused.text
    # What was typed stays in the form.
    assert 'value="48500.00"' in refused.text
    assert 'value="DOCS-SUFFICIENT" selected' in refused.text
    assert stored_acts(session_factory) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"additional_duties": "-5"}, "additional_duties", "Must be at least 0."),
        (
            {"outcome": "no_discrepancy", "discrepancy_types": ["valuation"]},
            "discrepancy_types",
            "must be empty when the outcome is no_discrepancy",
        ),
        (
            {"seizure": "true", "offence_case": ""},
            "offence_case",
            "required when goods were seized",
        ),
        (
            {"measure_reason": ["", "", ""]},
            "measures.2.reason_code",
            "required when the measure is not_applied",
        ),
        ({"minutes_spent": ""}, "minutes_spent", "This field is required."),
        ({"outcome": ""}, "outcome", "This field is required."),
        ({"inspected_at": "yesterday"}, "inspected_at", "Enter a date and time."),
        ({"inspected_at": "2026-10-01T08:00"}, "inspected_at", "before the registration"),
        (
            {"measure_code": ["109", "101", ""], "measure_status": ["applied"] * 3},
            "measures",
            "the decision's measures 601 are missing",
        ),
    ],
)
def test_each_rule_of_the_act_is_shown_beside_its_field(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: None,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    refused = client.post("/acts", data=act_form(**changes), headers=htmx_headers(csrf))
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    beside = text.split(f'id="e-{field}">')[1].split("</")[0]
    assert message in beside
    assert stored_acts(session_factory) == []


def test_a_good_act_is_stored_and_shown_and_a_second_one_is_a_conflict(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    saved = client.post(
        "/acts", data=act_form(additional_duties="48 500,00"), headers=htmx_headers(csrf)
    )
    assert saved.status_code == 204, saved.text
    (act,) = stored_acts(session_factory)
    assert saved.headers["HX-Redirect"] == f"/acts/{act.id}"
    assert (act.declaration_number, act.outcome, act.discrepancy_types) == (
        CARS,
        "discrepancy",
        ["valuation"],
    )
    assert act.additional_duties == Decimal("48500")
    assert (act.inspector, act.recorded_by, act.minutes_spent) == (POST1, POST1, 95)
    assert act.source == "web"
    assert [(m.code, m.status, m.reason_code) for m in act.measures] == [
        ("109", "applied", None),
        ("101", "applied", None),
        ("601", "not_applied", "DOCS-SUFFICIENT"),
    ]
    assert act.inspected_at.isoformat() == "2026-10-01T08:10:00+00:00"  # 14:10 in Bishkek

    page = client.get(f"/acts/{act.id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "<code>valuation</code>" in text
    assert "48,500.00" in text
    assert "DOCS-SUFFICIENT" in text
    assert "selected by the risk management system" in text  # not "risk profile"
    assert "risk profile" not in text
    assert f"/acts/{act.id}/correct" in text
    # An analyst may tell how the declaration was selected.
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    assert "risk profile" in client.get(f"/acts/{act.id}").text
    detail = with_panels(client, f"/declarations/{CARS}")
    assert f'href="/acts/{act.id}"' in detail.text
    assert "Inspection act" in detail.text

    csrf = sign_in(client, session_factory, staff, POST1)
    again = client.post("/acts", data=act_form(), headers=htmx_headers(csrf))
    assert again.status_code == 409
    assert f"already has inspection act {act.id}" in again.text
    assert len(stored_acts(session_factory)) == 1
    notice = client.get(f"/acts/new?declaration={CARS}")
    assert f'href="/acts/{act.id}"' in notice.text
    assert 'id="act-form"' not in notice.text
    checked = client.post("/acts/validate", data=act_form(), headers=htmx_headers(csrf))
    assert f"already has inspection act {act.id}" in checked.text

    # Another post's inspector cannot read it.
    sign_in(client, session_factory, staff, "inspector.post2")
    assert client.get(f"/acts/{act.id}").status_code == 404


def test_a_plain_post_is_redirected_and_a_missing_token_refused(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    assert client.post("/acts", data=act_form()).status_code == 403
    assert client.post("/acts", data={**act_form(), "csrf_token": "forged"}).status_code == 403
    assert client.post("/acts/validate", data=act_form()).status_code == 403
    assert stored_acts(session_factory) == []
    plain = client.post("/acts", data={**act_form(), "csrf_token": csrf})
    assert plain.status_code == 303
    (act,) = stored_acts(session_factory)
    assert plain.headers["location"] == f"/acts/{act.id}"
    # A plain post refused gets the whole page with the form.
    refused = client.post("/acts", data={**act_form(SHOES, outcome=""), "csrf_token": csrf})
    assert refused.status_code == 422
    assert "<html" in refused.text
    assert 'id="e-outcome"' in refused.text


def test_an_act_on_a_declaration_nobody_selected_is_discretionary(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    form = client.get(f"/acts/new?declaration={EXPORT}")
    assert form.status_code == 200
    assert 'name="selection_basis" value="discretionary"' in form.text
    assert 'id="f-measures.1.code"' in form.text  # free rows: any catalogue measure
    data = act_form(
        EXPORT,
        selection_basis="discretionary",
        measure_code=["", "109"],
        measure_status=["applied", "not_applied"],
        measure_reason=["", ""],
        outcome="no_discrepancy",
        discrepancy_types=[],
        additional_duties="0",
    )
    # Nothing chosen yet and a discrepancy without a type: both are shown at once.
    nothing = client.post(
        "/acts/validate",
        data={**data, "measure_code": ["", ""], "outcome": "discrepancy"},
        headers=htmx_headers(csrf),
    )
    assert nothing.status_code == 422
    assert 'href="#f-measures"' in nothing.text
    assert "Name at least one form of control." in nothing.text
    assert "at least one type is required with a discrepancy" in nothing.text
    refused = client.post("/acts", data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 422
    # The message is beside the second row, where the measure was chosen.
    assert 'id="e-measures.1.reason_code"' in refused.text
    saved = client.post(
        "/acts",
        data={**data, "measure_reason": ["", "GOODS-UNAVAILABLE"]},
        headers=htmx_headers(csrf),
    )
    assert saved.status_code == 204, saved.text
    (act,) = stored_acts(session_factory)
    assert act.selection_basis == "discretionary"
    assert [(m.code, m.reason_code) for m in act.measures] == [("109", "GOODS-UNAVAILABLE")]


def test_an_act_is_corrected_with_a_reason_and_keeps_its_versions(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    assert client.post("/acts", data=act_form(), headers=htmx_headers(csrf)).status_code == 204
    (first,) = stored_acts(session_factory)
    form = client.get(f"/acts/{first.id}/correct")
    assert form.status_code == 200
    assert 'id="f-correction_reason"' in form.text
    assert 'value="48500"' in form.text  # filled in with the act
    assert "checked" in form.text.split('id="f-discrepancy_types-valuation"')[1].split(">")[0]

    url = f"/acts/{first.id}/corrections"
    changed = act_form(additional_duties="52000")
    no_reason = client.post(url, data=changed, headers=htmx_headers(csrf))
    assert no_reason.status_code == 422
    assert '<small class="error" id="e-correction_reason">This field is required.</small>' in (
        no_reason.text
    )
    checked = client.post(
        "/acts/validate",
        data={**changed, "act_id": str(first.id), "discrepancy_types": []},
        headers=htmx_headers(csrf),
    )
    assert "at least one type is required with a discrepancy" in checked.text
    assert "already has inspection act" not in checked.text
    assert len(stored_acts(session_factory)) == 1

    done = client.post(
        url,
        data={**changed, "correction_reason": "duties recomputed at the new rate"},
        headers=htmx_headers(csrf),
    )
    assert done.status_code == 204, done.text
    second, old = stored_acts(session_factory)
    assert done.headers["HX-Redirect"] == f"/acts/{second.id}"
    assert (second.act_version, second.current, second.additional_duties) == (
        2,
        True,
        Decimal("52000"),
    )
    assert not old.current
    page = client.get(f"/acts/{second.id}").text
    assert "duties recomputed at the new rate" in page
    assert f'href="/acts/{first.id}"' in page  # the replaced version, linked
    replaced = client.get(f"/acts/{first.id}").text
    assert "replaced by a correction" in replaced
    assert f"/acts/{first.id}/correct" not in replaced
    stale = client.post(
        url, data={**changed, "correction_reason": "on the old one"}, headers=htmx_headers(csrf)
    )
    assert stale.status_code == 409
    assert "was replaced by a correction" in stale.text


def test_the_form_and_its_messages_speak_russian(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    assert client.post("/language", data={"language": "ru", "csrf_token": csrf}).status_code == 303
    form = client.get(f"/acts/new?declaration={CARS}").text
    assert "Сохранить акт" in form
    assert "Итог досмотра" in form
    assert "недостоверно заявлена таможенная стоимость" in form
    assert "Save act" not in form
    checked = client.post(
        "/acts/validate", data=act_form(discrepancy_types=[]), headers=htmx_headers(csrf)
    )
    assert "при выявленном несоответствии укажите хотя бы один вид" in checked.text
    assert "Перед сохранением исправьте 1 ошибку:" in checked.text
    assert "Составить акт" in client.get("/queue").text


def test_the_services_refusals_speak_russian_on_the_pages_and_english_through_the_api(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], lodged: None
) -> None:
    csrf = sign_in(client, session_factory, staff, POST1)
    assert client.post("/language", data={"language": "ru", "csrf_token": csrf}).status_code == 303
    assert client.post("/acts", data=act_form(), headers=htmx_headers(csrf)).status_code == 204
    (first,) = stored_acts(session_factory)

    again = client.post("/acts", data=act_form(), headers=htmx_headers(csrf))
    assert again.status_code == 409
    assert (
        f"по декларации {CARS} (версия 1) уже составлен акт таможенного досмотра {first.id}; "
        "вместо нового акта направьте его корректировку"
    ) in html.unescape(again.text)
    assert "send a correction" not in again.text
    early = client.post(
        "/acts/validate",
        data=act_form(EARLIER, inspected_at="2026-09-30T08:00"),
        headers=htmx_headers(csrf),
    )
    assert "раньше регистрации декларации (2026-09-30T10:00:00+00:00)" in html.unescape(early.text)
    unselected = client.post(
        "/acts/validate",
        data=act_form(
            EXPORT,
            measure_code=["109"],
            measure_status=["applied"],
            measure_reason=[""],
            outcome="no_discrepancy",
            discrepancy_types=[],
            additional_duties="0",
        ),
        headers=htmx_headers(csrf),
    )
    assert (
        f"декларация {EXPORT} не выбрана для досмотра (зелёный канал); в акте по ней укажите "
        "основание выбора «по решению должностного лица»"
    ) in html.unescape(unselected.text)
    missing = client.get("/acts/999999")
    assert missing.status_code == 404
    assert "акта таможенного досмотра 999999 не существует" in html.unescape(missing.text)

    url = f"/acts/{first.id}/corrections"
    reason = {"correction_reason": "duties recomputed at the new rate"}
    assert (
        client.post(url, data={**act_form(), **reason}, headers=htmx_headers(csrf)).status_code
        == 204
    )
    second = next(act for act in stored_acts(session_factory) if act.current)
    stale = client.post(url, data={**act_form(), **reason}, headers=htmx_headers(csrf))
    assert stale.status_code == 409
    assert (
        f"акт таможенного досмотра {first.id} заменён корректировкой; "
        f"корректируйте действующую версию (акт {second.id})"
    ) in html.unescape(stale.text)

    # The API keeps the service's English words.
    api = client.post(
        "/api/v1/inspection-acts",
        json={
            "declaration_number": CARS,
            "declaration_version": 1,
            "measures": [{"code": "109", "status": "applied"}],
            "outcome": "no_discrepancy",
            "minutes_spent": 10,
            "inspected_at": "2026-10-01T08:10:00Z",
        },
        headers=staff.headers(POST1),
    )
    assert api.status_code == 409, api.text
    assert api.json()["detail"] == (
        f"declaration {CARS} version 1 already has inspection act {second.id}; "
        "send a correction of it instead"
    )
