"""Labelled history for the scoring tests: declarations decided and inspected, some of
them drawn at random beside the declarations no profile selected (tests only)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import numpy as np
import polars as pl
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import DecisionRow, DeclarationRow, GoodsItemRow, InspectionActRow

Factory = sessionmaker[Session]


def store_inspected(factory: Factory, frame: pl.DataFrame, *, random_every: int = 5) -> None:
    """Each row of ``frame`` as a declaration of one item, decided and inspected; every
    fifth one drawn at random, beside three declarations no profile selected and nobody
    inspected (the population the random control group samples)."""
    rng = np.random.default_rng(4)
    with factory() as session:
        for index, row in enumerate(frame.iter_rows(named=True)):
            at = row["registered_at"]
            declaration = DeclarationRow(
                number=row["number"],
                version=1,
                content_hash=hashlib.sha256(row["number"].encode()).hexdigest(),
                flow="IM",
                procedure="40",
                office=row["office"],
                registered_at=at,
                declarant=row["declarant"],
                importer=row["importer"],
                dispatch_country=row["dispatch_country"],
                transport_mode=int(row["transport_mode"]),
                containers=[],
                currency="KGS",
                documents=[],
                attributes={"seller": row["seller"]},
                item_count=1,
                source="test",
                received_at=at,
            )
            session.add(declaration)
            session.flush()
            session.add(
                GoodsItemRow(
                    declaration_id=declaration.id,
                    item_no=1,
                    hs_code=row["hs_code"],
                    description="goods",
                    origin=row["origin"],
                    net_mass_kg=Decimal(row["net_mass_kg"]),
                    invoice_value=Decimal(row["invoice_value"]),
                    customs_value=Decimal(row["customs_value"]),
                    duty_rate=Decimal(row["duty_rate"]),
                    attributes={},
                )
            )
            random = index % random_every == 0
            for extra in range(3 if random else 0):
                uninspected = DeclarationRow(
                    **{
                        c.key: getattr(declaration, c.key)
                        for c in DeclarationRow.__table__.columns
                        if c.key != "id"
                    }
                )
                uninspected.number = f"{row['number']}-U{extra}"
                session.add(uninspected)
                session.flush()
                session.add(
                    DecisionRow(
                        declaration_id=uninspected.id,
                        channel="green",
                        engine_version="test",
                        profile_set_version="test",
                        assessed_at=at,
                        selected_by_profile=False,
                        selected_at_random=False,
                        detail={},
                    )
                )
            session.add(
                DecisionRow(
                    declaration_id=declaration.id,
                    channel="red",
                    engine_version="test",
                    profile_set_version="test",
                    assessed_at=at,
                    selected_by_profile=not random,
                    selected_at_random=random,
                    detail={},
                )
            )
            session.add(
                InspectionActRow(
                    declaration_id=declaration.id,
                    act_version=1,
                    current=True,
                    office=row["office"],
                    selection_basis="random" if random else "profile",
                    measures=[],
                    outcome="discrepancy" if row["label"] else "no_discrepancy",
                    discrepancy_types=[],
                    additional_duties=Decimal(str(round(float(rng.random()) * 100, 2)))
                    if row["label"]
                    else Decimal(0),
                    minutes_spent=10,
                    inspector="i",
                    inspected_at=at + timedelta(hours=1),
                    recorded_by="i",
                    recorded_at=at + timedelta(hours=1),
                    source="api",
                )
            )
        session.commit()
