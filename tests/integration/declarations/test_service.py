"""Idempotent, versioned intake on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import DeclarationRow, GoodsItemRow, GroundTruthRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service
from corridor.declarations.repository import ListFilters
from corridor.declarations.schemas import DeclarationCreate
from corridor.errors import DeclarationConflict, InvalidInput, NotFound
from tests.factories import declaration, item


def parse(**changes: object) -> DeclarationCreate:
    return DeclarationCreate.model_validate(declaration(**changes))


def submit(factory: sessionmaker[Session], d: DeclarationCreate) -> service.Submission:
    with UnitOfWork(factory) as uow:
        return uow.retrying(
            lambda retry: service.store(uow=uow, declaration_in=d, source="test", retry=retry),
            attempts=service.STORE_ATTEMPTS,
            exhausted=lambda: service.stored_concurrently(d),
        )


def count_rows(factory: sessionmaker[Session], table: type) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_submit_stores_header_and_items_exactly(session_factory: sessionmaker[Session]) -> None:
    result = submit(session_factory, parse())
    assert result.created
    stored = result.declaration
    assert stored.version == 1
    assert stored.versions == [1]
    assert [i.item_no for i in stored.items] == [1, 2]
    assert stored.items[0].net_mass_kg == Decimal("1250.5")
    assert stored.items[0].invoice_value == Decimal("12000")
    assert stored.total_customs_value == Decimal("2088000")
    assert stored.containers == ["MSCU1234567"]
    assert stored.attributes == {"payment_type": "11"}
    assert stored.items[0].attributes == {"tax_type": "A"}
    assert stored.registered_at.isoformat() == "2026-10-01T03:30:00+00:00"


def test_identical_resend_returns_the_stored_version(
    session_factory: sessionmaker[Session],
) -> None:
    first = submit(session_factory, parse())
    again = submit(session_factory, parse())
    assert not again.created
    assert again.declaration.id == first.declaration.id
    assert count_rows(session_factory, DeclarationRow) == 1


def test_different_content_under_same_key_conflicts(
    session_factory: sessionmaker[Session],
) -> None:
    submit(session_factory, parse())
    with pytest.raises(DeclarationConflict, match="already stored with different content"):
        submit(session_factory, parse(currency="EUR"))
    assert count_rows(session_factory, DeclarationRow) == 1
    assert count_rows(session_factory, GoodsItemRow) == 2


def test_amendment_is_next_version_and_earlier_stays_readable(
    session_factory: sessionmaker[Session],
) -> None:
    submit(session_factory, parse())
    amended = submit(session_factory, parse(version=2, items=[item(1, invoice_value="15000")]))
    assert amended.created
    assert amended.declaration.versions == [1, 2]
    with UnitOfWork(session_factory) as uow:
        latest = service.get(uow=uow, number="KGBSK/011026/0000001")
        first = service.get(uow=uow, number="KGBSK/011026/0000001", version=1)
    assert latest.version == 2
    assert len(latest.items) == 1
    assert first.version == 1
    assert len(first.items) == 2


def test_version_gap_conflicts(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(DeclarationConflict, match="no version is stored, so the next"):
        submit(session_factory, parse(version=2))
    submit(session_factory, parse())
    with pytest.raises(DeclarationConflict, match="latest stored version is 1"):
        submit(session_factory, parse(version=3))
    assert count_rows(session_factory, DeclarationRow) == 1


def test_unknown_declaration_is_not_found(session_factory: sessionmaker[Session]) -> None:
    with UnitOfWork(session_factory) as uow, pytest.raises(NotFound, match="X/1 version 4"):
        service.get(uow=uow, number="X/1", version=4)


def test_bulk_ingest_classifies_each_declaration(
    session_factory: sessionmaker[Session],
) -> None:
    submit(session_factory, parse(number="A/1"))
    batch = [
        parse(number="A/1"),  # unchanged
        parse(number="A/1", currency="EUR"),  # conflict with stored
        parse(number="B/1"),  # created
        parse(number="B/1", version=2, currency="EUR"),  # created: next version in batch
        parse(number="B/1", currency="KZT"),  # conflict with earlier in batch
        parse(number="C/1", version=3),  # gap
    ]
    truths = [
        None,
        None,
        service.GroundTruth(source="t", fraud=True, pattern="p"),
        None,
        None,
        None,
    ]
    with UnitOfWork(session_factory) as uow:
        result = service.ingest(uow=uow, declarations=batch, source="test", truths=truths)
        uow.commit()
    assert result.created == [2, 3]
    assert result.unchanged == [0]
    assert [index for index, _ in result.conflicts] == [1, 4, 5]
    assert "earlier in this batch" in result.conflicts[1][1]
    assert count_rows(session_factory, DeclarationRow) == 3
    assert count_rows(session_factory, GoodsItemRow) == 6
    with session_factory() as session:
        truth = session.scalars(select(GroundTruthRow)).one()
        header = session.get(DeclarationRow, truth.declaration_id)
    assert header is not None
    assert (header.number, header.version) == ("B/1", 1)
    assert truth.pattern == "p"
    assert truth.fraud


def test_rollback_leaves_no_partial_write(session_factory: sessionmaker[Session]) -> None:
    with UnitOfWork(session_factory) as uow:
        service.ingest(uow=uow, declarations=[parse(number="R/1")], source="test")
        # no commit: leaving the block must drop header and items alike
    assert count_rows(session_factory, DeclarationRow) == 0
    assert count_rows(session_factory, GoodsItemRow) == 0


def test_listing_filters_and_pages(session_factory: sessionmaker[Session]) -> None:
    for n in range(5):
        submit(session_factory, parse(number=f"L/{n}", office="KGOSH" if n % 2 else "KGBSK"))
    with UnitOfWork(session_factory) as uow:
        page = service.list_declarations(uow=uow, filters=ListFilters(), cursor=None, limit=2)
        assert [d.number for d in page.items] == ["L/4", "L/3"]
        page2 = service.list_declarations(
            uow=uow, filters=ListFilters(), cursor=page.next_cursor, limit=2
        )
        assert [d.number for d in page2.items] == ["L/2", "L/1"]
        page3 = service.list_declarations(
            uow=uow, filters=ListFilters(), cursor=page2.next_cursor, limit=2
        )
        assert [d.number for d in page3.items] == ["L/0"]
        assert page3.next_cursor is None
        osh = service.list_declarations(
            uow=uow, filters=ListFilters(office="KGOSH"), cursor=None, limit=10
        )
        assert [d.number for d in osh.items] == ["L/3", "L/1"]
        with pytest.raises(InvalidInput, match="invalid cursor"):
            service.list_declarations(uow=uow, filters=ListFilters(), cursor="abc", limit=2)


def test_identical_first_versions_sent_at_once_store_one(
    session_factory: sessionmaker[Session],
) -> None:
    # A first version is inserted without looking first; the unique key turns the
    # losers of the race into "already stored" answers, never an error or a second row.
    barrier = threading.Barrier(4)

    def send() -> service.Submission:
        barrier.wait()
        return submit(session_factory, parse())

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: send(), range(4)))
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.declaration.id for r in results}) == 1
    assert count_rows(session_factory, DeclarationRow) == 1
    assert count_rows(session_factory, GoodsItemRow) == 2


@pytest.mark.parametrize("same_content", [True, False], ids=["identical", "different"])
def test_an_amendment_stored_between_look_and_insert_is_answered_from_the_store(
    engine: Engine, session_factory: sessionmaker[Session], same_content: bool
) -> None:
    # The look-first path (every version after the first), made to lose the race for
    # certain: the first request has looked (version 1 only) and is held just before its
    # INSERT while a second request stores the same version 2 and commits. The first
    # must then answer from what is stored, not fail on the unique key.
    submit(session_factory, parse())
    looked, stored = threading.Event(), threading.Event()

    def hold(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        late_thread = threading.current_thread().name.startswith("late")
        inserting = statement.lstrip().upper().startswith("INSERT INTO DECLARATIONS")
        if late_thread and inserting and not looked.is_set():
            looked.set()
            assert stored.wait(30), "the second request did not store version 2"

    amendment = parse(version=2, items=[item(1)])
    event.listen(engine, "before_cursor_execute", hold)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="late") as pool:
            late = pool.submit(
                submit,
                session_factory,
                amendment if same_content else parse(version=2, currency="EUR", items=[item(1)]),
            )
            assert looked.wait(30)
            first = submit(session_factory, amendment)
            stored.set()
            if same_content:
                answer = late.result(timeout=30)
                assert not answer.created
                assert answer.declaration.id == first.declaration.id
            else:
                with pytest.raises(DeclarationConflict, match="version 2 is already stored"):
                    late.result(timeout=30)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert first.created
    assert count_rows(session_factory, DeclarationRow) == 2
