"""Audit plans, cases, alerts, requests and inboxes through the use cases (SQLite and
PostgreSQL), on the world of ``tests/integration/postentry/world.py``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Principal, Role
from corridor.db.tables import JournalEntryRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.postentry import service
from corridor.postentry.schemas import (
    AlertCreate,
    AlertWithdraw,
    CaseAssign,
    CaseCancel,
    CaseDeclarationAdd,
    CaseDocumentAdd,
    CaseFindings,
    CaseOpen,
    CaseRead,
    PlanCreate,
    PlanItemAdd,
    PlanUpdate,
    ProfileRequestCreate,
    ProfileRequestHandle,
)
from corridor.traders import service as traders_service
from tests.integration.postentry.world import BLUE, OCTOBER, A, B, C, D, build

T = TypeVar("T")
HEAD, AUDITOR = "post_entry_head", "post_entry_auditor"


def run(factory: sessionmaker[Session], action: Callable[[Any], T]) -> T:
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def journal(factory: sessionmaker[Session], prefix: str) -> list[str]:
    with UnitOfWork(factory) as uow:
        return list(
            uow.session.scalars(
                select(JournalEntryRow.action)
                .where(JournalEntryRow.action.startswith(prefix))
                .order_by(JournalEntryRow.seq)
            )
        )


def new_plan(factory: sessionmaker[Session], capacity: int = 2) -> int:
    plan_in = PlanCreate.model_validate(
        {
            "unit": "POST-1",
            "period_from": "2026-10-01",
            "period_to": "2026-10-31",
            "capacity": capacity,
        }
    )
    plan = run(
        factory,
        lambda uow: service.create_plan(uow=uow, plan_in=plan_in, unit="POST-1", actor=HEAD),
    )
    return plan.id


# =========================================================================== plans


def test_a_plan_holds_the_first_candidates_up_to_its_capacity(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    plan_id = new_plan(session_factory, capacity=2)
    with UnitOfWork(session_factory) as uow:
        plan = service.get_plan(uow=uow, plan_id=plan_id)
    assert plan.state == "draft"
    assert [(i.tin, i.rank, i.source) for i in plan.items] == [(A, 1, "ranking"), (C, 2, "ranking")]
    assert plan.items[0].reasons[0].kind == "released"
    assert plan.offices == ["KGBSK"]

    add_b = PlanItemAdd.model_validate({"tin": B, "note": "tip-off from the post"})
    with pytest.raises(Conflict, match="holds 2 traders, its capacity is 2 audits"):
        run(
            session_factory,
            lambda uow: service.add_item(uow=uow, plan_id=plan_id, item_in=add_b, actor=HEAD),
        )
    with pytest.raises(Conflict, match="holds 2 traders"):
        run(
            session_factory,
            lambda uow: service.set_capacity(
                uow=uow, plan_id=plan_id, update=PlanUpdate(capacity=1), actor=HEAD
            ),
        )
    run(
        session_factory,
        lambda uow: service.set_capacity(
            uow=uow, plan_id=plan_id, update=PlanUpdate(capacity=3), actor=HEAD
        ),
    )
    plan = run(
        session_factory,
        lambda uow: service.add_item(uow=uow, plan_id=plan_id, item_in=add_b, actor=HEAD),
    )
    added = plan.items[-1]
    # Added by hand, with its place in the plan's ranking and its reasons.
    assert (added.tin, added.source, added.rank, added.note) == (
        B,
        "manual",
        3,
        "tip-off from the post",
    )
    assert added.reasons
    with pytest.raises(Conflict, match=f"holds trader {B} already"):
        run(
            session_factory,
            lambda uow: service.add_item(uow=uow, plan_id=plan_id, item_in=add_b, actor=HEAD),
        )
    plan = run(
        session_factory,
        lambda uow: service.remove_item(uow=uow, plan_id=plan_id, tin=C, actor=HEAD),
    )
    assert [i.tin for i in plan.items] == [A, B]
    with pytest.raises(NotFound):
        run(
            session_factory,
            lambda uow: service.remove_item(uow=uow, plan_id=plan_id, tin=C, actor=HEAD),
        )

    plan = run(
        session_factory,
        lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="approved", actor=HEAD),
    )
    assert (plan.state, plan.approved_by) == ("approved", HEAD)
    add_c = PlanItemAdd.model_validate({"tin": C})
    with pytest.raises(Conflict, match="only a draft plan is edited"):
        run(
            session_factory,
            lambda uow: service.add_item(uow=uow, plan_id=plan_id, item_in=add_c, actor=HEAD),
        )
    with pytest.raises(Conflict, match="cannot become approved"):
        run(
            session_factory,
            lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="approved", actor=HEAD),
        )
    run(
        session_factory,
        lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="closed", actor=HEAD),
    )
    with pytest.raises(Conflict, match="closed: it cannot become closed"):
        run(
            session_factory,
            lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="closed", actor=HEAD),
        )
    assert journal(session_factory, "audit_plan.") == [
        "audit_plan.create",
        "audit_plan.capacity",
        "audit_plan.add",
        "audit_plan.remove",
        "audit_plan.approve",
        "audit_plan.close",
    ]


def test_one_plan_per_unit_and_period_and_plans_within_the_callers_offices(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    plan_id = new_plan(session_factory)
    with pytest.raises(Conflict, match="has plan"):
        new_plan(session_factory)
    with UnitOfWork(session_factory) as uow:
        assert [p.id for p in service.list_plans(uow=uow, scope=frozenset({"KGBSK"}))] == [plan_id]
        assert service.list_plans(uow=uow, scope=frozenset({"KGOSH"})) == []
        with pytest.raises(NotFound):
            service.get_plan(uow=uow, plan_id=plan_id, scope=frozenset({"KGOSH"}))
    backwards = PlanCreate.model_validate(
        {"period_from": "2026-10-31", "period_to": "2026-10-01", "capacity": 1}
    )
    with pytest.raises(InvalidInput) as refused:
        run(
            session_factory,
            lambda uow: service.create_plan(uow=uow, plan_in=backwards, unit="HQ", actor=HEAD),
        )
    assert [e.loc for e in refused.value.errors] == [("period_to",)]


def test_an_empty_draft_is_not_approved(session_factory: sessionmaker[Session]) -> None:
    build(session_factory)
    plan_id = new_plan(session_factory, capacity=1)
    run(
        session_factory,
        lambda uow: service.remove_item(uow=uow, plan_id=plan_id, tin=A, actor=HEAD),
    )
    with pytest.raises(Conflict, match="holds no trader"):
        run(
            session_factory,
            lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="approved", actor=HEAD),
        )


# =========================================================================== cases


def open_case(factory: sessionmaker[Session], **fields: Any) -> CaseRead:
    case_in = CaseOpen.model_validate(fields)
    return run(
        factory, lambda uow: service.open_case(uow=uow, case_in=case_in, unit="HQ", actor=HEAD)
    )


FINDINGS = CaseFindings.model_validate(
    {
        "outcome": "discrepancy",
        "discrepancy_types": ["valuation"],
        "additional_duties": "93960",
        "penalties": "5000",
        "notes": "contract prices 2.5 times the invoices",
    }
)


def test_a_case_from_a_plan_links_the_traders_blue_releases(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    plan_id = new_plan(session_factory)
    with pytest.raises(Conflict, match="cases are opened from an approved plan"):
        open_case(session_factory, plan_id=plan_id, tin=A)
    run(
        session_factory,
        lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="approved", actor=HEAD),
    )
    with pytest.raises(InvalidInput) as refused:
        open_case(session_factory, plan_id=plan_id, tin=B)
    assert refused.value.errors[0].loc == ("tin",)
    with pytest.raises(InvalidInput) as refused:
        open_case(session_factory, plan_id=plan_id, tin=A, auditor="inspector")
    assert [e.loc for e in refused.value.errors] == [("auditor",)]
    case = open_case(session_factory, plan_id=plan_id, tin=A, auditor=AUDITOR)
    assert (case.state, case.auditor, case.unit, case.plan_id) == (
        "planned",
        AUDITOR,
        "POST-1",
        plan_id,
    )
    assert case.reference == f"PEC-{case.id:06d}"
    assert [(d.declaration_number, d.channel, d.linked) for d in case.declarations] == [
        (BLUE, "blue", "automatic")
    ]
    with pytest.raises(Conflict, match="has its case already"):
        open_case(session_factory, plan_id=plan_id, tin=A)
    with pytest.raises(Conflict, match="planned"):
        # A second case of the same trader, ad hoc, while one is planned.
        open_case(session_factory, tin=A, period_from="2026-09-01", period_to="2026-10-31")
    with UnitOfWork(session_factory) as uow:
        plan = service.get_plan(uow=uow, plan_id=plan_id)
    assert plan.items[0].case_id == case.id


CaseAction = Callable[[Any, int], Any]
START: CaseAction = lambda uow, i: service.start(uow=uow, case_id=i, actor=AUDITOR)  # noqa: E731
COMPLETE: CaseAction = lambda uow, i: service.complete(  # noqa: E731
    uow=uow, case_id=i, findings=FINDINGS, actor=AUDITOR
)
CANCEL: CaseAction = lambda uow, i: service.cancel(  # noqa: E731
    uow=uow, case_id=i, cancel_in=CaseCancel(note="the trader closed down"), actor=HEAD
)
MOVES = {"start": START, "complete": COMPLETE, "cancel": CANCEL}
#: state -> the moves allowed from it (any other is a conflict).
ALLOWED = {
    "planned": {"start", "cancel"},
    "in_progress": {"complete", "cancel"},
    "completed": set(),
    "cancelled": set(),
}
PATHS = {
    "planned": [],
    "in_progress": ["start"],
    "completed": ["start", "complete"],
    "cancelled": ["cancel"],
}


def test_every_move_of_the_case_lifecycle(session_factory: sessionmaker[Session]) -> None:
    build(session_factory)
    for state, path in PATHS.items():
        for move, action in MOVES.items():
            case = open_case(
                session_factory,
                tin=D,
                unit="POST-2",
                period_from="2026-10-01",
                period_to="2026-10-31",
            )
            for step in path:
                run(session_factory, lambda uow, s=step, i=case.id: MOVES[s](uow, i))
            with UnitOfWork(session_factory) as uow:
                assert service.get_case(uow=uow, case_id=case.id).state == state
            where = f"{move} from {state}"
            if move in ALLOWED[state]:
                moved = run(session_factory, lambda uow, a=action, i=case.id: a(uow, i))
                assert moved.state != state, where
            else:
                with pytest.raises(Conflict, match=f"is {state}"):
                    run(session_factory, lambda uow, a=action, i=case.id: a(uow, i))
            # Close it, so that the next case of D may be opened.
            with UnitOfWork(session_factory) as uow:
                now = service.get_case(uow=uow, case_id=case.id).state
            if now in ("planned", "in_progress"):
                run(session_factory, lambda uow, i=case.id: CANCEL(uow, i))


def test_working_a_case(session_factory: sessionmaker[Session]) -> None:
    build(session_factory)
    case = open_case(
        session_factory,
        tin=A,
        unit="POST-1",
        period_from="2026-10-01",
        period_to="2026-10-31",
        note="valuation of cars",
    )
    assert case.auditor is None
    started = run(
        session_factory, lambda uow: service.start(uow=uow, case_id=case.id, actor=AUDITOR)
    )
    assert (started.state, started.auditor) == ("in_progress", AUDITOR)
    add = CaseDeclarationAdd.model_validate({"declaration_number": "KGBSK/051026/0000001"})
    worked = run(
        session_factory,
        lambda uow: service.add_declaration(uow=uow, case_id=case.id, add_in=add, actor=AUDITOR),
    )
    assert [d.linked for d in worked.declarations] == ["manual", "automatic"]
    with pytest.raises(Conflict, match="already"):
        run(
            session_factory,
            lambda uow: service.add_declaration(
                uow=uow, case_id=case.id, add_in=add, actor=AUDITOR
            ),
        )
    others = CaseDeclarationAdd.model_validate({"declaration_number": "KGBSK/051026/0000011"})
    with pytest.raises(InvalidInput, match="cannot be added") as refused:
        run(
            session_factory,
            lambda uow: service.add_declaration(
                uow=uow, case_id=case.id, add_in=others, actor=AUDITOR
            ),
        )
    assert "is not of trader" in refused.value.errors[0].msg
    unknown = CaseDeclarationAdd.model_validate({"declaration_number": "KGBSK/NOPE"})
    with pytest.raises(InvalidInput) as refused:
        run(
            session_factory,
            lambda uow: service.add_declaration(
                uow=uow, case_id=case.id, add_in=unknown, actor=AUDITOR
            ),
        )
    assert refused.value.errors[0].loc == ("declaration_number",)
    document = CaseDocumentAdd(ref="Request for papers 45/2026 of 3 November")
    worked = run(
        session_factory,
        lambda uow: service.add_document(
            uow=uow, case_id=case.id, document_in=document, actor=AUDITOR
        ),
    )
    assert [d.ref for d in worked.documents] == [document.ref]
    assign = CaseAssign(auditor=AUDITOR)
    run(
        session_factory,
        lambda uow: service.assign(uow=uow, case_id=case.id, assign_in=assign, actor=HEAD),
    )
    with pytest.raises(InvalidInput):
        run(
            session_factory,
            lambda uow: service.assign(
                uow=uow, case_id=case.id, assign_in=CaseAssign(auditor="nobody"), actor=HEAD
            ),
        )
    contradicting = CaseFindings.model_validate({"outcome": "discrepancy"})
    with pytest.raises(InvalidInput) as refused:
        run(
            session_factory,
            lambda uow: service.complete(
                uow=uow, case_id=case.id, findings=contradicting, actor=AUDITOR
            ),
        )
    assert refused.value.errors[0].loc == ("discrepancy_types",)
    done = run(session_factory, lambda uow: COMPLETE(uow, case.id))
    assert (done.state, done.outcome, done.additional_duties, done.penalties) == (
        "completed",
        "discrepancy",
        Decimal(93960),
        Decimal(5000),
    )
    with pytest.raises(Conflict, match="no longer changed"):
        run(
            session_factory,
            lambda uow: service.add_document(
                uow=uow, case_id=case.id, document_in=document, actor=AUDITOR
            ),
        )
    assert journal(session_factory, "audit_case.") == [
        "audit_case.open",
        "audit_case.start",
        "audit_case.add_declaration",
        "audit_case.add_document",
        "audit_case.assign",
        "audit_case.complete",
    ]
    with UnitOfWork(session_factory) as uow:
        assert service.list_cases(uow=uow, state="completed")[0].id == case.id
        assert service.list_cases(uow=uow, scope=frozenset({"KGOSH"})) == []


def test_findings_feed_the_traders_history_and_category(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    with UnitOfWork(session_factory) as uow:
        traders_service.refresh(uow=uow, actor="test")
        traders_service.recategorise(uow=uow, actor="test")
        uow.commit()
    with UnitOfWork(session_factory) as uow:
        before = traders_service.get_trader(uow=uow, tin=C)
    assert before.findings == []
    assert before.score is not None
    # C has no history: audits that find much push its score and category up.
    cases = []
    for _ in range(3):
        case = open_case(
            session_factory, tin=C, unit="POST-1", period_from="2026-10-01", period_to="2026-10-31"
        )
        run(session_factory, lambda uow, i=case.id: START(uow, i))
        run(session_factory, lambda uow, i=case.id: COMPLETE(uow, i))
        cases.append(service.case_reference(case.id))
    with UnitOfWork(session_factory) as uow:
        after = traders_service.get_trader(uow=uow, tin=C)
        ranking = service.rank_candidates(uow=uow, unit="POST-1", period=OCTOBER)
    assert sorted(f.case_ref for f in after.findings) == sorted(cases)
    assert {f.additional_duties for f in after.findings} == {Decimal(93960)}
    assert after.score is not None
    assert after.score.score != before.score.score
    assert _order(after.category) > _order(before.category)
    c = next(x for x in ranking.candidates if x.tin == C)
    assert "3 of 3 earlier post-entry audits found discrepancies" in [r.text for r in c.reasons]
    assert c.category == after.category


def _order(category: str | None) -> int:
    return {"low": 0, "medium": 1, "high": 2}.get(category or "medium", 1)


# =========================================================================== alerts


def alert(**changes: Any) -> AlertCreate:
    payload: dict[str, Any] = {
        "title": "Cars of A under value",
        "instructions": "Ask for the sales contract and the bank transfer.",
        "importer": A,
        "hs_prefix": "8703",
        "units": ["POST-1"],
        "valid_from": "2026-10-10",
        "valid_to": "2026-10-20",
    }
    payload.update(changes)
    return AlertCreate.model_validate(payload)


def raise_alert(factory: sessionmaker[Session], **changes: Any) -> int:
    alert_in = alert(**changes)
    created = run(
        factory,
        lambda uow: service.raise_alert(
            uow=uow, alert_in=alert_in, actor=AUDITOR, unit="HQ", on=date(2026, 10, 1)
        ),
    )
    return created.id


def shown(factory: sessionmaker[Session], number: str, on: date) -> list[int]:
    with UnitOfWork(factory) as uow:
        found = declarations_service.get(uow=uow, number=number)
        return [a.id for a in service.alerts_for(uow=uow, declaration=found, on=on)]


def test_alerts_show_on_matching_declarations_of_their_offices_while_valid(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    cars_of_a = raise_alert(session_factory)
    phones_anywhere = raise_alert(
        session_factory, importer=None, hs_prefix="8517", origin="CN", units=["HQ"]
    )
    osh_only = raise_alert(session_factory, units=[], offices=["KGOSH"])
    wrong_origin = raise_alert(session_factory, importer=None, origin="KZ", hs_prefix="8703")
    inside, day_before, day_after = date(2026, 10, 15), date(2026, 10, 9), date(2026, 10, 21)
    car_of_a, phones_of_a = "KGBSK/051026/0000001", BLUE
    assert shown(session_factory, car_of_a, inside) == [cars_of_a]
    assert shown(session_factory, car_of_a, date(2026, 10, 10)) == [cars_of_a]
    assert shown(session_factory, car_of_a, date(2026, 10, 20)) == [cars_of_a]
    assert shown(session_factory, car_of_a, day_before) == []
    assert shown(session_factory, car_of_a, day_after) == []
    assert shown(session_factory, phones_of_a, inside) == [phones_anywhere]
    # Another importer's car, and A's office is not Osh.
    assert shown(session_factory, "KGBSK/051026/0000011", inside) == []
    assert shown(session_factory, "KGOSH/051026/0000031", inside) == []
    assert osh_only not in shown(session_factory, car_of_a, inside)
    assert wrong_origin not in shown(session_factory, car_of_a, inside)
    with UnitOfWork(session_factory) as uow:
        queue = service.alerts_for_each(
            uow=uow, keys=[(car_of_a, 1), (phones_of_a, 1), ("KGOSH/051026/0000031", 1)], on=inside
        )
    assert {key: [a.id for a in found] for key, found in queue.items()} == {
        (car_of_a, 1): [cars_of_a],
        (phones_of_a, 1): [phones_anywhere],
    }
    run(
        session_factory,
        lambda uow: service.withdraw_alert(
            uow=uow,
            alert_id=cars_of_a,
            withdraw_in=AlertWithdraw(note="the trader paid"),
            actor=HEAD,
            on=inside,
        ),
    )
    assert shown(session_factory, car_of_a, inside) == []
    with pytest.raises(Conflict, match="withdrawn already"):
        run(
            session_factory,
            lambda uow: service.withdraw_alert(
                uow=uow,
                alert_id=cars_of_a,
                withdraw_in=AlertWithdraw(note="again"),
                actor=HEAD,
                on=inside,
            ),
        )
    with UnitOfWork(session_factory) as uow:
        assert service.get_alert(uow=uow, alert_id=osh_only, on=day_after).status == "expired"
    with pytest.raises(Conflict, match="expired already"):
        run(
            session_factory,
            lambda uow: service.withdraw_alert(
                uow=uow,
                alert_id=osh_only,
                withdraw_in=AlertWithdraw(note="late"),
                actor=HEAD,
                on=day_after,
            ),
        )
    assert journal(session_factory, "alert.") == ["alert.raise"] * 4 + ["alert.withdraw"]


def test_an_alert_names_real_units_offices_and_cases(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    bad = alert(units=["POST-9"], offices=["KGXXX"], case_id=99, valid_to="2026-10-20")
    with pytest.raises(InvalidInput) as refused:
        run(
            session_factory,
            lambda uow: service.raise_alert(
                uow=uow, alert_in=bad, actor=AUDITOR, unit="HQ", on=date(2026, 10, 25)
            ),
        )
    assert {e.loc for e in refused.value.errors} == {
        ("units", 0),
        ("offices", 0),
        ("case_id",),
        ("valid_to",),
    }


# =========================================================================== inboxes


def test_each_unit_has_its_inbox(session_factory: sessionmaker[Session]) -> None:
    build(session_factory)
    to_post1 = raise_alert(session_factory)
    to_post2 = raise_alert(session_factory, units=["POST-2"])
    request_in = ProfileRequestCreate.model_validate(
        {
            "title": "Cars from China under value",
            "text": "Audits found invoices at 40 % of the contracts.",
            "proposed_criteria": 'hs_code startswith ["8703"] and value_ratio < 0.5',
        }
    )
    to_hq = run(
        session_factory,
        lambda uow: service.raise_request(uow=uow, request_in=request_in, actor=AUDITOR, unit="HQ"),
    )
    assert to_hq.unit == "HQ"

    def inbox(unit: str) -> tuple[list[int], list[int], int]:
        with UnitOfWork(session_factory) as uow:
            found = service.inbox(uow=uow, unit=unit, on=date(2026, 10, 15))
        return [a.id for a in found.alerts], [r.id for r in found.requests], found.unacknowledged

    assert inbox("POST-1") == ([to_post1], [], 1)
    assert inbox("POST-2") == ([to_post2], [], 1)
    assert inbox("REG-N") == ([to_post1], [], 1)
    assert inbox("HQ") == ([to_post2, to_post1], [to_hq.id], 2)
    run(
        session_factory,
        lambda uow: service.acknowledge(
            uow=uow,
            alert_id=to_post1,
            unit="POST-1",
            actor="inspector.post1",
            on=date(2026, 10, 15),
        ),
    )
    assert inbox("POST-1") == ([to_post1], [], 0)
    # Acknowledged by POST-1, not by head office.
    assert inbox("HQ")[2] == 2
    with pytest.raises(Conflict, match=r"acknowledged for POST-1 by inspector\.post1 already"):
        run(
            session_factory,
            lambda uow: service.acknowledge(uow=uow, alert_id=to_post1, unit="POST-1", actor="x"),
        )
    with pytest.raises(NotFound, match="not addressed to unit POST-2"):
        run(
            session_factory,
            lambda uow: service.acknowledge(uow=uow, alert_id=to_post1, unit="POST-2", actor="x"),
        )
    assert journal(session_factory, "alert.acknowledge") == ["alert.acknowledge"]


def principal(username: str, unit: str, *roles: Role) -> Principal:
    return Principal(
        user_id=1,
        username=username,
        full_name=username,
        roles=frozenset(roles),
        unit=unit,
        offices=None,
        via="session",
    )


def test_a_request_is_taken_up_and_settled_by_the_risk_unit(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    bad = ProfileRequestCreate.model_validate(
        {
            "title": "Cars",
            "text": "cheap cars",
            "proposed_criteria": "hs_kode = 1",
            "unit": "NOWHERE",
            "case_id": 42,
        }
    )
    with pytest.raises(InvalidInput) as refused:
        run(
            session_factory,
            lambda uow: service.raise_request(uow=uow, request_in=bad, actor=AUDITOR, unit="HQ"),
        )
    problems = {e.loc[0]: e.msg for e in refused.value.errors}
    assert set(problems) == {"unit", "proposed_criteria", "case_id"}
    assert "hs_code" in problems["proposed_criteria"]  # the suggestion
    good = ProfileRequestCreate.model_validate({"title": "Cars", "text": "cheap cars"})
    request = run(
        session_factory,
        lambda uow: service.raise_request(uow=uow, request_in=good, actor=AUDITOR, unit="HQ"),
    )
    analyst = principal("risk_analyst", "HQ", Role.RISK_ANALYST)
    inspector = principal("inspector", "HQ", Role.INSPECTOR)
    north = principal("coordinator.north", "REG-N", Role.REGIONAL_COORDINATOR)
    answer = ProfileRequestHandle()

    def handle(who: Principal, to: Any, handle_in: ProfileRequestHandle = answer) -> Any:
        return run(
            session_factory,
            lambda uow: service.handle_request(
                uow=uow, request_id=request.id, to=to, handle_in=handle_in, principal=who
            ),
        )

    with pytest.raises(PermissionDenied):
        handle(inspector, "accepted")
    with pytest.raises(NotFound):
        handle(north, "accepted")
    with pytest.raises(Conflict, match="is open: it cannot become done"):
        handle(analyst, "done")
    assert handle(analyst, "accepted").status == "accepted"
    with pytest.raises(InvalidInput):
        handle(analyst, "rejected", ProfileRequestHandle(profile_code="NAT-2026-0099"))
    done = handle(
        analyst, "done", ProfileRequestHandle(response="drafted", profile_code="NAT-2026-0099")
    )
    assert (done.status, done.handled_by, done.profile_code, done.response) == (
        "done",
        "risk_analyst",
        "NAT-2026-0099",
        "drafted",
    )
    with pytest.raises(Conflict, match="is done"):
        handle(analyst, "rejected")
    assert journal(session_factory, "profile_request.") == [
        "profile_request.raise",
        "profile_request.accept",
        "profile_request.settle",
    ]
