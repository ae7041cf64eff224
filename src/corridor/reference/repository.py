"""Queries over reference data. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.db.tables import ExchangeRateRow


def stored_rate_keys(session: Session, start: date, end: date) -> set[tuple[date, str]]:
    """(day, currency) pairs already stored between two days, inclusive."""
    rows = session.execute(
        select(ExchangeRateRow.day, ExchangeRateRow.currency).where(
            ExchangeRateRow.day.between(start, end)
        )
    )
    return {(day, currency) for day, currency in rows}


def add_rates(session: Session, rates: Sequence[tuple[date, str, Decimal, str]]) -> None:
    """Add (day, currency, KGS per unit, source) rows."""
    session.add_all(
        ExchangeRateRow(day=day, currency=currency, kgs_per_unit=rate, source=source)
        for day, currency, rate, source in rates
    )
