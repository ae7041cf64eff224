"""Units, users, passwords, sign-in, lockout, sessions and API tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from pydantic import ValidationError
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import (
    LoginIn,
    TokenIssue,
    UnitCreate,
    UserCreate,
    UserUpdate,
)
from corridor.accounts.service import REFUSED, LoginThrottle
from corridor.config import Settings
from corridor.db.tables import ApiTokenRow, JournalEntryRow, LoginSessionRow, UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from corridor.journal import service as journal

T = TypeVar("T")
ADMIN = "cli:root"
SETTINGS = Settings(
    login_max_failures=3,
    login_lockout_minutes=15,
    login_address_failures=100,
    session_hours=8,
    api_token_max_days=365,
)
ANALYST_PASSWORD = "Tulip-Osh-2026 spring"
SYSTEM_PASSWORD = "asycuda-feeds-us-0001"


def run(factory: sessionmaker[Session], action: Callable[[UnitOfWork], T]) -> T:
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def unit(code: str, kind: str, parent: str | None = None, offices: list[str] | None = None) -> Any:
    return UnitCreate.model_validate(
        {
            "code": code,
            "name": f"{code} unit",
            "kind": kind,
            "parent": parent,
            "offices": offices or [],
        }
    )


def build_tree(factory: sessionmaker[Session]) -> None:
    """HQ ─┬─ REG-CHUI ── POST-BSK (KGBSK, KGAKJ)
    ├─ REG-OSH ─┬─ POST-OSH (KGOSH)
    │           └─ POST-DST (KGDST)
    └─ POST-FRU (KGFRU)"""
    for unit_in in (
        unit("HQ", "head_office"),
        unit("REG-OSH", "regional", "HQ"),
        unit("REG-CHUI", "regional", "HQ"),
        unit("POST-BSK", "post", "REG-CHUI", ["KGBSK", "KGAKJ"]),
        unit("POST-OSH", "post", "REG-OSH", ["KGOSH"]),
        unit("POST-DST", "post", "REG-OSH", ["KGDST"]),
        unit("POST-FRU", "post", "HQ", ["KGFRU"]),
    ):
        run(factory, lambda uow, u=unit_in: service.create_unit(uow=uow, unit_in=u, actor=ADMIN))


def user(
    username: str,
    unit_code: str,
    roles: list[str],
    password: str | None = ANALYST_PASSWORD,
    **changes: Any,
) -> UserCreate:
    data: dict[str, Any] = {
        "username": username,
        "full_name": f"{username.title()} Person",
        "unit": unit_code,
        "roles": roles,
        "password": password,
    }
    data.update(changes)
    return UserCreate.model_validate(data)


def add_user(factory: sessionmaker[Session], user_in: UserCreate) -> Any:
    return run(factory, lambda uow: service.create_user(uow=uow, user_in=user_in, actor=ADMIN))


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The unit tree and an analyst of the Chui region (with a password)."""
    build_tree(session_factory)
    add_user(session_factory, user("a.analyst", "REG-CHUI", ["risk_analyst", "viewer"]))
    return session_factory


def login(
    factory: sessionmaker[Session],
    username: str,
    password: str,
    *,
    throttle: LoginThrottle,
    now: datetime | None = None,
    client: str = "10.1.1.1",
    settings: Settings = SETTINGS,
) -> Any:
    with UnitOfWork(factory) as uow:
        try:
            principal = service.authenticate(
                uow=uow,
                username=username,
                password=password,
                client=client,
                settings=settings,
                now=now,
                throttle=throttle,
            )
        except service.SignInRefused:
            uow.commit()  # as the edges do: the refusal counts towards the lockout
            raise
        uow.commit()
        return principal


def user_row(factory: sessionmaker[Session], username: str) -> UserRow:
    with factory() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).one()
        session.expunge(row)
        return row


def journal_entries(
    factory: sessionmaker[Session], action: str | None = None
) -> list[JournalEntryRow]:
    with factory() as session:
        query = select(JournalEntryRow).order_by(JournalEntryRow.seq)
        if action is not None:
            query = query.where(JournalEntryRow.action == action)
        return list(session.scalars(query))


def journal_text(factory: sessionmaker[Session]) -> str:
    """Everything the journal holds, as one text to search."""
    return "\n".join(
        json.dumps([e.actor, e.action, e.object_type, e.object_id, e.before, e.after])
        for e in journal_entries(factory)
    )


