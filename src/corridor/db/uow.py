"""The unit of work: one transaction per use case, committed once by its owner.

Services and repositories never commit; the edge that runs a use case does
(``uow.commit()``, or :meth:`UnitOfWork.retrying` for a use case that inserts under a
unique key and may lose a race).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

Result = TypeVar("Result")


class UnitOfWork:
    """Owns a session for one use case.

    ``with UnitOfWork(factory) as uow: ...; uow.commit()``. Leaving the block
    without ``commit()`` (or through an exception) rolls everything back, so a
    failed use case never leaves a partial write. Repositories and services
    never commit.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session; only inside the ``with`` block."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its with-block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._factory()
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
            session.close()
            self._session = None

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
