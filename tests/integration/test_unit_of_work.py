"""The unit of work's retrying run, on SQLite and PostgreSQL: a use case that loses a race
to a unique key runs again in a fresh transaction, told it is a retry; what it wrote in
the lost attempt is gone; the edge gets the answer, or the error it chose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import UnitRow
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict

NOW = datetime(2026, 10, 1, tzinfo=UTC)


def unit(code: str) -> UnitRow:
    return UnitRow(code=code, name=code, kind="post", parent_id=None, offices=[], created_at=NOW)


def stored(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return sorted(session.scalars(select(UnitRow.code)))


def test_a_use_case_refused_by_a_unique_key_runs_again_as_a_retry(
    session_factory: sessionmaker[Session],
) -> None:
    with UnitOfWork(session_factory) as uow:
        uow.session.add(unit("POST-OSH"))
        uow.commit()
    runs: list[bool] = []

    def create_or_find(uow: UnitOfWork, retry: bool) -> str:
        runs.append(retry)
        # Written in every attempt: it must not survive the attempt that failed.
        uow.session.add(unit(f"NOTE-{len(runs)}"))
        if not retry:
            # The optimistic path: insert without looking; the stored key refuses it.
            uow.session.add(unit("POST-OSH"))
            uow.session.flush()
            return "created"
        found = uow.session.scalar(select(func.count()).where(UnitRow.code == "POST-OSH"))
        return "already stored" if found else "created"

    with UnitOfWork(session_factory) as uow:
        answer = uow.retrying(lambda retry: create_or_find(uow, retry), attempts=3)
    assert answer == "already stored"
    assert runs == [False, True]
    # Committed by the helper: the second attempt's work, and nothing of the first.
    assert stored(session_factory) == ["NOTE-2", "POST-OSH"]


def test_a_use_case_that_always_loses_gets_the_edges_error_and_leaves_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    with UnitOfWork(session_factory) as uow:
        uow.session.add(unit("POST-OSH"))
        uow.commit()
    runs: list[bool] = []

    def always_collides(uow: UnitOfWork, retry: bool) -> None:
        runs.append(retry)
        uow.session.add(unit(f"NOTE-{len(runs)}"))
        uow.session.add(unit("POST-OSH"))
        uow.session.flush()

    with UnitOfWork(session_factory) as uow, pytest.raises(Conflict, match="concurrently"):
        uow.retrying(
            lambda retry: always_collides(uow, retry),
            attempts=3,
            exhausted=lambda: Conflict("stored concurrently; retry"),
        )
    assert runs == [False, True, True]
    with UnitOfWork(session_factory) as uow, pytest.raises(IntegrityError):
        uow.retrying(lambda retry: always_collides(uow, retry), attempts=1)
    assert stored(session_factory) == ["POST-OSH"]


def test_a_refusal_at_commit_is_retried_too(session_factory: sessionmaker[Session]) -> None:
    # Without a flush, the unique key speaks only when the helper commits.
    with UnitOfWork(session_factory) as uow:
        uow.session.add(unit("POST-OSH"))
        uow.commit()
    runs: list[bool] = []

    def unflushed(uow: UnitOfWork, retry: bool) -> int:
        runs.append(retry)
        uow.session.add(unit("POST-DST" if retry else "POST-OSH"))
        return len(runs)

    with UnitOfWork(session_factory) as uow:
        assert uow.retrying(lambda retry: unflushed(uow, retry), attempts=2) == 2
    assert runs == [False, True]
    assert stored(session_factory) == ["POST-DST", "POST-OSH"]
