"""Inspection act use cases: record, correct, read, list; the inspection queue.

Rules an act must keep (each reported with the field it concerns):

* the rules across fields of :func:`corridor.inspections.schemas.findings_problems`;
* the declaration version is stored and within the caller's offices (otherwise
  ``declaration_number`` — or ``declaration_version`` when only the version is
  unknown — is invalid; a declaration of another office is reported exactly like
  an unknown one, so that its existence does not leak);
* ``inspected_at`` is not before the declaration's registration;
* the selection basis: ``profile`` when a profile's red or yellow measure sent the
  declaration to inspection, ``random`` when only random control did, ``reroute``
  when an officer re-routed a declaration the engine had not sent to inspection
  into red or yellow; these are derived, never given. A declaration whose channel
  (after re-routes) is neither red nor yellow was selected by nobody, and its act
  must say ``selection_basis: discretionary``;
* measures are catalogue codes; with a profile or random basis, every measure of
  the decision appears, each once, and others only when the declaration was
  re-routed (the officer added control); re-routed-in and discretionary acts name
  any catalogue measures.

One act per declaration version: a second one is a conflict, a correction is the
next act version (see the package docstring).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from corridor.accounts.roles import Action, Principal
from corridor.db.tables import InspectionActRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import DeclarationRead
from corridor.errors import N_, Conflict, FieldError, InvalidInput, Message, NotFound
from corridor.inspections import repository
from corridor.inspections.repository import ActFilters, StoredAct
from corridor.inspections.schemas import (
    INSPECTION_CHANNELS,
    MEASURE_REASONS,
    SELECTED,
    InspectionActCorrection,
    InspectionActCreate,
    InspectionActPage,
    InspectionActRead,
    InspectionFindings,
    InspectionReasons,
    MeasureResultRead,
    QueueEntry,
    QueueMeasure,
    QueuePage,
    SelectionBasis,
    findings_problems,
)
from corridor.journal import service as journal_service
from corridor.paging import id_cursor
from corridor.profiles import service as profiles_service
from corridor.reference.codes import DISCREPANCY_TYPES
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import DecisionRead

#: The largest page the listing and the queue return.
MAX_PAGE = 500
# The queue's cursor: microseconds since 1970 of the last registration, and its id.
_QUEUE_CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,18})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_A_CURSOR = FieldError(("cursor",), N_("not a cursor returned by this API"))


def reasons() -> InspectionReasons:
    """The reason codes of measures not applied and the discrepancy types."""
    return InspectionReasons(
        reason_codes=dict(MEASURE_REASONS), discrepancy_types=dict(DISCREPANCY_TYPES)
    )


def selection_basis_of(decision: DecisionRead | None) -> SelectionBasis | None:
    """How the decision sent its declaration to inspection; None when it did not."""
    if decision is None or decision.current_channel not in INSPECTION_CHANNELS:
        return None
    if decision.channel not in INSPECTION_CHANNELS:
        return "reroute"
    # Which source put a red or yellow measure on it: a profile wins over a draw (a
    # profile-selected blue audit and a random yellow check is a random inspection).
    inspecting = [m for m in decision.measures if m.get("channel") in INSPECTION_CHANNELS]
    by_profile = any(
        source.get("kind") == "profile" for m in inspecting for source in m.get("sources", [])
    )
    return "profile" if by_profile else "random"


# --------------------------------------------------------------------------- recording


def record(
    *,
    uow: UnitOfWork,
    act_in: InspectionActCreate,
    inspector: str,
    recorded_by: str,
    source: str = "api",
    scope: frozenset[str] | None = None,
) -> InspectionActRead:
    """Record the first act of a declaration version and journal it (no commit).

    ``scope``: the offices the caller may see (None: all). Raises Conflict when the
    version already has an act, otherwise InvalidInput naming every offending field.
    """
    problems = findings_problems(act_in)
    declaration = _declaration(
        uow, act_in.declaration_number, act_in.declaration_version, scope, problems
    )
    # Before the rest of the checks: whatever this act says, the version has one already.
    existing = repository.current_act(uow.session, declaration.id)
    if existing is not None:
        raise Conflict(
            N_(
                "declaration %(number)s version %(version)s already has inspection act "
                "%(act)s; send a correction of it instead",
                number=declaration.number,
                version=declaration.version,
                act=existing.id,
            )
        )
    decision = _decision(uow, declaration)
    basis = _check_against_decision(uow, act_in, declaration, decision, problems)
    if problems:
        raise InvalidInput(N_("the inspection act is invalid"), problems)
    row = _new_row(
        act_in,
        declaration=declaration,
        basis=basis,
        act_version=1,
        inspector=inspector,
        recorded_by=recorded_by,
        source=source,
        correction_reason=None,
        recorded_at=uow.now,
    )
    read = _store(uow, row, declaration)
    journal_service.record(
        uow.session,
        actor=recorded_by,
        action="inspection.record",
        object_type="inspection_act",
        object_id=_object_id(read),
        after=_state(read),
        at=row.recorded_at,
    )
    return read


def check(
    *,
    uow: UnitOfWork,
    act_in: InspectionActCreate,
    scope: frozenset[str] | None = None,
    correcting: bool = False,
) -> list[FieldError]:
    """Every problem :func:`record` (or, ``correcting``, :func:`correct`) would report for
    ``act_in``, recording nothing: the web form checks as the inspector fills it in. A
    first act on a version that has one already is reported on ``declaration_number``."""
    problems = findings_problems(act_in)
    try:
        declaration = _declaration(
            uow, act_in.declaration_number, act_in.declaration_version, scope, problems
        )
    except InvalidInput as exc:
        return list(exc.errors)
    existing = None if correcting else repository.current_act(uow.session, declaration.id)
    if existing is not None:
        message = N_(
            "declaration %(number)s version %(version)s already has inspection act %(act)s",
            number=declaration.number,
            version=declaration.version,
            act=existing.id,
        )
        return [*problems, FieldError(("declaration_number",), message)]
    _check_against_decision(uow, act_in, declaration, _decision(uow, declaration), problems)
    return problems


def correct(
    *,
    uow: UnitOfWork,
    act_id: int,
    correction: InspectionActCorrection,
    recorded_by: str,
    source: str = "api",
    scope: frozenset[str] | None = None,
) -> InspectionActRead:
    """Record the next version of an act with its reason; the replaced version stays,
    marked not current. Journalled with the replaced version as ``before`` (no commit).

    The inspector stays the one who inspected; ``recorded_by`` is who corrected.
    Raises NotFound (also for an act outside ``scope``), Conflict when ``act_id`` is
    not the current version, InvalidInput naming every offending field.
    """
    stored = _act_or_raise(uow, act_id, scope)
    previous = stored.row
    if not previous.current:
        current = repository.current_act(uow.session, previous.declaration_id)
        raise Conflict(
            N_(
                "inspection act %(act)s was replaced by a correction; correct the current version",
                act=act_id,
            )
            if current is None
            else N_(
                "inspection act %(act)s was replaced by a correction; "
                "correct the current version (act %(current)s)",
                act=act_id,
                current=current.id,
            )
        )
    problems = findings_problems(correction)
    declaration = _declaration(
        uow, stored.declaration_number, stored.declaration_version, None, problems
    )
    decision = _decision(uow, declaration)
    basis = _check_against_decision(uow, correction, declaration, decision, problems)
    if problems:
        raise InvalidInput(N_("the correction is invalid"), problems)
    before = _read(stored)
    repository.supersede(uow.session, previous)
    row = _new_row(
        correction,
        declaration=declaration,
        basis=basis,
        act_version=previous.act_version + 1,
        inspector=previous.inspector,
        recorded_by=recorded_by,
        source=source,
        correction_reason=correction.correction_reason,
        recorded_at=uow.now,
    )
    read = _store(uow, row, declaration)
    journal_service.record(
        uow.session,
        actor=recorded_by,
        action="inspection.correct",
        object_type="inspection_act",
        object_id=_object_id(read),
        before=_state(before),
        after=_state(read),
        at=row.recorded_at,
    )
    return read


def recorded_identically(
    *,
    uow: UnitOfWork,
    act_in: InspectionActCreate,
    inspector: str,
    scope: frozenset[str] | None = None,
) -> bool:
    """Whether the current act of the declaration version says exactly what ``act_in``
    says (a file imported twice: the second time is no conflict)."""
    try:
        declaration = declarations_service.get(
            uow=uow,
            number=act_in.declaration_number,
            version=act_in.declaration_version,
            scope=scope,
        )
    except NotFound:
        return False
    existing = repository.current_act(uow.session, declaration.id)
    if existing is None:
        return False
    given_basis = act_in.selection_basis
    return (
        existing.inspector == inspector
        and (given_basis is None or existing.selection_basis == given_basis)
        and existing.measures == _measures_json(act_in)
        and existing.outcome == act_in.outcome
        and existing.discrepancy_types == list(act_in.discrepancy_types)
        and existing.additional_duties == act_in.additional_duties
        and existing.seizure == act_in.seizure
        and existing.offence_case == act_in.offence_case
        and existing.minutes_spent == act_in.minutes_spent
        and existing.notes == act_in.notes
        and existing.inspected_at == act_in.inspected_at
    )


def _declaration(
    uow: UnitOfWork,
    number: str,
    version: int | None,
    scope: frozenset[str] | None,
    problems: list[FieldError],
) -> DeclarationRead:
    """The declaration version the act is about; InvalidInput (with ``problems``) if none."""
    try:
        return declarations_service.get(uow=uow, number=number, version=version, scope=scope)
    except NotFound:
        pass
    if version is not None:
        try:
            declarations_service.get(uow=uow, number=number, version=None, scope=scope)
        except NotFound:
            pass
        else:
            message = N_(
                "declaration %(number)s has no version %(version)s", number=number, version=version
            )
            raise InvalidInput(
                N_("the inspection act is invalid"),
                [*problems, FieldError(("declaration_version",), message)],
            ) from None
    message = (
        N_("declaration %(number)s is not stored", number=number)
        if scope is None
        else N_("declaration %(number)s is not stored in the offices of the caller", number=number)
    )
    raise InvalidInput(
        N_("the inspection act is invalid"),
        [*problems, FieldError(("declaration_number",), message)],
    )


def _decision(uow: UnitOfWork, declaration: DeclarationRead) -> DecisionRead | None:
    """The decision of the declaration version; None when it was never assessed (imports)."""
    try:
        return selectivity_service.get_decision(
            uow=uow, number=declaration.number, version=declaration.version
        )
    except NotFound:
        return None


def _check_against_decision(
    uow: UnitOfWork,
    findings: InspectionFindings,
    declaration: DeclarationRead,
    decision: DecisionRead | None,
    problems: list[FieldError],
) -> SelectionBasis:
    """Add what the act contradicts in the declaration and its decision to ``problems``;
    return the act's selection basis."""
    derived = selection_basis_of(decision)
    channel = (
        N_("not assessed")
        if decision is None
        else N_("channel %(channel)s", channel=Message(decision.current_channel))
    )
    if derived is None and findings.selection_basis is None:
        problems.append(
            FieldError(
                ("selection_basis",),
                N_(
                    "declaration %(number)s was not selected for inspection (%(channel)s); "
                    "an act on it must say discretionary",
                    number=declaration.number,
                    channel=channel,
                ),
            )
        )
    if derived is not None and findings.selection_basis is not None:
        problems.append(
            FieldError(
                ("selection_basis",),
                N_(
                    "declaration %(number)s was selected for inspection (%(channel)s); "
                    "leave selection_basis out: it is derived from the decision",
                    number=declaration.number,
                    channel=channel,
                ),
            )
        )
    if findings.inspected_at < declaration.registered_at:
        problems.append(
            FieldError(
                ("inspected_at",),
                N_(
                    "before the registration of the declaration (%(registered)s)",
                    registered=declaration.registered_at.isoformat(),
                ),
            )
        )
    catalogue = {measure.code for measure in profiles_service.list_measures(uow=uow)}
    for index, measure in enumerate(findings.measures):
        if measure.code not in catalogue:
            problems.append(
                FieldError(
                    ("measures", index, "code"),
                    N_("measure %(code)s is not in the catalogue", code=measure.code),
                )
            )
    basis: SelectionBasis = derived or "discretionary"
    if basis in ("profile", "random") and decision is not None:
        decided = [str(m["code"]) for m in decision.measures]
        given = {measure.code for measure in findings.measures}
        missing = [code for code in decided if code not in given]
        if missing:
            problems.append(
                FieldError(
                    ("measures",),
                    N_(
                        "the decision's measures %(codes)s are missing: "
                        "record each measure of the decision, applied or not",
                        codes=", ".join(missing),
                    ),
                )
            )
        if not decision.reroutes:
            problems += [
                FieldError(
                    ("measures", index, "code"),
                    N_("measure %(code)s is not a measure of the decision", code=measure.code),
                )
                for index, measure in enumerate(findings.measures)
                if measure.code not in decided and measure.code in catalogue
            ]
    return basis


