"""Web pages of post-entry control and the units' inboxes.

* ``/post-entry``: the ranking of audit candidates for a unit and period, with the
  reasons of each; the head of the department builds a plan from it;
* ``/post-entry/plans`` and a plan: its traders, capacity, approval, the cases opened;
* ``/post-entry/cases`` and a case: its lifecycle, declarations, documents, findings;
* ``/post-entry/alerts`` and ``/post-entry/requests``: alerts (ориентировки) to the
  posts and requests to the risk unit, raised here;
* ``/inbox``: what is addressed to the user's unit, acknowledged and handled there.

Every page calls the use cases of :mod:`corridor.postentry.api` with the same scope;
buttons show only to the roles allowed their action.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action, Role
from corridor.declarations.web import declaration_url, translated
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.inspections.web import TYPE_NAMES
from corridor.postentry import service
from corridor.postentry.schemas import (
    AlertCreate,
    AlertWithdraw,
    CandidateReason,
    CaseAssign,
    CaseCancel,
    CaseDeclarationAdd,
    CaseDocumentAdd,
    CaseFindings,
    CaseOpen,
    PlanCreate,
    PlanItemAdd,
    PlanUpdate,
    ProfileRequestCreate,
    ProfileRequestHandle,
    RequestMove,
)
from corridor.web.i18n import N_, format_number, ngettext
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, change, page, redirect, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Action.POSTENTRY_READ))]
Planner = Annotated[Page, Depends(change(Action.POSTENTRY_PLAN))]
Auditor = Annotated[Page, Depends(change(Action.POSTENTRY_AUDIT))]
Raiser = Annotated[Page, Depends(change(Action.ALERTS_WRITE))]
InboxReader = Annotated[Page, Depends(page(Action.INBOX_READ))]
InboxHandler = Annotated[Page, Depends(change(Action.INBOX_HANDLE))]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Tin = Annotated[str, Path(min_length=1, max_length=40)]
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"

#: Candidates shown on the ranking page.
CANDIDATES_SHOWN = 100

PLAN_STATES = {"draft": N_("draft"), "approved": N_("approved"), "closed": N_("closed")}
CASE_STATES = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
}
ALERT_STATUSES = {"active": N_("active"), "withdrawn": N_("withdrawn"), "expired": N_("expired")}
REQUEST_STATUSES = {
    "open": N_("open"),
    "accepted": N_("taken up"),
    "done": N_("done"),
    "rejected": N_("rejected"),
}
AUDIT_OUTCOMES = {
    "no_discrepancy": N_("no discrepancy found by the audit"),
    "discrepancy": N_("discrepancies found by the audit"),
}
CATEGORY_REASONS = {
    "low": N_("compliance category: low risk"),
    "medium": N_("compliance category: medium risk"),
    "high": N_("compliance category: high risk"),
}
COMPONENT_NAMES = {
    "discrepancies": N_("discrepancies found"),
    "undervalued": N_("goods declared below the reference price"),
    "mass_gap": N_("gross mass far above the net mass"),
    "category": N_("compliance category"),
    "model": N_("model score"),
}
BADGES = {
    "draft": "state",
    "approved": "active",
    "closed": "state",
    "planned": "state",
    "in_progress": "warn",
    "completed": "active",
    "cancelled": "state",
    "active": "active",
    "withdrawn": "state",
    "expired": "state",
    "open": "warn",
    "accepted": "warn",
    "done": "active",
    "rejected": "state",
}
TABS = (
    ("/post-entry", N_("Audit candidates")),
    ("/post-entry/plans", N_("Audit plans")),
    ("/post-entry/cases", N_("Audit cases")),
    ("/post-entry/alerts", N_("Alerts to the posts")),
    ("/post-entry/requests", N_("Requests for profiles")),
)


def reason_text(reason: CandidateReason) -> str:
    """A candidate's reason in the page's language, with the figures in its way."""
    v = reason.values
    if reason.kind == "released":
        return ngettext(
            "%(num)d declaration released green or blue worth %(value)s KGS",
            "%(num)d declarations released green or blue worth %(value)s KGS",
            int(v["declarations"]),
        ) % {"num": v["declarations"], "value": format_number(v["value"], 0)}
    if reason.kind == "undervalued":
        span = str(v["lowest"])
        if v["highest"] != v["lowest"]:
            span = f"{v['lowest']}–{v['highest']}"
        return _(
            "%(count)s of %(priced)s priced goods items declared at %(span)s %% of the "
            "reference price"
        ) % {"count": v["count"], "priced": v["priced"], "span": span}
    if reason.kind == "mass_gap":
        return _(
            "%(count)s of %(weighed)s goods items with a gross mass over %(times)s times the "
            "net mass"
        ) % {"count": v["count"], "weighed": v["weighed"], "times": format_number(1.3)}
    if reason.kind == "history":
        return ngettext(
            "%(num)d discrepancy in %(inspections)s inspections",
            "%(num)d discrepancies in %(inspections)s inspections",
            int(v["discrepancies"]),
        ) % {"num": v["discrepancies"], "inspections": v["inspections"]}
    if reason.kind == "no_history":
        return _("never inspected")
    if reason.kind == "audits":
        return _("%(found)s of %(audits)s earlier post-entry audits found discrepancies") % v
    if reason.kind == "category" and v.get("category") in CATEGORY_REASONS:
        return _(CATEGORY_REASONS[v["category"]])
    if reason.kind == "model":
        return _("average model score %(score)s") % {"score": format_number(v["score"], 2)}
    return reason.text


def _errors_of(exc: ValidationError | InvalidInput) -> FormErrors:
    """Field messages of a refused form, in the page's language where known (the location
    of a model's own rule, empty, becomes the form's message)."""
    if isinstance(exc, ValidationError):
        return translated(FormErrors.of_validation(exc))
    return translated(FormErrors.of(exc.errors))


def _form(values: dict[str, Any], errors: FormErrors | None = None) -> dict[str, Any]:
    return {"values": values, "errors": errors or FormErrors()}


def _given(values: dict[str, str]) -> dict[str, str]:
    """The fields filled in (an empty field is a field left out)."""
    return {name: value.strip() for name, value in values.items() if value.strip()}


def _money_text(text: str, language: str) -> str:
    """An amount as typed in the user's language, as Pydantic reads decimals."""
    compact = "".join(text.split())
    return compact.replace(",", ".") if language == "ru" else compact.replace(",", "")


