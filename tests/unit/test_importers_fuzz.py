"""Random bytes given to every importer: the project's own errors, never a traceback.

Each importer's reading and validation (declarations: flat CSV, JSON Lines, Parquet
and the CDD dataset; inspection acts: CSV and JSON Lines; named lists: CSV text;
risk profiles: YAML files) is fed random bytes, random bytes after a valid header,
and valid files cut at a random byte or re-encoded. What may come out is a result
or :class:`~corridor.errors.InvalidInput` — never ``UnicodeDecodeError``,
``csv.Error``, ``KeyError`` or any other exception of a library.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.declarations import bulk
from corridor.declarations.importers import CDD_COLUMNS, REQUIRED_FLAT, cdd_to_flat, read_frame
from corridor.errors import InvalidInput
from corridor.inspections.importers import REQUIRED, read_rows
from corridor.profiles.files import read_profiles
from corridor.profiles.service import parse_list_csv
from tests.examples import examples

T = TypeVar("T")

FLAT_HEADER = ",".join(REQUIRED_FLAT).encode() + b"\n"
CDD_HEADER = ",".join(CDD_COLUMNS).encode() + b"\n"
ACTS_HEADER = ",".join(REQUIRED).encode() + b"\n"
FLAT_ROW = (
    "A/1,IM,40,KGBSK,2026-01-05T10:00:00+06:00,D1,30,USD,1,8703231990,CN,100\n"
    '"B/1",IM,40,KGBSK,2026-01-05T10:00:00+06:00,"Декларант, ООО",30,USD,1,8703231990,CN,5\n'
).encode()


@st.composite
def hostile(draw: st.DrawFn, header: bytes, row: bytes = b"") -> bytes:
    """Random bytes; random bytes after a valid header; a valid file cut or re-encoded."""
    kind = draw(st.sampled_from(["noise", "after header", "cut", "re-encoded", "spliced"]))
    noise = draw(st.binary(max_size=600))
    whole = header + row * draw(st.integers(1, 3))
    if kind == "noise":
        return noise
    if kind == "after header":
        return header + noise
    if kind == "cut":
        return whole[: draw(st.integers(0, len(whole)))]
    if kind == "re-encoded":
        encoding = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "cp1251", "utf-8-sig"]))
        return whole.decode().encode(encoding)
    at = draw(st.integers(0, len(whole)))
    return whole[:at] + noise + whole[at:]


FUZZ = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def _written(content: bytes, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="corridor-fuzz-") as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        yield path


def _outcome(call: Callable[[], T]) -> T | InvalidInput:
    """What ``call`` returns, or the InvalidInput it raises (anything else fails the test)."""
    try:
        return call()
    except InvalidInput as refused:
        return refused


def _declarations(content: bytes, name: str, fmt: str) -> None:
    with _written(content, name) as path:
        read = _outcome(lambda: read_frame(path, "cdd" if fmt == "cdd" else "flat"))
    if isinstance(read, InvalidInput):
        assert read.detail
        return
    frame = read[0]
    if fmt == "cdd":
        frame, _, _ = cdd_to_flat(frame)
    bulk.validate_rows(frame, context={"now": datetime.now(UTC)})


@FUZZ
@given(hostile(FLAT_HEADER, FLAT_ROW))
def test_flat_csv_declarations(content: bytes) -> None:
    _declarations(content, "in.csv", "flat")


@FUZZ
@given(hostile(b'{"number": "A/1", "flow": "IM"}\n', b'{"hs_code": "8703231990"}\n'))
def test_json_lines_declarations(content: bytes) -> None:
    _declarations(content, "in.jsonl", "flat")


@FUZZ
@given(st.one_of(st.binary(max_size=600), hostile(b"PAR1")))
def test_parquet_declarations(content: bytes) -> None:
    _declarations(content, "in.parquet", "flat")


@FUZZ
@given(hostile(CDD_HEADER, b"1,2020-01-01," + b"x," * 19 + b"0\n"))
def test_cdd_declarations(content: bytes) -> None:
    _declarations(content, "in.csv", "cdd")


@FUZZ
@given(
    hostile(ACTS_HEADER, b"KGBSK/1,109:applied,no_discrepancy,30,inspector.post1,2026-10-01\n"),
    st.sampled_from(["csv", "jsonl"]),
)
def test_inspection_acts(content: bytes, fmt: str) -> None:
    with _written(content, f"acts.{fmt}") as path:
        rows = _outcome(lambda: list(read_rows(path, "csv" if fmt == "csv" else "jsonl")))
    if isinstance(rows, InvalidInput):
        assert rows.detail
        return
    assert all(number >= 1 for number, _ in rows)


@FUZZ
@given(hostile(b"importer,origin\n", b"KG00000001,CN\n"))
def test_list_csv(content: bytes) -> None:
    # The edges decode the upload (the web page refuses what is not UTF-8, the API what
    # is not text); what reaches the service is any text at all.
    text = content.decode("utf-8", errors="replace")
    entries = _outcome(
        lambda: parse_list_csv(name="WATCH", text=text, key_fields=["importer", "origin"])
    )
    if isinstance(entries, InvalidInput):
        assert entries.errors
        return
    assert all(len(entry) == 2 for entry in entries)


@FUZZ
@given(hostile(b"code: NAT-2026-0001\ntitle: A profile\n", b"risk_area: valuation\n"))
def test_profile_yaml(content: bytes) -> None:
    with _written(content, "NAT-2026-0001.yaml") as path:
        profiles = _outcome(lambda: read_profiles(path.parent))
    if isinstance(profiles, InvalidInput):
        assert profiles.errors
    else:
        assert [profile.code for profile in profiles] == ["NAT-2026-0001"]