def _measures_json(findings: InspectionFindings) -> list[dict[str, Any]]:
    return [
        {"code": m.code, "status": m.status, "reason_code": m.reason_code}
        for m in findings.measures
    ]


def _new_row(
    findings: InspectionFindings,
    *,
    declaration: DeclarationRead,
    basis: SelectionBasis,
    act_version: int,
    inspector: str,
    recorded_by: str,
    source: str,
    correction_reason: str | None,
    recorded_at: datetime,
) -> InspectionActRow:
    return InspectionActRow(
        declaration_id=declaration.id,
        act_version=act_version,
        current=True,
        office=declaration.office,
        selection_basis=basis,
        measures=_measures_json(findings),
        outcome=findings.outcome,
        discrepancy_types=list(findings.discrepancy_types),
        additional_duties=findings.additional_duties,
        seizure=findings.seizure,
        offence_case=findings.offence_case,
        minutes_spent=findings.minutes_spent,
        notes=findings.notes,
        inspector=inspector,
        inspected_at=findings.inspected_at,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        correction_reason=correction_reason,
        source=source,
    )


def _store(
    uow: UnitOfWork, row: InspectionActRow, declaration: DeclarationRead
) -> InspectionActRead:
    try:
        repository.add(uow.session, row)
    except IntegrityError:
        # Another request recorded this act version between our check and our insert
        # (the unique key is declaration and act version); the caller's unit of work
        # rolls back.
        raise Conflict(
            N_(
                "an inspection act for declaration %(number)s version %(version)s was "
                "recorded at the same time; read it and correct it",
                number=declaration.number,
                version=declaration.version,
            )
        ) from None
    return _read(StoredAct(row, declaration.number, declaration.version))