def _units(me: Page) -> list[tuple[str, str]]:
    """(code, name) of the units whose releases the user may rank."""
    found = []
    for unit in accounts_service.list_units(uow=me.uow):
        try:
            service.unit_offices(uow=me.uow, unit=unit.code, scope=me.principal.offices)
        except NotFound:
            continue
        found.append((unit.code, f"{unit.code} · {unit.name}"))
    return found


def _auditors(me: Page) -> list[tuple[str, str]]:
    """(username, name) of the active post-entry auditors."""
    return [
        (user.username, f"{user.full_name} ({user.username})")
        for user in accounts_service.list_users(uow=me.uow)
        if user.active and Role.POST_ENTRY_AUDITOR in user.roles
    ]


def _common(me: Page) -> dict[str, Any]:
    return {
        "tabs": TABS,
        "badges": BADGES,
        "plan_states": PLAN_STATES,
        "case_states": CASE_STATES,
        "alert_statuses": ALERT_STATUSES,
        "request_statuses": REQUEST_STATUSES,
        "audit_outcomes": AUDIT_OUTCOMES,
        "type_names": TYPE_NAMES,
        "reason_text": reason_text,
        "declaration_url": declaration_url,
    }


# =========================================================================== candidates


@router.get("/post-entry", response_class=HTMLResponse)
def candidates(
    me: Reader,
    unit: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(alias="from", pattern=_DAY)] = "",
    date_to: Annotated[str, Query(alias="to", pattern=_DAY)] = "",
    order: Annotated[str, Query(pattern=r"^(risk|recovery)?$")] = "",
) -> Response:
    """The importers released green or blue in the period at the unit's offices, ranked
    for audit by risk and expected recovery, with their reasons; the form building a plan
    from them for the head of the department."""
    return _candidates_page(
        me, {"unit": unit, "from": date_from, "to": date_to, "order": order}, _form({})
    )


