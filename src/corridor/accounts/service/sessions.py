"""Browser sessions: random secrets of which only the SHA-256 is stored."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from corridor.accounts import repository
from corridor.accounts.roles import Principal

#: The one answer to every refused sign-in, whatever the reason.
# =========================================================================== sessions
from corridor.accounts.service._common import digest
from corridor.accounts.service.signin import principal_of
from corridor.config import Settings
from corridor.db.tables import LoginSessionRow
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal


def start_session(
    *, uow: UnitOfWork, principal: Principal, settings: Settings, now: datetime | None = None
) -> tuple[str, str]:
    """Open a browser session for a signed-in principal: (session id, CSRF token).

    Only the session id's SHA-256 is stored; the id itself goes to the browser (signed,
    in a cookie) and nowhere else.
    """
    now = now or uow.now
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    repository.add(
        uow.session,
        LoginSessionRow(
            id_hash=digest(session_id),
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
    now = now or uow.now
    found = repository.login_session(uow.session, digest(session_id))
    if found is None:
        return None
    login, user, unit = found
    if login.ended_at is not None or login.expires_at <= now:
        return None
    if not user.active or (user.locked_until is not None and user.locked_until > now):
        return None
    roles = repository.roles_of(uow.session, user.id)
    return principal_of(uow, user, unit, roles, via="session"), login.csrf_token


def end_session(
    *, uow: UnitOfWork, session_id: str, actor: str, now: datetime | None = None
) -> None:
    """Sign out: end the session (nothing happens for an unknown or already ended one)."""
    found = repository.login_session(uow.session, digest(session_id))
    if found is None or found[0].ended_at is not None:
        return
    login, user, _unit = found
    login.ended_at = now or uow.now
    journal.record(
        uow.session,
        actor=actor,
        action="logout",
        object_type="user",
        object_id=user.username,
    )
