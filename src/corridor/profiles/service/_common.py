"""What the profiles service's modules share: the actors, the states, the generation."""

from __future__ import annotations

from corridor.db.uow import UnitOfWork
from corridor.profiles import repository

SYSTEM = "system"
#: The journal's actor of automatic expiry (the profile's transitions keep SYSTEM).
EXPIRY_ACTOR = "system:expiry"
EDITABLE = ("draft", "submitted")
IN_FORCE = ("active", "suspended")


def selection_changed(*, uow: UnitOfWork) -> None:
    """Tell every worker to rebuild its snapshot: something selection reads (reference
    prices) changed in this transaction. Call it before journalling (lock order)."""
    repository.bump_generation(uow.session)
