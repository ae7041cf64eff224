"""The active model's declaration scores, as decisions record them
(``detail["model"]["score"]``, a decimal string), join the ranking (SQLite and
PostgreSQL). The world: ``tests/integration/postentry/world.py``, with scores written
into the decisions of October as serving records them.

B's releases score 0.900000 and 0.700000 (mean 0.8; the third, v2 of 0000013, records a
model that failed: no score; v1 scores 0.0 but is not the latest version); C's 0.200000;
A's carry no model. Population: (0.8 + 0.2) / 2 = 0.5. Without the scores C ranks above
B; with them B's +0.6 and C's −0.6 put B above C.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import DecisionRow, DeclarationRow
from corridor.db.uow import UnitOfWork
from tests.integration.postentry.test_ranking import _points, rank
from tests.integration.postentry.world import A, B, C, build

RECORDS: dict[tuple[str, int], dict[str, Any]] = {
    ("KGBSK/051026/0000011", 1): {"version": 1, "score": "0.900000", "items": ["0.900000"]},
    ("KGBSK/061026/0000012", 1): {"version": 1, "score": "0.700000", "items": ["0.700000"]},
    ("KGBSK/071026/0000013", 1): {"version": 1, "score": "0.000000", "items": ["0.000000"]},
    ("KGBSK/071026/0000013", 2): {"version": 1, "error": "score: ValueError"},
    ("KGBSK/051026/0000021", 1): {"version": 1, "score": "0.200000", "items": ["0.200000"]},
}


def _record_scores(factory: sessionmaker[Session]) -> None:
    with UnitOfWork(factory) as uow:
        rows = uow.session.execute(
            select(DecisionRow, DeclarationRow.number, DeclarationRow.version).join(
                DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id
            )
        )
        for decision, number, version in rows:
            record = RECORDS.get((number, version))
            if record is not None:
                decision.detail = {**decision.detail, "model": record}
        uow.commit()


def test_the_model_scores_of_the_decisions_join_the_ranking(
    session_factory: sessionmaker[Session],
) -> None:
    build(session_factory)
    assert [c.tin for c in rank(session_factory, "POST-1").candidates] == [A, C, B]
    _record_scores(session_factory)
    ranking = rank(session_factory, "POST-1")
    assert [c.tin for c in ranking.candidates] == [A, B, C]
    assert ranking.population.model_score == pytest.approx(0.5)
    by_tin = {c.tin: c for c in ranking.candidates}
    assert by_tin[B].components["model"] == pytest.approx(2 * (0.8 - 0.5), abs=1e-4)
    assert by_tin[C].components["model"] == pytest.approx(2 * (0.2 - 0.5), abs=1e-4)
    assert by_tin[A].components["model"] == 0.0
    assert by_tin[B].risk_points == pytest.approx(_points(0, 2, 0, 3) + 0.6, abs=1e-4)
    assert by_tin[C].risk_points == pytest.approx(_points(0, 0, 0, 1) - 0.6, abs=1e-4)
    model = [r for r in by_tin[B].reasons if r.kind == "model"]
    assert [(r.text, r.values) for r in model] == [
        ("average model score 0.80", {"score": 0.8, "population": 0.5})
    ]
    assert "model" not in [r.kind for r in by_tin[A].reasons]
