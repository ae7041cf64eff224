"""Reference prices and trader history as the engine reads them (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import DeclarationAssessed
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.traders import service as traders_service
from corridor.valuation import service as valuation_service
from corridor.valuation.schemas import PriceRefreshIn
from tests.integration.valuation.history import act, car_import, cars, run, store

ANALYST, APPROVER = "a.analyst", "b.approver"
SECRET = b"test-selection-secret"


def activate(factory: sessionmaker[Session], code: str, criteria: str, **changes: Any) -> None:
    data: dict[str, Any] = {
        "code": code,
        "title": f"Profile {code}",
        "risk_area": "valuation",
        "criteria": criteria,
        "measures": [{"code": "601", "mandatory": True}],
        "selection_rate": "100",
        "flows": ["IM"],
        "officer_instructions": "Request the sales contract and proof of payment.",
    }
    data.update(changes)
    profile = ProfileCreate.model_validate(data)
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


def refresh(factory: sessionmaker[Session], min_sample: int = 3) -> int:
    refresh_in = PriceRefreshIn(min_sample=min_sample)
    done = run(
        factory,
        lambda uow: valuation_service.refresh(uow=uow, refresh_in=refresh_in, actor=ANALYST),
    )
    return int(done.price_version)


def submit(
    factory: sessionmaker[Session], holder: ProfileSetHolder, payload: dict[str, Any]
) -> DeclarationAssessed:
    declaration_in = DeclarationCreate.model_validate(payload)
    with UnitOfWork(factory) as uow:
        assessed, _ = selectivity_service.submit(
            uow=uow, declaration_in=declaration_in, holder=holder, secret=SECRET
        )
        uow.commit()
    return assessed


def decision_of(factory: sessionmaker[Session], number: str) -> dict[str, Any]:
    with UnitOfWork(factory) as uow:
        return selectivity_service.get_decision(uow=uow, number=number).model_dump()


def test_the_book_is_swapped_with_the_profile_set(session_factory: sessionmaker[Session]) -> None:
    holder = ProfileSetHolder(poll_seconds=0)
    with UnitOfWork(session_factory) as uow:
        empty = holder.current(uow)
    assert empty.price_book.version is None
    cars(session_factory, 3)
    refresh(session_factory)
    with UnitOfWork(session_factory) as uow:
        priced = holder.current(uow)
    assert priced is not empty
    assert (priced.price_book.version, len(priced.price_book)) == (1, 12)
    # A profile change rebuilds the set but keeps the book: its version did not move.
    activate(session_factory, "NAT-2026-0001", "value_ratio < 0.6")
    with UnitOfWork(session_factory) as uow:
        later = holder.current(uow)
    assert later.profile_set is not priced.profile_set
    assert later.price_book is priced.price_book
    refresh(session_factory)
    with UnitOfWork(session_factory) as uow:
        assert holder.current(uow).price_book.version == 2
    assert later.price_book.version == 1, "whoever holds the old snapshot keeps its prices"


def test_a_refresh_changes_later_decisions_but_never_earlier_ones(
    session_factory: sessionmaker[Session],
) -> None:
    holder = ProfileSetHolder(poll_seconds=0)
    activate(session_factory, "NAT-2026-0001", "value_ratio < 0.6")
    cars(session_factory, 3, "1044000")
    before = submit(session_factory, holder, car_import("CHEAP/1", "400000")).decision
    assert (before.channel, before.price_version, before.hits) == ("green", None, [])
    first = decision_of(session_factory, "CHEAP/1")

    assert refresh(session_factory) == 1
    cheap = submit(session_factory, holder, car_import("CHEAP/2", "400000"))
    after = cheap.decision
    assert (after.channel, after.price_version) == ("yellow", 1)
    (hit,) = decision_of(session_factory, "CHEAP/2")["hits"]
    assert (hit["code"], hit["selected"]) == ("NAT-2026-0001", True)
    assert "value_ratio 0.383141762" in hit["reason"]  # 400,000 / 1,044,000
    assert decision_of(session_factory, "CHEAP/1") == first, "the earlier decision is unchanged"
    # Not for other flows: reference prices are computed from imports.
    exported = submit(
        session_factory,
        holder,
        car_import("EXPORT/1", "400000", flow="EX", procedure="10", importer=None),
    )
    assert exported.decision.price_version is None

    refresh(session_factory)
    assert decision_of(session_factory, "CHEAP/2")["price_version"] == 1
    with UnitOfWork(session_factory) as uow:
        stored = selectivity_service.repository.decision_for(uow.session, cheap.id)
        assert stored is not None
        assert (stored.price_version, stored.detail["price_version"]) == (1, 1)


def test_trader_history_becomes_the_importer_facts(
    session_factory: sessionmaker[Session],
) -> None:
    holder = ProfileSetHolder(poll_seconds=0)
    activate(
        session_factory,
        "NAT-2026-0002",
        "importer_declarations >= 2 and importer_discrepancies >= 1 and importer_age_days > 300",
        flows=["IM", "EX"],
    )
    ids = store(
        session_factory,
        car_import("OLD/1", registered_at="2025-06-01T10:00:00+00:00"),
        car_import("OLD/2", registered_at="2025-07-01T10:00:00+00:00"),
    )
    act(session_factory, ids[1], types=("quantity",), inspected_at=datetime(2025, 7, 2, tzinfo=UTC))
    new = car_import("NEW/1", registered_at="2026-09-01T10:00:00+00:00")
    quiet = submit(session_factory, holder, new).decision
    assert quiet.channel == "green", "history was never refreshed: the facts are missing"
    # Refreshed before the later declarations' registration (1 October), as each night.
    with UnitOfWork(session_factory, now=datetime(2026, 9, 15, tzinfo=UTC)) as uow:
        traders_service.refresh_history(uow=uow, actor="cli:test")
        uow.commit()
    known = submit(session_factory, holder, car_import("NEW/2")).decision
    assert known.channel == "yellow"
    reason = decision_of(session_factory, "NEW/2")["hits"][0]["reason"]
    assert "importer_declarations 3 ≥ 2" in reason  # OLD/1, OLD/2 and NEW/1
    # Without an importer (an export), the declarant's history is read.
    export = car_import("EXPORT/2", flow="EX", procedure="10", importer=None)
    assert submit(session_factory, holder, export).decision.channel == "yellow"
    stranger = car_import("EXPORT/3", flow="EX", procedure="10", importer=None, declarant="X1")
    assert submit(session_factory, holder, stranger).decision.channel == "green"


def test_an_assessment_reads_history_once_and_prices_never(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    cars(session_factory, 3)
    refresh(session_factory)
    holder = ProfileSetHolder(poll_seconds=3600)
    submit(session_factory, holder, car_import("WARM/1"))  # the snapshot is built here
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", seen)
    try:
        submit(session_factory, holder, car_import("HOT/1"))
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sum("trader_history" in s for s in statements) == 1
    assert not any("reference_price" in s for s in statements)


def test_the_declarant_history_and_the_underpriced_share_as_of_registration(
    session_factory: sessionmaker[Session],
) -> None:
    holder = ProfileSetHolder(poll_seconds=0)
    activate(
        session_factory,
        "NAT-2026-0003",
        "declarant_discrepancy_rate >= 0.5 and declarant_declarations >= 1"
        " and declarant_inspections >= 1 and declarant_discrepancies >= 1"
        " and importer_discrepancy_rate >= 0 and importer_underpriced_share >= 0",
    )
    # The importer's and broker's history (the factories' parties): three cars at the
    # price, one at 38 % of it; two inspected before 15 September, one caught.
    august = "2026-08-01T10:00:00+00:00"
    ids = store(
        session_factory,
        *(car_import(f"H/{n}", registered_at=august) for n in range(3)),
        car_import("CHEAP/1", "400000", registered_at=august),
    )
    act(session_factory, ids[0], types=("quantity",), inspected_at=_utc(2026, 8, 5))
    act(session_factory, ids[1], outcome="no_discrepancy", inspected_at=_utc(2026, 8, 6))
    with UnitOfWork(session_factory, now=_utc(2026, 9, 10)) as uow:
        valuation_service.refresh(uow=uow, refresh_in=PriceRefreshIn(min_sample=3), actor=ANALYST)
        uow.commit()
    refresh_history(session_factory, _utc(2026, 9, 15))

    # Registered on 1 October, after the refresh: the broker's 4 declarations, 1
    # discrepancy in 2 inspections; the importer's 1 item of 4 under half the price.
    seen = submit(session_factory, holder, car_import("NEW/1")).decision
    assert seen.channel == "yellow"
    reason = decision_of(session_factory, "NEW/1")["hits"][0]["reason"]
    for shown in (
        "declarant_discrepancy_rate 0.5 ≥ 0.5",
        "declarant_declarations 4 ≥ 1",
        "declarant_inspections 2 ≥ 1",
        "declarant_discrepancies 1 ≥ 1",
        "importer_discrepancy_rate 0.5 ≥ 0",
        "importer_underpriced_share 0.25 ≥ 0",
    ):
        assert shown in reason, (shown, reason)

    # An act recorded on 5 October, after NEW/1's registration (1 October), and a
    # refresh on 10 October that counts it: a declaration registered on 1 October and
    # assessed now must not see it, so it sees no history at all (the refresh is later
    # than its registration); one registered on 20 October sees it.
    act(session_factory, ids[3], types=("quantity",), inspected_at=_utc(2026, 10, 5))
    refresh_history(session_factory, _utc(2026, 10, 10))
    backdated = submit(session_factory, holder, car_import("NEW/2")).decision
    assert (backdated.channel, backdated.hits) == ("green", [])
    later = car_import("NEW/3", registered_at="2026-10-20T10:00:00+00:00")
    assert submit(session_factory, holder, later).decision.channel == "yellow"
    reason = decision_of(session_factory, "NEW/3")["hits"][0]["reason"]
    # H/0-2, CHEAP/1 and NEW/1 (NEW/2 came after the refresh); CHEAP/1 now caught.
    assert "declarant_declarations 5 ≥ 1" in reason
    assert "declarant_discrepancy_rate 0.666666667 ≥ 0.5" in reason
    assert "importer_discrepancy_rate 0.666666667 ≥ 0" in reason
    assert "importer_underpriced_share 0.2 ≥ 0" in reason  # NEW/1 at the price too


def refresh_history(factory: sessionmaker[Session], at: datetime) -> None:
    with UnitOfWork(factory, now=at) as uow:
        traders_service.refresh_history(uow=uow, actor="cli:test")
        uow.commit()


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)
