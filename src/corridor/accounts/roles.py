"""Roles, actions and the permission matrix: who may do what (pure, no I/O).

The matrix is the single source of truth. The API enforces it on every route
(each route names one action), the README prints it, and a table-driven test
calls every route as every role against it.

Besides actions a route performs, the matrix holds *clearances*: what a role
may see in a response it is allowed to get (criteria, list entries, the
reasons of a decision, intelligence material). Redaction reads them.

Data scope follows the unit, not the role: a user sees the declarations of
the offices of every post under their unit (head office: all offices).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACTIONS",
    "PERMISSIONS",
    "Action",
    "Principal",
    "Role",
    "matrix_markdown",
]


class Role(StrEnum):
    """The roles of the customs service's staff and systems."""

    ADMINISTRATOR = "administrator"
    RISK_ANALYST = "risk_analyst"
    APPROVER = "approver"
    REGIONAL_COORDINATOR = "regional_coordinator"
    INSPECTOR = "inspector"
    POST_ENTRY_AUDITOR = "post_entry_auditor"
    POST_ENTRY_HEAD = "post_entry_head"
    INTELLIGENCE_OFFICER = "intelligence_officer"
    VIEWER = "viewer"
    SYSTEM = "system"


class Action(StrEnum):
    """What a request does (routes) or may see (clearances)."""

    # declarations and decisions
    DECLARATIONS_SUBMIT = "declarations.submit"
    DECLARATIONS_READ = "declarations.read"
    DECISIONS_REASONS = "decisions.reasons"  # clearance: hits, reasons, random draws
    DECISIONS_REROUTE = "decisions.reroute"
    REFERENCE_READ = "reference.read"  # code lists (re-route reasons, measures)
    INSPECTIONS_RECORD = "inspections.record"  # inspection acts and their corrections
    # feedback
    ANALYTICS_READ = "analytics.read"  # profile effectiveness, KPIs
    PRICES_READ = "prices.read"
    PRICES_WRITE = "prices.write"  # refresh, overrides
    # catalogue, lists, profiles, parameters
    MEASURES_WRITE = "measures.write"
    LISTS_READ = "lists.read"  # names and entries of non-confidential lists
    LISTS_WRITE = "lists.write"
    PROFILES_READ = "profiles.read"  # titles, measures, instructions, state
    PROFILES_CRITERIA = "profiles.criteria"  # clearance: criteria and rationale
    PROFILES_WRITE = "profiles.write"  # create, edit, validate criteria
    PROFILES_SUBMIT = "profiles.submit"
    PROFILES_DECIDE = "profiles.decide"  # reject, approve, activate, suspend, resume, retire
    INTELLIGENCE_READ = "intelligence.read"  # clearance: target profiles, confidential lists
    INTELLIGENCE_WRITE = "intelligence.write"
    PARAMETERS_READ = "parameters.read"
    PARAMETERS_WRITE = "parameters.write"
    # risk-scoring models
    MODELS_READ = "models.read"  # the registry and model cards
    MODELS_WRITE = "models.write"  # train and register draft versions
    MODELS_DECIDE = "models.decide"  # approve, shadow, activate, retire
    # traders and post-entry control
    TRADERS_READ = "traders.read"  # the register: categories with their components, AEO
    TRADERS_WRITE = "traders.write"  # category overrides, AEO status, recategorising
    POSTENTRY_READ = "postentry.read"  # audit candidates, plans, cases
    POSTENTRY_PLAN = "postentry.plan"  # build and edit audit plans, open cases
    POSTENTRY_AUDIT = "postentry.audit"  # work audit cases: start, findings, complete
    ALERTS_WRITE = "alerts.write"  # raise alerts to posts and requests to the risk unit
    INBOX_READ = "inbox.read"  # the unit's inbox of alerts and requests
    INBOX_HANDLE = "inbox.handle"  # acknowledge alerts, take up and settle requests
    # accounts and the journal
    ACCOUNTS_MANAGE = "accounts.manage"  # units, users, roles, API tokens
    JOURNAL_READ = "journal.read"
    SELF = "self"  # one's own session: who am I, sign out


