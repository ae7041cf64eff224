"""Bulk import of declaration files.

Formats
-------
``flat`` (corridor's own; CSV, JSON Lines or Parquet, chosen by file extension):
one row per goods item, header fields repeated on every row of a declaration.
Columns are the field names of the API (``number``, ``version``, ``flow``, …,
``item_no``, ``hs_code``, …); list fields (``containers``, ``documents``) are
``;``-separated in CSV; declared extra attributes are columns named after the
attribute. Rows of one declaration share ``number`` and ``version``.

``cdd``: the public Customs Declaration Dataset (one item per declaration);
its ``Fraud`` / ``Critical Fraud`` labels are kept as ground truth, apart from
the declarations.

Guarantees: every row is either accepted (stored, or found identical to what is
stored) or listed in the rejection report with its row number and reasons. A
declaration is accepted or rejected whole. Batches commit one by one, and a
re-run of the same file creates nothing twice.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations import repository, service
from corridor.declarations.attributes import REGISTRY
from corridor.declarations.schemas import DeclarationCreate
from corridor.errors import FieldError, InvalidInput

Format = Literal["flat", "cdd"]

HEADER_FIELDS: Final = (
    "number",
    "version",
    "flow",
    "procedure",
    "office",
    "registered_at",
    "declarant",
    "importer",
    "exporter",
    "exporter_country",
    "dispatch_country",
    "destination_country",
    "transport_mode",
    "vehicle_id",
    "containers",
    "incoterms",
    "currency",
    "documents",
)
ITEM_FIELDS: Final = (
    "item_no",
    "hs_code",
    "description",
    "origin",
    "preference",
    "net_mass_kg",
    "gross_mass_kg",
    "supplementary_qty",
    "supplementary_unit",
    "invoice_value",
    "customs_value",
    "duty_rate",
    "duties",
)
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
LIST_FIELDS: Final = frozenset({"containers", "documents"})

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


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was not accepted; ``row`` counts data rows from 1."""

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


@dataclass(slots=True)
class _Group:
    """The rows of one declaration version in a file."""

    number: str
    version: int | None
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Candidate:
    declaration: DeclarationCreate
    row_numbers: tuple[int, ...]
    truth: service.GroundTruth | None


# --------------------------------------------------------------------------- reading


