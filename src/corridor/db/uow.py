"""The unit of work: one transaction per use case, committed once by its owner.

Services and repositories never commit; the edge that runs a use case does
(``uow.commit()``, or :meth:`UnitOfWork.retrying` for a use case that inserts under a
unique key and may lose a race).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.config import wall_clock

Result = TypeVar("Result")


#: Where a unit of work leaves its moment on its session, for the repositories and
#: services that are handed the session alone (:func:`now_of`).
_NOW_KEY = "corridor.now"


def now_of(session: Session) -> datetime:
    """The moment of the unit of work that owns ``session`` (its :attr:`UnitOfWork.now`),
    for code handed a session rather than the unit of work (the journal, repositories).
    RuntimeError for a session no unit of work opened: such code never reads the clock."""
    moment = session.info.get(_NOW_KEY)
    if not isinstance(moment, datetime):
        raise RuntimeError("a session outside a unit of work has no moment")
    return moment


class UnitOfWork:
    """Owns a session for one use case.

    ``with UnitOfWork(factory) as uow: ...; uow.commit()``. Leaving the block
    without ``commit()`` (or through an exception) rolls everything back, so a
    failed use case never leaves a partial write. Repositories and services
    never commit.

    The unit of work also holds the use case's moment, :attr:`now`: the wall clock is
    read once, when the block is entered (or ``now`` is given, by a test or a batch),
    so that everything one use case stamps carries one instant. Services and
    repositories take the time from here, never from the clock.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], *, now: datetime | None = None
    ) -> None:
        if now is not None and now.utcoffset() is None:
            raise ValueError("a unit of work's now must be an aware time")
        self._factory = session_factory
        self._session: Session | None = None
        self._given_now = now
        self._now: datetime | None = None

    @property
    def now(self) -> datetime:
        """The use case's moment, in UTC; only inside the ``with`` block."""
        if self._now is None:
            raise RuntimeError("UnitOfWork used outside its with-block")
        return self._now

    @property
    def session(self) -> Session:
        """The open session; only inside the ``with`` block."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its with-block")
        return self._session

    def __enter__(self) -> Self:
        # The one read of the wall clock a use case makes (see the class's docstring).
        moment = self._given_now if self._given_now is not None else wall_clock()
        self._now = moment.astimezone(UTC)
        self._session = self._factory()
        self._session.info[_NOW_KEY] = self._now
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.info.pop(_NOW_KEY, None)
            session.close()
            self._session = None
            self._now = None

    def commit(self) -> None:
        """Commit the use case's work."""
        self.session.commit()

    def rollback(self) -> None:
        """Drop the use case's uncommitted work."""
        self.session.rollback()

    def retrying(
        self,
        use_case: Callable[[bool], Result],
        *,
        attempts: int,
        exhausted: Callable[[], Exception] | None = None,
    ) -> Result:
        """Run ``use_case(retry)`` and commit; its result.

        When a unique key refuses the use case's writes (an IntegrityError, raised by one
        of its statements or by the commit), the transaction is rolled back and the use
        case runs again in a fresh one with ``retry=True``, so that it looks at what the
        concurrent winner stored before writing. After ``attempts`` refusals, the error
        ``exhausted()`` gives is raised (the IntegrityError itself without it).
        """
        for attempt in range(attempts):
            try:
                result = use_case(attempt > 0)
                self.commit()
            except IntegrityError:
                self.rollback()
                if attempt + 1 < attempts:
                    continue
                if exhausted is None:
                    raise
                raise exhausted() from None
            return result
        raise ValueError(f"attempts must be at least 1, not {attempts}")
