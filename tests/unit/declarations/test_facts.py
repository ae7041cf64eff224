"""Fact rows: header joined with each item, derived values, trader facts, attributes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.declarations.attributes import DEFAULT_ATTRIBUTES, AttributeRegistry, AttributeSpec
from corridor.declarations.facts import (
    CORE_FACTS,
    HEADER_LEVEL_FACTS,
    TraderFacts,
    build_rows,
    fact_schema,
)
from corridor.rules import FieldType, compile_predicate
from tests.unit.selectivity.selectivity_testing import APPLES, CAR, HEADER

REGISTRY = AttributeRegistry.of(
    (
        *DEFAULT_ATTRIBUTES,
        AttributeSpec("import_use", "string", "item"),
        AttributeSpec("excise_rate", "number", "item"),
        AttributeSpec("e_commerce", "boolean", "header"),
        AttributeSpec("contract_date", "date", "header"),
    )
)


def rows_of(*items: dict[str, object], **options: object) -> tuple[dict[str, object], ...]:
    return build_rows(HEADER, list(items), attributes=REGISTRY, **options)  # type: ignore[arg-type]


def test_schema_has_every_core_fact_and_each_declared_attribute() -> None:
    schema = fact_schema(REGISTRY)
    assert CORE_FACTS.items() <= schema.items()
    assert schema["excise_rate"] is FieldType.NUMBER
    assert schema["e_commerce"] is FieldType.BOOLEAN
    assert schema["contract_date"] is FieldType.DATE
    assert schema["payment_type"] is FieldType.STRING
    assert schema["containers"] is FieldType.STRING_LIST
    assert schema["registered_at"] is FieldType.DATETIME
    assert schema["value_ratio"] is FieldType.NUMBER


def test_an_attribute_named_like_a_core_fact_is_refused() -> None:
    clash = AttributeRegistry.of((AttributeSpec("origin", "string", "item"),))
    with pytest.raises(ValueError, match="origin"):
        fact_schema(clash)
    with pytest.raises(ValueError, match="origin"):
        build_rows(HEADER, [CAR], attributes=clash)


def test_one_name_with_two_types_is_refused() -> None:
    twice = AttributeRegistry.of(
        (AttributeSpec("lane", "string", "header"), AttributeSpec("lane", "number", "item"))
    )
    with pytest.raises(ValueError, match="lane"):
        fact_schema(twice)


def test_one_row_per_item_with_header_facts_on_each() -> None:
    rows = rows_of(CAR, APPLES)
    assert [row["item_no"] for row in rows] == [1, 2]
    assert {row["importer"] for row in rows} == {HEADER["importer"]}
    assert rows[1]["origin"] == "TR"
    assert rows[0]["containers"] == ("MSCU1234565",)
    assert rows[0]["transport_mode"] == Decimal(30)
    assert all(set(row) == set(fact_schema(REGISTRY)) for row in rows)


def test_hs_code_parts() -> None:
    (row,) = rows_of(CAR)
    assert (row["chapter"], row["heading"], row["subheading"]) == ("87", "8703", "870323")


def test_value_per_kg_and_per_unit_are_exact_quotients() -> None:
    (row,) = rows_of({**CAR, "customs_value": Decimal(10), "net_mass_kg": Decimal(3)})
    assert row["value_per_kg"] == Decimal("3.333333333")
    assert row["value_per_unit"] == Decimal(10)  # one unit
    (row,) = rows_of({**CAR, "customs_value": Decimal(1000), "net_mass_kg": Decimal("0.5")})
    assert row["value_per_kg"] == Decimal(2000)
    assert str(row["value_per_kg"]) == "2000"


@pytest.mark.parametrize(
    "changes",
    [
        {"net_mass_kg": Decimal(0), "supplementary_qty": Decimal(0)},
        {"net_mass_kg": None, "supplementary_qty": None},
        {"customs_value": None},
    ],
)
def test_value_per_kg_and_unit_are_missing_without_a_divisor_or_value(
    changes: dict[str, object],
) -> None:
    (row,) = rows_of({**CAR, **changes})
    assert row["value_per_kg"] is None
    assert row["value_per_unit"] is None


@given(
    st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False),
    st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False),
)
def test_quotient_is_what_the_criteria_language_computes(value: Decimal, mass: Decimal) -> None:
    same = compile_predicate(
        "customs_value / net_mass_kg = value_per_kg or "
        "(net_mass_kg = 0 and value_per_kg is missing)",
        CORE_FACTS,
    )
    (row,) = rows_of({**CAR, "customs_value": value, "net_mass_kg": mass})
    assert same(row)
    if mass:
        error = abs(Fraction(row["value_per_kg"]) - Fraction(value) / Fraction(mass))  # type: ignore[arg-type]
        assert error <= Fraction(1, 2 * 10**9)


def test_numbers_in_other_spellings_become_decimals() -> None:
    (row,) = rows_of({**CAR, "net_mass_kg": "1250.5", "invoice_value": 12000, "duties": 0.1})
    assert row["net_mass_kg"] == Decimal("1250.5")
    assert row["invoice_value"] == Decimal(12000)
    assert row["duties"] == Decimal("0.1")
    (row,) = rows_of({**CAR, "net_mass_kg": "heavy", "duties": float("nan"), "duty_rate": True})
    assert (row["net_mass_kg"], row["duties"], row["duty_rate"]) == (None, None, None)


def test_registered_at_is_an_aware_utc_datetime() -> None:
    bishkek = timezone(timedelta(hours=6))
    header = {**HEADER, "registered_at": "2026-10-01T09:30:00+06:00"}
    (row,) = build_rows(header, [CAR])
    assert row["registered_at"] == datetime(2026, 10, 1, 9, 30, tzinfo=bishkek)
    assert row["registered_at"].tzinfo is UTC
    (row,) = build_rows({**HEADER, "registered_at": datetime(2026, 10, 1, 3, 30)}, [CAR])
    assert row["registered_at"] == datetime(2026, 10, 1, 3, 30, tzinfo=UTC)


def test_trader_facts() -> None:
    trader = TraderFacts(
        category="high",
        aeo=False,
        first_seen=date(2026, 9, 1),
        declarations=12,
        inspections=3,
        discrepancies=1,
    )
    (row,) = rows_of(CAR, trader=trader)
    assert row["trader_category"] == "high"
    assert row["aeo"] is False
    assert row["importer_first_seen"] == date(2026, 9, 1)
    assert row["importer_age_days"] == Decimal(30)  # registered 2026-10-01
    assert (
        row["importer_declarations"],
        row["importer_inspections"],
        row["importer_discrepancies"],
    ) == (Decimal(12), Decimal(3), Decimal(1))


def test_declarant_history_rates_and_the_underpriced_share() -> None:
    trader = TraderFacts(
        inspections=3,
        discrepancies=1,
        priced_items=8,
        underpriced_items=2,
        declarant_declarations=40,
        declarant_inspections=4,
        declarant_discrepancies=2,
    )
    (row,) = rows_of(CAR, trader=trader)
    assert (
        row["declarant_declarations"],
        row["declarant_inspections"],
        row["declarant_discrepancies"],
    ) == (Decimal(40), Decimal(4), Decimal(2))
    assert row["declarant_discrepancy_rate"] == Decimal("0.5")
    assert row["importer_discrepancy_rate"] == Decimal("0.333333333")  # as 1 / 3 reads
    assert row["importer_underpriced_share"] == Decimal("0.25")
    # Each of them is the same on every row of the declaration.
    assert {"declarant_discrepancy_rate", "importer_underpriced_share"} <= HEADER_LEVEL_FACTS


def test_a_rate_without_inspections_or_priced_items_is_missing_not_zero() -> None:
    never = TraderFacts(
        declarations=5,
        inspections=0,
        discrepancies=0,
        priced_items=0,
        underpriced_items=0,
        declarant_declarations=9,
        declarant_inspections=0,
        declarant_discrepancies=0,
    )
    (row,) = rows_of(CAR, trader=never)
    assert row["declarant_declarations"] == Decimal(9)
    assert row["importer_discrepancy_rate"] is None
    assert row["declarant_discrepancy_rate"] is None
    assert row["importer_underpriced_share"] is None
    clean = TraderFacts(inspections=2, discrepancies=0, declarant_inspections=1)
    (row,) = rows_of(CAR, trader=clean)
    assert row["importer_discrepancy_rate"] == Decimal(0)
    # An unknown count (history does not know the declarant) is missing, not 0.
    assert row["declarant_discrepancy_rate"] is None
    (row,) = rows_of(CAR)
    for name in (
        "declarant_declarations",
        "declarant_inspections",
        "declarant_discrepancies",
        "declarant_discrepancy_rate",
        "importer_discrepancy_rate",
        "importer_underpriced_share",
    ):
        assert row[name] is None, name


def test_importer_age_uses_the_utc_date_of_registration() -> None:
    trader = TraderFacts(first_seen=date(2026, 10, 1))
    header = {**HEADER, "registered_at": "2026-10-01T05:00:00+06:00"}  # 30 September in UTC
    (row,) = build_rows(header, [CAR], trader=trader)
    assert row["importer_age_days"] == Decimal(-1)
    (row,) = build_rows(HEADER, [CAR])
    assert row["importer_age_days"] is None
    assert row["trader_category"] is None
    assert row["aeo"] is None


def test_extras_set_item_facts_by_item_number() -> None:
    extras = {2: {"ref_price": "55.5", "value_ratio": 0.25, "model_score": Decimal("0.9")}}
    first, second = rows_of(CAR, APPLES, item_extras=extras)
    assert first["value_ratio"] is None
    assert first["model_score"] is None
    assert second["ref_price"] == Decimal("55.5")
    assert second["value_ratio"] == Decimal("0.25")
    assert second["model_score"] == Decimal("0.9")
    with pytest.raises(ValueError, match="not_a_fact"):
        rows_of(CAR, item_extras={1: {"not_a_fact": 1}})
    with pytest.raises(ValueError, match="trader_category"):  # the same on every row
        rows_of(CAR, item_extras={1: {"trader_category": "low"}})


def test_attributes_are_typed_facts_and_items_win() -> None:
    header = {
        **HEADER,
        "attributes": {
            "payment_type": "11",
            "e_commerce": "true",
            "contract_date": "2026-09-15",
            "import_use": "resale",
            "unknown": "skipped",
        },
    }
    items = [
        {**CAR, "attributes": {"excise_rate": "12.5", "import_use": "own use"}},
        {**APPLES, "attributes": {}},
    ]
    first, second = build_rows(header, items, attributes=REGISTRY)
    assert first["payment_type"] == "11"
    assert first["e_commerce"] is True
    assert first["contract_date"] == date(2026, 9, 15)
    assert first["excise_rate"] == Decimal("12.5")
    assert first["import_use"] == "own use"
    assert second["import_use"] == "resale"
    assert second["excise_rate"] is None
    assert "unknown" not in first
    (row,) = build_rows(
        HEADER, [{**CAR, "attributes": {"excise_rate": "many"}}], attributes=REGISTRY
    )
    assert row["excise_rate"] is None


def test_rows_are_what_criteria_read() -> None:
    schema = fact_schema(REGISTRY)
    rule = compile_predicate(
        'heading = "8703" and value_per_kg > 800 and payment_type = "11" '
        "and days_between(importer_first_seen, registered_at) = importer_age_days "
        'and containers contains "MSCU1234565" and e_commerce',
        schema,
    )
    header = {**HEADER, "attributes": {"payment_type": "11", "e_commerce": True}}
    trader = TraderFacts(first_seen=date(2025, 1, 31))
    first, second = build_rows(header, [CAR, APPLES], trader=trader, attributes=REGISTRY)
    assert rule(first)
    assert not rule(second)


def test_header_level_facts_are_the_same_on_every_row() -> None:
    trader = TraderFacts(category="high", aeo=True, first_seen=date(2026, 1, 1), declarations=4)
    extras = {1: {"value_ratio": "0.5"}, 2: {"model_score": "0.9"}}
    rows = rows_of(CAR, APPLES, trader=trader, item_extras=extras)
    for name in HEADER_LEVEL_FACTS:
        assert len({repr(row[name]) for row in rows}) == 1, name


def test_the_export_list_is_honest() -> None:
    import corridor.declarations.facts as facts

    for name in facts.__all__:
        assert hasattr(facts, name), name
