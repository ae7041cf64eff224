"""The profile editor's pages: a new profile, an edit (in place or a new draft version),
the live criteria check, and each field's message when the form is refused.

Its routes are included by :mod:`corridor.profiles.web`, after the comparison of
versions and before the lifecycle steps; the editor for a new profile is declared there,
ahead of ``/profiles/{code}``, and drawn by :func:`editor_page`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from corridor.accounts.roles import Action
from corridor.errors import Conflict, InvalidInput, PermissionDenied
from corridor.profiles import access, service
from corridor.profiles.schemas import (
    CriteriaCheck,
    MeasureRead,
    ProfileCreate,
    ProfileDraft,
    ProfileRead,
)
from corridor.profiles.web_common import (
    AREAS,
    KINDS,
    CodePath,
    Drafting,
    Saving,
    Writer,
    draft_of,
    flow_label,
    labels,
    procedure_label,
)
from corridor.reference.codes import FLOWS, PROCEDURES
from corridor.web.i18n import N_, localized
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, redirect, render, rule_message

router = APIRouter(include_in_schema=False)

# The profile's own rules (model validators): their field, and the message to show.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("valid_to is before valid_from", "valid_to", N_("The end of validity is before its start.")),
    ("unknown customs procedures", "procedures", N_("Unknown customs procedure.")),
    ("a measure is listed twice", "measures", N_("A measure is listed twice.")),
    ("contains control characters", "", N_("Contains control characters.")),
)


@router.post("/profiles/validate-criteria", response_class=HTMLResponse)
def validate_criteria(me: Drafting, criteria: Annotated[str, Form()] = "") -> Response:
    """The criteria check under the editor's criteria field (status 200 even for wrong
    criteria: it is a check, nothing is saved)."""
    return render(me.request, "profiles/_criteria_status.html", page=me, check=_check(me, criteria))


@dataclass(frozen=True, slots=True)
class CriteriaView:
    """The outcome of a criteria check as the editor shows it."""

    valid: bool
    message: str = ""
    line: int | None = None
    column: int | None = None
    excerpt: str | None = None
    suggestion: str | None = None
    fields: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    canonical: str | None = None


_WHERE = re.compile(r" \(line \d+, column \d+\)|; did you mean `[^`]*`\?")


def _check(me: Page, criteria: str) -> CriteriaView | None:
    """The API's criteria check (facts and current lists); None when nothing is written.

    The text is checked as typed (not stripped), so that lines and columns are those of
    the field."""
    if not criteria.strip():
        return None
    try:
        CriteriaCheck(criteria=criteria)
    except ValidationError as exc:
        return CriteriaView(valid=False, message=first_message(exc))
    result = service.check_criteria(
        uow=me.uow, criteria=criteria, confidential_lists=me.can(Action.INTELLIGENCE_READ)
    )
    if result.problem is None:
        return CriteriaView(
            valid=True,
            fields=tuple(result.fields),
            lists=tuple(result.lists),
            canonical=result.canonical,
        )
    problem = result.problem
    return CriteriaView(
        valid=False,
        message=_WHERE.sub("", problem.message.split("\n", 1)[0]),
        line=problem.line,
        column=problem.column,
        excerpt=problem.excerpt,
        suggestion=problem.suggestion,
    )


class ProfileForm(BaseModel):
    """The editor's fields as posted: text, the boxes ticked and the lists' choices
    (repeated fields). :class:`ProfileCreate` and :class:`ProfileDraft` read them."""

    title: str = ""
    kind: str = ""
    risk_area: str = ""
    criteria: str = ""
    measures: list[str] = []
    mandatory: list[str] = []
    selection_rate: str = ""
    offices: str = ""
    flows: list[str] = []
    procedures: list[str] = []
    exempt_low_risk: str = ""
    exempt_aeo: str = ""
    valid_from: str = ""
    valid_to: str = ""
    officer_instructions: str = ""
    rationale: str = ""
    expected_per_month: str = ""


def _posted(form: Annotated[ProfileForm, Form()]) -> dict[str, Any]:
    """The editor's fields as posted, to validate and to show again (a box ticked: True)."""
    return {
        **form.model_dump(),
        "exempt_low_risk": bool(form.exempt_low_risk),
        "exempt_aeo": bool(form.exempt_aeo),
    }


Posted = Annotated[dict[str, Any], Depends(_posted)]


