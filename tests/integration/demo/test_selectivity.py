"""The demo risk profiles, lists and office parameters: seeding and assessing a small world."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.facts import fact_schema
from corridor.demo import OFFICES, build_traders, loader
from corridor.demo import selectivity as demo
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate, ProfileKind, RiskArea
from corridor.selectivity.snapshot import ProfileSetHolder

#: The last day of the small test world (a past day, so its declarations validate).
WORLD_END = date(2026, 6, 30)
#: Facts the engine does not supply in this release: a criterion reading them matches nothing.
NOT_SUPPLIED = frozenset(
    {
        "ref_price",
        "value_ratio",
        "trader_category",
        "aeo",
        "importer_age_days",
        "importer_first_seen",
        "importer_declarations",
        "importer_inspections",
        "importer_discrepancies",
        "importer_discrepancy_rate",
        "importer_underpriced_share",
        "declarant_declarations",
        "declarant_inspections",
        "declarant_discrepancies",
        "declarant_discrepancy_rate",
        "model_score",
    }
)
#: The measures catalogue the migrations seed.
CATALOGUE = frozenset({"101", "102", "103", "104", "105", "109", "112", "601", "615", "801", "802"})
CODE = re.compile(r"^(NAT-2026|REG-[A-Z]{3}-2026|PST-KG[A-Z]{3}-2026|TGT-2026)-\d{4}$")


def today() -> date:
    return datetime.now(UTC).date()


def profiles() -> tuple[ProfileCreate, ...]:
    return demo.demo_profiles(build_traders(demo.WORLD_SEED, WORLD_END), today())


def run(factory: sessionmaker[Session], action: Any) -> Any:
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


# --------------------------------------------------------------------------- the data


def test_profiles_cover_every_risk_area_and_kind() -> None:
    found = profiles()
    codes = [p.code for p in found]
    assert len(codes) == len(set(codes)), "profile codes are unique"
    assert 30 <= len(found) <= 45
    assert all(CODE.match(code) for code in codes), codes
    assert {p.risk_area for p in found} == set(get_args(RiskArea))
    assert {p.kind for p in found} == set(get_args(ProfileKind)) - {"model"}
    for profile in found:
        assert {m.code for m in profile.measures} <= CATALOGUE, profile.code
        assert profile.valid_from == today(), profile.code
        assert profile.valid_to is not None, profile.code
        assert profile.officer_instructions, profile.code
        assert profile.rationale, profile.code
        assert profile.expected_per_month is not None, profile.code
        # plain text for the inspector: no fact names, list names or operators
        assert "_" not in profile.officer_instructions, profile.code
        assert '"' not in profile.officer_instructions, profile.code
        if profile.kind == "target":
            assert (profile.valid_to - today()).days <= 60, profile.code


def test_the_three_asycuda_examples_are_present() -> None:
    criteria = {p.criteria for p in profiles()}
    assert 'hs_code startswith "080810" and origin = "US"' in criteria
    assert 'in_list("ASYCUDA_WATCH") and value_per_unit < 3000' in criteria
    assert any(re.search(r"value_per_kg not between \d+ and \d+", c) for c in criteria)
    watch = next(
        item
        for item in demo.demo_lists(build_traders(demo.WORLD_SEED, WORLD_END), WORLD_END)
        if item.name == "ASYCUDA_WATCH"
    )
    assert watch.key_fields == ["importer", "declarant", "hs_code", "origin"]
    assert watch.prefix_fields == ["hs_code"]
    assert watch.entries


def test_the_target_is_a_chronic_offender_of_the_world() -> None:
    book = build_traders(demo.WORLD_SEED, WORLD_END)
    offender = demo.chronic_offender(book)
    assert offender is not None
    assert offender.honesty == "offender"
    target = next(p for p in profiles() if p.code == "TGT-2026-0001")
    assert target.criteria == f'importer = "{offender.tin}"'


def test_valuation_floors_follow_the_price_tables() -> None:
    text = demo.value_floor(["8703231940"], 0.6)
    # 14,500 USD x 0.6 x 87.4 som = 760,380 som, rounded to three significant digits
    assert '(hs_code = "8703231940" and origin = "CN" and value_per_unit < 760000)' in text
    assert "value_per_kg" in demo.value_floor(["6309000000"], 0.5)


def test_office_parameters_cover_every_office_and_flow() -> None:
    parameters = demo.office_parameters()
    assert set(parameters) == {(o.code, flow) for o in OFFICES for flow, _ in o.flows}
    for rates in parameters.values():
        assert 1 <= rates.random_red <= 2
        assert 2 <= rates.random_yellow <= 3
        assert rates.random_blue == 1
    assert sum(1 for rates in parameters.values() if rates.expected_floor is not None) >= 2


# --------------------------------------------------------------------------- in the database


def test_every_criterion_compiles_against_the_facts_and_lists(
    session_factory: sessionmaker[Session],
) -> None:
    book = build_traders(demo.WORLD_SEED, WORLD_END)
    names = set()
    for list_in in demo.demo_lists(book, WORLD_END):
        run(
            session_factory,
            lambda uow, item=list_in: profiles_service.create_list(
                uow=uow, list_in=item, actor=demo.ANALYST
            ),
        )
        names.add(list_in.name)
    schema = fact_schema()
    used: set[str] = set()
    for profile in demo.demo_profiles(book, today()):
        result = run(
            session_factory,
            lambda uow, text=profile.criteria: profiles_service.check_criteria(
                confidential_lists=True, uow=uow, criteria=text
            ),
        )
        assert result.valid, (profile.code, result.problem)
        assert set(result.fields) <= set(schema), profile.code
        assert not set(result.fields) & NOT_SUPPLIED, (profile.code, result.fields)
        used |= set(result.lists)
    assert used == names, "every list is read by a profile"


def test_seeding_is_idempotent_with_four_eyes(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="four eyes"):
        demo.seed(session_factory=session_factory, analyst="x", approver="x")
    first = demo.seed(session_factory=session_factory, end=WORLD_END)
    expected = {p.code for p in profiles()}
    assert set(first.profiles_activated) == expected
    assert len(first.lists_created) >= 4
    assert len(first.parameters_set) == len(demo.office_parameters())

    again = demo.seed(session_factory=session_factory, end=WORLD_END)
    assert again.created == 0
    assert set(again.profiles_existing) == expected
    assert set(again.lists_existing) == set(first.lists_created)
    assert set(again.parameters_existing) == set(first.parameters_set)

    active = run(session_factory, lambda uow: profiles_service.list_profiles(uow=uow))
    assert {p.code for p in active} == expected
    for profile in active:
        assert profile.status == "active"
        assert profile.version == 1
        # Intelligence material is written by the intelligence officer (see demo.seed).
        author = demo.INTELLIGENCE if profile.intelligence else demo.ANALYST
        assert profile.author == profile.submitted_by == author
        assert profile.approved_by == demo.APPROVER != profile.author
    lists = run(session_factory, lambda uow: profiles_service.list_lists(uow=uow))
    assert {item.name for item in lists} == set(first.lists_created)
    assert all(item.version == 1 for item in lists)


def test_an_interrupted_seed_is_taken_to_active(session_factory: sessionmaker[Session]) -> None:
    draft = next(p for p in profiles() if "ASYCUDA example 1" in p.title)
    run(
        session_factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=draft, actor=demo.ANALYST
        ),
    )
    report = demo.seed(session_factory=session_factory, end=WORLD_END)
    assert draft.code in report.profiles_activated
    stored = run(
        session_factory, lambda uow: profiles_service.get_profile(uow=uow, code=draft.code)
    )
    assert stored.status == "active"
    assert stored.approved_by == demo.APPROVER


def test_a_small_world_gets_a_realistic_channel_mix(
    session_factory: sessionmaker[Session],
) -> None:
    loaded = loader.load(
        session_factory=session_factory, declarations=1500, seed=demo.WORLD_SEED, end=WORLD_END
    )
    assert loaded.created == 1500
    report = demo.seed(session_factory=session_factory)
    assert report.world_end == WORLD_END, "the world's last day is found from its declarations"

    done: list[int] = []
    counts = demo.assess_all(
        session_factory=session_factory,
        holder=ProfileSetHolder(),
        secret=b"demo-test-secret",
        batch=400,
        progress=done.append,
    )
    assert sum(counts.values()) == 1500
    assert sum(done) == 1500
    share = {channel: counts[channel] / 1500 for channel in demo.CHANNELS}
    assert 0.72 <= share["green"] <= 0.93, share
    assert 0.03 <= share["yellow"] <= 0.14, share
    assert 0.015 <= share["red"] <= 0.09, share
    assert 0.003 <= share["blue"] <= 0.05, share
    again = demo.assess_all(
        session_factory=session_factory, holder=ProfileSetHolder(), secret=b"demo-test-secret"
    )
    assert sum(again.values()) == 0, "nothing is assessed twice"

    rates = demo.hit_rates(session_factory=session_factory)
    assert rates.assessed == 1500
    assert rates.channels == counts
    assert rates.frauds == loaded.frauds
    assert rates.targeted_hit_rate > 3 * rates.base_rate, rates
    assert rates.targeted_hit_rate > 2 * rates.random_hit_rate, rates
    assert rates.patterns["quantity_understatement"].targeted_share >= 0.8
    assert rates.patterns["false_origin"].targeted_share >= 0.6
    assert rates.profiles["TGT-2026-0001"][0] >= 1
