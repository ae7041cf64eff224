"""Queries over reference prices, price versions, overrides and priced history. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Float, and_, cast, func, insert, literal, not_, select
from sqlalchemy.orm import Session, aliased

from corridor.db.tables import (
    DeclarationRow,
    GoodsItemRow,
    InspectionActRow,
    PriceOverrideRow,
    PriceRefreshRow,
    ReferencePriceRow,
)
from corridor.valuation.book import PriceKey
from corridor.valuation.prices import ITEM_SCHEMA

# ----------------------------------------------------------------- versions


def latest_version(session: Session) -> int | None:
    """The newest price version (the one in force), or None before the first."""
    value = session.scalar(select(func.max(PriceRefreshRow.price_version)))
    return None if value is None else int(value)


def version(session: Session, price_version: int) -> PriceRefreshRow | None:
    """One price version's record."""
    return session.get(PriceRefreshRow, price_version)


def versions(session: Session, limit: int) -> list[PriceRefreshRow]:
    """The newest price versions, newest first."""
    return list(
        session.scalars(
            select(PriceRefreshRow).order_by(PriceRefreshRow.price_version.desc()).limit(limit)
        )
    )


def add(session: Session, row: object) -> None:
    """Stage a new row and write it now (a duplicate key raises here, not at commit)."""
    session.add(row)
    session.flush()


# ----------------------------------------------------------------- prices


