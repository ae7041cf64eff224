"""Web pages of risk profiles: the list with effectiveness, a version's detail and history,
the side-by-side comparison of two versions, the editor with live criteria checking, and
the lifecycle steps (submit, reject, approve, activate, suspend, resume, retire).

A page shows a user what the API gives them: profiles are read through the same service
functions and :mod:`.access` rules as :mod:`.api` (target profiles do not exist without
the intelligence clearance; criteria, rationale and transition comments are shown only
to roles cleared for criteria), effectiveness through the analytics service within the
user's data scope. A lifecycle step bumps the selectivity generation in the service,
so every worker rebuilds its profile set on its next poll, exactly as after the API's.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts.roles import Action
from corridor.analytics import service as analytics_service
from corridor.analytics.schemas import CUSTOMS_TIME, ProfileEffectiveness, ReportPeriod
from corridor.analytics.schemas import report_period as checked_period
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from corridor.profiles import access, service
from corridor.profiles.schemas import (
    CriteriaCheck,
    MeasureRead,
    ProfileCreate,
    ProfileDraft,
    ProfileKind,
    ProfileRead,
    ProfileStatus,
    RiskArea,
    TransitionIn,
)
from corridor.reference.codes import FLOWS, PROCEDURES
from corridor.web import i18n
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, change, page, redirect, render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Page, Depends(page(Action.PROFILES_READ))]
Writer = Annotated[Page, Depends(page(Action.PROFILES_WRITE))]
Drafting = Annotated[Page, Depends(change(Action.PROFILES_WRITE))]
Submitting = Annotated[Page, Depends(change(Action.PROFILES_SUBMIT))]
Deciding = Annotated[Page, Depends(change(Action.PROFILES_DECIDE))]

# Versions are stored as 32-bit integers; codes have at most 40 characters.
CodePath = Annotated[str, Path(min_length=1, max_length=40)]
VersionPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
# Days of the effectiveness period, YYYY-MM-DD; empty (a blank filter field) means the default.
FromDay = Annotated[str, Query(alias="from", max_length=10)]
ToDay = Annotated[str, Query(alias="to", max_length=10)]

Decision = Literal["reject", "approve", "activate", "suspend", "resume", "retire"]
Done = Literal["saved", "submit", "reject", "approve", "activate", "suspend", "resume", "retire"]

#: The fields of a draft, as the analyst writes them.
_DRAFT_FIELDS = tuple(ProfileDraft.model_fields)
#: Profiles per page of the list (keyset: the code and version after which the page starts).
PAGE_SIZE = 100
#: Effectiveness covers the last 90 customs days unless another period is asked.
DEFAULT_DAYS = 90
_CURSOR = r"^([A-Z0-9][A-Z0-9\-]{0,39}:[0-9]{1,10})?$"

STATES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    "retired": N_("retired"),
    "expired": N_("expired"),
}
#: The badge style of each state.
STATE_BADGES: dict[str, str] = {
    "draft": "state",
    "submitted": "warn",
    "approved": "state",
    "active": "active",
    "suspended": "warn",
    "retired": "state",
    "expired": "state",
}
KINDS: dict[str, str] = {
    "national": N_("national"),
    "regional": N_("regional"),
    "post": N_("post"),
    "target": N_("target (intelligence)"),
    "model": N_("model (risk score)"),
}
AREAS: dict[str, str] = {
    "valuation": N_("valuation"),
    "classification": N_("classification"),
    "origin": N_("origin of goods"),
    "prohibitions": N_("prohibitions and restrictions"),
    "ipr": N_("intellectual property"),
    "smuggling": N_("smuggling and concealment"),
    "security": N_("security"),
    "transit": N_("transit diversion"),
    "other": N_("other risks"),
}
FLOW_NAMES: dict[str, str] = {"IM": N_("import"), "EX": N_("export"), "TR": N_("transit")}
PROCEDURE_NAMES: dict[str, str] = {
    "10": N_("export"),
    "21": N_("processing outside the customs territory"),
    "23": N_("temporary export"),
    "31": N_("re-export"),
    "40": N_("release for home use"),
    "51": N_("processing within the customs territory"),
    "53": N_("temporary admission"),
    "60": N_("re-import"),
    "70": N_("customs warehouse"),
    "78": N_("free customs zone"),
    "79": N_("free warehouse"),
    "80": N_("customs transit"),
    "90": N_("special customs procedure"),
    "91": N_("duty-free trade"),
}
#: The buttons of the lifecycle steps (their visible text).
STEPS: dict[str, str] = {
    "submit": N_("Submit for approval"),
    "reject": N_("Reject"),
    "approve": N_("Approve"),
    "activate": N_("Activate"),
    "suspend": N_("Suspend"),
    "resume": N_("Resume"),
    "retire": N_("Retire"),
}
#: What a step needs of the permission matrix.
STEP_ACTIONS: dict[str, Action] = {
    step: Action.PROFILES_SUBMIT if step == "submit" else Action.PROFILES_DECIDE for step in STEPS
}
DONE: dict[str, str] = {
    "saved": N_("The draft is saved."),
    "submit": N_("The version is submitted for approval."),
    "reject": N_("The version is returned to its author as a draft."),
    "approve": N_("The version is approved; it selects nothing until it is put in force."),
    "activate": N_("The version is active: selectivity applies it from now on."),
    "suspend": N_("The version is suspended: it selects nothing for now."),
    "resume": N_("The version is active again."),
    "retire": N_("The version is retired."),
}

# The profile's own rules (model validators): their field, and the message to show.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("valid_to is before valid_from", "valid_to", N_("The end of validity is before its start.")),
    ("unknown customs procedures", "procedures", N_("Unknown customs procedure.")),
    ("a measure is listed twice", "measures", N_("A measure is listed twice.")),
    ("contains control characters", "", N_("Contains control characters.")),
)


# =========================================================================== list


@router.get("/profiles", response_class=HTMLResponse)
def profile_list(
    me: Reader,
    state: Annotated[ProfileStatus | Literal[""], Query()] = "",
    kind: Annotated[ProfileKind | Literal[""], Query()] = "",
    area: Annotated[RiskArea | Literal[""], Query()] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    date_from: FromDay = "",
    date_to: ToDay = "",
    after: Annotated[str, Query(max_length=60, pattern=_CURSOR)] = "",
) -> Response:
    """The latest version of every profile the user may see (or every version in a state),
    filtered, with each profile's effectiveness for roles that read analytics."""
    period = _period(date_from, date_to)
    shown = access.shown_profiles(
        me.principal, service.list_profiles(uow=me.uow, status=state or None, kind=kind or None)
    )
    text = q.strip().casefold()
    found = sorted(
        (
            p
            for p in shown
            if (not area or p.risk_area == area)
            and (not text or text in p.code.casefold() or text in p.title.casefold())
        ),
        key=lambda p: (p.code, p.version),
    )
    if after:
        code, _sep, number = after.partition(":")
        found = [p for p in found if (p.code, p.version) > (code, int(number))]
    rows, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    active: dict[str, int] = {}
    if not state:
        active = {
            p.code: p.version
            for p in access.shown_profiles(
                me.principal, service.list_profiles(uow=me.uow, status="active")
            )
        }
    effects = None
    report = _effectiveness(me, period)
    if report is not None:
        effects = _by_code(report)
    filters = {
        "state": state,
        "kind": kind,
        "area": area,
        "q": q,
        "from": date_from,
        "to": date_to,
    }
    return render(
        me.request,
        "profiles/list.html",
        page=me,
        profiles=rows,
        active=active,
        effects=effects,
        period=period,
        filters=filters,
        next_cursor=f"{rows[-1].code}:{rows[-1].version}" if more else None,
        **_labels(),
    )


