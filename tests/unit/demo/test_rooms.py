"""The demo world and generator are kept in rooms behind one face each, and the world
they make is the one they made before they were split: byte for byte."""

from __future__ import annotations

import hashlib
import inspect
from datetime import date
from types import ModuleType

import pytest

from corridor.demo import generator, world
from corridor.demo.generator import DemoWorld, generate

#: What the world offers (its face): the reference tables, the traders, the rates.
WORLD = {
    "AED_PER_USD", "BRANDS", "BROKER_COUNT", "BROKER_HONESTY", "CONTRABAND", "CURRENCIES",
    "DOCUMENT_KINDS", "EXPORTER_COUNT", "EXPORTER_HONESTY", "FOREIGN_PER_COUNTRY", "GOODS",
    "GOODS_BY_CODE", "IMPORTER_COUNT", "IMPORTER_HONESTY", "IMPORTER_LINES", "ITEM_COUNTS",
    "LITRES", "OFFICES", "OFFICES_BY_CODE", "PAIRS", "PARTNERS", "PARTNERS_BY_COUNTRY",
    "PIECES", "PREFERENCES", "PUBLIC_HOLIDAYS", "RATES_EPOCH", "RATE_CURRENCIES",
    "SQUARE_METRES", "THOUSAND_PIECES", "UNIT_NAMES", "ConcealedGoods", "Contraband",
    "CurrencyLevel", "ExchangeRate", "Goods", "GoodsLine", "Honesty", "Office", "Origin",
    "Partner", "Trader", "TraderBook", "TraderRole", "build_traders", "exchange_rates",
    "foreign_countries", "pick",
}  # fmt: skip
#: What the generator offers: the generated world, its fraud patterns and their rates.
GENERATOR = {
    "BISHKEK", "DISCREPANCY_TYPES", "FRAUD_RATES", "FREIGHT_UPLIFT", "DemoDeclaration",
    "DemoWorld", "FraudLabel", "FraudPattern", "container_check_digit", "generate",
}  # fmt: skip


@pytest.mark.parametrize(
    ("face", "names", "rooms"),
    [
        (world, WORLD, {"goods", "places", "traders", "rates"}),
        (generator, GENERATOR, {"shapes", "vehicles", "drafts", "fraud", "finish", ""}),
    ],
    ids=["world", "generator"],
)
def test_each_face_offers_its_names_from_its_rooms(
    face: ModuleType, names: set[str], rooms: set[str]
) -> None:
    assert set(getattr(face, "__all__", ())) == names
    found = set()
    for name in names:
        value = getattr(face, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__doc__, name
            found.add(value.__module__.removeprefix(face.__name__).lstrip("."))
    assert found <= rooms


def fingerprint(made: DemoWorld) -> str:
    """Every declaration (JSON), planted fraud, rate and trader of a world, hashed."""
    digest = hashlib.sha256()
    for demo in made.declarations:
        digest.update(demo.declaration.model_dump_json().encode())
        digest.update(repr(demo.fraud).encode())
    for rate in made.rates:
        digest.update(repr(rate).encode())
    digest.update(repr(made.traders).encode())
    return digest.hexdigest()


# Taken from the generator as it was in one module, before it was split into rooms. A
# deliberate change of the world changes these; a refactoring never does.
@pytest.mark.parametrize(
    ("seed", "declarations", "end", "days", "expected"),
    [
        (1, 2000, date(2025, 12, 31), 365,
         "e3a228435c5545640067f0f1f968c4c12612e14d9a7d494e857faaeae47443c6"),
        (7, 1000, date(2024, 6, 30), 60,
         "9d4032c50460d2147a4effd249dd0012648f871af600d89414f0d597e5c17dc0"),
    ],
)  # fmt: skip
def test_the_world_is_the_one_made_before_the_split(
    seed: int, declarations: int, end: date, days: int, expected: str
) -> None:
    made = generate(declarations=declarations, seed=seed, end=end, days=days)
    assert fingerprint(made) == expected
