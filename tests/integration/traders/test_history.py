"""Trader history aggregated from declarations and inspection acts (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import JournalEntryRow, TraderHistoryRow
from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.traders import prices, service
from corridor.traders.schemas import TraderHistoryRead, TraderRole
from corridor.valuation import service as valuation_service
from corridor.valuation.schemas import PriceRefreshIn
from tests.integration.valuation.history import act, car_import, run, store

IMPORTER = "01503200710021"  # the factories' importer
BROKER = "02107199910034"  # the factories' declarant
OTHER = "09999999999999"
#: A registration after every refresh of these tests (their history is read whole).
LATER = datetime(2099, 1, 1, tzinfo=UTC)


def refresh(factory: sessionmaker[Session]) -> None:
    run(factory, lambda uow: service.refresh_history(uow=uow, actor="cli:test"))


def history(factory: sessionmaker[Session], tin: str, role: TraderRole) -> TraderHistoryRead | None:
    """The trader's history, read both ways the system reads it (they must agree); as a
    declarant, both ways the submission path reads it (the party's, the declarant's)."""
    with UnitOfWork(factory) as uow:
        found = service.history_of(uow=uow, tin=tin, role=role)
        read = service.for_assessment(
            uow=uow,
            tin=OTHER,
            on=date(2026, 7, 1),
            history_tin=tin,
            history_role=role,
            declarant=tin,
            registered_at=LATER,
        )
    assessed = [read.history] + ([read.declarant] if role == "declarant" else [])
    for each in assessed:
        if found is None:
            assert each is None
        else:
            assert each == (
                found.first_seen,
                found.declarations,
                found.inspections,
                found.discrepancies,
                found.priced_items,
                found.underpriced_items,
            )
    return found


def test_counts_dates_and_duties_per_tin_and_role(session_factory: sessionmaker[Session]) -> None:
    first, amended_v1 = store(
        session_factory,
        car_import("A/1", registered_at="2025-03-01T23:30:00-02:00"),  # 2 March UTC
        car_import("A/2", registered_at="2026-01-10T10:00:00+00:00"),
    )
    (amended_v2,) = store(
        session_factory,
        {**car_import("A/2", "999", registered_at="2026-01-11T10:00:00+00:00"), "version": 2},
    )
    (caught,) = store(session_factory, car_import("A/3", registered_at="2026-06-01T10:00:00+00:00"))
    (exported,) = store(
        session_factory,
        car_import(
            "X/1",
            flow="EX",
            procedure="10",
            importer=None,
            registered_at="2026-07-01T10:00:00+00:00",
        ),
    )
    store(session_factory, car_import("B/1", importer=OTHER, declarant=OTHER))
    # A/1: inspected, nothing found. A/2: inspected twice (one act per version). A/3: caught,
    # its first act superseded by a correction. X/1 (export): caught, the broker's only.
    act(session_factory, first, outcome="no_discrepancy", inspected_at=_at("2025-03-02"))
    act(session_factory, amended_v1, duties="1000.10", inspected_at=_at("2026-01-10"))
    act(session_factory, amended_v2, duties="2000.20", inspected_at=_at("2026-01-12"))
    act(session_factory, caught, duties="50", current=False, inspected_at=_at("2026-06-02"))
    act(
        session_factory,
        caught,
        duties="0.05",
        act_version=2,
        types=("quantity",),
        inspected_at=_at("2026-06-03"),
    )
    act(session_factory, exported, duties="7", inspected_at=_at("2026-07-02"))
    refresh(session_factory)

    importer = history(session_factory, IMPORTER, "importer")
    assert importer is not None
    assert (
        importer.declarations,
        importer.inspections,
        importer.discrepancies,
        importer.additional_duties,
    ) == (3, 3, 2, Decimal("3000.35"))
    assert (importer.first_seen, importer.last_seen) == (
        date(2025, 3, 2),
        date(2026, 6, 1),
    )
    assert (importer.last_inspection, importer.last_discrepancy) == (
        date(2026, 6, 3),
        date(2026, 6, 3),
    )
    broker = history(session_factory, BROKER, "declarant")
    assert broker is not None
    assert (broker.declarations, broker.discrepancies) == (4, 3)
    assert broker.additional_duties == Decimal("3007.35")
    assert broker.last_seen == date(2026, 7, 1)
    never = history(session_factory, OTHER, "importer")
    assert never is not None
    assert (never.inspections, never.additional_duties, never.last_inspection) == (
        0,
        Decimal(0),
        None,
    )
    assert history(session_factory, BROKER, "importer") is None
    assert history(session_factory, "NOBODY", "declarant") is None


def test_a_refresh_replaces_the_whole_history_and_is_journalled(
    session_factory: sessionmaker[Session],
) -> None:
    refresh(session_factory)  # nothing yet
    store(session_factory, car_import("A/1"))
    refresh(session_factory)
    store(session_factory, car_import("A/2"))
    refresh(session_factory)
    with UnitOfWork(session_factory) as uow:
        rows = list(uow.session.scalars(select(TraderHistoryRow).order_by(TraderHistoryRow.role)))
        assert [(r.tin, r.role, r.declarations) for r in rows] == [
            (BROKER, "declarant", 2),
            (IMPORTER, "importer", 2),
        ]
        entries = [
            (entry.actor, entry.after)
            for entry in uow.session.scalars(
                select(JournalEntryRow).where(JournalEntryRow.action == "trader_history.refresh")
            )
        ]
    assert [after for _, after in entries] == [
        {"importers": 0, "declarants": 0},
        {"importers": 1, "declarants": 1},
        {"importers": 1, "declarants": 1},
    ]
    assert {actor for actor, _ in entries} == {"cli:test"}


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def test_priced_items_are_what_the_price_book_prices(
    session_factory: sessionmaker[Session],
) -> None:
    """The SQL look-up of the importers' items agrees with the engine's price book, its
    fallbacks included (another origin, a shorter HS code, per kg)."""
    store(
        session_factory,
        *(car_import(f"P/CN/{n}") for n in range(2)),
        *(car_import(f"P/DE/{n}", "2000000", origin="DE") for n in range(2)),
    )
    run(
        session_factory,
        lambda uow: valuation_service.refresh(
            uow=uow, refresh_in=PriceRefreshIn(min_sample=2), actor="cli:test"
        ),
    )
    importer = "01000000000077"
    later = [
        car_import("L/1", "500000", origin="JP"),  # all origins: median 1,522,000
        car_import("L/2", "600000", hs_code="8703239000"),  # the 6-digit CN price
        car_import("L/3", "400000", no_unit=True),  # per kg
        car_import("L/4", "10", hs_code="9999999999"),  # no price
        car_import("L/5", "1044000"),  # at the price
    ]
    for payload in later:
        payload["importer"] = importer
        if payload.pop("no_unit", False):
            payload["items"][0].update(supplementary_qty=None, supplementary_unit=None)
    store(session_factory, *later)
    with UnitOfWork(session_factory) as uow:
        book = valuation_service.price_book(uow=uow)
        found = prices.priced_items(uow.session, as_of=LATER)
    ratios = [
        extras["value_ratio"]
        for payload in later
        for extras in book.item_extras(
            [DeclarationCreate.model_validate(payload).items[0].model_dump()]
        ).values()
    ]
    assert len(ratios) == 4  # L/4 has no price
    expected = (len(ratios), sum(ratio < Decimal("0.5") for ratio in ratios))
    assert found[importer] == expected == (4, 2)  # L/1 (0.33), L/3 (0.38)
    assert found[IMPORTER] == (4, 0)
    # Before the prices were computed, nothing is priced.
    with UnitOfWork(session_factory) as uow:
        assert prices.priced_items(uow.session, as_of=datetime(2020, 1, 1, tzinfo=UTC)) == {}
