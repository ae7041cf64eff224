"""Bulk import of declaration files.

Formats
-------
``flat`` (corridor's own; CSV, JSON Lines or Parquet, chosen by file extension):
one row per goods item, header fields repeated on every row of a declaration.
Columns are the field names of the API (``number``, ``version``, ``flow``, …,
``item_no``, ``hs_code``, …); list fields (``containers``, ``documents``) are
``;``-separated; declared extra attributes are columns named after the
attribute. Rows of one declaration share ``number`` and ``version``.

``cdd``: the public Customs Declaration Dataset (one item per declaration);
its ``Fraud`` / ``Critical Fraud`` labels are kept as ground truth, apart from
the declarations.

Guarantees: every row is either accepted (stored, or found identical to what is
stored) or listed in the rejection report with its row number and reasons. A
declaration is accepted or rejected whole. Batches commit one by one, and a
re-run of the same file creates nothing twice. Validation is column-wise
(``corridor.declarations.bulk``) with the rules of the API.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy.orm import Session, sessionmaker

from corridor import textfiles
from corridor.config import wall_clock
from corridor.db.uow import UnitOfWork
from corridor.declarations import bulk, repository, service
from corridor.declarations.schemas import declared_attributes
from corridor.errors import FieldError, InvalidInput
from corridor.exports import write_csv

Format = Literal["flat", "cdd"]

HEADER_FIELDS: Final = bulk.HEADER_FIELDS
ITEM_FIELDS: Final = bulk.ITEM_FIELDS
REQUIRED_FLAT: Final = (
    "number",
    "flow",
    "procedure",
    "office",
    "registered_at",
    "declarant",
    "transport_mode",
    "currency",
    "item_no",
    "hs_code",
    "origin",
    "invoice_value",
)
CDD_COLUMNS: Final = (
    "Declaration ID",
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
    "Critical Fraud",
)
#: CDD values are in the dataset's own national currency and dates in its time zone.
CDD_CURRENCY: Final = "KRW"
CDD_UTC_OFFSET: Final = "+09:00"
#: CDD declarations are numbered apart from national ones.
CDD_NUMBER_PREFIX: Final = "CDD-"
REPORT_COLUMNS: Final = ("row", "declaration", "version", "field", "reason")
ROW: Final = bulk.ROW


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was not accepted; ``row`` counts data rows from 1 (header excluded)."""

    row: int
    number: str | None
    version: int | None
    field: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """The outcome of one import run."""

    rows_read: int = 0
    declarations_created: int = 0
    declarations_unchanged: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    report_path: Path | None = None


# --------------------------------------------------------------------------- reading


