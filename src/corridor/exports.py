"""Every CSV corridor writes for people to open: no cell can run as a formula.

A spreadsheet program opening a CSV file (Excel, LibreOffice Calc) reads a cell
beginning with ``=``, ``+``, ``-`` or ``@`` as a formula, and some strip a leading
tab or carriage return first; a formula can fetch an address, run a command
through DDE or send the sheet's contents away (OWASP: "CSV injection"). Text in
our exports comes from people and from imported files — a profile's title, a
declaration number in a rejected row — so the writer here neutralises it:

* a **text** cell (any value other than a number) beginning with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return is written with an apostrophe in
  front (``'=HYPERLINK(…)``), which spreadsheets show as text; the rest of the
  cell is kept as it was;
* a **number** (``int``, ``float`` to six significant digits, ``Decimal``) is
  written as the number it is: it comes from a numeric field, never from free
  text, so ``-5`` stays a negative number; text that merely looks like ``-5``
  is neutralised;
* a missing value (``None``) is an empty cell; quoting is the csv module's
  (a cell holding a separator, a quote or a line break is quoted).

Every CSV export (the analytics reports over HTTP and from the CLI, the
rejection reports of the declaration and inspection imports) is written by
:func:`csv_text` or :func:`write_csv`; the README's "Exports" paragraph says the same.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final, TextIO

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it but cannot evaluate it: an apostrophe is put in
    front when it begins with a formula trigger."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: Any) -> str:
    """One value as a CSV cell: numbers as written, missing as empty, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


def write_csv(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header row and the rows to ``handle`` (opened with ``newline=""``)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The header row and the rows as CSV text."""
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()
