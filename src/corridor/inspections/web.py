"""Web pages of inspections: the inspector's queue, the inspection act form (checked as
it is filled in), an act with its versions, and the correction of an act.

The pages call the use cases the API calls, with the caller's offices: the queue
of ``GET /api/v1/inspection-queue``, :func:`corridor.inspections.service.record`
and ``correct`` of the act routes. Nothing on these pages tells a profile's
selection from a random one, nor shows a hit's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from corridor.accounts.roles import Action
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import DeclarationRead
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.inspections import service
from corridor.inspections.repository import ActFilters
from corridor.inspections.schemas import (
    INSPECTION_CHANNELS,
    MEASURE_REASONS,
    InspectionActCorrection,
    InspectionActCreate,
    InspectionActRead,
    findings_problems,
)
from corridor.postentry import service as postentry_service
from corridor.profiles import service as profiles_service
from corridor.reference.codes import DISCREPANCY_TYPES
from corridor.selectivity import service as selectivity_service
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.labels import OUTCOME_NAMES, TYPE_NAMES, declaration_url
from corridor.web.pages import (
    FormErrors,
    Page,
    change,
    page,
    redirect,
    render,
    render_panel,
    translated,
    writing,
)
from corridor.web.state import app_state

router = APIRouter(include_in_schema=False)
Recorder = Annotated[Page, Depends(page(Action.INSPECTIONS_RECORD))]
RecorderChange = Annotated[Page, Depends(change(Action.INSPECTIONS_RECORD))]
RecorderWrite = Annotated[Page, writing(Action.INSPECTIONS_RECORD)]
# The action of GET /api/v1/inspection-acts/{act_id}: whoever reads declarations.
Reader = Annotated[Page, Depends(page(Action.DECLARATIONS_READ))]
# Declaration numbers are at most 40 characters; anything longer is simply not stored.
Number = Annotated[str, Path(min_length=1, max_length=80)]
ActId = Annotated[int, Path(ge=1, le=2**63 - 1)]

#: Declarations on a page of the queue.
PAGE_SIZE = 50
#: Where an act came from, as the act records it (the API's are "api", files' "import").
SOURCE = "web"
#: Rows for measures beyond the decision's, where the act may name any catalogue measure.
EXTRA_MEASURES = 2

STATUS_NAMES = {
    "applied": N_("applied"),
    "partly_applied": N_("partly applied"),
    "not_applied": N_("not applied"),
}
#: The reason codes of measures not (fully) applied, in words (``schemas.MEASURE_REASONS``).
REASON_NAMES = {
    "GOODS-UNAVAILABLE": N_("the goods were not presented or could not be reached"),
    "DOCS-SUFFICIENT": N_("the documents presented answered the risk; the measure was not needed"),
    "SUPERVISOR-WAIVED": N_("waived by the head of the post or a superior, in writing"),
    "EQUIPMENT-UNAVAILABLE": N_("scanner, scales or laboratory equipment not available"),
    "TIME-LIMIT": N_("the legal time limit for release did not allow it"),
    "SAFETY-RISK": N_("safety rules did not allow it (hazardous goods, weather, site)"),
}
#: The discrepancy types in words (``reference.codes.DISCREPANCY_TYPES``).
BASIS_NAMES = {
    "profile": N_("risk profile"),
    "random": N_("random control"),
    "reroute": N_("re-route by an officer"),
    "discretionary": N_("officer's discretion"),
    "selected": N_("selected by the risk management system"),
}
#: Field labels, for the list of problems above the form.
FIELD_LABELS = {
    "declaration_number": N_("Declaration"),
    "declaration_version": N_("Declaration version"),
    "selection_basis": N_("Selection basis"),
    "measures": N_("Measures"),
    "outcome": N_("Outcome"),
    "discrepancy_types": N_("Discrepancy types"),
    "additional_duties": N_("Additional duties, KGS"),
    "seizure": N_("Goods seized"),
    "offence_case": N_("Offence case number"),
    "minutes_spent": N_("Minutes spent"),
    "notes": N_("Notes"),
    "inspected_at": N_("Inspected at"),
    "correction_reason": N_("Reason for the correction"),
}


@dataclass(slots=True)
class MeasureRow:
    """One row of the form's measures: a decision's measure (fixed) or a free one."""

    code: str
    name: str
    channel: str
    fixed: bool
    status: str = "applied"
    reason_code: str = ""


@dataclass(slots=True)
class ActForm:
    """What the act form sent, as text (shown again when refused)."""

    declaration_number: str = ""
    declaration_version: str = ""
    selection_basis: str = ""
    measure_code: list[str] = field(default_factory=list)
    measure_status: list[str] = field(default_factory=list)
    measure_reason: list[str] = field(default_factory=list)
    outcome: str = ""
    discrepancy_types: list[str] = field(default_factory=list)
    additional_duties: str = "0"
    seizure: bool = False
    offence_case: str = ""
    minutes_spent: str = ""
    notes: str = ""
    inspected_at: str = ""
    correction_reason: str = ""


class ActFields(BaseModel):
    """The act form as posted (the measures' rows as repeated fields); the act's schema
    reads it, the lengths only keep what cannot be a value out."""

    declaration_number: Annotated[str, Field(max_length=80)] = ""
    declaration_version: Annotated[str, Field(max_length=10)] = ""
    selection_basis: Annotated[str, Field(max_length=40)] = ""
    measure_code: list[str] = []
    measure_status: list[str] = []
    measure_reason: list[str] = []
    outcome: Annotated[str, Field(max_length=40)] = ""
    discrepancy_types: list[str] = []
    additional_duties: Annotated[str, Field(max_length=40)] = ""
    seizure: Annotated[str, Field(max_length=10)] = ""
    offence_case: str = ""
    minutes_spent: Annotated[str, Field(max_length=20)] = ""
    notes: str = ""
    inspected_at: Annotated[str, Field(max_length=40)] = ""
    correction_reason: str = ""


def act_form(fields: Annotated[ActFields, Form()]) -> ActForm:
    """The act form's fields (a dependency shared by recording, checking and correcting)."""
    return ActForm(
        declaration_number=fields.declaration_number.strip(),
        declaration_version=fields.declaration_version.strip(),
        selection_basis=fields.selection_basis.strip(),
        measure_code=list(fields.measure_code),
        measure_status=list(fields.measure_status),
        measure_reason=list(fields.measure_reason),
        outcome=fields.outcome.strip(),
        discrepancy_types=list(fields.discrepancy_types),
        additional_duties=fields.additional_duties.strip(),
        seizure=fields.seizure == "true",
        offence_case=fields.offence_case.strip(),
        minutes_spent=fields.minutes_spent.strip(),
        notes=fields.notes,
        inspected_at=fields.inspected_at.strip(),
        correction_reason=fields.correction_reason,
    )


Fields = Annotated[ActForm, Depends(act_form)]
#: Fields a form being filled in may leave empty for now (not reported until saving).
_LATER = ("outcome", "minutes_spent", "inspected_at", "correction_reason")


# --------------------------------------------------------------------------- the queue


@router.get("/queue", response_class=HTMLResponse)
def inspection_queue(
    me: Recorder, cursor: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    """Declarations of the inspector's offices waiting for an act, oldest registration
    first, with their measures and officer instructions (never the reasons)."""
    found = service.queue(uow=me.uow, scope=me.principal.offices, cursor=cursor, limit=PAGE_SIZE)
    alerts = postentry_service.alerts_for_each(
        uow=me.uow, keys=[(e.declaration_number, e.declaration_version) for e in found.items]
    )
    return render(me.request, "inspections/queue.html", page=me, found=found, alerts=alerts)


# --------------------------------------------------------------------------- recording


@router.get("/acts/new", response_class=HTMLResponse)
def new_act(me: Recorder, declaration: Annotated[str, Query(max_length=80)] = "") -> Response:
    """The inspection act form for the latest version of a declaration of the user's
    offices (a notice with a link when it has its act already); without a declaration,
    a field to name one (an inspection the queue does not list: the officer's own)."""
    if not declaration.strip():
        return render(me.request, "inspections/act_pick.html", page=me)
    found = declarations_service.get(
        uow=me.uow, number=declaration.strip(), version=None, scope=me.principal.offices
    )
    existing = service.current_act_of(uow=me.uow, declaration_id=found.id)
    values = ActForm(
        declaration_number=found.number,
        declaration_version=str(found.version),
        inspected_at=_now_local(me),
    )
    return _form(me, found, values, FormErrors(), existing=existing)


@router.post("/acts/validate", response_class=HTMLResponse)
def check_act(
    me: RecorderChange, form: Fields, act_id: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None
) -> Response:
    """The problems the act (or the correction of act ``act_id``) would be refused for,
    as the form is filled in: nothing is stored. Fields still empty are not reported yet
    (the inspector has not reached them)."""
    rows = _row_numbers(form)
    try:
        payload = _payload(me, form, rows, lenient=True, correction=act_id is not None)
        errors = _problems(me, payload, rows, act_id)
    except _FormInvalid as exc:
        errors = exc.errors
    blank = {name for name in _LATER if not getattr(form, name)}
    shown = FormErrors({k: v for k, v in errors.items() if k not in blank})
    return render(
        me.request,
        "inspections/_act_errors.html",
        page=me,
        status_code=422 if shown else 200,
        problems=_problem_list(shown),
        checked=True,
    )


@router.post("/acts", response_class=HTMLResponse)
def record_act(me: RecorderWrite, form: Fields) -> Response:
    """Record the act with the use case of ``POST /api/v1/inspection-acts``; the signed-in
    inspector signs it. The form again with each field's message when refused."""
    rows = _row_numbers(form)
    status_code = 422
    try:
        payload = _payload(me, form, rows)
        act_in = InspectionActCreate.model_validate(payload)
        act = service.record(
            uow=me.uow,
            act_in=act_in,
            inspector=me.principal.username,
            recorded_by=me.principal.username,
            source=SOURCE,
            scope=me.principal.offices,
        )
    except _FormInvalid as exc:
        errors = exc.errors
    except ValidationError as exc:
        errors = _schema_errors(exc, payload, rows)
    except InvalidInput as exc:
        errors = _renamed(translated(FormErrors.of(exc.errors)), rows)
    except Conflict as exc:
        errors, status_code = FormErrors({"__all__": exc.detail}), 409
    else:
        return redirect(me.request, f"/acts/{act.id}")
    me.uow.rollback()
    declaration = _declaration_of_form(me, form)
    return _form(me, declaration, form, errors, status_code=status_code)


# --------------------------------------------------------------------------- reading


@router.get("/acts/{act_id}", response_class=HTMLResponse)
def read_act(me: Reader, act_id: ActId) -> Response:
    """One act version with every version of the act (corrections)."""
    act = service.shown_to(
        service.get_act(uow=me.uow, act_id=act_id, scope=me.principal.offices), me.principal
    )
    filters = ActFilters(
        declaration_number=act.declaration_number, all_versions=True, scope=me.principal.offices
    )
    listed = service.list_acts(uow=me.uow, filters=filters, cursor=None, limit=service.MAX_PAGE)
    versions = [
        service.shown_to(other, me.principal)
        for other in listed.items
        if other.declaration_version == act.declaration_version
    ]
    names = {measure.code: measure.name for measure in profiles_service.list_measures(uow=me.uow)}
    return render(
        me.request,
        "inspections/act.html",
        page=me,
        act=act,
        versions=versions,
        measure_names=names,
        status_names=STATUS_NAMES,
        reason_names=REASON_NAMES,
        type_names=TYPE_NAMES,
        basis_names=BASIS_NAMES,
        outcome_names=OUTCOME_NAMES,
        declaration_url=declaration_url,
        can_correct=me.can(Action.INSPECTIONS_RECORD) and act.current,
    )


# --------------------------------------------------------------------------- correcting


@router.get("/panels/act/{number:path}", response_class=HTMLResponse)
def act_panel(
    me: Reader,
    number: Number,
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> Response:
    """The inspections panel of a declaration's page: the current act of the version (the
    latest unless asked) as the user may see it, or the way to record one for inspectors."""
    declaration = declarations_service.get(
        uow=me.uow, number=number, version=version, scope=me.principal.offices
    )
    act = service.current_act_of(uow=me.uow, declaration_id=declaration.id)
    if act is not None:
        act = service.shown_to(act, me.principal)
    channel = selectivity_service.current_channels(
        uow=me.uow, declaration_ids=[declaration.id]
    ).get(declaration.id)
    can_record = (
        me.can(Action.INSPECTIONS_RECORD)
        and act is None
        and channel in INSPECTION_CHANNELS
        and declaration.version == max(declaration.versions)
    )
    return render_panel(
        me,
        "inspections/_act_panel.html",
        heading=_("Declaration %(number)s") % {"number": declaration.number},
        back=declaration_url(declaration.number, declaration.version),
        declaration=declaration,
        act=act,
        can_record=can_record,
        outcome_names=OUTCOME_NAMES,
    )


@router.get("/acts/{act_id}/correct", response_class=HTMLResponse)
def correction_form(me: Recorder, act_id: ActId) -> Response:
    """The form to correct the current version of an act, filled in with it."""
    act = service.get_act(uow=me.uow, act_id=act_id, scope=me.principal.offices)
    declaration = declarations_service.get(
        uow=me.uow,
        number=act.declaration_number,
        version=act.declaration_version,
        scope=me.principal.offices,
    )
    zone = _zone(me)
    values = ActForm(
        declaration_number=act.declaration_number,
        declaration_version=str(act.declaration_version),
        selection_basis="discretionary" if act.selection_basis == "discretionary" else "",
        measure_code=[m.code for m in act.measures],
        measure_status=[m.status for m in act.measures],
        measure_reason=[m.reason_code or "" for m in act.measures],
        outcome=act.outcome,
        discrepancy_types=list(act.discrepancy_types),
        additional_duties=format(act.additional_duties, "f"),
        seizure=act.seizure,
        offence_case=act.offence_case or "",
        minutes_spent=str(act.minutes_spent),
        notes=act.notes,
        inspected_at=act.inspected_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
    )
    return _form(me, declaration, values, FormErrors(), act=act)


@router.post("/acts/{act_id}/corrections", response_class=HTMLResponse)
def correct_act(me: RecorderWrite, act_id: ActId, form: Fields) -> Response:
    """Correct the act with the use case of the API's corrections: a new act version with
    its reason. 409 with the message for a version a correction replaced already."""
    act = service.get_act(uow=me.uow, act_id=act_id, scope=me.principal.offices)
    # The declaration is the act's, whatever the form says.
    form.declaration_number = act.declaration_number
    form.declaration_version = str(act.declaration_version)
    rows = _row_numbers(form)
    status_code = 422
    try:
        payload = _payload(me, form, rows, correction=True)
        correction = InspectionActCorrection.model_validate(payload)
        corrected = service.correct(
            uow=me.uow,
            act_id=act_id,
            correction=correction,
            recorded_by=me.principal.username,
            source=SOURCE,
            scope=me.principal.offices,
        )
    except _FormInvalid as exc:
        errors = exc.errors
    except ValidationError as exc:
        errors = _schema_errors(exc, payload, rows, correction=True)
    except InvalidInput as exc:
        errors = _renamed(translated(FormErrors.of(exc.errors)), rows)
    except Conflict as exc:
        errors, status_code = FormErrors({"__all__": exc.detail}), 409
    else:
        return redirect(me.request, f"/acts/{corrected.id}")
    me.uow.rollback()
    declaration = declarations_service.get(
        uow=me.uow,
        number=act.declaration_number,
        version=act.declaration_version,
        scope=me.principal.offices,
    )
    return _form(me, declaration, form, errors, status_code=status_code, act=act)


# --------------------------------------------------------------------------- the form


class _FormInvalid(Exception):
    """Form fields that cannot even be put into the act's schema (a time not a time)."""

    def __init__(self, errors: FormErrors) -> None:
        super().__init__("the act form is invalid")
        self.errors = errors


def _zone(me: Page) -> ZoneInfo:
    settings = app_state(me.request).settings
    return ZoneInfo(settings.timezone)


def _now_local(me: Page) -> str:
    """Now, as a ``datetime-local`` field shows it (the installation's time)."""
    return datetime.now(_zone(me)).strftime("%Y-%m-%dT%H:%M")


def _row_numbers(form: ActForm) -> list[int]:
    """The form rows of the measures the act names (rows left without a measure dropped),
    in order: the act's ``measures[i]`` is form row ``rows[i]``."""
    return [index for index, code in enumerate(form.measure_code) if code.strip()]


def _payload(
    me: Page,
    form: ActForm,
    rows: list[int],
    *,
    lenient: bool = False,
    correction: bool = False,
) -> dict[str, Any]:
    """The act as the schema takes it. ``lenient`` (checking while the form is filled in):
    fields not filled in yet get a neutral value, so that the rules across fields can be
    checked already."""
    payload: dict[str, Any] = {
        "measures": [
            {
                "code": form.measure_code[i].strip(),
                "status": _at(form.measure_status, i) or "applied",
                **({"reason_code": r} if (r := _at(form.measure_reason, i)) else {}),
            }
            for i in rows
        ],
        "discrepancy_types": list(form.discrepancy_types),
        "seizure": form.seizure,
        "notes": form.notes,
    }
    if correction:
        if form.correction_reason.strip():
            payload["correction_reason"] = form.correction_reason
        elif lenient:
            payload["correction_reason"] = "..."
    else:
        payload["declaration_number"] = form.declaration_number
        if form.declaration_version:
            payload["declaration_version"] = form.declaration_version
    if form.selection_basis:
        payload["selection_basis"] = form.selection_basis
    if form.outcome:
        payload["outcome"] = form.outcome
    if form.additional_duties:
        # A Russian keyboard writes 48 500,00.
        payload["additional_duties"] = (
            form.additional_duties.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        )
    if form.offence_case:
        payload["offence_case"] = form.offence_case
    if form.minutes_spent:
        payload["minutes_spent"] = form.minutes_spent
    elif lenient:
        payload["minutes_spent"] = 0
    if form.inspected_at:
        try:
            moment = datetime.fromisoformat(form.inspected_at)
        except ValueError:
            raise _FormInvalid(FormErrors({"inspected_at": _("Enter a date and time.")})) from None
        payload["inspected_at"] = moment if moment.tzinfo else moment.replace(tzinfo=_zone(me))
    elif lenient:
        payload["inspected_at"] = datetime.now(_zone(me))
    return payload


def _at(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _problems(me: Page, payload: dict[str, Any], rows: list[int], act_id: int | None) -> FormErrors:
    """Every problem recording (or correcting ``act_id``) would report, storing nothing."""
    try:
        if act_id is None:
            act_in = InspectionActCreate.model_validate(payload)
        else:
            correction = InspectionActCorrection.model_validate(payload)
            act = service.get_act(uow=me.uow, act_id=act_id, scope=me.principal.offices)
            act_in = InspectionActCreate.model_validate(
                {
                    **correction.model_dump(exclude={"correction_reason"}),
                    "declaration_number": act.declaration_number,
                    "declaration_version": act.declaration_version,
                }
            )
    except ValidationError as exc:
        return _schema_errors(exc, payload, rows, correction=act_id is not None)
    found = service.check(
        uow=me.uow, act_in=act_in, scope=me.principal.offices, correcting=act_id is not None
    )
    return _renamed(translated(FormErrors.of(found)), rows)


#: Valid stand-ins for fields the schema refused, so that the rules across fields can
#: still be checked (one pass shows every problem, not the field types first).
_STAND_INS: dict[str, Any] = {
    "declaration_number": "0",
    "measures": [{"code": "0", "status": "applied"}],
    "discrepancy_types": [],
    "additional_duties": "0",
    "seizure": False,
    "minutes_spent": 0,
    "notes": "",
    "correction_reason": "...",
}


def _schema_errors(
    exc: ValidationError, payload: dict[str, Any], rows: list[int], *, correction: bool = False
) -> FormErrors:
    """The schema's messages, and those of the rules across fields (``findings_problems``)
    on the other fields, with stand-ins for the refused ones."""
    errors = _renamed(translated(FormErrors.of_validation(exc)), rows)
    if any(e["type"] == "too_short" and e["loc"] == ("measures",) for e in exc.errors()):
        errors["measures"] = _("Name at least one form of control.")
    refused = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
    if "outcome" in refused:
        return errors  # the rules across fields all start from the outcome
    repaired = {name: value for name, value in payload.items() if name not in refused}
    repaired |= {name: _STAND_INS[name] for name in refused if name in _STAND_INS}
    repaired.setdefault("inspected_at", datetime.now(UTC))
    schema = InspectionActCorrection if correction else InspectionActCreate
    try:
        findings = schema.model_validate(repaired)
    except ValidationError:
        return errors
    others = [p for p in findings_problems(findings) if str(p.loc[0]) not in refused]
    for name, message in _renamed(translated(FormErrors.of(others)), rows).items():
        errors.setdefault(name, message)
    return errors


def _renamed(errors: FormErrors, rows: list[int]) -> FormErrors:
    """Errors named as the form names its fields: ``measures.<form row>.<field>``, one
    ``discrepancy_types`` for the checkboxes."""
    renamed = FormErrors()
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "measures" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            row = rows[index] if index < len(rows) else index
            name = ".".join(["measures", str(row), *parts[2:]])
        elif parts[0] == "discrepancy_types":
            name = "discrepancy_types"
        renamed.setdefault(name, message)
    return renamed


def _problem_list(errors: FormErrors) -> list[tuple[str, str, str]]:
    """(field id, label, message) of each problem, for the list above the form."""
    problems = []
    for name, message in errors.items():
        parts = name.split(".")
        if name == "__all__":
            problems.append(("", "", message))
        elif parts[0] == "measures" and len(parts) > 1 and parts[1].isdigit():
            label = _("Measures, row %(row)s") % {"row": int(parts[1]) + 1}
            target = name if len(parts) == 3 else "measures"
            problems.append((f"f-{target}", label, message))
        else:
            label = _(FIELD_LABELS.get(parts[0], parts[0]))
            problems.append((f"f-{parts[0]}", label, message))
    return problems


def _declaration_of_form(me: Page, form: ActForm) -> DeclarationRead:
    """The declaration the form is about (404 outside the user's offices)."""
    version = int(form.declaration_version) if form.declaration_version.isdigit() else None
    try:
        return declarations_service.get(
            uow=me.uow,
            number=form.declaration_number,
            version=version if version and version <= 999 else None,
            scope=me.principal.offices,
        )
    except NotFound:
        return declarations_service.get(
            uow=me.uow, number=form.declaration_number, scope=me.principal.offices
        )


def _form(
    me: Page,
    declaration: DeclarationRead,
    values: ActForm,
    errors: FormErrors,
    *,
    status_code: int = 200,
    existing: InspectionActRead | None = None,
    act: InspectionActRead | None = None,
) -> Response:
    """The act form (a new act, or a correction of ``act``)."""
    try:
        decision = selectivity_service.get_decision(
            uow=me.uow,
            number=declaration.number,
            version=declaration.version,
            scope=me.principal.offices,
        )
    except NotFound:
        decision = None
    # Whether the declaration was selected at all decides the form; how (profile or
    # random) is never shown to the inspector.
    basis = service.selection_basis_of(decision)
    discretionary = basis is None
    open_measures = basis in (None, "reroute") or bool(decision and decision.reroutes)
    catalogue = profiles_service.list_measures(uow=me.uow)
    names = {measure.code: measure.name for measure in catalogue}
    channels = {measure.code: str(measure.channel) for measure in catalogue}
    shown = (
        None
        if decision is None
        else selectivity_service.shown_to(decision, me.principal, uow=me.uow)
    )
    rows = _rows(values, shown.measures if shown else [], names, channels, open_measures)
    context: dict[str, Any] = {
        "declaration": declaration,
        "decision": shown,
        "values": values,
        "errors": errors,
        "problems": _problem_list(errors),
        "checked": False,
        "rows": rows,
        "discretionary": discretionary,
        "open_measures": open_measures,
        "existing": existing,
        "act": act,
        "catalogue": [(m.code, f"{m.code} · {m.name}") for m in catalogue],
        "status_choices": [(code, _(name)) for code, name in STATUS_NAMES.items()],
        "reason_choices": [
            (code, f"{code} · {_(REASON_NAMES.get(code, text))}")
            for code, text in MEASURE_REASONS.items()
        ],
        "outcome_choices": [(code, _(name)) for code, name in OUTCOME_NAMES.items()],
        "types": [
            (code, _(TYPE_NAMES.get(code, text))) for code, text in DISCREPANCY_TYPES.items()
        ],
        "declaration_url": declaration_url,
    }
    fragment = me.request.headers.get("HX-Request") == "true" and status_code != 200
    template = "inspections/_act_form.html" if fragment else "inspections/act_form.html"
    return render(me.request, template, page=me, status_code=status_code, **context)


def _rows(
    values: ActForm,
    decided: list[dict[str, Any]],
    names: dict[str, str],
    channels: dict[str, str],
    open_measures: bool,
) -> list[MeasureRow]:
    """The measure rows: the decision's measures first (fixed), then the free ones."""
    sent = {
        code.strip(): (_at(values.measure_status, i), _at(values.measure_reason, i))
        for i, code in enumerate(values.measure_code)
        if code.strip()
    }
    rows = []
    for measure in decided:
        code = str(measure["code"])
        status, reason = sent.pop(code, ("applied", ""))
        rows.append(
            MeasureRow(
                code=code,
                name=str(measure.get("name", names.get(code, code))),
                channel=str(measure.get("channel", "")),
                fixed=True,
                status=status or "applied",
                reason_code=reason,
            )
        )
    # Measures the form (or the corrected act) named beyond the decision's.
    for code, (status, reason) in sent.items():
        rows.append(
            MeasureRow(
                code=code,
                name=names.get(code, code),
                channel=channels.get(code, ""),
                fixed=not open_measures,
                status=status or "applied",
                reason_code=reason,
            )
        )
    if open_measures:
        rows += [
            MeasureRow(code="", name="", channel="", fixed=False) for _ in range(EXTRA_MEASURES)
        ]
    return rows
