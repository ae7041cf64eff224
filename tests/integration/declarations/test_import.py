"""Bulk import: formats, the rejection report, idempotent re-runs, the CDD mapping."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import DeclarationRow, GoodsItemRow, GroundTruthRow, ImportRunRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service
from corridor.declarations.importers import import_file
from corridor.declarations.schemas import DeclarationCreate
from corridor.declarations.service import Submission
from corridor.errors import InvalidInput
from tests.factories import declaration, flat_rows, item, write_flat_csv

# The public dataset lives beside the repository (../shared/data); CI names it explicitly
# so that its absence fails the run instead of skipping the test.
SHARED_DATA = Path(
    os.environ.get("CORRIDOR_SHARED_DATA")
    or Path(__file__).resolve().parents[3].parent / "shared" / "data"
)


def count(factory: sessionmaker[Session], table: type) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def run(factory: sessionmaker[Session], path: Path, fmt: str = "flat") -> Any:
    return import_file(
        session_factory=factory,
        path=path,
        fmt=fmt,  # type: ignore[arg-type]
        report_path=path.with_suffix(".rejected.csv"),
        batch_size=2,
    )


def three_declarations() -> list[dict[str, Any]]:
    return [
        declaration("A/1"),
        declaration("B/1", items=[item(1, description='naïve café, "quoted"\nline')]),
        declaration("C/1", flow="EX", procedure="10", importer=None, attributes={}),
    ]


def store_as_the_api_does(uow: UnitOfWork, declaration_in: DeclarationCreate) -> Submission:
    """Store one declaration as the API's edge does: committed, retried on a unique key."""
    return uow.retrying(
        lambda retry: service.store(
            uow=uow, declaration_in=declaration_in, source="api", retry=retry
        ),
        attempts=service.STORE_ATTEMPTS,
        exhausted=lambda: service.stored_concurrently(declaration_in),
    )


