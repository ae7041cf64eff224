"""Pydantic shapes of inspection acts, the coded lists they use, and the rules across fields.

Field rules (types, ranges, code lists) are in the models; the rules across
fields are in :func:`findings_problems`, which the use case calls for every act
whichever way it came (API or file), so that each rule lives once and names the
offending field. Rules that need the database (the declaration, its decision,
the measures catalogue) are in ``service.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
)

from corridor.config import wall_clock
from corridor.declarations.schemas import CLOCK_SKEW, EARLIEST_REGISTRATION
from corridor.errors import N_, FieldError
from corridor.reference.codes import DISCREPANCY_TYPES
from corridor.text import PLAIN_LINE, PLAIN_TEXT, InputModel

#: Why a measure of the decision was applied only partly or not at all.
MEASURE_REASONS: dict[str, str] = {
    "GOODS-UNAVAILABLE": "the goods were not presented or could not be reached",
    "DOCS-SUFFICIENT": "the documents presented answered the risk; the measure was not needed",
    "SUPERVISOR-WAIVED": "waived by the head of the post or a superior, in writing",
    "EQUIPMENT-UNAVAILABLE": "scanner, scales or laboratory equipment not available",
    "TIME-LIMIT": "the legal time limit for release did not allow it",
    "SAFETY-RISK": "safety rules did not allow it (hazardous goods, weather, site)",
}

MeasureStatus = Literal["applied", "partly_applied", "not_applied"]
Outcome = Literal["no_discrepancy", "discrepancy"]
#: How a declaration came to be inspected. ``profile``, ``random`` and ``reroute`` are
#: derived from the decision; ``discretionary`` is an officer's choice without one.
SelectionBasis = Literal["profile", "random", "reroute", "discretionary"]
#: What callers not cleared for a decision's reasons see instead of profile or random:
#: telling them apart would unblind the random control group.
SELECTED = "selected"
ShownSelectionBasis = Literal["profile", "random", "reroute", "discretionary", "selected"]
#: Channels that send a declaration to an inspector.
INSPECTION_CHANNELS = frozenset({"red", "yellow"})

#: The longest an inspection may take, in minutes (some 167 hours: a month of working days).
MAX_MINUTES = 10_000


def _known_reason(value: str) -> str:
    if value not in MEASURE_REASONS:
        raise ValueError(
            N_(
                "unknown reason code %(value)s; use one of %(codes)s",
                value=repr(value),
                codes=", ".join(MEASURE_REASONS),
            )
        )
    return value


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


def _since_2000(value: datetime) -> datetime:
    # Checked before converting to UTC: year 1 with a positive offset has no UTC time.
    if value < EARLIEST_REGISTRATION:
        raise ValueError(
            N_("%(moment)s is before 2000, when no declaration existed", moment=value.isoformat())
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-06:00 is in the year 10000 in UTC
        raise ValueError(N_("%(moment)s is out of range", moment=value.isoformat())) from None


def _not_in_future(value: datetime, info: ValidationInfo) -> datetime:
    # A file import passes the time once in the context instead of reading the clock per row.
    context = info.context if isinstance(info.context, dict) else {}
    # Without one (a body FastAPI validates at the edge) the edge's clock is read here.
    now = context.get("now") or wall_clock()
    if value > now + CLOCK_SKEW:
        raise ValueError(
            N_("inspection time %(moment)s is in the future", moment=value.isoformat())
        )
    return value


ReasonCode = Annotated[str, AfterValidator(_known_reason)]
DiscrepancyType = Annotated[str, AfterValidator(_known_type)]
MeasureCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{1,10}$")]
#: The rule of ``DeclarationCreate.number``: an act names a declaration that could be stored.
DeclarationNumber = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/\-_.]*$")
]
#: A moment with a time zone, in UTC, not before 2000 (filters of the listing and the queue).
Moment = Annotated[AwareDatetime, AfterValidator(_since_2000)]
InspectedAt = Annotated[Moment, AfterValidator(_not_in_future)]
Duties = Annotated[
    Decimal,
    Field(ge=0, allow_inf_nan=False, max_digits=18, decimal_places=2),
    # One representation per amount (100, 100.00 and 1E+2 alike), as the database gives
    # it back; adding 0 turns -0 into 0.
    AfterValidator(lambda value: (value + 0).normalize()),
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]
PlainDecimal = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]
#: The rule of account usernames (``accounts.schemas.Username``).
Inspector = Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{1,59}$")]


# --------------------------------------------------------------------------- input


class MeasureResult(InputModel):
    """What became of one measure: applied, partly applied or not applied (with a reason)."""

    code: MeasureCode
    status: MeasureStatus
    reason_code: ReasonCode | None = Field(
        default=None,
        description=f"required unless applied; one of {', '.join(MEASURE_REASONS)}",
    )


class InspectionFindings(InputModel):
    """What the inspector found: shared by a first act and a correction."""

    selection_basis: Literal["discretionary"] | None = Field(
        default=None,
        description=(
            "leave out: derived from the decision (profile, random or re-route); "
            "'discretionary' only for a declaration no profile, draw or re-route selected"
        ),
    )
    measures: list[MeasureResult] = Field(
        min_length=1,
        max_length=50,
        description="every measure of the decision, each once (any catalogue measure "
        "when discretionary or re-routed)",
    )
    outcome: Outcome
    discrepancy_types: list[DiscrepancyType] = Field(
        default_factory=list,
        max_length=len(DISCREPANCY_TYPES),
        description=f"at least one with a discrepancy; one of {', '.join(DISCREPANCY_TYPES)}",
    )
    additional_duties: Duties = Field(
        default=Decimal(0), description="assessed at inspection, national currency (KGS), >= 0"
    )
    seizure: bool = False
    offence_case: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        pattern=PLAIN_LINE,
        description="number of the offence case; required when goods were seized",
    )
    minutes_spent: int = Field(ge=0, le=MAX_MINUTES)
    notes: str = Field(default="", max_length=4000, pattern=PLAIN_TEXT)
    inspected_at: InspectedAt = Field(
        description="with a time zone; not in the future, not before the registration"
    )


_EXAMPLE: dict[str, Any] = {
    "declaration_number": "KGBSK/011026/0000001",
    "measures": [
        {"code": "109", "status": "applied"},
        {"code": "601", "status": "not_applied", "reason_code": "DOCS-SUFFICIENT"},
    ],
    "outcome": "discrepancy",
    "discrepancy_types": ["valuation"],
    "additional_duties": "48500.00",
    "minutes_spent": 95,
    "notes": "Invoice value 40 % below the sales contract found in the cabin.",
    "inspected_at": "2026-10-01T14:10:00+06:00",
}


class InspectionActCreate(InspectionFindings):
    """A first inspection act for one declaration version."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    declaration_number: DeclarationNumber
    declaration_version: int | None = Field(
        default=None, ge=1, le=999, description="default: the latest stored version"
    )


