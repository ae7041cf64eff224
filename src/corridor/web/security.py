"""Who is calling, and may they: sessions, API tokens, CSRF and the permission matrix.

Every route but health, sign-in and the API documentation depends on
:func:`authorize` with the one :class:`~corridor.accounts.roles.Action` it
performs; ``tests/e2e/test_permissions.py`` calls every route as every role.

* Browsers sign in (``POST /api/v1/auth/login``) and get a session cookie:
  the signed session id, HttpOnly, SameSite=Strict, Secure when configured.
  A state-changing request on a session must carry the session's CSRF token in
  the ``X-CSRF-Token`` header (forms: the ``csrf_token`` field, see
  :func:`check_csrf`); a cross-site page can neither read the token nor, with
  SameSite=Strict, send the cookie.
* Systems send ``Authorization: Bearer crd_…``. A token carries no ambient
  authority, so no CSRF check applies. Principals of tokens are remembered
  per worker for ``token_cache_seconds``; a revocation reaches the worker
  that processed it at once and the others within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, Signer

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action, Principal
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.errors import NotAuthenticated, PermissionDenied
from corridor.web.deps import unit_of_work
from corridor.web.state import app_state

SESSION_COOKIE = "corridor_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_signer(settings: Settings) -> Signer:
    """Signs the session id in the cookie with the installation's secret key."""
    return Signer(settings.secret_key, salt="corridor.session")


def set_session_cookie(response: Response, settings: Settings, session_id: str) -> None:
    """Give the browser its session: the signed id, HttpOnly, SameSite=Strict, Secure as
    configured, for the session's life (the API's and the sign-in page's one cookie)."""
    response.set_cookie(
        SESSION_COOKIE,
        session_signer(settings).sign(session_id).decode(),
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )


class TokenCache:
    """Principals of recently seen API tokens (by hash), for a few seconds."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._known: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        """The remembered principal, if still fresh."""
        if self.seconds <= 0:
            return None
        with self._lock:
            found = self._known.get(key)
        if found is None or time.monotonic() - found[0] > self.seconds:
            return None
        return found[1]

    def put(self, key: str, principal: Principal) -> None:
        """Remember a principal just read from the database."""
        if self.seconds > 0:
            with self._lock:
                if len(self._known) > 10_000:
                    self._known.clear()
                self._known[key] = (time.monotonic(), principal)

    def forget_all(self) -> None:
        """Drop everything (after a revocation or a change of roles)."""
        with self._lock:
            self._known.clear()


def _token_principal(request: Request, uow: UnitOfWork, secret: str) -> Principal:
    cache = app_state(request).token_cache
    key = hashlib.sha256(secret.encode()).hexdigest()
    principal = cache.get(key)
    if principal is None:
        principal = accounts_service.principal_from_token(uow=uow, secret=secret)
        if principal is None:
            raise NotAuthenticated("the API token is unknown, expired or revoked")
        # Keep the token's hourly last-use mark even when the route itself never commits
        # (a read); nothing of the route is in the transaction yet.
        uow.commit()
        cache.put(key, principal)
    return principal


def session_of(request: Request, uow: UnitOfWork) -> tuple[Principal, str, str] | None:
    """(principal, CSRF token, session id) of the request's session cookie, if valid."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        session_id = session_signer(app_state(request).settings).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    found = accounts_service.principal_from_session(uow=uow, session_id=session_id)
    if found is None:
        return None
    principal, csrf = found
    return principal, csrf, session_id


def current_principal(request: Request, uow: UnitOfWork) -> Principal:
    """The caller, from a bearer token or a session cookie (CSRF-checked when unsafe)."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated("the Authorization header must be 'Bearer <API token>'")
        return _token_principal(request, uow, secret.strip())
    found = session_of(request, uow)
    if found is None:
        raise NotAuthenticated("sign in first: no valid session cookie or API token")
    principal, csrf, _ = found
    if request.method not in _SAFE_METHODS:
        check_csrf(csrf, request.headers.get(CSRF_HEADER))
    return principal


def check_csrf(expected: str, given: str | None) -> None:
    """Refuse a state-changing session request whose CSRF token is missing or wrong."""
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise PermissionDenied(
            f"the {CSRF_HEADER} header (or {CSRF_FIELD} form field) is missing or wrong"
        )


def authorize(action: Action) -> Callable[..., Principal]:
    """A dependency: the caller, who must be allowed ``action`` by the permission matrix."""

    def dependency(
        request: Request, uow: Annotated[UnitOfWork, Depends(unit_of_work)]
    ) -> Principal:
        principal = current_principal(request, uow)
        if not principal.can(action):
            roles = ", ".join(sorted(principal.roles)) or "no role"
            raise PermissionDenied(f"{roles} may not do {action.value}")
        request.state.principal = principal
        return principal

    dependency.action = action  # type: ignore[attr-defined]  # read by the route tests
    dependency.__name__ = f"authorize_{action.name.lower()}"
    return dependency


def route_action(dependant_call: Any) -> Action | None:
    """The action an :func:`authorize` dependency enforces (None for other callables)."""
    action = getattr(dependant_call, "action", None)
    return action if isinstance(action, Action) else None