def _object_id(act: InspectionActRead) -> str:
    return f"{act.declaration_number}/{act.declaration_version}#{act.act_version}"


def _state(act: InspectionActRead) -> dict[str, Any]:
    return act.model_dump(mode="json")


# --------------------------------------------------------------------------- reading


def _act_or_raise(uow: UnitOfWork, act_id: int, scope: frozenset[str] | None) -> StoredAct:
    stored = repository.act(uow.session, act_id)
    if stored is None or (scope is not None and stored.row.office not in scope):
        raise NotFound(N_("inspection act %(act)s does not exist", act=act_id))
    return stored


def _read(stored: StoredAct) -> InspectionActRead:
    row = stored.row
    return InspectionActRead(
        id=row.id,
        declaration_number=stored.declaration_number,
        declaration_version=stored.declaration_version,
        act_version=row.act_version,
        current=row.current,
        office=row.office,
        selection_basis=row.selection_basis,
        measures=[MeasureResultRead.model_validate(m) for m in row.measures],
        outcome=row.outcome,
        discrepancy_types=list(row.discrepancy_types),
        additional_duties=row.additional_duties,
        seizure=row.seizure,
        offence_case=row.offence_case,
        minutes_spent=row.minutes_spent,
        notes=row.notes,
        inspector=row.inspector,
        inspected_at=row.inspected_at,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        correction_reason=row.correction_reason,
        source=row.source,
    )


