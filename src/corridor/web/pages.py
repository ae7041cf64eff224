"""What every web page shares: the signed-in user, rendering, forms and navigation.

Pages are server-rendered Jinja2 templates; htmx sends forms and swaps the
fragments that come back. Each page route depends on :func:`page` (reading)
or :func:`change` (a form that changes something) with the one action of the
permission matrix it performs, exactly like the API's :func:`authorize`; the
route tests enumerate both. A form whose use case writes depends on
:func:`writing` instead: its unit of work is committed when the page answers
with success, before the answer leaves (never when it raises, nor when it renders
a 4xx, such as a form shown again with its errors).

* No session: a page answers 303 to ``/login?next=…`` (htmx: ``HX-Redirect``).
* A role without the action: the HTML error page with 403.
* Changes need the session's CSRF token: htmx sends it in ``X-CSRF-Token``
  (``hx-headers`` on ``<body>``); every form also carries it as the
  ``csrf_token`` field, so a plain post is accepted too.
* A form that fails validation is rendered again with 422 and each field's
  message beside the field (htmx is configured to swap 4xx answers).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request, params
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.errors import FieldError, Message, NotAuthenticated, PermissionDenied
from corridor.web import i18n
from corridor.web.deps import unit_of_work
from corridor.web.i18n import N_
from corridor.web.security import CSRF_FIELD, CSRF_HEADER, check_csrf, session_of
from corridor.web.state import app_state

__all__ = [
    "NAV",
    "FormErrors",
    "NavItem",
    "Page",
    "change",
    "environment",
    "is_page_request",
    "page",
    "redirect",
    "render",
    "writing",
]

STATIC_DIR = Path(__file__).parent / "static"
#: Content-Security-Policy of every page: nothing is loaded from, or sent to, another host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'"
)


@dataclass(frozen=True, slots=True)
class NavItem:
    """An entry of the main menu, shown to the roles allowed its action."""

    path: str
    label: str
    action: Action


NAV: tuple[NavItem, ...] = (
    NavItem("/dashboard", N_("Dashboard"), Action.ANALYTICS_READ),
    NavItem("/declarations", N_("Declarations"), Action.DECLARATIONS_READ),
    NavItem("/queue", N_("Inspection queue"), Action.INSPECTIONS_RECORD),
    NavItem("/profiles", N_("Risk profiles"), Action.PROFILES_READ),
    NavItem("/lists", N_("Lists"), Action.LISTS_READ),
    NavItem("/measures", N_("Measures"), Action.REFERENCE_READ),
    NavItem("/parameters", N_("Office parameters"), Action.PARAMETERS_READ),
    NavItem("/prices", N_("Reference prices"), Action.PRICES_READ),
    NavItem("/traders", N_("Traders"), Action.TRADERS_READ),
    NavItem("/models", N_("Models"), Action.MODELS_READ),
    NavItem("/post-entry", N_("Post-entry control"), Action.POSTENTRY_READ),
    NavItem("/inbox", N_("Inbox"), Action.INBOX_READ),
    NavItem("/journal", N_("Journal"), Action.JOURNAL_READ),
    NavItem("/admin/users", N_("Administration"), Action.ACCOUNTS_MANAGE),
)


@dataclass(slots=True)
class _Answer:
    """What a page has answered so far: whether it rendered an error (a 4xx or 5xx)."""

    failed: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """One page request: who asks, their CSRF token, and the unit of work."""

    request: Request
    principal: Principal
    csrf: str
    uow: UnitOfWork
    answer: _Answer = field(default_factory=_Answer, compare=False, repr=False)

    def can(self, action: Action) -> bool:
        """Whether the signed-in user may do ``action`` (templates show buttons by it)."""
        return self.principal.can(action)


#: Pydantic's usual complaints, in words for the person filling in the form (translated
#: when shown); the context values (``le``, ``max_length`` …) fill the placeholders.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "less_than": N_("Must be less than %(lt)s."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "greater_than": N_("Must be more than %(gt)s."),
    "decimal_parsing": N_("Enter a number."),
    "float_parsing": N_("Enter a number."),
    "int_parsing": N_("Enter a whole number."),
    "decimal_max_places": N_("Too many decimal places (at most %(decimal_places)s)."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "string_too_short": N_("At least %(min_length)s characters."),
    "string_pattern_mismatch": N_("Not in the expected format."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": N_("Enter a date and time."),
    "enum": N_("Choose one of the offered values."),
    "literal_error": N_("Choose one of the offered values."),
    "too_long": N_("Too many values (at most %(max_length)s)."),
    "too_short": N_("Too few values (at least %(min_length)s)."),
}


class FormErrors(dict[str, str]):
    """Messages by form field name, from an :class:`~corridor.errors.InvalidInput` or a
    pydantic ``ValidationError``, in the page's language: a domain message
    (:func:`corridor.errors.N_`) is translated as it is put in."""

    def __init__(self, messages: Mapping[str, str] | None = None, /, **named: str) -> None:
        super().__init__(
            {name: i18n.localized(text) for name, text in {**(messages or {}), **named}.items()}
        )

    @classmethod
    def of(cls, errors: Iterable[FieldError], *, prefix: int = 0) -> FormErrors:
        """Field name = the error's location after ``prefix`` items, joined by dots."""
        found = cls()
        for error in errors:
            name = ".".join(str(part) for part in error.loc[prefix:]) or "__all__"
            found.setdefault(name, i18n.localized(error.msg))
        return found

    @classmethod
    def of_validation(cls, error: ValidationError, *, prefix: int = 0) -> FormErrors:
        """The messages of a failed model validation, in the user's language where
        pydantic's wording is generic (the rules' own messages are kept as written)."""
        return cls.of(
            (FieldError(tuple(item["loc"]), _pydantic_message(item)) for item in error.errors()),
            prefix=prefix,
        )


