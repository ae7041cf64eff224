"""HTTP routes of post-entry control: audit candidates, plans, cases, alerts, requests to
the risk unit, the units' inboxes, and the alerts that apply to a declaration.

Reading needs ``postentry.read`` (analysts read too); plans and opening, assigning and
cancelling cases ``postentry.plan`` (the head of the department); working a case
``postentry.audit``; raising alerts and requests ``alerts.write``; the inbox
``inbox.read`` and ``inbox.handle``. Plans and cases are read within the caller's
offices: one outside them does not exist (404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, status

from corridor.accounts.roles import Action, Principal
from corridor.config import customs_day
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.postentry import service
from corridor.postentry.schemas import (
    MAX_CANDIDATES,
    AlertCreate,
    AlertRead,
    AlertWithdraw,
    CandidateOrder,
    CandidateRanking,
    CaseAssign,
    CaseCancel,
    CaseDeclarationAdd,
    CaseDocumentAdd,
    CaseFindings,
    CaseOpen,
    CaseRead,
    CaseState,
    CaseSummary,
    InboxAlert,
    InboxRead,
    PlanCreate,
    PlanItemAdd,
    PlanRead,
    PlanState,
    PlanSummary,
    PlanUpdate,
    ProfileRequestCreate,
    ProfileRequestHandle,
    ProfileRequestRead,
    RequestMove,
)
from corridor.web.deps import ERROR_RESPONSES, Committed, unit_of_work
from corridor.web.security import authorize

router = APIRouter(prefix="/api/v1", tags=["post-entry control"])
UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Reader = Annotated[Principal, Depends(authorize(Action.POSTENTRY_READ))]
Planner = Annotated[Principal, Depends(authorize(Action.POSTENTRY_PLAN))]
Auditor = Annotated[Principal, Depends(authorize(Action.POSTENTRY_AUDIT))]
Raiser = Annotated[Principal, Depends(authorize(Action.ALERTS_WRITE))]
InboxReader = Annotated[Principal, Depends(authorize(Action.INBOX_READ))]
InboxHandler = Annotated[Principal, Depends(authorize(Action.INBOX_HANDLE))]
# Plans, cases, alerts and requests have 32-bit ids.
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Tin = Annotated[str, Path(min_length=1, max_length=40)]
# --------------------------------------------------------------------------- candidates


@router.get("/post-entry/candidates", response_model=CandidateRanking, responses=ERROR_RESPONSES)
def candidates(
    uow: UoW,
    who: Reader,
    unit: Annotated[str | None, Query(max_length=20, description="default: yours")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="first day")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="last day (today)")] = None,
    order: CandidateOrder = "risk",
    limit: Annotated[int, Query(ge=1, le=MAX_CANDIDATES)] = 100,
) -> CandidateRanking:
    """Importers released green or blue in the period at the unit's offices (within the
    caller's), ranked for post-clearance audit by risk and expected recovery, each with
    its reasons and the points of each indicator."""
    return service.rank_candidates(
        uow=uow,
        unit=unit or who.unit,
        period=service.audit_period(
            date_from, date_to, today=customs_day(uow.now), location=("query",)
        ),
        scope=who.offices,
        order=order,
        limit=limit,
    )


# --------------------------------------------------------------------------- plans


@router.get("/post-entry/plans", response_model=list[PlanSummary], responses=ERROR_RESPONSES)
def list_plans(uow: UoW, who: Reader, state: PlanState | None = None) -> list[PlanSummary]:
    """Audit plans within the caller's offices, the latest period first."""
    return service.list_plans(uow=uow, state=state, scope=who.offices)


