"""Pydantic shapes of post-entry control: audit candidates, plans, cases, alerts, requests
and the units' inboxes; the states each goes through; the audit period.

Days are customs days (the installation's time zone, ``CORRIDOR_TIMEZONE``: Kyrgyz
time, UTC+6, the date in a declaration number); a period
is a first and a last day, both included. Money is in national currency (KGS).

Lifecycles (any other move is a conflict):

* plan: ``draft`` → ``approved`` → ``closed``; only a draft is edited (items, capacity);
* case: ``planned`` → ``in_progress`` → ``completed``, and ``planned`` | ``in_progress``
  → ``cancelled``;
* alert: ``active`` → ``withdrawn``; an active alert past its last day reads ``expired``;
* request to draft a profile: ``open`` → ``accepted`` → ``done``, and ``open`` |
  ``accepted`` → ``rejected``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, StringConstraints

from corridor import config
from corridor.accounts.schemas import OfficeCode, UnitCode, Username
from corridor.declarations.schemas import CountryCode, TraderId
from corridor.errors import N_, FieldError
from corridor.inspections.schemas import DeclarationNumber, Duties
from corridor.reference.codes import DISCREPANCY_TYPES
from corridor.text import PLAIN_LINE, PLAIN_TEXT, InputModel

#: The longest audit period (two years): releases older than that are past audit planning.
MAX_PERIOD_DAYS: Final = 731
#: The most audits one plan holds.
MAX_CAPACITY: Final = 1000
#: The longest an alert stays in force.
MAX_ALERT_DAYS: Final = 366
#: The largest page of candidates the ranking returns.
MAX_CANDIDATES: Final = 1000

PlanState = Literal["draft", "approved", "closed"]
CaseState = Literal["planned", "in_progress", "completed", "cancelled"]
AlertStatus = Literal["active", "withdrawn"]
ShownAlertStatus = Literal["active", "withdrawn", "expired"]
RequestStatus = Literal["open", "accepted", "done", "rejected"]
RequestMove = Literal["accepted", "done", "rejected"]
Outcome = Literal["no_discrepancy", "discrepancy"]
CandidateOrder = Literal["risk", "recovery"]

#: state -> the states a case may move to.
CASE_MOVES: Final[dict[str, frozenset[str]]] = {
    "planned": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}
#: status -> the statuses a request may move to.
REQUEST_MOVES: Final[dict[str, frozenset[str]]] = {
    "open": frozenset({"accepted", "rejected"}),
    "accepted": frozenset({"done", "rejected"}),
    "done": frozenset(),
    "rejected": frozenset(),
}
#: state -> the states a plan may move to.
PLAN_MOVES: Final[dict[str, frozenset[str]]] = {
    "draft": frozenset({"approved"}),
    "approved": frozenset({"closed"}),
    "closed": frozenset(),
}

HsPrefix = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,10}$")]
Note = Annotated[str, Field(max_length=4000, pattern=PLAIN_TEXT)]
Money = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]
DocumentRef = Annotated[str, Field(min_length=1, max_length=200, pattern=PLAIN_LINE)]
Title = Annotated[str, Field(min_length=3, max_length=200, pattern=PLAIN_LINE)]
ProfileCode = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9-]+$")]


def _known_type(value: str) -> str:
    if value not in DISCREPANCY_TYPES:
        raise ValueError(
            N_(
                "unknown discrepancy type %(value)s; use one of %(types)s",
                value=repr(value),
                types=", ".join(DISCREPANCY_TYPES),
            )
        )
    return value


DiscrepancyType = Annotated[str, AfterValidator(_known_type)]


@dataclass(frozen=True, slots=True)
class AuditPeriod:
    """Customs days ``first_day`` to ``last_day``, both included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC), included."""
        return config.customs_day_start(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC), excluded."""
        return config.customs_day_end(self.last_day)


def customs_day(moment: datetime) -> date:
    """The customs day of an instant (in the installation's time zone)."""
    return config.customs_day(moment)


