"""Audit plans: a unit's draft of the traders to audit in a period, filled from the
ranking, edited, approved and closed (object type ``audit_plan`` in the journal).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import polars as pl
from sqlalchemy.exc import IntegrityError

from corridor.config import customs_day
from corridor.db.tables import AuditPlanItemRow, AuditPlanRow
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, Conflict, InvalidInput, NotFound
from corridor.postentry import repository
from corridor.postentry.schemas import (
    PLAN_MOVES,
    AuditPeriod,
    CandidateReason,
    PlanCreate,
    PlanItemAdd,
    PlanItemRead,
    PlanRead,
    PlanSummary,
    PlanUpdate,
    period_problems,
)
from corridor.postentry.service._common import (
    MAX_LIST,
    journal,
    offices_of,
    stored_offices,
    unit_offices,
    within_scope,
)
from corridor.postentry.service.candidates import candidate_read, ranked_releases


def create_plan(
    *,
    uow: UnitOfWork,
    plan_in: PlanCreate,
    unit: str,
    actor: str,
    scope: frozenset[str] | None = None,
    on: date | None = None,
) -> PlanRead:
    """A draft plan of ``unit`` for the period, holding the first ``capacity`` candidates
    of its ranking (by risk, then expected recovery). Conflict when the unit has a plan
    for that period already."""
    problems = period_problems(
        plan_in.period_from, plan_in.period_to, names=("period_from", "period_to")
    )
    if problems:
        raise InvalidInput(N_("the plan is invalid"), problems)
    period = AuditPeriod(plan_in.period_from, plan_in.period_to)
    offices = unit_offices(uow=uow, unit=unit, scope=scope)
    existing = repository.plan_for(uow.session, unit, period.first_day, period.last_day)
    if existing is not None:
        raise Conflict(
            N_(
                "unit %(unit)s has plan %(plan)s for %(first)s to %(last)s already; edit it",
                unit=unit,
                plan=existing.id,
                first=period.first_day,
                last=period.last_day,
            )
        )
    ranked, _book = ranked_releases(
        uow, period=period, offices=offices, order="risk", on=on or customs_day(uow.now)
    )
    now = uow.now
    all_offices, listed = stored_offices(offices)
    plan = AuditPlanRow(
        unit=unit,
        all_offices=all_offices,
        offices=listed,
        period_from=period.first_day,
        period_to=period.last_day,
        capacity=plan_in.capacity,
        state="draft",
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    try:
        repository.add(uow.session, plan)
    except IntegrityError:
        raise Conflict(
            N_("unit %(unit)s got a plan for this period at the same time", unit=unit)
        ) from None
    for row in ranked.candidates.head(plan_in.capacity).iter_rows(named=True):
        repository.add(uow.session, _item_from(plan.id, row, actor=actor, at=now))
    read = _plan_read(uow, plan)
    journal(uow, actor, "audit_plan.create", "audit_plan", plan.id, None, _plan_state(read), now)
    return read


def _item_from(plan_id: int, row: dict[str, Any], *, actor: str, at: datetime) -> AuditPlanItemRow:
    candidate = candidate_read(row)
    return AuditPlanItemRow(
        plan_id=plan_id,
        tin=candidate.tin,
        source="ranking",
        rank=candidate.rank,
        risk_score=candidate.risk_score,
        expected_recovery=candidate.expected_recovery,
        reasons=[reason.model_dump(mode="json") for reason in candidate.reasons],
        note="",
        added_by=actor,
        added_at=at,
    )


def plan_or_raise(
    uow: UnitOfWork, plan_id: int, scope: frozenset[str] | None, *, lock: bool = False
) -> AuditPlanRow:
    """The plan, locked when asked; NotFound also for a plan outside ``scope``."""
    plan = repository.plan(uow.session, plan_id, lock=lock)
    if plan is None or not within_scope(plan.all_offices, plan.offices, scope):
        raise NotFound(N_("audit plan %(plan)s does not exist", plan=plan_id))
    return plan


def _draft_or_raise(plan: AuditPlanRow) -> None:
    if plan.state != "draft":
        raise Conflict(
            N_(
                "audit plan %(plan)s is %(state)s: only a draft plan is edited",
                plan=plan.id,
                state=plan.state,
            )
        )


def get_plan(*, uow: UnitOfWork, plan_id: int, scope: frozenset[str] | None = None) -> PlanRead:
    """One plan with its traders. NotFound also for a plan outside ``scope``."""
    return _plan_read(uow, plan_or_raise(uow, plan_id, scope))


def list_plans(
    *, uow: UnitOfWork, state: str | None = None, scope: frozenset[str] | None = None
) -> list[PlanSummary]:
    """Plans within ``scope``, the latest period first."""
    rows = [
        plan
        for plan in repository.plans(uow.session, state=state, limit=MAX_LIST)
        if within_scope(plan.all_offices, plan.offices, scope)
    ]
    counts = repository.item_counts(uow.session, [plan.id for plan in rows])
    return [
        PlanSummary(
            id=plan.id,
            unit=plan.unit,
            period_from=plan.period_from,
            period_to=plan.period_to,
            capacity=plan.capacity,
            items=counts[plan.id][0],
            cases=counts[plan.id][1],
            state=plan.state,
            created_by=plan.created_by,
            created_at=plan.created_at,
        )
        for plan in rows
    ]


def set_capacity(
    *,
    uow: UnitOfWork,
    plan_id: int,
    update: PlanUpdate,
    actor: str,
    scope: frozenset[str] | None = None,
) -> PlanRead:
    """Change a draft plan's capacity; Conflict when it holds more traders than that."""
    plan = plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    held = len(repository.plan_items(uow.session, plan.id))
    if update.capacity < held:
        raise Conflict(
            N_(
                "audit plan %(plan)s holds %(held)s traders: remove some before lowering its "
                "capacity to %(capacity)s",
                plan=plan.id,
                held=held,
                capacity=update.capacity,
            )
        )
    before = plan.capacity
    now = uow.now
    plan.capacity, plan.updated_at = update.capacity, now
    repository.flush(uow.session)
    journal(
        uow,
        actor,
        "audit_plan.capacity",
        "audit_plan",
        plan.id,
        {"capacity": before},
        {"capacity": plan.capacity},
        now,
    )
    return _plan_read(uow, plan)


