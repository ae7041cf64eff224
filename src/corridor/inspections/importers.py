"""Import of inspection acts written on paper first (CSV or JSON Lines, UTF-8).

Format
------
One act per row (CSV) or per line (JSON Lines), named like the API's fields plus
``inspector`` (the username of the inspector who signed the paper act)::

    declaration_number,declaration_version,measures,outcome,discrepancy_types,additional_duties,seizure,offence_case,minutes_spent,notes,inspector,inspected_at
    KGBSK/011026/0000001,,109:applied;601:not_applied:DOCS-SUFFICIENT,discrepancy,valuation;origin,48500,false,,95,,inspector.post1,2026-10-01T14:10:00+06:00

``measures`` is ``code:status[:reason code]`` separated by ``;``; ``discrepancy_types``
is ``;``-separated; an empty cell is a missing value (the API's default). Required
columns: ``declaration_number, measures, outcome, minutes_spent, inspector,
inspected_at``; ``selection_basis`` (only ``discretionary``), ``declaration_version``
(default: the latest), the others optional. In JSON Lines, ``measures`` and
``discrepancy_types`` may also be given as the API's lists.

Every row is validated into :class:`~corridor.inspections.schemas.InspectionActImport`
and recorded by :func:`corridor.inspections.service.record`, the API's own use case,
within the offices of the named inspector (who must be an active user allowed to
record inspections). Each act is its own transaction. A row is recorded, found
already recorded with identical content (a file imported twice), or rejected with
its row number, declaration, field and reason in the report; a malformed line
is a rejected row, never the end of the import. A file whose columns do not fit
(unknown or missing required columns) is refused whole before anything is written.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from corridor import textfiles
from corridor.accounts import service as accounts_service
from corridor.accounts.roles import PERMISSIONS, Action
from corridor.config import wall_clock
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound
from corridor.exports import write_csv
from corridor.inspections import service
from corridor.inspections.schemas import InspectionActImport

Format = Literal["csv", "jsonl"]

COLUMNS: Final = tuple(InspectionActImport.model_fields)
REQUIRED: Final = (
    "declaration_number",
    "measures",
    "outcome",
    "minutes_spent",
    "inspector",
    "inspected_at",
)
REPORT_COLUMNS: Final = ("row", "declaration", "field", "reason")
_LISTS: Final = ("measures", "discrepancy_types")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was not recorded; ``row`` counts data rows from 1 (CSV: header and
    blank lines excluded; JSON Lines: the line number)."""

    row: int
    declaration: str | None
    field: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """The outcome of one import run."""

    rows_read: int = 0
    acts_recorded: int = 0
    acts_unchanged: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    report_path: Path | None = None


def default_report_path(path: Path) -> Path:
    """Where the rejection report goes: next to the file (``acts.csv`` → ``acts.rejected.csv``)."""
    return path.with_name(f"{path.stem}.rejected.csv")


def format_of(path: Path) -> Format | None:
    """The format a file's extension says, if it says one."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    return None


# --------------------------------------------------------------------------- reading


def parse_measures(text: str) -> list[dict[str, str | None]]:
    """``109:applied;601:not_applied:DOCS-SUFFICIENT`` as the API's list of measures.

    A part without a status keeps it missing, and a part with more colons keeps the
    rest as its reason code, so that validation names what is wrong with which measure.
    """
    measures: list[dict[str, str | None]] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        code, _, rest = part.strip().partition(":")
        status, _, reason = rest.partition(":")
        measures.append(
            {
                "code": code.strip(),
                "status": status.strip() or None,
                "reason_code": reason.strip() or None,
            }
        )
    return measures


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _model_input(record: dict[str, Any]) -> dict[str, Any]:
    """A row's values as the model takes them: empty cells left out, lists split."""
    data: dict[str, Any] = {}
    for name, value in record.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "measures" and isinstance(value, str):
            value = parse_measures(value)
        elif name == "discrepancy_types" and isinstance(value, str):
            value = _split(value)
        data[name] = value
    return data


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    errors = [
        FieldError(("columns", name), "required column is missing")
        for name in REQUIRED
        if name not in columns
    ]
    errors += [
        FieldError(("columns", name), "unknown column (not a field of an inspection act)")
        for name in columns
        if name not in COLUMNS
    ]
    errors += [
        FieldError(("columns", name), "appears more than once")
        for index, name in enumerate(columns)
        if name in columns[:index]
    ]
    if errors:
        raise InvalidInput(f"{path}: the columns do not fit the format", errors)


def read_rows(path: Path, fmt: Format) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    """(row number, the row's values or why it cannot be read) for every row of the file.

    Raises InvalidInput (before anything is yielded) when the file is missing,
    empty, not UTF-8 text, binary, truncated, or its columns do not fit. The rows are
    read before the first is given, so that a file cut short is refused whole.
    """
    if not path.is_file():
        raise InvalidInput(f"{path} is not a readable file", [FieldError(("path",), "not found")])
    if fmt == "csv":
        textfiles.check_text_file(path, kind="CSV")
        return iter(list(_read_csv(path)))
    textfiles.check_text_file(path, kind="JSON Lines")
    return iter(list(_read_jsonl(path)))


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    # surrogateescape keeps undecodable bytes visible, so a row that is not UTF-8 is
    # reported on its own instead of failing the file.
    handle = path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")
    reader = csv.reader(handle)
    try:
        columns = [name.strip() for name in next(reader)]
    except StopIteration:
        handle.close()
        raise InvalidInput(f"{path} is empty", [FieldError(("path",), "no header row")]) from None
    except csv.Error as exc:
        handle.close()
        raise InvalidInput(
            f"{path}: the header cannot be read", [FieldError(("path",), str(exc))]
        ) from None
    try:
        textfiles.check_header(path, columns)
        _check_columns(path, columns)
    except InvalidInput:
        handle.close()
        raise

    def rows() -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
        number = 0
        values: list[str] = []
        with handle:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    if 0 < len(values) < len(columns) and not textfiles.ends_with_line_break(path):
                        raise textfiles.truncated_row(
                            path, number, len(values), len(columns)
                        ) from None
                    return
                except csv.Error as exc:
                    number += 1
                    yield number, Rejection(number, None, "row", f"is not valid CSV: {exc}")
                    continue
                if not values:
                    continue  # a blank line is no row
                number += 1
                if len(values) != len(columns):
                    reason = f"has {len(values)} fields, the header has {len(columns)}"
                    yield number, Rejection(number, _first(values), "row", reason)
                elif any(_UNDECODABLE.search(value) for value in values):
                    yield number, Rejection(number, None, "row", "is not valid UTF-8 text")
                else:
                    yield number, dict(zip(columns, values, strict=True))

    return rows()