def read_rows(path: Path, fmt: Format) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Rows of a file as (row number, mapping) — or (row number, error) for unreadable rows.

    Raises InvalidInput when the file as a whole cannot be read (missing, wrong
    extension, missing required columns).
    """
    if not path.is_file():
        raise InvalidInput(f"{path} is not a readable file", [FieldError(("path",), "not found")])
    suffix = path.suffix.lower()
    if fmt == "cdd":
        if suffix != ".csv":
            raise InvalidInput(f"{path}: the cdd format is CSV", [FieldError(("path",), suffix)])
        return _read_csv(path, CDD_COLUMNS)
    if suffix == ".csv":
        return _read_csv(path, REQUIRED_FLAT)
    if suffix in {".jsonl", ".ndjson"}:
        return _read_jsonl(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise InvalidInput(
        f"{path}: unknown file type {suffix!r}; use .csv, .jsonl or .parquet",
        [FieldError(("path",), f"unknown extension {suffix!r}")],
    )


def _known_flat_columns() -> set[str]:
    return {*HEADER_FIELDS, *ITEM_FIELDS, *REGISTRY.names("header"), *REGISTRY.names("item")}


def _check_columns(path: Path, columns: Sequence[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in columns]
    errors = [FieldError(("columns", name), "required column is missing") for name in missing]
    if required is not CDD_COLUMNS:
        known = _known_flat_columns()
        errors += [
            FieldError(("columns", name), "unknown column (not a field or declared attribute)")
            for name in columns
            if name not in known
        ]
    if errors:
        raise InvalidInput(f"{path}: the columns do not fit the format", errors)


def _read_csv(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.reader(handle)
    try:
        columns = next(reader)
    except StopIteration:
        handle.close()
        raise InvalidInput(f"{path} is empty", [FieldError(("path",), "no header row")]) from None
    _check_columns(path, columns, required)

    def rows() -> Iterator[tuple[int, dict[str, Any] | str]]:
        with handle:
            for number, values in enumerate(reader, start=1):
                if len(values) != len(columns):
                    yield number, f"has {len(values)} fields, the header has {len(columns)}"
                    continue
                yield (
                    number,
                    {
                        name: (value if value != "" else None)
                        for name, value in zip(columns, values, strict=True)
                    },
                )

    return rows()


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    known = _known_flat_columns()

    def rows() -> Iterator[tuple[int, dict[str, Any] | str]]:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"is not valid JSON: {exc.msg} at column {exc.colno}"
                    continue
                if not isinstance(record, dict):
                    yield number, "is not a JSON object"
                    continue
                unknown = sorted(set(record) - known)
                if unknown:
                    yield number, f"has unknown fields {unknown}"
                    continue
                yield number, record

    return rows()


def _read_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InvalidInput(
            f"{path} is not a readable Parquet file", [FieldError(("path",), str(exc))]
        ) from None
    _check_columns(path, frame.columns, REQUIRED_FLAT)
    return (
        (number, dict(row.items()))
        for number, row in enumerate(frame.iter_rows(named=True), start=1)
    )


# --------------------------------------------------------------------------- mapping


def _group(
    rows: Iterator[tuple[int, dict[str, Any] | str]], fmt: Format, rejections: list[Rejection]
) -> tuple[int, list[_Group]]:
    """Rows by declaration version, in order of first appearance."""
    groups: dict[tuple[str, str], _Group] = {}
    read = 0
    for number, row in rows:
        read += 1
        if isinstance(row, str):
            rejections.append(Rejection(number, None, None, "row", f"row {row}"))
            continue
        if fmt == "cdd":
            cdd_id = row.get("Declaration ID")
            key_number = f"{CDD_NUMBER_PREFIX}{cdd_id}" if cdd_id else ""
        else:
            key_number = str(row.get("number") or "")
        raw_version = row.get("version")
        version = _int_or_none(raw_version) if raw_version is not None else 1
        if not key_number:
            rejections.append(Rejection(number, None, None, "number", "field required"))
            continue
        group = groups.setdefault((key_number, str(raw_version or 1)), _Group(key_number, version))
        group.rows.append((number, row))
    return read, list(groups.values())


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flat_candidate(group: _Group, rejections: list[Rejection]) -> _Candidate | None:
    first_row, first = group.rows[0]
    header: dict[str, Any] = {}
    header_attributes: dict[str, Any] = {}
    problems: list[Rejection] = []
    for name in (*HEADER_FIELDS, *REGISTRY.names("header")):
        value = _value(name, first.get(name))
        for row_number, row in group.rows[1:]:
            if _value(name, row.get(name)) != value:
                problems.append(
                    Rejection(
                        row_number,
                        group.number,
                        group.version,
                        name,
                        f"differs from row {first_row} of the same declaration",
                    )
                )
        if value is None:
            continue
        if name in HEADER_FIELDS:
            header[name] = value
        else:
            header_attributes[name] = value
    items = []
    for _row_number, row in group.rows:
        item = {name: _value(name, row.get(name)) for name in ITEM_FIELDS}
        item = {name: value for name, value in item.items() if value is not None}
        attributes = {
            name: row[name] for name in REGISTRY.names("item") if row.get(name) is not None
        }
        items.append({**item, "attributes": attributes})
    if problems:
        rejections.extend(problems)
        _reject_rest(group, problems, rejections)
        return None
    payload = {**header, "attributes": header_attributes, "items": items}
    return _validate(group, payload, None, rejections)


def _value(name: str, value: Any) -> Any:
    if name in LIST_FIELDS and isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if name in LIST_FIELDS and value is None:
        return []
    return value


def _cdd_candidate(group: _Group, rejections: list[Rejection]) -> _Candidate | None:
    (_row_number, row), *extra = group.rows
    if extra:
        for row_number, _row in extra:
            rejections.append(
                Rejection(row_number, group.number, 1, "Declaration ID", "appears more than once")
            )
        _reject_rest(group, rejections[-len(extra) :], rejections)
        return None
    header_attributes = {
        "process_type": row["Process Type"],
        "import_type": row["Import Type"],
        "import_use": row["Import Use"],
        "payment_type": row["Payment Type"],
        "seller": row["Seller ID"],
        "courier": row["Courier ID"],
    }
    item_attributes = {
        "tax_type": row["Tax Type"],
        "origin_indicator": row["Country of Origin Indicator"],
    }
    payload = {
        "number": group.number,
        "version": 1,
        "flow": "IM",
        "procedure": "40",
        "office": f"CDD{row['Office ID'] or ''}",
        "registered_at": f"{row['Date']}T00:00:00{CDD_UTC_OFFSET}" if row["Date"] else None,
        "declarant": row["Declarant ID"],
        "importer": row["Importer ID"],
        "dispatch_country": row["Country of Departure"],
        "transport_mode": row["Mode of Transport"],
        "currency": CDD_CURRENCY,
        "attributes": {k: v for k, v in header_attributes.items() if v is not None},
        "items": [
            {
                "item_no": 1,
                "hs_code": row["HS6 Code"],
                "origin": row["Country of Origin"],
                "net_mass_kg": row["Net Mass"],
                "invoice_value": row["Item Price"],
                "customs_value": row["Item Price"],
                "duty_rate": row["Tax Rate"],
                "attributes": {k: v for k, v in item_attributes.items() if v is not None},
            }
        ],
    }
    truth = _cdd_truth(_row_number, group.number, row)
    if isinstance(truth, Rejection):
        rejections.append(truth)
        _reject_rest(group, [truth], rejections)
        return None
    return _validate(group, payload, truth, rejections)


def _cdd_truth(
    row_number: int, number: str, row: Mapping[str, Any]
) -> service.GroundTruth | Rejection:
    fraud, critical = row["Fraud"], row["Critical Fraud"]
    if fraud not in {"0", "1"} or critical not in {"0", "1", "2"}:
        return Rejection(
            row_number,
            number,
            1,
            "Fraud",
            f"labels must be Fraud 0/1 and Critical Fraud 0/1/2, got {fraud!r}/{critical!r}",
        )
    return service.GroundTruth(
        source="cdd", fraud=fraud == "1", critical_fraud=int(critical), item_no=1
    )


def _validate(
    group: _Group,
    payload: dict[str, Any],
    truth: service.GroundTruth | None,
    rejections: list[Rejection],
) -> _Candidate | None:
    payload["number"] = group.number
    try:
        declaration = DeclarationCreate.model_validate(payload)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            row_number = group.rows[0][0]
            if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
                if loc[1] < len(group.rows):
                    row_number = group.rows[loc[1]][0]
                loc = loc[2:]
            where = ".".join(str(part) for part in loc) or "declaration"
            problems.append(
                Rejection(
                    row_number,
                    group.number,
                    group.version,
                    where,
                    str(error["msg"]).removeprefix("Value error, "),
                )
            )
        rejections.extend(problems)
        _reject_rest(group, problems, rejections)
        return None
    return _Candidate(declaration, tuple(number for number, _ in group.rows), truth)


def _reject_rest(group: _Group, problems: Sequence[Rejection], rejections: list[Rejection]) -> None:
    """Rows of a rejected declaration that had no error of their own are listed too."""
    named = {problem.row for problem in problems}
    for row_number, _row in group.rows:
        if row_number not in named:
            rejections.append(
                Rejection(
                    row_number,
                    group.number,
                    group.version,
                    "declaration",
                    "rejected with its declaration (see the other rows)",
                )
            )


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
) -> ImportReport:
    """Import a declaration file; write rejected rows to ``report_path``.

    Raises InvalidInput (before writing anything) when the file cannot be read
    as the format. Otherwise every row ends up accepted or in the report.
    """
    started = datetime.now(UTC)
    rows = read_rows(path, fmt)
    report = ImportReport()
    rows_read, groups = _group(rows, fmt, report.rejections)
    report.rows_read = rows_read
    to_candidate = _cdd_candidate if fmt == "cdd" else _flat_candidate
    source = source or f"import:{fmt}"
    batch: list[_Candidate] = []
    for group in groups:
        candidate = to_candidate(group, report.rejections)
        if candidate is not None:
            batch.append(candidate)
        else:
            _advance(progress, len(group.rows))
        if len(batch) >= batch_size:
            _store(session_factory, batch, source, report, progress)
            batch = []
    _store(session_factory, batch, source, report, progress)
    report.rows_rejected = len({rejection.row for rejection in report.rejections})
    if report.rejections:
        _write_report(report_path, report.rejections)
        report.report_path = report_path
    _record_run(session_factory, path, fmt, started, report)
    return report


def _advance(progress: Callable[[int], None] | None, rows: int) -> None:
    if progress is not None:
        progress(rows)


def _store(
    session_factory: sessionmaker[Session],
    batch: Sequence[_Candidate],
    source: str,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    for attempt in range(2):
        with UnitOfWork(session_factory) as uow:
            result = service.ingest(
                uow=uow,
                declarations=[candidate.declaration for candidate in batch],
                source=source,
                truths=[candidate.truth for candidate in batch],
            )
            try:
                uow.commit()
            except IntegrityError:
                # A concurrent writer stored some of the same keys: classify again.
                if attempt == 0:
                    continue
                raise
        break
    report.declarations_created += len(result.created)
    report.declarations_unchanged += len(result.unchanged)
    for index, reason in result.conflicts:
        candidate = batch[index]
        for row_number in candidate.row_numbers:
            report.rejections.append(
                Rejection(
                    row_number,
                    candidate.declaration.number,
                    candidate.declaration.version,
                    "version",
                    reason,
                )
            )
    _advance(progress, sum(len(candidate.row_numbers) for candidate in batch))


def _write_report(path: Path, rejections: Sequence[Rejection]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for rejection in sorted(rejections, key=lambda r: r.row):
            writer.writerow(
                (
                    rejection.row,
                    rejection.number or "",
                    rejection.version or "",
                    rejection.field,
                    rejection.reason,
                )
            )


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
            finished_at=datetime.now(UTC),
            rows_read=report.rows_read,
            declarations_created=report.declarations_created,
            declarations_unchanged=report.declarations_unchanged,
            rows_rejected=report.rows_rejected,
            report_path=str(report.report_path) if report.report_path else None,
        )
        uow.commit()
