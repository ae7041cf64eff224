"""Inspection acts through the use cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Principal, Role
from corridor.db.tables import InspectionActRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import DeclarationCreate
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.inspections import service
from corridor.inspections.repository import ActFilters
from corridor.inspections.schemas import (
    InspectionActCorrection,
    InspectionActCreate,
    InspectionActRead,
    InspectionFindings,
)
from corridor.journal import service as journal_service
from corridor.journal.schemas import JournalEntryRead
from tests.factories import declaration, item
from tests.integration.inspections.world import (
    INSTRUCTIONS,
    NUMBER,
    act,
    activate_cars,
    nothing_found,
    random_control,
    reroute,
    run,
    submit,
)

INSPECTOR = "inspector.post1"


def record(
    factory: sessionmaker[Session],
    payload: dict[str, Any],
    *,
    scope: frozenset[str] | None = None,
    inspector: str = INSPECTOR,
) -> InspectionActRead:
    act_in = InspectionActCreate.model_validate(payload)
    result: InspectionActRead = run(
        factory,
        lambda uow: service.record(
            uow=uow, act_in=act_in, inspector=inspector, recorded_by=inspector, scope=scope
        ),
    )
    return result


def correct(
    factory: sessionmaker[Session], act_id: int, payload: dict[str, Any], reason: str
) -> InspectionActRead:
    findings = {k: v for k, v in payload.items() if not k.startswith("declaration_")}
    correction = InspectionActCorrection.model_validate({**findings, "correction_reason": reason})
    result: InspectionActRead = run(
        factory,
        lambda uow: service.correct(
            uow=uow, act_id=act_id, correction=correction, recorded_by="inspector.chief"
        ),
    )
    return result


def refused(
    factory: sessionmaker[Session], payload: dict[str, Any], **kwargs: Any
) -> list[tuple[tuple[str | int, ...], str]]:
    """The (loc, msg) of every problem of an act that must be refused."""
    with pytest.raises(InvalidInput) as caught:
        record(factory, payload, **kwargs)
    return [(error.loc, error.msg) for error in caught.value.errors]


def locs(factory: sessionmaker[Session], payload: dict[str, Any], **kwargs: Any) -> set[Any]:
    return {loc for loc, _ in refused(factory, payload, **kwargs)}


def journal(factory: sessionmaker[Session], action: str) -> list[JournalEntryRead]:
    page = run(
        factory,
        lambda uow: journal_service.entries(
            uow=uow, action=action, include_confidential=True, cursor=None, limit=50
        ),
    )
    return list(page.items)


def stored_acts(factory: sessionmaker[Session]) -> list[tuple[int, int, bool]]:
    """(id, act version, current) of every stored act row."""
    with UnitOfWork(factory) as uow:
        rows = uow.session.scalars(select(InspectionActRow).order_by(InspectionActRow.id))
        return [(row.id, row.act_version, row.current) for row in rows]


# --------------------------------------------------------------------------- recording


def test_an_act_on_a_profile_selection_is_stored_and_journalled(
    session_factory: sessionmaker[Session],
) -> None:
    activate_cars(session_factory)
    assert submit(session_factory).decision.channel == "red"
    recorded = record(session_factory, act())
    assert (recorded.selection_basis, recorded.act_version, recorded.current) == (
        "profile",
        1,
        True,
    )
    assert (recorded.declaration_number, recorded.declaration_version) == (NUMBER, 1)
    assert (recorded.office, recorded.inspector, recorded.recorded_by, recorded.source) == (
        "KGBSK",
        INSPECTOR,
        INSPECTOR,
        "api",
    )
    assert recorded.additional_duties == Decimal("48500")
    assert recorded.inspected_at == datetime(2026, 10, 1, 8, 10, tzinfo=UTC)
    assert [m.model_dump() for m in recorded.measures] == [
        {"code": "109", "status": "applied", "reason_code": None},
        {"code": "601", "status": "not_applied", "reason_code": "DOCS-SUFFICIENT"},
    ]
    again = run(session_factory, lambda uow: service.get_act(uow=uow, act_id=recorded.id))
    assert again == recorded  # what was answered is what is stored, amounts included
    (entry,) = journal(session_factory, "inspection.record")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        INSPECTOR,
        "inspection_act",
        f"{NUMBER}/1#1",
    )
    assert entry.before is None
    assert entry.after["selection_basis"] == "profile"
    assert entry.after["additional_duties"] == "48500"
    assert entry.after["discrepancy_types"] == ["valuation"]
    assert entry.after["inspector"] == INSPECTOR
    assert run(session_factory, lambda uow: journal_service.verify(uow=uow)).ok


def test_random_control_is_the_basis_when_no_profile_selected(
    session_factory: sessionmaker[Session],
) -> None:
    random_control(session_factory)
    decision = submit(session_factory).decision
    assert (decision.channel, [m["code"] for m in decision.measures]) == ("red", ["109"])
    recorded = record(
        session_factory, nothing_found(measures=[{"code": "109", "status": "applied"}])
    )
    assert recorded.selection_basis == "random"


def test_a_profile_wins_over_random_control(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    random_control(session_factory, channel="yellow")
    codes = {m["code"] for m in submit(session_factory).decision.measures}
    assert codes == {"109", "601", "101"}
    measures = [{"code": c, "status": "applied"} for c in ("109", "601", "101")]
    assert record(session_factory, nothing_found(measures=measures)).selection_basis == "profile"


def test_a_reroute_into_red_is_the_basis_and_allows_any_catalogue_measure(
    session_factory: sessionmaker[Session],
) -> None:
    assert submit(session_factory).decision.channel == "green"
    reroute(session_factory, "red")
    measures = [{"code": "105", "status": "applied"}, {"code": "109", "status": "applied"}]
    recorded = record(session_factory, act(measures=measures))
    assert recorded.selection_basis == "reroute"


def test_a_rerouted_selection_may_add_measures(session_factory: sessionmaker[Session]) -> None:
    random_control(session_factory, channel="yellow")
    assert submit(session_factory).decision.channel == "yellow"
    reroute(session_factory, "red")  # the officer escalates: the basis stays random
    measures = [{"code": "101", "status": "applied"}, {"code": "109", "status": "applied"}]
    recorded = record(session_factory, act(measures=measures))
    assert recorded.selection_basis == "random"


def test_a_green_declaration_needs_discretionary(session_factory: sessionmaker[Session]) -> None:
    assert submit(session_factory).decision.channel == "green"
    problems = refused(session_factory, act(measures=[{"code": "109", "status": "applied"}]))
    assert problems == [
        (
            ("selection_basis",),
            f"declaration {NUMBER} was not selected for inspection (channel green); "
            "an act on it must say discretionary",
        )
    ]
    measures = [{"code": "112", "status": "partly_applied", "reason_code": "TIME-LIMIT"}]
    recorded = record(session_factory, act(selection_basis="discretionary", measures=measures))
    assert recorded.selection_basis == "discretionary"


def test_a_selection_rerouted_to_green_needs_discretionary(
    session_factory: sessionmaker[Session],
) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    reroute(session_factory, "green")
    assert locs(session_factory, act()) == {("selection_basis",)}
    assert record(session_factory, act(selection_basis="discretionary")).selection_basis == (
        "discretionary"
    )


def test_a_selected_declaration_refuses_discretionary(
    session_factory: sessionmaker[Session],
) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    ((loc, message),) = refused(session_factory, act(selection_basis="discretionary"))
    assert loc == ("selection_basis",)
    assert "leave selection_basis out" in message
    # The control group stays blind: nothing says how it was selected.
    assert "random" not in message
    assert "profile" not in message


def test_an_unassessed_declaration_needs_discretionary(
    session_factory: sessionmaker[Session],
) -> None:
    run(
        session_factory,
        lambda uow: declarations_service.ingest(
            uow=uow,
            declarations=[DeclarationCreate.model_validate(declaration(NUMBER))],
            source="t",
        ),
    )
    ((loc, message),) = refused(session_factory, act())
    assert loc == ("selection_basis",)
    assert "not assessed" in message
    assert record(session_factory, act(selection_basis="discretionary")).current


# --------------------------------------------------------------------------- validation


RULES: list[tuple[str, dict[str, Any], tuple[str | int, ...]]] = [
    ("a discrepancy needs a type", {"discrepancy_types": []}, ("discrepancy_types",)),
    (
        "no types without a discrepancy",
        {"outcome": "no_discrepancy", "additional_duties": "0"},
        ("discrepancy_types",),
    ),
    (
        "no duties without a discrepancy",
        {"outcome": "no_discrepancy", "discrepancy_types": []},
        ("additional_duties",),
    ),
    (
        "no seizure without a discrepancy",
        {
            "outcome": "no_discrepancy",
            "discrepancy_types": [],
            "additional_duties": "0",
            "seizure": True,
            "offence_case": "AP-2026-0001",
        },
        ("seizure",),
    ),
    ("a seizure needs an offence case", {"seizure": True}, ("offence_case",)),
    (
        "no offence case without a discrepancy",
        {
            "outcome": "no_discrepancy",
            "discrepancy_types": [],
            "additional_duties": "0",
            "offence_case": "AP-2026-0001",
        },
        ("offence_case",),
    ),
    ("a type once", {"discrepancy_types": ["valuation", "valuation"]}, ("discrepancy_types", 1)),
    (
        "a measure once",
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "applied"},
                {"code": "109", "status": "applied"},
            ]
        },
        ("measures", 2, "code"),
    ),
    (
        "no reason for an applied measure",
        {
            "measures": [
                {"code": "109", "status": "applied", "reason_code": "TIME-LIMIT"},
                {"code": "601", "status": "applied"},
            ]
        },
        ("measures", 0, "reason_code"),
    ),
    (
        "a reason for a measure not applied",
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "not_applied"},
            ]
        },
        ("measures", 1, "reason_code"),
    ),
    (
        "a reason for a measure partly applied",
        {
            "measures": [
                {"code": "109", "status": "partly_applied"},
                {"code": "601", "status": "applied"},
            ]
        },
        ("measures", 0, "reason_code"),
    ),
    (
        "catalogue measures only",
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "applied"},
                {"code": "999", "status": "applied"},
            ]
        },
        ("measures", 2, "code"),
    ),
    (
        "every measure of the decision",
        {"measures": [{"code": "109", "status": "applied"}]},
        ("measures",),
    ),
    (
        "no measure the decision did not apply",
        {
            "measures": [
                {"code": "109", "status": "applied"},
                {"code": "601", "status": "applied"},
                {"code": "105", "status": "applied"},
            ]
        },
        ("measures", 2, "code"),
    ),
    (
        "not before the registration",
        {"inspected_at": "2026-10-01T09:29:59+06:00"},
        ("inspected_at",),
    ),
    (
        "a stored declaration",
        {"declaration_number": "KGBSK/011026/9999999"},
        ("declaration_number",),
    ),
    ("a stored version", {"declaration_version": 2}, ("declaration_version",)),
]


@pytest.mark.parametrize(("rule", "change", "loc"), RULES, ids=[rule for rule, _, _ in RULES])
def test_every_rule_names_its_field(
    session_factory: sessionmaker[Session],
    rule: str,
    change: dict[str, Any],
    loc: tuple[str | int, ...],
) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    assert locs(session_factory, act(**change)) == {loc}, rule
    assert stored_acts(session_factory) == []
    assert journal(session_factory, "inspection.record") == []


def test_every_problem_is_reported_at_once(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    payload = act(
        discrepancy_types=[],
        seizure=True,
        measures=[{"code": "109", "status": "not_applied"}, {"code": "998", "status": "applied"}],
        inspected_at="2026-09-30T10:00:00+06:00",
    )
    assert locs(session_factory, payload) == {
        ("discrepancy_types",),
        ("offence_case",),
        ("measures", 0, "reason_code"),
        ("measures", 1, "code"),
        ("measures",),
        ("inspected_at",),
    }


MODEL_RULES: list[tuple[dict[str, Any], tuple[str | int, ...]]] = [
    ({"additional_duties": "-1"}, ("additional_duties",)),
    ({"additional_duties": "10.005"}, ("additional_duties",)),
    ({"additional_duties": "NaN"}, ("additional_duties",)),
    ({"minutes_spent": 10_001}, ("minutes_spent",)),
    ({"minutes_spent": -1}, ("minutes_spent",)),
    ({"discrepancy_types": ["weather"]}, ("discrepancy_types", 0)),
    ({"outcome": "maybe"}, ("outcome",)),
    (
        {"measures": [{"code": "109", "status": "skipped"}]},
        ("measures", 0, "status"),
    ),
    (
        {"measures": [{"code": "109", "status": "not_applied", "reason_code": "LUNCH"}]},
        ("measures", 0, "reason_code"),
    ),
    ({"measures": []}, ("measures",)),
    ({"inspected_at": "2026-10-01T14:10:00"}, ("inspected_at",)),
    ({"inspected_at": "0001-01-01T00:00:00+06:00"}, ("inspected_at",)),
    ({"inspected_at": "9999-12-31T23:59:59-06:00"}, ("inspected_at",)),
    ({"selection_basis": "profile"}, ("selection_basis",)),
    ({"declaration_number": "KGBSK 1"}, ("declaration_number",)),
    ({"notes": "bell\x07"}, ("notes",)),
    ({"colour": "red"}, ("colour",)),
]


@pytest.mark.parametrize(("change", "loc"), MODEL_RULES)
def test_field_rules_of_the_model(change: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        InspectionActCreate.model_validate(act(**change))
    assert [tuple(error["loc"]) for error in caught.value.errors()] == [loc]


def test_an_act_in_the_future_is_refused() -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    with pytest.raises(ValidationError) as caught:
        InspectionActCreate.model_validate(act(inspected_at=later))
    (error,) = caught.value.errors()
    assert error["loc"] == ("inspected_at",)
    assert "in the future" in error["msg"]


def test_findings_are_shared_by_acts_and_corrections() -> None:
    # One set of field rules: a correction is the same findings plus its reason.
    shared = set(InspectionFindings.model_fields)
    assert set(InspectionActCreate.model_fields) - shared == {
        "declaration_number",
        "declaration_version",
    }
    assert set(InspectionActCorrection.model_fields) - shared == {"correction_reason"}


# --------------------------------------------------------------------------- versions


def test_one_act_per_declaration_version(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    first = record(session_factory, act())
    with pytest.raises(Conflict) as caught:
        record(session_factory, nothing_found())
    assert f"inspection act {first.id}" in caught.value.detail
    assert len(stored_acts(session_factory)) == 1
    # The amendment is a new declaration version: it gets its own act.
    submit(session_factory, version=2, vehicle_id="01KG999XYZ")
    second = record(session_factory, act())
    assert (second.declaration_version, second.act_version) == (2, 1)
    with pytest.raises(Conflict):
        record(session_factory, act(declaration_version=1))


def test_a_correction_is_a_new_version_and_the_old_one_stays(
    session_factory: sessionmaker[Session],
) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    first = record(session_factory, act())
    corrected = correct(
        session_factory,
        first.id,
        act(discrepancy_types=["valuation", "origin"], additional_duties="61000"),
        "origin certificate found forged after the act was signed",
    )
    assert (corrected.act_version, corrected.current, corrected.id != first.id) == (2, True, True)
    assert corrected.correction_reason == "origin certificate found forged after the act was signed"
    assert (corrected.inspector, corrected.recorded_by) == (INSPECTOR, "inspector.chief")
    assert corrected.discrepancy_types == ["valuation", "origin"]
    old = run(session_factory, lambda uow: service.get_act(uow=uow, act_id=first.id))
    # The replaced version is unchanged but for one column.
    assert old == first.model_copy(update={"current": False})
    (entry,) = journal(session_factory, "inspection.correct")
    assert entry.object_id == f"{NUMBER}/1#2"
    assert entry.actor == "inspector.chief"
    assert (entry.before["act_version"], entry.before["additional_duties"]) == (1, "48500")
    assert (entry.after["act_version"], entry.after["additional_duties"]) == (2, "61000")
    assert entry.after["correction_reason"] == corrected.correction_reason
    with pytest.raises(Conflict) as caught:
        correct(session_factory, first.id, act(), "again, on the old version")
    assert f"act {corrected.id}" in caught.value.detail
    third = correct(session_factory, corrected.id, nothing_found(), "the goods were re-weighed")
    assert third.act_version == 3
    assert [current for _, _, current in stored_acts(session_factory)] == [False, False, True]


def test_an_invalid_correction_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    first = record(session_factory, act())
    with pytest.raises(InvalidInput) as caught:
        correct(session_factory, first.id, act(discrepancy_types=[]), "types were forgotten")
    assert [error.loc for error in caught.value.errors] == [("discrepancy_types",)]
    assert [current for _, _, current in stored_acts(session_factory)] == [True]
    assert journal(session_factory, "inspection.correct") == []
    with pytest.raises(ValidationError):
        InspectionActCorrection.model_validate({**act(), "correction_reason": ""})
    with pytest.raises(NotFound):
        correct(session_factory, 999_999, act(), "no such act")


def test_concurrent_first_acts_make_one_act(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    activate_cars(session_factory)
    submit(session_factory)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def inspector() -> None:
        barrier.wait()
        try:
            record(session_factory, act())
            outcomes.append("recorded")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=inspector) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["recorded"]
    assert len(stored_acts(session_factory)) == 1


# --------------------------------------------------------------------------- scope, reading


def test_scope_hides_declarations_and_acts_of_other_offices(
    session_factory: sessionmaker[Session],
) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    osh = frozenset({"KGOSH"})
    (hidden,) = refused(session_factory, act(), scope=osh)
    (unknown,) = refused(session_factory, act("KGOSH/011026/0000001"), scope=osh)
    assert hidden[0] == unknown[0] == ("declaration_number",)
    # The same sentence for both: whether it exists elsewhere does not leak.
    assert hidden[1].replace(NUMBER, "N") == unknown[1].replace("KGOSH/011026/0000001", "N")
    recorded = record(session_factory, act(), scope=frozenset({"KGBSK"}))
    with pytest.raises(NotFound):
        run(session_factory, lambda uow: service.get_act(uow=uow, act_id=recorded.id, scope=osh))
    findings = {k: v for k, v in nothing_found().items() if k != "declaration_number"}
    correct_in = InspectionActCorrection.model_validate({**findings, "correction_reason": "hidden"})
    with pytest.raises(NotFound):
        run(
            session_factory,
            lambda uow: service.correct(
                uow=uow, act_id=recorded.id, correction=correct_in, recorded_by="x", scope=osh
            ),
        )
    page = run(
        session_factory,
        lambda uow: service.list_acts(
            uow=uow, filters=ActFilters(scope=osh), cursor=None, limit=10
        ),
    )
    assert page.items == []


def test_listing_filters_and_pages(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    numbers = [f"KGBSK/011026/000000{n}" for n in range(1, 6)]
    for number in numbers:
        submit(session_factory, number)
    found = [record(session_factory, act(number)) for number in numbers[:3]]
    clean = [record(session_factory, nothing_found(number)) for number in numbers[3:]]
    corrected = correct(session_factory, found[0].id, act(), "duties recomputed")

    def listing(cursor: str | None = None, limit: int = 50, **filters: Any) -> Any:
        return run(
            session_factory,
            lambda uow: service.list_acts(
                uow=uow, filters=ActFilters(**filters), cursor=cursor, limit=limit
            ),
        )

    everything = listing()
    assert [a.id for a in everything.items] == [
        corrected.id,
        clean[1].id,
        clean[0].id,
        found[2].id,
        found[1].id,
    ]
    assert len(listing(all_versions=True).items) == 6
    assert {a.id for a in listing(outcome="no_discrepancy").items} == {a.id for a in clean}
    assert [a.act_version for a in listing(declaration_number=numbers[0]).items] == [2]
    assert listing(office="KGOSH").items == []
    moment = datetime(2026, 10, 1, 8, 10, tzinfo=UTC)
    assert len(listing(inspected_from=moment).items) == 5
    assert listing(inspected_to=moment).items == []
    first = listing(limit=2)
    second = listing(cursor=first.next_cursor, limit=2)
    third = listing(cursor=second.next_cursor, limit=2)
    pages = [a.id for page in (first, second, third) for a in page.items]
    assert pages == [a.id for a in everything.items]
    assert third.next_cursor is None
    for bad in ("abc", "-1", "0", "9" * 19):
        with pytest.raises(InvalidInput):
            listing(cursor=bad)


def test_the_random_basis_is_shown_only_to_those_cleared(
    session_factory: sessionmaker[Session],
) -> None:
    random_control(session_factory)
    submit(session_factory)
    recorded = record(
        session_factory, nothing_found(measures=[{"code": "109", "status": "applied"}])
    )

    def principal(role: Role) -> Principal:
        return Principal(1, "x", "X", frozenset({role}), "HQ", None, "token")

    assert service.shown_to(recorded, principal(Role.INSPECTOR)).selection_basis == "selected"
    assert service.shown_to(recorded, principal(Role.VIEWER)).selection_basis == "selected"
    assert service.shown_to(recorded, principal(Role.RISK_ANALYST)).selection_basis == "random"


# --------------------------------------------------------------------------- the queue


def test_the_queue_holds_what_waits_for_an_act(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    random_control(session_factory, channel="yellow", office="KGOSH")
    parts = [item(1, hs_code="8708299009", description="car parts")]

    def at(day: int) -> str:
        return f"2026-09-{day:02d}T09:30:00+06:00"  # before the acts' inspection time

    submit(session_factory, "KGBSK/1", registered_at=at(5))  # red (profile): waits
    submit(session_factory, "KGBSK/2", registered_at=at(2), items=parts)  # green
    submit(session_factory, "KGBSK/3", registered_at=at(3), items=parts)  # green, re-routed: waits
    reroute(session_factory, "yellow", "KGBSK/3")
    submit(session_factory, "KGBSK/4", registered_at=at(1))  # red, re-routed to green
    reroute(session_factory, "green", "KGBSK/4")
    submit(session_factory, "KGBSK/5", registered_at=at(4))  # red, inspected
    record(session_factory, act("KGBSK/5"))
    submit(session_factory, "KGBSK/6", registered_at=at(6))  # red, amended: version 2 waits
    submit(session_factory, "KGBSK/6", version=2, registered_at=at(7))
    submit(
        session_factory,
        "KGOSH/1",
        registered_at=at(2),
        office="KGOSH",
        items=parts,
    )  # yellow at random in Osh

    def queue(scope: frozenset[str] | None, cursor: str | None = None, limit: int = 50) -> Any:
        return run(
            session_factory,
            lambda uow: service.queue(uow=uow, scope=scope, cursor=cursor, limit=limit),
        )

    everything = queue(None)
    assert [(e.declaration_number, e.declaration_version) for e in everything.items] == [
        ("KGOSH/1", 1),
        ("KGBSK/3", 1),
        ("KGBSK/1", 1),
        ("KGBSK/6", 2),
    ]
    bishkek = queue(frozenset({"KGBSK"}))
    assert [e.declaration_number for e in bishkek.items] == ["KGBSK/3", "KGBSK/1", "KGBSK/6"]
    rerouted, selected, _ = bishkek.items
    assert (rerouted.channel, rerouted.rerouted, rerouted.measures) == ("yellow", True, [])
    assert (selected.channel, selected.rerouted) == ("red", False)
    assert [(m.code, m.channel, m.mandatory) for m in selected.measures] == [
        ("109", "red", True),
        ("601", "yellow", False),
    ]
    assert selected.instructions == [INSTRUCTIONS]
    osh = queue(frozenset({"KGOSH"})).items[0]
    assert (osh.channel, [m.code for m in osh.measures], osh.instructions) == (
        "yellow",
        ["101"],
        [],
    )
    # Nothing of the reasons: no hits, no sources, no sign of the random draw.
    assert set(osh.model_dump()) == {
        "declaration_number",
        "declaration_version",
        "office",
        "registered_at",
        "channel",
        "rerouted",
        "measures",
        "instructions",
    }
    first = queue(None, limit=3)
    assert first.next_cursor is not None
    rest = queue(None, cursor=first.next_cursor, limit=3)
    assert [e.declaration_number for e in first.items + rest.items] == [
        e.declaration_number for e in everything.items
    ]
    assert rest.next_cursor is None
    record(session_factory, act("KGBSK/1"))
    assert "KGBSK/1" not in [e.declaration_number for e in queue(None).items]
    for bad in ("1", "x-1", "1-", "999999999999999999-1", "1-9999999999999999999"):
        with pytest.raises(InvalidInput):
            queue(None, cursor=bad)


def test_an_import_twice_is_recorded_once(session_factory: sessionmaker[Session]) -> None:
    activate_cars(session_factory)
    submit(session_factory)
    record(session_factory, act())
    same = InspectionActCreate.model_validate(act())
    other = InspectionActCreate.model_validate(act(minutes_spent=96))

    def identical(act_in: InspectionActCreate, inspector: str = INSPECTOR) -> bool:
        return bool(
            run(
                session_factory,
                lambda uow: service.recorded_identically(
                    uow=uow, act_in=act_in, inspector=inspector
                ),
            )
        )

    assert identical(same)
    assert not identical(other)
    assert not identical(same, inspector="inspector.post2")