@dataclass(frozen=True, slots=True)
class Effect:
    """What one profile's versions did together in the period."""

    selected: int
    inspected: int
    hits: int
    hit_rate: float | None
    additional_duties: Decimal


def _by_code(report: list[ProfileEffectiveness]) -> dict[str, Effect]:
    totals: dict[str, tuple[int, int, int, Decimal]] = {}
    for p in report:
        s, i, h, d = totals.get(p.code, (0, 0, 0, Decimal(0)))
        totals[p.code] = (s + p.selected, i + p.inspected, h + p.hits, d + p.additional_duties)
    return {
        code: Effect(s, i, h, analytics_service.hit_rate(h, i).rate, d)
        for code, (s, i, h, d) in totals.items()
    }


def _effectiveness(me: Page, period: ReportPeriod) -> list[ProfileEffectiveness] | None:
    """Every profile version's effectiveness in the period, as the analytics API gives it
    to the user (their offices; targets only with the clearance); None without the right."""
    if not me.can(Action.ANALYTICS_READ):
        return None
    return analytics_service.profile_effectiveness(
        uow=me.uow,
        period=period,
        scope=me.principal.offices,
        hidden=service.hidden_from(uow=me.uow, principal=me.principal).version_ids,
    ).profiles


def _period(date_from: str, date_to: str) -> ReportPeriod:
    """The period asked for, by default the last DEFAULT_DAYS customs days up to today."""
    last = _day(date_to, "to") or datetime.now(CUSTOMS_TIME).date()
    first = _day(date_from, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    return checked_period(period=None, date_from=first, date_to=last, location=("query",))


def _day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "not a date", [FieldError(("query", name), "must be a date written YYYY-MM-DD")]
        ) from None


