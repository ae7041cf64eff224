"""The demo's trader register: categories computed from the world's history, and a few AEO
holders among its honest, busy companies.

Run by ``corridor demo generate`` after the inspection acts and trader history, as an
administration would each night: the register and names (``traders refresh``), the
categories as of the world's last day (``traders recategorise``), then the AEO
certificates below. The same world gives the same register: the holders are chosen
from the world's traders (:func:`corridor.demo.build_traders`) by honesty and
activity, never at random, and certificates already recorded are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.demo.world import Trader, build_traders
from corridor.errors import Conflict, NotFound
from corridor.traders import service as traders_service
from corridor.traders.schemas import AeoSet, RecategoriseRead, RegisterRefreshRead

#: Honest importers with an AEO certificate in force (the busiest of them), and one
#: whose certificate ran out before the world's last day (no effect any more).
AEO_IMPORTERS: Final = 5
#: Honest customs brokers with an AEO certificate in force.
AEO_BROKERS: Final = 1
#: Who records the demo's certificates.
ACTOR: Final = "demo"


@dataclass(frozen=True, slots=True)
class RegisterReport:
    """What the demo's register holds after :func:`seed`."""

    refresh: RegisterRefreshRead
    run: RecategoriseRead
    certificates: int


def holders(seed: int, end: date) -> list[tuple[Trader, AeoSet]]:
    """The world's AEO holders and their certificates (pure: the same world, the same)."""
    book = build_traders(seed, end)
    honest = sorted(
        (t for t in book.importers if t.honesty == "honest"), key=lambda t: (-t.activity, t.tin)
    )
    brokers = sorted(
        (t for t in book.brokers if t.honesty == "honest"), key=lambda t: (-t.activity, t.tin)
    )
    chosen = [*honest[: AEO_IMPORTERS + 1], *brokers[:AEO_BROKERS]]
    found = []
    for index, trader in enumerate(chosen):
        expired = index == AEO_IMPORTERS  # the last importer: a certificate that ran out
        start = max(trader.registered_on, end - timedelta(days=3 * 365)) + timedelta(days=30)
        finish = end - timedelta(days=20) if expired else end + timedelta(days=2 * 365)
        kind = "AEO-2" if trader.role == "broker" else ("AEO-1", "AEO-3")[index % 2]
        found.append(
            (
                trader,
                AeoSet(
                    certificate=f"KG-AEO-{start.year}-{index + 1:04d}",
                    kind=kind,
                    valid_from=min(start, finish),
                    valid_to=finish,
                ),
            )
        )
    return found


def seed(*, session_factory: sessionmaker[Session], seed: int, end: date) -> RegisterReport:
    """Refresh the register, recategorise as of ``end`` and record the AEO certificates of
    the world's holders that the register knows (one transaction)."""
    with UnitOfWork(session_factory) as uow:
        refresh = traders_service.refresh(uow=uow, actor=ACTOR)
        run = traders_service.recategorise(uow=uow, actor=ACTOR, as_of=end)
        recorded = 0
        for trader, certificate in holders(seed, end):
            try:
                traders_service.set_aeo(uow=uow, tin=trader.tin, aeo_in=certificate, actor=ACTOR)
            except (NotFound, Conflict):
                continue  # not seen in this (small) world, or recorded by an earlier run
            recorded += 1
        uow.commit()
    return RegisterReport(refresh=refresh, run=run, certificates=recorded)
