"""Browser sessions for tests of the web pages (through the TestClient, no browser).

``sign_in`` opens a session for a seeded user exactly as the sign-in page does
after a correct password (argon2 hashing is slow, so no password is checked)
and puts its cookie on the client; it returns the session's CSRF token.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.web.security import CSRF_HEADER, SESSION_COOKIE, session_signer
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
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    client.cookies.set(SESSION_COOKIE, session_signer(settings).sign(session_id).decode())
    return csrf


def htmx_headers(csrf: str) -> dict[str, str]:
    """The headers htmx sends with a form of a signed-in page."""
    return {"HX-Request": "true", CSRF_HEADER: csrf}
