"""Refreshing reference prices from stored history, versions and overrides (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import JournalEntryRow, ReferencePriceRow
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.profiles import repository as profiles_repository
from corridor.valuation import service
from corridor.valuation.book import PriceKey
from corridor.valuation.schemas import PriceOverrideCreate, PriceOverrideLift, PriceRefreshIn
from tests.integration.valuation.history import CAR, act, car_import, cars, run, store

ANALYST = "a.analyst"
CN_UNIT = PriceKey(CAR, "CN", "unit", "796")
TODAY = date(2026, 11, 27)


def refresh(factory: sessionmaker[Session], **options: Any) -> Any:
    options.setdefault("min_sample", 3)
    refresh_in = PriceRefreshIn.model_validate(options)
    return run(
        factory,
        lambda uow: service.refresh(uow=uow, refresh_in=refresh_in, actor=ANALYST, today=TODAY),
    )


def prices(factory: sessionmaker[Session], version: int | None = None) -> dict[PriceKey, Any]:
    with UnitOfWork(factory) as uow:
        page = service.list_prices(uow=uow, version=version, limit=1000)
    return {PriceKey(p.hs_code, p.origin, p.basis, p.unit): p for p in page.items}


def rows_of(factory: sessionmaker[Session], version: int) -> list[tuple[Any, ...]]:
    with UnitOfWork(factory) as uow:
        found = uow.session.scalars(
            select(ReferencePriceRow)
            .where(ReferencePriceRow.price_version == version)
            .order_by(ReferencePriceRow.id)
        )
        return [
            (r.id, r.hs_code, r.origin, r.basis, r.unit, r.count, r.median, r.low, r.high, r.source)
            for r in found
        ]


def journal(factory: sessionmaker[Session], action: str) -> list[JournalEntryRow]:
    with UnitOfWork(factory) as uow:
        found = list(
            uow.session.scalars(
                select(JournalEntryRow)
                .where(JournalEntryRow.action == action)
                .order_by(JournalEntryRow.seq)
            )
        )
        uow.session.expunge_all()
        return found


def generation(factory: sessionmaker[Session]) -> int:
    with UnitOfWork(factory) as uow:
        return profiles_repository.generation(uow.session)


def override(**changes: Any) -> PriceOverrideCreate:
    data: dict[str, Any] = {
        "hs_code": CAR,
        "origin": "CN",
        "basis": "unit",
        "unit": "796",
        "median": "1500000",
        "low": "900000",
        "high": "2500000",
        "reason": "manufacturer's price list 2026, confirmed by the Chinese customs",
    }
    data.update(changes)
    return PriceOverrideCreate.model_validate(data)


def set_override(factory: sessionmaker[Session], **changes: Any) -> Any:
    wanted = override(**changes)
    return run(
        factory,
        lambda uow: service.set_override(uow=uow, override_in=wanted, actor=ANALYST, today=TODAY),
    )


def lift(factory: sessionmaker[Session], override_id: int, **options: Any) -> Any:
    reason = PriceOverrideLift(reason="the price list was withdrawn")
    return run(
        factory,
        lambda uow: service.lift_override(
            uow=uow, override_id=override_id, lift_in=reason, actor=ANALYST, **options
        ),
    )


# --------------------------------------------------------------------------- refresh


def test_a_refresh_stores_a_version_journals_it_and_bumps_the_generation(
    session_factory: sessionmaker[Session],
) -> None:
    cars(session_factory, 3, "1000000")
    cars(session_factory, 2, "1300000")
    before = generation(session_factory)
    result = refresh(session_factory)
    assert (result.price_version, result.previous_version) == (1, None)
    assert (result.items_used, result.items_excluded, result.min_sample) == (5, 0, 3)
    assert result.computed_by == ANALYST
    found = prices(session_factory)
    assert result.prices == len(found) == 12  # 3 levels × (CN, *) × (kg, unit 796)
    car = found[CN_UNIT]
    assert (car.count, car.median, car.q1, car.q3) == (
        5,
        Decimal(1000000),
        Decimal(1000000),
        Decimal(1300000),
    )
    assert car.low < car.median < car.high
    assert car.source == "computed"
    per_kg = found[PriceKey("8703", "*", "kg", "")]
    assert per_kg.median == Decimal(800)  # 1,000,000 som / 1250 kg
    assert generation(session_factory) == before + 1
    (entry,) = journal(session_factory, "price.refresh")
    assert (entry.actor, entry.object_type, entry.object_id) == (ANALYST, "reference_prices", "1")
    assert entry.after["prices"] == 12
    assert entry.after["items_used"] == 5


def test_a_refresh_never_changes_an_earlier_version(session_factory: sessionmaker[Session]) -> None:
    cars(session_factory, 3, "1000000")
    refresh(session_factory)
    first = rows_of(session_factory, 1)
    cars(session_factory, 5, "2000000")
    second = refresh(session_factory)
    assert (second.price_version, second.previous_version) == (2, 1)
    assert rows_of(session_factory, 1) == first
    assert prices(session_factory, version=1)[CN_UNIT].median == Decimal(1000000)
    assert prices(session_factory)[CN_UNIT].median == Decimal(2000000)
    with UnitOfWork(session_factory) as uow:
        assert service.current_version(uow=uow) == 2
        assert service.price_book(uow=uow).version == 2
        old = service.price_book(uow=uow, version=1).get(CN_UNIT)
        assert old is not None
        assert old.median == Decimal(1000000)
        assert [v.price_version for v in service.list_versions(uow=uow)] == [2, 1]


def test_the_minimum_sample_and_the_history_window(session_factory: sessionmaker[Session]) -> None:
    cars(session_factory, 3, "1000000", registered_at="2026-09-30T23:30:00+00:00")
    cars(session_factory, 2, "1000000", origin="DE", registered_at="2026-10-01T00:30:00+00:00")
    refresh(session_factory, min_sample=3)
    found = prices(session_factory)
    assert CN_UNIT in found
    assert PriceKey(CAR, "DE", "unit", "796") not in found  # two German cars are too few
    assert found[PriceKey(CAR, "*", "unit", "796")].count == 5
    # The window is of UTC days, both ends included.
    october = refresh(session_factory, min_sample=1, history_from="2026-10-01")
    assert (october.items_used, october.history_from) == (2, date(2026, 10, 1))
    assert set(prices(session_factory)) >= {PriceKey(CAR, "DE", "unit", "796")}
    assert CN_UNIT not in prices(session_factory)
    september = refresh(session_factory, min_sample=1, history_to="2026-09-30")
    assert september.items_used == 3
    assert refresh(session_factory, history_to="2020-01-01").prices == 0


def test_items_found_misvalued_are_excluded(session_factory: sessionmaker[Session]) -> None:
    cars(session_factory, 3, "1000000")
    caught, superseded, other = store(
        session_factory,
        car_import("CAUGHT/1", "100000"),
        car_import("OLD-ACT/1", "100000"),
        car_import("ORIGIN/1", "100000"),
    )
    act(session_factory, caught, types=("valuation", "origin"))
    # A corrected act that found nothing replaces one that did: the item counts again.
    act(session_factory, superseded, types=("valuation",), current=False)
    act(session_factory, superseded, outcome="no_discrepancy", act_version=2)
    act(session_factory, other, types=("origin",))
    result = refresh(session_factory)
    assert (result.items_used, result.items_excluded) == (5, 1)
    assert prices(session_factory)[CN_UNIT].count == 5


def test_only_the_latest_version_of_an_import_counts(
    session_factory: sessionmaker[Session],
) -> None:
    cars(session_factory, 3, "1000000")
    store(session_factory, car_import("AMENDED/1", "10"))
    store(session_factory, {**car_import("AMENDED/1", "1000000"), "version": 2})
    export = car_import("EXPORT/1", "10", flow="EX", procedure="10", importer=None)
    store(session_factory, export)
    result = refresh(session_factory)
    assert result.items_used == 4
    assert prices(session_factory)[CN_UNIT].median == Decimal(1000000)


# --------------------------------------------------------------------------- overrides


def test_an_override_applies_at_once_and_at_every_refresh(
    session_factory: sessionmaker[Session],
) -> None:
    cars(session_factory, 3, "1000000")
    refresh(session_factory)
    before = rows_of(session_factory, 1)
    applied = set_override(session_factory)
    assert (applied.price_version, applied.active, applied.created_by) == (2, True, ANALYST)
    assert rows_of(session_factory, 1) == before, "the earlier version is untouched"
    found = prices(session_factory)
    car = found[CN_UNIT]
    assert (car.source, car.median, car.low, car.high) == (
        "override",
        Decimal(1500000),
        Decimal(900000),
        Decimal(2500000),
    )
    assert (car.count, car.q1, car.q3) == (3, Decimal(1000000), Decimal(1000000)), "history's"
    assert len(found) == len(before), "every other price is carried over"
    assert found[PriceKey(CAR, "*", "unit", "796")].median == Decimal(1000000)
    (entry,) = journal(session_factory, "price.override")
    assert entry.object_id == str(applied.id)
    assert entry.before is None
    assert entry.after["reason"].startswith("manufacturer's price list")
    assert entry.after["price_version"] == 2
    # A refresh computes again and applies the override again.
    cars(session_factory, 3, "1100000")
    again = refresh(session_factory)
    assert again.overrides_applied == 1
    assert prices(session_factory)[CN_UNIT].median == Decimal(1500000)
    assert prices(session_factory)[CN_UNIT].count == 6


def test_an_override_of_a_key_history_lacks_adds_it(session_factory: sessionmaker[Session]) -> None:
    applied = set_override(session_factory, hs_code="9403", origin="*", basis="kg", unit="")
    assert applied.price_version == 1
    (furniture,) = prices(session_factory).values()
    assert (furniture.hs_code, furniture.count, furniture.q1, furniture.q3) == (
        "9403",
        0,
        Decimal(1500000),
        Decimal(1500000),
    )


def test_setting_an_override_again_replaces_it(session_factory: sessionmaker[Session]) -> None:
    first = set_override(session_factory)
    second = set_override(session_factory, median="1600000", reason="a newer price list")
    assert second.id == first.id
    assert second.price_version == 2
    assert prices(session_factory)[CN_UNIT].median == Decimal(1600000)
    entries = journal(session_factory, "price.override")
    assert entries[1].before["median"] == "1500000"
    assert entries[1].after["median"] == "1600000"
    with UnitOfWork(session_factory) as uow:
        assert len(service.list_overrides(uow=uow)) == 1


def test_lifting_gives_the_key_history_price_again(session_factory: sessionmaker[Session]) -> None:
    cars(session_factory, 3, "1000000")
    cars(session_factory, 2, "1000000", origin="DE")
    refresh(session_factory)
    applied = set_override(session_factory)
    lifted = lift(session_factory, applied.id, min_sample=3)
    assert (lifted.price_version, lifted.active) == (3, False)
    car = prices(session_factory)[CN_UNIT]
    assert (car.source, car.median, car.count) == ("computed", Decimal(1000000), 3)
    assert len(prices(session_factory)) == len(prices(session_factory, version=1))
    (entry,) = journal(session_factory, "price.override_lift")
    assert entry.after["reason"] == "the price list was withdrawn"
    assert entry.before["active"] is True
    assert entry.after["active"] is False
    with pytest.raises(Conflict, match="already lifted"):
        lift(session_factory, applied.id)
    with pytest.raises(NotFound):
        lift(session_factory, 999)
    # Lifted overrides are not applied by a refresh; the listing shows them lifted.
    assert refresh(session_factory).overrides_applied == 0
    with UnitOfWork(session_factory) as uow:
        assert [o.active for o in service.list_overrides(uow=uow)] == [False]
        assert service.list_overrides(uow=uow, active=True) == []


def test_lifting_leaves_out_a_key_history_has_too_few_items_for(
    session_factory: sessionmaker[Session],
) -> None:
    cars(session_factory, 2, "1000000")
    refresh(session_factory, min_sample=2)
    applied = set_override(session_factory)
    lift(session_factory, applied.id, min_sample=3)
    assert CN_UNIT not in prices(session_factory)
    assert PriceKey(CAR, "CN", "kg", "") in prices(session_factory)


def test_an_override_past_its_validity_stops_at_the_next_refresh(
    session_factory: sessionmaker[Session],
) -> None:
    cars(session_factory, 3, "1000000")
    with pytest.raises(InvalidInput) as refused:
        set_override(session_factory, valid_to=TODAY - timedelta(days=1))
    assert refused.value.errors[0].loc == ("valid_to",)
    set_override(session_factory, valid_to=TODAY)
    applied_today = refresh(session_factory)
    assert applied_today.overrides_applied == 1
    assert prices(session_factory)[CN_UNIT].source == "override"
    tomorrow = TODAY + timedelta(days=1)
    later = run(
        session_factory,
        lambda uow: service.refresh(
            uow=uow, refresh_in=PriceRefreshIn(min_sample=3), actor=ANALYST, today=tomorrow
        ),
    )
    assert later.overrides_applied == 0
    assert prices(session_factory)[CN_UNIT].source == "computed"


# --------------------------------------------------------------------------- reading


def test_listing_filters_and_pages(session_factory: sessionmaker[Session]) -> None:
    with UnitOfWork(session_factory) as uow:
        empty = service.list_prices(uow=uow)
    assert (empty.version, empty.items) == (None, [])
    cars(session_factory, 3, "1000000")
    store(session_factory, *(car_import(f"P/{n}", "5000", hs_code="8708299009") for n in range(3)))
    refresh(session_factory)
    with UnitOfWork(session_factory) as uow:
        parts = service.list_prices(uow=uow, hs="8708")
        assert {p.hs_code for p in parts.items} == {"8708", "870829", "8708299009"}
        assert parts.version is not None
        assert parts.version.price_version == 1
        everywhere = service.list_prices(uow=uow, hs="870323", origin="*")
        assert {(p.hs_code, p.origin) for p in everywhere.items} == {
            ("870323", "*"),
            (CAR, "*"),
        }
        assert service.list_prices(uow=uow, origin="cn").items[0].origin == "CN"
        first = service.list_prices(uow=uow, limit=5)
        assert first.next_cursor is not None
        rest = service.list_prices(uow=uow, cursor=first.next_cursor, limit=1000)
        assert rest.next_cursor is None
        assert len(first.items) + len(rest.items) == 24
        with pytest.raises(NotFound, match="price version 9"):
            service.list_prices(uow=uow, version=9)
        with pytest.raises(InvalidInput):
            service.list_prices(uow=uow, limit=0)
