"""The demo world's register: categories from its history and a few AEO holders, the same
for the same world (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.demo import loader
from corridor.demo import selectivity as demo_selectivity
from corridor.demo import traders as demo_traders
from corridor.traders import service

WORLD_END = date(2026, 6, 30)


def test_the_demo_register_has_categories_and_aeo_holders(
    session_factory: sessionmaker[Session],
) -> None:
    seed = demo_selectivity.WORLD_SEED
    loader.load(session_factory=session_factory, declarations=1500, seed=seed, end=WORLD_END)
    holders = demo_traders.holders(seed, WORLD_END)
    assert holders == demo_traders.holders(seed, WORLD_END)  # the same world, the same
    assert len(holders) == demo_traders.AEO_IMPORTERS + 1 + demo_traders.AEO_BROKERS
    assert {trader.honesty for trader, _ in holders} == {"honest"}

    report = demo_traders.seed(session_factory=session_factory, seed=seed, end=WORLD_END)
    assert report.run.as_of == WORLD_END
    assert report.run.traders == report.refresh.traders > 100
    assert report.run.medium > 0
    assert report.certificates >= 3
    with UnitOfWork(session_factory) as uow:
        in_force = [
            service.effective_status(uow=uow, tin=trader.tin, on=WORLD_END).aeo
            for trader, _certificate in holders
        ]
        listed = service.list_traders(uow=uow, aeo=True, on=WORLD_END, limit=500).items
    # Every holder the register knows has effect on the world's last day, but the one
    # whose certificate ran out before it.
    expired = holders[demo_traders.AEO_IMPORTERS][0].tin
    assert not in_force[demo_traders.AEO_IMPORTERS]
    assert {t.tin for t in listed} <= {trader.tin for trader, _ in holders} - {expired}
    assert len(listed) >= 2

    again = demo_traders.seed(session_factory=session_factory, seed=seed, end=WORLD_END)
    assert again.run.changes == 0
    assert again.certificates == report.certificates
