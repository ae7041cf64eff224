"""The administration's KPIs on the hand-counted world of ``feedback_world``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.analytics import service
from corridor.analytics.schemas import KpiReport, ReportPeriod, month_period
from corridor.db.uow import UnitOfWork
from tests.integration.analytics import feedback_world
from tests.integration.analytics.feedback_world import VALUES


def kpis(
    factory: sessionmaker[Session],
    period: ReportPeriod | None = None,
    *,
    office: str | None = None,
    scope: frozenset[str] | None = None,
) -> KpiReport:
    with UnitOfWork(factory) as uow:
        return service.kpis(
            uow=uow, period=period or month_period("2026-10"), office=office, scope=scope
        )


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    feedback_world.build(session_factory)
    return session_factory


def test_every_office_together(world: sessionmaker[Session]) -> None:
    total = kpis(world).total
    # d1-d12 and d14 (d13 is November's, d15 has no decision); d4 re-routed to red
    assert total.office is None
    assert (total.declarations, total.green, total.blue, total.yellow, total.red) == (
        13, 2, 0, 4, 7,
    )  # fmt: skip
    assert total.physical_inspection_rate == pytest.approx(7 / 13)
    # current acts: d1 d2 d3(v2) d4 d7 d8 d9 d10 d12
    assert total.inspections == 9
    assert total.additional_duties == Decimal("1550.5")
    assert total.duties_per_inspection == Decimal("172.28")
    assert (total.targeted.inspected, total.targeted.hits) == (6, 3)
    assert (total.random_control.inspected, total.random_control.hits) == (2, 1)
    assert total.targeted.low == pytest.approx(0.187616, abs=1e-6)
    assert total.lift.ratio == pytest.approx(1.0)
    assert total.lift.low == pytest.approx(0.201835, abs=1e-6)
    october = [n for n in VALUES if n not in ("d13", "d15")]
    assert total.customs_value == sum(VALUES[n] for n in october) == Decimal("557345.67")
    # d5 and d14; d4 left green by re-route
    assert total.customs_value_green == Decimal("42345.67")
    assert total.green_value_share == pytest.approx(42345.67 / 557345.67)
    # 625 minutes: 120 + 30 + 45 + 90 + 60 + 100 + 60 + 30 + 90
    assert total.officer_hours == pytest.approx(625 / 60)
    assert total.inspections_per_officer_hour == pytest.approx(0.864)


def test_per_office(world: sessionmaker[Session]) -> None:
    found = {k.office: k for k in kpis(world).offices}
    assert set(found) == {"KGBSK", "KGOSH"}
    bishkek, osh = found["KGBSK"], found["KGOSH"]
    # red: d1 d4 d6 d8 d9 d12; yellow: d2 d11; green: d5 d14
    assert (bishkek.declarations, bishkek.red, bishkek.yellow, bishkek.green) == (10, 6, 2, 2)
    assert (osh.declarations, osh.red, osh.yellow, osh.green) == (3, 1, 2, 0)
    assert (osh.inspections, osh.additional_duties) == (3, Decimal(250))
    assert (osh.targeted.inspected, osh.targeted.hits) == (2, 1)  # d3 (corrected), d7
    assert (osh.random_control.inspected, osh.random_control.hits) == (1, 1)  # d10
    assert osh.green_value_share == 0.0
    assert bishkek.random_control.hits == 0
    assert bishkek.lift.ratio is None
    assert bishkek.lift.note is not None


def test_channel_shares_per_office_and_customs_day(world: sessionmaker[Session]) -> None:
    days = {(d.office, d.day): d for d in kpis(world).days}
    assert len(days) == 12
    first = days[("KGBSK", date(2026, 10, 1))]  # d14, 30 September 18:30 UTC
    assert (first.declarations, first.green, first.green_share) == (1, 1, 1.0)
    eighth = days[("KGBSK", date(2026, 10, 8))]  # d4 re-routed to red, d5 green
    assert (eighth.declarations, eighth.red, eighth.green) == (2, 1, 1)
    assert (eighth.red_share, eighth.green_share, eighth.yellow_share) == (0.5, 0.5, 0.0)
    assert ("KGBSK", date(2026, 11, 1)) not in days
    assert sum(d.declarations for d in days.values()) == 13


def test_filters_and_scope(world: sessionmaker[Session]) -> None:
    osh = kpis(world, office="KGOSH")
    assert osh.total.declarations == 3
    assert [k.office for k in osh.offices] == ["KGOSH"]
    scoped = kpis(world, scope=frozenset({"KGBSK"}))
    assert scoped.total.declarations == 10
    assert {d.office for d in scoped.days} == {"KGBSK"}
    assert scoped.scope == ["KGBSK"]
    nothing = kpis(world, office="KGOSH", scope=frozenset({"KGBSK"}))
    assert nothing.total.declarations == 0
    assert nothing.offices == []
    assert nothing.days == []
    assert nothing.total.physical_inspection_rate is None
    assert nothing.total.inspections_per_officer_hour is None
    assert nothing.total.customs_value == 0
    two_months = kpis(world, ReportPeriod(date(2026, 10, 1), date(2026, 11, 30)))
    assert two_months.total.declarations == 14
    assert two_months.total.additional_duties == Decimal("2549.5")
