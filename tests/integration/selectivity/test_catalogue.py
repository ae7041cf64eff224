"""The engine's seeded catalogue is what the migrations seed: one catalogue, two copies that
cannot drift (the migration keeps its own frozen copy, as migrations do)."""

from __future__ import annotations

from sqlalchemy import Engine, text

from corridor.selectivity.engine import DEFAULT_MEASURES


def test_the_default_catalogue_is_the_seeded_catalogue(engine: Engine) -> None:
    with engine.connect() as connection:
        seeded = connection.execute(text("SELECT code, name, channel FROM measures")).all()
    assert sorted(tuple(row) for row in seeded) == sorted(
        (spec.code, spec.name, spec.channel) for spec in DEFAULT_MEASURES.values()
    )