def _candidates_page(
    me: Page, filters: dict[str, str], plan_form: dict[str, Any], status: int = 200
) -> Response:
    unit = filters["unit"] or me.principal.unit
    first = date.fromisoformat(filters["from"]) if filters["from"] else None
    last = date.fromisoformat(filters["to"]) if filters["to"] else None
    ranking = None
    errors = FormErrors()
    try:
        period = service.audit_period(first, last)
        ranking = service.rank_candidates(
            uow=me.uow,
            unit=unit,
            period=period,
            scope=me.principal.offices,
            order="recovery" if filters["order"] == "recovery" else "risk",
            limit=CANDIDATES_SHOWN,
        )
    except InvalidInput as exc:
        errors = translated(FormErrors.of(exc.errors))
    except NotFound as exc:
        errors = FormErrors({"unit": exc.detail})
    shown = {
        "unit": unit,
        "from": ranking.period_from.isoformat() if ranking else filters["from"],
        "to": ranking.period_to.isoformat() if ranking else filters["to"],
        "order": filters["order"] or "risk",
    }
    return render(
        me.request,
        "postentry/candidates.html",
        page=me,
        status_code=status,
        ranking=ranking,
        filters=shown,
        errors=errors,
        units=_units(me),
        plan_form=plan_form,
        component_names=COMPONENT_NAMES,
        **_common(me),
    )


# =========================================================================== plans


@router.get("/post-entry/plans", response_class=HTMLResponse)
def plans(me: Reader) -> Response:
    """The audit plans within the user's offices, the latest period first."""
    found = service.list_plans(uow=me.uow, scope=me.principal.offices)
    return render(me.request, "postentry/plans.html", page=me, plans=found, **_common(me))


@router.post("/post-entry/plans", response_class=HTMLResponse)
def build_plan(
    me: Planner,
    unit: Annotated[str, Form()] = "",
    period_from: Annotated[str, Form()] = "",
    period_to: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
) -> Response:
    """Build a draft plan from the ranking (its first ``capacity`` candidates)."""
    values = {"unit": unit, "period_from": period_from, "period_to": period_to}
    values["capacity"] = capacity
    status = 422
    try:
        plan_in = PlanCreate.model_validate(_given(values))
        plan = service.create_plan(
            uow=me.uow,
            plan_in=plan_in,
            unit=plan_in.unit or me.principal.unit,
            actor=me.principal.username,
            scope=me.principal.offices,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, f"/post-entry/plans/{plan.id}")
    me.uow.rollback()
    filters = {"unit": unit, "from": period_from, "to": period_to, "order": ""}
    if not all(_valid_day(filters[name]) for name in ("from", "to")):
        filters["from"] = filters["to"] = ""
    return _candidates_page(me, filters, _form(values, errors), status)


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return not text
    return True


@router.get("/post-entry/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(me: Reader, plan_id: PlanId) -> Response:
    """One plan: its traders with their scores and reasons, and the forms editing it."""
    return _plan_page(me, plan_id, {})


def _plan_page(
    me: Page, plan_id: int, forms: dict[str, dict[str, Any]], status: int = 200
) -> Response:
    plan = service.get_plan(uow=me.uow, plan_id=plan_id, scope=me.principal.offices)
    return render(
        me.request,
        "postentry/plan.html",
        page=me,
        status_code=status,
        plan=plan,
        forms=forms,
        auditors=_auditors(me),
        **_common(me),
    )


def _plan_change(me: Page, plan_id: int, form: str, values: dict[str, str], act: Any) -> Response:
    """Run ``act`` (a use case on the plan); the plan page again, with the form's message
    beside it when refused."""
    status = 422
    try:
        act()
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, f"/post-entry/plans/{plan_id}")
    me.uow.rollback()
    return _plan_page(me, plan_id, {form: _form(values, errors)}, status)