_R = Role
_STAFF = frozenset(r for r in Role if r is not Role.SYSTEM)
_DECLARATION_READERS = frozenset(
    {
        _R.RISK_ANALYST,
        _R.APPROVER,
        _R.REGIONAL_COORDINATOR,
        _R.INSPECTOR,
        _R.POST_ENTRY_AUDITOR,
        _R.POST_ENTRY_HEAD,
        _R.INTELLIGENCE_OFFICER,
        _R.VIEWER,
        _R.SYSTEM,
    }
)
_ANALYSTS = frozenset(
    {_R.RISK_ANALYST, _R.APPROVER, _R.REGIONAL_COORDINATOR, _R.INTELLIGENCE_OFFICER}
)
_POST_ENTRY = frozenset({_R.POST_ENTRY_AUDITOR, _R.POST_ENTRY_HEAD})

#: action -> the roles allowed it. Every action is listed; a missing role means "no".
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.DECLARATIONS_SUBMIT: frozenset({_R.SYSTEM}),
    Action.DECLARATIONS_READ: _DECLARATION_READERS,
    Action.DECISIONS_REASONS: _ANALYSTS,
    Action.DECISIONS_REROUTE: frozenset({_R.INSPECTOR, _R.REGIONAL_COORDINATOR}),
    Action.REFERENCE_READ: frozenset(Role),
    Action.INSPECTIONS_RECORD: frozenset({_R.INSPECTOR}),
    Action.ANALYTICS_READ: _ANALYSTS | _POST_ENTRY | {_R.VIEWER},
    Action.PRICES_READ: _ANALYSTS | _POST_ENTRY,
    Action.PRICES_WRITE: frozenset({_R.RISK_ANALYST}),
    Action.MEASURES_WRITE: frozenset({_R.ADMINISTRATOR}),
    Action.LISTS_READ: _ANALYSTS,
    Action.LISTS_WRITE: frozenset({_R.RISK_ANALYST, _R.INTELLIGENCE_OFFICER}),
    Action.PROFILES_READ: _ANALYSTS | _POST_ENTRY | {_R.INSPECTOR, _R.VIEWER, _R.ADMINISTRATOR},
    Action.PROFILES_CRITERIA: _ANALYSTS,
    Action.PROFILES_WRITE: frozenset(
        {_R.RISK_ANALYST, _R.REGIONAL_COORDINATOR, _R.INTELLIGENCE_OFFICER}
    ),
    Action.PROFILES_SUBMIT: frozenset(
        {_R.RISK_ANALYST, _R.REGIONAL_COORDINATOR, _R.INTELLIGENCE_OFFICER}
    ),
    Action.PROFILES_DECIDE: frozenset({_R.APPROVER}),
    Action.INTELLIGENCE_READ: frozenset({_R.INTELLIGENCE_OFFICER, _R.APPROVER}),
    Action.INTELLIGENCE_WRITE: frozenset({_R.INTELLIGENCE_OFFICER}),
    Action.PARAMETERS_READ: _ANALYSTS | {_R.ADMINISTRATOR},
    Action.PARAMETERS_WRITE: frozenset({_R.ADMINISTRATOR}),
    Action.MODELS_READ: _ANALYSTS | _POST_ENTRY,
    Action.MODELS_WRITE: frozenset(
        {_R.RISK_ANALYST, _R.REGIONAL_COORDINATOR, _R.INTELLIGENCE_OFFICER}
    ),
    Action.MODELS_DECIDE: frozenset({_R.APPROVER}),
    Action.TRADERS_READ: _ANALYSTS | _POST_ENTRY,
    Action.TRADERS_WRITE: frozenset({_R.RISK_ANALYST, _R.APPROVER, _R.POST_ENTRY_HEAD}),
    Action.POSTENTRY_READ: _ANALYSTS | _POST_ENTRY,
    Action.POSTENTRY_PLAN: frozenset({_R.POST_ENTRY_HEAD}),
    Action.POSTENTRY_AUDIT: _POST_ENTRY,
    Action.ALERTS_WRITE: _POST_ENTRY,
    Action.INBOX_READ: _STAFF - {_R.VIEWER},
    Action.INBOX_HANDLE: frozenset(
        {_R.INSPECTOR, _R.REGIONAL_COORDINATOR, _R.RISK_ANALYST, _R.APPROVER}
    )
    | _POST_ENTRY,
    Action.ACCOUNTS_MANAGE: frozenset({_R.ADMINISTRATOR}),
    Action.JOURNAL_READ: frozenset({_R.ADMINISTRATOR, _R.APPROVER}),
    Action.SELF: _STAFF | {_R.SYSTEM},
}
ACTIONS = tuple(Action)

