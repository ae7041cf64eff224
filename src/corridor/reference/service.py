"""Reference data use cases: exchange rates (KGS per unit of a foreign currency)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from corridor.db.uow import UnitOfWork
from corridor.reference import repository


def store_rates(*, uow: UnitOfWork, rates: Sequence[tuple[date, str, Decimal]], source: str) -> int:
    """Store daily rates not stored yet (a stored rate is never overwritten); return how many."""
    if not rates:
        return 0
    days = [day for day, _, _ in rates]
    stored = repository.stored_rate_keys(uow.session, min(days), max(days))
    new = [
        (day, currency, rate, source)
        for day, currency, rate in rates
        if (day, currency) not in stored
    ]
    repository.add_rates(uow.session, new)
    return len(new)