def add_item(
    *,
    uow: UnitOfWork,
    plan_id: int,
    item_in: PlanItemAdd,
    actor: str,
    scope: frozenset[str] | None = None,
    on: date | None = None,
) -> PlanRead:
    """Add a trader to a draft plan (with its place, scores and reasons when the plan's
    ranking holds it). Conflict when the plan is full (at its capacity), holds the trader
    already, or is not a draft."""
    plan = plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    held = repository.plan_items(uow.session, plan.id)
    if any(item.tin == item_in.tin for item in held):
        raise Conflict(
            N_("audit plan %(plan)s holds trader %(tin)s already", plan=plan.id, tin=item_in.tin)
        )
    if len(held) >= plan.capacity:
        raise Conflict(
            N_(
                "audit plan %(plan)s is full: it holds %(held)s traders, its capacity is "
                "%(capacity)s audits; raise the capacity or remove a trader first",
                plan=plan.id,
                held=len(held),
                capacity=plan.capacity,
            )
        )
    now = uow.now
    ranked, _book = ranked_releases(
        uow,
        period=AuditPeriod(plan.period_from, plan.period_to),
        offices=offices_of(plan.all_offices, plan.offices),
        order="risk",
        on=on or customs_day(uow.now),
    )
    found = ranked.candidates.filter(pl.col("tin") == item_in.tin)
    if found.height:
        item = _item_from(plan.id, found.row(0, named=True), actor=actor, at=now)
        item.source = "manual"
    else:
        item = AuditPlanItemRow(
            plan_id=plan.id,
            tin=item_in.tin,
            source="manual",
            rank=None,
            risk_score=None,
            expected_recovery=None,
            reasons=[],
            added_by=actor,
            added_at=now,
        )
    item.note = item_in.note
    try:
        repository.add(uow.session, item)
    except IntegrityError:
        raise Conflict(
            N_(
                "trader %(tin)s was added to plan %(plan)s at the same time",
                tin=item_in.tin,
                plan=plan.id,
            )
        ) from None
    plan.updated_at = now
    journal(
        uow,
        actor,
        "audit_plan.add",
        "audit_plan",
        plan.id,
        None,
        {"tin": item.tin, "rank": item.rank, "note": item.note},
        now,
    )
    return _plan_read(uow, plan)


