"""The administration pages: users, units, API tokens and the permission matrix, for
administrators only, through the accounts use cases (SQLite and PostgreSQL).

Each refused form is checked for its status, the message beside the field, and that
nothing was written (the user, unit or token is not there and nothing was journalled).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action, Role
from corridor.accounts.web_admin import ACTION_NAMES, ROLE_NAMES
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import NotFound
from corridor.journal import service as journal_service
from tests.e2e.test_web_dashboard import Tables
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

GOOD_PASSWORD = "a long enough passphrase"
NEW_USER = {
    "username": "a.asanov",
    "full_name": "Asanov Bakyt",
    "unit": "POST-2",
    "roles": ["inspector", "viewer"],
    "password": GOOD_PASSWORD,
}


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def csrf(client: TestClient, staff: Staff, session_factory: sessionmaker[Session]) -> str:
    """The administrator signed in; their session's CSRF token."""
    return sign_in(client, session_factory, staff, Role.ADMINISTRATOR)


def journal_size(session_factory: sessionmaker[Session]) -> int:
    with UnitOfWork(session_factory) as uow:
        return journal_service.verify(uow=uow).entries


def last_entry(session_factory: sessionmaker[Session], action: str) -> Any:
    with UnitOfWork(session_factory) as uow:
        found = journal_service.entries(
            uow=uow, action=action, include_confidential=True, cursor=None, limit=1
        )
    return found.items[0] if found.items else None


def user_or_none(session_factory: sessionmaker[Session], username: str) -> Any:
    with UnitOfWork(session_factory) as uow:
        try:
            return accounts_service.get_user(uow=uow, username=username)
        except NotFound:
            return None


def form(csrf: str, values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "csrf_token": csrf}


def error_of(html: str, field: str) -> str:
    """The message shown beside a form field."""
    found = re.search(rf'<small class="error" id="e-{re.escape(field)}">([^<]*)</small>', html)
    assert found is not None, f"no message beside {field}"
    return found.group(1)


# --------------------------------------------------------------------------- users


def test_the_users_are_listed(client: TestClient, csrf: str) -> None:
    response = client.get("/admin/users")
    assert response.status_code == 200
    rows = Tables(response.text).rows("users")
    assert rows["coordinator.north"][:2] == ["Coordinator North", "REG-N"]
    assert "Regional coordinator" in rows["coordinator.north"][2]
    assert rows["senior.analyst"][2] == "Approver (head of risk analysis) Risk analyst"
    assert rows["viewer"][3] == "active"
    assert 'href="/admin/users/new"' in response.text
    for link in ("/admin/users", "/admin/units", "/admin/tokens", "/admin/roles"):
        assert f'href="{link}"' in response.text


def test_a_user_is_created_listed_and_journalled(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session]
) -> None:
    new = client.get("/admin/users/new")
    assert new.status_code == 200
    assert 'name="csrf_token"' in new.text
    assert 'hx-post="/admin/users"' in new.text
    response = client.post("/admin/users", data=form(csrf, NEW_USER))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/users/a.asanov?done=created"
    created = user_or_none(session_factory, "a.asanov")
    assert created is not None
    assert (created.unit, [r.value for r in created.roles]) == ("POST-2", ["inspector", "viewer"])
    entry = last_entry(session_factory, "user.create")
    assert (entry.actor, entry.object_id) == ("administrator", "a.asanov")
    assert entry.after["password_set"] is True
    assert GOOD_PASSWORD not in str(entry.after)
    listed = Tables(client.get("/admin/users").text).rows("users")
    assert listed["a.asanov"][:2] == ["Asanov Bakyt", "POST-2"]
    page = client.get(response.headers["location"])
    assert "Created." in page.text
    # Through htmx: 204 and where to go.
    by_htmx = client.post(
        "/admin/users",
        data={**NEW_USER, "username": "b.beishenov", "password": ""},
        headers=htmx_headers(csrf),
    )
    assert by_htmx.status_code == 204
    assert by_htmx.headers["hx-redirect"] == "/admin/users/b.beishenov?done=created"
    assert last_entry(session_factory, "user.create").after["password_set"] is False


