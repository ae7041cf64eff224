"""Every validation rule of a declaration: one failing and one passing case each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from corridor.declarations.schemas import DeclarationCreate
from tests.factories import declaration, item


def errors_of(payload: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as caught:
        DeclarationCreate.model_validate(payload)
    return {tuple(error["loc"]): error["msg"] for error in caught.value.errors()}


def with_item(**changes: Any) -> dict[str, Any]:
    return declaration(items=[item(1, **changes)])


def test_the_factory_payload_is_valid() -> None:
    parsed = DeclarationCreate.model_validate(declaration())
    assert parsed.items[0].hs_code == "8703231990"
    assert parsed.registered_at == datetime(2026, 10, 1, 3, 30, tzinfo=UTC)


# (field path, good value, bad value, expected fragment of the message)
ITEM_RULES = [
    ("hs_code", "870323", "87032", "6 to 10 digits"),
    ("hs_code", "8703231990", "87032319901", "6 to 10 digits"),
    ("hs_code", "870323", "8703ab", "6 to 10 digits"),
    ("origin", "DE", "XX", "ISO 3166-1"),
    ("origin", "de", "DEU", "at most 2"),
    ("net_mass_kg", "0", "-0.001", "greater than or equal to 0"),
    ("net_mass_kg", "10", "NaN", "finite"),
    ("gross_mass_kg", "1300", "Infinity", "finite"),
    ("supplementary_qty", "2", "-1", "greater than or equal to 0"),
    ("invoice_value", "0", "-5", "greater than or equal to 0"),
    ("invoice_value", "1.5", "inf", "finite"),
    ("customs_value", "100", "-100", "greater than or equal to 0"),
    ("duty_rate", "0", "-1", "greater than or equal to 0"),
    ("duties", "10.25", "-0.01", "greater than or equal to 0"),
]


@pytest.mark.parametrize(("field", "good", "bad", "message"), ITEM_RULES)
def test_item_field_rules(field: str, good: str, bad: str, message: str) -> None:
    DeclarationCreate.model_validate(with_item(**{field: good}))
    errors = errors_of(with_item(**{field: bad}))
    assert message in errors[("items", 0, field)]


HEADER_RULES = [
    ("currency", "EUR", "EUX", "ISO 4217"),
    ("currency", "kgs", "US", "at least 3"),
    ("exporter_country", "KZ", "QQ", "ISO 3166-1"),
    ("dispatch_country", "TR", "ZZ", "ISO 3166-1"),
    ("destination_country", "KG", "K1", "ISO 3166-1"),
    ("flow", "IM", "XX", "'IM', 'EX' or 'TR'"),
    ("procedure", "40", "99", "unknown customs procedure"),
    ("transport_mode", 40, 60, "unknown transport mode"),
    ("transport_mode", 10, 31, "unknown transport mode"),
    ("incoterms", "CIP", "XYZ", "unknown Incoterms"),
    ("office", "KGOSH", "kg osh", "pattern"),
    ("number", "KGOSH/011026/0000002", "", "at least 1"),
    ("declarant", "02107199910034", "", "at least 1"),
]


@pytest.mark.parametrize(("field", "good", "bad", "message"), HEADER_RULES)
def test_header_field_rules(field: str, good: object, bad: object, message: str) -> None:
    DeclarationCreate.model_validate(declaration(**{field: good}))
    errors = errors_of(declaration(**{field: bad}))
    assert message in errors[(field,)]


def test_container_numbers_follow_iso_6346() -> None:
    DeclarationCreate.model_validate(declaration(containers=["TGHU 8765432"]))
    errors = errors_of(declaration(containers=["TGHU876543"]))
    assert "ISO 6346" in errors[("containers", 0)]


def test_at_least_one_item() -> None:
    errors = errors_of(declaration(items=[]))
    assert "at least 1" in errors[("items",)]


def test_items_numbered_without_gaps() -> None:
    DeclarationCreate.model_validate(declaration(items=[item(1), item(2), item(3)]))
    errors = errors_of(declaration(items=[item(1), item(3)]))
    assert "numbered 1..2 in order without gaps" in errors[()]


def test_items_start_at_one() -> None:
    errors = errors_of(declaration(items=[item(2)]))
    assert "without gaps" in errors[()]


def test_registration_time_not_in_future() -> None:
    soon = datetime.now(UTC) + timedelta(seconds=60)
    DeclarationCreate.model_validate(declaration(registered_at=soon.isoformat()))
    later = datetime.now(UTC) + timedelta(hours=1)
    errors = errors_of(declaration(registered_at=later.isoformat()))
    assert "in the future" in errors[("registered_at",)]


def test_registration_time_needs_time_zone() -> None:
    errors = errors_of(declaration(registered_at="2026-10-01T09:30:00"))
    assert "timezone" in errors[("registered_at",)]


def test_procedure_must_belong_to_flow() -> None:
    DeclarationCreate.model_validate(declaration(flow="EX", procedure="10"))
    errors = errors_of(declaration(flow="EX", procedure="40"))
    assert "belongs to flow IM" in errors[()]


def test_transit_procedure() -> None:
    DeclarationCreate.model_validate(declaration(flow="TR", procedure="80"))
    errors = errors_of(declaration(flow="TR", procedure="10"))
    assert "belongs to flow EX" in errors[()]


def test_import_needs_importer() -> None:
    errors = errors_of(declaration(importer=None))
    assert "importer is required" in errors[()]


def test_export_needs_exporter() -> None:
    DeclarationCreate.model_validate(declaration(flow="EX", procedure="10", importer=None))
    errors = errors_of(declaration(flow="EX", procedure="10", exporter=None))
    assert "exporter is required" in errors[()]


def test_gross_mass_not_below_net_mass() -> None:
    DeclarationCreate.model_validate(with_item(net_mass_kg="10", gross_mass_kg="10"))
    errors = errors_of(with_item(net_mass_kg="10", gross_mass_kg="9.5"))
    assert "below net_mass_kg" in errors[("items", 0)]


def test_supplementary_quantity_needs_unit() -> None:
    errors = errors_of(with_item(supplementary_qty="3", supplementary_unit=None))
    assert "supplementary_unit is required" in errors[("items", 0)]


def test_unknown_fields_are_refused() -> None:
    errors = errors_of(declaration(colour="red"))
    assert "Extra inputs are not permitted" in errors[("colour",)]


def test_declared_attributes_are_typed() -> None:
    DeclarationCreate.model_validate(declaration(attributes={"import_use": "21"}))
    errors = errors_of(declaration(attributes={"import_use": ["21"]}))
    assert "must be a string" in errors[("attributes",)]


def test_undeclared_attribute_is_refused() -> None:
    errors = errors_of(declaration(attributes={"shoe_size": "42"}))
    assert "unknown header attribute 'shoe_size'" in errors[("attributes",)]


def test_item_attribute_at_header_level_is_refused() -> None:
    errors = errors_of(declaration(attributes={"tax_type": "A"}))
    assert "unknown header attribute 'tax_type'" in errors[("attributes",)]


def test_every_offending_field_is_reported_at_once() -> None:
    payload = declaration(
        currency="ZZZ",
        items=[item(1, hs_code="12", origin="XX", invoice_value="-1")],
    )
    errors = errors_of(payload)
    assert {("currency",), ("items", 0, "hs_code"), ("items", 0, "origin")} <= set(errors)
    assert ("items", 0, "invoice_value") in errors


def test_content_hash_ignores_number_version_and_decimal_padding() -> None:
    a = DeclarationCreate.model_validate(declaration())
    b = DeclarationCreate.model_validate(
        declaration(
            number="OTHER/1",
            version=2,
            items=[
                item(1, invoice_value="12000"),
                item(2, hs_code="8708299009", description="car parts"),
            ],
        )
    )
    assert a.content_hash() == b.content_hash()
    c = DeclarationCreate.model_validate(declaration(items=[item(1), item(2, origin="DE")]))
    assert c.content_hash() != a.content_hash()


def test_the_documented_example_is_valid() -> None:
    (example,) = DeclarationCreate.model_json_schema()["examples"]
    assert DeclarationCreate.model_validate(example).items[0].hs_code == "8703231990"
