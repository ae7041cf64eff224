"""What the subjects of the post-entry use cases share: the edges' today, the caller's scope
over offices, the journal. Not part of the package's face (:mod:`corridor.postentry.service`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from corridor.accounts import service as accounts_service
from corridor.config import wall_clock
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, NotFound
from corridor.journal import service as journal_service
from corridor.postentry.schemas import customs_day

#: The largest listing of plans, cases, alerts or requests.
MAX_LIST = 500


def today() -> date:
    """Today, as a customs day, from the wall clock: for the edges (and tests) that have no
    unit of work at hand. Use cases take the day of their unit of work,
    ``customs_day(uow.now)``, never this."""
    return customs_day(wall_clock())


# =========================================================================== scope


def unit_offices(
    *, uow: UnitOfWork, unit: str, scope: frozenset[str] | None
) -> frozenset[str] | None:
    """The offices of ``unit`` (None: every office) the caller may read: those within
    ``scope`` (None: all). Raises NotFound for an unknown unit, or one with no office
    within the caller's."""
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    if scope is None:
        return offices
    visible = scope if offices is None else offices & scope
    if not visible:
        raise NotFound(N_("unit %(unit)s has no office within yours", unit=unit))
    return frozenset(visible)


def within_scope(all_offices: bool, offices: Sequence[str], scope: frozenset[str] | None) -> bool:
    """Whether a plan or case of ``offices`` (``all_offices``: every one) is within
    ``scope`` (None: all)."""
    return scope is None or (not all_offices and set(offices) <= scope)


def stored_offices(offices: frozenset[str] | None) -> tuple[bool, list[str]]:
    """How a plan or case stores its offices: (every office, the sorted list)."""
    return (True, []) if offices is None else (False, sorted(offices))


def offices_of(all_offices: bool, offices: Sequence[str]) -> frozenset[str] | None:
    """The offices a plan or case stored (None: every office)."""
    return None if all_offices else frozenset(offices)


# =========================================================================== journal


def journal(
    uow: UnitOfWork,
    actor: str,
    action: str,
    object_type: str,
    object_id: int,
    before: Any,
    after: Any,
    at: datetime,
) -> None:
    """Record a change of a post-entry object in the journal, in the caller's transaction."""
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        at=at,
    )
