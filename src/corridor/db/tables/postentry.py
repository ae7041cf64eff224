"""Post-entry control: audit plans and their items, audit cases with the declarations in
their scope, alerts (ориентировки) to the posts with each unit's acknowledgement, and
requests to the risk unit to draft a profile."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import Id
from corridor.db.types import ExactDecimal, JsonDocument, UtcDateTime


class AuditPlanRow(Base):
    """The audits a unit of post-entry control plans for a period, within a capacity."""

    __tablename__ = "audit_plans"
    __table_args__ = (UniqueConstraint("unit", "period_from", "period_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(20))
    # The customs offices whose releases the plan covers (the unit's, when it was built).
    all_offices: Mapped[bool] = mapped_column(Boolean)
    offices: Mapped[list[str]] = mapped_column(JsonDocument)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)  # how many audits the unit can carry out
    state: Mapped[str] = mapped_column(String(10))  # draft | approved | closed
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(60))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(60))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditPlanItemRow(Base):
    """A trader planned for audit: from the ranking (with its scores and reasons) or added
    by the head of the department."""

    __tablename__ = "audit_plan_items"
    __table_args__ = (UniqueConstraint("plan_id", "tin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("audit_plans.id", ondelete="RESTRICT"), index=True
    )
    tin: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # ranking | manual
    rank: Mapped[int | None] = mapped_column(Integer)  # place in the ranking when added
    risk_score: Mapped[float | None] = mapped_column(Float)
    expected_recovery: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    # [{"kind": ..., "text": ..., "values": {...}}], as the ranking gave them
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    note: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditCaseRow(Base):
    """A post-clearance audit of one trader: planned → in progress → completed | cancelled,
    its auditor, findings and document references."""

    __tablename__ = "audit_cases"
    __table_args__ = (Index(None, "tin"), Index(None, "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_plans.id", ondelete="RESTRICT"), index=True
    )
    # One case per plan item; None for a case opened outside a plan.
    plan_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_plan_items.id", ondelete="RESTRICT"), unique=True
    )
    tin: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))
    all_offices: Mapped[bool] = mapped_column(Boolean)
    offices: Mapped[list[str]] = mapped_column(JsonDocument)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12))  # planned | in_progress | completed | cancelled
    auditor: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")  # why it was opened
    outcome: Mapped[str | None] = mapped_column(String(20))  # no_discrepancy | discrepancy
    discrepancy_types: Mapped[list[str]] = mapped_column(JsonDocument)
    additional_duties: Mapped[Decimal] = mapped_column(ExactDecimal())
    penalties: Mapped[Decimal] = mapped_column(ExactDecimal())
    findings_notes: Mapped[str] = mapped_column(Text, default="")
    # [{"ref": "act 12/2026", "added_by": ..., "added_at": ISO time}]
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    cancel_note: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(60))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(60))  # who completed or cancelled
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditCaseDeclarationRow(Base):
    """A declaration version in the scope of an audit case: linked when the case was
    opened (the trader's blue-channel releases of the period) or added by an auditor."""

    __tablename__ = "audit_case_declarations"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("audit_cases.id", ondelete="RESTRICT"), primary_key=True
    )
    declaration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("declarations.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    linked: Mapped[str] = mapped_column(String(10))  # automatic | manual
    added_by: Mapped[str] = mapped_column(String(60))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AlertRow(Base):
    """An alert (ориентировка): a time-limited instruction to the posts, shown on the
    declarations it matches (importer, HS code prefix, origin) at the offices it targets."""

    __tablename__ = "alerts"
    __table_args__ = (Index(None, "status", "valid_to"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text)
    importer: Mapped[str | None] = mapped_column(String(40))
    hs_prefix: Mapped[str | None] = mapped_column(String(10))
    origin: Mapped[str | None] = mapped_column(String(2))
    units: Mapped[list[str]] = mapped_column(JsonDocument)  # as addressed
    all_offices: Mapped[bool] = mapped_column(Boolean)  # a unit addressed was head office
    offices: Mapped[list[str]] = mapped_column(JsonDocument)  # resolved from units and offices
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # active | withdrawn
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_cases.id", ondelete="RESTRICT"), index=True
    )
    raised_by: Mapped[str] = mapped_column(String(60))
    raised_unit: Mapped[str] = mapped_column(String(20))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    withdrawn_by: Mapped[str | None] = mapped_column(String(60))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawal_note: Mapped[str | None] = mapped_column(Text)


class AlertReceiptRow(Base):
    """A unit's acknowledgement of an alert addressed to it."""

    __tablename__ = "alert_receipts"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="RESTRICT"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(20), primary_key=True)
    acknowledged_by: Mapped[str] = mapped_column(String(60))
    acknowledged_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProfileRequestRow(Base):
    """A request to a risk unit to draft a risk profile: open → accepted → done | rejected."""

    __tablename__ = "profile_requests"
    __table_args__ = (Index(None, "unit", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(20))  # the unit asked
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    proposed_criteria: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_cases.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(10))  # open | accepted | done | rejected
    raised_by: Mapped[str] = mapped_column(String(60))
    raised_unit: Mapped[str] = mapped_column(String(20))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handled_by: Mapped[str | None] = mapped_column(String(60))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    response: Mapped[str] = mapped_column(Text, default="")
    profile_code: Mapped[str | None] = mapped_column(String(40))  # the profile drafted
