"""Measures catalogue, named reference lists (versioned), risk profiles and their journal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
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
from corridor.db.tables.declarations import Id
from corridor.db.types import ExactDecimal, JsonDocument, UtcDateTime


class MeasureRow(Base):
    """A form of customs control (coded catalogue) and the channel it implies."""

    __tablename__ = "measures"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(6))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(80))


class ReferenceListRow(Base):
    """A named reference list (companies, countries, HS prefixes, vehicles, containers)."""

    __tablename__ = "reference_lists"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    key_fields: Mapped[list[str]] = mapped_column(JsonDocument)
    prefix_fields: Mapped[list[str]] = mapped_column(JsonDocument)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))


class ReferenceListVersionRow(Base):
    """One version of a list's entries; versions are never changed, an edit adds one."""

    __tablename__ = "reference_list_versions"

    list_name: Mapped[str] = mapped_column(
        String(60), ForeignKey("reference_lists.name", ondelete="RESTRICT"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    entries: Mapped[list[list[str]]] = mapped_column(JsonDocument)
    entry_count: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))


class ProfileVersionRow(Base):
    """One version of a risk profile. Approved and later versions are never edited."""

    __tablename__ = "profile_versions"
    __table_args__ = (UniqueConstraint("code", "version"), Index(None, "status"))

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    risk_area: Mapped[str] = mapped_column(String(30))
    criteria: Mapped[str] = mapped_column(Text)
    criteria_json: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    measures: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    selection_rate: Mapped[Decimal] = mapped_column(ExactDecimal())
    offices: Mapped[list[str]] = mapped_column(JsonDocument)
    flows: Mapped[list[str]] = mapped_column(JsonDocument)
    procedures: Mapped[list[str]] = mapped_column(JsonDocument)
    exempt_low_risk: Mapped[bool] = mapped_column(Boolean)
    exempt_aeo: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    officer_instructions: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    expected_per_month: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ProfileTransitionRow(Base):
    """Every change of a profile version's state: who, when, from, to, why. Append-only."""

    __tablename__ = "profile_transitions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    profile_version_id: Mapped[int] = mapped_column(
        Id, ForeignKey("profile_versions.id", ondelete="RESTRICT"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")


class OfficeParameterRow(Base):
    """Selectivity parameters of one office and flow: random control rates, a floor, and the
    multipliers of the random rates for low-risk traders and AEO holders."""

    __tablename__ = "office_parameters"

    office: Mapped[str] = mapped_column(String(17), primary_key=True)
    flow: Mapped[str] = mapped_column(String(2), primary_key=True)
    random_red: Mapped[Decimal] = mapped_column(ExactDecimal())
    random_yellow: Mapped[Decimal] = mapped_column(ExactDecimal())
    random_blue: Mapped[Decimal] = mapped_column(ExactDecimal())
    expected_floor: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    # Random rates are multiplied by these (0-1) for low-risk traders and AEO holders.
    low_risk_multiplier: Mapped[Decimal] = mapped_column(ExactDecimal(), server_default="1")
    aeo_multiplier: Mapped[Decimal] = mapped_column(ExactDecimal(), server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(80))


class DecisionRow(Base):
    """The selectivity decision for one declaration version. Written once, never changed."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(
        Id, ForeignKey("declarations.id", ondelete="RESTRICT"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(6), index=True)
    engine_version: Mapped[str] = mapped_column(String(20))
    profile_set_version: Mapped[str] = mapped_column(String(64))
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    selected_by_profile: Mapped[bool] = mapped_column(Boolean)
    selected_at_random: Mapped[bool] = mapped_column(Boolean)
    # The reference prices the assessment read (None: none were loaded).
    price_version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class RerouteRow(Base):
    """An officer's change of channel: a new record pointing to the decision, never an edit."""

    __tablename__ = "reroutes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(
        Id, ForeignKey("decisions.id", ondelete="RESTRICT"), index=True
    )
    from_channel: Mapped[str] = mapped_column(String(6))
    to_channel: Mapped[str] = mapped_column(String(6))
    reason_code: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    officer: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class SelectivityStateRow(Base):
    """A counter bumped whenever the active profile set changes; workers poll it to swap."""

    __tablename__ = "selectivity_state"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
