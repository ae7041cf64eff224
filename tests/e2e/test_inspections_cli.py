"""``corridor inspections import`` as an operator runs it, on SQLite and PostgreSQL.

The inspections Typer app is invoked in-process (like the journal's tests); the
unfit file goes through the real ``corridor`` command in a subprocess, for the
exit code its error maps to.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from corridor.config import get_settings
from corridor.db.tables import InspectionActRow, JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.errors import InvalidInput
from corridor.inspections.cli import app
from corridor.inspections.importers import COLUMNS
from corridor.terminal import cli_actor
from tests.integration.inspections.world import INSPECTED_AT, activate_cars, submit
from tests.staff import seed_staff

FIRST, SECOND, THIRD = "KGBSK/1", "KGBSK/2", "KGBSK/3"
GOOD: dict[str, str] = {
    "declaration_number": FIRST,
    "measures": "109:applied;601:not_applied:DOCS-SUFFICIENT",
    "outcome": "discrepancy",
    "discrepancy_types": "valuation;origin",
    "additional_duties": "48500.50",
    "seizure": "false",
    "minutes_spent": "95",
    "notes": "Инвойс занижен на 40 %; сертификат происхождения поддельный.",
    "inspector": "inspector.post1",
    "inspected_at": INSPECTED_AT,
}
CLEAN: dict[str, str] = {
    **GOOD,
    "declaration_number": SECOND,
    "measures": "109:applied;601:applied",
    "outcome": "no_discrepancy",
    "discrepancy_types": "",
    "additional_duties": "",
    "notes": "",
}


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    # Settings are read once per process; each test names its own database.
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Staff, the cars profile, and three red declarations in Bishkek."""
    seed_staff(session_factory)
    activate_cars(session_factory)
    for number in (FIRST, SECOND, THIRD):
        assert submit(session_factory, number).decision.channel == "red"
    return session_factory


def inspections(url: str, *args: str) -> Result:
    """Run ``corridor inspections …`` on ``url``."""
    return CliRunner().invoke(app, list(args), env={"CORRIDOR_DATABASE_URL": url, "COLUMNS": "200"})


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def report_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def acts(factory: sessionmaker[Session]) -> list[dict[str, Any]]:
    with UnitOfWork(factory) as uow:
        rows = uow.session.scalars(select(InspectionActRow).order_by(InspectionActRow.id))
        return [
            {
                "declaration_id": row.declaration_id,
                "inspector": row.inspector,
                "recorded_by": row.recorded_by,
                "source": row.source,
                "notes": row.notes,
                "measures": row.measures,
                "discrepancy_types": row.discrepancy_types,
                "additional_duties": row.additional_duties,
            }
            for row in rows
        ]


