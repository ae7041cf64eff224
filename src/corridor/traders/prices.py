"""The importers' goods items priced against the reference prices, in SQL (a part of the
trader history's aggregation: :func:`corridor.traders.repository.aggregate`). Never commits.

The look-up is the price book's (:mod:`corridor.valuation.book`), written as joins: the
traders and valuation packages do not use each other, both read the tables.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Numeric, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased, join

from corridor.db.tables import DeclarationRow, GoodsItemRow, PriceRefreshRow, ReferencePriceRow

__all__ = ["priced_items"]

#: A value ratio rounded half to even to 9 places (as valuation computes it) is under
#: 0.5 exactly when the unrounded ratio is under this.
_UNDER_HALF = Decimal("0.4999999995")


def priced_items(session: Session, *, as_of: datetime) -> dict[str, tuple[int, int]]:
    """(goods items with a value ratio, of which under 0.5) per importer, in SQL.

    The items of the latest version of each import registered before ``as_of``; the
    reference prices of the newest price version computed before it, looked up as
    :meth:`corridor.valuation.book.PriceBook.lookup` does (per supplementary unit first,
    then per kg; HS code at 10, 6, 4 digits; the item's origin, then all origins): every
    candidate price is a left join by equality, the first found in that order is kept.
    An item has a value ratio when its customs value is declared and the divisor
    (quantity × median) is not zero; it is under 0.5 as ``value_ratio < 0.5`` reads it
    (exactly on PostgreSQL; in binary floating point on SQLite, which keeps decimals as
    text).
    Empty before the first price version.
    """
    version = session.scalar(
        select(func.max(PriceRefreshRow.price_version)).where(PriceRefreshRow.computed_at < as_of)
    )
    if version is None:
        return {}
    sqlite = session.get_bind().dialect.name == "sqlite"

    def number(column: Any) -> Any:  # SQLite keeps decimals as text
        return cast(column, Float) if sqlite else column

    d, item, later = DeclarationRow, GoodsItemRow, aliased(DeclarationRow)
    # The latest version registered before ``as_of``: an amendment replaces what it amends.
    latest = ~exists().where(
        later.number == d.number, later.version > d.version, later.registered_at < as_of
    )
    qty, mass = number(item.supplementary_qty), number(item.net_mass_kg)
    unit = func.coalesce(item.supplementary_unit, "")
    # One pass over the items: each candidate price of the look-up order is a left join
    # by equality (an index probe), the first found wins (coalesce in that order).
    medians: dict[str, list[Any]] = {"unit": [], "kg": []}
    source: Any = join(item, d, d.id == item.declaration_id)
    for basis, usable in (("unit", and_(unit != "", qty > 0)), ("kg", mass > 0)):
        for digits in (10, 6, 4):
            for origin in (item.origin, literal("*")):
                price = aliased(ReferencePriceRow)
                source = source.outerjoin(
                    price,
                    and_(
                        price.price_version == version,
                        price.hs_code == func.substr(item.hs_code, 1, digits),
                        price.origin == origin,
                        price.basis == basis,
                        price.unit == (unit if basis == "unit" else literal("")),
                        func.length(item.hs_code) >= digits,
                        usable,
                    ),
                )
                medians[basis].append(number(price.median))
    per_unit, per_kg = func.coalesce(*medians["unit"]), func.coalesce(*medians["kg"])
    divisor = case((per_unit.is_not(None), qty * per_unit), else_=mass * per_kg)
    value = number(item.customs_value)
    with_ratio = and_(value.is_not(None), divisor.is_not(None), divisor != 0)
    half = literal(float(_UNDER_HALF)) if sqlite else literal(_UNDER_HALF, Numeric(20, 10))
    under = and_(with_ratio, value < half * divisor)
    query = (
        select(
            d.importer,
            func.sum(case((with_ratio, 1), else_=0)),
            func.sum(case((under, 1), else_=0)),
        )
        .select_from(source)
        .where(d.flow == "IM", d.importer.is_not(None), d.registered_at < as_of, latest)
        .group_by(d.importer)
    )
    return {tin: (int(n), int(low)) for tin, n, low in session.execute(query)}
