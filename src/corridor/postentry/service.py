"""Post-entry control use cases: rank audit candidates, build and edit audit plans, work
audit cases, raise alerts to the posts and requests to the risk unit, read inboxes.

Scope: a caller sees the plans and cases of offices within their data scope
(``principal.offices``; head office: all), and ranks the releases of those offices only.
A plan or case outside the scope does not exist for the caller (NotFound).

Findings feed back: completing a case records what it found with
:func:`corridor.traders.service.record_audit_finding` (an audit without findings counts
as a clean control), which scores the trader again at once, so its category follows.

Every change is journalled in the caller's transaction (object types ``audit_plan``,
``audit_case``, ``alert``, ``profile_request``); nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import polars as pl
from sqlalchemy.exc import IntegrityError

from corridor import rules
from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action, Principal, Role
from corridor.db.tables import (
    AlertReceiptRow,
    AlertRow,
    AuditCaseDeclarationRow,
    AuditCaseRow,
    AuditPlanItemRow,
    AuditPlanRow,
    ProfileRequestRow,
)
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import DeclarationRead, declared_attributes
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from corridor.journal import service as journal_service
from corridor.postentry import ranking, repository
from corridor.postentry.schemas import (
    CASE_MOVES,
    MAX_CANDIDATES,
    PLAN_MOVES,
    REQUEST_MOVES,
    AlertCreate,
    AlertRead,
    AlertWithdraw,
    AuditPeriod,
    CandidateOrder,
    CandidateRanking,
    CandidateRead,
    CandidateReason,
    CaseAssign,
    CaseCancel,
    CaseDeclarationAdd,
    CaseDeclarationRead,
    CaseDocument,
    CaseDocumentAdd,
    CaseFindings,
    CaseOpen,
    CaseRead,
    CaseSummary,
    InboxAlert,
    InboxRead,
    PlanCreate,
    PlanItemAdd,
    PlanItemRead,
    PlanRead,
    PlanSummary,
    PlanUpdate,
    PopulationRates,
    ProfileRequestCreate,
    ProfileRequestHandle,
    ProfileRequestRead,
    RequestMove,
    alert_problems,
    case_open_problems,
    customs_day,
    period_problems,
)
from corridor.profiles import service as profiles_service
from corridor.traders import service as traders_service
from corridor.valuation import service as valuation_service
from corridor.valuation.book import PriceBook, value_ratio

#: The largest listing of plans, cases, alerts or requests.
MAX_LIST = 500
#: The roles that may work a request to draft a profile (those who draft or decide them).
_REQUEST_HANDLERS = (Action.PROFILES_WRITE, Action.PROFILES_DECIDE)
_REQUEST_VERBS = {"accepted": "accept", "done": "settle", "rejected": "reject"}


def _now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today, as a customs day."""
    return customs_day(_now())


#: The days the ranking covers when no period is asked for (ending today).
DEFAULT_DAYS = 90


def audit_period(
    date_from: date | None, date_to: date | None, *, location: tuple[str, ...] = ()
) -> AuditPeriod:
    """The period asked for (both days included); without one, the last
    :data:`DEFAULT_DAYS` customs days up to today. InvalidInput names ``from`` or ``to``
    (after ``location``: the API says ``("query",)``)."""
    last = date_to or today()
    first = date_from or last - timedelta(days=DEFAULT_DAYS - 1)
    problems = period_problems(first, last, names=("from", "to"))
    if problems:
        raise InvalidInput(
            "invalid period", [FieldError((*location, *e.loc), e.msg) for e in problems]
        )
    return AuditPeriod(first, last)


def case_reference(case_id: int) -> str:
    """How a case is cited (in the trader's findings, letters and acts)."""
    return f"PEC-{case_id:06d}"


# =========================================================================== scope


def unit_offices(
    *, uow: UnitOfWork, unit: str, scope: frozenset[str] | None
) -> frozenset[str] | None:
    """The offices of ``unit`` (None: every office) the caller may read: those within
    ``scope`` (None: all). Raises NotFound for an unknown unit, or one with no office
    within the caller's."""
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    if scope is None:
        return offices
    visible = scope if offices is None else offices & scope
    if not visible:
        raise NotFound(f"unit {unit} has no office within yours")
    return frozenset(visible)


def _visible(all_offices: bool, offices: Sequence[str], scope: frozenset[str] | None) -> bool:
    return scope is None or (not all_offices and set(offices) <= scope)


def _stored_offices(offices: frozenset[str] | None) -> tuple[bool, list[str]]:
    return (True, []) if offices is None else (False, sorted(offices))


def _offices_of(all_offices: bool, offices: Sequence[str]) -> frozenset[str] | None:
    return None if all_offices else frozenset(offices)


# =========================================================================== ranking


def rank_candidates(
    *,
    uow: UnitOfWork,
    unit: str,
    period: AuditPeriod,
    scope: frozenset[str] | None = None,
    order: CandidateOrder = "risk",
    limit: int = 100,
    on: date | None = None,
) -> CandidateRanking:
    """The importers released green or blue in ``period`` at the unit's offices, ranked by
    risk and expected recovery, each with its reasons (:mod:`corridor.postentry.ranking`).
    ``on``: the day whose compliance categories count (default: today)."""
    if not 1 <= limit <= MAX_CANDIDATES:
        raise InvalidInput(
            "invalid limit", [FieldError(("limit",), f"must be between 1 and {MAX_CANDIDATES}")]
        )
    offices = unit_offices(uow=uow, unit=unit, scope=scope)
    ranked, book = _ranked(uow, period=period, offices=offices, order=order, on=on or today())
    frame = ranked.candidates
    population = ranked.population
    return CandidateRanking(
        unit=unit,
        offices=None if offices is None else sorted(offices),
        period_from=period.first_day,
        period_to=period.last_day,
        order=order,
        total=frame.height,
        population=PopulationRates(
            discrepancy_rate=population["discrepancies"] or 0.0,
            undervalued_share=population["undervalued"] or 0.0,
            mass_gap_share=population["mass_gap"] or 0.0,
            model_score=population["model_score"],
        ),
        price_version=book.version,
        candidates=[_candidate(row) for row in frame.head(limit).iter_rows(named=True)],
    )


