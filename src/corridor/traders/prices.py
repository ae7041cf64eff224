"""The importers' goods items priced against the reference prices, in SQL (a part of the
trader history's aggregation: :func:`corridor.traders.repository.aggregate`). Never commits.

The look-up is the price book's (:mod:`corridor.valuation.book`), written as joins: the
traders and valuation packages do not use each other, both read the tables.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Numeric, and_, case, cast, exists, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

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
    candidate price is joined by equality (hash joins), the first in that order kept per
    item. An item has a value ratio when its customs value is declared and the divisor
    (quantity × median) is not zero; it is under 0.5 as ``value_ratio < 0.5`` reads it.
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

    d, item, later, price = DeclarationRow, GoodsItemRow, aliased(DeclarationRow), ReferencePriceRow
    # The latest version registered before ``as_of``: an amendment replaces what it amends.
    latest = ~exists().where(
        later.number == d.number, later.version > d.version, later.registered_at < as_of
    )
    items = (
        select(
            item.declaration_id,
            item.item_no,
            d.importer.label("tin"),
            item.hs_code,
            item.origin,
            func.coalesce(item.supplementary_unit, "").label("unit"),
            number(item.customs_value).label("value"),
            number(item.supplementary_qty).label("qty"),
            number(item.net_mass_kg).label("mass"),
        )
        .join(d, d.id == item.declaration_id)
        .where(d.flow == "IM", d.importer.is_not(None), d.registered_at < as_of, latest)
        .cte("import_items")
    )
    i = items.c
    candidates = []
    for basis_rank, (basis, unit, quantity, usable) in enumerate(
        (
            ("unit", i.unit, i.qty, and_(i.unit != "", i.qty > 0)),
            ("kg", literal(""), i.mass, i.mass > 0),
        )
    ):
        for level_rank, digits in enumerate((10, 6, 4)):
            for origin_rank, origin in enumerate((i.origin, literal("*"))):
                rank = basis_rank * 100 + level_rank * 10 + origin_rank
                candidates.append(
                    select(
                        i.declaration_id,
                        i.item_no,
                        i.tin,
                        i.value,
                        quantity.label("quantity"),
                        number(price.median).label("median"),
                        literal(rank).label("rank"),
                    )
                    .join(
                        price,
                        and_(
                            price.price_version == version,
                            price.hs_code == func.substr(i.hs_code, 1, digits),
                            price.origin == origin,
                            price.basis == basis,
                            price.unit == unit,
                        ),
                    )
                    .where(func.length(i.hs_code) >= digits, usable)
                )
    found = union_all(*candidates).subquery("candidate_prices")
    f = found.c
    first = (
        select(
            f.tin,
            f.value,
            (f.quantity * f.median).label("divisor"),
            func.row_number()
            .over(partition_by=(f.declaration_id, f.item_no), order_by=f.rank)
            .label("nth"),
        )
    ).subquery("applied_prices")
    a = first.c
    with_ratio = and_(a.value.is_not(None), a.divisor != 0)
    half = literal(float(_UNDER_HALF)) if sqlite else literal(_UNDER_HALF, Numeric(20, 10))
    under = and_(with_ratio, a.value < half * a.divisor)
    query = (
        select(
            a.tin,
            func.sum(case((with_ratio, 1), else_=0)),
            func.sum(case((under, 1), else_=0)),
        )
        .where(a.nth == 1)
        .group_by(a.tin)
    )
    return {tin: (int(n), int(low)) for tin, n, low in session.execute(query)}