def test_flat_csv_is_stored_exactly_as_the_api_would(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    payloads = three_declarations()
    write_flat_csv(tmp_path / "in.csv", payloads)
    report = run(session_factory, tmp_path / "in.csv")
    assert (report.rows_read, report.declarations_created, report.rows_rejected) == (5, 3, 0)
    assert report.report_path is None
    assert count(session_factory, GoodsItemRow) == 5
    # The API recognises every imported declaration as identical content.
    for payload in payloads:
        with UnitOfWork(session_factory) as uow:
            again = store_as_the_api_does(uow, DeclarationCreate.model_validate(payload))
        assert not again.created, payload["number"]
    with UnitOfWork(session_factory) as uow:
        stored = service.get(uow=uow, number="B/1")
    assert stored.items[0].description == 'naïve café, "quoted"\nline'
    assert stored.source == "import:flat"
    assert stored.attributes == {"payment_type": "11"}


def test_api_then_import_is_unchanged(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    payloads = three_declarations()
    for payload in payloads:
        with UnitOfWork(session_factory) as uow:
            store_as_the_api_does(uow, DeclarationCreate.model_validate(payload))
    write_flat_csv(tmp_path / "in.csv", payloads)
    report = run(session_factory, tmp_path / "in.csv")
    assert (report.declarations_created, report.declarations_unchanged) == (0, 3)


def test_rerun_creates_nothing_twice(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    write_flat_csv(tmp_path / "in.csv", three_declarations())
    run(session_factory, tmp_path / "in.csv")
    again = run(session_factory, tmp_path / "in.csv")
    assert (again.declarations_created, again.declarations_unchanged) == (0, 3)
    assert count(session_factory, DeclarationRow) == 3
    assert count(session_factory, ImportRunRow) == 2


def test_rejected_rows_are_reported_with_row_and_reason(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    good = declaration("OK/1")
    bad_item = declaration("BAD/1", items=[item(1), item(2, hs_code="87", origin="XX")])
    rows = [
        *flat_rows(good),  # rows 1-2
        *flat_rows(bad_item),  # rows 3-4: row 4 has two errors, row 3 goes with it
    ]
    inconsistent = flat_rows(declaration("MIX/1"))  # rows 5-6, currency differs on row 6
    inconsistent[1]["currency"] = "EUR"
    rows += inconsistent
    gap = flat_rows(declaration("GAP/1", version=3, items=[item(1)]))  # row 7
    rows += gap
    no_number = flat_rows(declaration("X", items=[item(1)]))  # row 8
    no_number[0]["number"] = ""
    rows += no_number
    path = tmp_path / "in.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        handle.write("only,three,fields\n")  # row 9: ragged
    report = run(session_factory, path)
    assert report.rows_read == 9
    assert report.declarations_created == 1
    assert report.rows_rejected == 7
    lines = read_report(path.with_suffix(".rejected.csv"))
    by_row: dict[int, list[dict[str, str]]] = {}
    for line in lines:
        by_row.setdefault(int(line["row"]), []).append(line)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert {line["field"] for line in by_row[4]} == {"hs_code", "origin"}
    assert "6 to 10 digits" in next(x for x in by_row[4] if x["field"] == "hs_code")["reason"]
    assert by_row[3][0]["reason"].startswith("rejected with its declaration")
    assert by_row[6][0]["field"] == "currency"
    assert "differs from row 5" in by_row[6][0]["reason"]
    assert by_row[7][0]["field"] == "version"
    assert "would leave a gap" in by_row[7][0]["reason"]
    assert by_row[8][0]["field"] == "number"
    assert "the header has" in by_row[9][0]["reason"]
    assert all(line["declaration"] == "BAD/1" for line in by_row[3] + by_row[4])
    assert count(session_factory, DeclarationRow) == 1
    assert count(session_factory, GoodsItemRow) == 2


def test_cross_field_rules_apply_in_bulk(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    payloads = [
        declaration("N/1", items=[item(1), item(3)]),
        declaration("P/1", flow="EX", procedure="40"),
        declaration("M/1", items=[item(1, net_mass_kg="10", gross_mass_kg="9")]),
    ]
    write_flat_csv(tmp_path / "in.csv", payloads)
    report = run(session_factory, tmp_path / "in.csv")
    reasons = {(r.number, r.reason) for r in report.rejections}
    assert ("N/1", "goods items must be numbered 1..2 in order without gaps, got [1, 3]") in reasons
    assert any(n == "P/1" and "belongs to flow IM" in text for n, text in reasons)
    assert ("M/1", "gross_mass_kg 9 is below net_mass_kg 10") in reasons
    assert report.declarations_created == 0


def test_jsonl_and_parquet(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    payloads = three_declarations()
    rows = [row for payload in payloads for row in flat_rows(payload)]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(row) for row in rows[:3]) + "\n{not json\n", encoding="utf-8"
    )
    first = run(session_factory, jsonl)
    assert (first.declarations_created, first.rows_rejected) == (2, 1)
    assert "not valid JSON" in first.rejections[0].reason
    parquet = tmp_path / "in.parquet"
    pl.DataFrame(rows, infer_schema_length=None).write_parquet(parquet)
    second = run(session_factory, parquet)
    assert (second.declarations_created, second.declarations_unchanged) == (1, 2)


def test_unknown_or_missing_columns_refuse_the_file(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("number,colour\nA/1,red\n")
    with pytest.raises(InvalidInput) as caught:
        run(session_factory, path)
    fields = {error.loc[-1] for error in caught.value.errors}
    assert {"colour", "hs_code", "currency"} <= fields
    assert count(session_factory, DeclarationRow) == 0
    with pytest.raises(InvalidInput, match="unknown file type"):
        run(session_factory, tmp_path / "in.xlsx") if (tmp_path / "in.xlsx").write_text(
            "x"
        ) else None


@pytest.mark.skipif(
    not SHARED_DATA.is_dir() and "CORRIDOR_SHARED_DATA" not in os.environ,
    reason="shared data folder is absent",
)
def test_cdd_mapping_on_the_shared_file(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    source = SHARED_DATA / "df_syn_valid_eng.csv"
    raw = pl.read_csv(source, infer_schema=False)
    report = import_file(
        session_factory=session_factory,
        path=source,
        fmt="cdd",
        report_path=tmp_path / "cdd.rejected.csv",
    )
    assert report.rows_read == raw.height == 8134
    rejected_ids = {r.number for r in report.rejections}
    assert report.declarations_created == raw.height - len(rejected_ids)
    # Every rejection names a reason; the dataset's unknown origin "ZZ" is one of them.
    assert all(r.reason for r in report.rejections)
    assert {r.field for r in report.rejections} <= {"origin", "declaration"}
    accepted = raw.filter(~("CDD-" + pl.col("Declaration ID")).is_in(list(rejected_ids)))
    with session_factory() as session:
        truths = session.execute(select(GroundTruthRow.fraud, GroundTruthRow.critical_fraud)).all()
    assert len(truths) == accepted.height
    assert sum(fraud for fraud, _ in truths) == (accepted["Fraud"] == "1").sum()
    assert sum(1 for _, c in truths if c == 2) == (accepted["Critical Fraud"] == "2").sum()
    first = accepted.row(0, named=True)
    with UnitOfWork(session_factory) as uow:
        stored = service.get(uow=uow, number=f"CDD-{first['Declaration ID']}")
    assert stored.office == f"CDD{first['Office ID']}"
    assert stored.registered_at.date().isoformat() <= first["Date"]
    assert stored.items[0].hs_code == first["HS6 Code"]
    assert stored.items[0].origin == first["Country of Origin"]
    assert stored.transport_mode == int(first["Mode of Transport"])
    assert stored.currency == "KRW"
    assert stored.attributes["import_type"] == first["Import Type"]
    assert stored.items[0].attributes["tax_type"] == first["Tax Type"]
    assert abs(float(stored.items[0].customs_value or 0) - float(first["Item Price"])) < 0.01


def test_rows_that_are_not_utf8_are_reported_not_fatal(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    write_flat_csv(path, [declaration("U/1", items=[item(1, description="cafe")])])
    text = path.read_bytes().replace(b"cafe", b"caf\xe9")
    path.write_bytes(text + b"\n")
    report = run(session_factory, path)
    assert (report.rows_read, report.rows_rejected) == (1, 1)
    assert report.rejections[0].reason == "is not valid UTF-8 text"
    assert count(session_factory, DeclarationRow) == 0


def test_jsonl_without_a_readable_row(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"number": "A/2"\n\xff\xfe\n')
    report = run(session_factory, path)
    assert (report.rows_read, report.rows_rejected) == (2, 2)
    assert [r.reason[:18] for r in report.rejections] == [
        "is not valid JSON:",
        "is not valid UTF-8",
    ]
