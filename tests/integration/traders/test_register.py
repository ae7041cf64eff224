"""The trader register on real databases (SQLite, PostgreSQL): traders, roles and names from
declarations; recategorisation with its changes and journal; overrides and AEO certificates
that expire by date; post-entry findings feeding the category."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.config import customs_day
from corridor.db.tables import (
    DeclarationRow,
    InspectionActRow,
    JournalEntryRow,
    TraderCategoryChangeRow,
    TraderFindingRow,
)
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.attributes import DEFAULT_ATTRIBUTES, AttributeRegistry, AttributeSpec
from corridor.declarations.schemas import DeclarationCreate
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.traders import service
from corridor.traders.schemas import AeoSet, OverrideCreate, ReasonIn
from tests.integration.valuation.history import car_import, run

IMPORTER = "01503200710021"  # the factories' importer
BROKER = "02107199910034"  # the factories' declarant
EXPORTER = "03003200110011"
TODAY = customs_day(datetime.now(UTC))  # the installation's day, as the rules judge it
NAMED = AttributeRegistry.of(
    (
        *DEFAULT_ATTRIBUTES,
        *(AttributeSpec(f"{role}_name", "string", "header") for role in ("importer", "exporter")),
        AttributeSpec("declarant_name", "string", "header"),
    )
)


def store(factory: sessionmaker[Session], *payloads: dict[str, Any]) -> list[int]:
    """Store declarations (their names carried as declared attributes); their ids."""
    declarations = [
        DeclarationCreate.model_validate(p, context={"attributes": NAMED}) for p in payloads
    ]
    result = run(
        factory,
        lambda uow: declarations_service.ingest(uow=uow, declarations=declarations, source="test"),
    )
    assert not result.conflicts, result.conflicts
    return [stored.id for stored in result.stored]


def act(
    factory: sessionmaker[Session],
    declaration_id: int,
    *,
    types: tuple[str, ...] = (),
    duties: str = "0",
    seizure: bool = False,
    offence_case: str | None = None,
    inspected_at: datetime | None = None,
) -> None:
    """An inspection act: a discrepancy when ``types`` are given."""

    def write(uow: UnitOfWork) -> None:
        declaration = uow.session.get(DeclarationRow, declaration_id)
        assert declaration is not None
        at = inspected_at or declaration.registered_at + timedelta(hours=2)
        uow.session.add(
            InspectionActRow(
                declaration_id=declaration_id,
                act_version=1,
                current=True,
                office=declaration.office,
                selection_basis="profile",
                measures=[{"code": "109", "status": "applied", "reason_code": None}],
                outcome="discrepancy" if types else "no_discrepancy",
                discrepancy_types=list(types),
                additional_duties=Decimal(duties),
                seizure=seizure,
                offence_case=offence_case,
                minutes_spent=30,
                notes="",
                inspector="inspector",
                inspected_at=at,
                recorded_by="inspector",
                recorded_at=at,
                correction_reason=None,
                source="test",
            )
        )

    run(factory, write)


def imports(
    factory: sessionmaker[Session], tin: str, count: int, *, first: date, prefix: str
) -> list[int]:
    """``count`` imports of ``tin`` (its own declarant), a week apart from ``first``."""
    return store(
        factory,
        *(
            car_import(
                f"{prefix}/{n:04d}",
                importer=tin,
                declarant=tin,
                registered_at=f"{first + timedelta(days=7 * n)}T10:00:00+00:00",
            )
            for n in range(count)
        ),
    )


def recategorise(factory: sessionmaker[Session], as_of: date | None = None) -> Any:
    return run(factory, lambda uow: service.recategorise(uow=uow, actor="cli:test", as_of=as_of))


def status(factory: sessionmaker[Session], tin: str, on: date) -> service.TraderStatus:
    """The trader's status, read both ways the system reads it (they must agree)."""
    with UnitOfWork(factory) as uow:
        effective = service.effective_status(uow=uow, tin=tin, on=on)
        assessed = service.for_assessment(
            uow=uow,
            tin=tin,
            on=on,
            history_tin=tin,
            history_role="importer",
            declarant=tin,
            registered_at=datetime.combine(on, time(), UTC),
        )
    assert assessed.status == effective, "the submission path reads another status"
    return effective


