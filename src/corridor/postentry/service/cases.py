"""Audit cases: opened from an approved plan or ad hoc, worked by a post-entry auditor and
completed with findings, which go to the trader's history at once
(:func:`corridor.traders.service.record_audit_finding`; object type ``audit_case``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.db.tables import AuditCaseDeclarationRow, AuditCaseRow, AuditPlanItemRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.errors import N_, Conflict, FieldError, InvalidInput, Message, NotFound
from corridor.postentry import repository
from corridor.postentry.schemas import (
    CASE_MOVES,
    AuditPeriod,
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
    case_open_problems,
)
from corridor.postentry.service._common import (
    MAX_LIST,
    journal,
    offices_of,
    stored_offices,
    unit_offices,
    within_scope,
)
from corridor.postentry.service.plans import plan_or_raise
from corridor.traders import service as traders_service


def case_reference(case_id: int) -> str:
    """How a case is cited (in the trader's findings, letters and acts)."""
    return f"PEC-{case_id:06d}"


def _check_auditor(uow: UnitOfWork, username: str, problems: list[FieldError]) -> None:
    try:
        user = accounts_service.get_user(uow=uow, username=username)
    except NotFound:
        problems.append(FieldError(("auditor",), N_("user %(user)s does not exist", user=username)))
        return
    if Role.POST_ENTRY_AUDITOR not in user.roles or not user.active:
        problems.append(
            FieldError(
                ("auditor",),
                N_("user %(user)s is not an active post-entry auditor", user=username),
            )
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
        raise InvalidInput(N_("the case is invalid"), problems)
    item: AuditPlanItemRow | None = None
    if case_in.plan_id is not None:
        plan = plan_or_raise(uow, case_in.plan_id, scope, lock=True)
        if plan.state != "approved":
            raise Conflict(
                N_(
                    "audit plan %(plan)s is %(state)s: cases are opened from an approved plan",
                    plan=plan.id,
                    state=plan.state,
                )
            )
        item = repository.plan_item(uow.session, plan.id, case_in.tin)
        if item is None:
            raise InvalidInput(
                N_("the case is invalid"),
                [
                    FieldError(
                        ("tin",),
                        N_(
                            "audit plan %(plan)s holds no trader %(tin)s",
                            plan=plan.id,
                            tin=case_in.tin,
                        ),
                    )
                ],
            )
        if repository.cases_of_items(uow.session, [item.id]):
            raise Conflict(
                N_(
                    "trader %(tin)s of plan %(plan)s has its case already",
                    tin=case_in.tin,
                    plan=plan.id,
                )
            )
        unit, offices = plan.unit, offices_of(plan.all_offices, plan.offices)
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
        raise InvalidInput(N_("the case is invalid"), problems)
    running = repository.open_case_of(uow.session, case_in.tin)
    if running is not None:
        raise Conflict(
            N_(
                "trader %(tin)s has case %(case)s %(state)s",
                tin=case_in.tin,
                case=case_reference(running.id),
                state=running.state,
            )
        )
    now = uow.now
    all_offices, listed = stored_offices(offices)
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
        raise Conflict(
            N_("a case for trader %(tin)s was opened at the same time", tin=case_in.tin)
        ) from None
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
    journal(uow, actor, "audit_case.open", "audit_case", row.id, None, _case_state(read), now)
    return read


def _case_or_raise(
    uow: UnitOfWork, case_id: int, scope: frozenset[str] | None, *, lock: bool = False
) -> AuditCaseRow:
    row = repository.case(uow.session, case_id, lock=lock)
    if row is None or not within_scope(row.all_offices, row.offices, scope):
        raise NotFound(N_("audit case %(case)s does not exist", case=case_id))
    return row


def _working_or_raise(row: AuditCaseRow, what: Message) -> None:
    if row.state not in ("planned", "in_progress"):
        raise Conflict(
            N_(
                "audit case %(case)s is %(state)s: %(what)s",
                case=case_reference(row.id),
                state=row.state,
                what=what,
            )
        )


def _move(row: AuditCaseRow, to: str) -> None:
    if to not in CASE_MOVES[row.state]:
        raise Conflict(
            N_(
                "audit case %(case)s is %(state)s: it cannot become %(to)s",
                case=case_reference(row.id),
                state=row.state,
                to=to,
            )
        )


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
        if within_scope(row.all_offices, row.offices, scope)
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
    _working_or_raise(row, N_("its auditor is no longer changed"))
    problems: list[FieldError] = []
    _check_auditor(uow, assign_in.auditor, problems)
    if problems:
        raise InvalidInput(N_("invalid auditor"), problems)
    before, now = row.auditor, uow.now
    row.auditor, row.updated_at = assign_in.auditor, now
    repository.flush(uow.session)
    journal(
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
    now = uow.now
    row.state, row.started_at, row.updated_at = "in_progress", now, now
    row.auditor = row.auditor or actor
    repository.flush(uow.session)
    journal(
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
    _working_or_raise(row, N_("its scope is no longer changed"))
    try:
        declaration = declarations_service.get(
            uow=uow,
            number=add_in.declaration_number,
            version=add_in.declaration_version,
            scope=scope,
        )
    except NotFound as exc:
        raise InvalidInput(
            N_("the declaration cannot be added"),
            [FieldError(("declaration_number",), exc.detail)],
        ) from None
    if row.tin not in (declaration.importer, declaration.declarant):
        raise InvalidInput(
            N_("the declaration cannot be added"),
            [
                FieldError(
                    ("declaration_number",),
                    N_(
                        "declaration %(number)s is not of trader %(tin)s",
                        number=declaration.number,
                        tin=row.tin,
                    ),
                )
            ],
        )
    if repository.case_declaration(uow.session, row.id, declaration.id) is not None:
        raise Conflict(
            N_(
                "declaration %(number)s version %(version)s is in the scope of %(case)s already",
                number=declaration.number,
                version=declaration.version,
                case=case_reference(row.id),
            )
        )
    now = uow.now
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
    journal(
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
    _working_or_raise(row, N_("its documents are no longer changed"))
    if any(document["ref"] == document_in.ref for document in row.documents):
        raise Conflict(
            N_("%(case)s cites %(ref)s already", case=case_reference(row.id), ref=document_in.ref)
        )
    now = uow.now
    entry = {"ref": document_in.ref, "added_by": actor, "added_at": now.isoformat()}
    row.documents = [*row.documents, entry]  # a new list: the change is seen and stored
    row.updated_at = now
    repository.flush(uow.session)
    journal(uow, actor, "audit_case.add_document", "audit_case", row.id, None, entry, now)
    return _case_read(uow, row)


def findings_problems(findings: CaseFindings) -> list[FieldError]:
    """The rules across the fields of a case's findings (empty: none broken)."""
    problems: list[FieldError] = []
    found = findings.outcome == "discrepancy"
    if found and not findings.discrepancy_types:
        problems.append(
            FieldError(
                ("discrepancy_types",),
                N_("at least one type is required with a discrepancy"),
            )
        )
    if not found:
        if findings.discrepancy_types:
            problems.append(
                FieldError(
                    ("discrepancy_types",),
                    N_("must be empty when the outcome is no_discrepancy"),
                )
            )
        for name in ("additional_duties", "penalties"):
            if getattr(findings, name) > 0:
                problems.append(
                    FieldError((name,), N_("must be 0 when the outcome is no_discrepancy"))
                )
    for index, kind in enumerate(findings.discrepancy_types):
        if kind in findings.discrepancy_types[:index]:
            problems.append(
                FieldError(("discrepancy_types", index), N_("%(kind)s is listed twice", kind=kind))
            )
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
        raise InvalidInput(N_("the findings are invalid"), problems)
    now = uow.now
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
    journal(
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
    before, now = row.state, uow.now
    row.state, row.cancel_note = "cancelled", cancel_in.note
    row.closed_by, row.closed_at, row.updated_at = actor, now, now
    repository.flush(uow.session)
    journal(
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
