"""Queries over stored declarations. The only place declaration SQL is built; never commits."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, cast

import polars as pl
from sqlalchemy import (
    ARRAY,
    Select,
    String,
    Table,
    any_,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from corridor.db.tables import (
    DecisionRow,
    DeclarationRow,
    GoodsItemRow,
    GroundTruthRow,
    ImportRunRow,
    RerouteRow,
)
from corridor.db.types import ExactDecimal

HEADER_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in DeclarationRow.__table__.columns if c.name != "id"
)
ITEM_COLUMNS: tuple[str, ...] = tuple(c.name for c in GoodsItemRow.__table__.columns)
TRUTH_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in GroundTruthRow.__table__.columns if c.name != "id"
)
_CHUNK = 500
#: Up to this many declarations are inserted with INSERT … RETURNING, above with COPY.
SMALL_BATCH = 20
_DECLARATIONS = cast(Table, DeclarationRow.__table__)
_ITEMS = cast(Table, GoodsItemRow.__table__)
_TRUTHS = cast(Table, GroundTruthRow.__table__)
#: The column numbering declarations in validated frames (see ``bulk.validate_rows``).
ROW_INDEX = "_decl"
_DECIMAL_COLUMNS = frozenset(
    c.name
    for table in (DeclarationRow, GoodsItemRow)
    for c in table.__table__.columns
    if isinstance(c.type, ExactDecimal)
)
_JSON_TEXT_COLUMNS = frozenset({"containers", "documents", "attributes", "detail"})


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
    # The caller's data scope: only these offices (None: every office).
    scope: frozenset[str] | None = None
    # A search of the web pages: part of the number, or the importer's or declarant's id.
    text: str | None = None
    # The channel that applies now (after re-routes).
    channel: str | None = None


@functools.cache
def _stored_versions_query(postgres: bool) -> Select[str, int, str, int]:
    # Built once per dialect (building it cost more CPU than running it, on every
    # submission). PostgreSQL takes the whole batch as one array parameter; SQLite, an
    # expanding IN list per chunk.
    numbers = (
        DeclarationRow.number == any_(bindparam("numbers", type_=ARRAY(String)))
        if postgres
        else DeclarationRow.number.in_(bindparam("numbers", expanding=True))
    )
    return (
        select(
            DeclarationRow.number,
            DeclarationRow.version,
            DeclarationRow.content_hash,
            DeclarationRow.id,
        )
        .where(numbers)
        .order_by(DeclarationRow.number, DeclarationRow.version)
    )


def stored_versions(session: Session, numbers: Iterable[str]) -> dict[str, list[StoredKey]]:
    """Every stored version of the given declaration numbers, by number, oldest first."""
    found: dict[str, list[StoredKey]] = {}
    unique = sorted(set(numbers))
    postgres = session.get_bind().dialect.name == "postgresql"
    size = max(len(unique), 1) if postgres else _CHUNK
    query = _stored_versions_query(postgres)
    for start in range(0, len(unique), size):
        rows = session.execute(query, {"numbers": unique[start : start + size]})
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
    with COPY; on SQLite ids follow the current maximum and rows go in batches.
    """
    if not headers:
        return []
    connection = session.connection()
    if len(headers) <= SMALL_BATCH:
        # One declaration from the API: fewest round trips, safe under concurrency.
        result = session.execute(
            insert(_DECLARATIONS).returning(_DECLARATIONS.c.id, sort_by_parameter_order=True),
            list(headers),
        )
        ids = [row_id for (row_id,) in result]
        _insert_items(session, ids, items)
        return ids
    if connection.dialect.name == "postgresql":
        ids = _reserve_ids(session, len(headers))
        header_values = itemgetter(*HEADER_COLUMNS)
        _copy(
            session,
            "declarations",
            ("id", *HEADER_COLUMNS),
            ((row_id, *header_values(header)) for row_id, header in zip(ids, headers, strict=True)),
        )
        item_values = itemgetter(*ITEM_COLUMNS[1:])
        assert ITEM_COLUMNS[0] == "declaration_id"
        _copy(
            session,
            "declaration_items",
            ITEM_COLUMNS,
            (
                (row_id, *item_values(item))
                for row_id, goods in zip(ids, items, strict=True)
                for item in goods
            ),
        )
        return ids
    # SQLite serialises writers, so ids after the current maximum are ours; a
    # concurrent writer would fail on the primary key and the caller retries.
    start = int(session.scalar(select(func.coalesce(func.max(DeclarationRow.id), 0))) or 0) + 1
    ids = list(range(start, start + len(headers)))
    # Core inserts of the tables (not the ORM bulk path): several times faster.
    session.execute(
        insert(_DECLARATIONS),
        [{"id": row_id, **header} for row_id, header in zip(ids, headers, strict=True)],
    )
    _insert_items(session, ids, items)
    return ids


def _insert_items(
    session: Session, ids: Sequence[int], items: Sequence[Sequence[dict[str, Any]]]
) -> None:
    session.execute(
        insert(_ITEMS),
        [
            {**item, "declaration_id": row_id}
            for row_id, goods in zip(ids, items, strict=True)
            for item in goods
        ],
    )


