"""A small stored history for the valuation and trader tests: imports and inspection acts.

Inspection acts are written as rows (the inspection-acts capability records them
through its own service; these tests only need what its table holds).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import DeclarationRow, InspectionActRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.schemas import DeclarationCreate
from tests.factories import declaration, item

CAR = "8703231990"
PARTS = "8708299009"
WHEN = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)


def run(factory: sessionmaker[Session], action: Any) -> Any:
    """Run one use case in its own committed transaction."""
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def car_import(
    number: str,
    value: str = "1044000",
    *,
    origin: str = "CN",
    hs_code: str = CAR,
    registered_at: str = "2026-10-01T09:30:00+06:00",
    **changes: Any,
) -> dict[str, Any]:
    """An import of one goods item (a car unless told): 1 unit "796", 1250 kg."""
    goods = item(
        1,
        hs_code=hs_code,
        origin=origin,
        customs_value=value,
        net_mass_kg="1250",
        attributes={},
    )
    return declaration(number, items=[goods], registered_at=registered_at, **changes)


def store(factory: sessionmaker[Session], *payloads: dict[str, Any]) -> list[int]:
    """Store declarations (no decisions); their ids, in order."""
    declarations = [DeclarationCreate.model_validate(p) for p in payloads]
    result = run(
        factory,
        lambda uow: declarations_service.ingest(uow=uow, declarations=declarations, source="test"),
    )
    assert not result.conflicts, result.conflicts
    return [stored.id for stored in result.stored]


def cars(
    factory: sessionmaker[Session], count: int, value: str = "1044000", **changes: Any
) -> None:
    """``count`` car imports of the same value, numbered after the value and origin."""
    tag = f"{changes.get('origin', 'CN')}-{value}"
    store(factory, *(car_import(f"H/{tag}/{n:04d}", value, **changes) for n in range(count)))


def act(
    factory: sessionmaker[Session],
    declaration_id: int,
    *,
    outcome: str = "discrepancy",
    types: tuple[str, ...] = ("valuation",),
    duties: str = "0",
    inspected_at: datetime = WHEN,
    current: bool = True,
    act_version: int = 1,
) -> None:
    """Record an inspection act on a stored declaration version."""

    def write(uow: UnitOfWork) -> None:
        office = uow.session.scalar(
            select(DeclarationRow.office).where(DeclarationRow.id == declaration_id)
        )
        uow.session.add(
            InspectionActRow(
                declaration_id=declaration_id,
                act_version=act_version,
                current=current,
                office=office,
                selection_basis="profile",
                measures=[{"code": "109", "status": "applied", "reason_code": None}],
                outcome=outcome,
                discrepancy_types=list(types) if outcome == "discrepancy" else [],
                additional_duties=Decimal(duties),
                seizure=False,
                offence_case=None,
                minutes_spent=45,
                notes="",
                inspector="inspector",
                inspected_at=inspected_at,
                recorded_by="inspector",
                recorded_at=inspected_at,
                correction_reason=None,
                source="test",
            )
        )

    run(factory, write)
