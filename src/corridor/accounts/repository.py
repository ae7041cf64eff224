"""Queries over units, users and their roles, browser sessions and API tokens.

The only place these queries are built; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from corridor.db.tables import ApiTokenRow, LoginSessionRow, UnitRow, UserRoleRow, UserRow


def add(session: Session, row: object) -> None:
    """Stage a new row (flushed, so that its id is known)."""
    session.add(row)
    session.flush()


# ----------------------------------------------------------------- units


def units(session: Session) -> list[UnitRow]:
    """Every unit, oldest first (the unit table is small: one row per office at most)."""
    return list(session.scalars(select(UnitRow).order_by(UnitRow.id)))


def unit_by_code(session: Session, code: str) -> UnitRow | None:
    """One unit by its code."""
    return session.scalars(select(UnitRow).where(UnitRow.code == code)).first()


def unit_by_id(session: Session, unit_id: int) -> UnitRow | None:
    """One unit by its id."""
    return session.get(UnitRow, unit_id)


def head_office(session: Session) -> UnitRow | None:
    """The head office, if created."""
    return session.scalars(select(UnitRow).where(UnitRow.kind == "head_office")).first()


def posts(session: Session) -> list[UnitRow]:
    """Every post (the units that cover customs offices)."""
    return list(session.scalars(select(UnitRow).where(UnitRow.kind == "post")))


# ----------------------------------------------------------------- users


def user_by_username(session: Session, username: str) -> UserRow | None:
    """One user by username."""
    return session.scalars(select(UserRow).where(UserRow.username == username)).first()


def user_with_unit(session: Session, username: str) -> tuple[UserRow, UnitRow] | None:
    """A user and their unit, in one query."""
    found = session.execute(
        select(UserRow, UnitRow)
        .join(UnitRow, UnitRow.id == UserRow.unit_id)
        .where(UserRow.username == username)
    ).first()
    return None if found is None else (found[0], found[1])


def users_with_units(session: Session) -> list[tuple[UserRow, UnitRow]]:
    """Every user with their unit, by username."""
    rows = session.execute(
        select(UserRow, UnitRow)
        .join(UnitRow, UnitRow.id == UserRow.unit_id)
        .order_by(UserRow.username)
    )
    return [(user, unit) for user, unit in rows]


def roles_of(session: Session, user_id: int) -> list[str]:
    """The roles one user holds."""
    return list(
        session.scalars(
            select(UserRoleRow.role)
            .where(UserRoleRow.user_id == user_id)
            .order_by(UserRoleRow.role)
        )
    )


def roles_by_user(session: Session) -> dict[int, list[str]]:
    """The roles of every user, by user id."""
    found: dict[int, list[str]] = {}
    for user_id, role in session.execute(
        select(UserRoleRow.user_id, UserRoleRow.role).order_by(UserRoleRow.role)
    ):
        found.setdefault(user_id, []).append(role)
    return found


def set_roles(session: Session, user_id: int, roles: Iterable[str]) -> None:
    """Replace the roles of a user."""
    session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == user_id))
    session.add_all(UserRoleRow(user_id=user_id, role=role) for role in sorted(set(roles)))
    session.flush()


def count_failed_login(session: Session, user_id: int) -> int:
    """Add one failed sign-in to the user's count and return the new count.

    Incremented in the database, not in Python: concurrent wrong guesses on one
    account each count (a read-modify-write would lose some and delay the lockout).
    """
    count = session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(failed_logins=UserRow.failed_logins + 1)
        .returning(UserRow.failed_logins)
        .execution_options(synchronize_session="fetch")
    ).scalar_one()
    return int(count)


# ----------------------------------------------------------------- browser sessions


def login_session(
    session: Session, id_hash: str
) -> tuple[LoginSessionRow, UserRow, UnitRow] | None:
    """A browser session with its user and the user's unit, in one query."""
    found = session.execute(
        select(LoginSessionRow, UserRow, UnitRow)
        .join(UserRow, UserRow.id == LoginSessionRow.user_id)
        .join(UnitRow, UnitRow.id == UserRow.unit_id)
        .where(LoginSessionRow.id_hash == id_hash)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


# ----------------------------------------------------------------- API tokens


def token_by_hash(session: Session, token_hash: str) -> tuple[ApiTokenRow, UserRow, UnitRow] | None:
    """An API token with its user and the user's unit, in one query."""
    found = session.execute(
        select(ApiTokenRow, UserRow, UnitRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .join(UnitRow, UnitRow.id == UserRow.unit_id)
        .where(ApiTokenRow.token_hash == token_hash)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


def token_with_user(session: Session, token_id: int) -> tuple[ApiTokenRow, UserRow] | None:
    """An API token by id, with its user."""
    found = session.execute(
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(ApiTokenRow.id == token_id)
    ).first()
    return None if found is None else (found[0], found[1])


def tokens(session: Session, user_id: int | None = None) -> list[tuple[ApiTokenRow, str]]:
    """API tokens (of one user, or all) with their username, newest first."""
    query = select(ApiTokenRow, UserRow.username).join(UserRow, UserRow.id == ApiTokenRow.user_id)
    if user_id is not None:
        query = query.where(ApiTokenRow.user_id == user_id)
    return [
        (token, username)
        for token, username in session.execute(query.order_by(ApiTokenRow.id.desc()))
    ]


def touch_token(session: Session, token_id: int, now: datetime, stale_before: datetime) -> None:
    """Record that a token was used, unless that was already recorded since ``stale_before``.

    The condition is in the statement, so that of many concurrent requests through
    one token at most one changes the row; the others match nothing.
    """
    session.execute(
        update(ApiTokenRow)
        .where(
            ApiTokenRow.id == token_id,
            or_(ApiTokenRow.last_used_at.is_(None), ApiTokenRow.last_used_at < stale_before),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
