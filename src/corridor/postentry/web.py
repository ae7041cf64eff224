"""Web pages of post-entry control and the units' inboxes.

* ``/post-entry``: the ranking of audit candidates for a unit and period, with the
  reasons of each; the head of the department builds a plan from it;
* ``/post-entry/plans`` and a plan: its traders, capacity, approval, the cases opened;
* ``/post-entry/cases`` and a case: its lifecycle, declarations, documents, findings;
* ``/post-entry/alerts``, ``/post-entry/requests`` and ``/inbox``: in
  :mod:`corridor.postentry.web_alerts`, whose routes this router includes;
* what the pages share (labels, forms): :mod:`corridor.postentry.web_common`.

Every page calls the use cases of :mod:`corridor.postentry.api` with the same scope;
buttons show only to the roles allowed their action.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.config import customs_day
from corridor.errors import InvalidInput, NotFound
from corridor.postentry import service, web_alerts
from corridor.postentry.schemas import (
    CaseAssign,
    CaseCancel,
    CaseDeclarationAdd,
    CaseDocumentAdd,
    CaseFindings,
    CaseOpen,
    PlanCreate,
    PlanItemAdd,
    PlanRead,
    PlanUpdate,
)
from corridor.postentry.web_common import (
    COMPONENT_NAMES,
    Auditor,
    CaseId,
    PlanId,
    Planner,
    Reader,
    Tin,
    errors_of,
    given,
    shared_context,
)
from corridor.web.forms import FormState, Refused, attempt, form_state
from corridor.web.i18n import gettext as _
from corridor.web.labels import TYPE_NAMES
from corridor.web.pages import FormErrors, Page, redirect, render, translated

router = APIRouter(include_in_schema=False)
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"

#: Candidates shown on the ranking page.
CANDIDATES_SHOWN = 100


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
        me, {"unit": unit, "from": date_from, "to": date_to, "order": order}, form_state({})
    )


def _candidates_page(
    me: Page, filters: dict[str, str], plan_form: FormState, status: int = 200
) -> Response:
    unit = filters["unit"] or me.principal.unit
    first = date.fromisoformat(filters["from"]) if filters["from"] else None
    last = date.fromisoformat(filters["to"]) if filters["to"] else None
    ranking = None
    errors = FormErrors()
    try:
        period = service.audit_period(first, last, today=customs_day(me.uow.now))
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
        **shared_context(me),
    )


# =========================================================================== plans


@router.get("/post-entry/plans", response_class=HTMLResponse)
def plans(me: Reader) -> Response:
    """The audit plans within the user's offices, the latest period first."""
    found = service.list_plans(uow=me.uow, scope=me.principal.offices)
    return render(me.request, "postentry/plans.html", page=me, plans=found, **shared_context(me))


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

    def create() -> PlanRead:
        plan_in = PlanCreate.model_validate(given(values))
        return service.create_plan(
            uow=me.uow,
            plan_in=plan_in,
            unit=plan_in.unit or me.principal.unit,
            actor=me.principal.username,
            scope=me.principal.offices,
        )

    plan = attempt(values, create, errors=errors_of, invalid_input=True)
    if not isinstance(plan, Refused):
        return redirect(me.request, f"/post-entry/plans/{plan.id}")
    me.uow.rollback()
    filters = {"unit": unit, "from": period_from, "to": period_to, "order": ""}
    if not all(_valid_day(filters[name]) for name in ("from", "to")):
        filters["from"] = filters["to"] = ""
    return _candidates_page(me, filters, plan.form, plan.status)


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


def _plan_page(me: Page, plan_id: int, forms: dict[str, FormState], status: int = 200) -> Response:
    plan = service.get_plan(uow=me.uow, plan_id=plan_id, scope=me.principal.offices)
    return render(
        me.request,
        "postentry/plan.html",
        page=me,
        status_code=status,
        plan=plan,
        forms=forms,
        auditors=_auditors(me),
        **shared_context(me),
    )