# =========================================================================== units


def test_unit_tree_in_order_and_the_offices_under_each_unit(
    session_factory: sessionmaker[Session],
) -> None:
    build_tree(session_factory)
    units = run(session_factory, lambda uow: service.list_units(uow=uow))
    assert [(u.code, u.parent) for u in units] == [
        ("HQ", None),
        ("REG-CHUI", "HQ"),
        ("POST-BSK", "REG-CHUI"),
        ("REG-OSH", "HQ"),
        ("POST-DST", "REG-OSH"),
        ("POST-OSH", "REG-OSH"),
        ("POST-FRU", "HQ"),
    ]
    assert units[2].offices == ["KGBSK", "KGAKJ"]

    def under(code: str) -> frozenset[str] | None:
        return run(session_factory, lambda uow: service.offices_under(uow=uow, unit_code=code))

    assert under("HQ") is None
    assert under("REG-OSH") == {"KGOSH", "KGDST"}
    assert under("REG-CHUI") == {"KGBSK", "KGAKJ"}
    assert under("POST-FRU") == {"KGFRU"}
    with pytest.raises(NotFound):
        under("REG-NARYN")
    created = journal_entries(session_factory, "unit.create")
    assert [e.object_id for e in created][:2] == ["HQ", "REG-OSH"]
    assert created[3].after["offices"] == ["KGBSK", "KGAKJ"]


@pytest.mark.parametrize(
    ("unit_in", "locs", "message"),
    [
        (unit("HQ2", "head_office"), [("kind",)], "already a head office (HQ)"),
        (unit("HQ2", "head_office", "HQ"), [("parent",), ("kind",)], "has no parent"),
        (unit("REG-X", "regional"), [("parent",)], "needs a parent"),
        (unit("REG-X", "regional", "REG-OSH"), [("parent",)], "its parent is a head office"),
        (unit("POST-X", "post", "POST-OSH", ["KGXXX"]), [("parent",)], "under a post"),
        (unit("POST-X", "post", "REG-NARYN"), [("parent",)], "REG-NARYN does not exist"),
        (unit("REG-X", "regional", "HQ", ["KGXXX"]), [("offices",)], "only posts"),
        (unit("POST-X", "post", "REG-OSH", ["KGNEW", "KGOSH"]), [("offices", 1)], "POST-OSH"),
    ],
)
def test_a_unit_that_does_not_fit_the_tree_is_refused_naming_the_field(
    session_factory: sessionmaker[Session],
    unit_in: UnitCreate,
    locs: list[tuple[Any, ...]],
    message: str,
) -> None:
    build_tree(session_factory)
    with pytest.raises(InvalidInput) as caught:
        run(session_factory, lambda uow: service.create_unit(uow=uow, unit_in=unit_in, actor=ADMIN))
    assert [e.loc for e in caught.value.errors] == locs
    assert message in caught.value.errors[0].msg
    assert len(run(session_factory, lambda uow: service.list_units(uow=uow))) == 7


def test_unit_codes_are_unique_and_shapes_are_checked(
    session_factory: sessionmaker[Session],
) -> None:
    build_tree(session_factory)
    with pytest.raises(Conflict, match="unit POST-OSH already exists"):
        run(
            session_factory,
            lambda uow: service.create_unit(
                uow=uow, unit_in=unit("POST-OSH", "post", "HQ"), actor=ADMIN
            ),
        )
    for bad in (
        {"code": "hq", "name": "x", "kind": "head_office"},
        {"code": "POST-Y", "name": "x", "kind": "post", "offices": ["KGBSK", "KGBSK"]},
        {"code": "POST-Y", "name": "x", "kind": "post", "offices": ["kg-bsk"]},
        {"code": "POST-Y", "name": "x", "kind": "checkpoint"},
    ):
        with pytest.raises(ValidationError):
            UnitCreate.model_validate(bad)


# =========================================================================== users