@pytest.mark.parametrize(
    ("changes", "status", "field", "message"),
    [
        ({"username": "inspector.post1"}, 409, "username", "This username is already taken."),
        ({"unit": "NOPE"}, 422, "unit", "Unit NOPE does not exist."),
        ({"password": "short"}, 422, "password", "At least 12 and at most 256 characters."),
        ({"roles": []}, 422, "roles", "Choose at least one role."),
        ({"roles": ["customs_god"]}, 422, "roles", "Choose at least one role."),
        ({"username": "Bad Name"}, 422, "username", "2 to 60 characters: lower-case Latin"),
        ({"full_name": ""}, 422, "full_name", "Enter the full name"),
    ],
)
def test_a_refused_user_is_not_written(
    client: TestClient,
    csrf: str,
    session_factory: sessionmaker[Session],
    changes: dict[str, Any],
    status: int,
    field: str,
    message: str,
) -> None:
    before = journal_size(session_factory)
    values = {**NEW_USER, **changes}
    response = client.post("/admin/users", data=form(csrf, values), headers=htmx_headers(csrf))
    assert response.status_code == status, response.text
    assert error_of(response.text, field).startswith(message)
    assert 'id="user-form"' in response.text  # the form again, to correct
    assert 'value="Asanov Bakyt"' in response.text or field == "full_name"
    assert values["password"] not in response.text or not values["password"]
    assert journal_size(session_factory) == before
    if changes.get("username") != "inspector.post1":
        assert user_or_none(session_factory, values["username"].strip()) is None


def test_roles_unit_and_state_are_changed_and_journalled(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    page = client.get("/admin/users/inspector.post1")
    assert page.status_code == 200
    assert 'id="f-roles-inspector" name="roles" type="checkbox" value="inspector" checked' in (
        page.text
    )
    response = client.post(
        "/admin/users/inspector.post1",
        data=form(
            csrf,
            {"full_name": "Inspector Bishkek", "unit": "POST-1", "roles": ["inspector", "viewer"]},
        ),
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users/inspector.post1?done=saved"
    changed = user_or_none(session_factory, "inspector.post1")
    assert [r.value for r in changed.roles] == ["inspector", "viewer"]
    assert changed.full_name == "Inspector Bishkek"
    assert changed.active is False  # the box was not ticked
    entry = last_entry(session_factory, "user.update")
    assert (entry.actor, entry.object_id) == ("administrator", "inspector.post1")
    assert entry.before["roles"] == ["inspector"]
    assert entry.after["roles"] == ["inspector", "viewer"]
    assert (entry.before["active"], entry.after["active"]) == (True, False)
    # An inactive user's token no longer opens the API (the cache was emptied).
    me = client.get("/api/v1/auth/me", headers=staff.headers("inspector.post1"))
    assert me.status_code == 401
    saved = client.get(response.headers["location"])
    assert "Saved." in saved.text
    assert "inactive" in saved.text


def test_a_refused_change_is_not_written(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session]
) -> None:
    before = journal_size(session_factory)
    response = client.post(
        "/admin/users/viewer",
        data=form(csrf, {"full_name": "Viewer", "unit": "NOPE", "roles": [], "active": "true"}),
        headers=htmx_headers(csrf),
    )
    assert response.status_code == 422
    assert error_of(response.text, "roles") == "Choose at least one role."
    unknown_unit = client.post(
        "/admin/users/viewer",
        data=form(csrf, {"full_name": "Viewer", "unit": "NOPE", "roles": ["viewer"]}),
    )
    assert unknown_unit.status_code == 422
    assert error_of(unknown_unit.text, "unit") == "Unit NOPE does not exist."
    assert journal_size(session_factory) == before
    assert user_or_none(session_factory, "viewer").unit == "HQ"
    assert client.post("/admin/users/nobody", data=form(csrf, {})).status_code == 404


def test_a_password_is_set_or_refused(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session]
) -> None:
    weak = client.post("/admin/users/viewer/password", data=form(csrf, {"password": "x" * 11}))
    assert weak.status_code == 422
    assert error_of(weak.text, "password") == "At least 12 and at most 256 characters."
    assert last_entry(session_factory, "user.password") is None
    done = client.post("/admin/users/viewer/password", data=form(csrf, {"password": GOOD_PASSWORD}))
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/users/viewer?done=password"
    entry = last_entry(session_factory, "user.password")
    assert (entry.object_id, entry.after) == ("viewer", {"password_set": True})


