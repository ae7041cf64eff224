"""Pydantic shapes of the trader register: traders, history, categories, overrides, AEO."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from corridor.config import customs_day, wall_clock
from corridor.declarations.schemas import PlainDecimal
from corridor.errors import N_
from corridor.text import PLAIN_LINE, InputModel

#: The roles history is kept for: the importer of a declaration and its declarant (broker).
TraderRole = Literal["importer", "declarant"]
TRADER_ROLES: tuple[TraderRole, ...] = ("importer", "declarant")
#: The roles of the register: the importer of an import, the exporter of an export, the
#: declarant of any declaration (no declaration field names the carrier).
RegisterRole = Literal["importer", "exporter", "declarant"]
REGISTER_ROLES: tuple[RegisterRole, ...] = ("importer", "exporter", "declarant")
Category = Literal["low", "medium", "high"]
CATEGORIES: tuple[Category, ...] = ("low", "medium", "high")

#: Authorised Economic Operator certificates: the three types of the EAEU Customs Code
#: (articles 432-437). Each type grants its own simplifications; for selectivity any valid
#: certificate makes the trader an AEO holder.
AeoKind = Literal["AEO-1", "AEO-2", "AEO-3"]
AEO_KINDS: dict[str, str] = {
    "AEO-1": "first type: simplifications of customs transit and temporary storage",
    "AEO-2": "second type: customs operations and release at the holder's premises",
    "AEO-3": "third type: the simplifications of the first and second types",
}

#: A TIN as the register keys it (a path segment: no slash).
Tin = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-.]+$")]
#: Traders listed on one page at most.
MAX_PAGE = 500


def _today() -> date:
    # The model is validated by FastAPI at the edge, where there is no context to carry a
    # moment: the edge's clock is read here.
    return customs_day(wall_clock())


class TraderHistoryRead(BaseModel):
    """What history says of one trader in one role, as of its last refresh.

    Counts are of declarations registered before the refresh (each number once,
    whatever its versions); ``inspections`` and ``discrepancies`` count those whose
    current inspection act, recorded before the refresh, exists, and found a
    discrepancy. Dates are UTC days. An importer's ``priced_items`` are its goods items
    (latest versions) with a value ratio against the reference prices in force at the
    refresh, ``underpriced_items`` those under half the price (None for a declarant,
    and before the first refresh that counted them).
    """

    model_config = ConfigDict(from_attributes=True)

    tin: str
    role: TraderRole
    declarations: int
    inspections: int
    discrepancies: int
    additional_duties: PlainDecimal = Field(description="national currency, current acts")
    first_seen: date | None
    last_seen: date | None
    last_inspection: date | None
    last_discrepancy: date | None
    priced_items: int | None = None
    underpriced_items: int | None = None
    refreshed_at: datetime


class HistoryRefreshRead(BaseModel):
    """What a refresh of trader history wrote."""

    importers: int
    declarants: int
    refreshed_at: datetime


class RegisterRefreshRead(BaseModel):
    """What a refresh of the register wrote: traders, names seen, and history."""

    traders: int
    names: int
    history: HistoryRefreshRead
    refreshed_at: datetime


# --------------------------------------------------------------------------- categories


class ScoreRead(BaseModel):
    """A trader's computed compliance score and category, with the score's components
    (see :mod:`corridor.traders.scoring` for the formula)."""

    model_config = ConfigDict(from_attributes=True)

    category: Category
    score: float
    components: dict[str, Any]
    computed_at: datetime


class CategoryChangeRead(BaseModel):
    """A change of a trader's category: computed, or an override set or lifted."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tin: str
    from_category: Category | None
    to_category: Category | None
    score: float | None
    components: dict[str, Any]
    source: Literal["computed", "override"]
    reason: str
    actor: str
    at: datetime


class RecategoriseRead(BaseModel):
    """What a recategorisation found."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    as_of: date
    actor: str
    population_rate: float | None = Field(
        description="discrepancy rate of all controls, the prior the rates shrink toward"
    )
    traders: int
    low: int
    medium: int
    high: int
    changes: int


class RecategoriseIn(InputModel):
    """A recategorisation asked for: the day to score as of (default: today)."""

    as_of: date | None = None


class OverrideCreate(InputModel):
    """A manual category for a trader, with the reason, until a day (inclusive)."""

    category: Category
    reason: str = Field(min_length=3, max_length=2000)
    valid_until: date = Field(description="the last day it applies; after today")

    @field_validator("valid_until")
    @classmethod
    def _in_the_future(cls, value: date) -> date:
        if value <= _today():
            raise ValueError(N_("must be a day after today"))
        return value


class ReasonIn(InputModel):
    """Why an override is lifted or an AEO certificate ended."""

    reason: str = Field(min_length=3, max_length=2000)


class OverrideRead(BaseModel):
    """A manual category of a trader: in force until ``valid_until`` unless lifted."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tin: str
    category: Category
    reason: str
    valid_until: date
    created_by: str
    created_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None
    in_force: bool = False


# --------------------------------------------------------------------------- AEO


class AeoSet(InputModel):
    """An AEO certificate of a trader: number, type and validity."""

    certificate: str = Field(min_length=1, max_length=60, pattern=PLAIN_LINE)
    kind: AeoKind
    valid_from: date
    valid_to: date

    @field_validator("valid_to")
    @classmethod
    def _after_the_start(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("valid_from")
        if start is not None and value < start:
            raise ValueError(N_("must not be before valid_from"))
        return value


class AeoRead(BaseModel):
    """An AEO certificate: it has effect from ``valid_from`` to ``valid_to`` unless ended."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tin: str
    certificate: str
    kind: AeoKind
    valid_from: date
    valid_to: date
    recorded_by: str
    recorded_at: datetime
    ended_by: str | None
    ended_at: datetime | None
    end_reason: str | None
    in_force: bool = False


# --------------------------------------------------------------------------- findings


class FindingRead(BaseModel):
    """What a completed post-entry audit case found of a trader."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tin: str
    case_ref: str
    discrepancy_types: list[str]
    additional_duties: PlainDecimal
    penalties: PlainDecimal
    found_at: datetime
    recorded_by: str
    recorded_at: datetime


# --------------------------------------------------------------------------- the register


class TraderNameRead(BaseModel):
    """A name a trader was declared under."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    first_seen: date | None
    last_seen: date | None
    declarations: int


class TraderSummary(BaseModel):
    """A trader in the register's listing."""

    tin: str
    names: list[str]
    roles: list[RegisterRole]
    declarations: int
    first_seen: date | None
    last_seen: date | None
    category: Category | None = Field(description="in force: the override's, else computed")
    computed_category: Category | None
    score: float | None
    overridden: bool
    aeo: bool


class TraderPage(BaseModel):
    """A page of the register (by TIN); pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[TraderSummary]
    next_cursor: str | None


class TraderRead(BaseModel):
    """Everything the register knows of one trader."""

    tin: str
    roles: list[RegisterRole]
    declarations: int
    first_seen: date | None
    last_seen: date | None
    refreshed_at: datetime
    names: list[TraderNameRead]
    category: Category | None = Field(description="in force: the override's, else computed")
    category_source: Literal["computed", "override"] | None
    score: ScoreRead | None
    override: OverrideRead | None = Field(description="the override in force, if any")
    overrides: list[OverrideRead]
    aeo: AeoRead | None = Field(description="the AEO certificate in force, if any")
    certificates: list[AeoRead]
    history: list[TraderHistoryRead]
    changes: list[CategoryChangeRead]
    findings: list[FindingRead]
