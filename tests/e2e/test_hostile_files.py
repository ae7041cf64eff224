"""Hostile files given to the importers, and formulas planted in what they report back.

The real ``corridor`` command in subprocesses on a SQLite file: a file in UTF-16, a
binary file or a truncated one is refused whole with exit code 2 and one line naming
the file and the problem (never a traceback), and nothing is stored; a rejected row
whose cells begin like a spreadsheet formula comes back in the rejection report as
text (an apostrophe in front).
"""

from __future__ import annotations

import csv
import random
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import run_corridor
from tests.factories import declaration, item, write_flat_csv

HEADER = (
    "number,version,flow,procedure,office,registered_at,declarant,importer,transport_mode,"
    "currency,item_no,hs_code,origin,invoice_value,description\n"
)
ROW = "A/{n},1,IM,40,KGBSK,2026-01-05T10:00:00+06:00,D1,I1,30,USD,1,8703231990,CN,100,{text}\n"
GOOD = HEADER + ROW.format(n=1, text="автомобиль") + ROW.format(n=2, text="шины")
FORMULA = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://example.test/","open")'
ACT_COLUMNS = "declaration_number,measures,outcome,minutes_spent,inspector,inspected_at\n"
ACT = "KGBSK/1,109:applied,no_discrepancy,30,inspector.post1,2026-10-01T14:10:00+06:00\n"


def corridor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_corridor(
        *args, database_url=f"sqlite:///{tmp_path / 'cli.db'}", cwd=tmp_path, columns=250
    )


def _cut_inside_character(text: str) -> bytes:
    data = text.encode()
    return data[: data.index("шины".encode()) + 1]  # one byte of a two-byte letter


def _cut_mid_row(text: str) -> bytes:
    data = text.encode()
    return data[: data.rindex(b"KGBSK")]


def _noise(size: int) -> bytes:
    return random.Random(14).randbytes(size)


#: (file name, its bytes, what the message must say)
DECLARATION_FILES: list[tuple[str, Callable[[], bytes], str]] = [
    ("utf16.csv", lambda: GOOD.encode("utf-16"), "is UTF-16 text, not UTF-8"),
    ("utf16-le.csv", lambda: GOOD.encode("utf-16-le"), "looks like UTF-16 text"),
    ("utf32.csv", lambda: GOOD.encode("utf-32"), "is UTF-32 text, not UTF-8"),
    ("random.csv", lambda: _noise(4000), "not CSV text"),
    ("image.csv", lambda: b"\x89PNG\r\n\x1a\n" + _noise(300), "is a PNG image, not CSV text"),
    ("book.csv", lambda: b"PK\x03\x04" + _noise(300), "is a ZIP archive"),
    ("cut.csv", lambda: _cut_inside_character(GOOD), "ends inside a multi-byte character"),
    ("short.csv", lambda: _cut_mid_row(GOOD), "ends in the middle of row 2"),
    ("quoted.csv", lambda: (HEADER + 'A/1,1,IM,"40,KGBSK').encode(), "inside a quoted value"),
    ("latin.csv", lambda: HEADER.replace("number", "numéro").encode("latin-1"), "header row"),
    ("utf16.jsonl", lambda: '{"number": "A/1"}\n'.encode("utf-16"), "is UTF-16 text"),
    ("random.jsonl", lambda: _noise(4000), "not JSON Lines text"),
    ("cut.jsonl", lambda: b'{"number": "A/1"}\n{"number": "A/', "ends in the middle of line 2"),
    ("random.parquet", lambda: _noise(4000), "is not a readable Parquet file"),
]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied into each test's directory."""
    directory = tmp_path_factory.mktemp("migrated")
    assert corridor(directory, "db", "upgrade").returncode == 0
    return directory / "cli.db"


def _fresh(migrated: Path, tmp_path: Path) -> None:
    (tmp_path / "cli.db").write_bytes(migrated.read_bytes())


def _count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        found: int = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return found


