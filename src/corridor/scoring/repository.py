"""Queries of the model registry, and the labelled history stored inspection acts give.

The only place the scoring package builds queries; it never commits. The acts' history
is read from the tables (``corridor.db.tables``), not through the inspections package,
which sits above scoring in the order of the domain packages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.db.tables import (
    DecisionRow,
    DeclarationRow,
    GoodsItemRow,
    InspectionActRow,
    ModelVersionRow,
)

#: Declarations whose items are read at once.
_CHUNK = 500


def add(session: Session, row: ModelVersionRow) -> None:
    """Insert a version (flushed: its id is known)."""
    session.add(row)
    session.flush()


def latest_version(session: Session, name: str) -> ModelVersionRow | None:
    """The highest version of a model, or None when there is no such model."""
    return session.scalars(
        select(ModelVersionRow)
        .where(ModelVersionRow.name == name)
        .order_by(ModelVersionRow.version.desc())
        .limit(1)
    ).first()


def version(session: Session, name: str, number: int) -> ModelVersionRow | None:
    """One version of a model."""
    return session.scalars(
        select(ModelVersionRow).where(
            ModelVersionRow.name == name, ModelVersionRow.version == number
        )
    ).first()


def versions(
    session: Session, *, name: str | None = None, status: str | None = None
) -> Sequence[ModelVersionRow]:
    """Versions by name, then version (the newest first within a name)."""
    query = select(ModelVersionRow).order_by(ModelVersionRow.name, ModelVersionRow.version.desc())
    if name is not None:
        query = query.where(ModelVersionRow.name == name)
    if status is not None:
        query = query.where(ModelVersionRow.status == status)
    return session.scalars(query).all()


def active_for_flow(session: Session, flow: str, *, lock: bool = False) -> ModelVersionRow | None:
    """The version active for a flow, if any (``lock``: held until the transaction ends)."""
    query = select(ModelVersionRow).where(
        ModelVersionRow.flow == flow, ModelVersionRow.status == "active"
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def active_of_name(session: Session, name: str) -> ModelVersionRow | None:
    """The active version of a model, if any."""
    return session.scalars(
        select(ModelVersionRow).where(
            ModelVersionRow.name == name, ModelVersionRow.status == "active"
        )
    ).first()


# ---------------------------------------------------------------- the acts' history


@dataclass(frozen=True, slots=True)
class InspectedDeclaration:
    """A declaration with its current inspection act: what training learns from."""

    header: dict[str, Any]
    items: list[dict[str, Any]]
    discrepancy: bool
    additional_duties: Decimal
    selection_basis: str


_HEADER_COLUMNS = tuple(
    c.key for c in DeclarationRow.__table__.columns if c.key not in ("content_hash", "source")
)
_ITEM_COLUMNS = tuple(c.key for c in GoodsItemRow.__table__.columns)


def inspected(
    session: Session, *, flow: str, since: datetime | None, until: datetime | None
) -> Iterator[InspectedDeclaration]:
    """Declarations of ``flow`` registered in [since, until) with a current inspection act,
    in order of registration, each with its goods items."""
    query = (
        select(
            DeclarationRow,
            InspectionActRow.outcome,
            InspectionActRow.additional_duties,
            InspectionActRow.selection_basis,
        )
        .join(InspectionActRow, InspectionActRow.declaration_id == DeclarationRow.id)
        .where(InspectionActRow.current.is_(True), DeclarationRow.flow == flow)
        .order_by(DeclarationRow.registered_at, DeclarationRow.id)
    )
    if since is not None:
        query = query.where(DeclarationRow.registered_at >= since)
    if until is not None:
        query = query.where(DeclarationRow.registered_at < until)
    found = session.execute(query).all()
    for start in range(0, len(found), _CHUNK):
        chunk = found[start : start + _CHUNK]
        ids = [row[0].id for row in chunk]
        items: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for item in session.scalars(
            select(GoodsItemRow)
            .where(GoodsItemRow.declaration_id.in_(ids))
            .order_by(GoodsItemRow.declaration_id, GoodsItemRow.item_no)
        ):
            items[item.declaration_id].append({c: getattr(item, c) for c in _ITEM_COLUMNS})
        for declaration, outcome, duties, basis in chunk:
            yield InspectedDeclaration(
                header={c: getattr(declaration, c) for c in _HEADER_COLUMNS},
                items=items[declaration.id],
                discrepancy=outcome == "discrepancy",
                additional_duties=duties,
                selection_basis=basis,
            )


def unselected_declarations(
    session: Session, *, flow: str, since: datetime | None, until: datetime | None
) -> int:
    """Declarations of ``flow`` registered in [since, until) whose decision selected them by
    no profile: the population the random control group samples."""
    query = (
        select(func.count())
        .select_from(DecisionRow)
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .where(DeclarationRow.flow == flow, DecisionRow.selected_by_profile.is_(False))
    )
    if since is not None:
        query = query.where(DeclarationRow.registered_at >= since)
    if until is not None:
        query = query.where(DeclarationRow.registered_at < until)
    return int(session.scalar(query) or 0)
