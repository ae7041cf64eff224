"""Files given to the importers: UTF-8 text, whole, or refused with what is wrong.

The importers read CSV and JSON Lines as UTF-8 and report a row they cannot read
on its own (a stray Latin-1 byte, a malformed line). A file that is not text at
all, or not all there, is refused whole before anything is written, with one line
naming the file and the problem, instead of a row-by-row report of nonsense or a
traceback:

* text in UTF-16 or UTF-32 (with a byte-order mark, or the NUL bytes of one
  without), and binary files: a known signature (a spreadsheet workbook is a ZIP
  archive, an image, a PDF, a Parquet file given as CSV) or NUL bytes;
* a header row that is not UTF-8 text;
* a truncated file: it ends inside a multi-byte character, inside a quoted CSV
  value, or in the middle of its last row (no line break at the end, and a CSV
  row short of fields or a JSON line that does not parse).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from corridor.errors import InvalidInput

#: How much of the beginning of a file is examined for encodings and signatures.
_HEAD_BYTES: Final = 64 * 1024
_BLOCK: Final = 1024 * 1024
_BOMS: Final = (
    # UTF-32 LE first: its mark begins with UTF-16 LE's.
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SIGNATURES: Final = (
    (b"PK\x03\x04", "a ZIP archive (a spreadsheet workbook such as .xlsx is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document of the old format (.xls, .doc)"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
_UNDECODABLE: Final = re.compile("[\udc80-\udcff]")


def refuse(path: Path, problem: str) -> InvalidInput:
    """The error refusing ``path`` whole: one line naming the file and the problem."""
    return InvalidInput(f"{path}: {problem}; nothing was imported")


def check_text_file(path: Path, *, kind: str) -> None:
    """Raise InvalidInput when ``path`` is not UTF-8 text of ``kind`` ("CSV", "JSON Lines"):
    another encoding, a binary file, or cut inside a character or a quoted CSV value.
    An empty file passes (the importers say it has no header)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        return
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            raise refuse(path, f"is {encoding} text, not UTF-8; save it as UTF-8")
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise refuse(path, f"is {what}, not {kind} text")
    if b"\x00" in head:
        raise refuse(path, _nul_problem(head, kind))
    tail = _tail(path, 4)
    if _ends_inside_character(tail):
        raise refuse(path, "ends inside a multi-byte character: the file is truncated")
    if kind == "CSV" and not tail.endswith((b"\n", b"\r")) and _quotes_are_odd(path):
        raise refuse(path, "ends inside a quoted value: the file is truncated")


def _nul_problem(head: bytes, kind: str) -> str:
    # UTF-16 without a byte-order mark puts a NUL beside every ASCII character.
    even, odd = head[0::2], head[1::2]
    if max(even.count(0), odd.count(0)) > len(head) // 4:
        return "looks like UTF-16 text (NUL bytes between the characters), not UTF-8"
    return f"holds NUL bytes: it is a binary file, not {kind} text"


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - size))
        return handle.read()


def _ends_inside_character(tail: bytes) -> bool:
    """Whether the last bytes begin a UTF-8 sequence that the file does not finish."""
    for back in range(1, min(4, len(tail)) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for its lead
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
        return byte >= 0xC0 and back < needed
    return False


def _quotes_are_odd(path: Path) -> bool:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            count += block.count(b'"')
    return count % 2 == 1


def ends_with_line_break(path: Path) -> bool:
    """Whether the file's last byte ends a line (an empty file counts as ended)."""
    tail = _tail(path, 1)
    return not tail or tail in (b"\n", b"\r")


def check_header(path: Path, columns: Sequence[str]) -> None:
    """Raise InvalidInput when the header row (read with ``surrogateescape``) is not UTF-8."""
    if any(_UNDECODABLE.search(name) for name in columns):
        raise refuse(path, "the header row is not UTF-8 text (another encoding, or binary data)")


def truncated_row(path: Path, row: int, fields: int, expected: int) -> InvalidInput:
    """The error for a CSV file whose last row, without a line break, is short of fields."""
    return refuse(
        path,
        f"ends in the middle of row {row} ({fields} of {expected} fields, no line break "
        "at the end): the file is truncated",
    )


def truncated_line(path: Path, line: int) -> InvalidInput:
    """The error for a JSON Lines file whose last line, without a line break, is not JSON."""
    return refuse(
        path,
        f"ends in the middle of line {line} (not valid JSON, no line break at the end): "
        "the file is truncated",
    )
