"""Sign-in, sessions, CSRF, lockout and API tokens through HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import TokenIssue
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.web.security import CSRF_HEADER, SESSION_COOKIE
from tests.staff import PASSWORD, Staff, seed_staff

PARAMETERS = "/api/v1/office-parameters/KGBSK/IM"


@pytest.fixture
def setup(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff]]:
    staff = seed_staff(session_factory, passwords=True)
    settings = Settings(database_url=database_url, login_max_failures=3, token_cache_seconds=60)
    app = create_app(settings, engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, staff


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_a_session_cookie_is_httponly_strict_and_signed(
    setup: tuple[TestClient, Staff],
) -> None:
    client, _ = setup
    response = client.post(
        "/api/v1/auth/login", json={"username": "administrator", "password": PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    me = client.get("/api/v1/auth/me").json()
    assert (me["username"], me["via"], me["roles"]) == (
        "administrator",
        "session",
        ["administrator"],
    )
    assert me["csrf_token"] == response.json()["csrf_token"]
    # A tampered cookie is no session.
    session_id, signature = client.cookies[SESSION_COOKIE].rsplit(".", 1)
    forged = ("B" if session_id[0] == "A" else "A") + session_id[1:]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, f"{forged}.{signature}")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_changes_on_a_session_need_the_csrf_token(setup: tuple[TestClient, Staff]) -> None:
    client, _ = setup
    csrf = sign_in(client, "administrator")
    body = {"random_red": 2, "random_yellow": 3}
    missing = client.put(PARAMETERS, json=body)
    assert missing.status_code == 403
    assert CSRF_HEADER in missing.json()["detail"]
    wrong = client.put(PARAMETERS, json=body, headers={CSRF_HEADER: "not-the-token"})
    assert wrong.status_code == 403
    assert client.get("/api/v1/office-parameters").json() == []  # nothing was written
    right = client.put(PARAMETERS, json=body, headers={CSRF_HEADER: csrf})
    assert right.status_code == 200, right.text
    # Reading needs no token; a bearer token needs none either (no ambient authority).
    assert client.get("/api/v1/office-parameters").status_code == 200


def test_sign_out_ends_the_session(setup: tuple[TestClient, Staff]) -> None:
    client, _ = setup
    csrf = sign_in(client, "viewer")
    cookie = client.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout", headers={CSRF_HEADER: csrf}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)  # the old cookie, replayed
    assert client.get("/api/v1/auth/me").status_code == 401


def test_lockout_after_failures_and_unlock(
    setup: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = setup
    for _ in range(3):
        refused = client.post(
            "/api/v1/auth/login", json={"username": "viewer", "password": "wrong password!"}
        )
        assert refused.status_code == 401
    locked = client.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD})
    assert locked.status_code == 401  # the right password, but locked
    assert locked.json()["detail"] == refused.json()["detail"]  # nothing tells them apart
    unlocked = client.post("/api/v1/users/viewer/unlock", headers=staff.headers(Role.ADMINISTRATOR))
    assert unlocked.status_code == 200
    sign_in(client, "viewer")
    with UnitOfWork(session_factory) as uow:
        actions = list(
            uow.session.scalars(
                select(JournalEntryRow.action).where(JournalEntryRow.object_id == "viewer")
            )
        )
        assert actions.count("login.failed") == 4  # three wrong, one while locked
        assert {"login.locked", "user.unlock", "login"} <= set(actions)
        assert journal_service.verify(uow=uow).ok


def test_tokens_expire_and_are_revoked_at_once(
    setup: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = setup
    admin = staff.headers(Role.ADMINISTRATOR)
    issued = client.post(
        "/api/v1/users/system/tokens",
        json={"name": "clearance gateway", "expires_days": 30},
        headers=admin,
    )
    assert issued.status_code == 201, issued.text
    secret, token = issued.json()["secret"], issued.json()["token"]
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["via"] == "token"
    listed = client.get("/api/v1/tokens", headers=admin).text
    assert secret not in listed  # shown once, never again
    revoked = client.delete(f"/api/v1/tokens/{token['id']}", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    with UnitOfWork(session_factory) as uow:
        _, old = accounts_service.issue_token(
            uow=uow,
            username="system",
            token_in=TokenIssue(name="expired", expires_days=1),
            actor="test",
            settings=Settings(),
            now=datetime.now(UTC) - timedelta(days=2),
        )
        uow.commit()
    expired = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_a_token_carries_only_the_roles_it_was_issued_with(
    setup: tuple[TestClient, Staff],
) -> None:
    client, staff = setup
    admin = staff.headers(Role.ADMINISTRATOR)
    issued = client.post(
        "/api/v1/users/senior.analyst/tokens",
        json={"name": "read-only script", "roles": ["risk_analyst"], "expires_days": 7},
        headers=admin,
    )
    bearer = {"Authorization": f"Bearer {issued.json()['secret']}"}
    assert client.get("/api/v1/auth/me", headers=bearer).json()["roles"] == ["risk_analyst"]
    decide = client.post("/api/v1/profiles/NAT-2026-0001/versions/1/approve", headers=bearer)
    assert decide.status_code == 403
    wider = client.post(
        "/api/v1/users/viewer/tokens",
        json={"name": "escalation", "roles": ["administrator"], "expires_days": 7},
        headers=admin,
    )
    assert wider.status_code == 422
    assert wider.json()["errors"][0]["loc"][-1] == "roles"


def test_a_read_with_a_token_marks_its_last_use(
    setup: tuple[TestClient, Staff], session_factory: sessionmaker[Session]
) -> None:
    client, staff = setup
    with UnitOfWork(session_factory) as uow:
        (before,) = accounts_service.list_tokens(uow=uow, username="viewer")
    assert before.last_used_at is None
    assert client.get("/api/v1/auth/me", headers=staff.headers(Role.VIEWER)).status_code == 200
    with UnitOfWork(session_factory) as uow:
        (after,) = accounts_service.list_tokens(uow=uow, username="viewer")
    assert after.last_used_at is not None
