"""Users, their roles in one unit, passwords, languages and unlocking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from corridor.accounts import repository
from corridor.accounts.roles import Role
from corridor.accounts.schemas import (
    PasswordIn,
    UserCreate,
    UserRead,
    UserUpdate,
)
from corridor.accounts.service._common import PASSWORDS, ROLE_NAMES
from corridor.db.tables import UnitRow, UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
)
from corridor.journal import service as journal

# =========================================================================== users


def create_user(*, uow: UnitOfWork, user_in: UserCreate, actor: str) -> UserRead:
    """Add a user with their roles (and password, if given: without one the user signs in
    only through API tokens). Raises Conflict for a taken username, InvalidInput for an
    unknown unit."""
    session = uow.session
    if repository.user_by_username(session, user_in.username) is not None:
        raise Conflict(N_("username %(user)s is already taken", user=user_in.username))
    unit = _unit_for_user(uow, user_in.unit)
    now = uow.now
    row = UserRow(
        username=user_in.username,
        full_name=user_in.full_name,
        unit_id=unit.id,
        password_hash=None if user_in.password is None else PASSWORDS.hash(user_in.password),
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
    user, unit = user_with_unit_or_raise(uow, username)
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
        user.updated_at = uow.now
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
    user, _unit = user_with_unit_or_raise(uow, username)
    user.language = language


def set_password(*, uow: UnitOfWork, username: str, password: str, actor: str) -> None:
    """Give a user a new password (12 to 256 characters); the journal records only that
    it changed. Raises InvalidInput naming ``password`` when it does not qualify."""
    try:
        PasswordIn(password=password)
    except ValidationError as exc:
        # Only the message: the error's input would be the password itself.
        raise InvalidInput(
            N_("the password does not qualify"),
            [FieldError(("password",), str(error["msg"])) for error in exc.errors()],
        ) from None
    user, _unit = user_with_unit_or_raise(uow, username)
    had_password = user.password_hash is not None
    user.password_hash = PASSWORDS.hash(password)
    user.updated_at = uow.now
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
    user, unit = user_with_unit_or_raise(uow, username)
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    user.locked_until = None
    user.failed_logins = 0
    user.updated_at = uow.now
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
    user, unit = user_with_unit_or_raise(uow, username)
    return _user_read(user, unit.code, repository.roles_of(uow.session, user.id))


def user_with_unit_or_raise(uow: UnitOfWork, username: str) -> tuple[UserRow, UnitRow]:
    found = repository.user_with_unit(uow.session, username)
    if found is None:
        raise NotFound(N_("user %(user)s does not exist", user=username))
    return found


def _unit_for_user(uow: UnitOfWork, code: str) -> UnitRow:
    unit = repository.unit_by_code(uow.session, code)
    if unit is None:
        raise InvalidInput(
            N_("unknown unit"),
            [FieldError(("unit",), N_("unit %(unit)s does not exist", unit=code))],
        )
    return unit


def _user_read(user: UserRow, unit_code: str, roles: Iterable[str]) -> UserRead:
    return UserRead(
        username=user.username,
        full_name=user.full_name,
        unit=unit_code,
        roles=sorted(known_roles(roles)),
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


def known_roles(roles: Iterable[str]) -> set[Role]:
    # A role name stored by an older version and since dropped grants nothing
    # rather than making the account unusable.
    return {Role(role) for role in roles if role in ROLE_NAMES}