def rule_message(item: ErrorDetails) -> str:
    """A pydantic error in the words of the rule that raised it, without pydantic's
    "Value error, " prefix; a domain message (:func:`corridor.errors.N_`) stays one,
    so that :class:`FormErrors` shows it in the page's language."""
    cause = (item.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Message):
        return cause.args[0]
    return str(item["msg"]).removeprefix("Value error, ")


def _pydantic_message(item: ErrorDetails) -> str:
    template = _PYDANTIC_MESSAGES.get(item["type"])
    if template is None:
        return rule_message(item)
    context = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
    try:
        return i18n.gettext(template) % context
    except (KeyError, ValueError):
        return str(item["msg"])


def is_page_request(request: Request) -> bool:
    """Whether the request is for a web page (HTML errors) rather than the API (JSON)."""
    path = request.url.path
    return not (path.startswith(("/api/", "/docs")) or path == "/openapi.json")


def _zone(request: Request) -> ZoneInfo:
    settings = app_state(request).settings
    return ZoneInfo(settings.timezone)


@dataclass(frozen=True, slots=True)
class _Session:
    """What the database says of the request's session cookie (None: no valid session)."""

    uow: UnitOfWork
    found: tuple[Principal, str] | None


def _read_session(request: Request, uow: Annotated[UnitOfWork, Depends(unit_of_work)]) -> _Session:
    # Sync (the database is): FastAPI runs it in a worker thread.
    found = session_of(request, uow)
    return _Session(uow=uow, found=None if found is None else (found[0], found[1]))


def _signed_in(request: Request, session: _Session, action: Action) -> tuple[Principal, str]:
    """The principal allowed ``action``, with the request's language set.

    Called from an async dependency on purpose: a context variable set in a sync
    dependency stays in its worker thread, while one set here is seen by the
    route, the templates and the error pages of the request.
    """
    if session.found is None:
        i18n.use_language(visitor_language(request), _zone(request))
        raise NotAuthenticated("sign in first")
    principal, csrf = session.found
    i18n.use_language(principal.language, _zone(request))
    request.state.principal = principal
    request.state.csrf = csrf
    if not principal.can(action):
        roles = ", ".join(sorted(principal.roles)) or "no role"
        raise PermissionDenied(f"{roles} may not do {action.value}")
    return principal, csrf


def page(action: Action) -> Callable[..., Awaitable[Page]]:
    """A dependency for a page that reads: the signed-in user, allowed ``action``."""

    async def dependency(
        request: Request, session: Annotated[_Session, Depends(_read_session)]
    ) -> Page:
        principal, csrf = _signed_in(request, session, action)
        return Page(request=request, principal=principal, csrf=csrf, uow=session.uow)

    dependency.action = action  # type: ignore[attr-defined]  # read by the route tests
    dependency.__name__ = f"page_{action.name.lower()}"
    return dependency


