"""Calling the engine in plain Python: defaults, the seeded catalogue, strict compiling and
one place for each fact of a declaration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from corridor.declarations.facts import TraderFacts, build_rows
from corridor.selectivity.engine import (
    DEFAULT_MEASURES,
    DeclarationFacts,
    ProfileSetError,
    ProfileSpec,
    compile_profile_set,
)
from tests.unit.selectivity.selectivity_testing import (
    APPLES,
    CAR,
    HEADER,
    decide,
    declaration,
    profile_set,
)

# --------------------------------------------------------------------------- profiles


def test_a_profile_needs_only_its_code_and_criteria() -> None:
    spec = ProfileSpec("P-1", 'origin = "CN"')
    assert (spec.version, spec.kind, spec.title, spec.risk_area) == (1, "national", "", "")
    assert spec.measures == ()
    assert spec.selection_rate == Decimal(100)
    assert spec.offices == spec.flows == spec.procedures == frozenset()
    assert (spec.exempt_low_risk, spec.exempt_aeo) == (False, False)
    assert (spec.valid_from, spec.valid_to, spec.officer_instructions) == (None, None, "")
    with pytest.raises(TypeError):
        ProfileSpec("P-1", 'origin = "CN"', 2)  # type: ignore[call-arg]  # the rest by name


def test_scope_sets_and_measures_of_any_collection_are_kept_frozen() -> None:
    spec = ProfileSpec(
        "P-1",
        'origin = "CN"',
        flows={"IM"},  # type: ignore[arg-type]
        offices=["KGBSK"],  # type: ignore[arg-type]
        measures=[("109", True)],  # type: ignore[arg-type]
    )
    assert spec.flows == frozenset({"IM"})
    assert isinstance(spec.flows, frozenset)
    assert spec.offices == frozenset({"KGBSK"})
    assert isinstance(spec.offices, frozenset)
    assert spec.measures == (("109", True),)
    decision = decide(declaration(), compile_profile_set([spec], lists=(), strict=True))
    assert decision.channel == "red"
    with pytest.raises(TypeError, match="offices must be a collection of codes"):
        ProfileSpec("P-1", 'origin = "CN"', offices="KGBSK")  # type: ignore[arg-type]


def test_a_profile_set_compiles_with_the_seeded_catalogue_and_the_fact_schema() -> None:
    profiles = compile_profile_set(
        [ProfileSpec("P-1", 'origin = "CN"', measures=(("615", False),))]
    )
    assert profiles.problems == ()
    assert profiles.measures == DEFAULT_MEASURES
    assert profiles.version == "unversioned"
    decision = decide(declaration(), profiles)
    assert [(m.code, m.name, m.channel) for m in decision.measures] == [
        ("615", "taking samples for laboratory expertise", "red")
    ]
    assert decision.profile_set_version == "unversioned"


def test_the_seeded_catalogue_is_read_only_data() -> None:
    assert sorted(DEFAULT_MEASURES) == [
        "101", "102", "103", "104", "105", "109", "112", "601", "615", "801", "802"
    ]  # fmt: skip
    assert all(code == spec.code for code, spec in DEFAULT_MEASURES.items())
    with pytest.raises(TypeError):
        DEFAULT_MEASURES["999"] = DEFAULT_MEASURES["109"]  # type: ignore[index]


BAD = [
    (ProfileSpec("BAD-MEASURE", 'origin = "CN"', measures=(("999", True),)), "unknown measure"),
    (ProfileSpec("BAD-SYNTAX", 'origin = = "CN"'), "BAD-SYNTAX version 1: "),
    (ProfileSpec("BAD-FACT", 'colour = "red"'), "colour"),
    (ProfileSpec("BAD-RATE", 'origin = "CN"', selection_rate=Decimal(101)), "selection rate"),
    (
        ProfileSpec(
            "BAD-WINDOW", 'origin = "CN"', valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)
        ),
        "is before valid_from",
    ),
    (ProfileSpec("BAD-LIST", 'in_list("NOWHERE")'), "NOWHERE"),
]


@pytest.mark.parametrize(("spec", "says"), BAD, ids=[spec.code for spec, _ in BAD])
def test_strict_compiling_raises_naming_the_profile_and_the_problem(
    spec: ProfileSpec, says: str
) -> None:
    good = ProfileSpec("GOOD", 'origin = "CN"')
    lenient = compile_profile_set([good, spec])
    assert [p.spec.code for p in lenient.profiles] == ["GOOD"]  # left out, the others kept
    [problem] = lenient.problems
    with pytest.raises(ProfileSetError) as raised:
        compile_profile_set([good, spec], strict=True)
    assert isinstance(raised.value, ValueError)
    assert raised.value.problems == (problem,)
    assert str(raised.value) == f"profile {spec.code} version 1: {problem.message}"
    assert says in str(raised.value)


def test_strict_compiling_names_every_bad_profile() -> None:
    specs = [spec for spec, _ in BAD]
    with pytest.raises(ProfileSetError) as raised:
        compile_profile_set([*specs, replace(specs[0], code="AGAIN")], strict=True)
    message = str(raised.value)
    for spec in specs:
        assert f"profile {spec.code} version 1: " in message
    assert "profile AGAIN version 1: unknown measure '999'" in message
    assert len(raised.value.problems) == len(specs) + 1


# --------------------------------------------------------------------------- declarations


@pytest.mark.parametrize(("category", "aeo"), [(None, False), ("low", False), ("high", True)])
def test_a_declaration_of_plain_mappings_gives_each_fact_once(
    category: str | None, aeo: bool
) -> None:
    extras = {1: {"value_ratio": "0.4"}}
    facts = DeclarationFacts.of(
        "K/1",
        HEADER,
        [CAR, APPLES],
        trader=TraderFacts(category=category, aeo=aeo),
        item_extras=extras,
    )
    assert facts == declaration(
        "K/1", trader_category=category, aeo=aeo, item_extras=extras
    )  # what a caller stating every fact twice builds
    assert (facts.flow, facts.office, facts.procedure) == ("IM", "KGBSK", "40")
    assert (facts.trader_category, facts.aeo) == (category, aeo)
    assert all(row["trader_category"] == category for row in facts.rows)


def test_a_declaration_without_a_trader_record_has_no_status() -> None:
    facts = DeclarationFacts.of("K/1", HEADER, [CAR])
    assert (facts.trader_category, facts.aeo) == (None, False)
    assert facts.rows[0]["aeo"] is None  # unknown to the register: not an AEO


@pytest.mark.parametrize("name", ["flow", "office", "procedure"])
def test_a_declaration_needs_its_scope_in_the_header(name: str) -> None:
    header: dict[str, Any] = {**HEADER, name: None}
    with pytest.raises(ValueError, match=f"header {name} must be a string"):
        DeclarationFacts.of("K/1", header, [CAR])


@pytest.mark.parametrize(
    ("rows_say", "fields_say", "fact"),
    [
        (TraderFacts(category="high"), {"trader_category": "low"}, "trader_category"),
        (TraderFacts(category="low"), {}, "trader_category"),
        (TraderFacts(category="low", aeo=False), {"trader_category": "low", "aeo": True}, "aeo"),
        (TraderFacts(aeo=True), {}, "aeo"),
    ],
)
def test_a_trader_status_stated_twice_must_agree(
    rows_say: TraderFacts, fields_say: dict[str, Any], fact: str
) -> None:
    rows = build_rows(HEADER, [CAR], trader=rows_say)
    with pytest.raises(ValueError, match=f"declaration K/1: {fact} is .* but its rows read"):
        DeclarationFacts("K/1", "IM", "KGBSK", "40", rows, **fields_say)


def test_agreeing_statements_and_rows_without_the_status_are_accepted() -> None:
    rows = build_rows(HEADER, [CAR], trader=TraderFacts(category="low", aeo=None))
    facts = DeclarationFacts("K/1", "IM", "KGBSK", "40", rows, trader_category="low")
    assert (facts.trader_category, facts.aeo) == ("low", False)
    hand_made = ({"origin": "CN"},)  # rows that do not state it: the fields decide
    assert (
        DeclarationFacts("K/1", "IM", "KGBSK", "40", hand_made, trader_category="low").aeo is False
    )
    assert DeclarationFacts("K/1", "IM", "KGBSK", "40", ()).rows == ()


def test_exemptions_read_the_status_given_once() -> None:
    spec = replace(
        ProfileSpec("EX", 'origin = "CN"', measures=(("109", False),)), exempt_low_risk=True
    )
    low = DeclarationFacts.of("K/1", HEADER, [CAR], trader=TraderFacts(category="low"))
    [hit] = decide(low, profile_set(spec)).hits
    assert hit.exempt
    assert not hit.selected
