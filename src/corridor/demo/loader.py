"""Store a generated demo world: exchange rates, declarations, and the planted fraud apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import canonical_value
from corridor.demo.generator import DemoDeclaration, FraudLabel, generate
from corridor.reference import service as reference_service

SOURCE = "demo"
BATCH = 1000


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a demo load stored."""

    created: int
    unchanged: int
    frauds: int
    rates: int


def has_declarations(session_factory: sessionmaker[Session]) -> bool:
    """Whether any declaration is stored (the demo loads only into an empty database)."""
    with UnitOfWork(session_factory) as uow:
        return declarations_service.count(uow=uow) > 0


def load(
    *,
    session_factory: sessionmaker[Session],
    declarations: int,
    seed: int,
    end: date,
    days: int = 365,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Generate the world for (declarations, seed, end, days) and store it, batch by batch.

    Loading the same world again stores nothing twice.
    """
    world = generate(declarations=declarations, seed=seed, end=end, days=days)
    with UnitOfWork(session_factory) as uow:
        rates = reference_service.store_rates(
            uow=uow,
            rates=[(r.date, r.currency, r.kgs_per_unit) for r in world.rates],
            source=SOURCE,
        )
        uow.commit()
    created = unchanged = 0
    for start in range(0, len(world.declarations), BATCH):
        batch = world.declarations[start : start + BATCH]
        with UnitOfWork(session_factory) as uow:
            result = declarations_service.ingest(
                uow=uow,
                declarations=[entry.declaration for entry in batch],
                source=SOURCE,
                truths=[_truth(entry) for entry in batch],
            )
            uow.commit()
        created += len(result.created)
        unchanged += len(result.unchanged)
        if progress is not None:
            progress(len(batch))
    frauds = sum(1 for entry in world.declarations if entry.fraud is not None)
    return LoadReport(created=created, unchanged=unchanged, frauds=frauds, rates=rates)


def _truth(entry: DemoDeclaration) -> declarations_service.GroundTruth:
    label = entry.fraud
    if label is None:
        return declarations_service.GroundTruth(source=SOURCE, fraud=False)
    return declarations_service.GroundTruth(
        source=SOURCE,
        fraud=True,
        pattern=label.pattern,
        item_no=label.item_no,
        detail=_detail(label),
    )


def _detail(label: FraudLabel) -> dict[str, Any]:
    """The label as JSON-ready data (decimals as canonical text)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if value is None or isinstance(value, str | int | bool):
            return value
        return canonical_value(value)

    return {key: plain(value) for key, value in asdict(label).items()}