def add_prices(session: Session, price_version: int, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the prices of a version (one statement, many rows)."""
    if rows:
        session.execute(
            insert(ReferencePriceRow), [{**row, "price_version": price_version} for row in rows]
        )


def copy_prices(session: Session, source: int, target: int, *, leave_out: PriceKey) -> None:
    """Copy every price of version ``source`` into version ``target`` in the database,
    except the one of ``leave_out``."""
    columns: tuple[str, ...] = ("hs_code", "origin", "basis", "unit", "count", "median")
    columns += ("q1", "q3", "low", "high", "source")
    table = ReferencePriceRow
    session.execute(
        insert(table).from_select(
            ["price_version", *columns],
            select(literal(target), *(getattr(table, name) for name in columns)).where(
                table.price_version == source,
                not_(_is(table, leave_out)),
            ),
        )
    )


def count_prices(session: Session, price_version: int, *, leave_out: PriceKey) -> int:
    """How many prices version ``price_version`` has, not counting the one of ``leave_out``."""
    table = ReferencePriceRow
    return int(
        session.scalar(
            select(func.count())
            .select_from(table)
            .where(table.price_version == price_version, not_(_is(table, leave_out)))
        )
        or 0
    )


def price(session: Session, price_version: int, key: PriceKey) -> ReferencePriceRow | None:
    """The price of one key in one version."""
    return session.scalars(
        select(ReferencePriceRow).where(
            ReferencePriceRow.price_version == price_version, _is(ReferencePriceRow, key)
        )
    ).first()


def prices(
    session: Session,
    price_version: int,
    *,
    hs_prefix: str | None = None,
    origin: str | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[ReferencePriceRow]:
    """Prices of a version in the order they were stored, filtered; ``after_id`` pages."""
    query = select(ReferencePriceRow).where(ReferencePriceRow.price_version == price_version)
    if hs_prefix:
        query = query.where(ReferencePriceRow.hs_code.startswith(hs_prefix, autoescape=True))
    if origin is not None:
        query = query.where(ReferencePriceRow.origin == origin)
    if after_id is not None:
        query = query.where(ReferencePriceRow.id > after_id)
    query = query.order_by(ReferencePriceRow.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def book_rows(
    session: Session, price_version: int
) -> list[tuple[str, str, str, str, Decimal, Decimal, Decimal]]:
    """(hs_code, origin, basis, unit, median, low, high) of every price of a version."""
    table = ReferencePriceRow
    rows = session.execute(
        select(
            table.hs_code,
            table.origin,
            table.basis,
            table.unit,
            table.median,
            table.low,
            table.high,
        ).where(table.price_version == price_version)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _is(table: type[ReferencePriceRow] | type[PriceOverrideRow], key: PriceKey) -> Any:
    return and_(
        table.hs_code == key.hs_code,
        table.origin == key.origin,
        table.basis == key.basis,
        table.unit == key.unit,
    )


# ----------------------------------------------------------------- overrides


def overrides(session: Session, *, active: bool | None = None) -> list[PriceOverrideRow]:
    """Overrides by id (only the active or lifted ones if asked)."""
    query = select(PriceOverrideRow).order_by(PriceOverrideRow.id)
    if active is not None:
        query = query.where(PriceOverrideRow.active.is_(active))
    return list(session.scalars(query))


def overrides_in_force(session: Session, on: date) -> list[PriceOverrideRow]:
    """Active overrides whose validity has not ended before ``on``."""
    return list(
        session.scalars(
            select(PriceOverrideRow)
            .where(
                PriceOverrideRow.active.is_(True),
                (PriceOverrideRow.valid_to.is_(None)) | (PriceOverrideRow.valid_to >= on),
            )
            .order_by(PriceOverrideRow.id)
        )
    )


def override(session: Session, override_id: int) -> PriceOverrideRow | None:
    """One override."""
    return session.get(PriceOverrideRow, override_id)


def override_for(session: Session, key: PriceKey) -> PriceOverrideRow | None:
    """The override of a key (at most one: an override is replaced in place)."""
    return session.scalars(select(PriceOverrideRow).where(_is(PriceOverrideRow, key))).first()


# ----------------------------------------------------------------- history


def history_items(
    session: Session,
    *,
    registered_from: datetime | None,
    registered_before: datetime | None,
    hs_prefix: str | None = None,
) -> pl.DataFrame:
    """Goods items of imports (the latest version of each declaration) registered in
    ``[registered_from, registered_before)``, as columns of
    :data:`corridor.valuation.prices.ITEM_SCHEMA` (amounts as floats, for statistics)."""
    declaration, newer = DeclarationRow, aliased(DeclarationRow)
    # Only the latest version of each declaration: an amendment replaces what it amends.
    is_latest = not_(
        select(newer.id)
        .where(newer.number == declaration.number, newer.version > declaration.version)
        .exists()
    )
    query = (
        select(
            declaration.number,
            GoodsItemRow.hs_code,
            GoodsItemRow.origin,
            cast(GoodsItemRow.customs_value, Float),
            cast(GoodsItemRow.net_mass_kg, Float),
            cast(GoodsItemRow.supplementary_qty, Float),
            GoodsItemRow.supplementary_unit,
        )
        .join(GoodsItemRow, GoodsItemRow.declaration_id == declaration.id)
        .where(declaration.flow == "IM", is_latest)
    )
    if registered_from is not None:
        query = query.where(declaration.registered_at >= registered_from)
    if registered_before is not None:
        query = query.where(declaration.registered_at < registered_before)
    if hs_prefix:
        query = query.where(GoodsItemRow.hs_code.startswith(hs_prefix, autoescape=True))
    rows = session.execute(query).all()
    return pl.DataFrame(rows, schema=ITEM_SCHEMA, orient="row")


def misvalued_numbers(session: Session) -> list[str]:
    """Numbers of declarations whose current inspection act found a valuation discrepancy."""
    rows = session.execute(
        select(DeclarationRow.number, InspectionActRow.discrepancy_types)
        .join(DeclarationRow, DeclarationRow.id == InspectionActRow.declaration_id)
        .where(InspectionActRow.current.is_(True), InspectionActRow.outcome == "discrepancy")
    ).all()
    # The types are a JSON list, which SQLite and PostgreSQL search differently: Polars does it.
    acts = pl.DataFrame(
        rows, schema={"number": pl.String, "types": pl.List(pl.String)}, orient="row"
    )
    found = acts.filter(pl.col("types").list.contains("valuation"))["number"].unique()
    return found.sort().to_list()