def _ranked(
    uow: UnitOfWork,
    *,
    period: AuditPeriod,
    offices: frozenset[str] | None,
    order: CandidateOrder,
    on: date,
) -> tuple[ranking.Ranked, PriceBook]:
    """The ranking of the releases of ``offices`` in ``period``, and the prices it used."""
    released = repository.released_items(
        uow.session, start=period.start, end=period.end, offices=offices
    )
    book = valuation_service.price_book(uow=uow)
    items = pl.DataFrame(
        [_item_row(item, book) for item in released],
        schema=ranking.ITEM_COLUMNS,
        orient="row",
    )
    tins = set(items["tin"].to_list())
    ranked = ranking.rank(items, _traders(uow, tins, on), order=order)
    return ranked, book


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _item_row(item: repository.ReleasedItem, book: PriceBook) -> tuple[Any, ...]:
    """One goods item as the ranking reads it, with its value ratio (the lookup the
    engine makes: :meth:`corridor.valuation.book.PriceBook.lookup`)."""
    ratio: Decimal | None = None
    if len(book):
        price = book.lookup(
            hs_code=item.hs_code,
            origin=item.origin,
            unit=item.supplementary_unit,
            supplementary_qty=item.supplementary_qty,
            net_mass_kg=item.net_mass_kg,
        )
        if price is not None:
            quantity = item.supplementary_qty if price.key.basis == "unit" else item.net_mass_kg
            ratio = value_ratio(item.customs_value, quantity, price.median)
    try:
        score = None if item.model_score is None else float(item.model_score)
    except ValueError:
        score = None
    return (
        item.declaration_id,
        item.tin,
        item.channel,
        _number(item.customs_value),
        _number(item.duties),
        _number(item.duty_rate),
        _number(ratio),
        _number(item.gross_mass_kg),
        _number(item.net_mass_kg),
        score,
    )


def _traders(uow: UnitOfWork, tins: Collection[str], on: date) -> pl.DataFrame:
    """History, audits and the category in force of each trader of ``tins``."""
    history = {
        tin: (inspected, found)
        for tin, inspected, found in repository.importer_history(uow.session)
        if tin in tins
    }
    audits = {tin: (done, found) for tin, done, found in repository.audit_counts(uow.session)}
    rows = []
    for tin in sorted(tins):
        inspected, found = history.get(tin, (0, 0))
        done, hits = audits.get(tin, (0, 0))
        status = traders_service.effective_status(uow=uow, tin=tin, on=on)
        rows.append((tin, inspected, found, done, hits, status.category))
    return pl.DataFrame(rows, schema=ranking.TRADER_COLUMNS, orient="row")


def _candidate(row: dict[str, Any]) -> CandidateRead:
    return CandidateRead(
        rank=row["rank"],
        tin=row["tin"],
        risk_score=round(row["risk_score"], 4),
        risk_points=round(row["risk_points"], 4),
        expected_recovery=_money(row["expected_recovery"]),
        declarations=row["declarations"],
        value_released=_money(row["value_released"]),
        duties_released=_money(row["duties_released"]),
        category=row["category"],
        components={name: round(row[f"points_{name}"], 4) for name in ranking.COMPONENTS},
        reasons=[CandidateReason.model_validate(r) for r in ranking.reasons_of(row)],
    )


def _money(value: float) -> Decimal:
    """A float sum as an amount of som and tiyin (cents), written without trailing zeros."""
    amount = Decimal(str(round(value, 2))) + 0
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


# =========================================================================== plans


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
        raise InvalidInput("the plan is invalid", problems)
    period = AuditPeriod(plan_in.period_from, plan_in.period_to)
    offices = unit_offices(uow=uow, unit=unit, scope=scope)
    existing = repository.plan_for(uow.session, unit, period.first_day, period.last_day)
    if existing is not None:
        raise Conflict(
            f"unit {unit} has plan {existing.id} for {period.first_day} to "
            f"{period.last_day} already; edit it"
        )
    ranked, _book = _ranked(uow, period=period, offices=offices, order="risk", on=on or today())
    now = _now()
    all_offices, listed = _stored_offices(offices)
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
        raise Conflict(f"unit {unit} got a plan for this period at the same time") from None
    for row in ranked.candidates.head(plan_in.capacity).iter_rows(named=True):
        repository.add(uow.session, _item_from(plan.id, row, actor=actor, at=now))
    read = _plan_read(uow, plan)
    _journal(uow, actor, "audit_plan.create", "audit_plan", plan.id, None, _plan_state(read), now)
    return read


def _item_from(plan_id: int, row: dict[str, Any], *, actor: str, at: datetime) -> AuditPlanItemRow:
    candidate = _candidate(row)
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


def _plan_or_raise(
    uow: UnitOfWork, plan_id: int, scope: frozenset[str] | None, *, lock: bool = False
) -> AuditPlanRow:
    plan = repository.plan(uow.session, plan_id, lock=lock)
    if plan is None or not _visible(plan.all_offices, plan.offices, scope):
        raise NotFound(f"audit plan {plan_id} does not exist")
    return plan


