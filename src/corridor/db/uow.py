"""The unit of work: one transaction per use case, committed once by its owner."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker


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