@pytest.mark.parametrize(
    ("name", "content", "problem"), DECLARATION_FILES, ids=[f[0] for f in DECLARATION_FILES]
)
def test_a_hostile_declaration_file_is_refused_with_exit_2(
    migrated: Path, tmp_path: Path, name: str, content: Callable[[], bytes], problem: str
) -> None:
    _fresh(migrated, tmp_path)
    (tmp_path / name).write_bytes(content())
    result = corridor(tmp_path, "import", name, "--report", "rejected.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert message[0].startswith(f"error: {name}"), result.stderr
    assert problem in " ".join(message), result.stderr
    assert _count(tmp_path, "declarations") == 0
    assert not (tmp_path / "rejected.csv").exists()


def test_the_same_file_whole_is_imported(migrated: Path, tmp_path: Path) -> None:
    """The refusals above are about the files, not their content: whole, it is stored."""
    _fresh(migrated, tmp_path)
    (tmp_path / "good.csv").write_bytes(GOOD.encode())
    result = corridor(tmp_path, "import", "good.csv")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _count(tmp_path, "declarations") == 2
    (tmp_path / "no-break.csv").write_bytes(GOOD.replace("A/", "B/").rstrip("\n").encode())
    assert corridor(tmp_path, "import", "no-break.csv").returncode == 0
    assert _count(tmp_path, "declarations") == 4


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("acts.csv", (ACT_COLUMNS + ACT).encode("utf-16"), "is UTF-16 text, not UTF-8"),
        ("acts-random.csv", _noise(3000), "not CSV text"),
        ("acts-cut.csv", (ACT_COLUMNS + ACT + ACT[:30]).encode(), "ends in the middle of row 2"),
        ("acts.jsonl", b"\x00\x01\x02" * 100, "not JSON Lines text"),
        ("acts-cut.jsonl", b'{"outcome": "no_discrepancy"}\n{"outc', "the middle of line 2"),
    ],
)
def test_a_hostile_file_of_acts_is_refused_with_exit_2(
    migrated: Path, tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    _fresh(migrated, tmp_path)
    (tmp_path / name).write_bytes(content)
    result = corridor(tmp_path, "inspections", "import", name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {name}"), result.stderr
    assert problem in result.stderr
    assert not list(tmp_path.glob("*.rejected.csv"))


def _report(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_formulas_in_a_declaration_file_come_back_as_text(migrated: Path, tmp_path: Path) -> None:
    _fresh(migrated, tmp_path)
    write_flat_csv(
        tmp_path / "in.csv",
        [
            declaration(FORMULA),
            declaration(HYPERLINK, items=[item(1, hs_code="12")]),
            declaration("-2+3", items=[item(1, hs_code="12")]),
        ],
    )
    result = corridor(tmp_path, "import", "in.csv", "--report", "rejected.csv")
    assert result.returncode == 5, result.stdout + result.stderr
    report = _report(tmp_path / "rejected.csv")
    declarations = {row["declaration"] for row in report}
    assert declarations == {f"'{FORMULA}", f"'{HYPERLINK}", "'-2+3"}
    assert {row["row"] for row in report} == {"1", "2", "3", "4"}  # numbers stay numbers
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in report for cell in r.values())


def test_formulas_in_a_file_of_acts_come_back_as_text(migrated: Path, tmp_path: Path) -> None:
    _fresh(migrated, tmp_path)
    rows = [ACT.replace("KGBSK/1", value, 1) for value in (FORMULA, "@SUM(A1)", "+1")]
    rows.append(ACT.replace("KGBSK/1", "\tTAB", 1))
    (tmp_path / "acts.csv").write_text(ACT_COLUMNS + "".join(rows), encoding="utf-8")
    result = corridor(tmp_path, "inspections", "import", "acts.csv")
    assert result.returncode == 5, result.stdout + result.stderr
    report = _report(tmp_path / "acts.rejected.csv")
    assert {row["declaration"] for row in report} >= {f"'{FORMULA}", "'@SUM(A1)", "'+1"}
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t")) for r in report for cell in r.values()
    )


def test_bidirectional_controls_are_rejected_rows_of_the_bulk_imports(
    migrated: Path, tmp_path: Path
) -> None:
    """The bulk paths refuse them as the API does, naming the field and the character."""
    _fresh(migrated, tmp_path)
    (tmp_path / "in.csv").write_text(
        HEADER + ROW.format(n=1, text="cars \u202egnp.exe") + ROW.format(n=2, text="cars"),
        encoding="utf-8",
    )
    result = corridor(tmp_path, "import", "in.csv", "--report", "rejected.csv")
    assert result.returncode == 5, result.stdout + result.stderr
    assert _report(tmp_path / "rejected.csv") == [
        {
            "row": "1",
            "declaration": "A/1",
            "version": "1",
            "field": "description",
            "reason": "bidirectional control character U+202E is not allowed",
        }
    ]
    assert _count(tmp_path, "declarations") == 1

    notes = ACT_COLUMNS.rstrip("\n") + ",notes\n" + ACT.rstrip("\n") + ",paid \u2067in full\n"
    (tmp_path / "acts.csv").write_text(notes, encoding="utf-8")
    acts = corridor(tmp_path, "inspections", "import", "acts.csv")
    assert acts.returncode == 5, acts.stdout + acts.stderr
    reasons = {(r["field"], r["reason"]) for r in _report(tmp_path / "acts.rejected.csv")}
    assert ("notes", "bidirectional control character U+2067 is not allowed") in reasons