def _plan_change(me: Page, plan_id: int, form: str, values: dict[str, str], act: Any) -> Response:
    """Run ``act`` (a use case on the plan); the plan page again, with the form's message
    beside it when refused."""
    done = attempt(values, act, errors=errors_of, invalid_input=True)
    if not isinstance(done, Refused):
        return redirect(me.request, f"/post-entry/plans/{plan_id}")
    me.uow.rollback()
    return _plan_page(me, plan_id, {form: done.form}, done.status)


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
            update=PlanUpdate.model_validate(given(values)),
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
            item_in=PlanItemAdd.model_validate(given(values)),
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
    return _cases_page(me, state, form_state({}))


def _cases_page(me: Page, state: str, open_form: FormState, status: int = 200) -> Response:
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
        **shared_context(me),
    )


class CaseForm(BaseModel):
    """The form opening a case, as posted: text, read by :class:`CaseOpen`."""

    plan_id: str = ""
    tin: str = ""
    unit: str = ""
    period_from: str = ""
    period_to: str = ""
    auditor: str = ""
    note: str = ""


@router.post("/post-entry/cases", response_class=HTMLResponse)
def open_case(me: Planner, form: Annotated[CaseForm, Form()]) -> Response:
    """Open a case: for a trader of an approved plan (from the plan's page) or ad hoc
    (from the list of cases)."""
    values = form.model_dump()
    case = attempt(
        values,
        lambda: service.open_case(
            uow=me.uow,
            case_in=CaseOpen.model_validate(given(values)),
            unit=me.principal.unit,
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
        errors=errors_of,
        invalid_input=True,
    )
    if not isinstance(case, Refused):
        return redirect(me.request, f"/post-entry/cases/{case.id}")
    me.uow.rollback()
    if form.plan_id.strip().isdigit():
        return _plan_page(
            me, int(form.plan_id), {f"open-{form.tin.strip()}": case.form}, case.status
        )
    return _cases_page(me, "", case.form, case.status)


@router.get("/post-entry/cases/{case_id}", response_class=HTMLResponse)
def case_page(me: Reader, case_id: CaseId) -> Response:
    """One case: its lifecycle, declarations, documents and findings."""
    return _case_page(me, case_id, {})


def _case_page(me: Page, case_id: int, forms: dict[str, FormState], status: int = 200) -> Response:
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
        **shared_context(me),
    )


def _case_change(me: Page, case_id: int, form: str, values: dict[str, Any], act: Any) -> Response:
    done = attempt(values, act, errors=errors_of, invalid_input=True)
    if not isinstance(done, Refused):
        return redirect(me.request, f"/post-entry/cases/{case_id}")
    me.uow.rollback()
    return _case_page(me, case_id, {form: done.form}, done.status)


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
            assign_in=CaseAssign.model_validate(given(values)),
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
            add_in=CaseDeclarationAdd.model_validate(given(values)),
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
            document_in=CaseDocumentAdd.model_validate(given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


class FindingsForm(BaseModel):
    """The form completing a case, as posted: text and the types ticked, read by
    :class:`CaseFindings`."""

    outcome: str = ""
    discrepancy_types: list[str] = []
    additional_duties: str = ""
    penalties: str = ""
    notes: str = ""


@router.post("/post-entry/cases/{case_id}/complete", response_class=HTMLResponse)
def case_complete(me: Auditor, case_id: CaseId, form: Annotated[FindingsForm, Form()]) -> Response:
    """Complete the case with its findings (they go to the trader's category)."""
    values: dict[str, Any] = form.model_dump(exclude={"discrepancy_types"})
    language = me.principal.language
    payload: dict[str, Any] = given(values)
    for name in ("additional_duties", "penalties"):
        if name in payload:
            payload[name] = _money_text(payload[name], language)
    payload["discrepancy_types"] = list(form.discrepancy_types)
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
            cancel_in=CaseCancel.model_validate(given(values)),
            actor=me.principal.username,
            scope=me.principal.offices,
        ),
    )


# The alerts, requests and inbox pages, after the audit pages.
router.include_router(web_alerts.router)