def test_user_create_read_update_and_duplicates(world: sessionmaker[Session]) -> None:
    created = add_user(world, user("b.inspector", "POST-OSH", ["inspector", "viewer", "inspector"]))
    assert (created.username, created.unit, created.roles) == (
        "b.inspector",
        "POST-OSH",
        [Role.INSPECTOR, Role.VIEWER],
    )
    assert created.active
    assert (created.locked_until, created.last_login_at) == (None, None)
    with pytest.raises(Conflict, match=r"username b\.inspector is already taken"):
        add_user(world, user("b.inspector", "HQ", ["viewer"]))
    with pytest.raises(InvalidInput) as caught:
        add_user(world, user("c.nobody", "REG-NARYN", ["viewer"]))
    assert caught.value.errors[0].loc == ("unit",)

    updated = run(
        world,
        lambda uow: service.update_user(
            uow=uow,
            username="b.inspector",
            user_update=UserUpdate(unit="REG-OSH", roles=[Role.REGIONAL_COORDINATOR]),
            actor=ADMIN,
        ),
    )
    assert (updated.unit, updated.roles, updated.full_name) == (
        "REG-OSH",
        [Role.REGIONAL_COORDINATOR],
        "B.Inspector Person",
    )
    assert run(world, lambda uow: service.get_user(uow=uow, username="b.inspector")) == updated
    with pytest.raises(InvalidInput) as caught:
        run(
            world,
            lambda uow: service.update_user(
                uow=uow, username="b.inspector", user_update=UserUpdate(unit="NOPE"), actor=ADMIN
            ),
        )
    assert caught.value.errors[0].loc == ("unit",)
    with pytest.raises(NotFound):
        run(world, lambda uow: service.get_user(uow=uow, username="z.ghost"))
    assert [u.username for u in run(world, lambda uow: service.list_users(uow=uow))] == [
        "a.analyst",
        "b.inspector",
    ]
    update = journal_entries(world, "user.update")
    assert len(update) == 1
    assert update[0].before["roles"] == ["inspector", "viewer"]
    assert update[0].after == {
        "username": "b.inspector",
        "full_name": "B.Inspector Person",
        "unit": "REG-OSH",
        "roles": ["regional_coordinator"],
        "active": True,
    }
    # An update that changes nothing writes nothing to the journal.
    run(
        world,
        lambda uow: service.update_user(
            uow=uow, username="b.inspector", user_update=UserUpdate(unit="REG-OSH"), actor=ADMIN
        ),
    )
    assert len(journal_entries(world, "user.update")) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "A.Upper"},
        {"username": "1digit"},
        {"username": "x"},
        {"roles": []},
        {"roles": ["customs_god"]},
        {"password": "short-11chr"},
        {"password": "x" * 257},
    ],
)
def test_user_shapes_are_checked(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UserCreate.model_validate(
            {
                "username": "a.valid",
                "full_name": "A Valid",
                "unit": "HQ",
                "roles": ["viewer"],
                "password": ANALYST_PASSWORD,
                **changes,
            }
        )


def test_passwords_are_stored_as_argon2_hashes_only(world: sessionmaker[Session]) -> None:
    first = user_row(world, "a.analyst").password_hash
    assert first is not None
    assert first.startswith("$argon2id$")
    assert ANALYST_PASSWORD not in first
    new_password = "Another long passphrase"
    run(
        world,
        lambda uow: service.set_password(
            uow=uow, username="a.analyst", password=new_password, actor=ADMIN
        ),
    )
    second = user_row(world, "a.analyst").password_hash
    assert second is not None
    assert second.startswith("$argon2id$")
    assert second != first
    assert new_password not in second
    with pytest.raises(InvalidInput) as caught:
        run(
            world,
            lambda uow: service.set_password(
                uow=uow, username="a.analyst", password="tooshort", actor=ADMIN
            ),
        )
    assert caught.value.errors[0].loc == ("password",)
    assert "tooshort" not in str(caught.value.errors)
    entries = journal_entries(world, "user.password")
    assert [(e.object_id, e.after) for e in entries] == [("a.analyst", {"password_set": True})]
    text_ = journal_text(world)
    for secret in (ANALYST_PASSWORD, new_password, first, second):
        assert secret not in text_


# =========================================================================== sign-in


def test_authenticate_success_and_failure(world: sessionmaker[Session]) -> None:
    throttle = LoginThrottle()
    principal = login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle)
    assert (principal.username, principal.via) == ("a.analyst", "session")
    assert principal.roles == {Role.RISK_ANALYST, Role.VIEWER}
    assert (principal.unit, principal.offices) == ("REG-CHUI", {"KGBSK", "KGAKJ"})
    assert user_row(world, "a.analyst").last_login_at is not None
    for username, password in (("a.analyst", "wrong password!"), ("nobody", ANALYST_PASSWORD)):
        with pytest.raises(NotAuthenticated) as caught:
            login(world, username, password, throttle=throttle)
        assert caught.value.detail == REFUSED
    # The failure was committed although the call failed.
    assert user_row(world, "a.analyst").failed_logins == 1
    failed = journal_entries(world, "login.failed")
    assert [(e.actor, e.object_id, e.after["reason"]) for e in failed] == [
        ("a.analyst", "a.analyst", "wrong password"),
        ("nobody", "nobody", "unknown username"),
    ]
    assert [e.actor for e in journal_entries(world, "login")] == ["a.analyst"]
    # A success starts the count afresh.
    login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle)
    assert user_row(world, "a.analyst").failed_logins == 0
    assert LoginIn(username="  A.Analyst ", password=" p ").username == "a.analyst"
    with pytest.raises(ValidationError):
        LoginIn(username="a" * 61, password="p")
    with pytest.raises(ValidationError):
        LoginIn(username="a", password="p" * 257)


