"""The routes' and pages' committing unit of work (``corridor.web.deps.Committed``,
``corridor.web.pages.writing``) through HTTP, on SQLite and PostgreSQL: a route or page
that returns is committed before its answer leaves, one that raises (or a page that
renders an error, a form shown again) is rolled back, and a commit that fails is the
answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Action, Role
from corridor.accounts.service import LoginThrottle
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import UnitRow
from corridor.errors import Conflict
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.web.deps import Committed
from corridor.web.pages import Page, redirect, render, writing
from corridor.web.security import TokenCache
from corridor.web.state import AppState, install
from tests.staff import seed_staff
from tests.web import htmx_headers, sign_in

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def unit(code: str) -> UnitRow:
    return UnitRow(code=code, name=code, kind="post", parent_id=None, offices=[], created_at=NOW)


def stored(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return sorted(session.scalars(select(UnitRow.code)))


def posts_app(factory: sessionmaker[Session]) -> FastAPI:
    """Routes that add a post through the committing unit of work, as an edge would."""
    app = FastAPI()
    state = AppState(
        settings=Settings(),
        engine=factory.kw["bind"],
        session_factory=factory,
        profile_sets=ProfileSetHolder(),
        selection_secret=b"",
        token_cache=TokenCache(0),
        login_throttle=LoginThrottle(),
    )
    install(app, state)

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)

    @app.post("/posts/{code}", status_code=status.HTTP_201_CREATED)
    def add(code: str, uow: Committed) -> dict[str, str]:
        # Left unflushed: a stored code is refused only by the commit.
        uow.session.add(unit(code))
        return {"code": code}

    @app.post("/posts/{code}/refused")
    def refuse(code: str, uow: Committed) -> dict[str, str]:
        uow.session.add(unit(code))
        uow.session.flush()
        raise Conflict(f"post {code} is refused")

    return app


def test_a_route_that_returns_is_committed_and_one_that_raises_is_not(
    session_factory: sessionmaker[Session],
) -> None:
    with TestClient(posts_app(session_factory)) as client:
        assert client.post("/posts/POST-OSH").status_code == 201
        refused = client.post("/posts/POST-DST/refused")
    assert refused.status_code == 409
    assert stored(session_factory) == ["POST-OSH"]


def test_a_commit_that_fails_is_the_answer_not_a_success(
    session_factory: sessionmaker[Session],
) -> None:
    # The commit runs before the response is sent: a client is never told "created"
    # about a write the database refused.
    with TestClient(posts_app(session_factory), raise_server_exceptions=False) as client:
        assert client.post("/posts/POST-OSH").status_code == 201
        again = client.post("/posts/POST-OSH")
    assert again.status_code == 500
    assert stored(session_factory) == ["POST-OSH"]


#: A page's form that writes (every role may act on itself).
Writer = Annotated[Page, writing(Action.SELF)]


def pages_app(engine: Engine, database_url: str) -> FastAPI:
    """The application with pages that add a post through writing(), as a form would."""
    app = create_app(Settings(database_url=database_url), engine=engine)

    @app.post("/test-posts/{code}")
    def add(me: Writer, code: str) -> Response:
        me.uow.session.add(unit(code))  # left unflushed: refused only by the commit
        return redirect(me.request, "/")

    @app.post("/test-posts/{code}/shown-again")
    def shown_again(me: Writer, code: str) -> Response:
        # A form refused: the page again with 422, the work done so far not kept.
        me.uow.session.add(unit(code))
        me.uow.session.flush()
        return render(me.request, "error.html", page=me, status_code=422, title="t", detail="d")

    @app.post("/test-posts/{code}/refused")
    def refused(me: Writer, code: str) -> Response:
        me.uow.session.add(unit(code))
        me.uow.session.flush()
        raise Conflict(f"post {code} is refused")

    return app


def test_a_page_that_succeeds_is_committed_and_one_that_fails_is_not(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    staff = seed_staff(session_factory)
    app = pages_app(engine, database_url)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        csrf = sign_in(client, session_factory, staff, Role.INSPECTOR)
        done = client.post("/test-posts/POST-OSH", headers=htmx_headers(csrf))
        shown = client.post("/test-posts/POST-DST/shown-again", headers=htmx_headers(csrf))
        refused = client.post("/test-posts/POST-KRB/refused", headers=htmx_headers(csrf))
        unsigned = client.post("/test-posts/POST-TLS", headers={"HX-Request": "true"})
        again = client.post("/test-posts/POST-OSH", headers=htmx_headers(csrf))
    assert (done.status_code, shown.status_code, refused.status_code) == (204, 422, 409)
    assert unsigned.status_code == 403  # no CSRF token: refused before the page runs
    # The same code again: the commit fails, and the failure is the answer.
    assert again.status_code == 500
    tried = {"POST-OSH", "POST-DST", "POST-KRB", "POST-TLS"}
    assert [code for code in stored(session_factory) if code in tried] == ["POST-OSH"]
