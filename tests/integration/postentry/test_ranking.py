"""The ranking reads what was released, where and when, and ranks it as computed by hand
(SQLite and PostgreSQL). The world: ``tests/integration/postentry/world.py``."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.errors import NotFound
from corridor.postentry import service
from corridor.postentry.schemas import CandidateRanking
from tests.integration.postentry.world import OCTOBER, A, B, C, D, build

# Population of POST-1 (KGBSK) in October: discrepancies 2 of 4 inspections (A 2 of 2,
# B 0 of 2, C none); goods items below half their price 1 of 6 priced (A 1 of 2, B 0 of 3,
# C 0 of 1); no mass gap anywhere (A and B 3 items weighed, C 1): an indicator nobody
# shows is neutral, 0 points, whatever the items weighed.
P0, Q0 = 0.5, 1 / 6


def _points(found: int, checked: int, low: int, priced: int) -> float:
    rate = (found + 5 * P0) / (checked + 5)
    share = (low + 20 * Q0) / (priced + 20)
    return 3 * math.log(rate / P0) + math.log(share / Q0)


def rank(factory: sessionmaker[Session], unit: str, **kwargs: object) -> CandidateRanking:
    with UnitOfWork(factory) as uow:
        return service.rank_candidates(uow=uow, unit=unit, period=OCTOBER, **kwargs)  # type: ignore[arg-type]


def test_releases_of_the_period_and_offices_ranked_by_risk(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    ranking = rank(session_factory, "POST-1")
    assert [c.tin for c in ranking.candidates] == [A, C, B]
    assert ranking.total == 3
    assert ranking.offices == ["KGBSK"]
    assert ranking.population.discrepancy_rate == pytest.approx(P0)
    assert ranking.population.undervalued_share == pytest.approx(Q0)
    assert ranking.price_version == 1
    by_tin = {c.tin: c for c in ranking.candidates}
    expected = {
        A: _points(2, 2, 1, 2),
        B: _points(0, 2, 0, 3),
        C: _points(0, 0, 0, 1),
    }
    for tin, points in expected.items():
        assert by_tin[tin].risk_points == pytest.approx(points, abs=1e-4), tin
        assert by_tin[tin].components["mass_gap"] == 0.0, tin
    # A: three releases (the re-routed one, the one of November, none of B's v1 counts).
    a = by_tin[A]
    assert a.declarations == 3
    assert a.value_released == Decimal("1661600")
    assert a.duties_released == Decimal("219240")
    # Duties on the value missing at ratio 0.4, and a quarter of the duties released
    # times A's shrunk discrepancy rate (2 + 2.5) / 7.
    recovery = 417600 * 1.5 * 0.15 + (4.5 / 7) * 219240 * 0.25
    assert float(a.expected_recovery) == pytest.approx(recovery, abs=0.01)
    assert [r.text for r in a.reasons] == [
        "3 declarations released green or blue worth 1,661,600 KGS",
        "1 of 2 priced goods items declared at 40 % of the reference price",
        "2 discrepancies in 2 inspections",
    ]
    assert [r.text for r in by_tin[C].reasons][-1] == "never inspected"
    assert [r.text for r in by_tin[B].reasons][1:] == ["0 discrepancies in 2 inspections"]
    assert set(a.components) == {"discrepancies", "undervalued", "mass_gap", "category", "model"}


def test_the_unit_and_the_callers_offices_bound_the_ranking(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    assert [c.tin for c in rank(session_factory, "POST-2").candidates] == [D]
    everywhere = rank(session_factory, "HQ")
    assert everywhere.offices is None
    assert {c.tin for c in everywhere.candidates} == {A, B, C, D}
    # A caller of Osh sees Osh only, whatever unit it asks for.
    assert [c.tin for c in rank(session_factory, "HQ", scope=frozenset({"KGOSH"})).candidates] == [
        D
    ]
    with pytest.raises(NotFound, match="POST-1 has no office within yours"):
        rank(session_factory, "POST-1", scope=frozenset({"KGOSH"}))
    with pytest.raises(NotFound, match="unit NOWHERE does not exist"):
        rank(session_factory, "NOWHERE")


def test_ordering_by_expected_recovery_and_the_limit(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    ranking = rank(session_factory, "POST-1", order="recovery", limit=2)
    recoveries = [c.expected_recovery for c in ranking.candidates]
    assert recoveries == sorted(recoveries, reverse=True)
    assert len(ranking.candidates) == 2
    assert ranking.total == 3
    assert ranking.candidates[0].tin == A


def test_a_category_in_force_moves_a_trader(session_factory: sessionmaker[Session]) -> None:
    from corridor.traders import service as traders_service
    from corridor.traders.schemas import OverrideCreate

    build(session_factory)
    with UnitOfWork(session_factory) as uow:
        traders_service.refresh(uow=uow, actor="test")
        traders_service.set_override(
            uow=uow,
            tin=C,
            override_in=OverrideCreate.model_validate(
                {"category": "high", "reason": "intelligence on C", "valid_until": "2099-12-31"}
            ),
            actor="test",
        )
        uow.commit()
    by_tin = {c.tin: c for c in rank(session_factory, "POST-1").candidates}
    assert by_tin[C].category == "high"
    assert by_tin[C].components["category"] == 0.5
    assert "compliance category high" in [r.text for r in by_tin[C].reasons]