def test_lockout_after_repeated_failures_refuses_the_right_password_until_unlocked(
    world: sessionmaker[Session],
) -> None:
    throttle = LoginThrottle()
    now = datetime.now(UTC)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            login(world, "a.analyst", "not the password", throttle=throttle, now=now)
    row = user_row(world, "a.analyst")
    assert row.failed_logins == 3
    assert row.locked_until == now + timedelta(minutes=15)
    locked = journal_entries(world, "login.locked")
    assert [e.after["failed_logins"] for e in locked] == [3]
    with pytest.raises(NotAuthenticated):
        login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle, now=now)
    assert journal_entries(world, "login.failed")[-1].after["reason"] == "account locked"
    # Refused without looking at the password: the count does not move while locked.
    assert user_row(world, "a.analyst").failed_logins == 3
    unlocked = run(world, lambda uow: service.unlock(uow=uow, username="a.analyst", actor=ADMIN))
    assert unlocked.locked_until is None
    assert login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle, now=now).username == (
        "a.analyst"
    )
    entry = journal_entries(world, "user.unlock")[0]
    assert entry.before["failed_logins"] == 3
    assert entry.after == {"locked_until": None, "failed_logins": 0}


def test_lockout_ends_by_itself(world: sessionmaker[Session]) -> None:
    throttle = LoginThrottle()
    start = datetime.now(UTC)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            login(world, "a.analyst", "not the password", throttle=throttle, now=start)
    with pytest.raises(NotAuthenticated):
        login(
            world,
            "a.analyst",
            ANALYST_PASSWORD,
            throttle=throttle,
            now=start + timedelta(minutes=14),
        )
    later = start + timedelta(minutes=15, seconds=1)
    principal = login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle, now=later)
    assert principal.username == "a.analyst"
    row = user_row(world, "a.analyst")
    assert (row.failed_logins, row.locked_until, row.last_login_at) == (0, None, later)


def test_too_many_failures_from_one_address_are_refused_before_any_check(
    world: sessionmaker[Session],
) -> None:
    throttle = LoginThrottle()
    settings = Settings(login_max_failures=50, login_address_failures=3)
    now = datetime.now(UTC)
    for index in range(3):
        with pytest.raises(NotAuthenticated):
            login(
                world,
                f"guess{index}",
                "x",
                throttle=throttle,
                now=now + timedelta(seconds=index),
                client="203.0.113.9",
                settings=settings,
            )
    before = len(journal_entries(world))
    with pytest.raises(TooManyAttempts) as caught:
        login(
            world,
            "a.analyst",
            ANALYST_PASSWORD,
            throttle=throttle,
            now=now + timedelta(seconds=10),
            client="203.0.113.9",
            settings=settings,
        )
    assert caught.value.retry_after == 50  # the first failure leaves the window at now + 60 s
    assert len(journal_entries(world)) == before  # nothing was checked, nothing journalled
    # Another address is not affected, and the window slides.
    assert login(
        world,
        "a.analyst",
        ANALYST_PASSWORD,
        throttle=throttle,
        client="10.9.9.9",
        settings=settings,
    )
    assert login(
        world,
        "a.analyst",
        ANALYST_PASSWORD,
        throttle=throttle,
        now=now + timedelta(seconds=61),
        client="203.0.113.9",
        settings=settings,
    )


