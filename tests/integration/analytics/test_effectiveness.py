"""Profile effectiveness on the hand-counted world of ``feedback_world`` (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.analytics import service
from corridor.analytics.schemas import ProfileEffectiveness, ProfileReport, month_period
from corridor.db.uow import UnitOfWork
from corridor.profiles import service as profiles_service
from tests.integration.analytics import feedback_world
from tests.integration.analytics.feedback_world import A, B, T

OCTOBER = month_period("2026-10")


def report(
    factory: sessionmaker[Session],
    *,
    office: str | None = None,
    scope: frozenset[str] | None = None,
    include_targets: bool = False,
    period: str = "2026-10",
) -> ProfileReport:
    with UnitOfWork(factory) as uow:
        return service.profile_effectiveness(
            uow=uow,
            period=month_period(period),
            office=office,
            scope=scope,
            hidden=() if include_targets else profiles_service.intelligence(uow=uow).version_ids,
        )


def by_key(found: ProfileReport) -> dict[tuple[str, int], ProfileEffectiveness]:
    return {(p.code, p.version): p for p in found.profiles}


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    feedback_world.build(session_factory)
    return session_factory


def test_every_count_of_a_profile_version(world: sessionmaker[Session]) -> None:
    a1 = by_key(report(world))[(A, 1)]
    # matched d1 d2 d3 d4 d5 d6 d12; exempt d5; selected d1 d2 d3 d6 d12;
    # inspected d1 d2 d3 d12 (d6 has no act); hit d1 only (d3's finding was corrected)
    assert (a1.matched, a1.exempt, a1.selected, a1.inspected, a1.hits) == (7, 1, 5, 4, 1)
    assert a1.hit_rate.rate == 0.25
    assert a1.hit_rate.low == pytest.approx(0.045587, abs=1e-6)
    assert a1.hit_rate.high == pytest.approx(0.699358, abs=1e-6)
    assert a1.false_positive_rate == 0.75
    assert a1.additional_duties == Decimal("1000.5")  # not d3's corrected 5000, not d13's 999
    assert a1.duties_per_inspection == Decimal("250.12")  # 250.125, rounded half to even
    # random control: d9 (none found), d10 (found), d11 (no act); d12 was selected by a
    # profile too and counts as targeted. Lift (1/4) / (1/2), Katz 95 %.
    assert a1.lift.ratio == pytest.approx(0.5)
    assert a1.lift.low == pytest.approx(0.055885, abs=1e-6)
    assert a1.lift.high == pytest.approx(4.473447, abs=1e-6)
    assert a1.lift.note is None
    assert (a1.title, a1.kind, a1.risk_area) == (
        f"valuation profile {A} v1",
        "national",
        "valuation",
    )


def test_versions_are_reported_apart(world: sessionmaker[Session]) -> None:
    found = by_key(report(world))
    a2, b1 = found[(A, 2)], found[(B, 1)]
    assert (a2.matched, a2.selected, a2.inspected, a2.hits, a2.additional_duties) == (
        1, 1, 1, 1, Decimal(200),
    )  # fmt: skip
    assert (b1.matched, b1.selected, b1.inspected, b1.hits, b1.additional_duties) == (
        1, 1, 1, 1, Decimal("1000.5"),
    )  # fmt: skip
    assert a2.hit_rate.high == 1.0
    assert a2.hit_rate.low == pytest.approx(0.206549, abs=1e-6)
    assert a2.lift.ratio == pytest.approx(2.0)
    assert a2.lift.low == pytest.approx(0.500195, abs=1e-6)
    assert a2.false_positive_rate == 0.0


def test_groups_and_overall_lift(world: sessionmaker[Session]) -> None:
    found = report(world)
    targeted, control = found.targeted, found.random_control
    # targeted: d1 d2 d3 d6 d7 d8 d12; inspected all but d6; hits d1 d7 d8 (d8: the target
    # profile's, counted in the total even when the profile itself is hidden)
    assert (targeted.selected, targeted.inspected, targeted.hits) == (7, 6, 3)
    assert targeted.additional_duties == Decimal("1500.5")
    assert targeted.duties_per_inspection == Decimal("250.08")
    assert (control.selected, control.inspected, control.hits) == (3, 2, 1)
    assert control.additional_duties == Decimal(50)
    assert control.false_positive_rate == 0.5
    assert found.lift.ratio == pytest.approx(1.0)
    assert found.lift.low == pytest.approx(0.201835, abs=1e-6)
    assert found.lift.high == pytest.approx(4.954538, abs=1e-6)
    assert (found.date_from, found.date_to) == (date(2026, 10, 1), date(2026, 10, 31))


def test_sorted_by_hit_rate_then_lift(world: sessionmaker[Session]) -> None:
    found = report(world, include_targets=True)
    order = [(p.code, p.version) for p in found.profiles]
    # A2, B1 and T1 all hit 1 of 1 (same rate and lift: by code), then A1 at 25 %
    assert order == [(A, 2), (B, 1), (T, 1), (A, 1)]


def test_target_profiles_only_for_the_cleared(world: sessionmaker[Session]) -> None:
    hidden = by_key(report(world))
    assert (T, 1) not in hidden
    assert {p.kind for p in hidden.values()} == {"national"}
    shown = by_key(report(world, include_targets=True))[(T, 1)]
    assert (shown.kind, shown.selected, shown.inspected, shown.hits) == ("target", 1, 1, 1)
    assert shown.additional_duties == Decimal(300)


def test_office_filter(world: sessionmaker[Session]) -> None:
    found = report(world, office="KGOSH")
    a1 = by_key(found)[(A, 1)]
    # d3 only: the corrected act found nothing
    assert (a1.matched, a1.selected, a1.inspected, a1.hits) == (1, 1, 1, 0)
    assert a1.additional_duties == 0
    assert a1.lift.ratio == 0.0
    assert a1.lift.low is None
    assert a1.lift.note is not None
    assert "no targeted hit" in a1.lift.note
    assert (found.random_control.inspected, found.random_control.hits) == (1, 1)  # d10
    assert set(by_key(found)) == {(A, 1), (A, 2)}


def test_scope_restricts_everything(world: sessionmaker[Session]) -> None:
    found = report(world, scope=frozenset({"KGBSK"}))
    a1 = by_key(found)[(A, 1)]
    # d1 d2 d4 d5 d6 d12
    assert (a1.matched, a1.exempt, a1.selected, a1.inspected, a1.hits) == (6, 1, 4, 3, 1)
    assert (found.random_control.selected, found.random_control.inspected) == (2, 1)  # d9 d11
    assert found.random_control.hits == 0
    assert a1.lift.ratio is None
    assert a1.lift.note is not None
    assert "no hit in the random control group" in a1.lift.note
    assert (A, 2) not in by_key(found)  # d7 is at Osh
    assert found.scope == ["KGBSK"]
    # an office outside the scope reads nothing, rather than the office's figures
    outside = report(world, office="KGOSH", scope=frozenset({"KGBSK"}))
    assert outside.profiles == []
    assert outside.targeted.selected == 0
    assert outside.random_control.hit_rate.rate is None
    assert outside.lift.ratio is None


def test_period_is_on_the_customs_day(world: sessionmaker[Session]) -> None:
    november = by_key(report(world, period="2026-11"))
    # d13, registered 1 November 00:30 Kyrgyz time (31 October UTC)
    assert set(november) == {(A, 1)}
    assert (november[(A, 1)].selected, november[(A, 1)].hits) == (1, 1)
    assert november[(A, 1)].additional_duties == Decimal(999)
    assert report(world, period="2026-09").profiles == []