def changes(factory: sessionmaker[Session], tin: str) -> list[TraderCategoryChangeRow]:
    with UnitOfWork(factory) as uow:
        query = select(TraderCategoryChangeRow).where(TraderCategoryChangeRow.tin == tin)
        rows = list(uow.session.scalars(query.order_by(TraderCategoryChangeRow.id)))
        uow.session.expunge_all()
        return rows


def journal(factory: sessionmaker[Session], action: str) -> list[JournalEntryRow]:
    with UnitOfWork(factory) as uow:
        query = select(JournalEntryRow).where(JournalEntryRow.action == action)
        rows = list(uow.session.scalars(query.order_by(JournalEntryRow.seq)))
        uow.session.expunge_all()
        return rows


# --------------------------------------------------------------------------- the register


def test_the_register_holds_the_national_parties_with_roles_and_names(
    session_factory: sessionmaker[Session],
) -> None:
    store(
        session_factory,
        car_import(
            "A/1",
            registered_at="2026-01-10T10:00:00+00:00",
            attributes={"importer_name": "Ala-Too Motors", "declarant_name": "Broker Service"},
        ),
        car_import(
            "A/2",
            declarant=IMPORTER,
            registered_at="2026-03-10T10:00:00+00:00",
            attributes={"importer_name": "Ala-Too Motors LLC", "declarant_name": "Ala-Too Motors"},
        ),
        car_import(
            "X/1",
            flow="EX",
            procedure="10",
            importer="KZ-BUYER-ALMATY",
            exporter=EXPORTER,
            registered_at="2026-02-10T10:00:00+00:00",
            attributes={"exporter_name": "Tengir Agro Export"},
        ),
        car_import(
            "T/1",
            flow="TR",
            procedure="80",
            importer="KZ-BUYER-ALMATY",
            exporter="CN-SELLER-KASHGAR",
            registered_at="2026-04-10T10:00:00+00:00",
        ),
    )
    # An amendment is the same declaration: counted once.
    store(
        session_factory,
        {**car_import("A/1", "2000000", registered_at="2026-01-10T10:00:00+00:00"), "version": 2},
    )
    result = run(session_factory, lambda uow: service.refresh(uow=uow, actor="cli:test"))
    assert (result.traders, result.names) == (3, 4)
    assert (result.history.importers, result.history.declarants) == (2, 2)
    with UnitOfWork(session_factory) as uow:
        page = service.list_traders(uow=uow)
        importer = service.get_trader(uow=uow, tin=IMPORTER)
        broker = service.get_trader(uow=uow, tin=BROKER)
        exporter = service.get_trader(uow=uow, tin=EXPORTER)
        with pytest.raises(NotFound):
            service.get_trader(uow=uow, tin="KZ-BUYER-ALMATY")
    assert [t.tin for t in page.items] == [IMPORTER, BROKER, EXPORTER]
    assert (importer.roles, importer.declarations) == (["importer", "declarant"], 2)
    assert (importer.first_seen, importer.last_seen) == (date(2026, 1, 10), date(2026, 3, 10))
    assert [(n.name, n.first_seen, n.last_seen) for n in importer.names] == [
        ("Ala-Too Motors", date(2026, 1, 10), date(2026, 3, 10)),
        ("Ala-Too Motors LLC", date(2026, 3, 10), date(2026, 3, 10)),
    ]
    assert (broker.roles, broker.declarations) == (["declarant"], 3)
    assert [n.name for n in broker.names] == ["Broker Service"]
    assert (exporter.roles, exporter.declarations) == (["exporter"], 1)
    assert [n.name for n in exporter.names] == ["Tengir Agro Export"]
    assert importer.category is None  # never scored
    assert [e.after for e in journal(session_factory, "trader_register.refresh")] == [
        {"traders": 3, "names": 4, "history_importers": 2, "history_declarants": 2}
    ]