def insert_validated(
    session: Session,
    headers: pl.DataFrame,
    items: pl.DataFrame,
    truths: pl.DataFrame | None,
    *,
    source: str,
    received_at: datetime,
) -> None:
    """Insert declarations held as canonical text columns (from bulk validation).

    PostgreSQL: ids from the sequence, then COPY … FORMAT csv straight from Polars.
    SQLite: typed rows through the same path as single declarations.
    """
    if headers.is_empty():
        return
    headers = headers.with_columns(
        pl.lit(source).alias("source"), pl.lit(received_at.isoformat()).alias("received_at")
    )
    if session.connection().dialect.name != "postgresql":
        header_rows = [_typed(row) for row in headers.select(HEADER_COLUMNS).to_dicts()]
        groups: dict[int, list[dict[str, Any]]] = {}
        for decl, row in zip(
            items[ROW_INDEX].to_list(),
            items.select(ITEM_COLUMNS[1:]).to_dicts(),
            strict=True,
        ):
            groups.setdefault(decl, []).append(_typed(row))
        ids = insert_declarations(
            session, header_rows, [groups[decl] for decl in headers[ROW_INDEX].to_list()]
        )
        if truths is not None:
            by_decl = dict(zip(headers[ROW_INDEX].to_list(), ids, strict=True))
            insert_ground_truth(
                session,
                [
                    {**_typed(row), "declaration_id": by_decl[row.pop(ROW_INDEX)]}
                    for row in truths.select(ROW_INDEX, *TRUTH_COLUMNS[1:]).to_dicts()
                ],
            )
        return
    new_ids = pl.Series("id", _reserve_ids(session, headers.height), dtype=pl.Int64)
    id_map = pl.DataFrame({ROW_INDEX: headers[ROW_INDEX], "declaration_id": new_ids})
    _copy_csv(session, "declarations", headers.with_columns(new_ids).select("id", *HEADER_COLUMNS))
    _copy_csv(
        session,
        "declaration_items",
        items.join(id_map, on=ROW_INDEX, how="left").select(ITEM_COLUMNS),
    )
    if truths is not None and not truths.is_empty():
        _copy_csv(
            session,
            "declaration_ground_truth",
            truths.join(id_map, on=ROW_INDEX, how="left").select(TRUTH_COLUMNS),
        )


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """A row of canonical text as the ORM column types expect it."""
    for name, value in row.items():
        if value is None or not isinstance(value, str):
            continue
        if name in _DECIMAL_COLUMNS:
            row[name] = Decimal(value)
        elif name in _JSON_TEXT_COLUMNS:
            row[name] = json.loads(value)
        elif name in {"registered_at", "received_at"}:
            row[name] = datetime.fromisoformat(value)
        elif name in {"transport_mode", "item_no", "version", "item_count"}:
            row[name] = int(value)
    return row


def _copy_csv(session: Session, table: str, frame: pl.DataFrame) -> None:
    """COPY a frame into a table as CSV written by Polars (null: empty; empty text: "")."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    statement = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())


def insert_ground_truth(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record ground-truth labels (fraud known from a dataset or planted by the demo)."""
    if not rows:
        return
    if session.connection().dialect.name == "postgresql":
        _copy(
            session,
            "declaration_ground_truth",
            TRUTH_COLUMNS,
            (tuple(row[col] for col in TRUTH_COLUMNS) for row in rows),
        )
    else:
        session.execute(insert(_TRUTHS), list(rows))


def _reserve_ids(session: Session, count: int) -> list[int]:
    rows = session.execute(
        select(func.nextval(func.pg_get_serial_sequence("declarations", "id"))).select_from(
            func.generate_series(1, count)
        )
    )
    return [int(value) for (value,) in rows]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        if not value:
            return "[]" if isinstance(value, list) else "{}"
        return json.dumps(value, default=str).translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY rows into a table, formatting the text stream here (faster than per-row adaptation)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        lines: list[str] = []
        for row in rows:
            lines.append("\t".join(map(_copy_text, row)))
            if len(lines) >= 5000:
                copy.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")


def get_version(session: Session, number: str, version: int | None) -> DeclarationRow | None:
    """One stored version of a declaration (the latest when ``version`` is None)."""
    query = select(DeclarationRow).where(DeclarationRow.number == number)
    if version is None:
        query = query.order_by(DeclarationRow.version.desc()).limit(1)
    else:
        query = query.where(DeclarationRow.version == version)
    return session.scalars(query).first()


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
    if filters.scope is not None:
        query = query.where(DeclarationRow.office.in_(sorted(filters.scope)))
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
    if filters.text is not None:
        query = query.where(
            or_(
                DeclarationRow.number.icontains(filters.text, autoescape=True),
                DeclarationRow.importer == filters.text,
                DeclarationRow.declarant == filters.text,
            )
        )
    if filters.channel is not None:
        query = query.where(
            exists().where(
                DecisionRow.declaration_id == DeclarationRow.id,
                _current_channel() == filters.channel,
            )
        )
    if before_id is not None:
        query = query.where(DeclarationRow.id < before_id)
    return list(session.scalars(query.order_by(DeclarationRow.id.desc()).limit(limit)))


def _current_channel() -> Any:
    """The channel of a decision after its re-routes: the last re-route's, else its own."""
    last = (
        select(RerouteRow.to_channel)
        .where(RerouteRow.decision_id == DecisionRow.id)
        .order_by(RerouteRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last, DecisionRow.channel)


def count(session: Session) -> int:
    """How many declaration versions are stored."""
    return int(session.scalar(select(func.count()).select_from(DeclarationRow)) or 0)


def add_import_run(session: Session, **fields: Any) -> None:
    """Record one bulk import run."""
    session.add(ImportRunRow(**fields))
