"""Explanations: the deciding leaf conditions with the actual values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings

from corridor import rules as r
from tests.examples import examples
from tests.unit.rules.rules_testing import (
    CUSTOMS,
    CUSTOMS_LISTS,
    LISTS,
    SCHEMA,
    expressions,
    fact_frames,
)


def _explain(text: str, facts: dict[str, Any]) -> r.Explanation:
    return r.explain(text, facts, schema=CUSTOMS, lists=CUSTOMS_LISTS)


def test_the_example_of_the_brief() -> None:
    explanation = _explain(
        'hs_code startswith ["8703", "8711"] and origin in ["CN", "AE"] and value_ratio < 0.6',
        {"hs_code": "8703231990", "origin": "CN", "value_ratio": 0.42},
    )
    assert explanation.matched is True
    assert explanation.text == (
        "hs_code 8703231990 starts with 8703; origin CN is in [CN, AE]; value_ratio 0.42 < 0.6"
    )


@pytest.mark.parametrize(
    ("text", "facts", "matched", "reasons"),
    [
        (
            'origin = "CN" or value_ratio < 0.6 or aeo',
            {"origin": "CN", "value_ratio": 0.5, "aeo": False},
            True,
            ["origin CN = CN", "value_ratio 0.5 < 0.6"],
        ),
        (
            'origin = "CN" or value_ratio < 0.6',
            {"origin": "AE"},
            False,
            ["origin AE is not = CN", "value_ratio is missing"],
        ),
        (
            'origin = "CN" and value_ratio < 0.6 and aeo',
            {"origin": "CN", "value_ratio": 0.7, "aeo": False},
            False,
            ["value_ratio 0.7 is not < 0.6", "aeo false"],
        ),
        ("not (value_ratio > 5)", {}, True, ["value_ratio is missing"]),
        ("not (value_ratio > 5)", {"value_ratio": 3}, True, ["value_ratio 3 is not > 5"]),
        ("not aeo", {"aeo": False}, True, ["aeo false"]),
        ("aeo", {"aeo": True}, True, ["aeo true"]),
        ("true", {}, True, ["true"]),
        (
            'hs_code startswith ["87", "8703"]',
            {"hs_code": "870323"},
            True,
            ["hs_code 870323 starts with 8703"],
        ),
        (
            'hs_code startswith ["87"]',
            {"hs_code": "0101"},
            False,
            ["hs_code 0101 does not start with [87]"],
        ),
        ('origin not in ["CN"]', {"origin": "AE"}, True, ["origin AE is not in [CN]"]),
        ('origin not in ["CN"]', {"origin": "CN"}, False, ["origin CN is in [CN]"]),
        (
            "transport_mode in [10, 30]",
            {"transport_mode": 30},
            True,
            ["transport_mode 30 is in [10, 30]"],
        ),
        (
            "value_per_kg not between ref_min and ref_max",
            {"value_per_kg": 12, "ref_min": 1, "ref_max": Decimal("10.50")},
            True,
            ["value_per_kg 12 is not between ref_min 1 and ref_max 10.5"],
        ),
        (
            "value_per_kg between ref_min and ref_max",
            {"value_per_kg": 12, "ref_min": 1},
            False,
            ["ref_max is missing"],
        ),
        (
            'documents contains "N002"',
            {"documents": ["C1", "N002"]},
            True,
            ["documents [C1, N002] contains N002"],
        ),
        (
            'documents contains "N002"',
            {"documents": []},
            False,
            ["documents [] does not contain N002"],
        ),
        ("importer is missing", {}, True, ["importer is missing"]),
        ('importer = ""', {"importer": ""}, True, ['importer "" = ""']),
        ("importer is missing", {"importer": "IMP1"}, False, ["importer IMP1 is present"]),
        ("importer is present", {"importer": "IMP1"}, True, ["importer IMP1 is present"]),
        (
            "customs_value / net_mass_kg > 10",
            {"customs_value": 110, "net_mass_kg": 10},
            True,
            ["customs_value / net_mass_kg (11) > 10"],
        ),
        (
            "customs_value / net_mass_kg > 10",
            {"customs_value": 110, "net_mass_kg": 0},
            False,
            ["customs_value / net_mass_kg is missing"],
        ),
        (
            "days_between(importer_first_seen, registered_at) < 90",
            {"importer_first_seen": date(2026, 1, 1), "registered_at": datetime(2026, 2, 1)},
            True,
            ["days_between(importer_first_seen, registered_at) (31) < 90"],
        ),
        (
            'importer_first_seen < date("2026-01-01")',
            {"importer_first_seen": date(2025, 5, 1)},
            True,
            ['importer_first_seen 2025-05-01 < date("2026-01-01")'],
        ),
        (
            'registered_at >= datetime("2026-01-01T00:00:00Z")',
            {"registered_at": datetime(2026, 5, 1, 10)},
            True,
            ['registered_at 2026-05-01T10:00:00+00:00 ≥ datetime("2026-01-01T00:00:00+00:00")'],
        ),
        ("(value_ratio > 1) = false", {}, True, ["value_ratio > 1 (false) = false"]),
        (
            'in_list("SANCTIONED")',
            {"origin": "KP"},
            True,
            ["origin KP is in named list SANCTIONED"],
        ),
        (
            'in_list("SANCTIONED", upper(origin))',
            {"origin": "sy"},
            True,
            ["upper(origin) (SY) is in named list SANCTIONED"],
        ),
        ('in_list("SANCTIONED", importer)', {}, False, ["importer is missing"]),
        (
            'in_list("WATCHED")',
            {"importer": "IMP1", "declarant": "DEC1", "hs_code": "870323", "origin": "CN"},
            True,
            ["importer IMP1, declarant DEC1, hs_code 870323, origin CN is in named list WATCHED"],
        ),
        (
            'in_list("WATCHED")',
            {"importer": "IMP1", "hs_code": "870323"},
            False,
            ["declarant and origin are missing"],
        ),
    ],
)
def test_explanations(text: str, facts: dict[str, Any], matched: bool, reasons: list[str]) -> None:
    explanation = _explain(text, facts)
    assert explanation.matched is matched
    assert list(explanation.reasons) == reasons


def test_long_lists_are_shortened() -> None:
    codes = ", ".join(f'"{n:02d}"' for n in range(30))
    text = _explain(f"origin in [{codes}]", {"origin": "XX"}).text
    assert text == "origin XX is not in [00, 01, 02, 03, 04, 05, 06, 07, 08, 09, … 20 more]"


def test_facts_must_be_a_mapping() -> None:
    with pytest.raises(r.RuleTypeError):
        r.explain("aeo", [("aeo", True)], schema=CUSTOMS)  # type: ignore[arg-type]


def test_dates_outside_the_calendar_are_still_shown() -> None:
    far = r.explain(
        "t is present and d is present",
        {"t": datetime(1, 1, 1, 1), "d": datetime(1, 1, 1)},
        schema={"t": r.FieldType.DATETIME, "d": r.FieldType.DATE},
    )
    assert far.text == "t 0001-01-01T01:00:00+00:00 is present; d 0001-01-01 is present"
    from corridor.rules import _values

    assert _values.format_value(r.FieldType.DATE, -800_000) == "day -800000 after 1970-01-01"
    assert _values.format_value(r.FieldType.DATETIME, -(10**20)).endswith(
        "µs after 1970-01-01T00:00:00+00:00"
    )


@settings(max_examples=examples(200), deadline=None)
@given(expressions(r.FieldType.BOOLEAN, 3), fact_frames())
def test_explanation_agrees_with_the_predicate(expr: r.Expr, frame: Any) -> None:
    rows, _ = frame
    predicate = r.compile_predicate(expr, SCHEMA, LISTS)
    for row in rows:
        explanation = r.explain(expr, row, schema=SCHEMA, lists=LISTS)
        assert explanation.matched is predicate(row)
        assert explanation.reasons


@settings(max_examples=examples(100), deadline=None)
@given(expressions(r.FieldType.BOOLEAN, 3), fact_frames())
def test_a_prepared_explainer_says_what_explain_says(expr: r.Expr, frame: Any) -> None:
    rows, _ = frame
    why = r.explainer(expr, schema=SCHEMA, lists=LISTS)
    for row in rows + rows:  # the second pass reuses the kept closures
        assert why(row) == r.explain(expr, row, schema=SCHEMA, lists=LISTS)


def test_a_prepared_explainer_says_the_same_twice() -> None:
    # The second call reuses the kept closures: covered here, not left to generated examples.
    criterion = 'origin = "CN" and value_ratio * 2 < 1.2 and customs_value + 1 > 100'
    why = r.explainer(criterion, schema=CUSTOMS, lists=CUSTOMS_LISTS)
    for facts in ({"origin": "CN", "value_ratio": 0.5, "customs_value": 500}, {"origin": "AE"}):
        first = why(facts)
        assert (
            why(facts) == first == r.explain(criterion, facts, schema=CUSTOMS, lists=CUSTOMS_LISTS)
        )


def test_an_explainer_checks_its_criterion_when_prepared() -> None:
    with pytest.raises(r.RuleTypeError, match="orign"):
        r.explainer('orign = "CN"', schema=CUSTOMS, lists=CUSTOMS_LISTS)