def test_throttle_counts_per_address_in_a_sliding_window() -> None:
    throttle = LoginThrottle(window_seconds=60)
    now = datetime.now(UTC)
    for second in (0, 10, 20):
        throttle.failed("198.51.100.1", now=now + timedelta(seconds=second))
    throttle.check("198.51.100.1", limit=4, now=now + timedelta(seconds=30))
    throttle.check("198.51.100.2", limit=1, now=now + timedelta(seconds=30))
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check("198.51.100.1", limit=2, now=now + timedelta(seconds=30))
    assert caught.value.retry_after == 40  # the 10 s failure leaves at 70 s
    throttle.check("198.51.100.1", limit=2, now=now + timedelta(seconds=71))
    throttle.clear()
    throttle.check("198.51.100.1", limit=1, now=now + timedelta(seconds=30))


def test_inactive_and_password_less_users_cannot_sign_in(world: sessionmaker[Session]) -> None:
    throttle = LoginThrottle()
    add_user(world, user("asycuda", "HQ", ["system"], password=None))
    with pytest.raises(NotAuthenticated):
        login(world, "asycuda", "anything at all", throttle=throttle)
    run(
        world,
        lambda uow: service.update_user(
            uow=uow, username="a.analyst", user_update=UserUpdate(active=False), actor=ADMIN
        ),
    )
    with pytest.raises(NotAuthenticated) as caught:
        login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle)
    assert caught.value.detail == REFUSED
    reasons = [e.after["reason"] for e in journal_entries(world, "login.failed")]
    assert reasons == ["no password set", "inactive account"]
    assert user_row(world, "a.analyst").failed_logins == 0


# =========================================================================== sessions


def test_sessions_start_look_up_expire_and_end(world: sessionmaker[Session]) -> None:
    throttle = LoginThrottle()
    now = datetime.now(UTC)
    principal = login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle)
    session_id, csrf = run(
        world,
        lambda uow: service.start_session(uow=uow, principal=principal, settings=SETTINGS, now=now),
    )
    assert min(len(session_id), len(csrf)) >= 40
    assert session_id != csrf
    with world() as db:
        stored = db.scalars(select(LoginSessionRow)).one()
    assert stored.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert stored.expires_at == now + timedelta(hours=8)

    def lookup(session: str, at: datetime) -> Any:
        return run(
            world, lambda uow: service.principal_from_session(uow=uow, session_id=session, now=at)
        )

    found = lookup(session_id, now + timedelta(hours=1))
    assert found is not None
    assert found[1] == csrf
    assert (found[0].username, found[0].via, found[0].offices) == (
        "a.analyst",
        "session",
        {"KGBSK", "KGAKJ"},
    )
    assert lookup(session_id, now + timedelta(hours=8)) is None  # expired
    assert lookup("not-a-session", now) is None
    run(world, lambda uow: service.end_session(uow=uow, session_id=session_id, actor="a.analyst"))
    assert lookup(session_id, now + timedelta(hours=1)) is None
    run(world, lambda uow: service.end_session(uow=uow, session_id=session_id, actor="a.analyst"))
    assert [(e.actor, e.object_id) for e in journal_entries(world, "logout")] == [
        ("a.analyst", "a.analyst")
    ]
    assert session_id not in journal_text(world)


def test_a_session_ends_when_its_user_is_locked_or_deactivated(
    world: sessionmaker[Session],
) -> None:
    throttle = LoginThrottle()
    now = datetime.now(UTC)
    principal = login(world, "a.analyst", ANALYST_PASSWORD, throttle=throttle, now=now)
    session_id, _csrf = run(
        world,
        lambda uow: service.start_session(uow=uow, principal=principal, settings=SETTINGS, now=now),
    )
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            login(world, "a.analyst", "wrong guess!", throttle=throttle, now=now)
    lookup = lambda at: run(  # noqa: E731
        world, lambda uow: service.principal_from_session(uow=uow, session_id=session_id, now=at)
    )
    assert lookup(now + timedelta(minutes=1)) is None
    assert lookup(now + timedelta(minutes=16)) is not None  # the lockout is over
    run(
        world,
        lambda uow: service.update_user(
            uow=uow, username="a.analyst", user_update=UserUpdate(active=False), actor=ADMIN
        ),
    )
    assert lookup(now + timedelta(minutes=16)) is None


# =========================================================================== API tokens