def test_a_locked_account_is_unlocked(
    client: TestClient, csrf: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(UserRow)
            .where(UserRow.username == "viewer")
            .values(locked_until=datetime.now(UTC) + timedelta(minutes=15), failed_logins=5)
        )
    assert "locked" in Tables(client.get("/admin/users").text).rows("users")["viewer"][3]
    page = client.get("/admin/users/viewer")
    assert 'action="/admin/users/viewer/unlock"' in page.text
    done = client.post("/admin/users/viewer/unlock", headers=htmx_headers(csrf))
    assert done.status_code == 204
    assert done.headers["hx-redirect"] == "/admin/users/viewer?done=unlocked"
    assert user_or_none(session_factory, "viewer").locked_until is None
    assert last_entry(session_factory, "user.unlock").object_id == "viewer"
    assert 'action="/admin/users/viewer/unlock"' not in client.get("/admin/users/viewer").text


# --------------------------------------------------------------------------- units


def test_the_unit_tree_and_a_new_post(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session]
) -> None:
    tree = client.get("/admin/units")
    assert tree.status_code == 200
    # The tree nests: a post inside its region inside the head office.
    assert re.search(r'id="unit-HQ">.*id="unit-REG-N">.*id="unit-POST-1">', tree.text, re.S)
    assert "<code>KGBSK</code>" in tree.text
    response = client.post(
        "/admin/units",
        data=form(
            csrf,
            {
                "code": "POST-3",
                "name": "Naryn post",
                "kind": "post",
                "parent": "REG-S",
                "offices": "KGNRN, KGTRG",
            },
        ),
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/units?done=created"
    with UnitOfWork(session_factory) as uow:
        assert accounts_service.offices_under(uow=uow, unit_code="REG-S") == {
            "KGOSH", "KGNRN", "KGTRG",
        }  # fmt: skip
    assert last_entry(session_factory, "unit.create").object_id == "POST-3"
    assert 'id="unit-POST-3"' in client.get("/admin/units").text


@pytest.mark.parametrize(
    ("values", "status", "field", "message"),
    [
        ({"code": "POST-1"}, 409, "code", "A unit with this code already exists."),
        ({"parent": "POST-1"}, 422, "parent", "It cannot be under POST-1"),
        ({"parent": "NOPE"}, 422, "parent", "Unit NOPE does not exist."),
        ({"offices": "KGBSK"}, 422, "offices", "Office KGBSK already belongs to post POST-1."),
        ({"offices": "kgbsk"}, 422, "offices", "Office codes of 2 to 17 capital"),
        ({"kind": "regional", "parent": "REG-N"}, 422, "parent", "It cannot be under REG-N"),
        ({"kind": "head_office", "parent": ""}, 422, "kind", "There is already a head office"),
        ({"code": "x"}, 422, "code", "2 to 20 capital Latin letters"),
    ],
)
def test_a_refused_unit_is_not_written(
    client: TestClient,
    csrf: str,
    session_factory: sessionmaker[Session],
    values: dict[str, str],
    status: int,
    field: str,
    message: str,
) -> None:
    before = journal_size(session_factory)
    good = {"code": "POST-3", "name": "Naryn post", "kind": "post", "parent": "REG-S"}
    response = client.post("/admin/units", data=form(csrf, {**good, **values}))
    assert response.status_code == status, response.text
    assert error_of(response.text, field).startswith(message)
    assert journal_size(session_factory) == before
    with UnitOfWork(session_factory) as uow:
        assert [u.code for u in accounts_service.list_units(uow=uow)] == [
            "HQ", "REG-N", "POST-1", "REG-S", "POST-2",
        ]  # fmt: skip


# --------------------------------------------------------------------------- API tokens


def test_a_token_secret_is_shown_once_and_revoking_works(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    issued = client.post(
        "/admin/tokens",
        data=form(
            csrf,
            {"username": "system.post1", "name": "gateway Bishkek", "expires_days": "30"},
        ),
        headers=htmx_headers(csrf),
    )
    assert issued.status_code == 200, issued.text
    assert "Copy the token now: it is shown only this once." in issued.text
    found = re.search(
        r'<pre id="token-secret" tabindex="0">(crd_[A-Za-z0-9_-]+)</pre>', issued.text
    )
    assert found is not None
    secret = found.group(1)
    assert issued.headers["cache-control"] == "no-store"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["username"] == "system.post1"
    entry = last_entry(session_factory, "token.issue")
    assert secret not in str(entry.after)

    listing = client.get("/admin/tokens")
    assert secret not in listing.text
    assert secret[:12] in listing.text
    token_id = int(entry.object_id)
    row = Tables(listing.text).rows("tokens")[str(token_id)]
    assert row[1:4] == ["gateway Bishkek", "system.post1", "Clearance system (API)"]
    assert row[7] == "active"

    revoked = client.post(f"/admin/tokens/{token_id}/revoke", data=form(csrf, {}))
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/admin/tokens?done=revoked"
    refused = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    after = client.get(revoked.headers["location"])
    assert "The token is revoked" in after.text
    assert Tables(after.text).rows("tokens")[str(token_id)][7].startswith("revoked")
    assert f'action="/admin/tokens/{token_id}/revoke"' not in after.text
    again = client.post(f"/admin/tokens/{token_id}/revoke", data=form(csrf, {}))
    assert again.status_code == 409
    assert client.post("/admin/tokens/99999/revoke", data=form(csrf, {})).status_code == 404


@pytest.mark.parametrize(
    ("values", "status", "field", "message"),
    [
        (
            {"username": "inspector.post1", "roles": ["approver"]},
            422,
            "roles",
            "inspector.post1 does not hold approver",
        ),
        ({"expires_days": "5000"}, 422, "expires_days", "A whole number of days, from 1 to 365."),
        ({"expires_days": "soon"}, 422, "expires_days", "A whole number of days, from 1 to 365."),
        ({"name": ""}, 422, "name", "Enter a name of at most 100 characters."),
        ({"username": ""}, 422, "username", "Choose a user."),
    ],
)
def test_a_refused_token_is_not_issued(
    client: TestClient,
    csrf: str,
    session_factory: sessionmaker[Session],
    values: dict[str, Any],
    status: int,
    field: str,
    message: str,
) -> None:
    before = journal_size(session_factory)
    good = {"username": "system.post1", "name": "gateway", "expires_days": "30"}
    response = client.post("/admin/tokens", data=form(csrf, {**good, **values}))
    assert response.status_code == status, response.text
    assert error_of(response.text, field).startswith(message)
    assert 'id="token-secret"' not in response.text
    assert 'id="token-form"' in response.text
    assert journal_size(session_factory) == before


def test_an_inactive_user_gets_no_token(
    client: TestClient, csrf: str, session_factory: sessionmaker[Session]
) -> None:
    client.post(
        "/admin/users/viewer",
        data=form(csrf, {"full_name": "Viewer", "unit": "HQ", "roles": ["viewer"]}),
    )
    response = client.post(
        "/admin/tokens", data=form(csrf, {"username": "viewer", "name": "x", "expires_days": "1"})
    )
    assert response.status_code == 409
    assert error_of(response.text, "username").startswith("This user is inactive")


# --------------------------------------------------------------------------- the matrix


def test_the_permission_matrix_is_shown_read_only(client: TestClient, csrf: str) -> None:
    response = client.get("/admin/roles")
    assert response.status_code == 200
    rows = Tables(response.text).tables["matrix"]
    assert len(rows) == len(Action)
    journal = next(row for row in rows if "journal.read" in row[0])
    roles = list(Role)
    marked = [roles[i].value for i, cell in enumerate(journal[1:]) if cell == "✓"]
    assert marked == ["administrator", "approver"]
    assert "<form" not in response.text.split('id="matrix"')[1]
    assert set(ACTION_NAMES) == set(Action)
    assert set(ROLE_NAMES) == set(Role)


# --------------------------------------------------------------------------- who may


ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/viewer",
    "/admin/units",
    "/admin/tokens",
    "/admin/roles",
]


@pytest.mark.parametrize("who", [Role.RISK_ANALYST, Role.APPROVER, Role.VIEWER, "senior.analyst"])
def test_only_administrators_may_open_or_post(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    who: Role | str,
) -> None:
    token = sign_in(client, session_factory, staff, who)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.text
    before = journal_size(session_factory)
    created = client.post("/admin/users", data=form(token, NEW_USER))
    assert created.status_code == 403
    revoked = client.post("/admin/tokens/1/revoke", data=form(token, {}))
    assert revoked.status_code == 403
    assert journal_size(session_factory) == before
    assert user_or_none(session_factory, "a.asanov") is None


@pytest.mark.parametrize(
    ("url", "values"),
    [
        ("/admin/users", NEW_USER),
        ("/admin/users/viewer", {"full_name": "X", "unit": "HQ", "roles": ["viewer"]}),
        ("/admin/users/viewer/password", {"password": GOOD_PASSWORD}),
        ("/admin/users/viewer/unlock", {}),
        ("/admin/units", {"code": "POST-3", "name": "N", "kind": "post", "parent": "HQ"}),
        ("/admin/tokens", {"username": "viewer", "name": "x", "expires_days": "1"}),
        ("/admin/tokens/1/revoke", {}),
    ],
)
def test_a_change_without_the_csrf_token_is_refused(
    client: TestClient,
    csrf: str,
    session_factory: sessionmaker[Session],
    url: str,
    values: dict[str, Any],
) -> None:
    before = journal_size(session_factory)
    missing = client.post(url, data=values)
    assert missing.status_code == 403
    wrong = client.post(url, data={**values, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert journal_size(session_factory) == before


def test_the_administration_reads_russian(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="administrator", language="ru")
        uow.commit()
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    listing = client.get("/admin/users").text
    assert "Пользователи" in listing
    assert "Региональный координатор" in listing
    refused = client.post("/admin/users", data=form(csrf, {**NEW_USER, "unit": "NOPE"}))
    assert error_of(refused.text, "unit") == "Подразделения NOPE нет."


def test_the_accounts_refusals_speak_russian_on_the_pages_and_english_through_the_api(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="administrator", language="ru")
        uow.commit()
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    nobody = client.get("/admin/users/nobody")
    assert nobody.status_code == 404
    assert "пользователя nobody не существует" in nobody.text
    missing = client.post("/admin/tokens/99999/revoke", data=form(csrf, {}))
    assert missing.status_code == 404
    assert "токена API 99999 не существует" in missing.text

    with UnitOfWork(session_factory) as uow:
        token_id = next(
            token.id
            for token in accounts_service.list_tokens(uow=uow)
            if token.username == "system.post1"
        )
        revoked = accounts_service.revoke_token(uow=uow, token_id=token_id, actor="test")
        uow.commit()
    assert revoked.revoked_at is not None
    day = revoked.revoked_at.strftime("%Y-%m-%d")
    again = client.post(f"/admin/tokens/{token_id}/revoke", data=form(csrf, {}))
    assert again.status_code == 409
    assert f"токен API {token_id} уже отозван {day}" in again.text
    assert "already revoked" not in again.text

    api = client.delete(f"/api/v1/tokens/{token_id}", headers=staff.headers(Role.ADMINISTRATOR))
    assert api.status_code == 409
    assert api.json()["detail"] == f"API token {token_id} was already revoked on {day}"
