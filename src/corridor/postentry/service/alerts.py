"""Alerts to the posts (raised, withdrawn, matched against declarations, acknowledged by
the units) and requests to the risk unit to draft a profile (object types ``alert``
and ``profile_request``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Literal

from sqlalchemy.exc import IntegrityError

from corridor import rules
from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action, Principal
from corridor.config import customs_day
from corridor.db.tables import AlertReceiptRow, AlertRow, ProfileRequestRow
from corridor.db.uow import UnitOfWork
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import DeclarationRead, declared_attributes
from corridor.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from corridor.postentry import repository
from corridor.postentry.schemas import (
    REQUEST_MOVES,
    AlertCreate,
    AlertRead,
    AlertWithdraw,
    InboxAlert,
    ProfileRequestCreate,
    ProfileRequestHandle,
    ProfileRequestRead,
    RequestMove,
    alert_problems,
)
from corridor.postentry.service._common import MAX_LIST, journal
from corridor.profiles import service as profiles_service

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
    on = on or customs_day(uow.now)
    problems = alert_problems(alert_in)
    offices: set[str] = set()
    every_office = False
    for index, code in enumerate(alert_in.units):
        try:
            below = accounts_service.offices_under(uow=uow, unit_code=code)
        except NotFound:
            problems.append(
                FieldError(("units", index), N_("unit %(unit)s does not exist", unit=code))
            )
            continue
        if below is None:
            every_office = True
        else:
            offices |= below
    known = _known_offices(uow)
    for index, code in enumerate(alert_in.offices):
        if code not in known:
            problems.append(
                FieldError(("offices", index), N_("no post covers office %(office)s", office=code))
            )
    offices |= set(alert_in.offices)
    if alert_in.valid_to < on:
        problems.append(
            FieldError(("valid_to",), N_("is before today (%(today)s)", today=on.isoformat()))
        )
    if alert_in.case_id is not None and repository.case(uow.session, alert_in.case_id) is None:
        problems.append(
            FieldError(
                ("case_id",),
                N_("audit case %(case)s does not exist", case=alert_in.case_id),
            )
        )
    if problems:
        raise InvalidInput(N_("the alert is invalid"), problems)
    now = uow.now
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
    read = alert_read(row, on)
    journal(
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
    on = on or customs_day(uow.now)
    row = _alert_or_raise(uow, alert_id, lock=True)
    shown = _alert_status(row, on)
    if shown != "active":
        raise Conflict(N_("alert %(alert)s is %(status)s already", alert=row.id, status=shown))
    now = uow.now
    row.status, row.withdrawn_by, row.withdrawn_at = "withdrawn", actor, now
    row.withdrawal_note = withdraw_in.note
    repository.flush(uow.session)
    journal(
        uow,
        actor,
        "alert.withdraw",
        "alert",
        row.id,
        {"status": "active"},
        {"status": "withdrawn", "note": withdraw_in.note},
        now,
    )
    return alert_read(row, on)


def _alert_or_raise(uow: UnitOfWork, alert_id: int, *, lock: bool = False) -> AlertRow:
    row = repository.alert(uow.session, alert_id, lock=lock)
    if row is None:
        raise NotFound(N_("alert %(alert)s does not exist", alert=alert_id))
    return row


def get_alert(*, uow: UnitOfWork, alert_id: int, on: date | None = None) -> AlertRead:
    """One alert."""
    return alert_read(_alert_or_raise(uow, alert_id), on or customs_day(uow.now))


def list_alerts(
    *, uow: UnitOfWork, current: bool = False, on: date | None = None
) -> list[AlertRead]:
    """Alerts, the latest raised first; ``current``: only those active and not past."""
    on = on or customs_day(uow.now)
    return [
        alert_read(row, on)
        for row in repository.alerts(uow.session, active_on=on if current else None)
    ]


def _alert_status(row: AlertRow, on: date) -> Literal["active", "withdrawn", "expired"]:
    if row.status == "withdrawn":
        return "withdrawn"
    return "expired" if row.valid_to < on else "active"


def alert_read(row: AlertRow, on: date) -> AlertRead:
    """An alert as read on ``on`` (its status: active, withdrawn or expired)."""
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
    on = on or customs_day(uow.now)
    goods = [(item.hs_code, item.origin) for item in declaration.items]
    return [
        alert_read(row, on)
        for row in repository.alerts_in_force(uow.session, on)
        if matches(row, office=declaration.office, importer=declaration.importer, goods=goods)
    ]


def alerts_for_each(
    *, uow: UnitOfWork, keys: Collection[tuple[str, int]], on: date | None = None
) -> dict[tuple[str, int], list[AlertRead]]:
    """The alerts in force that apply to each declaration version (number, version) of
    ``keys`` (a page of the inspection queue at once); versions with none are left out."""
    on = on or customs_day(uow.now)
    in_force = repository.alerts_in_force(uow.session, on)
    if not in_force or not keys:
        return {}
    found: dict[tuple[str, int], list[AlertRead]] = {}
    for key, (office, importer, goods) in repository.declaration_goods(uow.session, keys).items():
        applying = [
            alert_read(row, on)
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
    on = on or customs_day(uow.now)
    row = _alert_or_raise(uow, alert_id)
    offices = accounts_service.offices_under(uow=uow, unit_code=unit)
    if not addressed(row, offices):
        raise NotFound(
            N_("alert %(alert)s is not addressed to unit %(unit)s", alert=alert_id, unit=unit)
        )
    existing = repository.receipt(uow.session, row.id, unit)
    if existing is not None:
        raise Conflict(
            N_(
                "alert %(alert)s was acknowledged for %(unit)s by %(user)s already",
                alert=row.id,
                unit=unit,
                user=existing.acknowledged_by,
            )
        )
    now = uow.now
    receipt = AlertReceiptRow(
        alert_id=row.id, unit=unit, acknowledged_by=actor, acknowledged_at=now
    )
    try:
        repository.add(uow.session, receipt)
    except IntegrityError:
        raise Conflict(
            N_(
                "alert %(alert)s was acknowledged for %(unit)s at the same time",
                alert=row.id,
                unit=unit,
            )
        ) from None
    journal(uow, actor, "alert.acknowledge", "alert", row.id, None, {"unit": unit}, now)
    return InboxAlert(
        **alert_read(row, on).model_dump(),
        acknowledged_by=receipt.acknowledged_by,
        acknowledged_at=receipt.acknowledged_at,
    )


def addressed(row: AlertRow, offices: frozenset[str] | None) -> bool:
    """Whether an alert is addressed to a unit whose offices are ``offices`` (None: all)."""
    return offices is None or row.all_offices or not offices.isdisjoint(row.offices)


# =========================================================================== requests

#: The roles that may work a request to draft a profile (those who draft or decide them).
_REQUEST_HANDLERS = (Action.PROFILES_WRITE, Action.PROFILES_DECIDE)
_REQUEST_VERBS = {"accepted": "accept", "done": "settle", "rejected": "reject"}


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
        problems.append(FieldError(("unit",), N_("there is no head office: name the unit")))
    else:
        try:
            accounts_service.offices_under(uow=uow, unit_code=addressee)
        except NotFound:
            problems.append(
                FieldError(("unit",), N_("unit %(unit)s does not exist", unit=addressee))
            )
    if request_in.proposed_criteria is not None:
        problem = _criteria_problem(uow, request_in.proposed_criteria)
        if problem is not None:
            problems.append(FieldError(("proposed_criteria",), problem))
    if request_in.case_id is not None and repository.case(uow.session, request_in.case_id) is None:
        problems.append(
            FieldError(
                ("case_id",),
                N_("audit case %(case)s does not exist", case=request_in.case_id),
            )
        )
    if problems or addressee is None:
        raise InvalidInput(N_("the request is invalid"), problems)
    now = uow.now
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
    journal(
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
        raise NotFound(N_("request %(request)s does not exist", request=request_id))
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
        raise NotFound(
            N_(
                "request %(request)s is not addressed to unit %(unit)s",
                request=request_id,
                unit=principal.unit,
            )
        )
    if not any(principal.can(action) for action in _REQUEST_HANDLERS):
        raise PermissionDenied(N_("requests to draft a profile are handled by the risk analysts"))
    if to not in REQUEST_MOVES[row.status]:
        raise Conflict(
            N_(
                "request %(request)s is %(status)s: it cannot become %(to)s",
                request=row.id,
                status=row.status,
                to=to,
            )
        )
    if handle_in.profile_code is not None and to != "done":
        raise InvalidInput(
            N_("invalid answer"),
            [FieldError(("profile_code",), N_("name the profile drafted when settling as done"))],
        )
    before, now = row.status, uow.now
    row.status, row.handled_by, row.handled_at = to, principal.username, now
    if handle_in.response:
        row.response = handle_in.response
    if handle_in.profile_code is not None:
        row.profile_code = handle_in.profile_code
    repository.flush(uow.session)
    journal(
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
