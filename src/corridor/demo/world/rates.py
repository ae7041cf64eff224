"""The exchange rates of the demo world: a seeded daily series of som per currency unit."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """The official rate of one currency on one day: som (KGS) per unit."""

    date: date
    currency: str
    kgs_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class CurrencyLevel:
    """Where a currency's rate hovers and how much it moves per working day."""

    code: str
    #: KGS per unit around which the demo rate moves (approximate NBKR levels, 2025)
    kgs: float
    #: standard deviation of the daily log change
    daily_sigma: float
    #: daily pull back towards the level (mean reversion) so the series stays realistic
    reversion: float


# Levels approximate NBKR official rates in 2025; the volatility is a demo choice. The
# dirham is pegged to the dollar (3.6725 AED per USD) and derived from it.
CURRENCIES: Final[tuple[CurrencyLevel, ...]] = (
    CurrencyLevel("USD", 87.4, 0.0015, 0.01),
    CurrencyLevel("EUR", 97.5, 0.003, 0.01),
    CurrencyLevel("CNY", 12.1, 0.003, 0.01),
    CurrencyLevel("RUB", 1.0, 0.007, 0.01),
    CurrencyLevel("KZT", 0.175, 0.003, 0.01),
    CurrencyLevel("TRY", 2.4, 0.006, 0.006),
    CurrencyLevel("UZS", 0.0068, 0.003, 0.01),
    CurrencyLevel("KRW", 0.062, 0.005, 0.01),
    CurrencyLevel("INR", 1.02, 0.003, 0.01),
)
AED_PER_USD: Final = 3.6725
RATE_CURRENCIES: Final[tuple[str, ...]] = (*(c.code for c in CURRENCIES), "AED")

#: The series starts here, so that a day's rate does not depend on the window asked for.
RATES_EPOCH: Final = date(2015, 1, 1)


def _rate_decimal(value: float) -> Decimal:
    # NBKR quotes 4 decimals; currencies worth less than a som get 6 to keep 4 digits.
    return Decimal(f"{value:.4f}") if value >= 1 else Decimal(f"{value:.6f}")


def exchange_rates(start: date, end: date, seed: int) -> list[ExchangeRate]:
    """A deterministic daily series of KGS per unit of each currency, ``start``..``end``.

    A mean-reverting random walk in log space around approximate real levels, seeded
    by ``seed`` and walked from ``RATES_EPOCH`` so that a day's rate is the same
    whatever window is asked for. The rate moves on working days only; Saturday and
    Sunday keep Friday's rate, as official rates do. Sorted by date, then currency.
    """
    if start < RATES_EPOCH:
        raise ValueError(f"exchange rates start on {RATES_EPOCH.isoformat()}, not {start}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = (end - RATES_EPOCH).days + 1
    first = (start - RATES_EPOCH).days
    series: dict[str, list[float]] = {}
    for currency in CURRENCIES:
        rng = random.Random(f"corridor-demo/{seed}/fx/{currency.code}")
        deviation = 0.0
        values: list[float] = []
        day = RATES_EPOCH
        for index in range(days):
            if index and day.weekday() < 5:
                deviation += -currency.reversion * deviation + rng.gauss(0.0, currency.daily_sigma)
            if index >= first:
                values.append(currency.kgs * math.exp(deviation))
            day += timedelta(days=1)
        series[currency.code] = values
    series["AED"] = [usd / AED_PER_USD for usd in series["USD"]]
    rates: list[ExchangeRate] = []
    for offset in range(days - first):
        day = start + timedelta(days=offset)
        for code in RATE_CURRENCIES:
            rates.append(ExchangeRate(day, code, _rate_decimal(series[code][offset])))
    return rates