def get_act(
    *, uow: UnitOfWork, act_id: int, scope: frozenset[str] | None = None
) -> InspectionActRead:
    """One act version. Raises NotFound, also for an act of an office outside ``scope``."""
    return _read(_act_or_raise(uow, act_id, scope))


def current_act_of(*, uow: UnitOfWork, declaration_id: int) -> InspectionActRead | None:
    """The current act of a declaration version the caller has read (None: no act yet)."""
    row = repository.current_act(uow.session, declaration_id)
    if row is None:
        return None
    stored = repository.act(uow.session, row.id)
    return None if stored is None else _read(stored)


def list_acts(
    *, uow: UnitOfWork, filters: ActFilters, cursor: str | None, limit: int
) -> InspectionActPage:
    """A page of acts, newest first. Raises InvalidInput for a malformed cursor or limit."""
    _check_limit(limit)
    before_id = id_cursor(cursor)
    rows = repository.acts_page(uow.session, filters, before_id=before_id, limit=limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    return InspectionActPage(
        items=[_read(stored) for stored in rows],
        next_cursor=str(rows[-1].row.id) if has_more and rows else None,
    )


def queue(
    *,
    uow: UnitOfWork,
    scope: frozenset[str] | None,
    cursor: str | None,
    limit: int,
    registered_from: datetime | None = None,
) -> QueuePage:
    """Declarations of ``scope`` waiting for their act: the latest version of each, in
    red or yellow after re-routes, without an act; oldest registration first, from
    ``registered_from`` (inclusive) when given.

    Shows the measures and the officer instructions, never the hits' reasons nor
    whether a selection was random. Raises InvalidInput for a malformed cursor or limit.
    """
    _check_limit(limit)
    after = None
    if cursor is not None:
        matched = _QUEUE_CURSOR.fullmatch(cursor)
        if matched is None or int(matched.group(2)) >= 2**63:
            raise InvalidInput(N_("invalid cursor"), [_NOT_A_CURSOR])
        micros, declaration_id = int(matched.group(1)), int(matched.group(2))
        try:
            registered_at = _EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            raise InvalidInput(N_("invalid cursor"), [_NOT_A_CURSOR]) from None
        after = (registered_at, declaration_id)
    rows = repository.queue_page(
        uow.session, scope=scope, after=after, limit=limit + 1, registered_from=registered_from
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [
        QueueEntry(
            declaration_number=row.number,
            declaration_version=row.version,
            office=row.office,
            registered_at=row.registered_at,
            channel=row.channel,
            rerouted=row.rerouted,
            measures=[
                QueueMeasure(
                    code=m["code"],
                    name=m.get("name", m["code"]),
                    channel=m.get("channel", ""),
                    mandatory=bool(m.get("mandatory", True)),
                )
                for m in row.detail.get("measures", [])
            ],
            instructions=_instructions(row.detail.get("hits", [])),
        )
        for row in rows
    ]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        micros = (last.registered_at - _EPOCH) // timedelta(microseconds=1)
        next_cursor = f"{micros}-{last.declaration_id}"
    return QueuePage(items=items, next_cursor=next_cursor)


def _instructions(hits: list[dict[str, Any]]) -> list[str]:
    """The officer instructions of the selecting profiles, each once, in hit order."""
    found = [hit.get("officer_instructions", "") for hit in hits if hit.get("selected")]
    return list(dict.fromkeys(text for text in found if text))


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            N_("invalid page size"),
            [FieldError(("limit",), N_("must be between 1 and %(most)s", most=MAX_PAGE))],
        )


def shown_to(act: InspectionActRead, principal: Principal) -> InspectionActRead:
    """The act as ``principal`` may see it: profile and random read ``selected`` for
    callers not cleared for a decision's reasons (the control group stays blind)."""
    if act.selection_basis in ("profile", "random") and not principal.can(Action.DECISIONS_REASONS):
        return act.model_copy(update={"selection_basis": SELECTED})
    return act