def read_frame(path: Path, fmt: Format) -> tuple[pl.DataFrame, list[Rejection]]:
    """The file as string columns plus ``_row``, and the rows that could not be read.

    Raises InvalidInput when the file as a whole cannot be read as the format
    (missing, unknown extension, not UTF-8 text, binary, truncated, missing or unknown
    columns) — nothing is written then.
    """
    if not path.is_file():
        raise InvalidInput(f"{path} is not a readable file", [FieldError(("path",), "not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        textfiles.check_text_file(path, kind="CSV")
    elif suffix in {".jsonl", ".ndjson"}:
        textfiles.check_text_file(path, kind="JSON Lines")
    if fmt == "cdd":
        if suffix != ".csv":
            raise InvalidInput(f"{path}: the cdd format is CSV", [FieldError(("path",), suffix)])
        frame, unreadable = _read_csv(path)
        _check_columns(path, frame.columns, CDD_COLUMNS, known=set(CDD_COLUMNS))
        return frame, unreadable
    if suffix == ".csv":
        frame, unreadable = _read_csv(path)
    elif suffix in {".jsonl", ".ndjson"}:
        frame, unreadable = _read_jsonl(path)
    elif suffix == ".parquet":
        frame, unreadable = _read_parquet(path), []
    else:
        raise InvalidInput(
            f"{path}: unknown file type {suffix!r}; use .csv, .jsonl or .parquet",
            [FieldError(("path",), f"unknown extension {suffix!r}")],
        )
    registry = declared_attributes()
    known = {*HEADER_FIELDS, *ITEM_FIELDS, *registry.names("header"), *registry.names("item")}
    _check_columns(path, frame.columns, REQUIRED_FLAT, known=known)
    return frame, unreadable


def _check_columns(
    path: Path, columns: Sequence[str], required: Sequence[str], *, known: set[str]
) -> None:
    present = [name for name in columns if name != ROW]
    errors = [
        FieldError(("columns", name), "required column is missing")
        for name in required
        if name not in present
    ]
    errors += [
        FieldError(("columns", name), "unknown column (not a field or declared attribute)")
        for name in present
        if name not in known
    ]
    if errors:
        raise InvalidInput(f"{path}: the columns do not fit the format", errors)


def _frame(
    columns: Sequence[str], rows: list[list[str | None]], numbers: list[int]
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))


def _read_csv(path: Path) -> tuple[pl.DataFrame, list[Rejection]]:
    """Arrow's CSV reader for speed; Python's csv module when rows are malformed.

    Polars is not used here because it pads a short row with nulls silently; a
    malformed row must be reported with its number, which the slower reader gives.
    """
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        columns = _header(path, csv.reader(handle))
    try:
        # A malformed row stops Arrow (ArrowInvalid) and the slower reader reports it.
        # No invalid-row handler: Arrow decodes a malformed row's text for it and, when
        # that text is not UTF-8, fails inside the callback with a message of its own.
        table = pa_csv.read_csv(
            path,
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return _read_csv_rows(path)
    if table.column_names != columns:
        return _read_csv_rows(path)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return frame, []


def _read_csv_rows(path: Path) -> tuple[pl.DataFrame, list[Rejection]]:
    # surrogateescape keeps undecodable bytes visible, so a row that is not UTF-8 is
    # reported on its own instead of failing the file.
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.reader(handle)
        columns = _header(path, reader)
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        unreadable: list[Rejection] = []
        number = 0
        values: list[str] = []
        for values in _records(path, reader):
            if not values:
                continue  # a blank line is no row (the Arrow reader skips them too)
            number += 1
            if len(values) != len(columns):
                reason = f"has {len(values)} fields, the header has {len(columns)}"
            elif any(_UNDECODABLE.search(value) for value in values):
                reason = "is not valid UTF-8 text"
            else:
                rows.append(values)  # type: ignore[arg-type]
                numbers.append(number)
                continue
            unreadable.append(Rejection(number, None, None, "row", reason))
    if 0 < len(values) < len(columns) and not textfiles.ends_with_line_break(path):
        raise textfiles.truncated_row(path, number, len(values), len(columns))
    return _frame(columns, rows, numbers), unreadable


def _header(path: Path, reader: Iterator[list[str]]) -> list[str]:
    """The header row: InvalidInput when there is none or it cannot be read."""
    try:
        columns = next(reader)
    except StopIteration:
        raise InvalidInput(f"{path} is empty", [FieldError(("path",), "no header row")]) from None
    except csv.Error as exc:
        raise textfiles.refuse(path, f"the header row is not valid CSV ({exc})") from None
    textfiles.check_header(path, columns)
    return columns


def _records(path: Path, reader: Iterator[list[str]]) -> Iterator[list[str]]:
    # The csv module stops at a value beyond its field size limit (an unclosed quote
    # swallowing the file): the rows after it cannot be delimited, so the file is refused.
    read = 0
    try:
        for values in reader:
            read += 1
            yield values
    except csv.Error as exc:
        raise textfiles.refuse(path, f"is not valid CSV after row {read} ({exc})") from None


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _json_cell(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(part) for part in value)
    return str(value)


def _read_jsonl(path: Path) -> tuple[pl.DataFrame, list[Rejection]]:
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    unreadable: list[Rejection] = []
    columns: dict[str, None] = {}
    with path.open(encoding="utf-8", errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            if _UNDECODABLE.search(line):
                unreadable.append(Rejection(number, None, None, "row", "is not valid UTF-8 text"))
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                if not line.endswith("\n"):  # the last line, cut short
                    raise textfiles.truncated_line(path, number) from None
                reason = f"is not valid JSON: {exc.msg} at column {exc.colno}"
                unreadable.append(Rejection(number, None, None, "row", reason))
                continue
            except RecursionError:
                unreadable.append(Rejection(number, None, None, "row", "is nested too deeply"))
                continue
            if not isinstance(record, dict):
                unreadable.append(Rejection(number, None, None, "row", "is not a JSON object"))
                continue
            columns.update(dict.fromkeys(record))
            records.append(record)
            numbers.append(number)
    if not records:
        # Nothing readable: the rows are reported one by one, the file is not "unfit".
        columns = dict.fromkeys(REQUIRED_FLAT)
    rows = [[_json_cell(record.get(name)) for name in columns] for record in records]
    return _frame(list(columns), rows, numbers), unreadable


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InvalidInput(
            f"{path} is not a readable Parquet file", [FieldError(("path",), str(exc))]
        ) from None
    as_text = [
        pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(";")
        if isinstance(dtype, pl.List)
        else pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
    ]
    try:
        text = frame.select(as_text)
    except pl.exceptions.PolarsError as exc:
        # A column of structures or binary data has no text form of ours.
        raise InvalidInput(
            f"{path} has columns that are not text, numbers or lists",
            [FieldError(("path",), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)],
        ) from None
    return text.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


# --------------------------------------------------------------------------- the CDD mapping


def cdd_to_flat(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[Rejection]]:
    """Map CDD columns to corridor's flat columns; return them, the labels and bad-label rows."""
    labels_ok = pl.col("Fraud").is_in(["0", "1"]) & pl.col("Critical Fraud").is_in(["0", "1", "2"])
    bad = frame.filter(~labels_ok)
    rejections = [
        Rejection(
            row,
            f"{CDD_NUMBER_PREFIX}{cdd_id}",
            1,
            "Fraud",
            f"labels must be Fraud 0/1 and Critical Fraud 0/1/2, got {fraud!r}/{critical!r}",
        )
        for row, cdd_id, fraud, critical in bad.select(
            ROW, "Declaration ID", "Fraud", "Critical Fraud"
        ).iter_rows()
    ]
    frame = frame.filter(labels_ok)
    amounts = {name: _cdd_amounts(frame[name]) for name in ("Net Mass", "Item Price")}
    text = pl.col
    flat = frame.select(
        pl.col(ROW),
        (pl.lit(CDD_NUMBER_PREFIX) + text("Declaration ID")).alias("number"),
        pl.lit("1").alias("version"),
        pl.lit("IM").alias("flow"),
        pl.lit("40").alias("procedure"),
        (pl.lit("CDD") + text("Office ID")).alias("office"),
        (text("Date") + pl.lit(f"T00:00:00{CDD_UTC_OFFSET}")).alias("registered_at"),
        text("Declarant ID").alias("declarant"),
        text("Importer ID").alias("importer"),
        # "ZZ" is the dataset's "unknown"; an unknown dispatch country is simply missing.
        pl.when(text("Country of Departure") == "ZZ")
        .then(None)
        .otherwise(text("Country of Departure"))
        .alias("dispatch_country"),
        text("Mode of Transport").alias("transport_mode"),
        pl.lit(CDD_CURRENCY).alias("currency"),
        text("Process Type").alias("process_type"),
        text("Import Type").alias("import_type"),
        text("Import Use").alias("import_use"),
        text("Payment Type").alias("payment_type"),
        text("Seller ID").alias("seller"),
        text("Courier ID").alias("courier"),
        pl.lit("1").alias("item_no"),
        text("HS6 Code").alias("hs_code"),
        text("Country of Origin").alias("origin"),
        amounts["Net Mass"].alias("net_mass_kg"),
        amounts["Item Price"].alias("invoice_value"),
        amounts["Item Price"].alias("customs_value"),
        text("Tax Rate").alias("duty_rate"),
        text("Tax Type").alias("tax_type"),
        text("Country of Origin Indicator").alias("origin_indicator"),
    )
    labels = frame.select(
        pl.col(ROW),
        (text("Fraud") == "1").alias("fraud"),
        text("Critical Fraud").cast(pl.Int16).alias("critical_fraud"),
    )
    return flat, labels, rejections


def _cdd_amounts(column: pl.Series) -> pl.Series:
    """CDD amounts went through binary floats (``86125.20000000001``); they have cents at most."""
    mapping = {}
    for text in column.drop_nulls().unique().to_list():
        try:
            amount = Decimal(text)
        except InvalidOperation:
            continue  # left as written: validation names the field and the reason
        if amount.is_finite():
            mapping[text] = format(amount.quantize(Decimal("0.01")).normalize(), "f")
    return column.replace(mapping)


# --------------------------------------------------------------------------- running


def import_file(
    *,
    session_factory: sessionmaker[Session],
    path: Path,
    fmt: Format,
    report_path: Path,
    batch_size: int = 2000,
    source: str | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a declaration file; write rejected rows to ``report_path``.

    Raises InvalidInput (before writing anything) when the file cannot be read
    as the format. Otherwise every row ends up accepted or in the report.
    ``total`` is told the number of rows once read, ``progress`` the rows done.
    """
    started = wall_clock()  # the batch's start: the moment its rows are judged against
    frame, unreadable = read_frame(path, fmt)
    report = ImportReport(rows_read=frame.height + len(unreadable))
    report.rejections += unreadable
    if total is not None:
        total(report.rows_read)
    labels = None
    if fmt == "cdd":
        frame, labels, bad_labels = cdd_to_flat(frame)
        report.rejections += bad_labels
    validated = bulk.validate_rows(frame, context={"now": started})
    report.rejections += [
        Rejection(
            error.row,
            *validated.rejected_rows.get(error.row, (None, None)),
            error.field,
            error.reason,
        )
        for error in validated.errors
    ]
    _advance(progress, len(validated.rejected_rows) + len(unreadable))
    truths = None
    if labels is not None:
        truths = (
            validated.headers.select(repository.ROW_INDEX, pl.col("_first_row").alias(ROW))
            .join(labels, on=ROW, how="left")
            .select(
                repository.ROW_INDEX,
                pl.lit("cdd").alias("source"),
                "fraud",
                "critical_fraud",
                pl.lit(None, pl.String).alias("pattern"),
                pl.lit(1, pl.Int16).alias("item_no"),
                pl.lit("{}").alias("detail"),
            )
        )
    source = source or f"import:{fmt}"
    headers, items = validated.headers, validated.items
    for start in range(0, headers.height, batch_size):
        in_batch = pl.col(repository.ROW_INDEX).is_between(start, start + batch_size - 1)
        _store(
            session_factory,
            headers.filter(in_batch),
            items.filter(in_batch),
            None if truths is None else truths.filter(in_batch),
            source,
            report,
        )
        _advance(progress, items.filter(in_batch).height)
    report.rows_rejected = len({rejection.row for rejection in report.rejections})
    if report.rejections:
        _write_report(report_path, report.rejections)
        report.report_path = report_path
    _record_run(session_factory, path, fmt, started, report)
    return report


def _advance(progress: Callable[[int], None] | None, rows: int) -> None:
    if progress is not None and rows:
        progress(rows)


def _store(
    session_factory: sessionmaker[Session],
    headers: pl.DataFrame,
    items: pl.DataFrame,
    truths: pl.DataFrame | None,
    source: str,
    report: ImportReport,
) -> None:
    with UnitOfWork(session_factory) as uow:
        # A concurrent writer that stored some of the same keys makes the batch classify
        # again (ingest_validated always looks first).
        result = uow.retrying(
            lambda _retry: service.ingest_validated(
                uow=uow, headers=headers, items=items, source=source, truths=truths
            ),
            attempts=2,
        )
    report.declarations_created += len(result.created)
    report.declarations_unchanged += len(result.unchanged)
    for index, reason in result.conflicts:
        number, version, rows = headers.select("number", "version", "rows").row(index)
        report.rejections += [Rejection(row, number, version, "version", reason) for row in rows]


def _write_report(path: Path, rejections: Sequence[Rejection]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        (rejection.row, rejection.number, rejection.version, rejection.field, rejection.reason)
        for rejection in sorted(rejections, key=lambda r: r.row)
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_csv(handle, REPORT_COLUMNS, rows)


def _record_run(
    session_factory: sessionmaker[Session],
    path: Path,
    fmt: Format,
    started: datetime,
    report: ImportReport,
) -> None:
    with UnitOfWork(session_factory) as uow:
        repository.add_import_run(
            uow.session,
            path=str(path),
            format=fmt,
            started_at=started,
            finished_at=uow.now,
            rows_read=report.rows_read,
            declarations_created=report.declarations_created,
            declarations_unchanged=report.declarations_unchanged,
            rows_rejected=report.rows_rejected,
            report_path=str(report.report_path) if report.report_path else None,
        )
        uow.commit()