def test_the_list_filters_by_role_text_category_and_aeo_with_a_cursor(
    session_factory: sessionmaker[Session],
) -> None:
    store(
        session_factory,
        *(
            car_import(f"L/{n}", importer=f"0100000000000{n}", attributes={"importer_name": name})
            for n, name in enumerate(("Bereke Trade", "Nur Motors", "Manas Food"))
        ),
    )
    recategorise(session_factory)
    run(session_factory, lambda uow: service.refresh(uow=uow, actor="cli:test"))
    run(
        session_factory,
        lambda uow: service.set_aeo(
            uow=uow,
            tin="01000000000001",
            aeo_in=AeoSet(
                certificate="KG-AEO-1",
                kind="AEO-3",
                valid_from=TODAY - timedelta(days=1),
                valid_to=TODAY + timedelta(days=1),
            ),
            actor="analyst",
        ),
    )
    with UnitOfWork(session_factory) as uow:

        def tins(**filters: Any) -> list[str]:
            return [t.tin for t in service.list_traders(uow=uow, **filters).items]

        assert tins(role="importer") == ["01000000000000", "01000000000001", "01000000000002"]
        assert tins(role="exporter") == []
        assert tins(text="motors") == ["01000000000001"]
        assert tins(text="0100000000000") == tins(role="importer")
        assert tins(aeo=True) == ["01000000000001"]
        assert BROKER in tins(aeo=False)
        assert tins(category="medium") == [*tins(role="importer"), BROKER]
        assert tins(category="low") == []
        first = service.list_traders(uow=uow, limit=2)
        second = service.list_traders(uow=uow, limit=2, cursor=first.next_cursor)
        assert [t.tin for t in first.items + second.items] == tins()
        assert second.next_cursor is None
        with pytest.raises(InvalidInput):
            service.list_traders(uow=uow, limit=0)


# --------------------------------------------------------------------------- categories


def population(factory: sessionmaker[Session]) -> tuple[list[int], list[int]]:
    """A clean, established importer (10 imports, 6 inspected, nothing found) and a
    dishonest new one (4 imports, all caught): the population rate is 4 / 10."""
    start = date(2025, 6, 2)
    clean = imports(factory, "04444444444444", 10, first=start, prefix="C")
    dishonest = imports(factory, "05555555555555", 4, first=date(2026, 9, 1), prefix="D")
    for declaration_id in clean[:6]:
        act(factory, declaration_id)
    for declaration_id in dishonest:
        act(factory, declaration_id, types=("valuation",), duties="100000")
    return clean, dishonest


def test_recategorise_stores_each_change_with_its_components_and_journals_the_run(
    session_factory: sessionmaker[Session],
) -> None:
    clean, _dishonest = population(session_factory)
    as_of = date(2026, 11, 1)
    first = recategorise(session_factory, as_of)
    assert first.population_rate == pytest.approx(0.4)
    assert (first.traders, first.low, first.medium, first.high, first.changes) == (2, 1, 0, 1, 2)
    (became_low,) = changes(session_factory, "04444444444444")
    assert (became_low.from_category, became_low.to_category, became_low.source) == (
        None,
        "low",
        "computed",
    )
    # 0 findings in 6 controls, shrunk: (0 + 10 x 0.4) / (6 + 10) = 0.25; 50 x 0.25 / 0.4
    assert became_low.score == pytest.approx(31.25)
    components = became_low.components
    assert (components["controls"], components["findings"], components["declarations"]) == (
        6,
        0,
        10,
    )
    assert components["shrunk_rate"] == pytest.approx(0.25)
    assert components["held_back"] == []
    (became_high,) = changes(session_factory, "05555555555555")
    assert became_high.to_category == "high"
    assert became_high.components["held_back"] == ["few_controls", "few_declarations", "new_trader"]
    assert [e.after for e in journal(session_factory, "trader_categories.recompute")] == [
        {
            "as_of": "2026-11-01",
            "population_rate": pytest.approx(0.4),
            "traders": 2,
            "low": 1,
            "medium": 0,
            "high": 1,
            "changes": 2,
        }
    ]
    # The same history again: no change is recorded, the run is journalled.
    assert recategorise(session_factory, as_of).changes == 0
    assert len(changes(session_factory, "04444444444444")) == 1
    assert len(journal(session_factory, "trader_categories.recompute")) == 2
    # A seizure with an offence case: the clean importer is low no more.
    act(session_factory, clean[6], types=("concealment_smuggling",), seizure=True, offence_case="1")
    third = recategorise(session_factory, as_of)
    assert third.changes == 1
    last = changes(session_factory, "04444444444444")[-1]
    assert (last.from_category, last.to_category) == ("low", "high")
    assert last.components["offences"] == 1
    assert last.components["serious"] == 1
    assert status(session_factory, "04444444444444", as_of) == ("high", False)
    with UnitOfWork(session_factory) as uow:
        shown = service.get_trader(uow=uow, tin="04444444444444")
    assert shown.score is not None
    assert shown.score.category == "high"
    assert [c.to_category for c in shown.changes] == ["high", "low"]  # newest first
    assert (shown.category, shown.category_source) == ("high", "computed")