# =========================================================================== detail


# Declared before /profiles/{code}, which would otherwise take "new" for a code.
@router.get("/profiles/new", response_class=HTMLResponse)
def new_profile(me: Writer) -> Response:
    """The editor for a new profile (its draft version 1)."""
    values = _blank_values(service.list_measures(uow=me.uow))
    return _editor(me, values=values, errors=FormErrors())


@router.get("/profiles/{code}", response_class=HTMLResponse)
def profile_detail(
    me: Reader,
    code: CodePath,
    version: VersionQuery = None,
    date_from: FromDay = "",
    date_to: ToDay = "",
    done: Annotated[Done | Literal[""], Query()] = "",
) -> Response:
    """A profile version (the latest unless asked), its history, its effectiveness and
    the lifecycle steps the user may take."""
    alert = Alert("ok", _(DONE[done])) if done else None
    return _detail(me, code, version, _period(date_from, date_to), alert=alert)


@dataclass(frozen=True, slots=True)
class Alert:
    """A message at the top of a page: ``kind`` is ok, info or error."""

    kind: str
    text: str


def _detail(
    me: Page,
    code: str,
    version: int | None,
    period: ReportPeriod,
    *,
    alert: Alert | None = None,
    status_code: int = 200,
) -> Response:
    profile = access.shown_profile(
        me.principal, service.get_profile(uow=me.uow, code=code, version=version)
    )
    history = access.shown_profiles(me.principal, service.profile_history(uow=me.uow, code=code))
    latest = history[-1] if history else profile
    steps, own_draft = _steps(me, profile)
    report = _effectiveness(me, period)
    effects = None
    if report is not None:
        effects = sorted((p for p in report if p.code == code), key=lambda p: p.version)
    return render(
        me.request,
        "profiles/detail.html",
        page=me,
        status_code=status_code,
        profile=profile,
        history=history,
        latest=latest,
        active=next((v for v in history if v.status == "active"), None),
        catalogue=_catalogue(me),
        steps=steps,
        own_draft=own_draft,
        may_edit=profile.version == latest.version and _may_edit(me, profile),
        effects=effects,
        total=_by_code(effects).get(code) if effects else None,
        period=period,
        alert=alert,
        **_labels(),
    )


def _steps(me: Page, profile: ProfileRead) -> tuple[list[str], bool]:
    """The lifecycle steps the user may take on this version in its state; and whether
    approval is withheld from them because they wrote the version (four eyes)."""
    try:
        access.check_profile_transition(me.principal, profile)
    except (NotFound, PermissionDenied):
        return [], False
    steps = [
        step
        for step, (sources, _target) in service.ACTIONS.items()
        if profile.status in sources and me.can(STEP_ACTIONS[step])
    ]
    own = "approve" in steps and profile.author == me.principal.username
    if own:
        steps.remove("approve")
    return steps, own