def remove_item(
    *, uow: UnitOfWork, plan_id: int, tin: str, actor: str, scope: frozenset[str] | None = None
) -> PlanRead:
    """Take a trader out of a draft plan. NotFound when the plan does not hold it."""
    plan = plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    item = repository.plan_item(uow.session, plan.id, tin)
    if item is None:
        raise NotFound(N_("audit plan %(plan)s holds no trader %(tin)s", plan=plan.id, tin=tin))
    before = {"tin": item.tin, "rank": item.rank, "source": item.source}
    repository.delete(uow.session, item)
    now = uow.now
    plan.updated_at = now
    journal(uow, actor, "audit_plan.remove", "audit_plan", plan.id, before, None, now)
    return _plan_read(uow, plan)


def move_plan(
    *,
    uow: UnitOfWork,
    plan_id: int,
    to: Literal["approved", "closed"],
    actor: str,
    scope: frozenset[str] | None = None,
) -> PlanRead:
    """Approve a draft plan (cases may then be opened from it) or close an approved one.
    Conflict for any other move."""
    plan = plan_or_raise(uow, plan_id, scope, lock=True)
    if to not in PLAN_MOVES[plan.state]:
        raise Conflict(
            N_(
                "audit plan %(plan)s is %(state)s: it cannot become %(to)s",
                plan=plan.id,
                state=plan.state,
                to=to,
            )
        )
    if to == "approved" and not repository.plan_items(uow.session, plan.id):
        raise Conflict(
            N_("audit plan %(plan)s holds no trader: add one before approving it", plan=plan.id)
        )
    before, now = plan.state, uow.now
    plan.state, plan.updated_at = to, now
    if to == "approved":
        plan.approved_by, plan.approved_at = actor, now
    else:
        plan.closed_by, plan.closed_at = actor, now
    repository.flush(uow.session)
    action = "audit_plan.approve" if to == "approved" else "audit_plan.close"
    journal(uow, actor, action, "audit_plan", plan.id, {"state": before}, {"state": to}, now)
    return _plan_read(uow, plan)


def _plan_read(uow: UnitOfWork, plan: AuditPlanRow) -> PlanRead:
    items = repository.plan_items(uow.session, plan.id)
    cases = repository.cases_of_items(uow.session, [item.id for item in items])
    return PlanRead(
        id=plan.id,
        unit=plan.unit,
        offices=None if plan.all_offices else list(plan.offices),
        period_from=plan.period_from,
        period_to=plan.period_to,
        capacity=plan.capacity,
        state=plan.state,
        items=[
            PlanItemRead(
                id=item.id,
                tin=item.tin,
                source=item.source,
                rank=item.rank,
                risk_score=item.risk_score,
                expected_recovery=item.expected_recovery,
                reasons=[CandidateReason.model_validate(r) for r in item.reasons],
                note=item.note,
                added_by=item.added_by,
                added_at=item.added_at,
                case_id=cases.get(item.id),
            )
            for item in items
        ],
        created_by=plan.created_by,
        created_at=plan.created_at,
        approved_by=plan.approved_by,
        approved_at=plan.approved_at,
        closed_by=plan.closed_by,
        closed_at=plan.closed_at,
    )


def _plan_state(plan: PlanRead) -> dict[str, Any]:
    return {
        "unit": plan.unit,
        "period_from": plan.period_from,
        "period_to": plan.period_to,
        "capacity": plan.capacity,
        "state": plan.state,
        "traders": [item.tin for item in plan.items],
    }
