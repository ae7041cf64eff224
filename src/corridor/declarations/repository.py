"""Queries over stored declarations. The only place declaration SQL is built; never commits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from corridor.db.tables import DeclarationRow, GoodsItemRow, GroundTruthRow, ImportRunRow

HEADER_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in DeclarationRow.__table__.columns if c.name != "id"
)
ITEM_COLUMNS: tuple[str, ...] = tuple(c.name for c in GoodsItemRow.__table__.columns)
TRUTH_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in GroundTruthRow.__table__.columns if c.name != "id"
)
_JSON_HEADER = {"containers", "documents", "attributes"}
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What intake needs to know of an already stored version."""

    number: str
    version: int
    content_hash: str
    id: int


@dataclass(frozen=True, slots=True)
class ListFilters:
    """Filters of the declaration listing; None means no filter."""

    office: str | None = None
    flow: str | None = None
    importer: str | None = None
    number: str | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None


def stored_versions(session: Session, numbers: Iterable[str]) -> dict[str, list[StoredKey]]:
    """Every stored version of the given declaration numbers, by number, oldest first."""
    found: dict[str, list[StoredKey]] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = session.execute(
            select(
                DeclarationRow.number,
                DeclarationRow.version,
                DeclarationRow.content_hash,
                DeclarationRow.id,
            )
            .where(DeclarationRow.number.in_(chunk))
            .order_by(DeclarationRow.number, DeclarationRow.version)
        )
        for number, version, content_hash, row_id in rows:
            found.setdefault(number, []).append(StoredKey(number, version, content_hash, row_id))
    return found


def insert_declarations(
    session: Session,
    headers: Sequence[dict[str, Any]],
    items: Sequence[Sequence[dict[str, Any]]],
) -> list[int]:
    """Insert declaration headers and their goods items; return the new ids in order.

    On PostgreSQL ids are reserved from the sequence and both tables are loaded
    with COPY; elsewhere a multi-row INSERT … RETURNING is used.
    """
    if not headers:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = _reserve_ids(session, len(headers))
        _copy(
            session,
            "declarations",
            ("id", *HEADER_COLUMNS),
            (
                (row_id, *(_pg_value(col, header[col]) for col in HEADER_COLUMNS))
                for row_id, header in zip(ids, headers, strict=True)
            ),
        )
        _copy(
            session,
            "declaration_items",
            ITEM_COLUMNS,
            (
                tuple(
                    row_id if col == "declaration_id" else _pg_value(col, item[col])
                    for col in ITEM_COLUMNS
                )
                for row_id, goods in zip(ids, items, strict=True)
                for item in goods
            ),
        )
        return ids
    result = session.execute(
        insert(DeclarationRow).returning(DeclarationRow.id, sort_by_parameter_order=True),
        list(headers),
    )
    ids = [row_id for (row_id,) in result]
    session.execute(
        insert(GoodsItemRow),
        [
            {**item, "declaration_id": row_id}
            for row_id, goods in zip(ids, items, strict=True)
            for item in goods
        ],
    )
    return ids


def insert_ground_truth(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record ground-truth labels (fraud known from a dataset or planted by the demo)."""
    if rows:
        session.execute(insert(GroundTruthRow), list(rows))


def _reserve_ids(session: Session, count: int) -> list[int]:
    rows = session.execute(
        select(func.nextval(func.pg_get_serial_sequence("declarations", "id"))).select_from(
            func.generate_series(1, count)
        )
    )
    return [int(value) for (value,) in rows]


def _pg_value(column: str, value: Any) -> Any:
    if column in _JSON_HEADER:
        return json.dumps(value, default=str)
    return value


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def get_version(session: Session, number: str, version: int | None) -> DeclarationRow | None:
    """One stored version of a declaration (the latest when ``version`` is None)."""
    query = select(DeclarationRow).where(DeclarationRow.number == number)
    if version is None:
        query = query.order_by(DeclarationRow.version.desc()).limit(1)
    else:
        query = query.where(DeclarationRow.version == version)
    return session.scalars(query).first()


def get_by_id(session: Session, declaration_id: int) -> DeclarationRow | None:
    """A stored declaration version by its internal id."""
    return session.get(DeclarationRow, declaration_id)


def versions_of(session: Session, number: str) -> list[int]:
    """All stored versions of a declaration number, ascending."""
    return list(
        session.scalars(
            select(DeclarationRow.version)
            .where(DeclarationRow.number == number)
            .order_by(DeclarationRow.version)
        )
    )


def items_of(session: Session, declaration_id: int) -> list[GoodsItemRow]:
    """The goods items of one declaration version, by item number."""
    return list(
        session.scalars(
            select(GoodsItemRow)
            .where(GoodsItemRow.declaration_id == declaration_id)
            .order_by(GoodsItemRow.item_no)
        )
    )


def list_page(
    session: Session, filters: ListFilters, *, before_id: int | None, limit: int
) -> list[DeclarationRow]:
    """Newest first, keyset-paginated on the id: rows with id < ``before_id``."""
    query: Select[tuple[DeclarationRow]] = select(DeclarationRow)
    if filters.office is not None:
        query = query.where(DeclarationRow.office == filters.office)
    if filters.flow is not None:
        query = query.where(DeclarationRow.flow == filters.flow)
    if filters.importer is not None:
        query = query.where(DeclarationRow.importer == filters.importer)
    if filters.number is not None:
        query = query.where(DeclarationRow.number == filters.number)
    if filters.registered_from is not None:
        query = query.where(DeclarationRow.registered_at >= filters.registered_from)
    if filters.registered_to is not None:
        query = query.where(DeclarationRow.registered_at < filters.registered_to)
    if before_id is not None:
        query = query.where(DeclarationRow.id < before_id)
    return list(session.scalars(query.order_by(DeclarationRow.id.desc()).limit(limit)))


def count(session: Session) -> int:
    """How many declaration versions are stored."""
    return int(session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def add_import_run(session: Session, **fields: Any) -> None:
    """Record one bulk import run."""
    session.add(ImportRunRow(**fields))