@router.post("/post-entry/plans/{plan_id}/capacity", response_class=HTMLResponse)
def plan_capacity(me: Planner, plan_id: PlanId, capacity: Annotated[str, Form()] = "") -> Response:
    """Change a draft plan's capacity."""
    values = {"capacity": capacity}
    return _plan_change(
        me,
        plan_id,
        "capacity",
        values,
        lambda: service.set_capacity(
            uow=me.uow,
            plan_id=plan_id,
            update=PlanUpdate.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/plans/{plan_id}/items", response_class=HTMLResponse)
def plan_add(
    me: Planner,
    plan_id: PlanId,
    tin: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Add a trader to a draft plan (refused at its capacity)."""
    values = {"tin": tin, "note": note}
    return _plan_change(
        me,
        plan_id,
        "add",
        values,
        lambda: service.add_item(
            uow=me.uow,
            plan_id=plan_id,
            item_in=PlanItemAdd.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/plans/{plan_id}/items/{tin}/remove", response_class=HTMLResponse)
def plan_remove(me: Planner, plan_id: PlanId, tin: Tin) -> Response:
    """Take a trader out of a draft plan."""
    return _plan_change(
        me,
        plan_id,
        "items",
        {},
        lambda: service.remove_item(
            uow=me.uow,
            plan_id=plan_id,
            tin=tin,
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/plans/{plan_id}/approve", response_class=HTMLResponse)
def plan_approve(me: Planner, plan_id: PlanId) -> Response:
    """Approve a draft plan."""
    return _plan_change(
        me,
        plan_id,
        "state",
        {},
        lambda: service.move_plan(
            uow=me.uow,
            plan_id=plan_id,
            to="approved",
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/plans/{plan_id}/close", response_class=HTMLResponse)
def plan_close(me: Planner, plan_id: PlanId) -> Response:
    """Close an approved plan."""
    return _plan_change(
        me,
        plan_id,
        "state",
        {},
        lambda: service.move_plan(
            uow=me.uow,
            plan_id=plan_id,
            to="closed",
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


# =========================================================================== cases


@router.get("/post-entry/cases", response_class=HTMLResponse)
def cases(
    me: Reader,
    state: Annotated[str, Query(pattern=r"^(planned|in_progress|completed|cancelled)?$")] = "",
) -> Response:
    """The audit cases within the user's offices, the latest opened first."""
    return _cases_page(me, state, _form({}))


def _cases_page(me: Page, state: str, open_form: dict[str, Any], status: int = 200) -> Response:
    found = service.list_cases(uow=me.uow, state=state or None, scope=me.principal.offices)
    return render(
        me.request,
        "postentry/cases.html",
        page=me,
        status_code=status,
        cases=found,
        state=state,
        open_form=open_form,
        units=_units(me),
        auditors=_auditors(me),
        **_common(me),
    )


@router.post("/post-entry/cases", response_class=HTMLResponse)
def open_case(
    me: Planner,
    plan_id: Annotated[str, Form()] = "",
    tin: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    period_from: Annotated[str, Form()] = "",
    period_to: Annotated[str, Form()] = "",
    auditor: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """Open a case: for a trader of an approved plan (from the plan's page) or ad hoc
    (from the list of cases)."""
    values = {
        "plan_id": plan_id,
        "tin": tin,
        "unit": unit,
        "period_from": period_from,
        "period_to": period_to,
        "auditor": auditor,
        "note": note,
    }
    status = 422
    try:
        case_in = CaseOpen.model_validate(_given(values))
        case = service.open_case(
            uow=me.uow,
            case_in=case_in,
            unit=me.principal.unit,
            actor=me.principal.username,
            scope=me.principal.offices,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, f"/post-entry/cases/{case.id}")
    me.uow.rollback()
    if plan_id.strip().isdigit():
        form = _form(values, errors)
        return _plan_page(me, int(plan_id), {f"open-{tin.strip()}": form}, status)
    return _cases_page(me, "", _form(values, errors), status)


@router.get("/post-entry/cases/{case_id}", response_class=HTMLResponse)
def case_page(me: Reader, case_id: CaseId) -> Response:
    """One case: its lifecycle, declarations, documents and findings."""
    return _case_page(me, case_id, {})


def _case_page(
    me: Page, case_id: int, forms: dict[str, dict[str, Any]], status: int = 200
) -> Response:
    case = service.get_case(uow=me.uow, case_id=case_id, scope=me.principal.offices)
    return render(
        me.request,
        "postentry/case.html",
        page=me,
        status_code=status,
        case=case,
        forms=forms,
        auditors=_auditors(me),
        types=[(code, _(name)) for code, name in TYPE_NAMES.items()],
        **_common(me),
    )


def _case_change(me: Page, case_id: int, form: str, values: dict[str, Any], act: Any) -> Response:
    status = 422
    try:
        act()
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, f"/post-entry/cases/{case_id}")
    me.uow.rollback()
    return _case_page(me, case_id, {form: _form(values, errors)}, status)


@router.post("/post-entry/cases/{case_id}/assign", response_class=HTMLResponse)
def case_assign(me: Planner, case_id: CaseId, auditor: Annotated[str, Form()] = "") -> Response:
    """Give the case its auditor."""
    values = {"auditor": auditor}
    return _case_change(
        me,
        case_id,
        "assign",
        values,
        lambda: service.assign(
            uow=me.uow,
            case_id=case_id,
            assign_in=CaseAssign.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/cases/{case_id}/start", response_class=HTMLResponse)
def case_start(me: Auditor, case_id: CaseId) -> Response:
    """Start a planned case."""
    return _case_change(
        me,
        case_id,
        "state",
        {},
        lambda: service.start(
            uow=me.uow, case_id=case_id, actor=me.principal.username, scope=me.principal.offices
        ),
    )


@router.post("/post-entry/cases/{case_id}/declarations", response_class=HTMLResponse)
def case_declaration(
    me: Auditor, case_id: CaseId, declaration_number: Annotated[str, Form()] = ""
) -> Response:
    """Bring another declaration of the trader into the case's scope."""
    values = {"declaration_number": declaration_number}
    return _case_change(
        me,
        case_id,
        "declaration",
        values,
        lambda: service.add_declaration(
            uow=me.uow,
            case_id=case_id,
            add_in=CaseDeclarationAdd.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/cases/{case_id}/documents", response_class=HTMLResponse)
def case_document(me: Auditor, case_id: CaseId, ref: Annotated[str, Form()] = "") -> Response:
    """Add a document reference to the case."""
    values = {"ref": ref}
    return _case_change(
        me,
        case_id,
        "document",
        values,
        lambda: service.add_document(
            uow=me.uow,
            case_id=case_id,
            document_in=CaseDocumentAdd.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/cases/{case_id}/complete", response_class=HTMLResponse)
def case_complete(
    me: Auditor,
    case_id: CaseId,
    outcome: Annotated[str, Form()] = "",
    discrepancy_types: Annotated[list[str] | None, Form()] = None,
    additional_duties: Annotated[str, Form()] = "",
    penalties: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Complete the case with its findings (they go to the trader's category)."""
    values: dict[str, Any] = {
        "outcome": outcome,
        "additional_duties": additional_duties,
        "penalties": penalties,
        "notes": notes,
    }
    language = me.principal.language
    payload: dict[str, Any] = _given(values)
    for name in ("additional_duties", "penalties"):
        if name in payload:
            payload[name] = _money_text(payload[name], language)
    payload["discrepancy_types"] = list(discrepancy_types or [])
    values["discrepancy_types"] = payload["discrepancy_types"]
    return _case_change(
        me,
        case_id,
        "complete",
        values,
        lambda: service.complete(
            uow=me.uow,
            case_id=case_id,
            findings=CaseFindings.model_validate(payload),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


@router.post("/post-entry/cases/{case_id}/cancel", response_class=HTMLResponse)
def case_cancel(me: Planner, case_id: CaseId, note: Annotated[str, Form()] = "") -> Response:
    """Cancel the case, with why."""
    values = {"note": note}
    return _case_change(
        me,
        case_id,
        "cancel",
        values,
        lambda: service.cancel(
            uow=me.uow,
            case_id=case_id,
            cancel_in=CaseCancel.model_validate(_given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


# =========================================================================== alerts


@router.get("/post-entry/alerts", response_class=HTMLResponse)
def alerts(me: Reader, case: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Alerts to the posts, the latest first; the form raising one (from a case when
    ``case`` is given)."""
    today = service.today()
    values = {
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=30)).isoformat(),
        "case_id": "" if case is None else str(case),
    }
    if case is not None:
        try:
            found = service.get_case(uow=me.uow, case_id=case, scope=me.principal.offices)
        except NotFound:
            pass
        else:
            values["importer"] = found.tin
    return _alerts_page(me, {"raise": _form(values)})


def _alerts_page(me: Page, forms: dict[str, dict[str, Any]], status: int = 200) -> Response:
    return render(
        me.request,
        "postentry/alerts.html",
        page=me,
        status_code=status,
        alerts=service.list_alerts(uow=me.uow),
        forms=forms,
        units=[(u.code, f"{u.code} · {u.name}") for u in accounts_service.list_units(uow=me.uow)],
        **_common(me),
    )


@router.post("/post-entry/alerts", response_class=HTMLResponse)
def raise_alert(
    me: Raiser,
    title: Annotated[str, Form()] = "",
    instructions: Annotated[str, Form()] = "",
    importer: Annotated[str, Form()] = "",
    hs_prefix: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
    units: Annotated[list[str] | None, Form()] = None,
    offices: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    case_id: Annotated[str, Form()] = "",
) -> Response:
    """Raise an alert to the posts."""
    values: dict[str, Any] = {
        "title": title,
        "instructions": instructions,
        "importer": importer,
        "hs_prefix": hs_prefix,
        "origin": origin.upper(),
        "offices": offices,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "case_id": case_id,
    }
    payload: dict[str, Any] = _given(values)
    payload["offices"] = [code for code in offices.replace(",", " ").upper().split() if code]
    payload["units"] = list(units or [])
    values["units"] = payload["units"]
    status = 422
    try:
        service.raise_alert(
            uow=me.uow,
            alert_in=AlertCreate.model_validate(payload),
            actor=me.principal.username,
            unit=me.principal.unit,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    return _alerts_page(me, {"raise": _form(values, _first_level(errors))}, status)


def _first_level(errors: FormErrors) -> FormErrors:
    """Messages on ``units.0`` or ``offices.2`` shown beside their field."""
    found = FormErrors()
    for name, message in errors.items():
        found.setdefault(name.split(".")[0] if name != "__all__" else name, message)
    return found


@router.post("/post-entry/alerts/{alert_id}/withdraw", response_class=HTMLResponse)
def withdraw_alert(me: Raiser, alert_id: AlertId, note: Annotated[str, Form()] = "") -> Response:
    """Withdraw an alert before its last day, with why."""
    values = {"note": note}
    status = 422
    try:
        service.withdraw_alert(
            uow=me.uow,
            alert_id=alert_id,
            withdraw_in=AlertWithdraw.model_validate(_given(values)),
            actor=me.principal.username,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    forms = {"raise": _form({}), f"withdraw-{alert_id}": _form(values, errors)}
    return _alerts_page(me, forms, status)


# =========================================================================== requests


@router.get("/post-entry/requests", response_class=HTMLResponse)
def requests(me: Reader, case: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Requests to the risk units to draft a profile; the form raising one."""
    return _requests_page(me, _form({"case_id": "" if case is None else str(case)}))


def _requests_page(me: Page, form: dict[str, Any], status: int = 200) -> Response:
    return render(
        me.request,
        "postentry/requests.html",
        page=me,
        status_code=status,
        requests=service.list_requests(uow=me.uow),
        form=form,
        units=[(u.code, f"{u.code} · {u.name}") for u in accounts_service.list_units(uow=me.uow)],
        **_common(me),
    )


@router.post("/post-entry/requests", response_class=HTMLResponse)
def raise_request(
    me: Raiser,
    unit: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    proposed_criteria: Annotated[str, Form()] = "",
    case_id: Annotated[str, Form()] = "",
) -> Response:
    """Ask a risk unit to draft a profile."""
    values = {
        "unit": unit,
        "title": title,
        "text": text,
        "proposed_criteria": proposed_criteria,
        "case_id": case_id,
    }
    try:
        service.raise_request(
            uow=me.uow,
            request_in=ProfileRequestCreate.model_validate(_given(values)),
            actor=me.principal.username,
            unit=me.principal.unit,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/requests")
    me.uow.rollback()
    return _requests_page(me, _form(values, errors), 422)


# =========================================================================== inbox


@router.get("/inbox", response_class=HTMLResponse)
def inbox(me: InboxReader, settled: Annotated[bool, Query()] = False) -> Response:
    """What is addressed to the user's unit: alerts to its offices, requests to it."""
    return _inbox_page(me, settled, {})


def _inbox_page(
    me: Page, settled: bool, forms: dict[str, dict[str, Any]], status: int = 200
) -> Response:
    found = service.inbox(uow=me.uow, unit=me.principal.unit, settled=settled)
    found = found.model_copy(
        update={"requests": [service.shown_request(r, me.principal) for r in found.requests]}
    )
    return render(
        me.request,
        "postentry/inbox.html",
        page=me,
        status_code=status,
        inbox=found,
        settled=settled,
        forms=forms,
        handles_requests=me.can(Action.PROFILES_WRITE) or me.can(Action.PROFILES_DECIDE),
        **_common(me),
    )


def _inbox_change(me: Page, form: str, values: dict[str, str], act: Any) -> Response:
    status = 422
    try:
        act()
    except (ValidationError, InvalidInput) as exc:
        errors = _errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, "/inbox")
    me.uow.rollback()
    return _inbox_page(me, False, {form: _form(values, errors)}, status)


@router.post("/inbox/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(me: InboxHandler, alert_id: AlertId) -> Response:
    """Acknowledge, for the user's unit, an alert addressed to it."""
    return _inbox_change(
        me,
        f"alert-{alert_id}",
        {},
        lambda: service.acknowledge(
            uow=me.uow, alert_id=alert_id, unit=me.principal.unit, actor=me.principal.username
        ),
    )


def _handle(me: Page, request_id: int, to: RequestMove, values: dict[str, str]) -> Response:
    return _inbox_change(
        me,
        f"request-{request_id}",
        values,
        lambda: service.handle_request(
            uow=me.uow,
            request_id=request_id,
            to=to,
            handle_in=ProfileRequestHandle.model_validate(_given(values)),
            principal=me.principal,
        ),
    )


@router.post("/inbox/requests/{request_id}/accept", response_class=HTMLResponse)
def accept_request(
    me: InboxHandler, request_id: RequestId, response: Annotated[str, Form()] = ""
) -> Response:
    """Take up a request addressed to the user's unit."""
    return _handle(me, request_id, "accepted", {"response": response})


@router.post("/inbox/requests/{request_id}/done", response_class=HTMLResponse)
def settle_request(
    me: InboxHandler,
    request_id: RequestId,
    response: Annotated[str, Form()] = "",
    profile_code: Annotated[str, Form()] = "",
) -> Response:
    """Settle a request taken up, naming the profile drafted."""
    return _handle(
        me, request_id, "done", {"response": response, "profile_code": profile_code.upper()}
    )


@router.post("/inbox/requests/{request_id}/reject", response_class=HTMLResponse)
def reject_request(
    me: InboxHandler, request_id: RequestId, response: Annotated[str, Form()] = ""
) -> Response:
    """Refuse a request, with the answer."""
    return _handle(me, request_id, "rejected", {"response": response})