def period_problems(first: date, last: date, *, names: tuple[str, str]) -> list[FieldError]:
    """What is wrong with a period (empty: nothing), on the field of its first or last
    day (``names``): its days in order, within the longest period, from 2000 on."""
    if last < first:
        return [
            FieldError(
                (names[1],),
                N_("must not be before %(name)s (%(first)s)", name=names[0], first=first),
            )
        ]
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        return [
            FieldError(
                (names[1],),
                N_("the period is longer than %(days)s days", days=MAX_PERIOD_DAYS),
            )
        ]
    if first < date(2000, 1, 1):
        return [FieldError((names[0],), N_("must not be before 2000-01-01"))]
    return []


# =========================================================================== candidates


class CandidateReason(BaseModel):
    """Why a trader is a candidate, in plain words, with the figures behind the words
    (``kind`` names the sentence: web pages translate it with the figures)."""

    kind: str
    text: str
    values: dict[str, Any] = Field(default_factory=dict)


class CandidateRead(BaseModel):
    """A trader ranked for post-clearance audit (see :mod:`corridor.postentry.ranking`)."""

    rank: int = Field(description="1 is the first to audit")
    tin: str
    risk_score: float = Field(description="0-1: the logistic of risk_points (0.5: population)")
    risk_points: float = Field(description="sum of the weighted evidence (components)")
    expected_recovery: Money = Field(description="duties an audit may recover, KGS (estimate)")
    declarations: int = Field(description="declarations released green or blue in the period")
    value_released: Money = Field(description="their customs value, KGS")
    duties_released: Money = Field(description="the duties they declared, KGS")
    category: str | None = Field(description="the trader's compliance category in force")
    components: dict[str, float] = Field(description="risk points by indicator")
    reasons: list[CandidateReason]


class PopulationRates(BaseModel):
    """The population rates the ranking shrinks small samples toward."""

    discrepancy_rate: float
    undervalued_share: float
    mass_gap_share: float
    model_score: float | None


class CandidateRanking(BaseModel):
    """The ranking of one period and unit."""

    unit: str
    offices: list[str] | None = Field(description="None: every office")
    period_from: date
    period_to: date
    order: CandidateOrder
    total: int = Field(description="how many traders were ranked (before the limit)")
    population: PopulationRates
    price_version: int | None = Field(description="the reference prices compared with")
    candidates: list[CandidateRead]


# =========================================================================== plans


class PlanCreate(InputModel):
    """A new audit plan built from the ranking of its period and unit: the first
    ``capacity`` candidates (by risk, then expected recovery)."""

    unit: UnitCode | None = Field(default=None, description="default: the caller's unit")
    period_from: date
    period_to: date
    capacity: int = Field(ge=1, le=MAX_CAPACITY, description="how many audits the unit can do")


class PlanUpdate(InputModel):
    """A draft plan's new capacity."""

    capacity: int = Field(ge=1, le=MAX_CAPACITY)


class PlanItemAdd(InputModel):
    """A trader the head of the department adds to a draft plan."""

    tin: TraderId
    note: Note = ""


class PlanItemRead(BaseModel):
    """A trader of a plan."""

    id: int
    tin: str
    source: Literal["ranking", "manual"]
    rank: int | None
    risk_score: float | None
    expected_recovery: Money | None
    reasons: list[CandidateReason]
    note: str
    added_by: str
    added_at: datetime
    case_id: int | None = Field(description="the audit case opened for it, if any")


class PlanRead(BaseModel):
    """An audit plan with its traders."""

    id: int
    unit: str
    offices: list[str] | None = Field(description="None: every office")
    period_from: date
    period_to: date
    capacity: int
    state: PlanState
    items: list[PlanItemRead]
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None


class PlanSummary(BaseModel):
    """A plan in a listing."""

    id: int
    unit: str
    period_from: date
    period_to: date
    capacity: int
    items: int
    cases: int
    state: PlanState
    created_by: str
    created_at: datetime


# =========================================================================== cases


