"""Use cases of accounts: units, users and roles, passwords, sign-in, sessions, API tokens.

The unit tree::

    head office (one) ─┬─ regional department ── post (covers customs offices)
                       └─ post

A user sees the declarations of the offices of every post under their unit;
a head-office user sees every office.

Sign-in (:func:`authenticate`):

* Passwords are stored as argon2 hashes (pwdlib); an old-parameter hash is
  replaced at the next successful sign-in.
* ``login_max_failures`` wrong passwords in a row lock the account for
  ``login_lockout_minutes``; a locked, inactive or password-less account is
  refused without looking at the password. Every refusal says the same thing,
  and an unknown username costs the same hashing time as a known one, so a
  caller cannot learn which usernames exist or which accounts are locked.
* More than ``login_address_failures`` failures a minute from one address are
  refused before anything is checked (:class:`LoginThrottle`).

Browser sessions and API tokens are random secrets of which only the SHA-256
is stored. Every change of state is journalled; no password, password hash,
session id or token secret ever is.

These functions do not commit: the edge does. A refused sign-in is journalled in the
caller's transaction and raised as :class:`SignInRefused`, which the edge commits before
answering, so that the failure counts towards the lockout although the call fails.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NoReturn

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import ValidationError

from corridor.accounts import repository
from corridor.accounts.roles import Principal, Role
from corridor.accounts.schemas import (
    PasswordIn,
    TokenIssue,
    TokenRead,
    UnitCreate,
    UnitRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from corridor.config import Settings
from corridor.db.tables import ApiTokenRow, LoginSessionRow, UnitRow, UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from corridor.journal import service as journal

#: The one answer to every refused sign-in, whatever the reason.
REFUSED = "wrong username or password, or the account is locked"
TOKEN_PREFIX = "crd_"
#: Characters of a token kept in clear, to recognise it in lists ("crd_" and 8 more).
TOKEN_PREFIX_LENGTH = 12
#: A token's last use is written at most this often (a clearance system sends hundreds
#: of requests a second through one token; a write per request would serialise them).
TOKEN_USE_PRECISION = timedelta(hours=1)
#: The journal's actor and object columns are this long.
_ACTOR_LENGTH, _OBJECT_LENGTH = 60, 200

_PASSWORDS = PasswordHash((Argon2Hasher(),))
_KIND_ORDER = {"head_office": 0, "regional": 1, "post": 2}
_ROLE_NAMES = frozenset(role.value for role in Role)


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# =========================================================================== units


def create_unit(*, uow: UnitOfWork, unit_in: UnitCreate, actor: str) -> UnitRead:
    """Add a unit to the tree.

    Raises Conflict when the code exists, and InvalidInput naming the field when the
    unit does not fit the tree: one head office, without parent; a regional
    department under the head office; a post under a regional department or the
    head office; customs offices only on posts, each office on at most one post.
    """
    session = uow.session
    if repository.unit_by_code(session, unit_in.code) is not None:
        raise Conflict(f"unit {unit_in.code} already exists")
    errors: list[FieldError] = []
    parent: UnitRow | None = None
    if unit_in.parent is not None:
        parent = repository.unit_by_code(session, unit_in.parent)
        if parent is None:
            errors.append(FieldError(("parent",), f"unit {unit_in.parent} does not exist"))
    if unit_in.kind == "head_office":
        if unit_in.parent is not None:
            errors.append(FieldError(("parent",), "the head office has no parent unit"))
        existing = repository.head_office(session)
        if existing is not None:
            errors.append(
                FieldError(("kind",), f"there is already a head office ({existing.code})")
            )
    elif unit_in.parent is None:
        errors.append(FieldError(("parent",), f"a {_kind_name(unit_in.kind)} needs a parent unit"))
    elif parent is not None:
        allowed = ("head_office",) if unit_in.kind == "regional" else ("head_office", "regional")
        if parent.kind not in allowed:
            errors.append(
                FieldError(
                    ("parent",),
                    f"a {_kind_name(unit_in.kind)} cannot be under a {_kind_name(parent.kind)} "
                    f"({parent.code}); its parent is "
                    + " or ".join(f"a {_kind_name(kind)}" for kind in allowed),
                )
            )
    if unit_in.offices and unit_in.kind != "post":
        errors.append(FieldError(("offices",), "only posts cover customs offices"))
    elif unit_in.offices:
        owners = {
            office: post.code for post in repository.posts(session) for office in post.offices
        }
        errors += [
            FieldError(
                ("offices", index), f"office {office} already belongs to post {owners[office]}"
            )
            for index, office in enumerate(unit_in.offices)
            if office in owners
        ]
    if errors:
        raise InvalidInput(f"unit {unit_in.code} does not fit the unit tree", errors)
    row = UnitRow(
        code=unit_in.code,
        name=unit_in.name,
        kind=unit_in.kind,
        parent_id=None if parent is None else parent.id,
        offices=list(unit_in.offices),
        created_at=_now(),
    )
    repository.add(session, row)
    read = _unit_read(row, None if parent is None else parent.code)
    journal.record(
        session,
        actor=actor,
        action="unit.create",
        object_type="unit",
        object_id=row.code,
        after=read.model_dump(mode="json"),
    )
    return read


def list_units(*, uow: UnitOfWork) -> list[UnitRead]:
    """Every unit in tree order: each unit followed by the units under it (by code)."""
    rows = repository.units(uow.session)
    codes = {row.id: row.code for row in rows}
    children: dict[int | None, list[UnitRow]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[UnitRead] = []

    def walk(parent_id: int | None) -> None:
        for row in sorted(children.get(parent_id, []), key=lambda r: (_KIND_ORDER[r.kind], r.code)):
            ordered.append(_unit_read(row, None if row.parent_id is None else codes[row.parent_id]))
            walk(row.id)

    walk(None)
    return ordered


def offices_under(*, uow: UnitOfWork, unit_code: str) -> frozenset[str] | None:
    """The customs offices of every post in the unit's subtree; None (every office) for the
    head office. Raises NotFound for an unknown unit."""
    unit = repository.unit_by_code(uow.session, unit_code)
    if unit is None:
        raise NotFound(f"unit {unit_code} does not exist")
    return _offices_below(uow, unit)


def _offices_below(uow: UnitOfWork, unit: UnitRow) -> frozenset[str] | None:
    if unit.kind == "head_office":
        return None
    if unit.kind == "post":
        return frozenset(unit.offices)
    children: dict[int | None, list[UnitRow]] = {}
    for row in repository.units(uow.session):
        children.setdefault(row.parent_id, []).append(row)
    offices: set[str] = set()
    pending = [unit]
    while pending:
        current = pending.pop()
        offices.update(current.offices)
        pending.extend(children.get(current.id, []))
    return frozenset(offices)


def _unit_read(row: UnitRow, parent_code: str | None) -> UnitRead:
    return UnitRead.model_validate(
        {
            "code": row.code,
            "name": row.name,
            "kind": row.kind,
            "parent": parent_code,
            "offices": list(row.offices),
        }
    )


def _kind_name(kind: str) -> str:
    return {"head_office": "head office", "regional": "regional department"}.get(kind, kind)


# =========================================================================== users


def create_user(*, uow: UnitOfWork, user_in: UserCreate, actor: str) -> UserRead:
    """Add a user with their roles (and password, if given: without one the user signs in
    only through API tokens). Raises Conflict for a taken username, InvalidInput for an
    unknown unit."""
    session = uow.session
    if repository.user_by_username(session, user_in.username) is not None:
        raise Conflict(f"username {user_in.username} is already taken")
    unit = _unit_for_user(uow, user_in.unit)
    now = _now()
    row = UserRow(
        username=user_in.username,
        full_name=user_in.full_name,
        unit_id=unit.id,
        password_hash=None if user_in.password is None else _PASSWORDS.hash(user_in.password),
        active=True,
        language="en",
        failed_logins=0,
        locked_until=None,
        last_login_at=None,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    roles = [role.value for role in user_in.roles]
    repository.set_roles(session, row.id, roles)
    read = _user_read(row, unit.code, roles)
    journal.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=row.username,
        after=_user_state(read, password_set=row.password_hash is not None),
    )
    return read


def update_user(*, uow: UnitOfWork, username: str, user_update: UserUpdate, actor: str) -> UserRead:
    """Change a user's name, unit, roles or whether they may sign in.

    Removing a role also narrows the user's API tokens (a token grants only the roles
    its user still holds); deactivating ends the user's sessions and tokens at once.
    """
    session = uow.session
    user, unit = _user_with_unit_or_raise(uow, username)
    roles = repository.roles_of(session, user.id)
    before = _user_read(user, unit.code, roles)
    if user_update.unit is not None and user_update.unit != unit.code:
        unit = _unit_for_user(uow, user_update.unit)
        user.unit_id = unit.id
    if user_update.full_name is not None:
        user.full_name = user_update.full_name
    if user_update.active is not None:
        user.active = user_update.active
    if user_update.roles is not None:
        wanted = sorted(role.value for role in user_update.roles)
        if wanted != sorted(roles):
            repository.set_roles(session, user.id, wanted)
            roles = wanted
    after = _user_read(user, unit.code, roles)
    if after != before:
        user.updated_at = _now()
        journal.record(
            session,
            actor=actor,
            action="user.update",
            object_type="user",
            object_id=user.username,
            before=_user_state(before),
            after=_user_state(after),
        )
    return after


def set_language(*, uow: UnitOfWork, username: str, language: str) -> None:
    """Remember the language a user reads the web pages in (a preference: not journalled).

    The caller checks ``language`` against the languages the web application offers.
    """
    user, _unit = _user_with_unit_or_raise(uow, username)
    user.language = language


def set_password(*, uow: UnitOfWork, username: str, password: str, actor: str) -> None:
    """Give a user a new password (12 to 256 characters); the journal records only that
    it changed. Raises InvalidInput naming ``password`` when it does not qualify."""
    try:
        PasswordIn(password=password)
    except ValidationError as exc:
        # Only the message: the error's input would be the password itself.
        raise InvalidInput(
            "the password does not qualify",
            [FieldError(("password",), str(error["msg"])) for error in exc.errors()],
        ) from None
    user, _unit = _user_with_unit_or_raise(uow, username)
    had_password = user.password_hash is not None
    user.password_hash = _PASSWORDS.hash(password)
    user.updated_at = _now()
    journal.record(
        uow.session,
        actor=actor,
        action="user.password",
        object_type="user",
        object_id=user.username,
        before={"password_set": had_password},
        after={"password_set": True},
    )


def unlock(*, uow: UnitOfWork, username: str, actor: str) -> UserRead:
    """Lift a lockout and forget the failed sign-ins."""
    user, unit = _user_with_unit_or_raise(uow, username)
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    user.locked_until = None
    user.failed_logins = 0
    user.updated_at = _now()
    journal.record(
        uow.session,
        actor=actor,
        action="user.unlock",
        object_type="user",
        object_id=user.username,
        before=before,
        after={"locked_until": None, "failed_logins": 0},
    )
    return _user_read(user, unit.code, repository.roles_of(uow.session, user.id))


def list_users(*, uow: UnitOfWork) -> list[UserRead]:
    """Every user, by username."""
    roles = repository.roles_by_user(uow.session)
    return [
        _user_read(user, unit.code, roles.get(user.id, []))
        for user, unit in repository.users_with_units(uow.session)
    ]


def get_user(*, uow: UnitOfWork, username: str) -> UserRead:
    """One user. Raises NotFound."""
    user, unit = _user_with_unit_or_raise(uow, username)
    return _user_read(user, unit.code, repository.roles_of(uow.session, user.id))


def _user_with_unit_or_raise(uow: UnitOfWork, username: str) -> tuple[UserRow, UnitRow]:
    found = repository.user_with_unit(uow.session, username)
    if found is None:
        raise NotFound(f"user {username} does not exist")
    return found


def _unit_for_user(uow: UnitOfWork, code: str) -> UnitRow:
    unit = repository.unit_by_code(uow.session, code)
    if unit is None:
        raise InvalidInput("unknown unit", [FieldError(("unit",), f"unit {code} does not exist")])
    return unit


def _user_read(user: UserRow, unit_code: str, roles: Iterable[str]) -> UserRead:
    return UserRead(
        username=user.username,
        full_name=user.full_name,
        unit=unit_code,
        roles=sorted(_known_roles(roles)),
        active=user.active,
        locked_until=user.locked_until,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _user_state(read: UserRead, **extra: Any) -> dict[str, Any]:
    """What the journal keeps of a user: who they are and what they may do."""
    state = read.model_dump(
        mode="json", include={"username", "full_name", "unit", "roles", "active"}
    )
    return {**state, **extra}


def _known_roles(roles: Iterable[str]) -> set[Role]:
    # A role name stored by an older version and since dropped grants nothing
    # rather than making the account unusable.
    return {Role(role) for role in roles if role in _ROLE_NAMES}


# =========================================================================== sign-in


class SignInRefused(NotAuthenticated):
    """A refused sign-in whose failure is journalled in the caller's transaction (and may
    have locked the account): the edge commits that transaction before answering, or the
    failure would not count towards the lockout."""


class LoginThrottle:
    """Failed sign-ins per client address over a sliding window, in this process's memory.

    Thread-safe (one instance serves every request thread). It slows down guessing
    across many usernames from one address, which the per-account lockout does not.
    """

    def __init__(self, window_seconds: float = 60.0, max_addresses: int = 10_000) -> None:
        self.window_seconds = window_seconds
        self._max_addresses = max_addresses
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, *, limit: int, now: datetime) -> None:
        """Raise TooManyAttempts (with the seconds to wait) when ``client`` already failed
        ``limit`` times within the window."""
        moment = now.timestamp()
        with self._lock:
            recent = self._recent(client, moment)
            if len(recent) < limit:
                return
            # Attempts are allowed again once enough failures have left the window.
            frees_at = recent[len(recent) - limit] + self.window_seconds
        raise TooManyAttempts(
            "too many failed sign-ins from this address; wait before trying again",
            retry_after=max(1, math.ceil(frees_at - moment)),
        )

    def failed(self, client: str, *, now: datetime) -> None:
        """Remember one failed sign-in from ``client``."""
        moment = now.timestamp()
        with self._lock:
            if len(self._failures) >= self._max_addresses:
                # Bounded memory under a spread-out attack: forget what left the window.
                for address in list(self._failures):
                    self._recent(address, moment)
            self._failures.setdefault(client, deque()).append(moment)

    def clear(self) -> None:
        """Forget every failure."""
        with self._lock:
            self._failures.clear()

    def _recent(self, client: str, moment: float) -> deque[float]:
        times = self._failures.get(client)
        if times is None:
            return deque()
        while times and times[0] <= moment - self.window_seconds:
            times.popleft()
        if not times:
            del self._failures[client]
        return times


#: The process's throttle; tests pass their own.
LOGIN_THROTTLE = LoginThrottle()


@cache
def _dummy_hash() -> str:
    return _PASSWORDS.hash(secrets.token_urlsafe(16))


def _verify(password: str, password_hash: str) -> tuple[bool, str | None]:
    try:
        return _PASSWORDS.verify_and_update(password, password_hash)
    except UnknownHashError:
        return False, None


def authenticate(
    *,
    uow: UnitOfWork,
    username: str,
    password: str,
    client: str,
    settings: Settings,
    now: datetime | None = None,
    throttle: LoginThrottle = LOGIN_THROTTLE,
) -> Principal:
    """Check a username and password; the signed-in principal, or SignInRefused.

    ``client`` is the caller's address (throttled: TooManyAttempts before anything is
    checked). A refused attempt is journalled in the caller's transaction and raised as
    SignInRefused, which the caller commits (failures count towards the lockout); a
    success is journalled in the caller's transaction too, which the caller commits
    (usually with :func:`start_session`).
    """
    now = now or _now()
    throttle.check(client, limit=settings.login_address_failures, now=now)
    session = uow.session
    found = repository.user_with_unit(session, username)
    if found is None:
        # The same hashing time as a known username: timing must not tell which exist.
        _verify(password, _dummy_hash())
        _refuse(uow, throttle, username, client, now, reason="unknown username")
    user, unit = found
    if user.locked_until is not None and user.locked_until <= now:
        # The lockout is over: a fresh count of failures starts.
        user.locked_until = None
        user.failed_logins = 0
        session.flush()
    refusal = None
    if not user.active:
        refusal = "inactive account"
    elif user.locked_until is not None:
        refusal = "account locked"
    elif user.password_hash is None:
        refusal = "no password set"
    if refusal is not None or user.password_hash is None:
        # Refused without looking at the password; hashing anyway keeps the time equal.
        _verify(password, _dummy_hash())
        _refuse(uow, throttle, username, client, now, reason=refusal or "no password set")
    valid, new_hash = _verify(password, user.password_hash)
    if not valid:
        failures = repository.count_failed_login(session, user.id)
        if failures >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            journal.record(
                session,
                actor=_clip(username, _ACTOR_LENGTH),
                action="login.locked",
                object_type="user",
                object_id=user.username,
                after={
                    "locked_until": user.locked_until,
                    "failed_logins": failures,
                    "client": client,
                },
            )
        _refuse(uow, throttle, username, client, now, reason="wrong password")
    after: dict[str, Any] = {"client": client}
    if new_hash is not None:
        # Hashed with older parameters: replaced now that the password is known to be right.
        user.password_hash = new_hash
        after["rehashed"] = True
    user.failed_logins = 0
    user.last_login_at = now
    journal.record(
        session,
        actor=user.username,
        action="login",
        object_type="user",
        object_id=user.username,
        after=after,
    )
    return _principal(uow, user, unit, repository.roles_of(session, user.id), via="session")


def _refuse(
    uow: UnitOfWork,
    throttle: LoginThrottle,
    username: str,
    client: str,
    now: datetime,
    *,
    reason: str,
) -> NoReturn:
    """Journal a refused sign-in in the caller's transaction, count it for the address,
    and raise SignInRefused (the caller commits the journal entry)."""
    journal.record(
        uow.session,
        actor=_clip(username, _ACTOR_LENGTH),
        action="login.failed",
        object_type="user",
        object_id=_clip(username, _OBJECT_LENGTH),
        after={"client": client, "reason": reason},
    )
    throttle.failed(client, now=now)
    raise SignInRefused(REFUSED)


def _clip(text: str, length: int) -> str:
    return text[:length]


def _principal(
    uow: UnitOfWork, user: UserRow, unit: UnitRow, roles: Iterable[str], *, via: str
) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=frozenset(_known_roles(roles)),
        unit=unit.code,
        offices=_offices_below(uow, unit),
        via=via,
        language=user.language,
    )


# =========================================================================== sessions


def start_session(
    *, uow: UnitOfWork, principal: Principal, settings: Settings, now: datetime | None = None
) -> tuple[str, str]:
    """Open a browser session for a signed-in principal: (session id, CSRF token).

    Only the session id's SHA-256 is stored; the id itself goes to the browser (signed,
    in a cookie) and nowhere else.
    """
    now = now or _now()
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    repository.add(
        uow.session,
        LoginSessionRow(
            id_hash=_digest(session_id),
            user_id=principal.user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            ended_at=None,
        ),
    )
    return session_id, csrf_token


def principal_from_session(
    *, uow: UnitOfWork, session_id: str, now: datetime | None = None
) -> tuple[Principal, str] | None:
    """The principal of a browser session and its CSRF token; None when the session is
    unknown, ended or expired, or its user is inactive or locked."""
    now = now or _now()
    found = repository.login_session(uow.session, _digest(session_id))
    if found is None:
        return None
    login, user, unit = found
    if login.ended_at is not None or login.expires_at <= now:
        return None
    if not user.active or (user.locked_until is not None and user.locked_until > now):
        return None
    roles = repository.roles_of(uow.session, user.id)
    return _principal(uow, user, unit, roles, via="session"), login.csrf_token


def end_session(
    *, uow: UnitOfWork, session_id: str, actor: str, now: datetime | None = None
) -> None:
    """Sign out: end the session (nothing happens for an unknown or already ended one)."""
    found = repository.login_session(uow.session, _digest(session_id))
    if found is None or found[0].ended_at is not None:
        return
    login, user, _unit = found
    login.ended_at = now or _now()
    journal.record(
        uow.session,
        actor=actor,
        action="logout",
        object_type="user",
        object_id=user.username,
    )


# =========================================================================== API tokens


def issue_token(
    *,
    uow: UnitOfWork,
    username: str,
    token_in: TokenIssue,
    actor: str,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[TokenRead, str]:
    """Issue an API token for a user: (the stored token, its secret).

    The secret is returned here and never again (only its SHA-256 is stored). The
    token's roles default to all the user's roles and may only narrow them.
    Raises NotFound for an unknown user, Conflict for an inactive one, InvalidInput
    naming ``expires_days`` or ``roles``.
    """
    now = now or _now()
    if not 1 <= token_in.expires_days <= settings.api_token_max_days:
        raise InvalidInput(
            "the token would live too long",
            [FieldError(("expires_days",), f"must be 1 to {settings.api_token_max_days} days")],
        )
    user, _unit = _user_with_unit_or_raise(uow, username)
    if not user.active:
        raise Conflict(f"user {username} is inactive; a token of theirs would not work")
    held = set(repository.roles_of(uow.session, user.id))
    wanted = held if token_in.roles is None else {role.value for role in token_in.roles}
    if not wanted <= held:
        raise InvalidInput(
            "a token cannot grant more than its user holds",
            [
                FieldError(
                    ("roles",), f"user {username} does not hold {', '.join(sorted(wanted - held))}"
                )
            ],
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        token_hash=_digest(secret),
        prefix=secret[:TOKEN_PREFIX_LENGTH],
        name=token_in.name,
        user_id=user.id,
        roles=sorted(wanted),
        created_at=now,
        created_by=_clip(actor, _ACTOR_LENGTH),
        expires_at=now + timedelta(days=token_in.expires_days),
        revoked_at=None,
        revoked_by=None,
        last_used_at=None,
    )
    repository.add(uow.session, row)
    read = _token_read(row, user.username, now)
    journal.record(
        uow.session,
        actor=actor,
        action="token.issue",
        object_type="token",
        object_id=str(row.id),
        after=_token_state(read),
    )
    return read, secret


def revoke_token(
    *, uow: UnitOfWork, token_id: int, actor: str, now: datetime | None = None
) -> TokenRead:
    """Revoke an API token for good. Raises NotFound, or Conflict when already revoked."""
    now = now or _now()
    found = repository.token_with_user(uow.session, token_id)
    if found is None:
        raise NotFound(f"API token {token_id} does not exist")
    token, user = found
    if token.revoked_at is not None:
        raise Conflict(f"API token {token_id} was already revoked on {token.revoked_at:%Y-%m-%d}")
    before = _token_state(_token_read(token, user.username, now))
    token.revoked_at = now
    token.revoked_by = _clip(actor, _ACTOR_LENGTH)
    read = _token_read(token, user.username, now)
    journal.record(
        uow.session,
        actor=actor,
        action="token.revoke",
        object_type="token",
        object_id=str(token.id),
        before=before,
        after={**_token_state(read), "revoked_by": token.revoked_by},
    )
    return read


def list_tokens(
    *, uow: UnitOfWork, username: str | None = None, now: datetime | None = None
) -> list[TokenRead]:
    """API tokens, newest first (of one user, or all). Raises NotFound for an unknown user."""
    now = now or _now()
    user_id = None
    if username is not None:
        user_id = _user_with_unit_or_raise(uow, username)[0].id
    return [
        _token_read(token, owner, now) for token, owner in repository.tokens(uow.session, user_id)
    ]


def principal_from_token(
    *, uow: UnitOfWork, secret: str, now: datetime | None = None
) -> Principal | None:
    """The principal of an API token's secret; None when unknown, revoked, expired, or the
    user is inactive. Its roles are the token's roles the user still holds.

    A lockout (wrong passwords) does not stop tokens: otherwise anyone could halt the
    clearance system by guessing its account's password a few times. The time of last
    use is written at most once per :data:`TOKEN_USE_PRECISION`, in the caller's
    transaction.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or _now()
    found = repository.token_by_hash(uow.session, _digest(secret))
    if found is None:
        return None
    token, user, unit = found
    if token.revoked_at is not None or token.expires_at <= now or not user.active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - TOKEN_USE_PRECISION:
        repository.touch_token(uow.session, token.id, now, now - TOKEN_USE_PRECISION)
    roles = set(token.roles) & set(repository.roles_of(uow.session, user.id))
    return _principal(uow, user, unit, roles, via="token")


def _token_read(row: ApiTokenRow, username: str, now: datetime) -> TokenRead:
    return TokenRead(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        username=username,
        roles=sorted(_known_roles(row.roles)),
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        active=row.revoked_at is None and row.expires_at > now,
    )


def _token_state(read: TokenRead) -> dict[str, Any]:
    """What the journal keeps of a token: never its secret (only the recognisable prefix)."""
    return read.model_dump(mode="json", exclude={"active", "last_used_at"})
