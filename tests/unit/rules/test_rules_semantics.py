"""Table-driven meaning of every operator and function, in both compilers.

Each case is evaluated by the closure on the row as given and by Polars on a
one-row frame whose number columns have the natural dtype of the values
(int -> Int64, float -> Float64, Decimal -> Decimal(38, s)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor import rules as r
from tests.unit.rules.rules_testing import CUSTOMS, CUSTOMS_LISTS, both

D = Decimal
TASHKENT = timezone(timedelta(hours=5))
MISSING: dict[str, Any] = {}

Case = tuple[str, dict[str, Any], bool]


def _cases(*cases: Case) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("criterion", "row", "expected"), cases, ids=[f"{c[0]} | {c[1]}" for c in cases]
    )


COMPARISONS: list[Case] = [
    ('origin = "CN"', {"origin": "CN"}, True),
    ('origin = "CN"', {"origin": "cn"}, False),
    ('origin = "CN"', MISSING, False),
    ('origin != "CN"', {"origin": "AE"}, True),
    ('origin != "CN"', {"origin": "CN"}, False),
    ('origin != "CN"', MISSING, False),
    ('lower(origin) = "cn"', {"origin": "CN"}, True),
    ('upper(origin) = "CN"', {"origin": "cn"}, True),
    ('hs_code >= "8701"', {"hs_code": "8701"}, True),
    ('hs_code > "8701"', {"hs_code": "8701"}, False),
    ('hs_code < "8701"', {"hs_code": "87"}, True),
    ('hs_code <= "87"', {"hs_code": "87"}, True),
    ("value_per_unit < 3000", {"value_per_unit": 3000}, False),
    ("value_per_unit < 3000", {"value_per_unit": 3000.0}, False),
    ("value_per_unit < 3000", {"value_per_unit": D("3000.00")}, False),
    ("value_per_unit < 3000", {"value_per_unit": D("2999.999999999")}, True),
    ("value_per_unit < 3000", {"value_per_unit": 2999.99}, True),
    ("value_per_unit < 3000", MISSING, False),
    ("value_per_unit <= 3000", {"value_per_unit": 3000}, True),
    ("value_per_unit > 3000", {"value_per_unit": 3000}, False),
    ("value_per_unit >= 3000", {"value_per_unit": 3000}, True),
    ("value_per_unit = 3000", {"value_per_unit": D("3000.000")}, True),
    ("value_per_unit != 3000", {"value_per_unit": 3000.5}, True),
    ("value_ratio < 0.6", {"value_ratio": 0.6}, False),
    ("value_ratio = 0.6", {"value_ratio": 0.6}, True),
    ("value_ratio < 0.6", {"value_ratio": 0.59999999}, True),
    ("value_ratio + 0.2 = 0.3", {"value_ratio": 0.1}, True),
    ("value_ratio = 0.3", {"value_ratio": 0.1 + 0.2}, True),
    # Rounded to 9 places, half to even, on the way in.
    ("value_ratio = 0.000000002", {"value_ratio": D("0.0000000025")}, True),
    ("value_ratio = 0.000000004", {"value_ratio": D("0.0000000035")}, True),
    ("0.1 + 0.2 = 0.3", MISSING, True),
    ("1 / 3 * 3 = 0.999999999", MISSING, True),
    ("2 / 3 = 0.666666667", MISSING, True),
    ("0.000000005 / 2 = 0.000000002", MISSING, True),
    ("0.000000003 * 0.5 = 0.000000002", MISSING, True),
    ('importer_first_seen < date("2026-01-01")', {"importer_first_seen": date(2025, 12, 31)}, True),
    ('importer_first_seen < date("2026-01-01")', {"importer_first_seen": date(2026, 1, 1)}, False),
    ('importer_first_seen = date("2026-01-01")', MISSING, False),
    (
        'registered_at >= datetime("2026-01-31T10:00:00+06:00")',
        {"registered_at": datetime(2026, 1, 31, 4, tzinfo=UTC)},
        True,
    ),
    (
        'registered_at >= datetime("2026-01-31T10:00:00+06:00")',
        {"registered_at": datetime(2026, 1, 31, 3, 59, 59)},
        False,
    ),
    (
        'registered_at = datetime("2026-01-31T04:00:00")',
        {"registered_at": datetime(2026, 1, 31, 9, tzinfo=TASHKENT)},
        True,
    ),
    ("aeo = true", {"aeo": True}, True),
    ("aeo = false", {"aeo": False}, True),
    ("aeo = false", MISSING, False),
    ("aeo != true", MISSING, False),
    ("aeo", {"aeo": True}, True),
    ("aeo", MISSING, False),
    ("(value_ratio > 1) = false", MISSING, True),
    ("(value_ratio > 1) = aeo", {"value_ratio": 2, "aeo": True}, True),
]

LOGIC: list[Case] = [
    ("not (value_ratio > 5)", MISSING, True),
    ("value_ratio <= 5", MISSING, False),
    ("not (value_ratio > 5)", {"value_ratio": 6}, False),
    ("not aeo", MISSING, True),
    ("not aeo", {"aeo": True}, False),
    ("not not aeo", MISSING, False),
    ('origin = "CN" and value_ratio < 1', {"origin": "CN", "value_ratio": 0.5}, True),
    ('origin = "CN" and value_ratio < 1', {"origin": "CN"}, False),
    ('origin = "CN" or value_ratio < 1', {"value_ratio": 0.5}, True),
    ('origin = "CN" or value_ratio < 1', MISSING, False),
    ("aeo or value_ratio < 1", MISSING, False),
    ('not (origin = "CN" and aeo)', {"origin": "CN"}, True),
    ("true and not false", MISSING, True),
    ('origin = "A" or origin = "B" or origin = "C" or origin = "D"', {"origin": "D"}, True),
    ('origin = "A" and aeo and value_ratio < 1 and hs_code = "1"', {"origin": "A"}, False),
]

PREDICATES: list[Case] = [
    ('origin in ["CN", "AE"]', {"origin": "AE"}, True),
    ('origin in ["CN", "AE"]', {"origin": "US"}, False),
    ('origin in ["CN", "AE"]', MISSING, False),
    ('origin not in ["CN", "AE"]', {"origin": "US"}, True),
    ('origin not in ["CN", "AE"]', {"origin": "CN"}, False),
    ('origin not in ["CN", "AE"]', MISSING, False),
    ("origin in []", {"origin": "CN"}, False),
    ("origin not in []", {"origin": "CN"}, True),
    ("transport_mode in [10, 30]", {"transport_mode": 30}, True),
    ("transport_mode in [10, 30]", {"transport_mode": 30.0}, True),
    ("transport_mode in [10, 30]", {"transport_mode": D("30.00")}, True),
    ("transport_mode in [10, 30]", {"transport_mode": 40}, False),
    ("transport_mode not in [10, -30.5]", {"transport_mode": -30.5}, False),
    ("transport_mode not in [10, 30]", MISSING, False),
    ('hs_code startswith ["8703", "8711"]', {"hs_code": "8703231990"}, True),
    ('hs_code startswith ["8703", "8711"]', {"hs_code": "8704"}, False),
    ('hs_code startswith ["8703", "8711"]', MISSING, False),
    ('hs_code startswith "87"', {"hs_code": "8703"}, True),
    ('hs_code startswith "8703"', {"hs_code": "870"}, False),
    ('hs_code startswith ""', {"hs_code": ""}, True),
    ("hs_code startswith []", {"hs_code": "8703"}, False),
    ('lower(description) startswith "used"', {"description": "USED car"}, True),
    ('lower(description) startswith "used"', MISSING, False),
    ("value_per_kg between 1 and 10", {"value_per_kg": 1}, True),
    ("value_per_kg between 1 and 10", {"value_per_kg": 10.0}, True),
    ("value_per_kg between 1 and 10", {"value_per_kg": D("10.000000001")}, False),
    ("value_per_kg between 1 and 10", MISSING, False),
    ("value_per_kg between 10 and 1", {"value_per_kg": 5}, False),
    ("value_per_kg not between 1 and 10", {"value_per_kg": 11}, True),
    ("value_per_kg not between 1 and 10", {"value_per_kg": 10}, False),
    ("value_per_kg not between 1 and 10", MISSING, False),
    ("value_per_kg not between ref_min and ref_max", {"value_per_kg": 11, "ref_min": 1}, False),
    (
        "value_per_kg not between ref_min and ref_max",
        {"value_per_kg": 11, "ref_min": 1, "ref_max": 10},
        True,
    ),
    ('hs_code between "01" and "05"', {"hs_code": "0304"}, True),
    (
        'importer_first_seen between date("2026-01-01") and date("2026-01-31")',
        {"importer_first_seen": date(2026, 1, 31)},
        True,
    ),
    ('documents contains "N002"', {"documents": ["C100", "N002"]}, True),
    ('documents contains "N002"', {"documents": ("C100",)}, False),
    ('documents contains "N002"', {"documents": []}, False),
    ('documents contains "N002"', {"documents": ["N002", None]}, True),
    ('documents contains "N002"', MISSING, False),
    ("documents contains origin", {"documents": ["CN", None]}, False),
    ("documents contains origin", {"documents": ["CN"], "origin": "CN"}, True),
    ('description contains "tractor"', {"description": "used tractor parts"}, True),
    ('description contains "Tractor"', {"description": "used tractor parts"}, False),
    ('description contains ""', {"description": ""}, True),
    ('description contains "x"', MISSING, False),
    ("origin is missing", MISSING, True),
    ("origin is missing", {"origin": None}, True),
    ("origin is missing", {"origin": ""}, False),
    ("origin is present", {"origin": ""}, True),
    ("origin is not missing", {"origin": "CN"}, True),
    ("origin is not present", {"origin": "CN"}, False),
    ("documents is present", {"documents": []}, True),
    ("value_ratio is missing", {"value_ratio": float("nan")}, True),
    ("value_ratio is missing", {"value_ratio": float("inf")}, True),
    ("value_ratio is missing", {"value_ratio": 1e18}, True),
    ("value_ratio is missing", {"value_ratio": 10**18 - 1}, False),
    ("value_ratio is missing", {"value_ratio": D("999999999999999999.9999999999")}, False),
    ("value_ratio is missing", {"value_ratio": 0}, False),
    ("(value_ratio > 1) is missing", MISSING, False),
    ("(value_ratio > 1) is present", MISSING, True),
    ("aeo is missing", {"aeo": None}, True),
]

ARITHMETIC: list[Case] = [
    ("2 + 3 * 4 = 14", MISSING, True),
    ("(2 + 3) * 4 = 20", MISSING, True),
    ("10 - 4 - 3 = 3", MISSING, True),
    ("12 / 3 / 2 = 2", MISSING, True),
    ("-(2 - 5) = 3", MISSING, True),
    ("-value_ratio < 0", {"value_ratio": 2}, True),
    ("customs_value / net_mass_kg > 10", {"customs_value": 110, "net_mass_kg": 10}, True),
    ("customs_value / net_mass_kg > 10", {"customs_value": 100, "net_mass_kg": 10.0}, False),
    ("customs_value / net_mass_kg is missing", {"customs_value": 100, "net_mass_kg": 0}, True),
    ("customs_value / net_mass_kg > 1", {"customs_value": 100, "net_mass_kg": 0}, False),
    ("not (customs_value / net_mass_kg > 1)", {"customs_value": 100, "net_mass_kg": 0}, True),
    ("customs_value + net_mass_kg is missing", {"customs_value": 100}, True),
    ("customs_value + net_mass_kg is missing", {"net_mass_kg": 100}, True),
    ("customs_value / net_mass_kg = -10", {"customs_value": 100, "net_mass_kg": -10}, True),
    (
        "customs_value / net_mass_kg = 0.000000002",
        {"customs_value": D("-0.000000005"), "net_mass_kg": -2},
        True,
    ),
    ("ref_min < ref_max", {"ref_max": 1}, False),
    ("ref_min < ref_max", {"ref_min": 1}, False),
    ("ref_min < ref_max", {"ref_min": 1, "ref_max": 2}, True),
    ("customs_value - net_mass_kg = 90", {"customs_value": 100, "net_mass_kg": 10}, True),
    ("customs_value * 1.2 = 120", {"customs_value": 100}, True),
    ("customs_value * 1.2 = 120", {"customs_value": 100.0}, True),
    # Results of magnitude 10^18 or more are missing.
    ("customs_value * 10 is missing", {"customs_value": 10**17}, True),
    ("customs_value * 9 is missing", {"customs_value": 10**17}, False),
    ("customs_value * customs_value is missing", {"customs_value": 10**10}, True),
    ("customs_value * customs_value is missing", {"customs_value": 10**9 - 1}, False),
    ("customs_value + customs_value is missing", {"customs_value": 5 * 10**17}, True),
    ("customs_value - customs_value = 0", {"customs_value": 999999999999999999}, True),
    ("customs_value / 0.000000001 is missing", {"customs_value": 10**9}, True),
    ("customs_value / 0.000000001 is missing", {"customs_value": 10**8}, False),
    ("round(customs_value) is missing", {"customs_value": D("999999999999999999.5")}, True),
]

FUNCTIONS: list[Case] = [
    ("abs(value_ratio) = 2.5", {"value_ratio": -2.5}, True),
    ("abs(value_ratio) is missing", MISSING, True),
    ("min(ref_min, ref_max) = 1", {"ref_min": 1, "ref_max": 2}, True),
    ("max(ref_min, ref_max, 7) = 7", {"ref_min": 1, "ref_max": 2}, True),
    ("min(ref_min, ref_max) is missing", {"ref_min": 1}, True),
    ("max(ref_min, ref_max) is missing", {"ref_max": 1}, True),
    ("round(value_ratio) = 3", {"value_ratio": 2.5}, True),
    ("round(value_ratio) = -3", {"value_ratio": -2.5}, True),
    ("round(value_ratio) = 2", {"value_ratio": D("2.499999999")}, True),
    ("round(value_ratio, 2) = 2.35", {"value_ratio": D("2.345")}, True),
    ("round(value_ratio, 2) = -2.35", {"value_ratio": D("-2.345")}, True),
    ("round(value_ratio, 9) = 0.000000001", {"value_ratio": D("0.000000001")}, True),
    ("round(value_ratio, 1) is missing", MISSING, True),
    ("len(hs_code) = 10", {"hs_code": "8703231990"}, True),
    ("len(hs_code) = 0", {"hs_code": ""}, True),
    ("len(description) = 5", {"description": "Σίσυφ"}, True),
    ("len(documents) = 2", {"documents": ["A", None]}, True),
    ("len(documents) = 0", {"documents": []}, True),
    ("len(documents) is missing", MISSING, True),
    ('lower(description) contains "tractor"', {"description": "TRACTOR"}, True),
    ("upper(description) is missing", MISSING, True),
    (
        "days_between(importer_first_seen, importer_first_seen) = 0",
        {"importer_first_seen": date(2026, 1, 1)},
        True,
    ),
    (
        'days_between(importer_first_seen, date("2026-03-01")) = 59',
        {"importer_first_seen": date(2026, 1, 1)},
        True,
    ),
    (
        'days_between(date("2026-03-01"), importer_first_seen) = -59',
        {"importer_first_seen": date(2026, 1, 1)},
        True,
    ),
    (
        "days_between(importer_first_seen, registered_at) < 90",
        {"importer_first_seen": date(2026, 1, 1), "registered_at": datetime(2026, 3, 31, 23, 59)},
        True,
    ),
    (
        "days_between(importer_first_seen, registered_at) = 89",
        {"importer_first_seen": date(2026, 1, 1), "registered_at": datetime(2026, 3, 31, 23, 59)},
        True,
    ),
    (
        'days_between(registered_at, datetime("2026-01-01T00:00:00Z")) = -1',
        {"registered_at": datetime(2026, 1, 2, 12, tzinfo=UTC)},
        True,
    ),
    (
        'days_between(registered_at, datetime("2026-01-03T00:00:00+05:00")) = 1',
        {"registered_at": datetime(2026, 1, 1, 12, tzinfo=UTC)},
        True,
    ),
    (
        "days_between(importer_first_seen, registered_at) is missing",
        {"importer_first_seen": date(2026, 1, 1)},
        True,
    ),
    (
        'importer_first_seen = date("2026-01-01")',
        {"importer_first_seen": datetime(2026, 1, 1, 3, tzinfo=TASHKENT)},
        False,
    ),
    (
        'importer_first_seen = date("2025-12-31")',
        {"importer_first_seen": datetime(2026, 1, 1, 3, tzinfo=TASHKENT)},
        True,
    ),
    (
        'registered_at = datetime("2026-01-01T00:00:00Z")',
        {"registered_at": date(2026, 1, 1)},
        True,
    ),
]

NAMED_LISTS: list[Case] = [
    ('in_list("TRACTORS")', {"hs_code": "8701100000"}, True),
    ('in_list("TRACTORS")', {"hs_code": "870"}, False),
    ('in_list("TRACTORS")', MISSING, False),
    ('in_list("SANCTIONED")', {"origin": "KP"}, True),
    ('in_list("SANCTIONED")', {"origin": "KPX"}, False),
    ('in_list("SANCTIONED", lower(origin))', {"origin": "KP"}, False),
    ('in_list("SANCTIONED", upper(origin))', {"origin": "kp"}, True),
    ('in_list("TRACTORS", hs_code)', {"hs_code": "87013000"}, True),
    ('in_list("HOT_CONTAINERS")', {"containers": ["X", "MSCU1234567"]}, True),
    ('in_list("HOT_CONTAINERS")', {"containers": ["X", None]}, False),
    ('in_list("HOT_CONTAINERS")', {"containers": []}, False),
    ('in_list("SANCTIONED", documents)', {"documents": ["SY"]}, True),
    (
        'in_list("WATCHED")',
        {"importer": "IMP1", "declarant": "DEC1", "hs_code": "8703231990", "origin": "CN"},
        True,
    ),
    (
        'in_list("WATCHED")',
        {"importer": "IMP1", "declarant": "DEC2", "hs_code": "8703231990", "origin": "CN"},
        False,
    ),
    ('in_list("WATCHED")', {"importer": "IMP1", "declarant": "DEC1", "origin": "CN"}, False),
    ('in_list("NOBODY")', {"importer": "IMP1"}, False),
    ('not in_list("NOBODY")', MISSING, True),
]


@_cases(*COMPARISONS)
def test_comparisons(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


@_cases(*LOGIC)
def test_logic(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


@_cases(*PREDICATES)
def test_predicates(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


@_cases(*ARITHMETIC)
def test_arithmetic(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


@_cases(*FUNCTIONS)
def test_functions(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


@_cases(*NAMED_LISTS)
def test_named_lists(criterion: str, row: dict[str, Any], expected: bool) -> None:
    assert both(criterion, row) == (expected, expected)


# Values Polars columns cannot hold: the closure treats them as missing.
@pytest.mark.parametrize(
    ("criterion", "row"),
    [
        ("value_ratio is missing", {"value_ratio": "0.5"}),
        ("value_ratio is missing", {"value_ratio": True}),
        ("value_ratio is missing", {"value_ratio": D("NaN")}),
        ("value_ratio is missing", {"value_ratio": D("sNaN")}),
        ("value_ratio is missing", {"value_ratio": D("-Infinity")}),
        ("value_ratio is missing", {"value_ratio": 10**30}),
        ("origin is missing", {"origin": 5}),
        ("aeo is missing", {"aeo": 1}),
        ("documents is missing", {"documents": "N002"}),
        ("importer_first_seen is missing", {"importer_first_seen": "2026-01-01"}),
        ("registered_at is missing", {"registered_at": 1767225600}),
    ],
)
def test_wrong_python_types_are_missing(criterion: str, row: dict[str, Any]) -> None:
    assert r.compile_predicate(criterion, CUSTOMS, CUSTOMS_LISTS)(row) is True


class _Code(int):
    """An int subclass, as an IntEnum member would be."""


class _Ratio(float):
    pass


class _Str(str):
    __slots__ = ()


class _Amount(Decimal):
    __slots__ = ()


@pytest.mark.parametrize(
    ("criterion", "row", "expected"),
    [
        ("transport_mode = 30", {"transport_mode": _Code(30)}, True),
        ("value_ratio = 0.5", {"value_ratio": _Ratio(0.5)}, True),
        ("value_ratio = 2", {"value_ratio": 2}, True),
        ('origin = "CN"', {"origin": _Str("CN")}, True),
        ("customs_value > 100.5", {"customs_value": _Amount("100.51")}, True),
    ],
)
def test_subclasses_of_builtin_types_are_values(
    criterion: str, row: dict[str, Any], expected: bool
) -> None:
    assert r.compile_predicate(criterion, CUSTOMS, CUSTOMS_LISTS)(row) is expected


def test_predicate_returns_real_booleans() -> None:
    predicate = r.compile_predicate("aeo", CUSTOMS)
    assert predicate({"aeo": True}) is True
    assert predicate({"aeo": 1}) is False


def test_remembered_decimal_units_are_the_computed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridor.rules import _values

    monkeypatch.setattr(_values, "_DECIMAL_UNITS", {})
    monkeypatch.setattr(_values, "_DECIMAL_UNITS_LIMIT", 2)
    values = [D("1.0000000005"), D("1.00"), D("1"), D("2.5"), D("1e18"), D("1.0000000005")]
    first = [_values.number_units(v) for v in values]
    again = [_values.number_units(v) for v in values]
    assert first == again == [10**9, 10**9, 10**9, 25 * 10**8, None, 10**9]
    assert len(_values._DECIMAL_UNITS) <= 2  # forgotten all at once when full


@given(
    st.decimals(
        min_value=D("-999999999999999999.999999999999"),
        max_value=D("999999999999999999.999999999999"),
        allow_nan=False,
        allow_infinity=False,
        places=12,
    )
)
def test_decimal_units_are_the_value_quantized_half_even_at_9_places(value: Decimal) -> None:
    from corridor.rules import _values

    quantized = value.quantize(D("1e-9"), context=_values.DECIMAL_CONTEXT)
    expected = int(quantized.scaleb(9, context=_values.DECIMAL_CONTEXT))
    assert _values._decimal_fact_units(value) == expected


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("0.0000000005", 0),  # a tie goes to the even neighbour
        ("0.0000000015", 2),
        ("-0.0000000005", 0),
        ("-0.0000000025", -2),
        ("-0.0000000035", -4),
        ("999999999999999999.9999999995", 10**27),
        ("12.34", 12_340_000_000),
    ],
)
def test_decimal_units_round_ties_to_even(text: str, units: int) -> None:
    from corridor.rules import _values

    assert _values._decimal_fact_units(D(text)) == units
