"""The routes' committing unit of work (``corridor.web.deps.Committed``) through HTTP, on
SQLite and PostgreSQL: a route that returns is committed before its answer leaves, a
route that raises is rolled back, and a commit that fails is the answer."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.service import LoginThrottle
from corridor.config import Settings
from corridor.db.tables import UnitRow
from corridor.errors import Conflict
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.web.deps import Committed
from corridor.web.security import TokenCache
from corridor.web.state import AppState, install

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
