"""Declarations (versioned, append-only), their goods items, ground truth, import runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.tables.base import Base
from corridor.db.types import ExactDecimal, JsonDocument, UtcDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class DeclarationRow(Base):
    """One version of a declaration header. Rows are never updated or deleted."""

    __tablename__ = "declarations"
    __table_args__ = (
        UniqueConstraint("number", "version"),
        Index(None, "office", "registered_at"),
        Index(None, "registered_at"),
        Index(None, "importer"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(SmallInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    flow: Mapped[str] = mapped_column(String(2))
    procedure: Mapped[str] = mapped_column(String(2))
    office: Mapped[str] = mapped_column(String(17))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    declarant: Mapped[str] = mapped_column(String(40))
    importer: Mapped[str | None] = mapped_column(String(40))
    exporter: Mapped[str | None] = mapped_column(String(40))
    exporter_country: Mapped[str | None] = mapped_column(String(2))
    dispatch_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    transport_mode: Mapped[int] = mapped_column(SmallInteger)
    vehicle_id: Mapped[str | None] = mapped_column(String(40))
    containers: Mapped[list[str]] = mapped_column(JsonDocument)
    incoterms: Mapped[str | None] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    documents: Mapped[list[str]] = mapped_column(JsonDocument)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    item_count: Mapped[int] = mapped_column(SmallInteger)
    total_customs_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    source: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class GoodsItemRow(Base):
    """One goods item of a declaration version."""

    __tablename__ = "declaration_items"
    __table_args__ = (Index(None, "hs_code"),)

    declaration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("declarations.id", ondelete="RESTRICT"), primary_key=True
    )
    item_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(2))
    preference: Mapped[str | None] = mapped_column(String(20))
    net_mass_kg: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    gross_mass_kg: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    supplementary_qty: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    supplementary_unit: Mapped[str | None] = mapped_column(String(20))
    invoice_value: Mapped[Decimal] = mapped_column(ExactDecimal())
    customs_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    duty_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    duties: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class GroundTruthRow(Base):
    """A recorded truth about a declaration, kept apart from it.

    Public datasets carry fraud labels and the demo world plants fraud with known
    answers; both serve later as inspection history and for scoring detection.
    The declaration API never returns them.
    """

    __tablename__ = "declaration_ground_truth"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("declarations.id", ondelete="RESTRICT"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))
    fraud: Mapped[bool] = mapped_column(Boolean)
    critical_fraud: Mapped[int | None] = mapped_column(SmallInteger)
    pattern: Mapped[str | None] = mapped_column(String(40))
    item_no: Mapped[int | None] = mapped_column(SmallInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class ImportRunRow(Base):
    """One bulk import: what was read, what was accepted and where rejects were reported."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    declarations_created: Mapped[int] = mapped_column(Integer, default=0)
    declarations_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    report_path: Mapped[str | None] = mapped_column(Text)


class ExchangeRateRow(Base):
    """National currency (KGS) per unit of a foreign currency, per day."""

    __tablename__ = "exchange_rates"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    kgs_per_unit: Mapped[Decimal] = mapped_column(ExactDecimal())
    source: Mapped[str] = mapped_column(String(40))