def _may_edit(me: Page, profile: ProfileRead) -> bool:
    """Whether the user may draft a change of this profile (the API's rule for writers)."""
    if not me.can(Action.PROFILES_WRITE) or profile.criteria is None:
        return False
    try:
        access.check_profile_write(me.principal, _draft_of(profile), existing=profile)
    except (ValidationError, NotFound, PermissionDenied):
        return False
    return True


def _draft_of(profile: ProfileRead) -> ProfileDraft:
    """A stored version's content as a draft (for the access rules on writing)."""
    return ProfileDraft.model_validate(profile.model_dump(include=set(_DRAFT_FIELDS)))


def _catalogue(me: Page) -> dict[str, MeasureRead]:
    return {m.code: m for m in service.list_measures(uow=me.uow)}


# =========================================================================== diff


@router.get("/profiles/{code}/diff", response_class=HTMLResponse)
def profile_diff(
    me: Reader,
    code: CodePath,
    version_from: Annotated[int | None, Query(alias="from", ge=1, le=2**31 - 1)] = None,
    version_to: Annotated[int | None, Query(alias="to", ge=1, le=2**31 - 1)] = None,
) -> Response:
    """Two versions side by side: every field, and the criteria line by line (criteria
    and rationale only for roles cleared to see them)."""
    history = access.shown_profiles(me.principal, service.profile_history(uow=me.uow, code=code))
    if not history:
        raise NotFound(f"profile {code} does not exist")
    by_number = {v.version: v for v in history}
    to_number = version_to or history[-1].version
    from_number = version_from or max((n for n in by_number if n < to_number), default=to_number)
    for number in (from_number, to_number):
        if number not in by_number:
            raise NotFound(f"profile {code} has no version {number}")
    left, right = by_number[from_number], by_number[to_number]
    catalogue = _catalogue(me)
    left_fields, right_fields = _fields(left, catalogue), _fields(right, catalogue)
    rows = [
        FieldRow(label, old, new, old != new)
        for (label, old), (_label, new) in zip(left_fields, right_fields, strict=True)
    ]
    lines = None
    if left.criteria is not None and right.criteria is not None:
        lines = line_diff(left.criteria, right.criteria)
    return render(
        me.request,
        "profiles/diff.html",
        page=me,
        code=code,
        left=left,
        right=right,
        versions=[v.version for v in history],
        rows=rows,
        lines=lines,
        **_labels(),
    )


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field of two versions, as shown."""

    label: str
    left: str
    right: str
    changed: bool


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One row of a side-by-side text comparison: ``kind`` is "" (same), "changed",
    "removed" (only on the left) or "added" (only on the right); numbers are 1-based."""

    kind: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Two texts compared line by line (difflib), aligned side by side."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [
                DiffLine("", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1)
            ]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        rows += [
            DiffLine("changed", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(paired)
        ]
        rows += [DiffLine("removed", i + 1, a[i], None, "") for i in range(i1 + paired, i2)]
        rows += [DiffLine("added", None, "", j + 1, b[j]) for j in range(j1 + paired, j2)]
    return rows


def _fields(profile: ProfileRead, catalogue: dict[str, MeasureRead]) -> list[tuple[str, str]]:
    """A version's fields as the comparison shows them (rationale only when cleared)."""
    none = "—"

    def measure(code: str, mandatory: bool) -> str:
        name = catalogue[code].name if code in catalogue else ""
        how = _("mandatory") if mandatory else _("optional")
        return f"{code} {name} ({how})".replace("  ", " ")

    def day(value: date | None) -> str:
        return i18n.format_date(value) if value else none

    rows = [
        (_("Title"), profile.title),
        (_("State"), _(STATES[profile.status])),
        (_("Kind"), _(KINDS[profile.kind])),
        (_("Risk area"), _(AREAS[profile.risk_area])),
        (_("Measures"), "\n".join(measure(m.code, m.mandatory) for m in profile.measures)),
        (_("Selection rate"), rate_text(profile.selection_rate)),
        (_("Offices"), ", ".join(profile.offices) or _("all offices")),
        (_("Flows"), ", ".join(_flow_label(f) for f in profile.flows) or _("all flows")),
        (
            _("Customs procedures"),
            "\n".join(_procedure_label(p) for p in profile.procedures) or _("all procedures"),
        ),
        (_("Low-risk traders exempt"), _("yes") if profile.exempt_low_risk else _("no")),
        (_("AEO holders exempt"), _("yes") if profile.exempt_aeo else _("no")),
        (_("Valid from"), day(profile.valid_from)),
        (_("Valid to"), day(profile.valid_to)),
        (
            _("Expected selections per month"),
            none if profile.expected_per_month is None else str(profile.expected_per_month),
        ),
        (_("Officer instructions"), profile.officer_instructions or none),
    ]
    if profile.criteria is not None:
        rows.append((_("Rationale"), profile.rationale or none))
    rows += [
        (_("Author"), profile.author),
        (_("Approved by"), profile.approved_by or none),
    ]
    return rows


def rate_text(rate: Decimal) -> str:
    """A selection rate (percent, up to 4 decimals) in the user's locale: "12.5%"."""
    exponent = rate.normalize().as_tuple().exponent
    digits = max(0, -exponent) if isinstance(exponent, int) else 0
    return i18n.format_percent(rate / 100, digits)


def _flow_label(flow: str) -> str:
    return f"{flow} — {_(FLOW_NAMES[flow])}" if flow in FLOW_NAMES else flow


def _procedure_label(code: str) -> str:
    if code in PROCEDURE_NAMES:
        return f"{code} — {_(PROCEDURE_NAMES[code])}"
    return code


def _labels() -> dict[str, Any]:
    """What every profile template uses to name states, kinds, areas and steps."""
    return {
        "STATES": STATES,
        "STATE_BADGES": STATE_BADGES,
        "KINDS": KINDS,
        "AREAS": AREAS,
        "STEPS": STEPS,
        "rate_text": rate_text,
        "flow_label": _flow_label,
        "procedure_label": _procedure_label,
    }


# =========================================================================== editor


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
        return CriteriaView(valid=False, message=_first_message(exc))
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


def _posted(
    title: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    risk_area: Annotated[str, Form()] = "",
    criteria: Annotated[str, Form()] = "",
    measures: Annotated[list[str] | None, Form()] = None,
    mandatory: Annotated[list[str] | None, Form()] = None,
    selection_rate: Annotated[str, Form()] = "",
    offices: Annotated[str, Form()] = "",
    flows: Annotated[list[str] | None, Form()] = None,
    procedures: Annotated[list[str] | None, Form()] = None,
    exempt_low_risk: Annotated[str, Form()] = "",
    exempt_aeo: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    officer_instructions: Annotated[str, Form()] = "",
    rationale: Annotated[str, Form()] = "",
    expected_per_month: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    """The editor's fields as posted (text), to validate and to show again."""
    return {
        "title": title,
        "kind": kind,
        "risk_area": risk_area,
        "criteria": criteria,
        "measures": list(measures or []),
        "mandatory": list(mandatory or []),
        "selection_rate": selection_rate,
        "offices": offices,
        "flows": list(flows or []),
        "procedures": list(procedures or []),
        "exempt_low_risk": bool(exempt_low_risk),
        "exempt_aeo": bool(exempt_aeo),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "officer_instructions": officer_instructions,
        "rationale": rationale,
        "expected_per_month": expected_per_month,
    }


Posted = Annotated[dict[str, Any], Depends(_posted)]


@router.post("/profiles", response_class=HTMLResponse)
def create_profile(me: Drafting, values: Posted, code: Annotated[str, Form()] = "") -> Response:
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
            FormErrors(__all__=_("Not allowed: %(why)s") % {"why": exc.detail}),
            403,
        )
    else:
        me.uow.commit()
        return redirect(me.request, f"/profiles/{values['code']}?done=saved")
    me.uow.rollback()
    return _editor(me, values=values, errors=errors, status_code=status_code)


@router.get("/profiles/{code}/edit", response_class=HTMLResponse)
def edit_profile_form(me: Writer, code: CodePath) -> Response:
    """The editor on the latest version: a draft is changed in place, an approved or
    later version gets a new draft version."""
    current = access.shown_profile(me.principal, service.get_profile(uow=me.uow, code=code))
    errors = FormErrors()
    try:
        access.check_profile_write(me.principal, _draft_of(current), existing=current)
    except PermissionDenied as exc:
        # Said at once (a regional coordinator and a national profile, say), not on saving.
        errors = FormErrors(__all__=_("Not allowed: %(why)s") % {"why": exc.detail})
    except ValidationError:
        pass  # a stored version today's rules refuse: saving names the field
    return _editor(me, values=_values_of(current), errors=errors, current=current)


@router.post("/profiles/{code}/edit", response_class=HTMLResponse)
def edit_profile(me: Drafting, code: CodePath, values: Posted) -> Response:
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
            FormErrors(__all__=_("Not allowed: %(why)s") % {"why": exc.detail}),
            403,
        )
    else:
        me.uow.commit()
        return redirect(me.request, f"/profiles/{code}?done=saved")
    me.uow.rollback()
    return _editor(me, values=values, errors=errors, current=current, status_code=status_code)


