"""A seeded demo world, assessed and inspected: the report finds what was planted.

2,000 declarations over the 30 days of June 2026 (about ten seconds per database).
Which profiles aim at the planted undervaluation and which find nothing is read
from the ground truth, independently of the statistics under test.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.analytics import service
from corridor.analytics.schemas import month_period
from corridor.db.tables import DecisionHitRow, DecisionRow, GroundTruthRow, InspectionActRow
from corridor.db.uow import UnitOfWork
from corridor.demo import inspections, loader
from corridor.demo import selectivity as demo
from corridor.selectivity.snapshot import ProfileSetHolder

WORLD_END = date(2026, 6, 30)


def planted(factory: sessionmaker[Session]) -> dict[str, tuple[int, int, int]]:
    """Per profile: (selections, selections carrying planted undervaluation, selections
    carrying any planted fraud), from the ground truth."""
    truth = GroundTruthRow
    with UnitOfWork(factory) as uow:
        rows = uow.session.execute(
            select(
                DecisionHitRow.profile_code,
                func.count(),
                func.count(truth.id).filter(truth.pattern == "undervaluation"),
                func.count(truth.id),
            )
            .join(DecisionRow, DecisionRow.id == DecisionHitRow.decision_id)
            .outerjoin(
                truth,
                and_(truth.declaration_id == DecisionRow.declaration_id, truth.fraud.is_(True)),
            )
            .where(DecisionHitRow.selected.is_(True))
            .group_by(DecisionHitRow.profile_code)
        ).all()
    return {code: (selected, under, fraud) for code, selected, under, fraud in rows}


def test_profiles_aimed_at_undervaluation_rank_above_useless_ones(
    session_factory: sessionmaker[Session],
) -> None:
    loaded = loader.load(
        session_factory=session_factory,
        declarations=2000,
        seed=demo.WORLD_SEED,
        end=WORLD_END,
        days=30,
    )
    demo.seed(session_factory=session_factory, end=WORLD_END)
    demo.assess_all(
        session_factory=session_factory, holder=ProfileSetHolder(), secret=b"demo-test-secret"
    )
    acts = inspections.record(session_factory=session_factory, seed=demo.WORLD_SEED)
    again = inspections.record(session_factory=session_factory, seed=demo.WORLD_SEED)
    assert again.acts == 0, "nothing is recorded twice"
    assert acts.acts > 200
    assert set(acts.by_basis) <= {"profile", "random", "discretionary", "reroute"}
    assert acts.frauds_found / acts.frauds_inspected > 0.5
    with UnitOfWork(session_factory) as uow:
        stored = uow.session.scalar(select(func.count()).select_from(InspectionActRow))
        report = service.profile_effectiveness(uow=uow, period=month_period("2026-06"), hidden=())
    assert stored == acts.acts
    assert loaded.frauds > 0

    truth = planted(session_factory)
    rank = {p.code: n for n, p in enumerate(report.profiles)}
    inspected = {p.code: p for p in report.profiles if p.inspected}
    aimed = {
        code
        for code, p in inspected.items()
        if p.risk_area == "valuation"
        and p.inspected >= 3
        and truth[code][1] >= 0.25 * truth[code][0]
    }
    useless = {code for code, p in inspected.items() if truth.get(code, (0, 0, 0))[2] == 0}
    assert {"NAT-2026-0001", "NAT-2026-0003"} <= aimed, aimed
    assert len(useless) >= 3, useless
    rates = {code: p.hit_rate.rate or 0.0 for code, p in inspected.items()}
    for good in aimed:
        for bad in useless:
            assert rank[good] < rank[bad], (good, bad, report.profiles)
            assert rates[good] > rates[bad], (good, bad)

    # targeting beats chance, and the interval says so
    assert report.lift.ratio is not None
    assert report.lift.low is not None
    assert report.lift.low > 1, report.lift
    targeted, control = report.targeted.hit_rate.rate, report.random_control.hit_rate.rate
    assert targeted is not None
    assert control is not None
    assert targeted > 3 * control
