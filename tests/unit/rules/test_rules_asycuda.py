"""The three ASYCUDA selectivity examples, written in the criteria language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from corridor import rules as r
from tests.unit.rules.rules_testing import CUSTOMS, CUSTOMS_LISTS, frame_of

APPLES_FROM_US = 'hs_code startswith "080810" and origin = "US"'
WATCHED_BELOW_3000 = 'in_list("WATCHED") and value_per_unit < 3000'
VALUE_CONTROL = "value_per_kg not between ref_min and ref_max"
VALUE_CONTROL_SPELT_OUT = "value_per_kg < ref_min or value_per_kg > ref_max"

ROWS: list[dict[str, Any]] = [
    # 0: apples from the US, on the watch list at a low unit value, inside the reference band
    {
        "hs_code": "0808100000",
        "origin": "US",
        "importer": "IMP2",
        "declarant": "DEC2",
        "value_per_unit": Decimal("2999.99"),
        "value_per_kg": Decimal("1.20"),
        "ref_min": Decimal("0.80"),
        "ref_max": Decimal("2.50"),
    },
    # 1: apples from Chile, unit value exactly 3000, under-valued
    {
        "hs_code": "0808100000",
        "origin": "CL",
        "importer": "IMP2",
        "declarant": "DEC2",
        "value_per_unit": Decimal("3000"),
        "value_per_kg": Decimal("0.79"),
        "ref_min": Decimal("0.80"),
        "ref_max": Decimal("2.50"),
    },
    # 2: a watched Chinese car import below 3000 a unit, over-valued
    {
        "hs_code": "8703231990",
        "origin": "CN",
        "importer": "IMP1",
        "declarant": "DEC1",
        "value_per_unit": Decimal("2500"),
        "value_per_kg": Decimal("30.01"),
        "ref_min": Decimal("5"),
        "ref_max": Decimal("30"),
    },
    # 3: same, but another declarant; no reference price
    {
        "hs_code": "8703231990",
        "origin": "CN",
        "importer": "IMP1",
        "declarant": "DEC9",
        "value_per_unit": Decimal("2500"),
        "value_per_kg": Decimal("7"),
    },
    # 4: pears from the US at the band's upper edge
    {
        "hs_code": "0808300000",
        "origin": "US",
        "value_per_kg": Decimal("2.50"),
        "ref_min": Decimal("0.80"),
        "ref_max": Decimal("2.50"),
    },
]


@pytest.mark.parametrize(
    ("criterion", "selected"),
    [
        (APPLES_FROM_US, [True, False, False, False, False]),
        (WATCHED_BELOW_3000, [True, False, True, False, False]),
        (VALUE_CONTROL, [False, True, True, False, False]),
        (VALUE_CONTROL_SPELT_OUT, [False, True, True, False, False]),
    ],
)
def test_asycuda_examples(criterion: str, selected: list[bool]) -> None:
    predicate = r.compile_predicate(criterion, CUSTOMS, CUSTOMS_LISTS)
    assert [predicate(row) for row in ROWS] == selected
    frame = frame_of(
        ROWS,
        schema=CUSTOMS,
        dtypes={n: pl.Decimal(38, 2) for n in CUSTOMS if n.startswith(("value", "ref"))},
    )
    assert frame.filter(r.compile_polars(criterion, CUSTOMS, CUSTOMS_LISTS)).height == sum(selected)
    assert (
        frame.with_columns(m=r.compile_polars(criterion, CUSTOMS, CUSTOMS_LISTS))["m"].to_list()
        == selected
    )


def test_asycuda_explanations() -> None:
    def why(criterion: str, row: int) -> str:
        return r.explain(criterion, ROWS[row], schema=CUSTOMS, lists=CUSTOMS_LISTS).text

    assert why(APPLES_FROM_US, 0) == "hs_code 0808100000 starts with 080810; origin US = US"
    assert why(WATCHED_BELOW_3000, 2) == (
        "importer IMP1, declarant DEC1, hs_code 8703231990, origin CN is in named list WATCHED; "
        "value_per_unit 2500 < 3000"
    )
    assert why(WATCHED_BELOW_3000, 1) == (
        "importer IMP2, declarant DEC2, hs_code 0808100000, origin CL is not in named list "
        "WATCHED; value_per_unit 3000 is not < 3000"
    )
    assert why(VALUE_CONTROL, 1) == "value_per_kg 0.79 is not between ref_min 0.8 and ref_max 2.5"
    assert why(VALUE_CONTROL, 3) == "ref_min and ref_max are missing"
    assert why(VALUE_CONTROL_SPELT_OUT, 2) == "value_per_kg 30.01 > ref_max 30"
