"""Risk profiles' and declarations' errors reach a page in its reader's language, the API
in English (``corridor.errors.N_``): a lifecycle step refused by the version's state, a
profile or a declaration that does not exist, a measure unknown to the catalogue or still
in use, a list's key fields refused by the model and by the service; on SQLite and
PostgreSQL.
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
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

CODE = "NAT-2026-0701"
PROFILE: dict[str, Any] = {
    "code": CODE,
    "title": "Footwear from China below the reference price",
    "risk_area": "valuation",
    "criteria": 'origin = "CN"',
    "measures": [{"code": "601", "mandatory": True}],
}
EDITOR: dict[str, Any] = {
    "code": "NAT-2026-0702",
    "title": "Cars declared below their reference price",
    "kind": "national",
    "risk_area": "valuation",
    "criteria": 'origin = "CN"',
    "measures": ["601"],
    "mandatory": ["601"],
    "selection_rate": "50",
}


@pytest.fixture
def world(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff]]:
    staff = seed_staff(session_factory)
    with UnitOfWork(session_factory) as uow:
        profiles_service.create_profile(
            uow=uow,
            profile_in=ProfileCreate.model_validate(PROFILE),
            actor="risk_analyst",
            confidential_lists=True,
        )
        uow.commit()
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, staff


def text_of(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def speaking(
    client: TestClient,
    session_factory: sessionmaker[Session],
    staff: Staff,
    who: Role,
    language: str,
) -> str:
    """Sign ``who`` in, speaking ``language``; the CSRF token."""
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username=who.value, language=language)
        uow.commit()
    return sign_in(client, session_factory, staff, who)


def test_profile_errors_in_russian_on_the_pages_and_in_english_through_the_api(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    csrf = speaking(client, session_factory, staff, Role.APPROVER, "ru")
    early = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "activate"},
        headers=htmx_headers(csrf),
    )
    assert early.status_code == 409
    assert (
        f"Это действие сейчас невозможно: профиль риска {CODE}, версия 1, в состоянии "
        "«черновик»: ввести в действие можно только утверждённую версию"
    ) in text_of(early)
    assert "needs it" not in early.text
    missing = client.get("/profiles/NAT-2026-0999")
    assert missing.status_code == 404
    assert "профиля риска NAT-2026-0999 не существует" in text_of(missing)

    csrf = speaking(client, session_factory, staff, Role.RISK_ANALYST, "ru")
    unknown = client.post(
        "/profiles",
        data={**EDITOR, "measures": ["601", "999"], "mandatory": ["601", "999"]},
        headers=htmx_headers(csrf),
    )
    assert unknown.status_code == 422
    assert "меры 999 нет в каталоге мер" in text_of(unknown)
    backwards = client.post(
        "/profiles",
        data={**EDITOR, "valid_from": "2026-06-01", "valid_to": "2026-01-01"},
        headers=htmx_headers(csrf),
    )
    assert backwards.status_code == 422
    # The model's rule stays beside the field it is about, in the reader's words.
    assert 'id="e-valid_to">Окончание срока действия раньше его начала.' in backwards.text
    custom = client.post(
        "/lists", data={"name": "ODD_GOODS", "kind": "custom"}, headers=htmx_headers(csrf)
    )
    assert custom.status_code == 422
    assert "для произвольного списка укажите ключевые поля (key_fields)" in text_of(custom)
    colour = client.post(
        "/lists",
        data={"name": "ODD_GOODS", "kind": "custom", "key_fields": "colour"},
        headers=htmx_headers(csrf),
    )
    assert colour.status_code == 422
    assert "'colour' не входит в сведения декларации, доступные критериям" in text_of(colour)

    csrf = speaking(client, session_factory, staff, Role.ADMINISTRATOR, "ru")
    in_use = client.post("/measures/601/delete", headers=htmx_headers(csrf))
    assert in_use.status_code == 409
    assert f"мера 601 применяется в {CODE} v1; удалить её нельзя" in text_of(in_use)

    # The API says what it always said, whatever the user's language.
    api = client.post(
        f"/api/v1/profiles/{CODE}/versions/1/activate", headers=staff.headers(Role.APPROVER)
    )
    assert api.status_code == 409
    assert api.json()["detail"] == f"profile {CODE} v1 is draft; activate needs it approved"
    gone = client.get("/api/v1/profiles/NAT-2026-0999", headers=staff.headers(Role.APPROVER))
    assert gone.json()["detail"] == "profile NAT-2026-0999 does not exist"

    # In English the page says the service's own words.
    csrf = speaking(client, session_factory, staff, Role.APPROVER, "en")
    again = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "activate"},
        headers=htmx_headers(csrf),
    )
    assert api.json()["detail"] in text_of(again)
    assert gone.json()["detail"] in text_of(client.get("/profiles/NAT-2026-0999"))


def test_declaration_errors_in_russian_on_the_pages_and_in_english_through_the_api(
    world: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = world
    speaking(client, session_factory, staff, Role.RISK_ANALYST, "ru")
    missing = client.get("/declarations/KGBSK/011026/9999999")
    assert missing.status_code == 404
    assert "декларация KGBSK/011026/9999999 не найдена" in text_of(missing)
    old = client.get("/declarations/KGBSK/011026/9999999?version=2")
    assert old.status_code == 404
    assert "версия 2 декларации KGBSK/011026/9999999 не найдена" in text_of(old)

    api = client.get(
        "/api/v1/declarations/KGBSK/011026/9999999", headers=staff.headers(Role.RISK_ANALYST)
    )
    assert api.status_code == 404
    assert api.json()["detail"] == "declaration KGBSK/011026/9999999 is not stored"

    speaking(client, session_factory, staff, Role.RISK_ANALYST, "en")
    assert api.json()["detail"] in text_of(client.get("/declarations/KGBSK/011026/9999999"))