@router.post("/profiles", response_class=HTMLResponse)
def create_profile(me: Saving, values: Posted, code: Annotated[str, Form()] = "") -> Response:
    """Save draft version 1 of a new profile; the form again (422) with each field's
    message when anything is wrong, nothing stored."""
    values = {**values, "code": code.strip().upper()}
    errors = FormErrors()
    status_code = 422
    try:
        profile_in = ProfileCreate.model_validate(_model_data(values, with_code=True))
        access.check_profile_write(me.principal, profile_in, existing=None)
        service.create_profile(
            uow=me.uow,
            profile_in=profile_in,
            actor=me.principal.username,
            confidential_lists=me.can(Action.INTELLIGENCE_READ),
        )
    except ValidationError as exc:
        errors = _form_errors(exc)
    except InvalidInput as exc:
        errors = _service_errors(exc)
    except Conflict:
        errors = FormErrors(
            code=_("A profile with this code exists already; edit it to draft a new version.")
        )
    except PermissionDenied as exc:
        errors, status_code = (
            FormErrors(__all__=_("Not allowed: %(why)s") % {"why": localized(exc.detail)}),
            403,
        )
    else:
        return redirect(me.request, f"/profiles/{values['code']}?done=saved")
    me.uow.rollback()
    return editor_page(me, values=values, errors=errors, status_code=status_code)


@router.get("/profiles/{code}/edit", response_class=HTMLResponse)
def edit_profile_form(me: Writer, code: CodePath) -> Response:
    """The editor on the latest version: a draft is changed in place, an approved or
    later version gets a new draft version."""
    current = access.shown_profile(me.principal, service.get_profile(uow=me.uow, code=code))
    errors = FormErrors()
    try:
        access.check_profile_write(me.principal, draft_of(current), existing=current)
    except PermissionDenied as exc:
        # Said at once (a regional coordinator and a national profile, say), not on saving.
        errors = FormErrors(__all__=_("Not allowed: %(why)s") % {"why": localized(exc.detail)})
    except ValidationError:
        pass  # a stored version today's rules refuse: saving names the field
    return editor_page(me, values=_values_of(current), errors=errors, current=current)


@router.post("/profiles/{code}/edit", response_class=HTMLResponse)
def edit_profile(me: Saving, code: CodePath, values: Posted) -> Response:
    """Save the edit (the service decides: in place, or a new draft version); the form
    again (422) with each field's message when anything is wrong, nothing stored."""
    current = access.shown_profile(me.principal, service.get_profile(uow=me.uow, code=code))
    errors = FormErrors()
    status_code = 422
    try:
        draft = ProfileDraft.model_validate(_model_data(values, with_code=False))
        access.check_profile_write(me.principal, draft, existing=current)
        service.edit_profile(
            uow=me.uow,
            code=code,
            draft=draft,
            actor=me.principal.username,
            confidential_lists=me.can(Action.INTELLIGENCE_READ),
        )
    except ValidationError as exc:
        errors = _form_errors(exc)
    except InvalidInput as exc:
        errors = _service_errors(exc)
    except PermissionDenied as exc:
        errors, status_code = (
            FormErrors(__all__=_("Not allowed: %(why)s") % {"why": localized(exc.detail)}),
            403,
        )
    else:
        return redirect(me.request, f"/profiles/{code}?done=saved")
    me.uow.rollback()
    return editor_page(me, values=values, errors=errors, current=current, status_code=status_code)


def editor_page(
    me: Page,
    *,
    values: dict[str, Any],
    errors: FormErrors,
    current: ProfileRead | None = None,
    status_code: int = 200,
) -> Response:
    """The editor page, or only its form for htmx (swapped in place)."""
    htmx = me.request.headers.get("HX-Request") == "true"
    kinds = [
        (kind, _(label))
        for kind, label in KINDS.items()
        if kind != "target"
        or me.can(Action.INTELLIGENCE_WRITE)
        or (current is not None and current.kind == "target")
    ]
    return render(
        me.request,
        "profiles/_form.html" if htmx and me.request.method == "POST" else "profiles/editor.html",
        page=me,
        status_code=status_code,
        values=values,
        errors=errors,
        current=current,
        action=f"/profiles/{current.code}/edit" if current else "/profiles",
        check=_check(me, values["criteria"]),
        catalogue=service.list_measures(uow=me.uow),
        kinds=kinds,
        areas=[(area, _(label)) for area, label in AREAS.items()],
        flows=[(flow, flow_label(flow)) for flow in FLOWS],
        procedures=[(code, procedure_label(code)) for code in PROCEDURES],
        **labels(),
    )


