"""Pydantic shapes of measures, reference lists, risk profiles and office parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridor.errors import N_
from corridor.reference.codes import FLOWS, PROCEDURES
from corridor.text import InputModel

MeasureChannel = Literal["red", "yellow", "blue", "none"]
ProfileKind = Literal["national", "regional", "post", "target", "model"]
RiskArea = Literal[
    "valuation",
    "classification",
    "origin",
    "prohibitions",
    "ipr",
    "smuggling",
    "security",
    "transit",
    "other",
]
ProfileStatus = Literal[
    "draft", "submitted", "approved", "active", "suspended", "retired", "expired"
]
ListKind = Literal["companies", "countries", "hs_prefixes", "vehicles", "containers", "custom"]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False, decimal_places=4)]
Multiplier = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False, decimal_places=4)]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{1,39}$")]
ListName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,59}$")]
OfficeCode = Annotated[str, Field(min_length=2, max_length=17, pattern=r"^[A-Z0-9]+$")]
FlowCode = Literal["IM", "EX", "TR"]


class _In(InputModel):
    pass


# --------------------------------------------------------------------------- measures


class MeasureCreate(_In):
    """A new form of control in the catalogue."""

    code: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,10}$")]
    name: str = Field(min_length=1, max_length=200)
    channel: MeasureChannel
    description: str = Field(default="", max_length=2000)


class MeasureUpdate(_In):
    """A change to a measure (its code is its identity)."""

    name: str = Field(min_length=1, max_length=200)
    channel: MeasureChannel
    description: str = Field(default="", max_length=2000)


class MeasureRead(BaseModel):
    """A measure of the catalogue."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    channel: MeasureChannel
    description: str
    updated_at: datetime
    updated_by: str


# --------------------------------------------------------------------------- lists

#: Fact fields a list of each kind is keyed on unless told otherwise.
DEFAULT_KEYS: dict[str, tuple[list[str], list[str]]] = {
    "companies": (["importer"], []),
    "countries": (["origin"], []),
    "hs_prefixes": (["hs_code"], ["hs_code"]),
    "vehicles": (["vehicle_id"], []),
    "containers": (["containers"], []),
}


class ReferenceListCreate(_In):
    """A new named list with its first entries (each entry one value per key field)."""

    name: ListName
    kind: ListKind
    description: str = Field(default="", max_length=2000)
    key_fields: list[str] | None = Field(default=None, min_length=1, max_length=6)
    prefix_fields: list[str] | None = None
    confidential: bool = False
    entries: list[list[Annotated[str, Field(min_length=1, max_length=100)]]] = Field(
        default_factory=list, max_length=200_000
    )

    @model_validator(mode="after")
    def _keys(self) -> Self:
        if self.key_fields is None:
            if self.kind == "custom":
                raise ValueError(N_("key_fields are required for a custom list"))
            keys, prefixes = DEFAULT_KEYS[self.kind]
            self.key_fields = list(keys)
            if self.prefix_fields is None:
                self.prefix_fields = list(prefixes)
        self.prefix_fields = self.prefix_fields or []
        if not set(self.prefix_fields) <= set(self.key_fields):
            raise ValueError(N_("prefix_fields must be among key_fields"))
        _check_entries(self.entries, len(self.key_fields))
        return self


class ReferenceListEntries(_In):
    """A new version of a list's entries (replaces the previous version's)."""

    entries: list[list[Annotated[str, Field(min_length=1, max_length=100)]]] = Field(
        max_length=200_000
    )
    comment: str = Field(default="", max_length=2000)


def _check_entries(entries: list[list[str]], width: int) -> None:
    for index, entry in enumerate(entries):
        if len(entry) != width:
            raise ValueError(
                N_(
                    "entry %(index)s has %(count)s values, the list is keyed on %(width)s field(s)",
                    index=index,
                    count=len(entry),
                    width=width,
                )
            )


class ReferenceListRead(BaseModel):
    """A list; ``entries`` only for those allowed to see them."""

    name: str
    kind: str
    description: str
    key_fields: list[str]
    prefix_fields: list[str]
    confidential: bool
    version: int
    entry_count: int
    entries: list[list[str]] | None = None
    updated_at: datetime
    updated_by: str