def test_offence_cases_count_for_three_years(session_factory: sessionmaker[Session]) -> None:
    clean, _dishonest = population(session_factory)
    caught = datetime(2025, 7, 22, tzinfo=UTC)
    act(session_factory, clean[7], offence_case="2025/117", inspected_at=caught)

    def offences(as_of: date) -> Any:
        recategorise(session_factory, as_of)
        with UnitOfWork(session_factory) as uow:
            score = service.get_trader(uow=uow, tin="04444444444444").score
        assert score is not None
        return score.components["offences"]

    assert offences(date(2028, 7, 22)) == 1
    assert offences(date(2028, 7, 23)) == 0


def test_an_audit_finding_feeds_the_category_at_once(
    session_factory: sessionmaker[Session],
) -> None:
    population(session_factory)
    recategorise(session_factory)
    assert status(session_factory, "04444444444444", TODAY).category == "low"

    def record(**changes: Any) -> Any:
        figures: dict[str, Any] = {
            "tin": "04444444444444",
            "case_ref": "PEC-2026-0001",
            "discrepancy_types": ["concealment_smuggling"],
            "additional_duties": Decimal("500000"),
            "penalties": Decimal("25000"),
            "found_at": datetime(2026, 11, 20, tzinfo=UTC),
            "actor": "auditor",
            **changes,
        }
        return run(session_factory, lambda uow: service.record_audit_finding(uow=uow, **figures))

    found = record()
    assert found.discrepancy_types == ["concealment_smuggling"]
    after = changes(session_factory, "04444444444444")[-1]
    assert (after.from_category, after.to_category, after.actor) == ("low", "high", "auditor")
    assert (after.components["controls"], after.components["findings"]) == (7, 1)
    assert after.components["amount_found"] == pytest.approx(525_000)
    assert status(session_factory, "04444444444444", TODAY).category == "high"
    # Recording the same case again replaces its finding: a clean audit after all.
    record(discrepancy_types=[], additional_duties=Decimal(0), penalties=Decimal(0))
    with UnitOfWork(session_factory) as uow:
        (stored,) = uow.session.scalars(select(TraderFindingRow)).all()
        assert stored.discrepancy_types == []
        assert service.get_trader(uow=uow, tin="04444444444444").findings[0].case_ref == (
            "PEC-2026-0001"
        )
    assert status(session_factory, "04444444444444", TODAY).category == "low"
    assert len(journal(session_factory, "trader_finding.record")) == 2
    with pytest.raises(InvalidInput) as refused:
        record(discrepancy_types=["smuggling"], penalties=Decimal(-1))
    assert [e.loc for e in refused.value.errors] == [("discrepancy_types", 0), ("penalties",)]


def test_a_finding_before_any_recategorisation_waits_for_the_first(
    session_factory: sessionmaker[Session],
) -> None:
    population(session_factory)
    run(
        session_factory,
        lambda uow: service.record_audit_finding(
            uow=uow,
            tin="04444444444444",
            case_ref="PEC-1",
            discrepancy_types=["valuation"],
            additional_duties=Decimal(1),
            penalties=Decimal(0),
            found_at=datetime(2026, 11, 20, tzinfo=UTC),
            actor="auditor",
        ),
    )
    assert status(session_factory, "04444444444444", TODAY).category is None
    recategorise(session_factory)
    assert changes(session_factory, "04444444444444")[-1].components["controls"] == 7


# --------------------------------------------------------------------------- overrides