def _editor(
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
        flows=[(flow, _flow_label(flow)) for flow in FLOWS],
        procedures=[(code, _procedure_label(code)) for code in PROCEDURES],
        **_labels(),
    )


def _blank_values(catalogue: list[MeasureRead]) -> dict[str, Any]:
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
    for name, message in FormErrors.of_validation(exc).items():
        field, text = name.split(".")[0], message
        for start, about, translated in _RULES:
            if message.startswith(start):
                if field == "__all__" and about:
                    field = about
                text = _(translated)
                break
        found.setdefault(field, text)
    return found


def _first_message(exc: ValidationError) -> str:
    return next(iter(_form_errors(exc).values()), str(exc))


def _service_errors(exc: InvalidInput) -> FormErrors:
    """The service's refusals by field (the criteria's details are shown by the check)."""
    found = FormErrors()
    for error in exc.errors:
        field = str(error.loc[0]) if error.loc else "__all__"
        if field == "criteria":
            found.setdefault(field, _("The criteria do not compile: see the check below."))
        else:
            found.setdefault(field, error.msg)
    return found


# =========================================================================== lifecycle


@router.post("/profiles/{code}/versions/{version}/submit", response_class=HTMLResponse)
def submit_profile(
    me: Submitting,
    code: CodePath,
    version: VersionPath,
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Submit a draft for approval."""
    return _transition(me, code, version, "submit", comment)


@router.post("/profiles/{code}/versions/{version}/decide", response_class=HTMLResponse)
def decide_profile(
    me: Deciding,
    code: CodePath,
    version: VersionPath,
    decision: Annotated[Decision, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Reject, approve (never by the author), activate, suspend, resume or retire."""
    return _transition(me, code, version, decision, comment)


def _transition(me: Page, code: str, version: int, step: str, comment: str) -> Response:
    """The API's lifecycle step; a refusal (four eyes, a step not possible from the
    version's state) is shown on the version's page with 409, nothing changed."""
    access.check_profile_transition(
        me.principal, service.get_profile(uow=me.uow, code=code, version=version)
    )
    period = _period("", "")
    try:
        transition_in = TransitionIn(comment=comment)
    except ValidationError as exc:
        message = _("The comment is not accepted: %(why)s") % {"why": _first_message(exc)}
        return _detail(me, code, version, period, alert=Alert("error", message), status_code=422)
    try:
        service.transition(
            uow=me.uow,
            code=code,
            version=version,
            action=step,
            actor=me.principal.username,
            comment=transition_in.comment,
        )
    except Conflict as exc:
        me.uow.rollback()
        stored = service.get_profile(uow=me.uow, code=code, version=version)
        own = stored.author == me.principal.username and stored.status == "submitted"
        if step == "approve" and own:
            message = _(
                "Four eyes: you wrote version %(version)s of this profile, so another "
                "approver must approve it."
            ) % {"version": version}
        else:
            message = _("This step is not possible now: %(why)s") % {"why": exc.detail}
        return _detail(me, code, version, period, alert=Alert("error", message), status_code=409)
    me.uow.commit()
    return redirect(me.request, f"/profiles/{code}?version={version}&done={step}")
