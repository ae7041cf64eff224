"""What the web pages of risk profiles share: the roles' dependencies, the path and
query parameters, the names of states, kinds, areas and steps in the page's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query

from corridor.accounts.roles import Action
from corridor.profiles.schemas import ProfileDraft, ProfileRead
from corridor.web import i18n
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import Page, change, page, writing

Reader = Annotated[Page, Depends(page(Action.PROFILES_READ))]
Writer = Annotated[Page, Depends(page(Action.PROFILES_WRITE))]
# Checking a draft's criteria stores nothing; saving a draft, a step of the lifecycle do.
Drafting = Annotated[Page, Depends(change(Action.PROFILES_WRITE))]
Saving = Annotated[Page, writing(Action.PROFILES_WRITE)]
Submitting = Annotated[Page, writing(Action.PROFILES_SUBMIT)]
Deciding = Annotated[Page, writing(Action.PROFILES_DECIDE)]

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
DRAFT_FIELDS = tuple(ProfileDraft.model_fields)

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


def rate_text(rate: Decimal) -> str:
    """A selection rate (percent, up to 4 decimals) in the user's locale: "12.5%"."""
    exponent = rate.normalize().as_tuple().exponent
    digits = max(0, -exponent) if isinstance(exponent, int) else 0
    return i18n.format_percent(rate / 100, digits)


def flow_label(flow: str) -> str:
    return f"{flow} — {_(FLOW_NAMES[flow])}" if flow in FLOW_NAMES else flow


def procedure_label(code: str) -> str:
    if code in PROCEDURE_NAMES:
        return f"{code} — {_(PROCEDURE_NAMES[code])}"
    return code


def labels() -> dict[str, Any]:
    """What every profile template uses to name states, kinds, areas and steps."""
    return {
        "STATES": STATES,
        "STATE_BADGES": STATE_BADGES,
        "KINDS": KINDS,
        "AREAS": AREAS,
        "STEPS": STEPS,
        "rate_text": rate_text,
        "flow_label": flow_label,
        "procedure_label": procedure_label,
    }


def draft_of(profile: ProfileRead) -> ProfileDraft:
    """A stored version's content as a draft (for the access rules on writing)."""
    return ProfileDraft.model_validate(profile.model_dump(include=set(DRAFT_FIELDS)))