def test_an_override_applies_until_its_last_day_then_expires_by_itself(
    session_factory: sessionmaker[Session],
) -> None:
    population(session_factory)
    recategorise(session_factory)
    tin = "05555555555555"
    assert status(session_factory, tin, TODAY).category == "high"
    until = TODAY + timedelta(days=10)
    override = run(
        session_factory,
        lambda uow: service.set_override(
            uow=uow,
            tin=tin,
            override_in=OverrideCreate(
                category="medium", reason="audit under way, goods verified", valid_until=until
            ),
            actor="analyst",
        ),
    )
    assert override.in_force
    assert status(session_factory, tin, TODAY) == ("medium", False)
    assert status(session_factory, tin, until) == ("medium", False)
    assert status(session_factory, tin, until + timedelta(days=1)) == ("high", False)
    assert status(session_factory, tin, TODAY - timedelta(days=1)) == ("high", False)
    with UnitOfWork(session_factory) as uow:
        shown = service.get_trader(uow=uow, tin=tin)
        later = service.get_trader(uow=uow, tin=tin, on=until + timedelta(days=1))
        listed = service.list_traders(uow=uow, category="medium").items
    assert (shown.category, shown.category_source) == ("medium", "override")
    assert shown.override is not None
    assert shown.override.reason.startswith("audit")
    assert (later.category, later.override) == ("high", None)
    assert [(t.tin, t.overridden, t.computed_category) for t in listed] == [(tin, True, "high")]
    change = changes(session_factory, tin)[-1]
    assert (change.source, change.from_category, change.to_category, change.actor) == (
        "override",
        "high",
        "medium",
        "analyst",
    )
    assert change.reason == "audit under way, goods verified"
    (entry,) = journal(session_factory, "trader_category.override")
    assert entry.object_id == tin
    assert entry.after["valid_until"] == until.isoformat()


def test_a_new_override_replaces_the_one_in_force_and_lifting_restores_the_computed(
    session_factory: sessionmaker[Session],
) -> None:
    population(session_factory)
    recategorise(session_factory)
    tin = "04444444444444"

    def override(category: str) -> Any:
        return run(
            session_factory,
            lambda uow: service.set_override(
                uow=uow,
                tin=tin,
                override_in=OverrideCreate(
                    category=category,  # type: ignore[arg-type]
                    reason="intelligence on the owner",
                    valid_until=TODAY + timedelta(days=30),
                ),
                actor="head",
            ),
        )

    first, second = override("high"), override("medium")
    with UnitOfWork(session_factory) as uow:
        shown = service.get_trader(uow=uow, tin=tin)
    assert shown.override is not None
    assert shown.override.id == second.id
    replaced = next(o for o in shown.overrides if o.id == first.id)
    assert (replaced.in_force, replaced.lift_reason) == (False, "replaced by a new override")
    lifted = run(
        session_factory,
        lambda uow: service.lift_override(
            uow=uow, tin=tin, lift_in=ReasonIn(reason="owner cleared"), actor="head"
        ),
    )
    assert (lifted.in_force, lifted.lift_reason) == (False, "owner cleared")
    assert status(session_factory, tin, TODAY).category == "low"
    assert [(c.from_category, c.to_category) for c in changes(session_factory, tin)[1:]] == [
        ("low", "high"),
        ("high", "medium"),
        ("medium", "low"),
    ]
    with pytest.raises(Conflict):
        run(
            session_factory,
            lambda uow: service.lift_override(
                uow=uow, tin=tin, lift_in=ReasonIn(reason="again"), actor="head"
            ),
        )
    with pytest.raises(NotFound):
        run(
            session_factory,
            lambda uow: service.set_override(
                uow=uow,
                tin="09999999999999",
                override_in=OverrideCreate(
                    category="low", reason="who?", valid_until=TODAY + timedelta(days=1)
                ),
                actor="head",
            ),
        )


def test_an_override_must_end_after_today() -> None:
    with pytest.raises(ValueError, match="after today"):
        OverrideCreate(category="low", reason="trusted", valid_until=TODAY)


# --------------------------------------------------------------------------- AEO


def certificate(number: str, start: date, end: date, kind: str = "AEO-1") -> AeoSet:
    return AeoSet(certificate=number, kind=kind, valid_from=start, valid_to=end)  # type: ignore[arg-type]


