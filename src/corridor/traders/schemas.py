"""Pydantic shapes of trader history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.declarations.schemas import PlainDecimal

#: The roles history is kept for: the importer of a declaration and its declarant (broker).
TraderRole = Literal["importer", "declarant"]
TRADER_ROLES: tuple[TraderRole, ...] = ("importer", "declarant")


class TraderHistoryRead(BaseModel):
    """What history says of one trader in one role, as of its last refresh.

    Counts are of declarations (each number once, whatever its versions);
    ``inspections`` and ``discrepancies`` count those whose current inspection act
    exists, and found a discrepancy. Dates are UTC days.
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
    refreshed_at: datetime


class HistoryRefreshRead(BaseModel):
    """What a refresh of trader history wrote."""

    importers: int
    declarants: int
    refreshed_at: datetime