class InspectionActImport(InspectionActCreate):
    """One act of an import file: written on paper first, so it names its inspector."""

    inspector: Inspector


class InspectionActCorrection(InspectionFindings):
    """A new version of an act: the whole act again, and why it changed."""

    correction_reason: str = Field(min_length=3, max_length=4000, pattern=PLAIN_TEXT)


# --------------------------------------------------------------------------- rules


def findings_problems(findings: InspectionFindings) -> list[FieldError]:
    """Every rule across the fields of an act that ``findings`` breaks (empty: none)."""
    problems: list[FieldError] = []
    found = findings.outcome == "discrepancy"
    if found and not findings.discrepancy_types:
        problems.append(
            FieldError(
                ("discrepancy_types",), N_("at least one type is required with a discrepancy")
            )
        )
    if not found and findings.discrepancy_types:
        problems.append(
            FieldError(
                ("discrepancy_types",), N_("must be empty when the outcome is no_discrepancy")
            )
        )
    if not found and findings.additional_duties > 0:
        problems.append(
            FieldError(("additional_duties",), N_("must be 0 when the outcome is no_discrepancy"))
        )
    if not found and findings.seizure:
        problems.append(FieldError(("seizure",), N_("a seizure needs the outcome discrepancy")))
    if findings.seizure and not findings.offence_case:
        problems.append(FieldError(("offence_case",), N_("required when goods were seized")))
    # With a seizure too, the seizure is the problem reported (one mistake, one error).
    if not found and findings.offence_case and not findings.seizure:
        problems.append(
            FieldError(("offence_case",), N_("an offence case needs the outcome discrepancy"))
        )
    for index, kind in enumerate(findings.discrepancy_types):
        if kind in findings.discrepancy_types[:index]:
            problems.append(
                FieldError(("discrepancy_types", index), N_("%(kind)s is listed twice", kind=kind))
            )
    seen: set[str] = set()
    for index, measure in enumerate(findings.measures):
        if measure.code in seen:
            problems.append(
                FieldError(
                    ("measures", index, "code"),
                    N_("measure %(code)s is listed twice", code=measure.code),
                )
            )
        seen.add(measure.code)
        if measure.status == "applied" and measure.reason_code is not None:
            problems.append(
                FieldError(
                    ("measures", index, "reason_code"),
                    N_("only a measure partly or not applied has a reason code"),
                )
            )
        if measure.status != "applied" and measure.reason_code is None:
            problems.append(
                FieldError(
                    ("measures", index, "reason_code"),
                    N_("required when the measure is partly_applied")
                    if measure.status == "partly_applied"
                    else N_("required when the measure is not_applied"),
                )
            )
    return problems


# --------------------------------------------------------------------------- output


class MeasureResultRead(BaseModel):
    """A stored measure result."""

    code: str
    status: MeasureStatus
    reason_code: str | None = None


class InspectionActRead(BaseModel):
    """A stored inspection act version.

    ``selection_basis`` is ``selected`` (instead of profile or random) for callers
    not cleared for a decision's reasons: the random control group stays blind.
    """

    id: int
    declaration_number: str
    declaration_version: int
    act_version: int
    current: bool = Field(description="false once a correction replaced this version")
    office: str
    selection_basis: ShownSelectionBasis
    measures: list[MeasureResultRead]
    outcome: Outcome
    discrepancy_types: list[str]
    additional_duties: PlainDecimal
    seizure: bool
    offence_case: str | None
    minutes_spent: int
    notes: str
    inspector: str
    inspected_at: datetime
    recorded_by: str
    recorded_at: datetime
    correction_reason: str | None
    source: str


class InspectionActPage(BaseModel):
    """A page of acts, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[InspectionActRead]
    next_cursor: str | None


class QueueMeasure(BaseModel):
    """A measure an inspector is to apply (no source: the reasons stay confidential)."""

    code: str
    name: str
    channel: str
    mandatory: bool


class QueueEntry(BaseModel):
    """A declaration waiting for its inspection act."""

    declaration_number: str
    declaration_version: int
    office: str
    registered_at: datetime
    channel: Literal["red", "yellow"] = Field(description="after re-routes")
    rerouted: bool
    measures: list[QueueMeasure]
    instructions: list[str] = Field(description="officer instructions of the selecting profiles")


class QueuePage(BaseModel):
    """A page of the queue, oldest registration first."""

    items: list[QueueEntry]
    next_cursor: str | None


class InspectionReasons(BaseModel):
    """The coded lists an act uses."""

    reason_codes: dict[str, str]
    discrepancy_types: dict[str, str]
