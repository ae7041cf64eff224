"""What the command-line edges of every package share: the journal's actor of a command,
the exit code of a refused import, options validated by the same Pydantic models as the
API, and one use case per database session.

A package's ``cli.py`` imports from here, never from another package's ``cli.py``."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from corridor.config import get_settings
from corridor.db.engine import open_database
from corridor.db.uow import UnitOfWork
from corridor.errors import FieldError, InvalidInput

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")

#: Exit code when rows of an imported file were rejected and ``--allow-partial`` was not given.
EXIT_REJECTED = 5


def cli_actor() -> str:
    """``cli:`` and the operating-system user running the command (the journal's actor)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        name = "unknown"
    return f"cli:{name}"[:60]


def validated(model: type[Model], data: dict[str, Any]) -> Model:
    """The model, or InvalidInput naming every offending option (never echoing values:
    one of them may be a password)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "invalid options",
            [
                FieldError(tuple(error["loc"]), str(error["msg"]).removeprefix("Value error, "))
                for error in exc.errors()
            ],
        ) from None


@contextmanager
def database() -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured (migrated) database; the engine is disposed at the end,
    so a command leaves no connection behind."""
    engine, factory = open_database(get_settings().database_url)
    try:
        yield factory
    finally:
        engine.dispose()


def run_use_case(use_case: Callable[[UnitOfWork], Result], *, commit: bool) -> Result:
    """Run one use case in its own transaction on the configured database."""
    with database() as factory, UnitOfWork(factory) as uow:
        result = use_case(uow)
        if commit:
            uow.commit()
        return result
