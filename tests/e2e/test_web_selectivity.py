"""The re-route form's refusals in the officer's language (SQLite and PostgreSQL).

The selectivity service words its errors with ``corridor.errors.N_``: the form shows them
in Russian to a Russian-speaking officer, with the channel's name in Russian too; the API
keeps the English text.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from tests.factories import declaration, item
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

EXPORT = "KGBSK/011026/0000004"  # an export: no profile, no random control, green
INSPECTOR = "inspector.post1"


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def test_the_reroute_refusals_speak_russian_on_the_form_and_english_through_the_api(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    staff: Staff = seed_staff(session_factory)
    grapes = [item(1, hs_code="0806101000", description="fresh grapes", origin="KG")]
    lodged = client.post(
        "/api/v1/declarations",
        json=declaration(EXPORT, flow="EX", procedure="10", importer=None, items=grapes),
        headers=staff.headers(Role.SYSTEM),
    )
    assert lodged.status_code == 201, lodged.text
    assert lodged.json()["decision"]["channel"] == "green"
    csrf = sign_in(client, session_factory, staff, INSPECTOR)
    assert client.post("/language", data={"language": "ru", "csrf_token": csrf}).status_code == 303
    url = f"/declarations/{EXPORT}/reroute"

    same = client.post(
        url,
        data={"channel": "green", "reason_code": "ERROR", "comment": "nothing to change"},
        headers=htmx_headers(csrf),
    )
    assert same.status_code == 409
    assert "декларация уже направлена в зелёный канал" in html.unescape(same.text)
    assert "already in the" not in same.text
    unknown = client.post(
        url,
        data={"channel": "red", "reason_code": "WHIM", "comment": "seal broken"},
        headers=htmx_headers(csrf),
    )
    assert unknown.status_code == 422
    assert "укажите один из кодов: DOCS-DISCREPANCY, ERROR," in html.unescape(unknown.text)

    api = client.post(
        f"/api/v1/{url.lstrip('/')}",
        json={"channel": "green", "reason_code": "ERROR", "comment": "nothing to change"},
        headers=staff.headers(INSPECTOR),
    )
    assert api.status_code == 409, api.text
    assert api.json()["detail"] == "the declaration is already in the green channel"