def _draft_or_raise(plan: AuditPlanRow) -> None:
    if plan.state != "draft":
        raise Conflict(f"audit plan {plan.id} is {plan.state}: only a draft plan is edited")


def get_plan(*, uow: UnitOfWork, plan_id: int, scope: frozenset[str] | None = None) -> PlanRead:
    """One plan with its traders. NotFound also for a plan outside ``scope``."""
    return _plan_read(uow, _plan_or_raise(uow, plan_id, scope))


def list_plans(
    *, uow: UnitOfWork, state: str | None = None, scope: frozenset[str] | None = None
) -> list[PlanSummary]:
    """Plans within ``scope``, the latest period first."""
    rows = [
        plan
        for plan in repository.plans(uow.session, state=state, limit=MAX_LIST)
        if _visible(plan.all_offices, plan.offices, scope)
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
    plan = _plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    held = len(repository.plan_items(uow.session, plan.id))
    if update.capacity < held:
        raise Conflict(
            f"audit plan {plan.id} holds {held} traders: remove some before lowering its "
            f"capacity to {update.capacity}"
        )
    before = plan.capacity
    now = _now()
    plan.capacity, plan.updated_at = update.capacity, now
    repository.flush(uow.session)
    _journal(
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
    plan = _plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    held = repository.plan_items(uow.session, plan.id)
    if any(item.tin == item_in.tin for item in held):
        raise Conflict(f"audit plan {plan.id} holds trader {item_in.tin} already")
    if len(held) >= plan.capacity:
        raise Conflict(
            f"audit plan {plan.id} is full: it holds {len(held)} traders, its capacity is "
            f"{plan.capacity} audits; raise the capacity or remove a trader first"
        )
    now = _now()
    ranked, _book = _ranked(
        uow,
        period=AuditPeriod(plan.period_from, plan.period_to),
        offices=_offices_of(plan.all_offices, plan.offices),
        order="risk",
        on=on or today(),
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
            f"trader {item_in.tin} was added to plan {plan.id} at the same time"
        ) from None
    plan.updated_at = now
    _journal(
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
    plan = _plan_or_raise(uow, plan_id, scope, lock=True)
    _draft_or_raise(plan)
    item = repository.plan_item(uow.session, plan.id, tin)
    if item is None:
        raise NotFound(f"audit plan {plan.id} holds no trader {tin}")
    before = {"tin": item.tin, "rank": item.rank, "source": item.source}
    repository.delete(uow.session, item)
    now = _now()
    plan.updated_at = now
    _journal(uow, actor, "audit_plan.remove", "audit_plan", plan.id, before, None, now)
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
    plan = _plan_or_raise(uow, plan_id, scope, lock=True)
    if to not in PLAN_MOVES[plan.state]:
        raise Conflict(f"audit plan {plan.id} is {plan.state}: it cannot become {to}")
    if to == "approved" and not repository.plan_items(uow.session, plan.id):
        raise Conflict(f"audit plan {plan.id} holds no trader: add one before approving it")
    before, now = plan.state, _now()
    plan.state, plan.updated_at = to, now
    if to == "approved":
        plan.approved_by, plan.approved_at = actor, now
    else:
        plan.closed_by, plan.closed_at = actor, now
    repository.flush(uow.session)
    action = "audit_plan.approve" if to == "approved" else "audit_plan.close"
    _journal(uow, actor, action, "audit_plan", plan.id, {"state": before}, {"state": to}, now)
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


# =========================================================================== cases


def _check_auditor(uow: UnitOfWork, username: str, problems: list[FieldError]) -> None:
    try:
        user = accounts_service.get_user(uow=uow, username=username)
    except NotFound:
        problems.append(FieldError(("auditor",), f"user {username} does not exist"))
        return
    if Role.POST_ENTRY_AUDITOR not in user.roles or not user.active:
        problems.append(
            FieldError(("auditor",), f"user {username} is not an active post-entry auditor")
        )


def open_case(
    *,
    uow: UnitOfWork,
    case_in: CaseOpen,
    unit: str,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Open an audit case: for a trader of an approved plan, or ad hoc for ``unit`` and a
    period. The trader's blue-channel releases of the period at the case's offices are
    linked at once. Conflict when the plan is not approved, its trader has a case, or
    the trader has a case planned or in progress."""
    problems = case_open_problems(case_in)
    if problems:
        raise InvalidInput("the case is invalid", problems)
    item: AuditPlanItemRow | None = None
    if case_in.plan_id is not None:
        plan = _plan_or_raise(uow, case_in.plan_id, scope, lock=True)
        if plan.state != "approved":
            raise Conflict(
                f"audit plan {plan.id} is {plan.state}: cases are opened from an approved plan"
            )
        item = repository.plan_item(uow.session, plan.id, case_in.tin)
        if item is None:
            raise InvalidInput(
                "the case is invalid",
                [FieldError(("tin",), f"audit plan {plan.id} holds no trader {case_in.tin}")],
            )
        if repository.cases_of_items(uow.session, [item.id]):
            raise Conflict(f"trader {case_in.tin} of plan {plan.id} has its case already")
        unit, offices = plan.unit, _offices_of(plan.all_offices, plan.offices)
        period = AuditPeriod(plan.period_from, plan.period_to)
    else:
        assert case_in.period_from is not None
        assert case_in.period_to is not None
        unit = case_in.unit or unit
        try:
            offices = unit_offices(uow=uow, unit=unit, scope=scope)
        except NotFound as exc:
            problems.append(FieldError(("unit",), exc.detail))
            offices = frozenset()
        period = AuditPeriod(case_in.period_from, case_in.period_to)
    if case_in.auditor is not None:
        _check_auditor(uow, case_in.auditor, problems)
    if problems:
        raise InvalidInput("the case is invalid", problems)
    running = repository.open_case_of(uow.session, case_in.tin)
    if running is not None:
        raise Conflict(
            f"trader {case_in.tin} has case {case_reference(running.id)} {running.state}"
        )
    now = _now()
    all_offices, listed = _stored_offices(offices)
    row = AuditCaseRow(
        plan_id=case_in.plan_id,
        plan_item_id=None if item is None else item.id,
        tin=case_in.tin,
        unit=unit,
        all_offices=all_offices,
        offices=listed,
        period_from=period.first_day,
        period_to=period.last_day,
        state="planned",
        auditor=case_in.auditor,
        note=case_in.note,
        discrepancy_types=[],
        additional_duties=Decimal(0),
        penalties=Decimal(0),
        findings_notes="",
        documents=[],
        opened_by=actor,
        opened_at=now,
        updated_at=now,
    )
    try:
        repository.add(uow.session, row)
    except IntegrityError:
        raise Conflict(f"a case for trader {case_in.tin} was opened at the same time") from None
    for declaration_id in repository.blue_releases(
        uow.session, tin=row.tin, start=period.start, end=period.end, offices=offices
    ):
        uow.session.add(
            AuditCaseDeclarationRow(
                case_id=row.id,
                declaration_id=declaration_id,
                linked="automatic",
                added_by=actor,
                added_at=now,
            )
        )
    repository.flush(uow.session)
    read = _case_read(uow, row)
    _journal(uow, actor, "audit_case.open", "audit_case", row.id, None, _case_state(read), now)
    return read


def _case_or_raise(
    uow: UnitOfWork, case_id: int, scope: frozenset[str] | None, *, lock: bool = False
) -> AuditCaseRow:
    row = repository.case(uow.session, case_id, lock=lock)
    if row is None or not _visible(row.all_offices, row.offices, scope):
        raise NotFound(f"audit case {case_id} does not exist")
    return row


def _working_or_raise(row: AuditCaseRow, what: str) -> None:
    if row.state not in ("planned", "in_progress"):
        raise Conflict(f"audit case {case_reference(row.id)} is {row.state}: {what}")


def _move(row: AuditCaseRow, to: str) -> None:
    if to not in CASE_MOVES[row.state]:
        raise Conflict(f"audit case {case_reference(row.id)} is {row.state}: it cannot become {to}")


def get_case(*, uow: UnitOfWork, case_id: int, scope: frozenset[str] | None = None) -> CaseRead:
    """One case with its declarations. NotFound also for a case outside ``scope``."""
    return _case_read(uow, _case_or_raise(uow, case_id, scope))


def list_cases(
    *,
    uow: UnitOfWork,
    state: str | None = None,
    auditor: str | None = None,
    tin: str | None = None,
    plan_id: int | None = None,
    scope: frozenset[str] | None = None,
) -> list[CaseSummary]:
    """Cases within ``scope``, the latest opened first."""
    rows = repository.cases(
        uow.session, state=state, auditor=auditor, tin=tin, plan_id=plan_id, limit=MAX_LIST
    )
    return [
        CaseSummary(
            id=row.id,
            reference=case_reference(row.id),
            plan_id=row.plan_id,
            tin=row.tin,
            unit=row.unit,
            period_from=row.period_from,
            period_to=row.period_to,
            state=row.state,
            auditor=row.auditor,
            outcome=row.outcome,
            additional_duties=row.additional_duties,
            penalties=row.penalties,
            opened_at=row.opened_at,
        )
        for row in rows
        if _visible(row.all_offices, row.offices, scope)
    ]


def assign(
    *,
    uow: UnitOfWork,
    case_id: int,
    assign_in: CaseAssign,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Give a planned or running case its auditor (a post-entry auditor)."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _working_or_raise(row, "its auditor is no longer changed")
    problems: list[FieldError] = []
    _check_auditor(uow, assign_in.auditor, problems)
    if problems:
        raise InvalidInput("invalid auditor", problems)
    before, now = row.auditor, _now()
    row.auditor, row.updated_at = assign_in.auditor, now
    repository.flush(uow.session)
    _journal(
        uow,
        actor,
        "audit_case.assign",
        "audit_case",
        row.id,
        {"auditor": before},
        {"auditor": row.auditor},
        now,
    )
    return _case_read(uow, row)


def start(
    *, uow: UnitOfWork, case_id: int, actor: str, scope: frozenset[str] | None = None
) -> CaseRead:
    """Start a planned case; whoever starts a case without an auditor becomes its auditor."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _move(row, "in_progress")
    now = _now()
    row.state, row.started_at, row.updated_at = "in_progress", now, now
    row.auditor = row.auditor or actor
    repository.flush(uow.session)
    _journal(
        uow,
        actor,
        "audit_case.start",
        "audit_case",
        row.id,
        {"state": "planned"},
        {"state": row.state, "auditor": row.auditor},
        now,
    )
    return _case_read(uow, row)


def add_declaration(
    *,
    uow: UnitOfWork,
    case_id: int,
    add_in: CaseDeclarationAdd,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Bring a declaration of the audited trader (as importer or declarant) into the case's
    scope. InvalidInput for a declaration not stored within the caller's offices or of
    another trader; Conflict when it is in the scope already or the case is closed."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _working_or_raise(row, "its scope is no longer changed")
    try:
        declaration = declarations_service.get(
            uow=uow,
            number=add_in.declaration_number,
            version=add_in.declaration_version,
            scope=scope,
        )
    except NotFound as exc:
        raise InvalidInput(
            "the declaration cannot be added",
            [FieldError(("declaration_number",), exc.detail)],
        ) from None
    if row.tin not in (declaration.importer, declaration.declarant):
        raise InvalidInput(
            "the declaration cannot be added",
            [
                FieldError(
                    ("declaration_number",),
                    f"declaration {declaration.number} is not of trader {row.tin}",
                )
            ],
        )
    if repository.case_declaration(uow.session, row.id, declaration.id) is not None:
        raise Conflict(
            f"declaration {declaration.number} version {declaration.version} is in the "
            f"scope of {case_reference(row.id)} already"
        )
    now = _now()
    repository.add(
        uow.session,
        AuditCaseDeclarationRow(
            case_id=row.id,
            declaration_id=declaration.id,
            linked="manual",
            added_by=actor,
            added_at=now,
        ),
    )
    row.updated_at = now
    _journal(
        uow,
        actor,
        "audit_case.add_declaration",
        "audit_case",
        row.id,
        None,
        {"declaration": f"{declaration.number}/{declaration.version}"},
        now,
    )
    return _case_read(uow, row)


def add_document(
    *,
    uow: UnitOfWork,
    case_id: int,
    document_in: CaseDocumentAdd,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Add a document reference (an act, a letter) to a planned or running case."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _working_or_raise(row, "its documents are no longer changed")
    if any(document["ref"] == document_in.ref for document in row.documents):
        raise Conflict(f"{case_reference(row.id)} cites {document_in.ref} already")
    now = _now()
    entry = {"ref": document_in.ref, "added_by": actor, "added_at": now.isoformat()}
    row.documents = [*row.documents, entry]  # a new list: the change is seen and stored
    row.updated_at = now
    repository.flush(uow.session)
    _journal(uow, actor, "audit_case.add_document", "audit_case", row.id, None, entry, now)
    return _case_read(uow, row)


def findings_problems(findings: CaseFindings) -> list[FieldError]:
    """The rules across the fields of a case's findings (empty: none broken)."""
    problems: list[FieldError] = []
    found = findings.outcome == "discrepancy"
    if found and not findings.discrepancy_types:
        problems.append(
            FieldError(("discrepancy_types",), "at least one type is required with a discrepancy")
        )
    if not found:
        if findings.discrepancy_types:
            problems.append(
                FieldError(
                    ("discrepancy_types",), "must be empty when the outcome is no_discrepancy"
                )
            )
        for name in ("additional_duties", "penalties"):
            if getattr(findings, name) > 0:
                problems.append(FieldError((name,), "must be 0 when the outcome is no_discrepancy"))
    for index, kind in enumerate(findings.discrepancy_types):
        if kind in findings.discrepancy_types[:index]:
            problems.append(FieldError(("discrepancy_types", index), f"{kind} is listed twice"))
    return problems


def complete(
    *,
    uow: UnitOfWork,
    case_id: int,
    findings: CaseFindings,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Complete a case in progress with its findings, and record them in the trader's
    history (:func:`corridor.traders.service.record_audit_finding`: the trader is scored
    again at once). InvalidInput for findings that contradict themselves; Conflict for a
    case not in progress."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _move(row, "completed")
    problems = findings_problems(findings)
    if problems:
        raise InvalidInput("the findings are invalid", problems)
    now = _now()
    row.state, row.closed_by, row.closed_at, row.updated_at = "completed", actor, now, now
    row.outcome = findings.outcome
    row.discrepancy_types = list(findings.discrepancy_types)
    row.additional_duties, row.penalties = findings.additional_duties, findings.penalties
    row.findings_notes = findings.notes
    repository.flush(uow.session)
    traders_service.record_audit_finding(
        uow=uow,
        tin=row.tin,
        case_ref=case_reference(row.id),
        discrepancy_types=list(findings.discrepancy_types),
        additional_duties=findings.additional_duties,
        penalties=findings.penalties,
        found_at=now,
        actor=actor,
    )
    read = _case_read(uow, row)
    _journal(
        uow,
        actor,
        "audit_case.complete",
        "audit_case",
        row.id,
        {"state": "in_progress"},
        _case_state(read),
        now,
    )
    return read


def cancel(
    *,
    uow: UnitOfWork,
    case_id: int,
    cancel_in: CaseCancel,
    actor: str,
    scope: frozenset[str] | None = None,
) -> CaseRead:
    """Cancel a planned or running case, with why."""
    row = _case_or_raise(uow, case_id, scope, lock=True)
    _move(row, "cancelled")
    before, now = row.state, _now()
    row.state, row.cancel_note = "cancelled", cancel_in.note
    row.closed_by, row.closed_at, row.updated_at = actor, now, now
    repository.flush(uow.session)
    _journal(
        uow,
        actor,
        "audit_case.cancel",
        "audit_case",
        row.id,
        {"state": before},
        {"state": row.state, "note": row.cancel_note},
        now,
    )
    return _case_read(uow, row)


def _case_read(uow: UnitOfWork, row: AuditCaseRow) -> CaseRead:
    return CaseRead(
        id=row.id,
        reference=case_reference(row.id),
        plan_id=row.plan_id,
        tin=row.tin,
        unit=row.unit,
        offices=None if row.all_offices else list(row.offices),
        period_from=row.period_from,
        period_to=row.period_to,
        state=row.state,
        auditor=row.auditor,
        note=row.note,
        outcome=row.outcome,
        discrepancy_types=list(row.discrepancy_types),
        additional_duties=row.additional_duties,
        penalties=row.penalties,
        findings_notes=row.findings_notes,
        documents=[CaseDocument.model_validate(d) for d in row.documents],
        declarations=[
            CaseDeclarationRead(
                declaration_number=found.number,
                declaration_version=found.version,
                office=found.office,
                registered_at=found.registered_at,
                channel=found.channel,
                customs_value=found.customs_value,
                linked=linked,
                added_by=added_by,
            )
            for found, linked, added_by in repository.case_declarations(uow.session, row.id)
        ],
        cancel_note=row.cancel_note,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        started_at=row.started_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
    )


def _case_state(case: CaseRead) -> dict[str, Any]:
    return case.model_dump(
        mode="json", exclude={"id", "reference", "declarations", "documents", "offices"}
    ) | {"declarations": len(case.declarations)}


# =========================================================================== alerts


def _known_offices(uow: UnitOfWork) -> set[str]:
    return {office for unit in accounts_service.list_units(uow=uow) for office in unit.offices}


def raise_alert(
    *,
    uow: UnitOfWork,
    alert_in: AlertCreate,
    actor: str,
    unit: str,
    on: date | None = None,
) -> AlertRead:
    """Raise an alert to the offices of the units and the offices it names. InvalidInput
    for an unknown unit, office or case, or a last day already past."""
    on = on or today()
    problems = alert_problems(alert_in)
    offices: set[str] = set()
    every_office = False
    for index, code in enumerate(alert_in.units):
        try:
            below = accounts_service.offices_under(uow=uow, unit_code=code)
        except NotFound:
            problems.append(FieldError(("units", index), f"unit {code} does not exist"))
            continue
        if below is None:
            every_office = True
        else:
            offices |= below
    known = _known_offices(uow)
    for index, code in enumerate(alert_in.offices):
        if code not in known:
            problems.append(FieldError(("offices", index), f"no post covers office {code}"))
    offices |= set(alert_in.offices)
    if alert_in.valid_to < on:
        problems.append(FieldError(("valid_to",), f"is before today ({on.isoformat()})"))
    if alert_in.case_id is not None and repository.case(uow.session, alert_in.case_id) is None:
        problems.append(FieldError(("case_id",), f"audit case {alert_in.case_id} does not exist"))
    if problems:
        raise InvalidInput("the alert is invalid", problems)
    now = _now()
    row = AlertRow(
        title=alert_in.title,
        instructions=alert_in.instructions,
        importer=alert_in.importer,
        hs_prefix=alert_in.hs_prefix,
        origin=alert_in.origin,
        units=list(dict.fromkeys(alert_in.units)),
        all_offices=every_office,
        offices=[] if every_office else sorted(offices),
        valid_from=alert_in.valid_from,
        valid_to=alert_in.valid_to,
        status="active",
        case_id=alert_in.case_id,
        raised_by=actor,
        raised_unit=unit,
        raised_at=now,
    )
    repository.add(uow.session, row)
    read = _alert_read(row, on)
    _journal(
        uow,
        actor,
        "alert.raise",
        "alert",
        row.id,
        None,
        read.model_dump(mode="json", exclude={"id", "status", "in_force"}),
        now,
    )
    return read


def withdraw_alert(
    *,
    uow: UnitOfWork,
    alert_id: int,
    withdraw_in: AlertWithdraw,
    actor: str,
    on: date | None = None,
) -> AlertRead:
    """Withdraw an active alert before its last day. Conflict when it is withdrawn or
    expired already."""
    on = on or today()
    row = _alert_or_raise(uow, alert_id, lock=True)
    shown = _alert_status(row, on)
    if shown != "active":
        raise Conflict(f"alert {row.id} is {shown} already")
    now = _now()
    row.status, row.withdrawn_by, row.withdrawn_at = "withdrawn", actor, now
    row.withdrawal_note = withdraw_in.note
    repository.flush(uow.session)
    _journal(
        uow,
        actor,
        "alert.withdraw",
        "alert",
        row.id,
        {"status": "active"},
        {"status": "withdrawn", "note": withdraw_in.note},
        now,
    )
    return _alert_read(row, on)


def _alert_or_raise(uow: UnitOfWork, alert_id: int, *, lock: bool = False) -> AlertRow:
    row = repository.alert(uow.session, alert_id, lock=lock)
    if row is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return row


def get_alert(*, uow: UnitOfWork, alert_id: int, on: date | None = None) -> AlertRead:
    """One alert."""
    return _alert_read(_alert_or_raise(uow, alert_id), on or today())


def list_alerts(
    *, uow: UnitOfWork, current: bool = False, on: date | None = None
) -> list[AlertRead]:
    """Alerts, the latest raised first; ``current``: only those active and not past."""
    on = on or today()
    return [
        _alert_read(row, on)
        for row in repository.alerts(uow.session, active_on=on if current else None)
    ]


def _alert_status(row: AlertRow, on: date) -> Literal["active", "withdrawn", "expired"]:
    if row.status == "withdrawn":
        return "withdrawn"
    return "expired" if row.valid_to < on else "active"


def _alert_read(row: AlertRow, on: date) -> AlertRead:
    status = _alert_status(row, on)
    return AlertRead(
        id=row.id,
        title=row.title,
        instructions=row.instructions,
        importer=row.importer,
        hs_prefix=row.hs_prefix,
        origin=row.origin,
        units=list(row.units),
        offices=None if row.all_offices else list(row.offices),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=status,
        in_force=status == "active" and row.valid_from <= on,
        case_id=row.case_id,
        raised_by=row.raised_by,
        raised_unit=row.raised_unit,
        raised_at=row.raised_at,
        withdrawn_by=row.withdrawn_by,
        withdrawn_at=row.withdrawn_at,
        withdrawal_note=row.withdrawal_note,
    )


def matches(
    row: AlertRow, *, office: str, importer: str | None, goods: Sequence[tuple[str, str | None]]
) -> bool:
    """Whether an alert applies to a declaration: one of its offices, and every condition
    given holds (the importer; an item with the HS prefix and, on that item, the origin)."""
    if not row.all_offices and office not in row.offices:
        return False
    if row.importer is not None and importer != row.importer:
        return False
    if row.hs_prefix is None and row.origin is None:
        return True
    return any(
        (row.hs_prefix is None or hs_code.startswith(row.hs_prefix))
        and (row.origin is None or origin == row.origin)
        for hs_code, origin in goods
    )


def alerts_for(
    *, uow: UnitOfWork, declaration: DeclarationRead, on: date | None = None
) -> list[AlertRead]:
    """The alerts in force on ``on`` (default: today) that apply to a declaration."""
    on = on or today()
    goods = [(item.hs_code, item.origin) for item in declaration.items]
    return [
        _alert_read(row, on)
        for row in repository.alerts_in_force(uow.session, on)
        if matches(row, office=declaration.office, importer=declaration.importer, goods=goods)
    ]


def alerts_for_each(
    *, uow: UnitOfWork, keys: Collection[tuple[str, int]], on: date | None = None
) -> dict[tuple[str, int], list[AlertRead]]:
    """The alerts in force that apply to each declaration version (number, version) of
    ``keys`` (a page of the inspection queue at once); versions with none are left out."""
    on = on or today()
    in_force = repository.alerts_in_force(uow.session, on)
    if not in_force or not keys:
        return {}
    found: dict[tuple[str, int], list[AlertRead]] = {}
    for key, (office, importer, goods) in repository.declaration_goods(uow.session, keys).items():
        applying = [
            _alert_read(row, on)
            for row in in_force
            if matches(row, office=office, importer=importer, goods=goods)
        ]
        if applying:
            found[key] = applying
    return found


def acknowledge(
    *,
    uow: UnitOfWork,
    alert_id: int,
    unit: str,
    actor: str,
    on: date | None = None,
) -> InboxAlert:
    """Acknowledge, for ``unit``, an alert addressed to it. NotFound for an alert not
    addressed to the unit; Conflict when the unit acknowledged it already."""
    on = on or today()
    row = _alert_or_raise(uow, alert_id)
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    if not _addressed(row, offices):
        raise NotFound(f"alert {alert_id} is not addressed to unit {unit}")
    existing = repository.receipt(uow.session, row.id, unit)
    if existing is not None:
        raise Conflict(
            f"alert {row.id} was acknowledged for {unit} by {existing.acknowledged_by} already"
        )
    now = _now()
    receipt = AlertReceiptRow(
        alert_id=row.id, unit=unit, acknowledged_by=actor, acknowledged_at=now
    )
    try:
        repository.add(uow.session, receipt)
    except IntegrityError:
        raise Conflict(f"alert {row.id} was acknowledged for {unit} at the same time") from None
    _journal(uow, actor, "alert.acknowledge", "alert", row.id, None, {"unit": unit}, now)
    return InboxAlert(
        **_alert_read(row, on).model_dump(),
        acknowledged_by=receipt.acknowledged_by,
        acknowledged_at=receipt.acknowledged_at,
    )


def _addressed(row: AlertRow, offices: frozenset[str] | None) -> bool:
    """Whether an alert is addressed to a unit whose offices are ``offices`` (None: all)."""
    return offices is None or row.all_offices or not offices.isdisjoint(row.offices)


# =========================================================================== requests


def head_office(*, uow: UnitOfWork) -> str | None:
    """The code of the head office, where the risk analysts are (None: no units yet)."""
    return next(
        (unit.code for unit in accounts_service.list_units(uow=uow) if unit.kind == "head_office"),
        None,
    )


def _criteria_problem(uow: UnitOfWork, criteria: str) -> str | None:
    """What is wrong with proposed criteria (None: they compile). Confidential lists are
    left out: the requester may not learn their names from the messages."""
    lists = profiles_service.named_lists(uow=uow, confidential=False)
    try:
        rules.check(criteria, fact_schema(declared_attributes()), lists)
    except rules.RuleError as exc:
        return str(exc)
    return None


def raise_request(
    *,
    uow: UnitOfWork,
    request_in: ProfileRequestCreate,
    actor: str,
    unit: str,
) -> ProfileRequestRead:
    """Ask a risk unit (head office unless named) to draft a profile. InvalidInput for an
    unknown unit or case, or proposed criteria that do not compile."""
    problems: list[FieldError] = []
    addressee = request_in.unit or head_office(uow=uow)
    if addressee is None:
        problems.append(FieldError(("unit",), "there is no head office: name the unit"))
    else:
        try:
            accounts_service.offices_under(uow=uow, unit_code=addressee)
        except NotFound:
            problems.append(FieldError(("unit",), f"unit {addressee} does not exist"))
    if request_in.proposed_criteria is not None:
        problem = _criteria_problem(uow, request_in.proposed_criteria)
        if problem is not None:
            problems.append(FieldError(("proposed_criteria",), problem))
    if request_in.case_id is not None and repository.case(uow.session, request_in.case_id) is None:
        problems.append(FieldError(("case_id",), f"audit case {request_in.case_id} does not exist"))
    if problems or addressee is None:
        raise InvalidInput("the request is invalid", problems)
    now = _now()
    row = ProfileRequestRow(
        unit=addressee,
        title=request_in.title,
        text=request_in.text,
        proposed_criteria=request_in.proposed_criteria,
        case_id=request_in.case_id,
        status="open",
        raised_by=actor,
        raised_unit=unit,
        raised_at=now,
        response="",
    )
    repository.add(uow.session, row)
    read = ProfileRequestRead.model_validate(row, from_attributes=True)
    _journal(
        uow,
        actor,
        "profile_request.raise",
        "profile_request",
        row.id,
        None,
        # Criteria stay out of the journal (administrators read it; they are not cleared
        # for criteria): the request keeps them, unchanged.
        read.model_dump(mode="json", exclude={"id"})
        | {"proposed_criteria": read.proposed_criteria is not None},
        now,
    )
    return read


def shown_request(request: ProfileRequestRead, principal: Principal) -> ProfileRequestRead:
    """A request as ``principal`` may see it: proposed criteria only for those cleared for
    criteria and for post-entry control, who write them."""
    if request.proposed_criteria is None or any(
        principal.can(action) for action in (Action.PROFILES_CRITERIA, Action.ALERTS_WRITE)
    ):
        return request
    return request.model_copy(update={"proposed_criteria": None})


def get_request(*, uow: UnitOfWork, request_id: int) -> ProfileRequestRead:
    """One request to draft a profile."""
    row = repository.request(uow.session, request_id)
    if row is None:
        raise NotFound(f"request {request_id} does not exist")
    return ProfileRequestRead.model_validate(row, from_attributes=True)


def list_requests(*, uow: UnitOfWork, unit: str | None = None) -> list[ProfileRequestRead]:
    """Requests to draft a profile (to ``unit`` when given), open ones first."""
    return [
        ProfileRequestRead.model_validate(row, from_attributes=True)
        for row in repository.requests(uow.session, unit=unit, limit=MAX_LIST)
    ]


def handle_request(
    *,
    uow: UnitOfWork,
    request_id: int,
    to: RequestMove,
    handle_in: ProfileRequestHandle,
    principal: Principal,
) -> ProfileRequestRead:
    """Take up (``accepted``), settle (``done``, naming the profile drafted when there is
    one) or refuse (``rejected``) a request addressed to the caller's unit. NotFound for
    a request to another unit; PermissionDenied for a caller who neither drafts nor
    decides profiles; Conflict for a move its status does not allow."""
    row = repository.request(uow.session, request_id, lock=True)
    if row is None or row.unit != principal.unit:
        raise NotFound(f"request {request_id} is not addressed to unit {principal.unit}")
    if not any(principal.can(action) for action in _REQUEST_HANDLERS):
        raise PermissionDenied("requests to draft a profile are handled by the risk analysts")
    if to not in REQUEST_MOVES[row.status]:
        raise Conflict(f"request {row.id} is {row.status}: it cannot become {to}")
    if handle_in.profile_code is not None and to != "done":
        raise InvalidInput(
            "invalid answer",
            [FieldError(("profile_code",), "name the profile drafted when settling as done")],
        )
    before, now = row.status, _now()
    row.status, row.handled_by, row.handled_at = to, principal.username, now
    if handle_in.response:
        row.response = handle_in.response
    if handle_in.profile_code is not None:
        row.profile_code = handle_in.profile_code
    repository.flush(uow.session)
    _journal(
        uow,
        principal.username,
        f"profile_request.{_REQUEST_VERBS[to]}",
        "profile_request",
        row.id,
        {"status": before},
        {"status": to, "response": row.response, "profile_code": row.profile_code},
        now,
    )
    return ProfileRequestRead.model_validate(row, from_attributes=True)


# =========================================================================== inbox


def inbox(
    *, uow: UnitOfWork, unit: str, settled: bool = False, on: date | None = None
) -> InboxRead:
    """A unit's inbox: the alerts addressed to its offices (active and not past; with
    ``settled`` also the withdrawn and expired ones), each with the unit's
    acknowledgement, and the requests addressed to the unit (with ``settled`` also
    those done or rejected)."""
    on = on or today()
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    rows = [
        row
        for row in repository.alerts(uow.session, active_on=None if settled else on)
        if _addressed(row, offices)
    ]
    acknowledged = repository.receipts(uow.session, unit, [row.id for row in rows])
    alerts = []
    for row in rows:
        receipt = acknowledged.get(row.id)
        alerts.append(
            InboxAlert(
                **_alert_read(row, on).model_dump(),
                acknowledged_by=None if receipt is None else receipt.acknowledged_by,
                acknowledged_at=None if receipt is None else receipt.acknowledged_at,
            )
        )
    requests = [
        ProfileRequestRead.model_validate(row, from_attributes=True)
        for row in repository.requests(uow.session, unit=unit, settled=settled, limit=MAX_LIST)
    ]
    return InboxRead(
        unit=unit,
        alerts=alerts,
        requests=requests,
        unacknowledged=sum(
            1 for alert in alerts if alert.acknowledged_by is None and alert.status == "active"
        ),
        open_requests=sum(1 for request in requests if request.status == "open"),
    )


# =========================================================================== journal


def _journal(
    uow: UnitOfWork,
    actor: str,
    action: str,
    object_type: str,
    object_id: int,
    before: Any,
    after: Any,
    at: datetime,
) -> None:
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        at=at,
    )