def journalled(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with UnitOfWork(factory) as uow:
        rows = uow.session.scalars(
            select(JournalEntryRow).where(JournalEntryRow.action == "inspection.record")
        )
        return [(row.actor, row.object_id) for row in rows]


def test_a_good_file_is_recorded_once(
    world: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "acts.csv", [GOOD, CLEAN])
    result = inspections(database_url, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "rows read: 2; acts recorded: 2;" in result.output
    assert not (tmp_path / "acts.rejected.csv").exists()
    first, second = acts(world)
    assert (first["inspector"], first["recorded_by"], first["source"]) == (
        "inspector.post1",
        cli_actor(),
        "import",
    )
    assert first["notes"] == GOOD["notes"]  # read as UTF-8
    assert first["measures"] == [
        {"code": "109", "status": "applied", "reason_code": None},
        {"code": "601", "status": "not_applied", "reason_code": "DOCS-SUFFICIENT"},
    ]
    assert first["discrepancy_types"] == ["valuation", "origin"]
    assert str(first["additional_duties"]) == "48500.5"
    assert second["discrepancy_types"] == []
    assert journalled(world) == [(cli_actor(), f"{FIRST}/1#1"), (cli_actor(), f"{SECOND}/1#1")]
    again = inspections(database_url, "import", str(path))
    assert again.exit_code == 0, again.output
    assert "acts recorded: 0; already recorded (identical): 2; rows rejected: 0" in again.output
    assert len(acts(world)) == 2


def test_rejected_rows_are_reported_beside_the_file_and_exit_5(
    world: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "paper.csv",
        [
            {**GOOD, "measures": "109:applied;601:not_applied:LUNCH-BREAK"},  # 1
            {**GOOD, "declaration_number": "KGBSK/404"},  # 2
            GOOD,  # 3: recorded
            {**CLEAN, "inspector": "inspector.post2"},  # 4: Osh may not record Bishkek
            {**CLEAN, "inspector": "nobody.here"},  # 5
            {**CLEAN, "discrepancy_types": "valuation"},  # 6
            {**CLEAN, "declaration_number": THIRD, "inspector": "risk_analyst"},  # 7
        ],
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write("KGBSK/3,too,few\n")  # 8
    with path.open("ab") as handle:  # 9: not UTF-8 (Latin-1 é)
        handle.write(
            b"KGBSK/3,,,109:applied,no_discrepancy,,,,,,caf\xe9,inspector.post1,"
            + INSPECTED_AT.encode()
            + b"\n"
        )
    result = inspections(database_url, "import", str(path))
    assert result.exit_code == 5, result.output
    assert "rows read: 9; acts recorded: 1;" in result.output
    assert "rows rejected: 8" in result.output
    report = report_of(tmp_path / "paper.rejected.csv")
    assert list(report[0]) == ["row", "declaration", "field", "reason"]
    by_row = {int(r["row"]): (r["declaration"], r["field"], r["reason"]) for r in report}
    assert set(by_row) == {1, 2, 4, 5, 6, 7, 8, 9}
    assert by_row[1][:2] == (FIRST, "measures.1.reason_code")
    assert "unknown reason code 'LUNCH-BREAK'" in by_row[1][2]
    assert by_row[2] == (
        "KGBSK/404",
        "declaration_number",
        "declaration KGBSK/404 is not stored in the offices of the caller",
    )
    assert by_row[4][:2] == (SECOND, "declaration_number")
    assert by_row[5] == (SECOND, "inspector", "no user nobody.here exists")
    assert by_row[6][1:] == (
        "discrepancy_types",
        "must be empty when the outcome is no_discrepancy",
    )
    assert by_row[7][1] == "inspector"
    assert by_row[8] == ("KGBSK/3", "row", "has 3 fields, the header has 13")
    assert by_row[9][1:] == ("row", "is not valid UTF-8 text")
    assert len(acts(world)) == 1


def test_allow_partial_exits_0_and_still_reports(
    world: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "acts.csv", [GOOD, {**CLEAN, "minutes_spent": "99999"}])
    report = tmp_path / "elsewhere" / "rejected.csv"
    result = inspections(
        database_url, "import", str(path), "--allow-partial", "--report", str(report)
    )
    assert result.exit_code == 0, result.output
    assert "acts recorded: 1;" in result.output
    (row,) = report_of(report)
    assert (row["row"], row["declaration"], row["field"]) == ("2", SECOND, "minutes_spent")


def test_a_malformed_json_line_is_a_rejected_row(
    world: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    api_shape = {
        **{k: v for k, v in CLEAN.items() if v},
        "measures": [{"code": "109", "status": "applied"}, {"code": "601", "status": "applied"}],
        "minutes_spent": 40,
        "seizure": False,
    }
    path = tmp_path / "acts.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({k: v for k, v in GOOD.items() if v}, ensure_ascii=False),
                '{"declaration_number": "KGBSK/3", "measures": ',
                "[1, 2]",
                "[" * 100_000 + "]" * 100_000,
                "",
                json.dumps(api_shape),
                json.dumps({**api_shape, "declaration_number": THIRD, "colour": "red"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = inspections(database_url, "import", str(path))
    assert result.exit_code == 5, result.output
    assert "acts recorded: 2;" in result.output
    report = {int(r["row"]): r for r in report_of(tmp_path / "acts.rejected.csv")}
    assert set(report) == {2, 3, 4, 7}
    assert report[2]["field"] == "row"
    assert report[2]["reason"].startswith("is not valid JSON")
    assert report[3]["reason"] == "is not a JSON object"
    assert report[4]["reason"] == "is nested too deeply"
    assert (report[7]["declaration"], report[7]["field"]) == (THIRD, "colour")


def test_format_options(world: sessionmaker[Session], database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "acts.txt", [GOOD])
    unknown = inspections(database_url, "import", str(path))
    assert unknown.exit_code == 2
    assert "give csv or jsonl" in unknown.output
    assert inspections(database_url, "import", str(path), "--format", "xml").exit_code == 2
    chosen = inspections(database_url, "import", str(path), "--format", "csv")
    assert chosen.exit_code == 0, chosen.output
    assert "acts recorded: 1;" in chosen.output


def test_an_unfit_file_is_refused_whole(
    world: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "acts.csv",
        [{"declaration_number": FIRST, "colour": "red"}],
        columns=("declaration_number", "colour"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "corridor.cli", "inspections", "import", str(path)],
        cwd=tmp_path,
        env={**os.environ, "CORRIDOR_DATABASE_URL": database_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "columns.colour: unknown column" in result.stderr
    assert "columns.measures: required column is missing" in result.stderr
    assert acts(world) == []
    twice = tmp_path / "twice.csv"
    twice.write_text(",".join((*COLUMNS, "notes")) + "\n", encoding="utf-8")
    refused = inspections(database_url, "import", str(twice))
    assert isinstance(refused.exception, InvalidInput)
    assert [e.loc for e in refused.exception.errors] == [("columns", "notes")]