@router.post(
    "/post-entry/plans",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def create_plan(plan_in: PlanCreate, uow: Committed, who: Planner) -> PlanRead:
    """A draft plan for the period and unit (default: the caller's) holding the first
    ``capacity`` candidates of the ranking. 409 when the unit has a plan for the period."""
    return service.create_plan(
        uow=uow,
        plan_in=plan_in,
        unit=plan_in.unit or who.unit,
        actor=who.username,
        scope=who.offices,
    )


@router.get("/post-entry/plans/{plan_id}", response_model=PlanRead, responses=ERROR_RESPONSES)
def read_plan(plan_id: PlanId, uow: UoW, who: Reader) -> PlanRead:
    """One plan with its traders, their scores and reasons, and the cases opened."""
    return service.get_plan(uow=uow, plan_id=plan_id, scope=who.offices)


@router.patch("/post-entry/plans/{plan_id}", response_model=PlanRead, responses=ERROR_RESPONSES)
def update_plan(plan_id: PlanId, update: PlanUpdate, uow: Committed, who: Planner) -> PlanRead:
    """Change a draft plan's capacity (409 below the traders it holds, or not a draft)."""
    return service.set_capacity(
        uow=uow, plan_id=plan_id, update=update, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/plans/{plan_id}/items",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def add_plan_item(plan_id: PlanId, item_in: PlanItemAdd, uow: Committed, who: Planner) -> PlanRead:
    """Add a trader to a draft plan; 409 when the plan is at its capacity, holds the
    trader already, or is not a draft."""
    return service.add_item(
        uow=uow, plan_id=plan_id, item_in=item_in, actor=who.username, scope=who.offices
    )


@router.delete(
    "/post-entry/plans/{plan_id}/items/{tin}", response_model=PlanRead, responses=ERROR_RESPONSES
)
def remove_plan_item(plan_id: PlanId, tin: Tin, uow: Committed, who: Planner) -> PlanRead:
    """Take a trader out of a draft plan."""
    return service.remove_item(
        uow=uow, plan_id=plan_id, tin=tin, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/plans/{plan_id}/approve", response_model=PlanRead, responses=ERROR_RESPONSES
)
def approve_plan(plan_id: PlanId, uow: Committed, who: Planner) -> PlanRead:
    """Approve a draft plan: its traders' cases may be opened."""
    return service.move_plan(
        uow=uow, plan_id=plan_id, to="approved", actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/plans/{plan_id}/close", response_model=PlanRead, responses=ERROR_RESPONSES
)
def close_plan(plan_id: PlanId, uow: Committed, who: Planner) -> PlanRead:
    """Close an approved plan."""
    return service.move_plan(
        uow=uow, plan_id=plan_id, to="closed", actor=who.username, scope=who.offices
    )


# --------------------------------------------------------------------------- cases


@router.get("/post-entry/cases", response_model=list[CaseSummary], responses=ERROR_RESPONSES)
def list_cases(
    uow: UoW,
    who: Reader,
    state: CaseState | None = None,
    auditor: Annotated[str | None, Query(max_length=60)] = None,
    tin: Annotated[str | None, Query(max_length=40)] = None,
    plan_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[CaseSummary]:
    """Audit cases within the caller's offices, the latest opened first."""
    return service.list_cases(
        uow=uow, state=state, auditor=auditor, tin=tin, plan_id=plan_id, scope=who.offices
    )


@router.post(
    "/post-entry/cases",
    response_model=CaseRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def open_case(case_in: CaseOpen, uow: Committed, who: Planner) -> CaseRead:
    """Open a case for a trader of an approved plan, or ad hoc; the trader's blue-channel
    releases of the period are linked at once."""
    return service.open_case(
        uow=uow, case_in=case_in, unit=who.unit, actor=who.username, scope=who.offices
    )


@router.get("/post-entry/cases/{case_id}", response_model=CaseRead, responses=ERROR_RESPONSES)
def read_case(case_id: CaseId, uow: UoW, who: Reader) -> CaseRead:
    """One case with its declarations, documents and findings."""
    return service.get_case(uow=uow, case_id=case_id, scope=who.offices)


@router.post(
    "/post-entry/cases/{case_id}/assign", response_model=CaseRead, responses=ERROR_RESPONSES
)
def assign_case(case_id: CaseId, assign_in: CaseAssign, uow: Committed, who: Planner) -> CaseRead:
    """Give a planned or running case its auditor."""
    return service.assign(
        uow=uow, case_id=case_id, assign_in=assign_in, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/cases/{case_id}/start", response_model=CaseRead, responses=ERROR_RESPONSES
)
def start_case(case_id: CaseId, uow: Committed, who: Auditor) -> CaseRead:
    """Start a planned case (409 otherwise)."""
    return service.start(uow=uow, case_id=case_id, actor=who.username, scope=who.offices)


@router.post(
    "/post-entry/cases/{case_id}/declarations",
    response_model=CaseRead,
    responses=ERROR_RESPONSES,
)
def add_case_declaration(
    case_id: CaseId, add_in: CaseDeclarationAdd, uow: Committed, who: Auditor
) -> CaseRead:
    """Bring another declaration of the trader into the case's scope."""
    return service.add_declaration(
        uow=uow, case_id=case_id, add_in=add_in, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/cases/{case_id}/documents", response_model=CaseRead, responses=ERROR_RESPONSES
)
def add_case_document(
    case_id: CaseId, document_in: CaseDocumentAdd, uow: Committed, who: Auditor
) -> CaseRead:
    """Add a document reference (an act, a letter) to the case."""
    return service.add_document(
        uow=uow, case_id=case_id, document_in=document_in, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/cases/{case_id}/complete", response_model=CaseRead, responses=ERROR_RESPONSES
)
def complete_case(
    case_id: CaseId, findings: CaseFindings, uow: Committed, who: Auditor
) -> CaseRead:
    """Complete a case in progress with its findings; they go to the trader's history
    and category at once."""
    return service.complete(
        uow=uow, case_id=case_id, findings=findings, actor=who.username, scope=who.offices
    )


@router.post(
    "/post-entry/cases/{case_id}/cancel", response_model=CaseRead, responses=ERROR_RESPONSES
)
def cancel_case(case_id: CaseId, cancel_in: CaseCancel, uow: Committed, who: Planner) -> CaseRead:
    """Cancel a planned or running case, with why."""
    return service.cancel(
        uow=uow, case_id=case_id, cancel_in=cancel_in, actor=who.username, scope=who.offices
    )


# --------------------------------------------------------------------------- alerts


@router.get("/post-entry/alerts", response_model=list[AlertRead], responses=ERROR_RESPONSES)
def list_alerts(
    uow: UoW,
    who: Reader,
    current: Annotated[bool, Query(description="only those active and not past")] = False,
) -> list[AlertRead]:
    """Alerts raised to the posts, the latest first."""
    return service.list_alerts(uow=uow, current=current)


@router.post(
    "/post-entry/alerts",
    response_model=AlertRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def raise_alert(alert_in: AlertCreate, uow: Committed, who: Raiser) -> AlertRead:
    """Raise an alert (ориентировка) to the offices of units and to offices: shown on the
    declarations it matches from its first to its last day."""
    return service.raise_alert(uow=uow, alert_in=alert_in, actor=who.username, unit=who.unit)


@router.get("/post-entry/alerts/{alert_id}", response_model=AlertRead, responses=ERROR_RESPONSES)
def read_alert(alert_id: AlertId, uow: UoW, who: Reader) -> AlertRead:
    """One alert."""
    return service.get_alert(uow=uow, alert_id=alert_id)


@router.post(
    "/post-entry/alerts/{alert_id}/withdraw", response_model=AlertRead, responses=ERROR_RESPONSES
)
def withdraw_alert(
    alert_id: AlertId, withdraw_in: AlertWithdraw, uow: Committed, who: Raiser
) -> AlertRead:
    """Withdraw an active alert before its last day (409 when withdrawn or expired)."""
    return service.withdraw_alert(
        uow=uow, alert_id=alert_id, withdraw_in=withdraw_in, actor=who.username
    )


@router.get(
    "/declarations/{number:path}/alerts",
    response_model=list[AlertRead],
    responses=ERROR_RESPONSES,
    tags=["declarations"],
)
def declaration_alerts(
    number: Annotated[str, Path(min_length=1, max_length=80)],
    uow: UoW,
    who: Annotated[Principal, Depends(authorize(Action.DECLARATIONS_READ))],
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> list[AlertRead]:
    """The alerts in force today that apply to a declaration version of the caller's
    offices (the latest unless asked): instructions for the inspecting officer."""
    declaration = declarations_service.get(
        uow=uow, number=number, version=version, scope=who.offices
    )
    return service.alerts_for(uow=uow, declaration=declaration)


# --------------------------------------------------------------------------- requests


@router.get(
    "/post-entry/requests", response_model=list[ProfileRequestRead], responses=ERROR_RESPONSES
)
def list_requests(uow: UoW, who: Reader) -> list[ProfileRequestRead]:
    """Requests to the risk units to draft a profile, open ones first."""
    return service.list_requests(uow=uow)


@router.post(
    "/post-entry/requests",
    response_model=ProfileRequestRead,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
def raise_request(
    request_in: ProfileRequestCreate, uow: Committed, who: Raiser
) -> ProfileRequestRead:
    """Ask a risk unit (head office unless named) to draft a profile; proposed criteria
    are checked like a profile's (422 naming ``proposed_criteria``)."""
    return service.raise_request(uow=uow, request_in=request_in, actor=who.username, unit=who.unit)


@router.get(
    "/post-entry/requests/{request_id}",
    response_model=ProfileRequestRead,
    responses=ERROR_RESPONSES,
)
def read_request(request_id: RequestId, uow: UoW, who: Reader) -> ProfileRequestRead:
    """One request to draft a profile."""
    return service.get_request(uow=uow, request_id=request_id)


# --------------------------------------------------------------------------- inbox


@router.get("/inbox", response_model=InboxRead, responses=ERROR_RESPONSES)
def read_inbox(
    uow: UoW,
    who: InboxReader,
    settled: Annotated[
        bool, Query(description="also withdrawn or expired alerts and settled requests")
    ] = False,
) -> InboxRead:
    """The caller's unit's inbox: alerts addressed to its offices, requests to it."""
    found = service.inbox(uow=uow, unit=who.unit, settled=settled)
    shown = [service.shown_request(request, who) for request in found.requests]
    return found.model_copy(update={"requests": shown})


@router.post(
    "/inbox/alerts/{alert_id}/acknowledge",
    response_model=InboxAlert,
    responses=ERROR_RESPONSES,
)
def acknowledge_alert(alert_id: AlertId, uow: Committed, who: InboxHandler) -> InboxAlert:
    """Acknowledge, for the caller's unit, an alert addressed to it."""
    return service.acknowledge(uow=uow, alert_id=alert_id, unit=who.unit, actor=who.username)


def _handle(
    uow: UnitOfWork,
    who: Principal,
    request_id: int,
    to: RequestMove,
    handle_in: ProfileRequestHandle | None,
) -> ProfileRequestRead:
    found = service.handle_request(
        uow=uow,
        request_id=request_id,
        to=to,
        handle_in=handle_in or ProfileRequestHandle(),
        principal=who,
    )
    return service.shown_request(found, who)


_Answer = Annotated[ProfileRequestHandle | None, Body()]


@router.post(
    "/inbox/requests/{request_id}/accept",
    response_model=ProfileRequestRead,
    responses=ERROR_RESPONSES,
)
def accept_request(
    request_id: RequestId, uow: Committed, who: InboxHandler, handle_in: _Answer = None
) -> ProfileRequestRead:
    """Take up an open request addressed to the caller's unit (risk analysts, approvers,
    coordinators: those who draft or decide profiles)."""
    return _handle(uow, who, request_id, "accepted", handle_in)


@router.post(
    "/inbox/requests/{request_id}/done",
    response_model=ProfileRequestRead,
    responses=ERROR_RESPONSES,
)
def settle_request(
    request_id: RequestId, uow: Committed, who: InboxHandler, handle_in: _Answer = None
) -> ProfileRequestRead:
    """Settle an accepted request, naming the profile drafted when there is one."""
    return _handle(uow, who, request_id, "done", handle_in)


@router.post(
    "/inbox/requests/{request_id}/reject",
    response_model=ProfileRequestRead,
    responses=ERROR_RESPONSES,
)
def reject_request(
    request_id: RequestId, uow: Committed, who: InboxHandler, handle_in: _Answer = None
) -> ProfileRequestRead:
    """Refuse an open or accepted request, with the answer."""
    return _handle(uow, who, request_id, "rejected", handle_in)
