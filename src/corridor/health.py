"""``GET /api/v1/health``: is the service usable, and is its database migrated?"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from corridor import __version__
from corridor.db.migrate import current_revision, head_revision
from corridor.errors import DatabaseUnavailable
from corridor.web.state import Services

router = APIRouter(prefix="/api/v1", tags=["health"])
_log = logging.getLogger(__name__)


class DatabaseHealth(BaseModel):
    """Database reachability and migration state."""

    reachable: bool
    dialect: str
    revision: str | None
    head: str
    migrated: bool
    error: str | None = None  # why it is unreachable (the driver's words are logged)


class Health(BaseModel):
    """Overall state: ``ok`` only when the database is reachable and at head."""

    status: str
    version: str
    demo: bool = False  # a demo installation (demo accounts, generated world)
    database: DatabaseHealth
    # Risk-scoring model versions that failed to load or to score in this worker since it
    # started (each logged with the version and the exception; see selectivity.snapshot).
    model_failures: int = 0


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(services: Services) -> JSONResponse:
    """200 when the database is reachable and migrated to head, 503 otherwise (with
    ``Retry-After`` when it is unreachable, and why in ``database.error``; the driver's
    reason, which names the database's address, only in the service log)."""
    engine = services.engine
    head = head_revision()
    headers: dict[str, str] = {}
    try:
        revision = current_revision(engine)
        database = DatabaseHealth(
            reachable=True,
            dialect=engine.dialect.name,
            revision=revision,
            head=head,
            migrated=revision == head,
        )
    except (DatabaseUnavailable, SQLAlchemyError) as exc:
        if isinstance(exc, DatabaseUnavailable):
            # Health answers anyone: the driver's reason (it names hosts, ports and
            # databases) goes to the service log, not into the body.
            _log.warning("health: cannot reach the database: %s", exc.reason)
            error = "cannot reach the database (the service log has the driver's reason)"
            headers["Retry-After"] = str(exc.retry_after)
        else:
            error = type(exc).__name__
        database = DatabaseHealth(
            reachable=False,
            dialect=engine.dialect.name,
            revision=None,
            head=head,
            migrated=False,
            error=error,
        )
    ok = database.reachable and database.migrated
    body = Health(
        status="ok" if ok else "unavailable",
        version=__version__,
        database=database,
        demo=services.settings.demo,
        model_failures=services.profile_sets.model_failures,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503, headers=headers)
