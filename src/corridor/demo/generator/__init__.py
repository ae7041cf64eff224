"""The demo declaration generator: a seeded flow of declarations with planted fraud.

Three passes: draft every declaration as an honest one (who, where, when, what),
plant fraud into a chosen few (the truth is kept aside in a ``FraudLabel``), then
number, value and validate them in registration order.

One room a pass, over what they share: ``drafts`` (the first pass, with the
vehicles of ``vehicles``), ``fraud`` (the second), ``finish`` (the third), and
``shapes`` (the fraud patterns and rates, the generated world). Import from the
package: its ``__all__`` is the interface.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from corridor.demo.generator.drafts import _Builder
from corridor.demo.generator.finish import _finish
from corridor.demo.generator.fraud import _plant_fraud
from corridor.demo.generator.shapes import (
    BISHKEK,
    DISCREPANCY_TYPES,
    FRAUD_RATES,
    FREIGHT_UPLIFT,
    DemoDeclaration,
    DemoWorld,
    FraudLabel,
    FraudPattern,
)
from corridor.demo.generator.vehicles import container_check_digit
from corridor.demo.world import build_traders, exchange_rates

__all__ = [
    "BISHKEK",
    "DISCREPANCY_TYPES",
    "FRAUD_RATES",
    "FREIGHT_UPLIFT",
    "DemoDeclaration",
    "DemoWorld",
    "FraudLabel",
    "FraudPattern",
    "container_check_digit",
    "generate",
]


def generate(*, declarations: int, seed: int, end: date, days: int = 365) -> DemoWorld:
    """Generate ``declarations`` declarations registered over the ``days`` up to ``end``.

    The same arguments give the same world, byte for byte: randomness comes only from
    ``random.Random`` instances seeded from ``seed``, never from the clock. Every
    registration time lies between ``end - days + 1`` 00:00 and ``end`` 23:59:59,
    Bishkek time. Each declaration is validated by ``DeclarationCreate`` with ``now``
    set to the end of ``end``; to store it where the real clock validates it, ``end``
    must be a past day (today's declarations could lie later than now).
    """
    if isinstance(end, datetime):
        raise TypeError("end must be a date, not a datetime")
    if declarations < 0:
        raise ValueError(f"declarations must be >= 0, got {declarations}")
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    start = end - timedelta(days=days - 1)
    rates = tuple(exchange_rates(start, end, seed))
    book = build_traders(seed, end)
    builder = _Builder(seed=seed, start=start, days=days, book=book)
    drafts = [builder.draft(index) for index in range(declarations)]
    _plant_fraud(drafts, random.Random(f"corridor-demo/{seed}/fraud"))
    finished = _finish(drafts, rates, end)
    return DemoWorld(seed, start, end, finished, rates, book)
