"""The reference prices of one price version, and the lookup with fallbacks (pure).

A worker holds one :class:`PriceBook` beside its profile set and asks it, for
each goods item of an import, which reference price applies:

1. the basis: per supplementary unit when the item declares a supplementary
   quantity and the book has a price for that unit (at any level below), else
   per kg when the item declares its net mass;
2. the HS code from the most precise level down: 10 digits, then 6, then 4
   (a level longer than the item's code is skipped);
3. at each level the item's origin first, then all origins (``"*"``).

The first price found is used. ``ref_price`` is its median and ``value_ratio``
the item's declared unit value in the same basis divided by it, as one exact
decimal division rounded half to even to 9 places (what
:func:`corridor.declarations.facts.quotient` does, and the criteria language):
``customs_value / (quantity × median)``. Both are missing when the item has no
price; the ratio is also missing when the customs value is, or a divisor is zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Final, NamedTuple

from corridor.declarations.facts import quotient

__all__ = [
    "ALL_ORIGINS",
    "EMPTY_BOOK",
    "LEVELS",
    "PriceBook",
    "PriceKey",
    "ReferencePrice",
    "value_ratio",
]

#: HS code lengths a reference price is kept at, most precise first.
LEVELS: Final = (10, 6, 4)
#: The origin of a price computed across every origin.
ALL_ORIGINS: Final = "*"
_EXACT: Final = Context(prec=100)  # quantity × median of two 24-digit numbers, never rounded


class PriceKey(NamedTuple):
    """What a reference price is kept for: HS prefix, origin (or "*"), basis and unit."""

    hs_code: str
    origin: str
    basis: str  # kg | unit
    unit: str  # the supplementary unit; "" per kg


@dataclass(frozen=True, slots=True)
class ReferencePrice:
    """One price of the book: the median unit value and its robust bounds."""

    key: PriceKey
    median: Decimal
    low: Decimal
    high: Decimal


class PriceBook:
    """The prices of one price version, by key; immutable once built."""

    __slots__ = ("_prices", "version")

    def __init__(self, version: int | None, prices: Iterable[ReferencePrice]) -> None:
        self.version = version
        self._prices: dict[PriceKey, ReferencePrice] = {price.key: price for price in prices}

    def __len__(self) -> int:
        return len(self._prices)

    def get(self, key: PriceKey) -> ReferencePrice | None:
        """The price kept for exactly this key, if any."""
        return self._prices.get(key)

    def lookup(
        self,
        *,
        hs_code: str,
        origin: str | None,
        unit: str | None,
        supplementary_qty: Decimal | None,
        net_mass_kg: Decimal | None,
    ) -> ReferencePrice | None:
        """The price that applies to a goods item (see the module docstring), or None."""
        if unit and _positive(supplementary_qty):
            found = self._first(hs_code, origin, "unit", unit)
            if found is not None:
                return found
        if _positive(net_mass_kg):
            return self._first(hs_code, origin, "kg", "")
        return None

    def _first(
        self, hs_code: str, origin: str | None, basis: str, unit: str
    ) -> ReferencePrice | None:
        origins = (origin, ALL_ORIGINS) if origin and origin != ALL_ORIGINS else (ALL_ORIGINS,)
        for digits in LEVELS:
            if len(hs_code) < digits:
                continue
            prefix = hs_code[:digits]
            for each in origins:
                found = self._prices.get(PriceKey(prefix, each, basis, unit))
                if found is not None:
                    return found
        return None

    def item_extras(
        self, items: Sequence[Mapping[str, Any]]
    ) -> dict[int, dict[str, Decimal | None]]:
        """``{item_no: {"ref_price": …, "value_ratio": …}}`` for the items the book prices
        (the ``item_extras`` of :func:`corridor.declarations.facts.build_rows`).

        ``items`` are goods items as the store returns them (``hs_code``, ``origin``,
        ``customs_value``, ``net_mass_kg``, ``supplementary_qty``,
        ``supplementary_unit`` as strings and Decimals).
        """
        extras: dict[int, dict[str, Decimal | None]] = {}
        if not self._prices:
            return extras
        for item in items:
            hs_code, item_no = item.get("hs_code"), item.get("item_no")
            if not isinstance(hs_code, str) or not isinstance(item_no, int):
                continue
            qty, mass = _decimal(item.get("supplementary_qty")), _decimal(item.get("net_mass_kg"))
            unit = item.get("supplementary_unit")
            price = self.lookup(
                hs_code=hs_code,
                origin=item.get("origin"),
                unit=unit if isinstance(unit, str) else None,
                supplementary_qty=qty,
                net_mass_kg=mass,
            )
            if price is None:
                continue
            quantity = qty if price.key.basis == "unit" else mass
            extras[item_no] = {
                "ref_price": price.median,
                "value_ratio": value_ratio(
                    _decimal(item.get("customs_value")), quantity, price.median
                ),
            }
        return extras


def value_ratio(
    customs_value: Decimal | None, quantity: Decimal | None, median: Decimal
) -> Decimal | None:
    """Declared unit value / reference unit value, i.e. ``customs_value / (quantity × median)``,
    exact and rounded once (None when a value is missing or a divisor is zero)."""
    if quantity is None:
        return None
    return quotient(customs_value, _EXACT.multiply(quantity, median))


def _positive(value: Decimal | None) -> bool:
    return value is not None and value > 0


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return None


#: The book of an installation that has no reference prices yet.
EMPTY_BOOK: Final = PriceBook(None, ())
