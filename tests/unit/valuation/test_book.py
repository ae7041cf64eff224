"""The price book's lookup: unit before kg, HS 10 → 6 → 4, origin before "*"; the extras."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from corridor.declarations.facts import build_rows, quotient
from corridor.valuation.book import EMPTY_BOOK, PriceBook, PriceKey, ReferencePrice
from tests.unit.selectivity.selectivity_testing import HEADER

CAR = "8703231990"


def price(hs: str, origin: str, basis: str = "kg", unit: str = "", median: str = "100") -> Any:
    m = Decimal(median)
    return ReferencePrice(PriceKey(hs, origin, basis, unit), m, m / 2, m * 2)


def lookup(book: PriceBook, **item: Any) -> PriceKey | None:
    fields = {
        "hs_code": CAR,
        "origin": "CN",
        "unit": None,
        "supplementary_qty": None,
        "net_mass_kg": Decimal(1),
    }
    fields.update(item)
    found = book.lookup(**fields)
    return None if found is None else found.key


def test_hs_levels_fall_back_from_10_to_6_to_4_with_origin_before_all_origins() -> None:
    everything = [
        price(CAR, "CN"),
        price(CAR, "*"),
        price("870323", "CN"),
        price("870323", "*"),
        price("8703", "CN"),
        price("8703", "*"),
    ]
    chain = [p.key for p in everything]
    for position, expected in enumerate(chain):
        book = PriceBook(1, everything[position:])
        assert lookup(book) == expected
    assert lookup(PriceBook(1, [])) is None
    # Another origin finds only the all-origin prices.
    assert lookup(PriceBook(1, everything), origin="DE") == PriceKey(CAR, "*", "kg", "")
    assert lookup(PriceBook(1, everything[2:]), origin="DE") == PriceKey("870323", "*", "kg", "")
    # An 8-digit code starts at 6 digits; a 6-digit one finds its own 6-digit price.
    assert lookup(PriceBook(1, everything), hs_code="87032319") == PriceKey(
        "870323", "CN", "kg", ""
    )
    assert lookup(PriceBook(1, everything), hs_code="870323") == PriceKey("870323", "CN", "kg", "")
    assert lookup(PriceBook(1, everything), hs_code="870421") is None  # another heading


def test_unit_basis_wins_when_the_item_declares_its_unit_and_a_price_exists() -> None:
    book = PriceBook(
        1,
        [price(CAR, "CN"), price("8703", "*", "unit", "796"), price(CAR, "CN", "unit", "715")],
    )
    with_unit = {"unit": "796", "supplementary_qty": Decimal(2)}
    # A per-unit price at the coarsest level beats a per-kg price at the finest.
    assert lookup(book, **with_unit) == PriceKey("8703", "*", "unit", "796")
    # No price for the item's unit, or no quantity: per kg.
    assert lookup(book, unit="006", supplementary_qty=Decimal(2)) == PriceKey(CAR, "CN", "kg", "")
    assert lookup(book, unit="796", supplementary_qty=None) == PriceKey(CAR, "CN", "kg", "")
    assert lookup(book, unit="796", supplementary_qty=Decimal(0)) == PriceKey(CAR, "CN", "kg", "")
    # Per kg needs a net mass.
    assert lookup(book, net_mass_kg=None) is None
    assert lookup(book, net_mass_kg=Decimal(0)) is None
    assert lookup(book, net_mass_kg=None, **with_unit) == PriceKey("8703", "*", "unit", "796")


def car(item_no: int = 1, **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "item_no": item_no,
        "hs_code": CAR,
        "origin": "CN",
        "net_mass_kg": Decimal("1250.5"),
        "supplementary_qty": Decimal(2),
        "supplementary_unit": "796",
        "customs_value": Decimal(1_000_000),
    }
    item.update(changes)
    return item


def test_extras_give_the_median_and_the_exact_ratio_in_the_same_basis() -> None:
    book = PriceBook(
        7,
        [price(CAR, "CN", "unit", "796", median="750000"), price("8708", "*", median="120.5")],
    )
    extras = book.item_extras(
        [
            car(1),  # 500,000 per unit against 750,000
            car(2, hs_code="8708299009", supplementary_qty=None, net_mass_kg=Decimal(3)),
            car(3, customs_value=None),
            car(4, hs_code="9403", origin="IT"),
            car(5, hs_code="8708299009", net_mass_kg=None, supplementary_qty=None),
        ]
    )
    assert extras[1] == {"ref_price": Decimal(750000), "value_ratio": Decimal("0.666666667")}
    # 1,000,000 / (3 kg × 120.5) = 2766.25172…, rounded once, half to even at 9 places
    assert extras[2]["value_ratio"] == quotient(Decimal(1_000_000), Decimal("361.5"))
    assert extras[2]["value_ratio"] == Decimal("2766.251728907")
    assert extras[3] == {"ref_price": Decimal(750000), "value_ratio": None}
    assert set(extras) == {1, 2, 3}  # no price for item 4, no quantity for item 5
    assert EMPTY_BOOK.item_extras([car(1)]) == {}
    assert EMPTY_BOOK.version is None
    assert len(EMPTY_BOOK) == 0


def test_extras_become_facts_criteria_read() -> None:
    book = PriceBook(1, [price(CAR, "CN", "unit", "796", median="750000")])
    items = [car(1), car(2, hs_code="9403")]
    rows = build_rows(HEADER, items, item_extras=book.item_extras(items))
    assert (rows[0]["ref_price"], rows[0]["value_ratio"]) == (
        Decimal(750000),
        Decimal("0.666666667"),
    )
    assert (rows[1]["ref_price"], rows[1]["value_ratio"]) == (None, None)


@given(
    value=st.decimals(min_value=1, max_value=10**12, places=2),
    qty=st.decimals(min_value=Decimal("0.001"), max_value=10**6, places=3),
    median=st.decimals(min_value=Decimal("0.000001"), max_value=10**9, places=6),
)
def test_the_ratio_is_one_exact_division(value: Decimal, qty: Decimal, median: Decimal) -> None:
    book = PriceBook(
        1, [ReferencePrice(PriceKey(CAR, "CN", "unit", "796"), median, median, median)]
    )
    (ratio,) = (
        e["value_ratio"]
        for e in book.item_extras([car(1, customs_value=value, supplementary_qty=qty)]).values()
    )
    expected = Fraction(value) / (Fraction(qty) * Fraction(median))
    assert ratio is not None
    assert abs(Fraction(ratio) - expected) <= Fraction(1, 2 * 10**9)
