"""The FastAPI application: API routers, error mapping, database checks."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from corridor import __version__
from corridor.accounts.api import router as accounts_router
from corridor.accounts.service import LoginThrottle
from corridor.accounts.web import router as accounts_pages
from corridor.accounts.web_admin import router as administration_pages
from corridor.analytics.api import router as analytics_router
from corridor.analytics.web import router as analytics_pages
from corridor.config import Settings, get_settings
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import ensure_migrated
from corridor.db.uow import UnitOfWork
from corridor.declarations.api import router as declarations_router
from corridor.declarations.schemas import declared_attributes
from corridor.declarations.web import router as declarations_pages
from corridor.errors import (
    ConfigurationError,
    Conflict,
    CorridorError,
    DatabaseNotReady,
    DatabaseUnavailable,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from corridor.health import router as health_router
from corridor.inspections.api import router as inspections_router
from corridor.inspections.web import router as inspections_pages
from corridor.journal.api import router as journal_router
from corridor.journal.web import router as journal_pages
from corridor.postentry.api import router as postentry_router
from corridor.postentry.web import router as postentry_pages
from corridor.profiles.api import router as profiles_router
from corridor.profiles.web import router as profiles_pages
from corridor.profiles.web_reference import router as reference_pages
from corridor.scoring.api import router as scoring_router
from corridor.scoring.web import router as scoring_pages
from corridor.selectivity.api import router as selectivity_router
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.selectivity.web import router as selectivity_pages
from corridor.traders.api import router as traders_router
from corridor.traders.web import router as traders_pages
from corridor.valuation.api import router as valuation_router
from corridor.valuation.web import router as valuation_pages
from corridor.web import i18n
from corridor.web.i18n import gettext as _
from corridor.web.limits import BodyLimit, UrlGuard
from corridor.web.pages import STATIC_DIR, is_page_request, render, sign_in_url
from corridor.web.security import TokenCache
from corridor.web.state import AppState, install, state_of

_LOG = logging.getLogger("corridor")

_STATUS: dict[type[CorridorError], int] = {
    InvalidInput: 422,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    TooManyAttempts: 429,
    NotFound: 404,
    Conflict: 409,
    DatabaseNotReady: 503,
    ConfigurationError: 500,
}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the application.

    Refuses (raises) when the settings are unsafe for production or the database
    is unreachable or not migrated, so a broken deployment never starts serving.
    """
    settings = settings or get_settings()
    settings.check_production()
    # The declared attributes, from the settings once (a wrong declaration refuses the start
    # before the database is touched); the snapshot compiles criteria and builds fact rows
    # with them.
    attributes = declared_attributes(settings)
    engine = engine or make_engine(settings.database_url)
    ensure_migrated(engine)

    # Swagger UI at /docs from files in the package: border posts may have no internet.
    app = FastAPIOffline(
        title="corridor",
        version=__version__,
        summary="Customs risk management: selectivity, risk profiles, inspection feedback",
        docs_url="/docs",
        redoc_url=None,
        static_url="/static/docs",
        lifespan=_lifespan,
    )
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(UrlGuard)
    app.add_exception_handler(CorridorError, _corridor_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    install(
        app,
        AppState(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            profile_sets=ProfileSetHolder(attributes=attributes),
            selection_secret=settings.selection_secret.encode(),
            token_cache=TokenCache(settings.token_cache_seconds),
            login_throttle=LoginThrottle(),
        ),
    )
    app.include_router(health_router)
    # Decision routes first: /declarations/{number:path} would swallow ".../decision"
    # (and ".../alerts", a route of post-entry control).
    app.include_router(selectivity_router)
    app.include_router(postentry_router)
    app.include_router(declarations_router)
    app.include_router(profiles_router)
    app.include_router(accounts_router)
    app.include_router(journal_router)
    app.include_router(analytics_router)
    app.include_router(inspections_router)
    app.include_router(valuation_router)
    app.include_router(traders_router)
    app.include_router(scoring_router)
    # The web pages (server-rendered; their scripts and styles are files of the package).
    app.mount("/assets", StaticFiles(directory=STATIC_DIR), name="assets")
    for pages in (
        accounts_pages,
        analytics_pages,
        declarations_pages,
        selectivity_pages,
        inspections_pages,
        profiles_pages,
        reference_pages,
        valuation_pages,
        journal_pages,
        traders_pages,
        scoring_pages,
        postentry_pages,
        administration_pages,
    ):
        app.include_router(pages)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start-up of a worker: compile the profile set before the first declaration comes,
    then take the start-up objects out of the garbage collector's full passes.

    Without the first, a worker's first declarations wait for the compilation; without
    the second, each full collection walks every module, route and compiled profile
    (about 50 ms with the demo's profiles), stalling the requests in flight. The
    objects are only exempt from cycle detection: freed references still free them.
    """
    state = state_of(app)
    with UnitOfWork(state.session_factory) as uow:
        state.profile_sets.warm(uow)
    freeze = state.settings.gc_freeze
    if freeze:
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def _status_of(error: CorridorError) -> int:
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 500


_PAGE_TITLES = {
    401: i18n.N_("Sign in first"),
    403: i18n.N_("Not allowed"),
    404: i18n.N_("Not found"),
    409: i18n.N_("Conflict"),
    422: i18n.N_("Invalid input"),
    429: i18n.N_("Too many attempts"),
    500: i18n.N_("Server error"),
    503: i18n.N_("Service unavailable"),
}


def _error_page(request: Request, status: int, detail: str) -> Response:
    """An error on a web page: the sign-in page for a missing session, else an HTML page."""
    if status == 401:
        target = sign_in_url(request)
        if request.headers.get("HX-Request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    title = _(_PAGE_TITLES.get(status, _PAGE_TITLES[500]))
    return render(request, "error.html", status_code=status, title=title, detail=detail)


#: What a client is told while the database is out of reach (the cause goes to the log:
#: it names the database's address, which is no business of the client's).
_UNAVAILABLE = i18n.N_("The database cannot be reached just now; try again in a few seconds.")


async def _corridor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CorridorError)
    if isinstance(exc, DatabaseUnavailable):
        return _unavailable(request, exc)
    if is_page_request(request):
        return _error_page(request, _status_of(exc), i18n.localized(exc.detail))
    body: dict[str, Any] = {"type": exc.title, "detail": exc.detail, "errors": []}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidInput):
        body["errors"] = [error.as_dict() for error in exc.errors]
    elif isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="corridor"'
    elif isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(body, status_code=_status_of(exc), headers=headers)


def _unavailable(request: Request, exc: DatabaseUnavailable) -> Response:
    """503 with Retry-After while the database is out of reach: JSON for the API, the
    error page for a web page. The pool reconnects by itself for a later request."""
    _LOG.warning("%s %s: %s", request.method, request.url.path, exc.detail)
    headers = {"Retry-After": str(exc.retry_after)}
    if is_page_request(request):
        title = _(_PAGE_TITLES[503])
        return render(
            request,
            "error.html",
            status_code=503,
            headers=headers,
            title=title,
            detail=_(_UNAVAILABLE),
        )
    body = {"type": exc.title, "detail": str(_UNAVAILABLE), "errors": []}
    return JSONResponse(body, status_code=503, headers=headers)


async def _request_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error["loc"]), "msg": clean_message(str(error["msg"]))}
        for error in exc.errors()
    ]
    detail = f"{len(errors)} field(s) failed validation"
    if is_page_request(request):
        named = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
        return _error_page(request, 422, named or detail)
    return JSONResponse(
        {"type": InvalidInput.title, "detail": detail, "errors": errors}, status_code=422
    )


def clean_message(message: str) -> str:
    """Pydantic prefixes custom messages with "Value error, "; users need only the reason."""
    return message.removeprefix("Value error, ")
