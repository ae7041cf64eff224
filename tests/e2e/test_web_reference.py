"""The reference data pages: named lists, the measures catalogue, office parameters and
reference prices, through the real app as the roles of the permission matrix (SQLite
and PostgreSQL)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from decimal import Decimal
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
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import (
    OfficeParametersIn,
    OfficeParametersRead,
    ProfileCreate,
    ReferenceListCreate,
    ReferenceListRead,
)
from corridor.valuation import service as valuation_service
from corridor.valuation.schemas import PriceOverrideRead
from tests.integration.valuation.history import CAR, cars
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

WATCHED = ReferenceListCreate(
    name="WATCHED_IMPORTERS",
    kind="companies",
    description="importers under watch",
    entries=[["KG00000001"], ["KG00000002"]],
)
SECRET = ReferenceListCreate(
    name="SECRET_IMPORTERS",
    kind="companies",
    confidential=True,
    entries=[["KG99999999"]],
)
OVERRIDE = {
    "hs_code": CAR,
    "origin": "CN",
    "basis": "unit",
    "unit": "796",
    "median": "1500000",
    "low": "900000",
    "high": "2500000",
    "reason": "manufacturer's price list 2026",
}


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def run(session_factory: sessionmaker[Session], use_case: Any) -> Any:
    """One use case in its own committed transaction."""
    with UnitOfWork(session_factory) as uow:
        result = use_case(uow)
        uow.commit()
        return result


def stored_list(session_factory: sessionmaker[Session], name: str) -> ReferenceListRead:
    with UnitOfWork(session_factory) as uow:
        return profiles_service.get_list(uow=uow, name=name)


def seed_lists(session_factory: sessionmaker[Session]) -> None:
    for list_in, actor in ((WATCHED, "risk_analyst"), (SECRET, "intelligence_officer")):
        run(
            session_factory,
            lambda uow, list_in=list_in, actor=actor: profiles_service.create_list(
                uow=uow, list_in=list_in, actor=actor
            ),
        )


def text_of(response: Any) -> str:
    return html.unescape(response.text)


# =========================================================================== lists


def test_lists_show_confidential_lists_only_to_intelligence(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    seed_lists(session_factory)

    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = client.get("/lists")
    assert page.status_code == 200, page.text
    assert "WATCHED_IMPORTERS" in page.text
    assert "importers under watch" in page.text
    assert "SECRET_IMPORTERS" not in page.text
    assert 'href="/lists/new"' in page.text
    assert client.get("/lists/SECRET_IMPORTERS").status_code == 404
    unseen = client.get("/lists/SECRET_IMPORTERS?version=9")
    assert unseen.status_code == 404
    assert "list SECRET_IMPORTERS does not exist" in unseen.text  # not "has no version 9"
    shown = client.get("/lists/WATCHED_IMPORTERS")
    assert shown.status_code == 200
    assert "KG00000001" in shown.text
    assert "KG00000002" in shown.text
    assert 'id="csv-form"' in shown.text
    assert 'id="entries-form"' in shown.text

    sign_in(client, session_factory, staff, Role.INTELLIGENCE_OFFICER)
    page = client.get("/lists")
    assert "SECRET_IMPORTERS" in page.text
    assert "confidential" in page.text
    secret = client.get("/lists/SECRET_IMPORTERS")
    assert secret.status_code == 200
    assert "KG99999999" in secret.text
    assert 'id="csv-form"' in secret.text

    # The approver may see intelligence but writes no list.
    sign_in(client, session_factory, staff, Role.APPROVER)
    secret = client.get("/lists/SECRET_IMPORTERS")
    assert secret.status_code == 200
    assert "KG99999999" in secret.text
    assert 'id="csv-form"' not in secret.text
    assert 'href="/lists/new"' not in client.get("/lists").text
    assert client.get("/lists/new").status_code == 403

    for role in (Role.INSPECTOR, Role.VIEWER, Role.POST_ENTRY_AUDITOR, Role.ADMINISTRATOR):
        sign_in(client, session_factory, staff, role)
        assert client.get("/lists").status_code == 403, role
        refused = client.get("/lists/WATCHED_IMPORTERS")
        assert refused.status_code == 403, role
        assert "KG00000001" not in refused.text


def test_a_csv_upload_makes_a_new_version(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    seed_lists(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.post(
        "/lists/WATCHED_IMPORTERS/csv",
        files={"file": ("watch.csv", b"\xef\xbb\xbfimporter\r\nKG00000003\r\n\r\nKG00000004\r\n")},
        data={"upload_comment": "weekly update"},
        headers=htmx_headers(csrf),
    )
    assert response.status_code == 204, response.text
    assert response.headers["hx-redirect"] == "/lists/WATCHED_IMPORTERS"
    stored = stored_list(session_factory, "WATCHED_IMPORTERS")
    assert (stored.version, stored.entries) == (2, [["KG00000003"], ["KG00000004"]])

    page = client.get("/lists/WATCHED_IMPORTERS")
    assert "KG00000004" in page.text
    assert "KG00000001" not in page.text  # replaced
    assert "weekly update" in page.text
    # The earlier version stays readable.
    earlier = client.get("/lists/WATCHED_IMPORTERS?version=1")
    assert "KG00000001" in earlier.text
    assert "now at version 2" in earlier.text

    # A plain post (no htmx) with the token as a form field: 303 to the list.
    plain = client.post(
        "/lists/WATCHED_IMPORTERS/csv",
        files={"file": ("watch.csv", b"importer\nKG00000005\n")},
        data={"csrf_token": csrf},
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == "/lists/WATCHED_IMPORTERS"
    assert stored_list(session_factory, "WATCHED_IMPORTERS").version == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"company\nKG00000003\n", "expected columns ['importer'], got ['company']"),
        (b"importer,origin\nKG00000003,CN\n", "expected columns ['importer']"),
        (b"importer\nKG00000003\nKG00000004,CN\n", "row 2: every key column needs a value"),
        (b"importer\n" + b"K" * 101 + b"\n", "row 1: String should have at most 100"),
        (b"", "The file is empty."),
        (b"\xff\xfeimporter\n", "The file is not UTF-8 text."),
    ],
)
def test_a_bad_csv_is_refused_with_the_reason_and_nothing_stored(
    client: TestClient,
    session_factory: sessionmaker[Session],
    staff: Staff,
    content: bytes,
    message: str,
) -> None:
    seed_lists(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.post(
        "/lists/WATCHED_IMPORTERS/csv",
        files={"file": ("watch.csv", content)},
        headers=htmx_headers(csrf),
    )
    assert response.status_code == 422, response.text
    assert message in text_of(response)
    assert 'id="csv-form"' in response.text
    assert stored_list(session_factory, "WATCHED_IMPORTERS").version == 1


def test_list_writes_follow_the_api_rules(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    seed_lists(session_factory)
    csv = {"file": ("x.csv", b"importer\nKG00000007\n")}
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    # Without the CSRF token: refused, nothing stored.
    assert client.post("/lists/WATCHED_IMPORTERS/csv", files=csv).status_code == 403
    assert stored_list(session_factory, "WATCHED_IMPORTERS").version == 1
    # A confidential list is "not found" for an analyst without the clearance.
    hidden = client.post("/lists/SECRET_IMPORTERS/csv", files=csv, headers=htmx_headers(csrf))
    assert hidden.status_code == 404
    # Roles without lists.write are refused.
    csrf = sign_in(client, session_factory, staff, Role.APPROVER)
    refused = client.post("/lists/WATCHED_IMPORTERS/csv", files=csv, headers=htmx_headers(csrf))
    assert refused.status_code == 403
    # The intelligence officer writes the confidential list.
    csrf = sign_in(client, session_factory, staff, Role.INTELLIGENCE_OFFICER)
    done = client.post("/lists/SECRET_IMPORTERS/csv", files=csv, headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert stored_list(session_factory, "SECRET_IMPORTERS").entries == [["KG00000007"]]
    assert stored_list(session_factory, "WATCHED_IMPORTERS").version == 1


def test_entries_are_added_removed_and_replaced_by_the_form(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    seed_lists(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    url = "/lists/WATCHED_IMPORTERS"

    def post(**data: str) -> Any:
        return client.post(url, data=data, headers=htmx_headers(csrf))

    added = post(mode="add", entries="KG00000003\n\nKG00000001\n", comment="two more")
    assert added.status_code == 204, added.text
    stored = stored_list(session_factory, "WATCHED_IMPORTERS")
    assert stored.version == 2
    assert stored.entries == [["KG00000001"], ["KG00000002"], ["KG00000003"]]

    assert post(mode="remove", entries="KG00000002").status_code == 204
    assert stored_list(session_factory, "WATCHED_IMPORTERS").entries == [
        ["KG00000001"],
        ["KG00000003"],
    ]
    history = client.get(url).text
    assert "two more" in history
    assert "entries removed" in history

    for data, message in (
        ({"mode": "remove", "entries": "KG00000009"}, "None of these entries is in the list."),
        ({"mode": "add", "entries": ""}, "Write the entries."),
        ({"mode": "add", "entries": "K" * 101}, "line 1: String should have at most 100"),
        ({"mode": "add", "entries": "KG1", "comment": "x" * 2001}, "at most 2000 characters"),
        ({"mode": "shred", "entries": "KG1"}, "Choose what to do."),
    ):
        refused = post(**data)
        assert refused.status_code == 422, data
        assert message in text_of(refused), data
        assert 'id="entries-form"' in refused.text
    assert stored_list(session_factory, "WATCHED_IMPORTERS").version == 3

    assert post(mode="replace", entries="KG00000010\nKG00000011").status_code == 204
    assert stored_list(session_factory, "WATCHED_IMPORTERS").entries == [
        ["KG00000010"],
        ["KG00000011"],
    ]
    assert client.post(url, data={"mode": "add", "entries": "KG2"}).status_code == 403


def test_long_lists_are_paged_and_searched(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    entries = [[f"KG{n:08d}"] for n in range(450)]
    big = ReferenceListCreate(name="BIG_LIST", kind="companies", entries=entries)
    run(
        session_factory,
        lambda uow: profiles_service.create_list(uow=uow, list_in=big, actor="risk_analyst"),
    )
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    first = client.get("/lists/BIG_LIST")
    assert "KG00000199" in first.text
    assert "KG00000200" not in first.text
    assert "/lists/BIG_LIST?start=200" in first.text
    third = client.get("/lists/BIG_LIST?start=400")
    assert "KG00000449" in third.text
    assert "KG00000399" not in third.text
    assert "?start=200" in third.text  # back
    assert "KG00000449" in client.get("/lists/BIG_LIST?start=5000").text  # the last page
    found = client.get("/lists/BIG_LIST?q=00000123")
    assert "KG00000123" in found.text
    assert "KG00000124" not in found.text
    assert client.get("/lists/BIG_LIST?start=-1").status_code == 422
    assert client.get("/lists/BIG_LIST?version=0").status_code == 422
    assert client.get("/lists/BIG_LIST?version=9").status_code == 404


def test_a_list_is_created_by_the_form(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    seed_lists(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    form = client.get("/lists/new")
    assert form.status_code == 200
    assert 'name="confidential"' not in form.text  # only intelligence writes those

    def post(**data: str) -> Any:
        return client.post("/lists", data=data, headers=htmx_headers(csrf))

    for data, field, message in (
        ({"name": "bad name", "kind": "companies"}, "name", "String should match pattern"),
        ({"name": "ODD_GOODS", "kind": "custom"}, None, "key_fields are required"),
        (
            {"name": "ODD_GOODS", "kind": "custom", "key_fields": "colour"},
            "key_fields",
            "'colour' is not a fact criteria can read",
        ),
        (
            {"name": "PAIRS", "kind": "custom", "key_fields": "importer, origin", "entries": "A"},
            "entries",
            "line 1: every key column needs a value",
        ),
        ({"name": "WATCHED_IMPORTERS", "kind": "companies"}, "name", "already exists"),
    ):
        refused = post(**data)
        assert refused.status_code in (409, 422), data
        assert message in text_of(refused), data
        if field:
            assert f'id="e-{field}"' in refused.text, data
        assert 'value="' + data["name"] + '"' in refused.text  # typed values kept
    with UnitOfWork(session_factory) as uow:
        names = {named.name for named in profiles_service.list_lists(uow=uow)}
    assert names == {"WATCHED_IMPORTERS", "SECRET_IMPORTERS"}

    created = post(
        name="PAIRS",
        kind="custom",
        key_fields="importer, origin",
        entries="KG00000001,CN\nKG00000002,TR\n",
        description="importer and origin",
    )
    assert created.status_code == 204, created.text
    assert created.headers["hx-redirect"] == "/lists/PAIRS"
    stored = stored_list(session_factory, "PAIRS")
    assert stored.key_fields == ["importer", "origin"]
    assert stored.entries == [["KG00000001", "CN"], ["KG00000002", "TR"]]
    assert not stored.confidential

    # Only intelligence creates a confidential list.
    refused = post(name="HIDDEN", kind="companies", confidential="true")
    assert refused.status_code == 403
    csrf = sign_in(client, session_factory, staff, Role.INTELLIGENCE_OFFICER)
    assert 'name="confidential"' in client.get("/lists/new").text
    assert post(name="HIDDEN", kind="companies", confidential="true").status_code == 204
    assert stored_list(session_factory, "HIDDEN").confidential
    assert client.post("/lists", data={"name": "NO_TOKEN", "kind": "companies"}).status_code == 403


# =========================================================================== measures


def _profile_using(session_factory: sessionmaker[Session], measure: str) -> None:
    profile = ProfileCreate(
        code="NAT-2026-0500",
        title="Cars from China",
        risk_area="valuation",
        criteria='origin in ["CN"]',
        measures=[{"code": measure}],  # type: ignore[list-item]
    )
    run(
        session_factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile, actor="risk_analyst"
        ),
    )


def _measure_codes(session_factory: sessionmaker[Session]) -> dict[str, str]:
    with UnitOfWork(session_factory) as uow:
        return {m.code: m.name for m in profiles_service.list_measures(uow=uow)}


def test_the_measures_catalogue_for_every_role(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    _profile_using(session_factory, "109")
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    page = client.get("/measures")
    assert page.status_code == 200
    assert "physical examination of goods" in page.text
    assert 'class="badge ch-red"' in page.text
    row = page.text.split("<code>109</code>")[1].split("</tr>")[0]
    assert "in use" in row
    row = page.text.split("<code>802</code>")[1].split("</tr>")[0]
    assert "not used" in row
    assert "ch-blue" in row
    assert "/delete" not in page.text
    assert 'id="measure-form"' not in page.text
    assert "NAT-2026-0500" not in page.text  # which profiles use it is not shown
    assert client.get("/measures/109/edit").status_code == 403
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    page = client.get("/measures")
    assert 'id="measure-form"' in page.text
    assert "/measures/109/delete" in page.text


def test_a_measure_in_use_cannot_be_deleted_an_unused_one_can(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    _profile_using(session_factory, "109")
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    refused = client.post("/measures/109/delete", headers=htmx_headers(csrf))
    assert refused.status_code == 409
    assert "measure 109 is used by NAT-2026-0500 v1; it cannot be deleted" in text_of(refused)
    assert "109" in _measure_codes(session_factory)

    done = client.post("/measures/802/delete", headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == "/measures"
    assert "802" not in _measure_codes(session_factory)
    assert client.post("/measures/802/delete", headers=htmx_headers(csrf)).status_code == 404
    assert client.post("/measures/801/delete").status_code == 403  # no CSRF token
    assert "801" in _measure_codes(session_factory)

    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    assert client.post("/measures/801/delete", headers=htmx_headers(csrf)).status_code == 403


def test_measures_are_added_and_edited(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    headers = htmx_headers(csrf)
    bad = client.post(
        "/measures", data={"code": "1 0", "name": "", "channel": "purple"}, headers=headers
    )
    assert bad.status_code == 422
    assert 'id="e-code"' in bad.text
    assert 'id="e-name"' in bad.text
    assert 'id="e-channel"' in bad.text
    taken = client.post(
        "/measures", data={"code": "109", "name": "again", "channel": "red"}, headers=headers
    )
    assert taken.status_code == 409
    assert "measure 109 already exists" in taken.text
    assert len(_measure_codes(session_factory)) == 11

    added = client.post(
        "/measures",
        data={"code": "113", "name": "weighing of goods", "channel": "yellow"},
        headers=headers,
    )
    assert added.status_code == 204
    assert _measure_codes(session_factory)["113"] == "weighing of goods"

    form = client.get("/measures/113/edit")
    assert form.status_code == 200
    assert 'value="weighing of goods"' in form.text
    assert client.get("/measures/999/edit").status_code == 404
    bad = client.post("/measures/113", data={"name": "", "channel": "red"}, headers=headers)
    assert bad.status_code == 422
    assert 'id="e-name"' in bad.text
    assert _measure_codes(session_factory)["113"] == "weighing of goods"
    edited = client.post(
        "/measures/113", data={"name": "weighing of the vehicle", "channel": "red"}, headers=headers
    )
    assert edited.status_code == 204
    assert _measure_codes(session_factory)["113"] == "weighing of the vehicle"
    assert client.post("/measures/113", data={"name": "x", "channel": "red"}).status_code == 403


# =========================================================================== parameters


def _parameters(session_factory: sessionmaker[Session]) -> dict[tuple[str, str], Any]:
    with UnitOfWork(session_factory) as uow:
        found: list[OfficeParametersRead] = profiles_service.list_office_parameters(uow=uow)
    return {(p.office, p.flow): p for p in found}


def _set_parameters(session_factory: sessionmaker[Session]) -> None:
    rates = OfficeParametersIn(random_red=Decimal("2.5"), random_yellow=Decimal(4))
    run(
        session_factory,
        lambda uow: profiles_service.set_office_parameters(
            uow=uow, office="KGBSK", flow="IM", parameters=rates, actor="administrator"
        ),
    )


def test_office_parameters_are_shown_as_percentages(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    _set_parameters(session_factory)
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = client.get("/parameters?office=KGBSK&flow=IM")
    assert page.status_code == 200
    assert "KGBSK" in page.text
    assert "2.50%" in page.text
    assert "4.00%" in page.text
    assert 'id="parameters-form"' not in page.text  # reading only
    for role in (Role.INSPECTOR, Role.VIEWER, Role.POST_ENTRY_AUDITOR):
        sign_in(client, session_factory, staff, role)
        assert client.get("/parameters").status_code == 403, role
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    form = client.get("/parameters?office=KGBSK&flow=IM")
    assert 'id="parameters-form"' in form.text
    assert 'value="2.5"' in form.text
    assert client.get("/parameters?office=K%3Cx&flow=IM").status_code == 422
    assert client.get("/parameters?office=KGBSK&flow=XX").status_code == 422


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("random_red", "150", "less than or equal to 100"),
        ("random_yellow", "-1", "greater than or equal to 0"),
        ("random_blue", "a lot", "valid decimal"),
        ("expected_floor", "101", "less than or equal to 100"),
    ],
)
def test_bad_rates_are_refused_and_nothing_changes(
    client: TestClient,
    session_factory: sessionmaker[Session],
    staff: Staff,
    field: str,
    typed: str,
    message: str,
) -> None:
    _set_parameters(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    data = {"random_red": "1", "random_yellow": "1", "random_blue": "1", field: typed}
    refused = client.post("/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 422
    error = refused.text.split(f'id="e-{field}">')[1].split("</small>")[0]
    assert message in error
    assert f'value="{typed}"' in html.unescape(refused.text)
    assert _parameters(session_factory)[("KGBSK", "IM")].random_red == Decimal("2.5")


def test_good_rates_are_stored(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    _set_parameters(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    data = {"random_red": "3.25", "random_yellow": "", "random_blue": "1", "expected_floor": "8"}
    assert client.post("/parameters/KGBSK/IM", data=data).status_code == 403  # no token
    done = client.post("/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == "/parameters"
    stored = _parameters(session_factory)[("KGBSK", "IM")]
    assert (stored.random_red, stored.random_yellow, stored.random_blue) == (
        Decimal("3.25"),
        Decimal(0),
        Decimal(1),
    )
    assert stored.expected_floor == Decimal(8)
    assert stored.updated_by == "administrator"

    # In Russian a comma is the decimal mark; a new office and flow is created.
    run(
        session_factory,
        lambda uow: accounts_service.set_language(uow=uow, username="administrator", language="ru"),
    )
    data = {"random_red": "0,5", "random_yellow": "1", "random_blue": "0", "expected_floor": ""}
    done = client.post("/parameters/KGOSH/EX", data=data, headers=htmx_headers(csrf))
    assert done.status_code == 204
    created = _parameters(session_factory)[("KGOSH", "EX")]
    assert (created.random_red, created.expected_floor) == (Decimal("0.5"), None)
    assert "0,50\xa0%" in client.get("/parameters").text  # Russian: comma and a space

    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    refused = client.post("/parameters/KGBSK/IM", data=data, headers=htmx_headers(csrf))
    assert refused.status_code == 403


# =========================================================================== prices


def _overrides(session_factory: sessionmaker[Session]) -> list[PriceOverrideRead]:
    with UnitOfWork(session_factory) as uow:
        return valuation_service.list_overrides(uow=uow)


def test_prices_are_refreshed_from_history(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    cars(session_factory, 3)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    empty = client.get("/prices")
    assert empty.status_code == 200
    assert "No reference prices have been computed yet." in empty.text

    refused = client.post(
        "/prices/refresh",
        data={"min_sample": "0", "history_from": "2026-10-02", "history_to": "2026-10-01"},
        headers=htmx_headers(csrf),
    )
    assert refused.status_code == 422
    assert 'id="e-min_sample"' in refused.text
    assert 'id="e-history_to"' in refused.text
    assert "must not be before history_from" in refused.text
    with UnitOfWork(session_factory) as uow:
        assert valuation_service.current_version(uow=uow) is None

    done = client.post("/prices/refresh", data={"min_sample": "3"}, headers=htmx_headers(csrf))
    assert done.status_code == 204, done.text
    page = client.get(f"/prices?hs={CAR[:4]}&origin=cn")
    assert page.status_code == 200
    assert CAR in page.text
    assert "1,044,000.00" in page.text  # the median of history
    assert "in force" in page.text
    assert client.get("/prices?hs=9999").text.count(CAR) == 0
    assert client.get("/prices?hs=12a").status_code == 422
    assert client.get("/prices?version=7").status_code == 404


def test_an_override_is_set_and_lifted(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    bad = client.post(
        "/prices/overrides", data={**OVERRIDE, "low": "1600000"}, headers=htmx_headers(csrf)
    )
    assert bad.status_code == 422
    assert "must not exceed the median" in bad.text
    assert 'value="1600000"' in bad.text
    past = client.post(
        "/prices/overrides", data={**OVERRIDE, "valid_to": "2020-01-01"}, headers=htmx_headers(csrf)
    )
    assert past.status_code == 422
    assert "must not be before today" in past.text
    assert _overrides(session_factory) == []
    assert client.post("/prices/overrides", data=OVERRIDE).status_code == 403  # no token

    done = client.post(
        "/prices/overrides", data={**OVERRIDE, "median": "1,500,000"}, headers=htmx_headers(csrf)
    )
    assert done.status_code == 204, done.text
    assert done.headers["hx-redirect"] == f"/prices?hs={CAR}"
    [override] = _overrides(session_factory)
    assert (override.median, override.active) == (Decimal(1500000), True)
    page = client.get(f"/prices?hs={CAR}")
    assert "1,500,000.00" in page.text
    assert 'class="badge warn">override' in page.text
    assert "manufacturer's price list 2026" in text_of(page)
    assert f'id="lift-{override.id}"' in page.text

    # The reason is shown only to those cleared for rationale, as by the API.
    sign_in(client, session_factory, staff, Role.POST_ENTRY_AUDITOR)
    audited = client.get("/prices")
    assert audited.status_code == 200
    assert "1,500,000.00" in audited.text
    assert "manufacturer" not in audited.text
    assert f'id="lift-{override.id}"' not in audited.text
    refused = client.post(
        f"/prices/overrides/{override.id}/lift", data={"reason": "no"}, headers=htmx_headers(csrf)
    )
    assert refused.status_code == 403
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    assert client.get("/prices").status_code == 403

    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    url = f"/prices/overrides/{override.id}/lift"
    short = client.post(url, data={"reason": "x"}, headers=htmx_headers(csrf))
    assert short.status_code == 422
    assert f'id="lift-error-{override.id}"' in short.text
    assert _overrides(session_factory)[0].active
    lifted = client.post(url, data={"reason": "the price list expired"}, headers=htmx_headers(csrf))
    assert lifted.status_code == 204
    assert not _overrides(session_factory)[0].active
    again = client.post(url, data={"reason": "the price list expired"}, headers=htmx_headers(csrf))
    assert again.status_code == 409
    assert "already lifted" in again.text
    assert (
        client.post(
            "/prices/overrides/999/lift", data={"reason": "gone"}, headers=htmx_headers(csrf)
        ).status_code
        == 404
    )
    page = client.get("/prices")
    assert "lifted" in page.text
    assert f'id="lift-{override.id}"' not in page.text
