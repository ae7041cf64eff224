"""HTTP routes: sign-in and sign-out, one's own account, and the administration of
units, users and API tokens (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel

from corridor.accounts import service
from corridor.accounts.roles import Action, Principal, Role
from corridor.accounts.schemas import (
    LoginIn,
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
from corridor.db.uow import UnitOfWork
from corridor.web.deps import ERROR_RESPONSES, Committed, ErrorBody, unit_of_work
from corridor.web.security import SESSION_COOKIE, authorize, session_of, set_session_cookie
from corridor.web.state import app_state

router = APIRouter(prefix="/api/v1", tags=["accounts"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Admin = Annotated[Principal, Depends(authorize(Action.ACCOUNTS_MANAGE))]
Me = Annotated[Principal, Depends(authorize(Action.SELF))]
Username = Annotated[str, Path(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9._-]+$")]


class SessionRead(BaseModel):
    """The signed-in user, and the CSRF token to send with changes (``X-CSRF-Token``)."""

    username: str
    full_name: str
    roles: list[Role]
    unit: str
    offices: list[str] | None
    via: str
    csrf_token: str | None = None


class TokenIssued(BaseModel):
    """A new API token: ``secret`` is shown this once and never again."""

    token: TokenRead
    secret: str


def _settings(request: Request) -> Settings:
    return app_state(request).settings


def _session_read(principal: Principal, csrf: str | None) -> SessionRead:
    return SessionRead(
        username=principal.username,
        full_name=principal.full_name,
        roles=sorted(principal.roles),
        unit=principal.unit,
        offices=None if principal.offices is None else sorted(principal.offices),
        via=principal.via,
        csrf_token=csrf,
    )


# --------------------------------------------------------------------------- sign-in


@router.post(
    "/auth/login",
    response_model=SessionRead,
    tags=["auth"],
    responses={
        401: {"model": ErrorBody, "description": "wrong credentials or locked account"},
        429: {"model": ErrorBody, "description": "too many failed sign-ins from this address"},
    },
)
def login(login_in: LoginIn, uow: UoW, request: Request, response: Response) -> SessionRead:
    """Sign in with username and password; sets the session cookie and returns the CSRF
    token. Repeated failures lock the account for a while (journalled)."""
    settings = _settings(request)
    client = request.client.host if request.client else "unknown"
    try:
        principal = service.authenticate(
            uow=uow,
            username=login_in.username,
            password=login_in.password,
            client=client,
            settings=settings,
            throttle=app_state(request).login_throttle,
        )
    except service.SignInRefused:
        uow.commit()  # the failure counts towards the lockout although the sign-in fails
        raise
    session_id, csrf = service.start_session(uow=uow, principal=principal, settings=settings)
    uow.commit()
    set_session_cookie(response, settings, session_id)
    return _session_read(principal, csrf)


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"], responses=ERROR_RESPONSES
)
def logout(uow: Committed, request: Request, who: Me) -> Response:
    """End the session (the cookie is cleared; API tokens are revoked, not signed out)."""
    found = session_of(request, uow)
    if found is not None:
        service.end_session(uow=uow, session_id=found[2], actor=who.username)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me", response_model=SessionRead, tags=["auth"], responses=ERROR_RESPONSES)
def me(uow: UoW, request: Request, who: Me) -> SessionRead:
    """Who is signed in (with the session's CSRF token)."""
    found = session_of(request, uow)
    return _session_read(who, found[1] if found else None)


# --------------------------------------------------------------------------- units


@router.get("/units", response_model=list[UnitRead], tags=["administration"])
def list_units(uow: UoW, who: Admin) -> list[UnitRead]:
    """The units of the service: head office, regional departments, posts and their offices."""
    return service.list_units(uow=uow)


@router.post(
    "/units",
    response_model=UnitRead,
    status_code=status.HTTP_201_CREATED,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def create_unit(unit_in: UnitCreate, uow: Committed, who: Admin) -> UnitRead:
    """Add a unit to the tree (journalled)."""
    return service.create_unit(uow=uow, unit_in=unit_in, actor=who.username)


# --------------------------------------------------------------------------- users


@router.get("/users", response_model=list[UserRead], tags=["administration"])
def list_users(uow: UoW, who: Admin) -> list[UserRead]:
    """Every user with unit, roles and state."""
    return service.list_users(uow=uow)


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def create_user(user_in: UserCreate, uow: Committed, who: Admin) -> UserRead:
    """Create a user in a unit with roles (journalled; the password is never journalled)."""
    return service.create_user(uow=uow, user_in=user_in, actor=who.username)


@router.patch(
    "/users/{username}", response_model=UserRead, tags=["administration"], responses=ERROR_RESPONSES
)
def update_user(
    username: Username, user_update: UserUpdate, uow: UoW, who: Admin, request: Request
) -> UserRead:
    """Change a user's name, unit, roles or active flag (journalled)."""
    user = service.update_user(
        uow=uow, username=username, user_update=user_update, actor=who.username
    )
    # Committed here, before the cache is emptied: a request between the two must not
    # cache the roles this change replaces.
    uow.commit()
    app_state(request).token_cache.forget_all()  # tokens' roles follow the user's
    return user


@router.post(
    "/users/{username}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def set_password(username: Username, password_in: PasswordIn, uow: Committed, who: Admin) -> None:
    """Set a user's password (journalled without the password)."""
    service.set_password(
        uow=uow, username=username, password=password_in.password, actor=who.username
    )


@router.post(
    "/users/{username}/unlock",
    response_model=UserRead,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def unlock(username: Username, uow: Committed, who: Admin) -> UserRead:
    """Lift a lockout after failed sign-ins (journalled)."""
    return service.unlock(uow=uow, username=username, actor=who.username)


# --------------------------------------------------------------------------- API tokens


@router.get("/tokens", response_model=list[TokenRead], tags=["administration"])
def list_tokens(uow: UoW, who: Admin) -> list[TokenRead]:
    """Every API token (never its secret)."""
    return service.list_tokens(uow=uow)


@router.post(
    "/users/{username}/tokens",
    response_model=TokenIssued,
    status_code=status.HTTP_201_CREATED,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def issue_token(
    username: Username, token_in: TokenIssue, uow: Committed, who: Admin, request: Request
) -> TokenIssued:
    """Issue an API token for a (system) user; the secret is in this response only."""
    token, secret = service.issue_token(
        uow=uow,
        username=username,
        token_in=token_in,
        actor=who.username,
        settings=_settings(request),
    )
    return TokenIssued(token=token, secret=secret)


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenRead,
    tags=["administration"],
    responses=ERROR_RESPONSES,
)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], uow: UoW, who: Admin, request: Request
) -> TokenRead:
    """Revoke a token: it stops working at once on this worker, within
    ``token_cache_seconds`` on the others (journalled)."""
    token = service.revoke_token(uow=uow, token_id=token_id, actor=who.username)
    uow.commit()  # before the cache is emptied, as in update_user
    app_state(request).token_cache.forget_all()
    return token
