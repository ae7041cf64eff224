"""The engine's decisions: channels, measures, scope, validity, exemptions, reasons, records."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridor.selectivity.engine as engine
from corridor.declarations.facts import TraderFacts
from corridor.selectivity.engine import (
    ENGINE_VERSION,
    RANDOM_MEASURES,
    SEVERITY,
    Decision,
    MeasureSource,
    MeasureSpec,
    OfficeParameters,
    draw,
    selects,
)
from tests.unit.selectivity.selectivity_testing import (
    AT,
    CAR,
    HEADER,
    MEASURES,
    SECRET,
    decide,
    declaration,
    on,
    profile,
    profile_set,
)

CAR_RULE = 'hs_code startswith ["8703"] and origin in ["CN", "AE"] and value_ratio < 0.6'


def test_the_export_list_is_honest() -> None:
    for name in engine.__all__:
        assert hasattr(engine, name), name
    assert len(set(engine.__all__)) == len(engine.__all__)


# --------------------------------------------------------------------------- channel


def test_nothing_selects_green() -> None:
    decision = decide(declaration(), profile_set(profile(criteria='origin = "US"')))
    assert decision.channel == "green"
    assert decision.hits == ()
    assert decision.measures == ()


@pytest.mark.parametrize(
    "codes",
    [
        ("109",),
        ("101",),
        ("801",),
        ("102",),
        ("101", "109"),
        ("801", "101"),
        ("801", "102"),
        ("102", "801", "601", "105"),
    ],
)
def test_the_channel_is_the_most_severe_of_the_measures(codes: tuple[str, ...]) -> None:
    profiles = [
        profile(f"P{i}", 'origin = "CN"', measures=[(c, False)]) for i, c in enumerate(codes)
    ]
    decision = decide(declaration(), profile_set(*profiles))
    channels = [MEASURES[c].channel for c in codes]
    expected = max((c for c in channels if c != "none"), key=lambda c: SEVERITY[c], default="green")
    assert decision.channel == expected
    assert {m.code for m in decision.measures} == set(codes)


def test_channel_precedence_order() -> None:
    assert SEVERITY["red"] > SEVERITY["yellow"] > SEVERITY["blue"] > SEVERITY["green"]


def test_a_measure_without_channel_is_applied_but_leaves_green() -> None:
    decision = decide(declaration(), profile_set(profile(measures=[("102", True)])))
    assert decision.channel == "green"
    assert [(m.code, m.channel, m.mandatory) for m in decision.measures] == [("102", "none", True)]


def test_measures_are_merged_by_code_with_all_sources() -> None:
    profiles = profile_set(
        profile("A", 'origin = "CN"', measures=[("109", False), ("101", False)]),
        profile("B", 'origin = "TR"', measures=[("109", True)]),
    )
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(100)})
    decision = decide(declaration(), profiles, parameters=parameters)
    by_code = {m.code: m for m in decision.measures}
    assert list(by_code) == ["109", "101"]  # most severe first
    examination = by_code["109"]
    assert examination.mandatory
    assert examination.sources == (
        MeasureSource("A", 1),
        MeasureSource("B", 1),
        MeasureSource(),
    )
    assert examination.sources[-1].is_random
    assert not by_code["101"].mandatory
    assert by_code["101"].name == MEASURES["101"].name


# --------------------------------------------------------------------------- matching


def test_a_profile_matches_when_any_item_matches_and_names_the_items() -> None:
    decision = decide(declaration(), profile_set(profile(criteria='origin in ["TR", "DE"]')))
    (hit,) = decision.hits
    assert hit.matched_items == (2,)
    both = decide(declaration(), profile_set(profile(criteria='flow = "IM"'))).hits[0]
    assert both.matched_items == (1, 2)


def test_the_reason_shows_the_actual_values_of_the_first_matching_item() -> None:
    facts = declaration(item_extras={1: {"value_ratio": "0.42"}})
    (hit,) = decide(facts, profile_set(profile(criteria=CAR_RULE))).hits
    assert "8703231990" in hit.reason
    assert "CN" in hit.reason
    assert "0.42" in hit.reason
    assert hit.matched_items == (1,)
    watched = decide(facts, profile_set(profile(criteria='in_list("WATCHED")'))).hits[0]
    assert "01503200710021" in watched.reason
    assert "WATCHED" in watched.reason


def test_a_hit_carries_its_profile() -> None:
    spec = profile("REG-2026-0007", 'origin = "CN"', measures=[("601", False)], rate="100")
    (hit,) = decide(declaration(), profile_set(spec)).hits
    assert (hit.code, hit.version, hit.title, hit.kind, hit.risk_area) == (
        spec.code,
        spec.version,
        spec.title,
        spec.kind,
        spec.risk_area,
    )
    assert hit.officer_instructions == spec.officer_instructions
    assert hit.selection_rate == spec.selection_rate
    assert hit.measures == ("601",)
    assert hit.selected


def test_matched_not_selected_is_recorded() -> None:
    decision = decide(declaration(), profile_set(profile(rate="0")))
    (hit,) = decision.hits
    assert not hit.selected
    assert hit.measures == ()
    assert decision.channel == "green"
    assert 0 <= hit.draw < 1


# --------------------------------------------------------------------------- scope and validity


@pytest.mark.parametrize(
    ("scope", "applies"),
    [
        ({"offices": frozenset({"KGBSK"})}, True),
        ({"offices": frozenset({"KGOSH", "KGBSK"})}, True),
        ({"offices": frozenset({"KGOSH"})}, False),
        ({"flows": frozenset({"IM"})}, True),
        ({"flows": frozenset({"EX", "TR"})}, False),
        ({"procedures": frozenset({"40", "51"})}, True),
        ({"procedures": frozenset({"53"})}, False),
        ({"offices": frozenset({"KGBSK"}), "procedures": frozenset({"53"})}, False),
    ],
)
def test_scope(scope: dict[str, frozenset[str]], applies: bool) -> None:
    decision = decide(declaration(), profile_set(profile(**scope)))
    assert bool(decision.hits) is applies
    assert (decision.channel == "red") is applies


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "applies"),
    [
        (None, None, True),
        (AT.date(), None, True),
        (None, AT.date(), True),
        (AT.date(), AT.date(), True),
        (AT.date() + timedelta(days=1), None, False),
        (None, AT.date() - timedelta(days=1), False),
        (date(2026, 1, 1), date(2026, 12, 31), True),
    ],
)
def test_validity_window(valid_from: date | None, valid_to: date | None, applies: bool) -> None:
    spec = profile(valid_from=valid_from, valid_to=valid_to)
    decision = decide(declaration(), profile_set(spec))
    assert bool(decision.hits) is applies


def test_validity_compares_the_date_of_the_assessment_time() -> None:
    spec = profile(valid_to=date(2026, 10, 1))
    profiles = profile_set(spec)
    assert decide(declaration(), profiles, at=on(date(2026, 10, 1))).hits
    assert not decide(declaration(), profiles, at=on(date(2026, 10, 2))).hits


# --------------------------------------------------------------------------- exemptions


@pytest.mark.parametrize(
    ("flags", "category", "aeo", "exempt"),
    [
        ({"exempt_low_risk": True}, "low", False, True),
        ({"exempt_low_risk": True}, "medium", False, False),
        ({"exempt_low_risk": True}, None, True, False),
        ({"exempt_aeo": True}, "high", True, True),
        ({"exempt_aeo": True}, "low", False, False),
        ({}, "low", True, False),
    ],
)
def test_exempt_traders_get_only_mandatory_measures(
    flags: dict[str, bool], category: str | None, aeo: bool, exempt: bool
) -> None:
    spec = profile(measures=[("109", False), ("101", True)], **flags)
    decision = decide(declaration(trader_category=category, aeo=aeo), profile_set(spec))
    (hit,) = decision.hits
    assert hit.exempt is exempt
    assert hit.selected
    assert hit.measures == (("101",) if exempt else ("109", "101"))
    assert decision.channel == ("yellow" if exempt else "red")


def test_an_exempt_trader_without_mandatory_measures_is_not_selected() -> None:
    spec = profile(measures=[("109", False)], exempt_low_risk=True, exempt_aeo=True)
    for facts in (declaration(trader_category="low"), declaration(aeo=True)):
        decision = decide(facts, profile_set(spec))
        (hit,) = decision.hits
        assert hit.exempt
        assert not hit.selected
        assert hit.measures == ()
        assert decision.channel == "green"
        assert decision.measures == ()


def test_random_control_is_not_exempted() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(100)})
    spec = profile(measures=[("801", False)], exempt_low_risk=True)
    decision = decide(declaration(trader_category="low"), profile_set(spec), parameters=parameters)
    assert decision.channel == "red"
    assert decision.hits[0].exempt


# --------------------------------------------------------------------------- random control


def test_random_control_applies_the_channels_measure() -> None:
    for channel, code in RANDOM_MEASURES.items():
        parameters = OfficeParameters("KGBSK", "IM", {channel: Decimal(100)})
        decision = decide(declaration(), profile_set(), parameters=parameters)
        assert decision.channel == channel
        ((measure),) = decision.measures
        assert measure.code == code
        assert measure.mandatory
        assert measure.sources == (MeasureSource(),)
        ((random),) = decision.random
        assert (random.channel, random.selected, random.rate) == (channel, True, Decimal(100))


def test_a_random_measure_missing_from_the_catalogue_still_sets_its_channel() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(100)})
    profiles = engine.compile_profile_set(
        [], measures={}, lists=[], list_versions={}, schema={}, version="empty"
    )
    decision = decide(declaration(), profiles, parameters=parameters)
    assert decision.channel == "red"
    assert decision.measures[0].code == RANDOM_MEASURES["red"]


def test_no_parameters_no_random_draws() -> None:
    assert decide(declaration(), profile_set()).random == ()
    zero = OfficeParameters("KGBSK", "IM", {"red": Decimal(0), "blue": Decimal(0)})
    decision = decide(declaration(), profile_set(), parameters=zero)
    assert [(d.channel, d.selected) for d in decision.random] == [("red", False), ("blue", False)]
    assert decision.channel == "green"


@pytest.mark.parametrize(
    ("rates", "floor"),
    [
        ({"green": Decimal(1)}, None),
        ({"red": Decimal(101)}, None),
        ({"red": Decimal(-1)}, None),
        ({"red": 0.5}, None),
        ({"red": Decimal(1)}, Decimal("NaN")),
    ],
)
def test_office_parameters_are_checked(rates: dict[str, Decimal], floor: Decimal | None) -> None:
    with pytest.raises(ValueError, match=r"channel|percent"):
        OfficeParameters("KGBSK", "IM", rates, floor)


def test_the_floor_raises_the_red_rate_only_when_observed_is_below() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(1)}, Decimal(10))
    (low,) = decide(
        declaration(), profile_set(), parameters=parameters, observed_red_rate=Decimal(4)
    ).random
    assert (low.rate, low.configured_rate) == (Decimal(6), Decimal(1))
    (met,) = decide(
        declaration(), profile_set(), parameters=parameters, observed_red_rate=Decimal(12)
    ).random
    assert met.rate == Decimal(1)
    (unknown,) = decide(declaration(), profile_set(), parameters=parameters).random
    assert unknown.rate == Decimal(1)
    barely = decide(
        declaration(), profile_set(), parameters=parameters, observed_red_rate=Decimal("9.5")
    ).random[0]
    assert barely.rate == Decimal(1)  # max(configured, floor - observed)


def test_the_floor_adds_red_random_control_where_none_is_configured() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"blue": Decimal(5)}, Decimal(3))
    decision = decide(
        declaration(), profile_set(), parameters=parameters, observed_red_rate=Decimal(1)
    )
    assert [(d.channel, d.rate, d.configured_rate) for d in decision.random] == [
        ("red", Decimal(2), None),
        ("blue", Decimal(5), Decimal(5)),
    ]


# --------------------------------------------------------------------------- draws


def test_draw_is_the_keyed_hash_of_the_parts() -> None:
    digest = hmac.new(SECRET, b"K/1\x1fNAT-1\x1f3", hashlib.sha256).digest()
    expected = Fraction(int.from_bytes(digest[:8], "big"), 2**64)
    value = draw(SECRET, "K/1", "NAT-1", "3")
    assert 0 <= value < 1
    assert abs(Fraction(value) - expected) < Fraction(1, 2**53)
    assert Fraction(value) <= expected


@given(st.binary(min_size=1, max_size=64), st.lists(st.text(max_size=20), max_size=4))
def test_draws_stay_below_one(secret: bytes, parts: list[str]) -> None:
    assert 0 <= draw(secret, *parts) < 1


@given(
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.decimals(min_value=0, max_value=100, places=4),
)
def test_selection_compares_exactly(value: float, rate: Decimal) -> None:
    assert selects(value, rate) is (Fraction(value) < Fraction(rate) / 100)


def test_same_inputs_same_decision_other_secret_other_draws() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(3), "yellow": Decimal(10)})
    profiles = profile_set(
        profile("A", 'origin = "CN"', rate="50"), profile("B", 'origin = "TR"', rate="50")
    )
    first = decide(declaration(), profiles, parameters=parameters)
    again = decide(declaration(), profiles, parameters=parameters)
    assert first == again
    assert first.to_json() == again.to_json()
    other = decide(declaration(), profiles, parameters=parameters, secret=b"another secret")
    assert [h.draw for h in other.hits] != [h.draw for h in first.hits]
    assert [d.draw for d in other.random] != [d.draw for d in first.random]
    assert len({h.draw for h in first.hits} | {d.draw for d in first.random}) == 4
    keyed = decide(declaration("KGBSK/011026/0000002/1"), profiles, parameters=parameters)
    assert [h.draw for h in keyed.hits] != [h.draw for h in first.hits]


def test_a_new_profile_version_draws_anew() -> None:
    first = decide(declaration(), profile_set(profile(version=1))).hits[0].draw
    second = decide(declaration(), profile_set(profile(version=2))).hits[0].draw
    assert first != second
    assert first == draw(SECRET, declaration().key, "NAT-2026-0001", "1")


def test_assess_refuses_an_empty_secret_and_a_naive_time() -> None:
    with pytest.raises(ValueError, match="secret"):
        decide(declaration(), profile_set(), secret=b"")
    with pytest.raises(ValueError, match="time zone"):
        decide(declaration(), profile_set(), at=datetime(2026, 10, 1))


# --------------------------------------------------------------------------- compilation


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (profile("BAD", 'in_list("DELETED")'), "DELETED"),
        (profile("BAD", "origin = "), "line 1"),
        (profile("BAD", 'orign = "CN"'), "origin"),
        (profile("BAD", "value_ratio"), "condition"),
        (profile("BAD", measures=[("999", True)]), "999"),
        (profile("BAD", rate="100.5"), "rate"),
        (profile("BAD", valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)), "valid_to"),
    ],
)
def test_a_profile_that_does_not_compile_is_skipped_and_reported(
    spec: engine.ProfileSpec, message: str
) -> None:
    good = profile("GOOD", 'origin = "CN"')
    profiles = profile_set(spec, good)
    assert [p.spec.code for p in profiles.profiles] == ["GOOD"]
    ((code, version, problem),) = profiles.problems
    assert (code, version) == ("BAD", 1)
    assert message in problem
    decision = decide(declaration(), profiles)
    assert [h.code for h in decision.hits] == ["GOOD"]


def test_a_duplicate_profile_version_is_reported() -> None:
    profiles = profile_set(profile("A"), profile("A"))
    assert len(profiles.profiles) == 1
    assert [p.code for p in profiles.problems] == ["A"]


def test_a_measure_with_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="purple"):
        MeasureSpec("999", "x", "purple")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the record


def test_the_decision_records_versions_time_and_trader() -> None:
    decision = decide(
        declaration(trader_category="medium", item_extras={1: {"model_score": "0.7"}}),
        profile_set(profile(criteria='in_list("CARS")'), version="set-9"),
    )
    assert decision.engine_version == ENGINE_VERSION
    assert decision.profile_set_version == "set-9"
    assert decision.assessed_at == AT
    assert decision.trader_category == "medium"
    assert decision.model_score == Decimal("0.7")
    assert dict(decision.list_versions) == {"CARS": 4}


def test_list_versions_name_the_lists_of_profiles_in_force() -> None:
    profiles = profile_set(
        profile("A", 'in_list("CARS")'),
        profile("B", 'in_list("WATCHED") and origin = "US"'),
        profile("C", 'in_list("BOXES")', offices=frozenset({"KGOSH"})),
        profile("D", 'in_list("PAIRS")', valid_to=date(2020, 1, 1)),
    )
    decision = decide(declaration(), profiles)
    assert dict(decision.list_versions) == {"CARS": 4, "WATCHED": 7}


def test_json_round_trip() -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(50), "blue": Decimal("2.5")})
    profiles = profile_set(
        profile("A", CAR_RULE, measures=[("109", True), ("101", False)]),
        profile("B", 'origin = "TR"', rate="0"),
        profile("C", 'in_list("WATCHED")', measures=[("102", False)]),
    )
    decision = decide(
        declaration(item_extras={1: {"value_ratio": "0.5", "model_score": "0.25"}}),
        profiles,
        parameters=parameters,
    )
    data = json.loads(json.dumps(decision.to_json()))
    assert Decision.from_json(data) == decision
    assert data["channel"] == decision.channel
    assert data["hits"][0]["selection_rate"] == "100"
    assert data["assessed_at"] == AT.isoformat()
    assert data["measures"][0]["sources"][0] == {"kind": "profile", "code": "A", "version": 1}


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("hits"),
        lambda d: d.update(channel="purple"),
        lambda d: d.update(format=99),
        lambda d: d["random"][0].update(rate="lots"),
        lambda d: d.update(hits=None),
    ],
)
def test_from_json_refuses_what_is_not_a_decision(damage: object) -> None:
    parameters = OfficeParameters("KGBSK", "IM", {"red": Decimal(50)})
    data = decide(declaration(), profile_set(profile()), parameters=parameters).to_json()
    damage(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match="not a decision"):
        Decision.from_json(data)


def test_decisions_are_immutable() -> None:
    decision = decide(declaration(), profile_set(profile(criteria='in_list("CARS")')))
    with pytest.raises(AttributeError):
        decision.channel = "green"  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.list_versions["CARS"] = 0  # type: ignore[index]


# --------------------------------------------------------------------------- broker history


@pytest.mark.parametrize(
    ("inspections", "discrepancies", "channel"),
    [
        (2, 1, "red"),  # 0.5: selected (measure 109, a physical inspection)
        (3, 2, "red"),  # 0.666666667
        (3, 1, "green"),  # 0.333333333
        (0, 0, "green"),  # never inspected: the rate is missing, the criterion false
        (None, None, "green"),  # history does not know the declarant
    ],
)
def test_a_profile_selects_on_the_declarants_discrepancy_rate(
    inspections: int | None, discrepancies: int | None, channel: str
) -> None:
    facts = engine.DeclarationFacts.of(
        "KGBSK/011026/0000001/1",
        HEADER,
        [CAR],
        trader=TraderFacts(
            declarant_declarations=10,
            declarant_inspections=inspections,
            declarant_discrepancies=discrepancies,
        ),
    )
    decision = decide(facts, profile_set(profile(criteria="declarant_discrepancy_rate >= 0.5")))
    assert decision.channel == channel
    assert len(decision.hits) == (channel == "red")