def issue(
    factory: sessionmaker[Session],
    username: str = "asycuda",
    now: datetime | None = None,
    settings: Settings = SETTINGS,
    **fields: Any,
) -> Any:
    token_in = TokenIssue.model_validate({"name": "ASYCUDA production", **fields})
    return run(
        factory,
        lambda uow: service.issue_token(
            uow=uow, username=username, token_in=token_in, actor=ADMIN, settings=settings, now=now
        ),
    )


def token_principal(
    factory: sessionmaker[Session], secret: str, now: datetime | None = None
) -> Any:
    return run(factory, lambda uow: service.principal_from_token(uow=uow, secret=secret, now=now))


def test_a_token_secret_is_shown_once_and_stored_only_as_a_hash(
    world: sessionmaker[Session],
) -> None:
    add_user(world, user("asycuda", "POST-OSH", ["system", "viewer"], password=None))
    read, secret = issue(world, roles=["system"])
    assert secret.startswith("crd_")
    assert len(secret) > 40
    assert (read.prefix, read.roles, read.username, read.active) == (
        secret[:12],
        [Role.SYSTEM],
        "asycuda",
        True,
    )
    with world() as db:
        rows = [dict(row) for row in db.execute(text("SELECT * FROM api_tokens")).mappings()]
    assert len(rows) == 1
    assert all(secret not in str(value) for value in rows[0].values())
    assert rows[0]["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    listed = run(world, lambda uow: service.list_tokens(uow=uow, username="asycuda"))
    assert [t.model_dump() for t in listed] == [read.model_dump()]
    assert secret not in json.dumps([t.model_dump(mode="json") for t in listed])
    principal = token_principal(world, secret)
    assert (principal.username, principal.via, principal.roles, principal.offices) == (
        "asycuda",
        "token",
        {Role.SYSTEM},
        {"KGOSH"},
    )
    assert token_principal(world, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert token_principal(world, "not-a-token") is None
    issued = journal_entries(world, "token.issue")
    assert [(e.object_id, e.after["prefix"], e.after["roles"]) for e in issued] == [
        (str(read.id), secret[:12], ["system"])
    ]
    assert secret not in journal_text(world)


def test_tokens_expire_and_are_revoked(world: sessionmaker[Session]) -> None:
    add_user(world, user("asycuda", "HQ", ["system"], password=None))
    now = datetime.now(UTC)
    read, secret = issue(world, now=now, expires_days=30)
    assert read.expires_at == now + timedelta(days=30)
    assert token_principal(world, secret, now + timedelta(days=29)) is not None
    assert token_principal(world, secret, now + timedelta(days=30)) is None
    listed = run(world, lambda uow: service.list_tokens(uow=uow, now=now + timedelta(days=31)))
    assert [t.active for t in listed] == [False]
    revoked = run(world, lambda uow: service.revoke_token(uow=uow, token_id=read.id, actor=ADMIN))
    assert revoked.revoked_at is not None
    assert not revoked.active
    assert token_principal(world, secret, now + timedelta(days=1)) is None
    with pytest.raises(Conflict, match="already revoked"):
        run(world, lambda uow: service.revoke_token(uow=uow, token_id=read.id, actor=ADMIN))
    with pytest.raises(NotFound):
        run(world, lambda uow: service.revoke_token(uow=uow, token_id=9999, actor=ADMIN))
    entry = journal_entries(world, "token.revoke")[0]
    assert entry.before["revoked_at"] is None
    assert entry.after["revoked_by"] == ADMIN
    with pytest.raises(InvalidInput) as caught:
        issue(world, expires_days=366)
    assert caught.value.errors[0].loc == ("expires_days",)


def test_token_roles_are_a_subset_and_follow_the_user(world: sessionmaker[Session]) -> None:
    add_user(world, user("asycuda", "HQ", ["system", "viewer"], password=None))
    with pytest.raises(InvalidInput) as caught:
        issue(world, roles=["system", "administrator"])
    assert caught.value.errors[0].loc == ("roles",)
    assert "administrator" in caught.value.errors[0].msg
    read, secret = issue(world)
    assert read.roles == [Role.SYSTEM, Role.VIEWER]  # by default, all the user's roles
    assert token_principal(world, secret).roles == {Role.SYSTEM, Role.VIEWER}
    run(
        world,
        lambda uow: service.update_user(
            uow=uow, username="asycuda", user_update=UserUpdate(roles=[Role.SYSTEM]), actor=ADMIN
        ),
    )
    assert token_principal(world, secret).roles == {Role.SYSTEM}
    # Giving the role back does not widen what the token was issued with beyond it.
    run(
        world,
        lambda uow: service.update_user(
            uow=uow,
            username="asycuda",
            user_update=UserUpdate(roles=[Role.SYSTEM, Role.VIEWER, Role.ADMINISTRATOR]),
            actor=ADMIN,
        ),
    )
    assert token_principal(world, secret).roles == {Role.SYSTEM, Role.VIEWER}
    run(
        world,
        lambda uow: service.update_user(
            uow=uow, username="asycuda", user_update=UserUpdate(active=False), actor=ADMIN
        ),
    )
    assert token_principal(world, secret) is None
    with pytest.raises(Conflict, match="inactive"):
        issue(world)


def test_token_use_is_recorded_at_most_hourly(world: sessionmaker[Session]) -> None:
    add_user(world, user("asycuda", "HQ", ["system"], password=None))
    now = datetime.now(UTC)
    read, secret = issue(world, now=now)

    def last_used() -> datetime | None:
        with world() as db:
            return db.scalar(select(ApiTokenRow.last_used_at).where(ApiTokenRow.id == read.id))

    assert last_used() is None
    token_principal(world, secret, now + timedelta(minutes=1))
    assert last_used() == now + timedelta(minutes=1)
    statements: list[str] = []
    engine = world.kw["bind"]
    listener = lambda *args: statements.append(str(args[2]))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        token_principal(world, secret, now + timedelta(minutes=50))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    # Within the hour a request only reads: no UPDATE is even sent.
    assert statements
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert last_used() == now + timedelta(minutes=1)
    token_principal(world, secret, now + timedelta(minutes=62))
    assert last_used() == now + timedelta(minutes=62)


def test_a_locked_account_keeps_its_tokens(world: sessionmaker[Session]) -> None:
    add_user(world, user("asycuda", "HQ", ["system"], password=SYSTEM_PASSWORD))
    _read, secret = issue(world)
    throttle = LoginThrottle()
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            login(world, "asycuda", "guessing the system", throttle=throttle)
    assert user_row(world, "asycuda").locked_until is not None
    assert token_principal(world, secret) is not None


# =========================================================================== journal


def test_every_change_is_journalled_without_secrets_and_the_chain_holds(
    world: sessionmaker[Session],
) -> None:
    throttle = LoginThrottle()
    add_user(world, user("asycuda", "HQ", ["system"], password=SYSTEM_PASSWORD))
    new_password = "Renewed passphrase 2027"
    run(
        world,
        lambda uow: service.set_password(
            uow=uow, username="asycuda", password=new_password, actor=ADMIN
        ),
    )
    for password in ("wrong one", SYSTEM_PASSWORD, ANALYST_PASSWORD):
        with pytest.raises(NotAuthenticated):
            login(world, "asycuda", password, throttle=throttle)
    with pytest.raises(NotAuthenticated):
        login(world, "asycuda", new_password, throttle=throttle)  # locked by now
    run(world, lambda uow: service.unlock(uow=uow, username="asycuda", actor=ADMIN))
    principal = login(world, "asycuda", new_password, throttle=throttle)
    session_id, csrf = run(
        world, lambda uow: service.start_session(uow=uow, principal=principal, settings=SETTINGS)
    )
    run(world, lambda uow: service.end_session(uow=uow, session_id=session_id, actor="asycuda"))
    read, secret = issue(world)
    run(world, lambda uow: service.revoke_token(uow=uow, token_id=read.id, actor=ADMIN))

    actions = {e.action for e in journal_entries(world)}
    assert actions == {
        "unit.create",
        "user.create",
        "user.password",
        "login.failed",
        "login.locked",
        "user.unlock",
        "login",
        "logout",
        "token.issue",
        "token.revoke",
    }
    hashes = [user_row(world, name).password_hash for name in ("a.analyst", "asycuda")]
    everything = journal_text(world)
    for secret_text in (
        ANALYST_PASSWORD,
        SYSTEM_PASSWORD,
        new_password,
        session_id,
        csrf,
        secret,
        hashlib.sha256(secret.encode()).hexdigest(),
        *[h for h in hashes if h is not None],
    ):
        assert secret_text not in everything
    verification = run(world, lambda uow: journal.verify(uow=uow))
    assert verification.ok, verification.reason
    # 7 units, 2 users, 1 password, 4 refusals, 1 lockout, unlock, login, logout, issue, revoke
    assert verification.entries == len(journal_entries(world)) == 20
