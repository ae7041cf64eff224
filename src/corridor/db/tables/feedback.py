"""The feedback loop: inspection acts, decision hits, reference prices, trader history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import Id
from corridor.db.types import ExactDecimal, JsonDocument, UtcDateTime


class InspectionActRow(Base):
    """What an inspector found on one declaration version. Append-only: a correction is a
    new act version with a reason; the earlier one stays."""

    __tablename__ = "inspection_acts"
    __table_args__ = (
        UniqueConstraint("declaration_id", "act_version"),
        Index(None, "inspected_at"),
        Index(None, "office", "inspected_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("declarations.id", ondelete="RESTRICT"), index=True
    )
    act_version: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # the latest act version
    office: Mapped[str] = mapped_column(String(17))  # the declaration's, for filtering
    # profile | random | discretionary (an officer's choice without a profile) | reroute
    selection_basis: Mapped[str] = mapped_column(String(20))
    # [{"code": "109", "status": "applied" | "partly_applied" | "not_applied",
    #   "reason_code": str | None}]
    measures: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    outcome: Mapped[str] = mapped_column(String(20))  # no_discrepancy | discrepancy
    discrepancy_types: Mapped[list[str]] = mapped_column(JsonDocument)
    additional_duties: Mapped[Decimal] = mapped_column(ExactDecimal())
    seizure: Mapped[bool] = mapped_column(Boolean, default=False)
    offence_case: Mapped[str | None] = mapped_column(String(60))
    minutes_spent: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    inspector: Mapped[str] = mapped_column(String(60))
    inspected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    correction_reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # api | web | import | demo


class DecisionHitRow(Base):
    """One profile that matched a decision (selected or not): the decision's hits as rows,
    so that profile statistics aggregate in SQL instead of reading JSON."""

    __tablename__ = "decision_hits"
    __table_args__ = (Index(None, "profile_code", "profile_version"),)

    decision_id: Mapped[int] = mapped_column(
        Id, ForeignKey("decisions.id", ondelete="RESTRICT"), primary_key=True
    )
    profile_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    profile_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    selected: Mapped[bool] = mapped_column(Boolean)
    exempt: Mapped[bool] = mapped_column(Boolean)


class ReferencePriceRow(Base):
    """A reference unit value computed from history, one row per key and price version.

    Key: HS code prefix (10, 6 or 4 digits), origin ("*" for all), basis ("kg" or
    "unit" with the supplementary unit). Values are in national currency per kg or
    per supplementary unit; bounds are robust, computed in log space.
    """

    __tablename__ = "reference_prices"
    __table_args__ = (
        UniqueConstraint("price_version", "hs_code", "origin", "basis", "unit"),
        Index(None, "hs_code", "price_version"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    price_version: Mapped[int] = mapped_column(Integer, index=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(3))
    basis: Mapped[str] = mapped_column(String(4))  # kg | unit
    unit: Mapped[str] = mapped_column(String(10))  # supplementary unit; "" for kg
    count: Mapped[int] = mapped_column(Integer)
    median: Mapped[Decimal] = mapped_column(ExactDecimal())
    q1: Mapped[Decimal] = mapped_column(ExactDecimal())
    q3: Mapped[Decimal] = mapped_column(ExactDecimal())
    low: Mapped[Decimal] = mapped_column(ExactDecimal())
    high: Mapped[Decimal] = mapped_column(ExactDecimal())
    source: Mapped[str] = mapped_column(String(10))  # computed | override


class PriceOverrideRow(Base):
    """An analyst's manual reference price, with the reason; applied at each refresh."""

    __tablename__ = "reference_price_overrides"
    __table_args__ = (UniqueConstraint("hs_code", "origin", "basis", "unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(3))
    basis: Mapped[str] = mapped_column(String(4))
    unit: Mapped[str] = mapped_column(String(10))
    median: Mapped[Decimal] = mapped_column(ExactDecimal())
    low: Mapped[Decimal] = mapped_column(ExactDecimal())
    high: Mapped[Decimal] = mapped_column(ExactDecimal())
    reason: Mapped[str] = mapped_column(Text)
    valid_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PriceRefreshRow(Base):
    """One refresh of the reference prices: its version, when, by whom, from what."""

    __tablename__ = "reference_price_refreshes"

    price_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    computed_by: Mapped[str] = mapped_column(String(60))
    history_from: Mapped[date | None] = mapped_column(Date)
    history_to: Mapped[date | None] = mapped_column(Date)
    items_used: Mapped[int] = mapped_column(Integer)
    items_excluded: Mapped[int] = mapped_column(Integer)  # found misvalued at inspection
    prices: Mapped[int] = mapped_column(Integer)


class TraderHistoryRow(Base):
    """What history says of a trader in one role (importer, declarant), as of a refresh."""

    __tablename__ = "trader_history"

    tin: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)  # importer | declarant
    declarations: Mapped[int] = mapped_column(Integer)
    inspections: Mapped[int] = mapped_column(Integer)
    discrepancies: Mapped[int] = mapped_column(Integer)
    additional_duties: Mapped[Decimal] = mapped_column(ExactDecimal())
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    last_inspection: Mapped[date | None] = mapped_column(Date)
    last_discrepancy: Mapped[date | None] = mapped_column(Date)
    # An importer's goods items with a value ratio against the reference prices in force
    # at the refresh, and those under half the price; null for a declarant.
    priced_items: Mapped[int | None] = mapped_column(Integer)
    underpriced_items: Mapped[int | None] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime())
