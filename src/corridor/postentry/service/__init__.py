"""Post-entry control use cases: rank audit candidates, build and edit audit plans, work
audit cases, raise alerts to the posts and requests to the risk unit, read inboxes.

Scope: a caller sees the plans and cases of offices within their data scope
(``principal.offices``; head office: all), and ranks the releases of those offices only.
A plan or case outside the scope does not exist for the caller (NotFound).

Findings feed back: completing a case records what it found with
:func:`corridor.traders.service.record_audit_finding` (an audit without findings counts
as a clean control), which scores the trader again at once, so its category follows.

Every change is journalled in the caller's transaction (object types ``audit_plan``,
``audit_case``, ``alert``, ``profile_request``); nothing here commits.

The package's face: the other packages and the edges (``api``, ``cli``, ``web``) reach
post-entry control through ``from corridor.postentry import service``, which re-exports
the use cases of the rooms below, one per subject (the import-linter contract in
``pyproject.toml`` keeps them layered in this order, each importing only those below):

* ``inboxes``: a unit's inbox;
* ``alerts``: alerts to the posts and requests to the risk unit;
* ``cases``: audit cases and their findings;
* ``plans``: audit plans;
* ``candidates``: the ranking of audit candidates;
* ``_common``: the clock, the caller's scope, the journal (private).
"""

from __future__ import annotations

from corridor.postentry.service._common import MAX_LIST, today, unit_offices
from corridor.postentry.service.alerts import (
    acknowledge,
    alerts_for,
    alerts_for_each,
    get_alert,
    get_request,
    handle_request,
    head_office,
    list_alerts,
    list_requests,
    matches,
    raise_alert,
    raise_request,
    shown_request,
    withdraw_alert,
)
from corridor.postentry.service.candidates import DEFAULT_DAYS, audit_period, rank_candidates
from corridor.postentry.service.cases import (
    add_declaration,
    add_document,
    assign,
    cancel,
    case_reference,
    complete,
    findings_problems,
    get_case,
    list_cases,
    open_case,
    start,
)
from corridor.postentry.service.inboxes import inbox
from corridor.postentry.service.plans import (
    add_item,
    create_plan,
    get_plan,
    list_plans,
    move_plan,
    remove_item,
    set_capacity,
)

__all__ = [
    "DEFAULT_DAYS",
    "MAX_LIST",
    "acknowledge",
    "add_declaration",
    "add_document",
    "add_item",
    "alerts_for",
    "alerts_for_each",
    "assign",
    "audit_period",
    "cancel",
    "case_reference",
    "complete",
    "create_plan",
    "findings_problems",
    "get_alert",
    "get_case",
    "get_plan",
    "get_request",
    "handle_request",
    "head_office",
    "inbox",
    "list_alerts",
    "list_cases",
    "list_plans",
    "list_requests",
    "matches",
    "move_plan",
    "open_case",
    "raise_alert",
    "raise_request",
    "rank_candidates",
    "remove_item",
    "set_capacity",
    "shown_request",
    "start",
    "today",
    "unit_offices",
    "withdraw_alert",
]
