"""The unit of work's retrying run, on SQLite and PostgreSQL: a use case that loses a race
to a unique key runs again in a fresh transaction, told it is a retry; what it wrote in
the lost attempt is gone; the edge gets the answer, or the error it chose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import SelectivityStateRow, UnitRow
from corridor.db.uow import UnitOfWork, now_of
from corridor.errors import Conflict
from corridor.journal import service as journal_service
from corridor.profiles import service as profiles_service
from tests.integration.profiles.test_profiles import ANALYST, APPROVER, profile

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


# --------------------------------------------------------------------------- one instant


def test_a_unit_of_work_holds_one_moment_given_or_read_once(
    session_factory: sessionmaker[Session],
) -> None:
    given = datetime(2026, 10, 1, 14, 0, tzinfo=timezone(timedelta(hours=6)))
    with UnitOfWork(session_factory, now=given) as uow:
        assert uow.now == given
        assert uow.now.tzinfo is UTC
        assert now_of(uow.session) == uow.now
    with UnitOfWork(session_factory) as uow:
        first = uow.now
        assert first.tzinfo is UTC
        assert uow.now is first
    with pytest.raises(RuntimeError, match="outside its with-block"):
        _ = uow.now
    with pytest.raises(ValueError, match="aware"):
        UnitOfWork(session_factory, now=datetime(2026, 10, 1))
    with session_factory() as session, pytest.raises(RuntimeError, match="outside a unit"):
        now_of(session)


def test_one_use_case_stamps_its_unit_of_works_moment_everywhere(
    session_factory: sessionmaker[Session],
) -> None:
    # A profile's activation stamps the version, the selectivity state (what workers poll)
    # and the journal: one instant in all three, the unit of work's.
    with UnitOfWork(session_factory) as uow:
        profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        )
        uow.commit()
    moments = {
        "submit": datetime(2026, 10, 1, 8, 0, 0, 123456, tzinfo=UTC),
        "approve": datetime(2026, 10, 1, 9, 0, 0, 234567, tzinfo=UTC),
        "activate": None,  # the wall clock, read once by the unit of work
    }
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        with UnitOfWork(session_factory, now=moments[action]) as uow:
            profiles_service.transition(
                uow=uow, code="NAT-2026-0001", version=1, action=action, actor=actor
            )
            moments[action] = uow.now
            uow.commit()
    with UnitOfWork(session_factory) as uow:
        read = profiles_service.get_profile(uow=uow, code="NAT-2026-0001", version=1)
        journalled = journal_service.entries(
            uow=uow, include_confidential=True, cursor=None, limit=50
        ).items
        state = uow.session.get(SelectivityStateRow, 1)
        assert state is not None
        changed_at = state.changed_at
    assert (read.submitted_at, read.approved_at, read.activated_at) == (
        moments["submit"],
        moments["approve"],
        moments["activate"],
    )
    assert [t.at for t in read.transitions][-3:] == list(moments.values())
    by_action = {entry.action: entry.at for entry in journalled}
    assert [by_action[f"profile.{action}"] for action in moments] == list(moments.values())
    assert changed_at == moments["activate"]
