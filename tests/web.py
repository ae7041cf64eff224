"""Browser sessions for tests of the web pages (through the TestClient, no browser).

``sign_in`` opens a session for a seeded user exactly as the sign-in page does
after a correct password (argon2 hashing is slow, so no password is checked)
and puts its cookie on the client; it returns the session's CSRF token.
``with_panels`` opens a composed page as a browser does: htmx loads each panel
and swaps it in for its placeholder.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.web.security import CSRF_HEADER, SESSION_COOKIE, session_signer
from corridor.web.state import state_of
from tests.staff import Staff


def sign_in(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff, who: Role | str
) -> str:
    """Sign ``who`` in on ``client`` (replacing any earlier session); the CSRF token."""
    name = who.value if isinstance(who, Role) else who
    with UnitOfWork(session_factory) as uow:
        principal = accounts_service.principal_from_token(uow=uow, secret=staff.tokens[name])
        assert principal is not None, name
        session_id, csrf = accounts_service.start_session(
            uow=uow, principal=principal, settings=Settings()
        )
        uow.commit()
    assert isinstance(client.app, Starlette)
    settings = state_of(client.app).settings
    client.cookies.set(SESSION_COOKIE, session_signer(settings).sign(session_id).decode())
    return csrf


def htmx_headers(csrf: str) -> dict[str, str]:
    """The headers htmx sends with a form of a signed-in page."""
    return {"HX-Request": "true", CSRF_HEADER: csrf}


#: A panel's placeholder on a composed page (``hx-trigger="load"``, swapped whole).
PANEL = re.compile(
    r'<div id="panel-[\w-]+" hx-get="([^"]+)" hx-trigger="load" hx-swap="outerHTML">.*?</div>',
    re.S,
)


@dataclass(frozen=True)
class Composed:
    """A page as the browser shows it once htmx has loaded its panels."""

    status_code: int
    text: str
    headers: Any


def with_panels(client: TestClient, url: str) -> Composed:
    """GET the page at ``url`` with its panels in place, as htmx leaves it after loading:
    each placeholder replaced by the fragment its ``hx-get`` answers (which must be 200)."""
    response = client.get(url)

    def panel(match: re.Match[str]) -> str:
        fragment = client.get(html.unescape(match.group(1)), headers={"HX-Request": "true"})
        assert fragment.status_code == 200, f"{match.group(1)}: {fragment.status_code}"
        return fragment.text

    return Composed(response.status_code, PANEL.sub(panel, response.text), response.headers)
