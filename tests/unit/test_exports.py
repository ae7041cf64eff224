"""The one CSV writer of the exports: text cannot run as a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from corridor.exports import FORMULA_TRIGGERS, cell, csv_text


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_beginning_with_a_trigger_is_neutralised(trigger: str) -> None:
    assert cell(f"{trigger}1+1") == f"'{trigger}1+1"


def test_the_issue_s_examples_open_as_text() -> None:
    assert cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert cell("-5") == "'-5"  # text from a free-text field, however numeric it looks


def test_numbers_and_other_values_are_written_as_they_are() -> None:
    values = (-5, Decimal("-1.50"), -0.25, 1 / 3, None, True, date(2026, 10, 1))
    assert [cell(v) for v in values] == [
        "-5", "-1.50", "-0.25", "0.333333", "", "True", "2026-10-01",
    ]  # fmt: skip
    assert cell("a = b") == "a = b"  # only the first character matters
    assert cell("'=x") == "'=x"


def test_a_file_reads_back_with_every_cell_neutralised() -> None:
    text = csv_text(["=title", "count"], [['=1+2,"quoted"\nline', -3], ["@x", None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=title", "count"], ['\'=1+2,"quoted"\nline', "-3"], ["'@x", ""]]
