"""Sign-in: passwords checked, failures counted, accounts locked, addresses throttled."""

from __future__ import annotations

import math
import secrets
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NoReturn

from pwdlib.exceptions import UnknownHashError

from corridor.accounts import repository
from corridor.accounts.roles import Principal
from corridor.accounts.service._common import (
    ACTOR_LENGTH,
    OBJECT_LENGTH,
    PASSWORDS,
    REFUSED,
)
from corridor.accounts.service.units import offices_below
from corridor.accounts.service.users import known_roles
from corridor.config import Settings
from corridor.db.tables import UnitRow, UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import (
    N_,
    NotAuthenticated,
    TooManyAttempts,
)
from corridor.journal import service as journal

#: The one answer to every refused sign-in, whatever the reason.

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
            N_("too many failed sign-ins from this address; wait before trying again"),
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
    return PASSWORDS.hash(secrets.token_urlsafe(16))


def _verify(password: str, password_hash: str) -> tuple[bool, str | None]:
    try:
        return PASSWORDS.verify_and_update(password, password_hash)
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
    now = now or uow.now
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
                actor=clip(username, ACTOR_LENGTH),
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
    return principal_of(uow, user, unit, repository.roles_of(session, user.id), via="session")


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
        actor=clip(username, ACTOR_LENGTH),
        action="login.failed",
        object_type="user",
        object_id=clip(username, OBJECT_LENGTH),
        after={"client": client, "reason": reason},
    )
    throttle.failed(client, now=now)
    raise SignInRefused(REFUSED)


def clip(text: str, length: int) -> str:
    return text[:length]


def principal_of(
    uow: UnitOfWork, user: UserRow, unit: UnitRow, roles: Iterable[str], *, via: str
) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        roles=frozenset(known_roles(roles)),
        unit=unit.code,
        offices=offices_below(uow, unit),
        via=via,
        language=user.language,
    )