def blank_values(catalogue: list[MeasureRead]) -> dict[str, Any]:
    return {
        "code": "",
        "title": "",
        "kind": "national",
        "risk_area": "",
        "criteria": "",
        "measures": [],
        "mandatory": [m.code for m in catalogue],  # measures are mandatory unless unticked
        "selection_rate": "100",
        "offices": "",
        "flows": [],
        "procedures": [],
        "exempt_low_risk": False,
        "exempt_aeo": False,
        "valid_from": "",
        "valid_to": "",
        "officer_instructions": "",
        "rationale": "",
        "expected_per_month": "",
    }


def _values_of(profile: ProfileRead) -> dict[str, Any]:
    """The editor's fields filled from a stored version."""
    optional = {m.code for m in profile.measures if not m.mandatory}
    return {
        "code": profile.code,
        "title": profile.title,
        "kind": profile.kind,
        "risk_area": profile.risk_area,
        "criteria": profile.criteria or "",
        "measures": [m.code for m in profile.measures],
        "mandatory": [m.code for m in profile.measures if m.code not in optional],
        "selection_rate": format(profile.selection_rate.normalize(), "f"),
        "offices": " ".join(profile.offices),
        "flows": list(profile.flows),
        "procedures": list(profile.procedures),
        "exempt_low_risk": profile.exempt_low_risk,
        "exempt_aeo": profile.exempt_aeo,
        "valid_from": profile.valid_from.isoformat() if profile.valid_from else "",
        "valid_to": profile.valid_to.isoformat() if profile.valid_to else "",
        "officer_instructions": profile.officer_instructions,
        "rationale": profile.rationale,
        "expected_per_month": (
            "" if profile.expected_per_month is None else str(profile.expected_per_month)
        ),
    }


def _model_data(values: dict[str, Any], *, with_code: bool) -> dict[str, Any]:
    """The posted fields as the schema takes them (a blank optional field: its default)."""
    mandatory = set(values["mandatory"])
    data: dict[str, Any] = {
        "title": values["title"],
        "kind": values["kind"],
        "risk_area": values["risk_area"],
        "criteria": values["criteria"],
        "measures": [{"code": c, "mandatory": c in mandatory} for c in values["measures"]],
        "selection_rate": values["selection_rate"],
        "offices": [o for o in re.split(r"[\s,;]+", values["offices"].upper()) if o],
        "flows": values["flows"],
        "procedures": values["procedures"],
        "exempt_low_risk": values["exempt_low_risk"],
        "exempt_aeo": values["exempt_aeo"],
        "valid_from": values["valid_from"],
        "valid_to": values["valid_to"],
        "officer_instructions": values["officer_instructions"],
        "rationale": values["rationale"],
        "expected_per_month": values["expected_per_month"],
    }
    if with_code:
        data["code"] = values["code"]
    return {
        name: value
        for name, value in data.items()
        if not (isinstance(value, str) and not value.strip())
        or name in ("officer_instructions", "rationale")
    }


def _form_errors(exc: ValidationError) -> FormErrors:
    """Each field's first message (a list's items count as the list: ``measures``,
    ``offices``); the profile's own rules beside the field they are about."""
    found = FormErrors()
    english: dict[str, str] = {}  # the rules are recognised by their English words
    for item in exc.errors():
        english.setdefault(
            ".".join(str(part) for part in item["loc"]) or "__all__", rule_message(item)
        )
    for name, message in FormErrors.of_validation(exc).items():
        field, text = name.split(".")[0], message
        for start, about, translated in _RULES:
            if english[name].startswith(start):
                if field == "__all__" and about:
                    field = about
                text = _(translated)
                break
        found.setdefault(field, text)
    return found


def first_message(exc: ValidationError) -> str:
    return next(iter(_form_errors(exc).values()), str(exc))


def _service_errors(exc: InvalidInput) -> FormErrors:
    """The service's refusals by field (the criteria's details are shown by the check)."""
    found = FormErrors()
    for error in exc.errors:
        field = str(error.loc[0]) if error.loc else "__all__"
        if field == "criteria":
            found.setdefault(field, _("The criteria do not compile: see the check below."))
        else:
            found.setdefault(field, localized(error.msg))
    return found
