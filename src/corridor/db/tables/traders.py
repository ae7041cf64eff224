"""The trader register: traders by TIN, names seen, compliance scores and categories,
category changes, manual overrides, AEO certificates and post-entry audit findings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import Id
from corridor.db.types import ExactDecimal, JsonDocument, UtcDateTime


class TraderRow(Base):
    """A trader of the register (derived from declarations, rebuilt by each refresh)."""

    __tablename__ = "traders"

    tin: Mapped[str] = mapped_column(String(40), primary_key=True)
    # importer | exporter | declarant | carrier, sorted
    roles: Mapped[list[str]] = mapped_column(JsonDocument)
    declarations: Mapped[int] = mapped_column(Integer)  # each number once, whatever its versions
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TraderNameRow(Base):
    """A name a trader was declared under, with when it was first and last seen."""

    __tablename__ = "trader_names"

    tin: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    declarations: Mapped[int] = mapped_column(Integer)


class TraderScoreRow(Base):
    """A trader's computed compliance score and category, with the score's components (one
    column each, see :mod:`corridor.traders.scoring`)."""

    __tablename__ = "trader_scores"
    __table_args__ = (Index(None, "category", "score"),)

    tin: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(6))  # low | medium | high
    score: Mapped[float] = mapped_column(Float)
    declarations: Mapped[int] = mapped_column(Integer)
    age_days: Mapped[int | None] = mapped_column(Integer)
    controls: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    population_rate: Mapped[float | None] = mapped_column(Float)
    prior_strength: Mapped[float] = mapped_column(Float)
    shrunk_rate: Mapped[float | None] = mapped_column(Float)
    rate_points: Mapped[float] = mapped_column(Float)
    serious: Mapped[int] = mapped_column(Integer)
    severity: Mapped[float] = mapped_column(Float)
    amount_found: Mapped[float] = mapped_column(Float)
    declared_value: Mapped[float] = mapped_column(Float)
    amount_share: Mapped[float] = mapped_column(Float)
    amount_points: Mapped[float] = mapped_column(Float)
    offences: Mapped[int] = mapped_column(Integer)
    offence_points: Mapped[float] = mapped_column(Float)
    held_back: Mapped[str] = mapped_column(String(100))  # codes, comma-separated
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TraderCategoryChangeRow(Base):
    """A change of a trader's category: computed by a recategorisation, or an override set,
    lifted or expired. Append-only."""

    __tablename__ = "trader_category_changes"
    __table_args__ = (Index(None, "tin", "at"), Index(None, "at"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(40))
    from_category: Mapped[str | None] = mapped_column(String(6))
    to_category: Mapped[str | None] = mapped_column(String(6))
    score: Mapped[float | None] = mapped_column(Float)
    components: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    source: Mapped[str] = mapped_column(String(10))  # computed | override
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class TraderOverrideRow(Base):
    """A manual category of a trader, with its reason, valid until a day (inclusive) unless
    lifted earlier."""

    __tablename__ = "trader_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(40), index=True)
    category: Mapped[str] = mapped_column(String(6))
    reason: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(80))
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lift_reason: Mapped[str | None] = mapped_column(Text)


class AeoCertificateRow(Base):
    """An Authorised Economic Operator certificate of a trader: its type and validity."""

    __tablename__ = "trader_aeo_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(40), index=True)
    certificate: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # AEO-1 | AEO-2 | AEO-3 (EAEU types)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(80))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)


class TraderFindingRow(Base):
    """What a completed post-entry audit case found of a trader (written only through
    ``corridor.traders.service.record_audit_finding``)."""

    __tablename__ = "trader_findings"
    __table_args__ = (UniqueConstraint("tin", "case_ref"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    tin: Mapped[str] = mapped_column(String(40))
    case_ref: Mapped[str] = mapped_column(String(60))
    discrepancy_types: Mapped[list[str]] = mapped_column(JsonDocument)
    additional_duties: Mapped[Decimal] = mapped_column(ExactDecimal())
    penalties: Mapped[Decimal] = mapped_column(ExactDecimal())
    found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TraderScoringRunRow(Base):
    """One recategorisation of every trader: when, by whom, the population's discrepancy rate
    it shrank toward, and what it found."""

    __tablename__ = "trader_scoring_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    as_of: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(80))
    population_rate: Mapped[float | None] = mapped_column(Float)
    traders: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    medium: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    changes: Mapped[int] = mapped_column(Integer)