class ReferenceListVersionRead(BaseModel):
    """One version of a list's entries, without them: when, by whom, how many, why."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    entry_count: int
    comment: str
    created_at: datetime
    created_by: str


# --------------------------------------------------------------------------- profiles


class MeasureUse(_In):
    """A measure a profile applies, mandatory or optional (for exempt traders only
    mandatory measures apply)."""

    code: str = Field(min_length=1, max_length=10)
    mandatory: bool = True


class ProfileDraft(_In):
    """The content of a risk profile version, as an analyst writes it."""

    title: str = Field(min_length=3, max_length=200)
    kind: ProfileKind = "national"
    risk_area: RiskArea
    criteria: str = Field(min_length=1, max_length=10_000)
    measures: list[MeasureUse] = Field(min_length=1, max_length=20)
    selection_rate: Percent = Decimal(100)
    offices: list[OfficeCode] = Field(default_factory=list, description="empty: all offices")
    flows: list[FlowCode] = Field(default_factory=list, description="empty: all flows")
    procedures: list[str] = Field(default_factory=list, description="empty: all procedures")
    exempt_low_risk: bool = False
    exempt_aeo: bool = False
    valid_from: date | None = None
    valid_to: date | None = None
    officer_instructions: str = Field(default="", max_length=4000)
    rationale: str = Field(default="", max_length=8000)
    expected_per_month: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        unknown = [p for p in self.procedures if p not in PROCEDURES]
        if unknown:
            raise ValueError(N_("unknown customs procedures %(unknown)s", unknown=unknown))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(N_("valid_to is before valid_from"))
        codes = [m.code for m in self.measures]
        if len(set(codes)) != len(codes):
            raise ValueError(N_("a measure is listed twice"))
        if any(flow not in FLOWS for flow in self.flows):  # pragma: no cover - Literal
            raise ValueError(N_("unknown flow"))
        return self


class ProfileCreate(ProfileDraft):
    """A new profile: its code and the content of version 1."""

    code: Code


class TransitionIn(_In):
    """A change of state, with a comment for the journal."""

    comment: str = Field(default="", max_length=2000)


class TransitionRead(BaseModel):
    """One journal entry of a profile version."""

    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    comment: str


class ProfileRead(ProfileDraft):
    """A stored profile version (criteria only for those allowed to see them)."""

    model_config = ConfigDict(extra="ignore")

    code: str
    version: int
    status: ProfileStatus
    criteria: str | None = Field(  # type: ignore[assignment]
        description="None when the caller is not cleared to see criteria"
    )
    author: str
    created_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    activated_at: datetime | None
    ended_at: datetime | None
    transitions: list[TransitionRead] = Field(default_factory=list)
    intelligence: bool = Field(
        default=False,
        description=(
            "intelligence material: a target profile, or criteria reading a confidential "
            "list (seen only by roles cleared for intelligence)"
        ),
    )


@dataclass(frozen=True, slots=True)
class Intelligence:
    """What is intelligence material at one moment: the confidential lists' names and
    the profile versions (by code and version, and by id) that are targets or read one
    of those lists. Edges hide both from roles without the intelligence clearance."""

    lists: frozenset[str]
    profiles: frozenset[tuple[str, int]]
    version_ids: frozenset[int]


class CriteriaCheck(_In):
    """Criteria to check against the facts and lists, without saving anything."""

    criteria: str = Field(min_length=1, max_length=10_000)


class CriteriaProblem(BaseModel):
    """Where and why the criteria do not compile."""

    message: str
    line: int | None
    column: int | None
    excerpt: str | None
    suggestion: str | None


class CriteriaResult(BaseModel):
    """The outcome of a criteria check."""

    valid: bool
    fields: list[str] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list)
    canonical: str | None = None
    problem: CriteriaProblem | None = None


# --------------------------------------------------------------------------- office parameters


class OfficeParametersIn(_In):
    """Random control rates (percent of declarations) per channel, an optional floor, and
    the multipliers (0-1) of the random rates for low-risk traders and AEO holders."""

    random_red: Percent = Decimal(0)
    random_yellow: Percent = Decimal(0)
    random_blue: Percent = Decimal(0)
    expected_floor: Percent | None = None
    low_risk_multiplier: Multiplier = Field(
        default=Decimal(1), description="random rates × this for low-risk traders (1: as others)"
    )
    aeo_multiplier: Multiplier = Field(
        default=Decimal(1), description="random rates × this for AEO holders (1: as others)"
    )


class OfficeParametersRead(OfficeParametersIn):
    """Stored parameters of one office and flow."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    office: str
    flow: str
    updated_at: datetime
    updated_by: str