def _first(values: Sequence[str]) -> str | None:
    return values[0] if values and not _UNDECODABLE.search(values[0]) else None


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | Rejection]]:
    with path.open(encoding="utf-8", errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            if _UNDECODABLE.search(line):
                yield number, Rejection(number, None, "row", "is not valid UTF-8 text")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                if not line.endswith("\n"):  # the last line, cut short
                    raise textfiles.truncated_line(path, number) from None
                reason = f"is not valid JSON: {exc.msg} at column {exc.colno}"
                yield number, Rejection(number, None, "row", reason)
                continue
            except RecursionError:
                yield number, Rejection(number, None, "row", "is nested too deeply")
                continue
            if not isinstance(record, dict):
                yield number, Rejection(number, None, "row", "is not a JSON object")
                continue
            yield number, record


# --------------------------------------------------------------------------- running


def import_acts(
    *,
    session_factory: sessionmaker[Session],
    path: Path,
    fmt: Format,
    recorded_by: str,
    report_path: Path | None = None,
) -> ImportReport:
    """Import the acts of a file; write the rejected rows to ``report_path`` (default:
    next to the file). Raises InvalidInput when the file cannot be read as the format;
    otherwise every row ends up recorded, unchanged or in the report."""
    started = wall_clock()  # the batch's start: the moment its rows are judged against
    report = ImportReport()
    inspectors: dict[str, frozenset[str] | FieldError | None] = {}
    for number, read in read_rows(path, fmt):
        report.rows_read += 1
        if isinstance(read, Rejection):
            report.rejections.append(read)
            continue
        declaration = _text(read.get("declaration_number"))
        try:
            act = InspectionActImport.model_validate(_model_input(read), context={"now": started})
        except ValidationError as exc:
            report.rejections += [
                Rejection(
                    number,
                    declaration,
                    ".".join(str(part) for part in error["loc"]) or "row",
                    str(error["msg"]).removeprefix("Value error, "),
                )
                for error in exc.errors()
            ]
            continue
        outcome = _record(session_factory, act, recorded_by, inspectors)
        if outcome == "recorded":
            report.acts_recorded += 1
        elif outcome == "unchanged":
            report.acts_unchanged += 1
        else:
            report.rejections += [
                Rejection(
                    number,
                    declaration,
                    ".".join(str(part) for part in error.loc) or "row",
                    error.msg,
                )
                for error in outcome
            ]
    report.rows_rejected = len({rejection.row for rejection in report.rejections})
    if report.rejections:
        target = report_path or default_report_path(path)
        _write_report(target, report.rejections)
        report.report_path = target
    return report


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _record(
    session_factory: sessionmaker[Session],
    act: InspectionActImport,
    recorded_by: str,
    inspectors: dict[str, frozenset[str] | FieldError | None],
) -> Literal["recorded", "unchanged"] | list[FieldError]:
    """Record one act in its own transaction: "recorded", "unchanged", or what is wrong."""
    with UnitOfWork(session_factory) as uow:
        if act.inspector not in inspectors:
            inspectors[act.inspector] = _inspector_scope(uow, act.inspector)
        scope = inspectors[act.inspector]
        if isinstance(scope, FieldError):
            return [scope]
        try:
            service.record(
                uow=uow,
                act_in=act,
                inspector=act.inspector,
                recorded_by=recorded_by,
                source="import",
                scope=scope,
            )
            uow.commit()
        except InvalidInput as exc:
            return list(exc.errors) or [FieldError(("row",), exc.detail)]
        except Conflict as exc:
            conflict = exc
        else:
            return "recorded"
    # A fresh transaction: the conflict may have come from the database and spoilt the last.
    with UnitOfWork(session_factory) as uow:
        if service.recorded_identically(uow=uow, act_in=act, inspector=act.inspector, scope=scope):
            return "unchanged"
    return [FieldError(("declaration_number",), conflict.detail)]


def _inspector_scope(uow: UnitOfWork, username: str) -> frozenset[str] | FieldError | None:
    """The offices the named inspector may record acts for, or why they may record none."""
    try:
        user = accounts_service.get_user(uow=uow, username=username)
    except NotFound:
        return FieldError(("inspector",), f"no user {username} exists")
    if not user.active:
        return FieldError(("inspector",), f"the account of {username} is deactivated")
    if not set(user.roles) & PERMISSIONS[Action.INSPECTIONS_RECORD]:
        return FieldError(
            ("inspector",), f"{username} does not hold a role that records inspections"
        )
    return accounts_service.offices_under(uow=uow, unit_code=user.unit)


def _write_report(path: Path, rejections: Sequence[Rejection]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        (rejection.row, rejection.declaration, rejection.field, rejection.reason)
        for rejection in sorted(rejections, key=lambda r: r.row)
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_csv(handle, REPORT_COLUMNS, rows)
