"""Builders shared by the selectivity tests: a measure catalogue, profiles, declarations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from corridor.declarations.facts import TraderFacts, fact_schema
from corridor.rules import NamedList
from corridor.selectivity.engine import (
    Decision,
    DeclarationFacts,
    MeasureSpec,
    OfficeParameters,
    ProfileSet,
    ProfileSpec,
    assess,
    compile_profile_set,
)

SECRET = b"test-selection-secret"
AT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
#: The installation's time zone of the tests (the default of CORRIDOR_TIMEZONE).
ZONE = ZoneInfo("Asia/Bishkek")
SCHEMA = fact_schema()

MEASURES: dict[str, MeasureSpec] = {
    spec.code: spec
    for spec in (
        MeasureSpec("101", "check of documents and information", "yellow"),
        MeasureSpec("102", "oral questioning", "none"),
        MeasureSpec("103", "request for explanations", "yellow"),
        MeasureSpec("105", "non-intrusive scan", "red"),
        MeasureSpec("109", "physical examination of goods", "red"),
        MeasureSpec("601", "valuation check", "yellow"),
        MeasureSpec("801", "post-clearance desk audit", "blue"),
    )
}

LISTS = (
    NamedList("CARS", ("hs_code",), frozenset({("8703",), ("8711",)}), frozenset({"hs_code"})),
    NamedList("WATCHED", ("importer",), frozenset({("01503200710021",), ("02107199910034",)})),
    NamedList("BOXES", ("containers",), frozenset({("MSCU1234565",)})),
    NamedList("PAIRS", ("origin", "hs_code"), frozenset({("CN", "87")}), frozenset({"hs_code"})),
)
LIST_VERSIONS = {"CARS": 4, "WATCHED": 7, "BOXES": 1, "PAIRS": 2}


def profile(
    code: str = "NAT-2026-0001",
    criteria: str = 'origin = "CN"',
    *,
    measures: Sequence[tuple[str, bool]] = (("109", False),),
    rate: str = "100",
    **changes: Any,
) -> ProfileSpec:
    """A national valuation profile, selecting every match unless told otherwise."""
    spec = ProfileSpec(
        code=code,
        version=1,
        title=f"profile {code}",
        kind="national",
        risk_area="valuation",
        criteria=criteria,
        measures=tuple(measures),
        selection_rate=Decimal(rate),
        offices=frozenset(),
        flows=frozenset(),
        procedures=frozenset(),
        exempt_low_risk=False,
        exempt_aeo=False,
        valid_from=None,
        valid_to=None,
        officer_instructions=f"instructions of {code}",
    )
    return replace(spec, **changes)


def profile_set(*profiles: ProfileSpec, version: str = "test-1") -> ProfileSet:
    """Compile profiles with the test catalogue, lists and the full fact schema."""
    return compile_profile_set(
        profiles,
        measures=MEASURES,
        lists=LISTS,
        list_versions=LIST_VERSIONS,
        schema=SCHEMA,
        version=version,
    )


HEADER: dict[str, Any] = {
    "flow": "IM",
    "procedure": "40",
    "office": "KGBSK",
    "registered_at": AT,
    "declarant": "02107199910034",
    "importer": "01503200710021",
    "exporter": "SHENZHEN-AUTO-EXPORT",
    "exporter_country": "CN",
    "dispatch_country": "CN",
    "destination_country": "KG",
    "transport_mode": 30,
    "containers": ["MSCU1234565"],
    "currency": "USD",
    "documents": ["04021", "03011"],
    "attributes": {},
}

CAR: dict[str, Any] = {
    "item_no": 1,
    "hs_code": "8703231990",
    "description": "passenger car, petrol, 1.5 l",
    "origin": "CN",
    "net_mass_kg": Decimal("1250.5"),
    "gross_mass_kg": Decimal("1300"),
    "supplementary_qty": Decimal("1"),
    "supplementary_unit": "796",
    "invoice_value": Decimal("12000"),
    "customs_value": Decimal("1096200"),
    "attributes": {},
}

APPLES: dict[str, Any] = {
    "item_no": 2,
    "hs_code": "0808100000",
    "description": "fresh apples",
    "origin": "TR",
    "net_mass_kg": Decimal("20000"),
    "invoice_value": Decimal("9000"),
    "customs_value": Decimal("800000"),
    "attributes": {},
}


def declaration(
    key: str = "KGBSK/011026/0000001/1",
    *,
    header: Mapping[str, Any] | None = None,
    items: Sequence[Mapping[str, Any]] = (CAR, APPLES),
    trader_category: str | None = None,
    aeo: bool = False,
    item_extras: Mapping[int, Mapping[str, Any]] | None = None,
) -> DeclarationFacts:
    """A declaration of a car from China and apples from Turkey (by default)."""
    return DeclarationFacts.of(
        key,
        {**HEADER, **(header or {})},
        items,
        trader=TraderFacts(category=trader_category, aeo=aeo),
        item_extras=item_extras,
    )


def decide(
    facts: DeclarationFacts,
    profiles: ProfileSet,
    *,
    parameters: OfficeParameters | None = None,
    secret: bytes = SECRET,
    at: datetime = AT,
    zone: tzinfo = ZONE,
    **options: Any,
) -> Decision:
    """``assess`` with the test secret, time and time zone."""
    return assess(
        facts, profiles, parameters=parameters, secret=secret, at=at, zone=zone, **options
    )


def on(day: date) -> datetime:
    """Noon UTC of a day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
