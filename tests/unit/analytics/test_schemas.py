"""Reporting periods (months, days, customs time) and the CSV renderings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from corridor.analytics.schemas import (
    HitRate,
    LiftRead,
    ProfileEffectiveness,
    ProfileReport,
    ReportPeriod,
    SelectionGroup,
    month_period,
    profiles_csv,
    report_period,
)
from corridor.errors import InvalidInput


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_a_month(month: str, first: date, last: date) -> None:
    assert month_period(month) == ReportPeriod(first, last)


def test_a_period_runs_on_customs_days_in_kyrgyz_time() -> None:
    october = month_period("2026-10")
    assert october.start == datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
    assert october.end == datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    assert october.days == 31


def errors_of(error: pytest.ExceptionInfo[InvalidInput]) -> dict[tuple[str | int, ...], str]:
    return {e.loc: e.msg for e in error.value.errors}


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "2026-1", "26-10", "october", "", "1999-12"]
)
def test_a_bad_month_names_the_period(month: str) -> None:
    with pytest.raises(InvalidInput) as error:
        report_period(period=month, date_from=None, date_to=None, location=("query",))
    assert list(errors_of(error)) == [("query", "period")]


def test_days_from_and_to() -> None:
    found = report_period(period=None, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    assert (found.first_day, found.last_day, found.days) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        365,
    )
    one = report_period(period=None, date_from=date(2026, 3, 8), date_to=date(2026, 3, 8))
    assert one.days == 1


@pytest.mark.parametrize(
    ("period", "date_from", "date_to", "fields"),
    [
        (None, None, None, {"from", "to"}),
        (None, date(2026, 1, 1), None, {"to"}),
        (None, None, date(2026, 1, 1), {"from"}),
        ("2026-10", date(2026, 1, 1), None, {"from"}),
        ("2026-10", date(2026, 1, 1), date(2026, 2, 1), {"from", "to"}),
        (None, date(2026, 2, 1), date(2026, 1, 31), {"to"}),
        (None, date(2020, 1, 1), date(2026, 1, 1), {"to"}),  # more than three years
        (None, date(1999, 12, 31), date(2000, 1, 31), {"from"}),
        (None, date(9998, 12, 1), date(9999, 12, 31), {"to"}),
    ],
)
def test_a_bad_period_names_each_field(
    period: str | None, date_from: date | None, date_to: date | None, fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as error:
        report_period(period=period, date_from=date_from, date_to=date_to)
    assert {loc[-1] for loc in errors_of(error)} == fields


def rate(hits: int, inspected: int) -> HitRate:
    return HitRate(hits=hits, inspected=inspected, rate=hits / inspected, low=0.1, high=0.9)


def group(hits: int, inspected: int) -> SelectionGroup:
    return SelectionGroup(
        selected=inspected + 1,
        inspected=inspected,
        hits=hits,
        hit_rate=rate(hits, inspected),
        false_positive_rate=(inspected - hits) / inspected,
        additional_duties=Decimal("10.5"),
        duties_per_inspection=Decimal("5.25"),
    )


def test_profiles_csv_has_a_header_and_a_line_per_row() -> None:
    none = LiftRead(ratio=None, low=None, high=None, note="no hit in the random control group")
    profile = ProfileEffectiveness(
        code="NAT-2026-0001",
        version=2,
        title='Cars, "below market", from China',
        kind="national",
        risk_area="valuation",
        matched=9,
        exempt=1,
        selected=8,
        inspected=4,
        hits=1,
        hit_rate=rate(1, 4),
        false_positive_rate=0.75,
        additional_duties=Decimal("1000.5"),
        duties_per_inspection=Decimal("250.12"),
        lift=none,
    )
    report = ProfileReport(
        date_from=date(2026, 10, 1),
        date_to=date(2026, 10, 31),
        office=None,
        scope=None,
        profiles=[profile],
        targeted=group(1, 4),
        random_control=group(0, 2),
        lift=none,
    )
    rows = list(csv.DictReader(io.StringIO(profiles_csv(report))))
    assert [r["code"] for r in rows] == ["NAT-2026-0001", "RANDOM-CONTROL", "ALL-PROFILES"]
    first = rows[0]
    assert first["title"] == 'Cars, "below market", from China'
    assert (first["version"], first["inspected"], first["hits"]) == ("2", "4", "1")
    assert (first["hit_rate"], first["additional_duties"], first["lift"]) == ("0.25", "1000.5", "")
    assert first["lift_note"] == "no hit in the random control group"
    assert rows[1]["kind"] == "random"
    assert rows[1]["lift"] == ""
    assert rows[2]["lift_note"] == "no hit in the random control group"