def change(action: Action) -> Callable[..., Awaitable[Page]]:
    """A dependency for a form that changes something: as :func:`page`, plus the CSRF
    token from the ``X-CSRF-Token`` header or the ``csrf_token`` form field."""

    async def dependency(
        request: Request,
        session: Annotated[_Session, Depends(_read_session)],
        csrf_token: Annotated[str | None, Form(alias=CSRF_FIELD)] = None,
    ) -> Page:
        principal, csrf = _signed_in(request, session, action)
        check_csrf(csrf, request.headers.get(CSRF_HEADER) or csrf_token)
        return Page(request=request, principal=principal, csrf=csrf, uow=session.uow)

    dependency.action = action  # type: ignore[attr-defined]  # read by the route tests
    dependency.__name__ = f"change_{action.name.lower()}"
    return dependency


def _page_of(dependency: Callable[..., Awaitable[Page]]) -> object:
    return Annotated[Page, Depends(dependency)]


def writing(action: Action) -> params.Depends:
    """The dependency of a form whose use case writes, as ``Annotated[Page, writing(…)]``:
    as :func:`change`, and its unit of work is committed when the page returns a success
    (a redirect, a 2xx page), before the answer is sent, so that a failed commit is the
    answer. A page that raises, or renders an error (a form again with 422 or 409), is
    rolled back: a refused form never writes."""
    checked = change(action)

    def committing(me: Page) -> Iterator[Page]:
        yield me
        if not me.answer.failed:
            me.uow.commit()

    # The annotation names a local (``checked``): given as an object, not as text.
    committing.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "me", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=_page_of(checked)
            )
        ]
    )
    committing.__name__ = f"writing_{action.name.lower()}"
    return params.Depends(committing, scope="function")


LANGUAGE_COOKIE = "corridor_language"


def visitor_language(request: Request) -> str:
    """The language of someone not signed in: their choice (cookie), else the browser's."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.best_language(request.headers.get("accept-language"))


def _query(values: Mapping[str, object], **changes: object) -> str:
    """The current filters with some changed (``None`` drops one), as a query string."""
    merged = {**values, **changes}
    pairs = [
        f"{quote(str(key))}={quote(str(value))}"
        for key, value in merged.items()
        if value not in (None, "")
    ]
    return "?" + "&".join(pairs) if pairs else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescaping, gettext, locale filters."""
    env = Environment(
        loader=PackageLoader("corridor.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters.update(
        number=i18n.format_number,
        money=i18n.format_money,
        percent=i18n.format_percent,
        reason=i18n.reason,
        date=i18n.format_date,
        datetime=i18n.format_datetime,
    )
    env.globals.update(
        NAV=NAV,
        Action=Action,
        LANGUAGES=i18n.LANGUAGES,
        language=i18n.language,
        query=_query,
        CSRF_FIELD=CSRF_FIELD,
    )
    return env


def render(
    request: Request,
    template: str,
    *,
    page: Page | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render ``template`` for the request (with the signed-in user's page, if any).
    An error status marks the page failed: :func:`writing` does not commit it."""
    if page is not None and status_code >= 400:
        page.answer.failed = True
    context: dict[str, Any] = {
        "request": request,
        "page": page,
        "principal": page.principal if page else None,
        "csrf": page.csrf if page else "",
        "path": request.url.path,
        "htmx": request.headers.get("HX-Request") == "true",
        **values,
    }
    html = environment().get_template(template).render(context)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(request: Request, url: str) -> Response:
    """Go to ``url`` after a form: htmx follows ``HX-Redirect``, a plain post a 303."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back to the page asked for."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def options(values: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select whose labels are the values."""
    return [(value, value) for value in values]


def translated(errors: FormErrors) -> FormErrors:
    """The messages in the page's language where the catalogue knows them."""
    return FormErrors({name: i18n.gettext(message) for name, message in errors.items()})


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"


def render_panel(
    me: Page,
    template: str,
    *,
    heading: str,
    back: str,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A panel of a composed page, served by the package that owns what it shows.

    htmx (the page loading its panels) gets the fragment alone; a browser without
    JavaScript, following the page's link to the panel, gets it as a page of its own
    under ``heading`` with a link ``back`` to the composed page."""
    if is_htmx(me.request):
        return render(me.request, template, page=me, status_code=status_code, **values)
    return render(
        me.request,
        "panel.html",
        page=me,
        status_code=status_code,
        panel=template,
        heading=heading,
        back=back,
        **values,
    )
