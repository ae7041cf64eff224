""" "Today" is the installation's day (CORRIDOR_TIMEZONE, Asia/Bishkek: UTC+6), not the UTC
day: profile validity, trader certificates and overrides, alerts and expiry are judged at
the day boundary in Bishkek, through the real services on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.config import customs_day, customs_zone
from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.postentry import service as postentry_service
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import DecisionRead
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.traders import service as traders_service
from corridor.traders.schemas import AeoSet
from tests.integration.valuation.history import car_import, run, store

ANALYST, APPROVER = "a.analyst", "b.approver"
SECRET = b"test-selection-secret"
IMPORTER = "01503200710021"  # the factories' importer
#: Days ahead of today, so that the profiles can still be activated whenever the test runs.
FIRST = customs_day(datetime.now(UTC)) + timedelta(days=30)
LAST = FIRST + timedelta(days=20)


def utc(day: date, hour: int, minute: int) -> datetime:
    """An instant given in UTC."""
    return datetime.combine(day, time(hour, minute), UTC)


def activate(
    factory: sessionmaker[Session],
    code: str,
    criteria: str = 'hs_code startswith ["8703"]',
    **window: date,
) -> None:
    profile = ProfileCreate.model_validate(
        {
            "code": code,
            "title": f"Cars ({code})",
            "risk_area": "valuation",
            "criteria": criteria,
            "measures": [{"code": "601", "mandatory": True}],
            "selection_rate": "100",
            "flows": ["IM"],
            "officer_instructions": "Request the sales contract.",
            **window,
        }
    )
    run(
        factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile, actor=ANALYST
        ),
    )
    for action, who in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            factory,
            lambda uow, a=action, w=who: profiles_service.transition(
                uow=uow, code=code, version=1, action=a, actor=w
            ),
        )


def assess(
    factory: sessionmaker[Session], holder: ProfileSetHolder, number: str, now: datetime
) -> DecisionRead:
    """Submit a car import through the service, assessed at ``now``."""
    declaration_in = DeclarationCreate.model_validate(car_import(number))
    with UnitOfWork(factory) as uow:
        assessed, _ = selectivity_service.submit(
            uow=uow, declaration_in=declaration_in, holder=holder, secret=SECRET, now=now
        )
        uow.commit()
    return assessed.decision


def hits(decision: DecisionRead) -> list[str]:
    return sorted(hit["code"] for hit in decision.hits)


def test_a_profile_is_in_force_from_midnight_to_midnight_in_bishkek(
    session_factory: sessionmaker[Session],
) -> None:
    activate(session_factory, "NAT-2026-0001", valid_from=FIRST)
    activate(session_factory, "NAT-2026-0002", valid_to=LAST)
    holder = ProfileSetHolder(poll_seconds=0)
    eve = FIRST - timedelta(days=1)
    cases: list[tuple[datetime, list[str]]] = [
        # 23:59 in Bishkek on the eve of the first day: not yet in force (18:00 UTC is midnight).
        (utc(eve, 17, 59), ["NAT-2026-0002"]),
        # 00:30 in Bishkek on the first day, still the eve in UTC: in force.
        (utc(eve, 18, 30), ["NAT-2026-0001", "NAT-2026-0002"]),
        # 23:59 in Bishkek on the last day: still in force.
        (utc(LAST, 17, 59), ["NAT-2026-0001", "NAT-2026-0002"]),
        # 00:30 in Bishkek the day after the last, still the last day in UTC: over.
        (utc(LAST, 18, 30), ["NAT-2026-0001"]),
    ]
    for n, (now, expected) in enumerate(cases, start=1):
        decision = assess(session_factory, holder, f"KGBSK/011026/000000{n}", now)
        assert hits(decision) == expected, now
        assert decision.assessed_at == now  # stored in UTC as given, only the day is local
        assert decision.assessed_at.utcoffset() == timedelta(0)


def test_an_aeo_certificate_lapses_at_midnight_in_bishkek(
    session_factory: sessionmaker[Session],
) -> None:
    store(session_factory, car_import("H/HISTORY/0001"))
    run(session_factory, lambda uow: traders_service.refresh(uow=uow, actor="cli:test"))
    start = customs_day(datetime.now(UTC)) - timedelta(days=1)
    aeo_in = AeoSet(certificate="KG-AEO-1", kind="AEO-1", valid_from=start, valid_to=LAST)  # type: ignore[arg-type]
    run(
        session_factory,
        lambda uow: traders_service.set_aeo(uow=uow, tin=IMPORTER, aeo_in=aeo_in, actor="analyst"),
    )
    activate(session_factory, "NAT-2026-0005", "aeo = true")  # hits AEO holders
    holder = ProfileSetHolder(poll_seconds=0)
    last_minute = assess(session_factory, holder, "KGBSK/011026/0000011", utc(LAST, 17, 59))
    assert hits(last_minute) == ["NAT-2026-0005"]
    # 00:30 on the next day in Bishkek, still the last day in UTC: the certificate lapsed.
    lapsed = assess(session_factory, holder, "KGBSK/011026/0000012", utc(LAST, 18, 30))
    assert hits(lapsed) == []
    with UnitOfWork(session_factory) as uow:
        for day, held in ((LAST, True), (LAST + timedelta(days=1), False)):
            assert traders_service.effective_status(uow=uow, tin=IMPORTER, on=day).aeo is held


def test_profiles_expire_after_their_last_day_in_bishkek(
    session_factory: sessionmaker[Session],
) -> None:
    activate(session_factory, "NAT-2026-0003", valid_to=LAST)

    def expire(now: datetime) -> list[str]:
        return list(
            run(
                session_factory,
                lambda uow: profiles_service.expire_due(uow=uow, today=customs_day(now)),
            )
        )

    assert expire(utc(LAST, 17, 59)) == []
    assert expire(utc(LAST, 18, 30)) == ["NAT-2026-0003 v1"]


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-11-30T17:59:00+00:00", "2026-11-30"),
        ("2026-11-30T18:00:00+00:00", "2026-12-01"),
        ("2026-11-30T18:30:00+00:00", "2026-12-01"),
        ("2026-12-01T00:30:00+06:00", "2026-12-01"),
    ],
)
def test_the_customs_day_of_an_instant(moment: str, day: str) -> None:
    assert customs_day(datetime.fromisoformat(moment)) == date.fromisoformat(day)


def test_a_naive_time_has_no_customs_day() -> None:
    with pytest.raises(ValueError, match="aware"):
        customs_day(datetime(2026, 12, 1))


@pytest.fixture
def zone_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set CORRIDOR_TIMEZONE for the process; the zone read is forgotten after."""

    def put(zone: str) -> None:
        monkeypatch.setenv("CORRIDOR_TIMEZONE", zone)
        customs_zone.cache_clear()

    yield put
    monkeypatch.delenv("CORRIDOR_TIMEZONE", raising=False)
    customs_zone.cache_clear()


def test_the_day_is_that_of_the_configured_zone(
    session_factory: sessionmaker[Session], zone_setting: Callable[[str], None]
) -> None:
    activate(session_factory, "NAT-2026-0004", valid_from=FIRST)
    holder = ProfileSetHolder(poll_seconds=0)
    eve = utc(FIRST - timedelta(days=1), 18, 30)
    zone_setting("UTC")
    assert hits(assess(session_factory, holder, "KGBSK/011026/0000021", eve)) == []
    zone_setting("Asia/Bishkek")
    assert hits(assess(session_factory, holder, "KGBSK/011026/0000022", eve)) == ["NAT-2026-0004"]
    # Post-entry alerts are "in force today" on the same day.
    assert postentry_service.today() == customs_day(datetime.now(UTC))
