"""Web pages: sign-in and sign-out, the language switch, the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from corridor.accounts import service
from corridor.accounts.roles import Action
from corridor.db.uow import UnitOfWork
from corridor.errors import TooManyAttempts
from corridor.web import i18n
from corridor.web.deps import Committed, unit_of_work
from corridor.web.i18n import gettext as _
from corridor.web.pages import (
    LANGUAGE_COOKIE,
    NAV,
    Page,
    page,
    redirect,
    render,
    safe_next,
    visitor_language,
    writing,
)
from corridor.web.security import (
    CSRF_HEADER,
    SESSION_COOKIE,
    check_csrf,
    session_of,
    set_session_cookie,
)
from corridor.web.state import app_state

router = APIRouter(include_in_schema=False)
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Self = Annotated[Page, Depends(page(Action.SELF))]
SelfWrite = Annotated[Page, writing(Action.SELF)]


@router.get("/", response_class=HTMLResponse)
def home(me: Self) -> Response:
    """The first page of the menu the user may open (the dashboard for most; every role
    may read the code lists, so there is always one)."""
    first = next(item for item in NAV if me.can(item.action))
    return RedirectResponse(first.path, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    uow: UoW,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    """The sign-in form (a signed-in user goes straight on)."""
    if session_of(request, uow) is not None:
        return RedirectResponse(safe_next(next_), status_code=303)
    i18n.use_language(visitor_language(request))
    return render(request, "accounts/login.html", next=safe_next(next_), error=None, username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: UoW,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_: Annotated[str | None, Form(alias="next", max_length=2000)] = None,
) -> Response:
    """Check the credentials, open a session and go on to the page asked for."""
    settings = app_state(request).settings
    i18n.use_language(visitor_language(request))
    target = safe_next(next_)
    client = request.client.host if request.client else "unknown"
    try:
        principal = service.authenticate(
            uow=uow,
            username=username.strip(),
            password=password,
            client=client,
            settings=settings,
            throttle=app_state(request).login_throttle,
        )
    except service.SignInRefused:
        uow.commit()  # the failure counts towards the lockout although the sign-in fails
        error = _("Wrong username or password, or the account is locked.")
        return _login_again(request, target, username, error, 401)
    except TooManyAttempts as exc:
        error = _("Too many failed sign-ins from this computer. Try again in %(s)s s.") % {
            "s": exc.retry_after
        }
        return _login_again(request, target, username, error, 429)
    session_id, _csrf = service.start_session(uow=uow, principal=principal, settings=settings)
    uow.commit()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, settings, session_id)
    return response


def _login_again(request: Request, target: str, username: str, error: str, status: int) -> Response:
    return render(
        request,
        "accounts/login.html",
        status_code=status,
        next=target,
        error=error,
        username=username[:200],
    )


@router.post("/logout")
def logout(me: SelfWrite) -> Response:
    """End the session and go back to the sign-in page."""
    found = session_of(me.request, me.uow)
    if found is not None:
        service.end_session(uow=me.uow, session_id=found[2], actor=me.principal.username)
    response = redirect(me.request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    uow: Committed,
    language: Annotated[str, Form(max_length=8)],
    next_: Annotated[str | None, Form(alias="next", max_length=2000)] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Switch the language: kept with the user's account, or in a cookie before sign-in."""
    chosen = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    found = session_of(request, uow)
    if found is not None:
        principal, csrf, _session = found
        check_csrf(csrf, request.headers.get(CSRF_HEADER) or csrf_token)
        service.set_language(uow=uow, username=principal.username, language=chosen)
    response = redirect(request, safe_next(next_))
    response.set_cookie(
        LANGUAGE_COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="strict", path="/"
    )
    return response