class CaseOpen(InputModel):
    """An audit case: for a trader of an approved plan (``plan_id`` and ``tin``), or ad hoc
    (``tin`` and a period; ``unit`` defaults to the caller's)."""

    plan_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    tin: TraderId
    unit: UnitCode | None = None
    period_from: date | None = None
    period_to: date | None = None
    auditor: Username | None = Field(default=None, description="a post-entry auditor")
    note: Note = ""


def case_open_problems(case_in: CaseOpen) -> list[FieldError]:
    """The rules across the fields of a new case (empty: none broken): a plan gives the
    unit and period, so they are left out; without a plan the period is required."""
    if case_in.plan_id is not None:
        return [
            FieldError((name,), N_("taken from the plan: leave it out"))
            for name in ("unit", "period_from", "period_to")
            if getattr(case_in, name) is not None
        ]
    missing = [
        FieldError((name,), N_("required for a case outside a plan"))
        for name in ("period_from", "period_to")
        if getattr(case_in, name) is None
    ]
    if missing or case_in.period_from is None or case_in.period_to is None:
        return missing
    return period_problems(case_in.period_from, case_in.period_to, names=_CASE_PERIOD)


_CASE_PERIOD = ("period_from", "period_to")


class CaseAssign(InputModel):
    """The auditor of a case."""

    auditor: Username


class CaseDeclarationAdd(InputModel):
    """A declaration of the audited trader brought into the case's scope."""

    declaration_number: DeclarationNumber
    declaration_version: int | None = Field(
        default=None, ge=1, le=999, description="default: the latest stored version"
    )


class CaseDocumentAdd(InputModel):
    """A reference to a document of the case: an act, a letter, a request for papers."""

    ref: DocumentRef


class CaseFindings(InputModel):
    """What the audit found, given when completing the case."""

    outcome: Outcome
    discrepancy_types: list[DiscrepancyType] = Field(
        default_factory=list,
        max_length=len(DISCREPANCY_TYPES),
        description=f"at least one with a discrepancy; of {', '.join(DISCREPANCY_TYPES)}",
    )
    additional_duties: Duties = Field(default=Decimal(0), description="assessed, KGS, >= 0")
    penalties: Duties = Field(default=Decimal(0), description="fines imposed, KGS, >= 0")
    notes: Note = ""


class CaseCancel(InputModel):
    """Why a case is cancelled."""

    note: Annotated[str, Field(min_length=3, max_length=4000, pattern=PLAIN_TEXT)]


class CaseDocument(BaseModel):
    """A document reference of a case."""

    ref: str
    added_by: str
    added_at: datetime


class CaseDeclarationRead(BaseModel):
    """A declaration version in a case's scope."""

    declaration_number: str
    declaration_version: int
    office: str
    registered_at: datetime
    channel: str | None = Field(description="after re-routes; None: not assessed")
    customs_value: Money | None
    linked: Literal["automatic", "manual"]
    added_by: str


class CaseRead(BaseModel):
    """An audit case."""

    id: int
    reference: str = Field(description="PEC-<id>, as the trader's findings cite it")
    plan_id: int | None
    tin: str
    unit: str
    offices: list[str] | None
    period_from: date
    period_to: date
    state: CaseState
    auditor: str | None
    note: str
    outcome: Outcome | None
    discrepancy_types: list[str]
    additional_duties: Money
    penalties: Money
    findings_notes: str
    documents: list[CaseDocument]
    declarations: list[CaseDeclarationRead]
    cancel_note: str | None
    opened_by: str
    opened_at: datetime
    started_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None


class CaseSummary(BaseModel):
    """A case in a listing."""

    id: int
    reference: str
    plan_id: int | None
    tin: str
    unit: str
    period_from: date
    period_to: date
    state: CaseState
    auditor: str | None
    outcome: Outcome | None
    additional_duties: Money
    penalties: Money
    opened_at: datetime


# =========================================================================== alerts