def test_an_aeo_certificate_has_effect_within_its_validity_only(
    session_factory: sessionmaker[Session],
) -> None:
    population(session_factory)
    run(session_factory, lambda uow: service.refresh(uow=uow, actor="cli:test"))
    tin = "04444444444444"
    start, end = TODAY - timedelta(days=10), TODAY + timedelta(days=5)

    def put(aeo_in: AeoSet, who: str = tin) -> Any:
        return run(
            session_factory,
            lambda uow: service.set_aeo(uow=uow, tin=who, aeo_in=aeo_in, actor="analyst"),
        )

    assert put(certificate("KG-AEO-7", start, end)).in_force
    assert status(session_factory, tin, TODAY).aeo
    assert status(session_factory, tin, end).aeo
    assert not status(session_factory, tin, end + timedelta(days=1)).aeo  # expired by itself
    assert not status(session_factory, tin, start - timedelta(days=1)).aeo  # not yet valid
    # Correcting the recorded certificate (same number) changes its validity.
    assert not put(certificate("KG-AEO-7", start, TODAY - timedelta(days=1), "AEO-3")).in_force
    assert not status(session_factory, tin, TODAY).aeo
    # A new certificate ends the earlier one.
    put(certificate("KG-AEO-8", TODAY, TODAY + timedelta(days=365), "AEO-2"))
    with UnitOfWork(session_factory) as uow:
        shown = service.get_trader(uow=uow, tin=tin)
    assert shown.aeo is not None
    assert shown.aeo.certificate == "KG-AEO-8"
    assert [(c.certificate, c.ended_at is not None) for c in shown.certificates] == [
        ("KG-AEO-8", False),
        ("KG-AEO-7", True),
    ]
    with pytest.raises(Conflict):
        put(certificate("KG-AEO-8", TODAY, TODAY), who="05555555555555")  # another trader's
    with pytest.raises(Conflict):
        put(certificate("KG-AEO-7", TODAY, TODAY))  # ended: a new number is needed
    ended = run(
        session_factory,
        lambda uow: service.end_aeo(
            uow=uow, tin=tin, end_in=ReasonIn(reason="withdrawn by decision 12"), actor="head"
        ),
    )
    assert (ended.in_force, ended.end_reason) == (False, "withdrawn by decision 12")
    assert not status(session_factory, tin, TODAY).aeo
    # What held yesterday stands: the corrected certificate was in force then.
    assert status(session_factory, tin, TODAY - timedelta(days=1)) == (None, True)
    with pytest.raises(Conflict):
        run(
            session_factory,
            lambda uow: service.end_aeo(
                uow=uow, tin=tin, end_in=ReasonIn(reason="again"), actor="head"
            ),
        )
    actions = [
        e.action
        for e in journal(session_factory, "trader_aeo.set")
        + journal(session_factory, "trader_aeo.end")
    ]
    assert actions == ["trader_aeo.set"] * 3 + ["trader_aeo.end"]


def test_a_certificate_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="valid_from"):
        certificate("KG-AEO-1", TODAY, TODAY - timedelta(days=1))


def test_a_trader_never_seen_has_no_status(session_factory: sessionmaker[Session]) -> None:
    assert status(session_factory, "09999999999999", TODAY) == (None, False)


def test_an_amended_declaration_counts_once_with_the_act_on_its_first_version(
    session_factory: sessionmaker[Session],
) -> None:
    (first,) = store(session_factory, car_import("V/1", registered_at="2026-02-01T10:00:00+00:00"))
    act(session_factory, first, types=("valuation",), duties="1000")
    store(
        session_factory,
        {**car_import("V/1", "2000000", registered_at="2026-02-01T10:00:00+00:00"), "version": 2},
    )
    recategorise(session_factory, date(2026, 11, 1))
    with UnitOfWork(session_factory) as uow:
        score = service.get_trader(uow=uow, tin=IMPORTER).score
    assert score is not None
    components = score.components
    assert (components["declarations"], components["controls"], components["findings"]) == (1, 1, 1)
    # The value of the latest version, once.
    assert components["declared_value"] == 2_000_000
    assert components["amount_found"] == 1000


def test_a_day_in_the_first_years_of_the_calendar_counts_every_offence(
    session_factory: sessionmaker[Session],
) -> None:
    """The window of offences reaches back before year 1: it starts with the calendar
    (found by the API's fuzz test: a 500 from ``date.replace(year=0)``)."""
    population(session_factory)
    run = recategorise(session_factory, date(2, 2, 29 - 27))
    assert run.traders == 2
