"""Sign-in, sign-out, the language switch and the error pages of the web application."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from tests.staff import PASSWORD, Staff, seed_staff
from tests.web import htmx_headers, sign_in


@pytest.fixture
def app(engine: Engine, database_url: str) -> FastAPI:
    return create_app(Settings(database_url=database_url), engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def test_a_page_without_a_session_sends_to_sign_in_and_back(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    seed_staff(session_factory, passwords=True)
    response = client.get("/declarations?channel=red")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdeclarations%3Fchannel%3Dred"
    form = client.get(response.headers["location"])
    assert form.status_code == 200
    assert 'name="next" value="/declarations?channel=red"' in form.text
    assert "default-src 'self'" in form.headers["content-security-policy"]

    signed = client.post(
        "/login",
        data={
            "username": "risk_analyst",
            "password": PASSWORD,
            "next": "/declarations?channel=red",
        },
    )
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/declarations?channel=red"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


def test_a_wrong_password_shows_the_form_again_and_is_journalled(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    seed_staff(session_factory, passwords=True)
    response = client.post("/login", data={"username": "inspector", "password": "nope"})
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'value="inspector"' in response.text
    with UnitOfWork(session_factory) as uow:
        found = journal_service.entries(uow=uow, include_confidential=True, cursor=None, limit=50)
    actions = [entry.action for entry in found.items]
    assert "login.failed" in actions


def test_sign_in_never_goes_to_another_host(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    seed_staff(session_factory, passwords=True)
    for target in ("https://example.org/", "//example.org/x", "/\\example.org", "javascript:x"):
        response = client.post(
            "/login", data={"username": "viewer", "password": PASSWORD, "next": target}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/", target


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    staff = seed_staff(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.VIEWER)
    assert client.get("/").status_code == 303
    refused = client.post("/logout")
    assert refused.status_code == 403
    done = client.post("/logout", headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == "/login"
    client.cookies.clear()
    assert client.get("/dashboard").status_code == 303


def test_the_language_is_kept_with_the_user(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    staff: Staff = seed_staff(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.SYSTEM)
    english = client.get("/measures")
    assert english.status_code == 200
    assert "Sign out" in english.text
    switched = client.post(
        "/language", data={"language": "ru", "next": "/measures", "csrf_token": csrf}
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/measures"
    assert "Выйти" in client.get("/measures").text
    # A new session of the same user reads Russian too: the choice is the user's.
    sign_in(client, session_factory, staff, Role.SYSTEM)
    client.cookies.delete("corridor_language")
    assert 'lang="ru"' in client.get("/measures").text
    # Error pages speak the user's language too.
    assert "Нет доступа" in client.get("/journal").text


def test_before_sign_in_the_browser_language_is_used(client: TestClient) -> None:
    russian = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert "Войти" in russian.text
    english = client.get("/login", headers={"Accept-Language": "de-DE"})
    assert "Sign in" in english.text


def test_a_page_the_role_may_not_open_is_an_html_403(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    staff = seed_staff(session_factory)
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    response = client.get("/journal")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Not allowed" in response.text
