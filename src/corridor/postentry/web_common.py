"""What the web pages of post-entry control share: the roles' dependencies, the names
of states and reasons in the page's language, the handling of forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path
from pydantic import ValidationError

from corridor.accounts.roles import Action
from corridor.errors import InvalidInput
from corridor.postentry.schemas import CandidateReason
from corridor.web.i18n import N_, format_number, ngettext
from corridor.web.i18n import gettext as _
from corridor.web.labels import TYPE_NAMES, declaration_url
from corridor.web.pages import FormErrors, Page, page, translated, writing

Reader = Annotated[Page, Depends(page(Action.POSTENTRY_READ))]
Planner = Annotated[Page, writing(Action.POSTENTRY_PLAN)]
Auditor = Annotated[Page, writing(Action.POSTENTRY_AUDIT)]
Raiser = Annotated[Page, writing(Action.ALERTS_WRITE)]
InboxReader = Annotated[Page, Depends(page(Action.INBOX_READ))]
InboxHandler = Annotated[Page, writing(Action.INBOX_HANDLE)]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Tin = Annotated[str, Path(min_length=1, max_length=40)]

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
    if reason.kind == "model" and v.get("population") is not None:
        return _(
            "the risk model scores their declarations %(score)s on average (population "
            "%(population)s)"
        ) % {"score": format_number(v["score"], 2), "population": format_number(v["population"], 2)}
    if reason.kind == "model":  # reasons kept in plans before the population was recorded
        return _("average model score %(score)s") % {"score": format_number(v["score"], 2)}
    return reason.text


def errors_of(exc: ValidationError | InvalidInput) -> FormErrors:
    """Field messages of a refused form, in the page's language where known (the location
    of a model's own rule, empty, becomes the form's message)."""
    if isinstance(exc, ValidationError):
        return translated(FormErrors.of_validation(exc))
    return translated(FormErrors.of(exc.errors))


def given(values: dict[str, str]) -> dict[str, str]:
    """The fields filled in (an empty field is a field left out)."""
    return {name: value.strip() for name, value in values.items() if value.strip()}


def shared_context(me: Page) -> dict[str, Any]:
    """What every post-entry template reads: the tabs, badges and names of states."""
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