class AlertCreate(InputModel):
    """An alert (ориентировка) to the posts: what to look for, what to do, where and when.

    A declaration matches when every condition given holds: its importer is ``importer``;
    one of its goods items has an HS code starting with ``hs_prefix`` and (on the same
    item) the origin ``origin``. It is shown on matching declarations of the offices of
    ``units`` (head office: every office) and ``offices``, from ``valid_from`` to
    ``valid_to`` (customs days, included), until withdrawn.
    """

    title: Title
    instructions: Annotated[str, Field(min_length=3, max_length=4000, pattern=PLAIN_TEXT)]
    importer: TraderId | None = None
    hs_prefix: HsPrefix | None = None
    origin: CountryCode | None = None
    units: list[UnitCode] = Field(default_factory=list, max_length=50)
    offices: list[OfficeCode] = Field(default_factory=list, max_length=200)
    valid_from: date
    valid_to: date
    case_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


def alert_problems(alert_in: AlertCreate) -> list[FieldError]:
    """The rules across the fields of an alert (empty: none broken): a condition, an
    addressee, and a validity of at most :data:`MAX_ALERT_DAYS` days in order."""
    problems: list[FieldError] = []
    if alert_in.importer is None and alert_in.hs_prefix is None and alert_in.origin is None:
        problems.append(
            FieldError(("importer",), N_("give at least one of importer, hs_prefix, origin"))
        )
    if not alert_in.units and not alert_in.offices:
        problems.append(FieldError(("units",), N_("address at least one unit or office")))
    if alert_in.valid_to < alert_in.valid_from:
        problems.append(FieldError(("valid_to",), N_("must not be before valid_from")))
    elif (alert_in.valid_to - alert_in.valid_from).days + 1 > MAX_ALERT_DAYS:
        problems.append(
            FieldError(
                ("valid_to",), N_("an alert is in force %(days)s days at most", days=MAX_ALERT_DAYS)
            )
        )
    return problems


class AlertWithdraw(InputModel):
    """Why an alert is withdrawn before its last day."""

    note: Annotated[str, Field(min_length=3, max_length=4000, pattern=PLAIN_TEXT)]


class AlertRead(BaseModel):
    """An alert; ``status`` reads ``expired`` once an active alert's last day is past, and
    ``in_force`` says whether it is shown on declarations today."""

    id: int
    title: str
    instructions: str
    importer: str | None
    hs_prefix: str | None
    origin: str | None
    units: list[str]
    offices: list[str] | None = Field(description="None: every office")
    valid_from: date
    valid_to: date
    status: ShownAlertStatus
    in_force: bool
    case_id: int | None
    raised_by: str
    raised_unit: str
    raised_at: datetime
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdrawal_note: str | None


class InboxAlert(AlertRead):
    """An alert in a unit's inbox, with the unit's acknowledgement."""

    acknowledged_by: str | None
    acknowledged_at: datetime | None


# =========================================================================== requests


class ProfileRequestCreate(InputModel):
    """A request to a risk unit to draft a risk profile, with the evidence."""

    unit: UnitCode | None = Field(default=None, description="default: head office")
    title: Title
    text: Annotated[str, Field(min_length=3, max_length=8000, pattern=PLAIN_TEXT)]
    proposed_criteria: Annotated[str, Field(min_length=1, max_length=4000)] | None = Field(
        default=None, description="in the criteria language; checked when given"
    )
    case_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="the evidence")


class ProfileRequestHandle(InputModel):
    """The answer of the risk unit, with the profile drafted when it is done."""

    response: Note = ""
    profile_code: ProfileCode | None = None


class ProfileRequestRead(BaseModel):
    """A request to draft a profile."""

    id: int
    unit: str
    title: str
    text: str
    proposed_criteria: str | None
    case_id: int | None
    status: RequestStatus
    raised_by: str
    raised_unit: str
    raised_at: datetime
    handled_by: str | None
    handled_at: datetime | None
    response: str
    profile_code: str | None


# =========================================================================== inbox


class InboxRead(BaseModel):
    """A unit's inbox: the alerts addressed to its offices, and the requests to it."""

    unit: str
    alerts: list[InboxAlert]
    requests: list[ProfileRequestRead]
    unacknowledged: int
    open_requests: int