_DESCRIPTIONS: dict[Action, str] = {
    Action.DECLARATIONS_SUBMIT: "submit declarations and receive decisions (clearance system)",
    Action.DECLARATIONS_READ: "read declarations and their decisions (within the unit's offices)",
    Action.DECISIONS_REASONS: "see which profiles hit, their reasons and the random draws",
    Action.DECISIONS_REROUTE: "re-route a declaration to another channel with a reason",
    Action.REFERENCE_READ: "read code lists: measures catalogue, re-route reasons",
    Action.INSPECTIONS_RECORD: "record and correct inspection acts (within the unit's offices)",
    Action.ANALYTICS_READ: "read profile effectiveness and KPIs (within the unit's offices)",
    Action.PRICES_READ: "read reference prices",
    Action.PRICES_WRITE: "refresh reference prices, set and lift overrides",
    Action.MEASURES_WRITE: "edit the measures catalogue",
    Action.LISTS_READ: "read named reference lists and their entries",
    Action.LISTS_WRITE: "create and edit named reference lists",
    Action.PROFILES_READ: "read profiles: title, measures, officer instructions, state",
    Action.PROFILES_CRITERIA: "see profile criteria and rationale",
    Action.PROFILES_WRITE: "draft and edit profiles, check criteria",
    Action.PROFILES_SUBMIT: "submit a draft for approval",
    Action.PROFILES_DECIDE: "approve, reject, activate, suspend, resume, retire",
    Action.INTELLIGENCE_READ: "see target profiles and confidential lists",
    Action.INTELLIGENCE_WRITE: "write target profiles and confidential lists",
    Action.PARAMETERS_READ: "read office selectivity parameters",
    Action.PARAMETERS_WRITE: "set office selectivity parameters",
    Action.MODELS_READ: "read the model registry and model cards (data, metrics, limits)",
    Action.MODELS_WRITE: "train risk-scoring models and register draft versions",
    Action.MODELS_DECIDE: "approve (four eyes), shadow, activate, retire model versions",
    Action.TRADERS_READ: "read the trader register: compliance categories and why, AEO status",
    Action.TRADERS_WRITE: "override a trader's category (reason, expiry), record AEO status",
    Action.POSTENTRY_READ: "read post-entry audit candidates, plans and cases",
    Action.POSTENTRY_PLAN: "build and edit audit plans, open and assign audit cases",
    Action.POSTENTRY_AUDIT: "work audit cases: start, record findings, complete",
    Action.ALERTS_WRITE: "raise alerts to posts and requests to the risk unit",
    Action.INBOX_READ: "read the unit's inbox of alerts and requests",
    Action.INBOX_HANDLE: "acknowledge alerts, take up and settle requests",
    Action.ACCOUNTS_MANAGE: "manage units, users, roles and API tokens",
    Action.JOURNAL_READ: "read the journal and verify its chain",
    Action.SELF: "see one's own account, sign out",
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user signed in by session, or a system by API token.

    ``offices`` is the data scope: the customs offices whose declarations the
    principal may see, or None for all (head office).
    """

    user_id: int
    username: str
    full_name: str
    roles: frozenset[Role]
    unit: str
    offices: frozenset[str] | None
    via: str  # "session" | "token"
    language: str = "en"  # of the web pages

    def can(self, action: Action) -> bool:
        """Whether any of the principal's roles allows ``action``."""
        return not self.roles.isdisjoint(PERMISSIONS[action])

    def sees_office(self, office: str) -> bool:
        """Whether a declaration of ``office`` is within the principal's scope."""
        return self.offices is None or office in self.offices


def matrix_markdown() -> str:
    """The permission matrix as a Markdown table (README shows it; a test keeps it equal)."""
    roles = list(Role)
    lines = [
        "| action | what it allows | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action in Action:
        marks = " | ".join("✓" if r in PERMISSIONS[action] else "" for r in roles)
        lines.append(f"| `{action.value}` | {_DESCRIPTIONS[action]} | {marks} |")
    return "\n".join(lines)
