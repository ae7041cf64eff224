"""Web pages of risk profiles: the list with effectiveness, a version's detail and history,
the side-by-side comparison of two versions, the editor with live criteria checking, and
the lifecycle steps (submit, reject, approve, activate, suspend, resume, retire).

A page shows a user what the API gives them: profiles are read through the same service
functions and :mod:`.access` rules as :mod:`.api` (target profiles do not exist without
the intelligence clearance; criteria, rationale and transition comments are shown only
to roles cleared for criteria), effectiveness through the analytics service within the
user's data scope. A lifecycle step bumps the selectivity generation in the service,
so every worker rebuilds its profile set on its next poll, exactly as after the API's.

The rooms: this module holds the list, a version's page, the comparison and the
lifecycle steps; the editor's pages are in :mod:`corridor.profiles.web_editor`, whose
routes this router includes (the editor for a new profile is declared here, ahead of
``/profiles/{code}``); what the pages share (the roles' dependencies, parameters,
labels) is in :mod:`corridor.profiles.web_common`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts.roles import Action
from corridor.analytics import service as analytics_service
from corridor.analytics.schemas import CUSTOMS_TIME, ProfileEffectiveness, ReportPeriod
from corridor.analytics.schemas import report_period as checked_period
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from corridor.profiles import access, service, web_editor
from corridor.profiles.schemas import (
    MeasureRead,
    ProfileKind,
    ProfileRead,
    ProfileStatus,
    RiskArea,
    TransitionIn,
)
from corridor.profiles.web_common import (
    AREAS,
    DONE,
    KINDS,
    STATES,
    STEP_ACTIONS,
    CodePath,
    Deciding,
    Decision,
    Done,
    FromDay,
    Reader,
    Submitting,
    ToDay,
    VersionPath,
    VersionQuery,
    Writer,
    draft_of,
    flow_label,
    labels,
    procedure_label,
    rate_text,
)
from corridor.profiles.web_editor import blank_values, editor_page, first_message
from corridor.web import i18n
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, redirect, render

router = APIRouter(include_in_schema=False)

#: Profiles per page of the list (keyset: the code and version after which the page starts).
PAGE_SIZE = 100
#: Effectiveness covers the last 90 customs days unless another period is asked.
DEFAULT_DAYS = 90
_CURSOR = r"^([A-Z0-9][A-Z0-9\-]{0,39}:[0-9]{1,10})?$"


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
        **labels(),
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
    values = blank_values(service.list_measures(uow=me.uow))
    return editor_page(me, values=values, errors=FormErrors())


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
        **labels(),
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
        access.check_profile_write(me.principal, draft_of(profile), existing=profile)
    except (ValidationError, NotFound, PermissionDenied):
        return False
    return True


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
        **labels(),
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
        (_("Flows"), ", ".join(flow_label(f) for f in profile.flows) or _("all flows")),
        (
            _("Customs procedures"),
            "\n".join(procedure_label(p) for p in profile.procedures) or _("all procedures"),
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


# =========================================================================== editor

# The editor's pages (the criteria check, saving a new profile or an edit), in their room.
router.include_router(web_editor.router)


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
        message = _("The comment is not accepted: %(why)s") % {"why": first_message(exc)}
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
            message = _("This step is not possible now: %(why)s") % {
                "why": i18n.localized(exc.detail)
            }
        return _detail(me, code, version, period, alert=Alert("error", message), status_code=409)
    return redirect(me.request, f"/profiles/{code}?version={version}&done={step}")
