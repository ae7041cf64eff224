"""The profile index never drops a profile that could match, and it does prune."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.declarations.facts import fact_schema
from corridor.rules import NamedList, explain
from corridor.selectivity.engine import (
    DeclarationFacts,
    Guard,
    OfficeParameters,
    ProfileSpec,
    compile_profile_set,
)
from tests.examples import examples
from tests.unit.selectivity.selectivity_testing import AT, MEASURES, decide, profile

SCHEMA = fact_schema()
LISTS = (
    NamedList(
        "CARS", ("hs_code",), frozenset({("8703",), ("8711",), ("87",)}), frozenset({"hs_code"})
    ),
    NamedList("IMP", ("importer",), frozenset({("I1",), ("I3",)})),
    NamedList("BOX", ("containers",), frozenset({("C1",), ("C3",)})),
    NamedList("CTRY", ("origin",), frozenset({("CN",), ("AE",)})),
    NamedList("PAIRS", ("origin", "hs_code"), frozenset({("CN", "87")}), frozenset({"hs_code"})),
    NamedList("EMPTY", ("importer",), frozenset()),
)
VERSIONS = {named.name: i for i, named in enumerate(LISTS, start=1)}

HS = ["8703231990", "8703100000", "8711100000", "0808100000", "6403999000", "87", "", "870"]
ORIGINS = ["CN", "AE", "TR", "US"]
TRADERS = ["I1", "I2", "I3"]
OFFICES = ["KGBSK", "KGOSH", "KGTKM"]
FLOWS = ["IM", "EX", "TR"]
PROCEDURES = ["40", "10", "80", "51"]
PREFIXES = ["8", "87", "8703", "8711", "08", "0808100000", "", "64039990001"]


def _quoted(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _some(values: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)


FIXED = [
    'in_list("CARS")',
    'in_list("IMP")',
    'in_list("IMP", exporter)',
    'in_list("BOX")',
    'in_list("CTRY", origin)',
    'in_list("CTRY", dispatch_country)',
    'in_list("PAIRS")',
    'in_list("EMPTY")',
    'in_list("CARS", lower(description))',
    'containers contains "C2"',
    "value_ratio < 0.6",
    "value_ratio <= 0.6",
    "value_ratio > 0.6",
    "0.3 >= value_ratio",
    "value_ratio >= 0.9 or value_ratio < 0.3",
    "value_ratio > -1 and value_ratio < 0.600000001",
    "value_ratio is missing",
    "true",
    "false",
]
# Every template equally likely, so that rare guards (list fields, scope) get exercised.
CONJUNCTS: st.SearchStrategy[str] = st.one_of(
    _some(PREFIXES).map(lambda p: f"hs_code startswith {_quoted(p)}"),
    st.sampled_from(HS).map(lambda h: f'hs_code = "{h}"'),
    _some(ORIGINS).map(lambda o: f"origin in {_quoted(o)}"),
    st.sampled_from(ORIGINS).map(lambda o: f'origin = "{o}"'),
    st.sampled_from(ORIGINS).map(lambda o: f'"{o}" = origin'),
    st.sampled_from(ORIGINS).map(lambda o: f'origin != "{o}"'),
    _some(ORIGINS).map(lambda o: f"origin not in {_quoted(o)}"),
    st.sampled_from(ORIGINS).map(lambda o: f'not (origin = "{o}")'),
    st.sampled_from(["87", "08", "64"]).map(lambda c: f'chapter = "{c}"'),
    st.sampled_from(OFFICES).map(lambda o: f'office = "{o}"'),
    st.sampled_from(FLOWS).map(lambda f: f'flow = "{f}"'),
    st.sampled_from(TRADERS).map(lambda t: f'importer = "{t}"'),
    *(st.just(text) for text in FIXED),
)


CONJUNCT_LISTS = st.lists(CONJUNCTS, min_size=1, max_size=3)


@st.composite
def criteria(draw: st.DrawFn) -> str:
    parts = draw(CONJUNCT_LISTS)
    if len(parts) >= 2 and draw(st.booleans()):
        parts = [f"({parts[0]} or {parts[1]})", *parts[2:]]
    return " and ".join(parts)


def _subset(values: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.one_of(
        st.just(frozenset[str]()),
        st.frozensets(st.sampled_from(values), min_size=1, max_size=2),
    )


def _maybe(values: list[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(values))


# Strategies are built once: building them inside a composite dominates the run time.
MEASURE_LISTS = st.lists(st.tuples(st.sampled_from(sorted(MEASURES)), st.booleans()), max_size=3)
RATES = st.sampled_from(["0", "50", "100"])
SCOPES = st.tuples(_subset(OFFICES), _subset(FLOWS), _subset(PROCEDURES))
WINDOWS = st.tuples(st.integers(-2, 2), st.integers(0, 3), st.booleans(), st.booleans()).map(
    lambda w: (
        AT.date() + timedelta(days=w[0]) if w[2] else None,
        AT.date() + timedelta(days=w[0] + w[1]) if w[3] else None,
    )
)


@st.composite
def profiles(draw: st.DrawFn) -> list[ProfileSpec]:
    specs = []
    for i in range(draw(st.integers(1, 12))):
        offices, flows, procedures = draw(SCOPES)
        valid_from, valid_to = draw(WINDOWS)
        specs.append(
            profile(
                f"P{i:02d}",
                draw(criteria()),
                measures=draw(MEASURE_LISTS),
                rate=draw(RATES),
                offices=offices,
                flows=flows,
                procedures=procedures,
                exempt_low_risk=draw(st.booleans()),
                exempt_aeo=draw(st.booleans()),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return specs


TRADER = _maybe(TRADERS)
COUNTRY = _maybe(ORIGINS)
CATEGORY = _maybe(["low", "medium", "high"])
CONTAINERS = st.one_of(
    st.none(),
    st.lists(st.sampled_from(["C1", "C2", "C3"]), max_size=2).map(tuple),
    st.just("C1"),  # a string where a list belongs: missing
)
HS_CODE = st.one_of(st.sampled_from(HS), st.just(None), st.just(8703))
DESCRIPTION = st.sampled_from(["8703 car", "apples", None])
RATIO = st.sampled_from(
    [
        None,
        Decimal("0.3"),
        Decimal("0.6"),
        Decimal("0.9"),
        0.6,
        1,
        "0.3",
        True,
        Decimal("0.6000000004"),
    ]
)


@st.composite
def declarations(draw: st.DrawFn) -> DeclarationFacts:
    office, flow = draw(st.sampled_from(OFFICES)), draw(st.sampled_from(FLOWS))
    header: dict[str, Any] = {
        "office": draw(st.sampled_from([office, "KGOSH"])),  # rows may disagree with the key
        "flow": flow,
        "importer": draw(TRADER),
        "exporter": draw(TRADER),
        "dispatch_country": draw(COUNTRY),
        "containers": draw(CONTAINERS),
    }
    rows = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        hs = draw(HS_CODE)
        rows.append(
            {
                **header,
                "item_no": Decimal(number),
                "hs_code": hs,
                "chapter": hs[:2] if isinstance(hs, str) else None,
                "origin": draw(COUNTRY),
                "description": draw(DESCRIPTION),
                "value_ratio": draw(RATIO),
            }
        )
    return DeclarationFacts(
        key=f"D-{draw(st.integers(0, 10**6))}",
        flow=flow,
        office=office,
        procedure=draw(st.sampled_from(PROCEDURES)),
        rows=tuple(rows),
        trader_category=draw(CATEGORY),
        aeo=draw(st.booleans()),
    )


def compiled(specs: list[ProfileSpec], **options: Any) -> Any:
    return compile_profile_set(
        specs,
        measures=MEASURES,
        lists=LISTS,
        list_versions=VERSIONS,
        schema=SCHEMA,
        version="t",
        **options,
    )


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.lists(declarations(), min_size=1, max_size=4))
def test_indexed_and_unindexed_decisions_are_identical(
    specs: list[ProfileSpec], facts: list[DeclarationFacts]
) -> None:
    profile_set = compiled(specs)
    assert not profile_set.problems
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(10), "blue": Decimal(50)})
    for declaration in facts:
        indexed = decide(declaration, profile_set, parameters=parameters)
        unindexed = decide(declaration, profile_set, parameters=parameters, use_index=False)
        assert indexed == unindexed
        # Each reason is what the criteria language says of the whole criterion.
        by_code = {p.spec.code: p for p in profile_set.profiles}
        for hit in indexed.hits:
            row = declaration.rows[hit.matched_items[0] - 1]
            said = explain(by_code[hit.code].expr, row, schema=SCHEMA, lists=LISTS)
            assert said.matched
            assert hit.reason == said.text
        # The guarantee itself: every row a profile in force matches is let through.
        candidates = profile_set.index.candidates(declaration)
        for position, compiled_profile in enumerate(profile_set.profiles):
            if not compiled_profile.scope.covers(declaration, AT.date()):
                continue
            for i, row in enumerate(declaration.rows):
                if compiled_profile.matches(row):
                    assert candidates.get(position, 0) >> i & 1, compiled_profile.spec.criteria


def _guard(criteria: str, **scope: Any) -> Guard | None:
    (only,) = compiled([profile("G", criteria, **scope)]).profiles
    return only.guard


def test_guards_come_from_conjuncts_lists_and_scope() -> None:
    assert _guard('hs_code startswith ["8703", "8711"] and origin = "CN"') == Guard(
        "hs_code", "prefix", frozenset({"8703", "8711"})
    )
    assert _guard('origin in ["CN", "AE"] and value_ratio < 0.6') == Guard(
        "origin", "equal", frozenset({"CN", "AE"})
    )
    assert _guard('in_list("CARS")') == Guard(
        "hs_code", "prefix", frozenset({"8703", "8711", "87"})
    )
    assert _guard('in_list("CTRY", dispatch_country)') == Guard(
        "dispatch_country", "equal", frozenset({"CN", "AE"})
    )
    assert _guard('in_list("BOX")') == Guard("containers", "equal", frozenset({"C1", "C3"}))
    assert _guard('(origin = "CN" and value_ratio < 1) or origin = "AE"') == Guard(
        "origin", "equal", frozenset({"CN", "AE"})
    )
    assert _guard('importer = "I1" and origin = "CN"') == Guard(
        "importer", "equal", frozenset({"I1"})
    )
    assert _guard("value_ratio < 0.6", offices=frozenset({"KGOSH"})) == Guard(
        "office", "scope", frozenset({"KGOSH"})
    )
    assert _guard("value_ratio < 0.6", flows=frozenset({"IM"})) == Guard(
        "value_ratio", "at_most", limit=Decimal("0.6")
    )
    assert _guard("-2 < value_ratio") == Guard("value_ratio", "at_least", limit=Decimal(-2))
    assert _guard("value_ratio >= 1.5 or value_ratio > 0.9") == Guard(
        "value_ratio", "at_least", limit=Decimal("0.9")
    )


def test_conditions_that_do_not_imply_a_value_give_no_guard() -> None:
    for criteria in (
        'origin != "CN"',
        'origin not in ["CN"]',
        'not (origin = "CN")',
        'origin = "CN" or value_ratio < 0.6',
        'origin = "CN" or importer = "I1"',
        'in_list("PAIRS")',
        'in_list("CARS", lower(description))',
        "value_ratio * 2 < 0.6",
        "value_ratio < ref_price",
        "value_ratio < 0.6 or value_ratio > 0.9",
        "value_ratio = 0.6",
    ):
        assert _guard(criteria) is None, criteria


def test_the_index_tests_only_profiles_that_can_match() -> None:
    specs = [profile(f"H{i:03d}", f'hs_code startswith ["{i:04d}"]') for i in range(1, 200)]
    specs += [profile("CN", 'origin = "CN" and value_ratio < 0.6')]
    specs += [profile("LOW", "value_ratio < 0.1")]
    specs += [profile("ANY", "ref_price is missing")]
    specs += [profile("OSH", "ref_price is missing", offices=frozenset({"KGOSH"}))]
    profile_set = compiled(specs)
    rows = (
        {"hs_code": "0101210000", "origin": "CN", "value_ratio": Decimal("0.05")},
        {"hs_code": "8703231990", "origin": "TR", "value_ratio": Decimal("0.5")},
    )
    declaration = DeclarationFacts("K", "IM", "KGBSK", "40", rows)
    candidates = profile_set.index.candidates(declaration)
    codes = {profile_set.profiles[p].spec.code: mask for p, mask in candidates.items()}
    assert codes == {"H101": 0b01, "CN": 0b01, "LOW": 0b01, "ANY": 0b11}
    assert [p.spec.code for p in profile_set.profiles if p.guard is None] == ["ANY"]


OTHER_ROW: dict[str, Any] = {
    "hs_code": "0808100000",
    "origin": "US",
    "importer": "I2",
    "exporter": "I2",
    "containers": ("C2",),
    "dispatch_country": "US",
    "value_ratio": Decimal(3),
    "ref_price": Decimal(1),
}


@pytest.mark.parametrize(
    ("criteria", "row", "scope"),
    [
        ('hs_code startswith ["8703"]', {"hs_code": "8703231990"}, {}),
        ('hs_code = "8703231990"', {"hs_code": "8703231990"}, {}),
        ('origin in ["CN", "AE"]', {"origin": "AE"}, {}),
        ('"CN" = origin', {"origin": "CN"}, {}),
        ('in_list("CARS")', {"hs_code": "8711100000"}, {}),
        ('in_list("IMP")', {"importer": "I3"}, {}),
        ('in_list("IMP", exporter)', {"exporter": "I1"}, {}),
        ('in_list("BOX")', {"containers": ("C2", "C3")}, {}),
        ('in_list("BOX")', {"containers": ["C1"]}, {}),
        ('in_list("CTRY", dispatch_country)', {"dispatch_country": "AE"}, {}),
        ('(origin = "CN" and value_ratio < 1) or origin = "AE"', {"origin": "AE"}, {}),
        ("ref_price is missing", {"ref_price": None}, {"offices": frozenset({"KGBSK"})}),
        ("ref_price is missing", {"ref_price": None}, {"flows": frozenset({"IM", "EX"})}),
        ("ref_price is missing", {"ref_price": None}, {"procedures": frozenset({"40"})}),
        ("value_ratio < 1", {"value_ratio": Decimal("0.999999999")}, {}),
        ("value_ratio <= 1", {"value_ratio": 1.0000000004}, {}),
        ("value_ratio > 4.5", {"value_ratio": 5}, {}),
        ("value_ratio >= 10000000.000000001", {"value_ratio": Decimal("10000000.0000000015")}, {}),
    ],
)
def test_each_kind_of_guard_lets_a_matching_row_through(
    criteria: str, row: dict[str, Any], scope: dict[str, frozenset[str]]
) -> None:
    decoys = [profile(f"D{i:02d}", f'hs_code startswith ["{i:02d}"]') for i in range(1, 30)]
    # Rows that differ in header facts: every fact is looked up row by row here.
    profile_set = compiled([*decoys, profile("TARGET", criteria, **scope)], header_facts=())
    (target,) = [i for i, p in enumerate(profile_set.profiles) if p.spec.code == "TARGET"]
    assert profile_set.profiles[target].guard is not None
    rows = (OTHER_ROW, {**OTHER_ROW, **row})
    assert profile_set.profiles[target].matches(rows[1])
    assert not profile_set.profiles[target].matches(rows[0])
    declaration = DeclarationFacts("K", "IM", "KGBSK", "40", rows)
    candidates = profile_set.index.candidates(declaration)
    assert candidates[target] & 0b10
    if not scope:  # a row guard lets through only the rows it tested
        assert candidates[target] == 0b10, profile_set.profiles[target].guard
    assert len(candidates) < len(profile_set.profiles)


def test_an_empty_prefix_lets_every_string_through() -> None:
    profile_set = compiled([profile("ALL", 'hs_code startswith ["", "99"]')])
    rows = ({"hs_code": "0101"}, {"hs_code": None}, {"hs_code": ""})
    candidates = profile_set.index.candidates(DeclarationFacts("K", "IM", "KGBSK", "40", rows))
    assert candidates == {0: 0b101}


def test_a_string_where_a_list_belongs_is_not_let_through() -> None:
    profile_set = compiled([profile("BOX", 'in_list("BOX")')], header_facts=())
    rows = ({"containers": "C1"}, {"containers": ["C1"]})
    candidates = profile_set.index.candidates(DeclarationFacts("K", "IM", "KGBSK", "40", rows))
    assert candidates == {0: 0b10}


def test_a_guard_from_an_or_still_tests_the_branches() -> None:
    criteria = '(origin = "CN" and value_ratio < 1) or origin = "AE"'
    profile_set = compiled([profile("OR", criteria)])
    rows = ({"origin": "CN", "value_ratio": Decimal(5)}, {"origin": "AE"})
    declaration = DeclarationFacts("K", "IM", "KGBSK", "40", rows)
    assert profile_set.index.candidates(declaration) == {0: 0b11}
    decision = decide(declaration, profile_set)
    assert [hit.matched_items for hit in decision.hits] == [(2,)]
    assert decision == decide(declaration, profile_set, use_index=False)


def test_header_facts_are_read_once_for_every_row() -> None:
    profile_set = compiled(
        [
            profile("IMP", 'in_list("IMP") and origin = "CN"'),
            profile("OLD", "importer_discrepancies > 2 and value_ratio is missing"),
        ]
    )
    header = {"importer": "I1", "importer_discrepancies": Decimal(3)}
    rows = ({**header, "origin": "TR"}, {**header, "origin": "CN"}, {**header, "origin": "CN"})
    declaration = DeclarationFacts("K", "IM", "KGBSK", "40", rows)
    assert profile_set.index.candidates(declaration) == {0: 0b111, 1: 0b111}
    decision = decide(declaration, profile_set)
    assert [hit.matched_items for hit in decision.hits] == [(2, 3), (1, 2, 3)]
