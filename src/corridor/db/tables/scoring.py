"""Risk-scoring model versions: the artifact, what it learned from, and its lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import Id
from corridor.db.types import JsonDocument, UtcDateTime


class ModelVersionRow(Base):
    """One trained version of a named scoring model. The artifact and what describes it
    are never changed; only the lifecycle columns move (draft → approved → active or
    shadow → retired). At most one version is active per flow: a partial unique index."""

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        Index(None, "status"),
        Index(
            "uq_model_versions_one_active_per_flow",
            "flow",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    flow: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(12))
    # cdd (labelled files) | acts (stored inspection acts)
    source: Mapped[str] = mapped_column(String(20))
    # The files read (name, size, SHA-256) or the acts' period: where the rows came from.
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    # Deferred: lists and cards never read the bytes; loading a model does.
    artifact: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    window_from: Mapped[datetime | None] = mapped_column(UtcDateTime())
    window_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rows: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    features: Mapped[list[str]] = mapped_column(JsonDocument)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    library_versions: Mapped[dict[str, str]] = mapped_column(JsonDocument)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    quality: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    # How the rows were weighed against selection bias (basis → weight, and why).
    weighting: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    activated_by: Mapped[str | None] = mapped_column(String(80))
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(80))
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Why it was retired (or replaced).
    reason: Mapped[str] = mapped_column(Text, default="")
