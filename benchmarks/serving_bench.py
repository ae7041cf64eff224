"""The submission path with and without a risk-scoring model active (store + assess).

Reproduce (PostgreSQL on 127.0.0.1:5432 with a database the benchmark may wipe)::

    PYTHONPATH=src:. .venv/bin/python benchmarks/serving_bench.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test --declarations 600 --runs 3

Empties the database and seeds the demo selectivity set (as ``api_bench.py`` does),
then calls ``selectivity.service.submit`` in one process, one connection, for distinct
demo declarations: first with no model (the baseline), then with a model trained on
synthetic labelled rows (``tests.unit.scoring.conftest.synthetic``; 31 leaves, up to
300 rounds) registered, approved by another person and active for imports, plus a
profile ``model_score >= 0.8``. Prints the median wall-clock time of a submission
(median of ``--runs`` passes over fresh declaration numbers) and this process's CPU time
per submission for both, and the median
time of the model's part alone (``service._score``: scores and reasons) per declaration.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.unit.scoring.conftest import synthetic

from api_bench import payloads, reset
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate
from corridor.scoring import service as scoring_service
from corridor.scoring.core import Candidate, TrainingOptions, train
from corridor.selectivity import service
from corridor.selectivity.engine import DeclarationFacts
from corridor.selectivity.snapshot import ProfileSetHolder


def submit_all(factory: Any, holder: ProfileSetHolder, bodies: list[dict[str, Any]]) -> float:
    """Median wall-clock seconds of one submission over ``bodies``; this process's CPU
    seconds per submission are added to :data:`CPU` (less sensitive to a busy machine)."""
    times = []
    cpu = time.process_time()
    for body in bodies:
        payload = DeclarationCreate.model_validate(body)
        began = time.perf_counter()
        with UnitOfWork(factory) as uow:
            service.submit(uow=uow, declaration_in=payload, holder=holder, secret=b"bench")
            uow.commit()
        times.append(time.perf_counter() - began)
    CPU.append((time.process_time() - cpu) / len(bodies))
    return statistics.median(times)


#: CPU seconds per submission of each pass of :func:`submit_all`.
CPU: list[float] = []


def renumbered(bodies: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [{**b, "number": f"{b['number'][:30]}{tag}"} for b in bodies]


def activate_model(factory: Any) -> None:
    options = TrainingOptions(
        candidates=(Candidate(num_leaves=31, min_data_in_leaf=20, features="all"),),
        folds=2,
        max_rounds=300,
        round_step=100,
    )
    model = train(synthetic(6000, months=5), options=options)
    steps = (
        ("register", "a.analyst"),
        ("approve", "b.approver"),
        ("activate", "b.approver"),
    )
    for step, actor in steps:
        with UnitOfWork(factory) as uow:
            if step == "register":
                scoring_service.register(
                    uow=uow,
                    model=model,
                    name="bench",
                    flow="IM",
                    source="cdd",
                    inputs={},
                    actor=actor,
                )
            else:
                getattr(scoring_service, step)(uow=uow, name="bench", version=1, actor=actor)
            uow.commit()
    created = ProfileCreate.model_validate(
        {
            "code": "NAT-2026-9999",
            "title": "Model score",
            "risk_area": "valuation",
            "criteria": "model_score >= 0.8",
            "measures": [{"code": "601", "mandatory": True}],
            "selection_rate": "100",
            "flows": ["IM"],
            "rationale": "benchmark",
        }
    )
    with UnitOfWork(factory) as uow:
        profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=created, actor="a.analyst"
        )
        uow.commit()
    for action, actor in (
        ("submit", "a.analyst"),
        ("approve", "b.approver"),
        ("activate", "b.approver"),
    ):
        with UnitOfWork(factory) as uow:
            profiles_service.transition(
                uow=uow, code="NAT-2026-9999", version=1, action=action, actor=actor
            )
            uow.commit()


def model_part(factory: Any, holder: ProfileSetHolder, bodies: list[dict[str, Any]]) -> float:
    """Median seconds of the model's part (scores and reasons) of an import declaration."""
    with UnitOfWork(factory) as uow:
        current = holder.current(uow)
    models = current.models_of("IM")
    times = []
    for body in bodies:
        if body["flow"] != "IM":
            continue
        declaration = DeclarationCreate.model_validate(body)
        header = declaration.model_dump(exclude={"items"})
        items = [item.model_dump() for item in declaration.items]
        facts = DeclarationFacts.of("x", header, items, attributes=current.attributes)
        began = time.perf_counter()
        service._score(facts, models, holder)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--declarations", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--activate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline-only", action="store_true", help="time without a model only (older code)"
    )
    args = parser.parse_args()
    if args.activate_only:
        activate_model(make_session_factory(make_engine(args.url)))
        return
    reset(args.url)
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    bodies = payloads(args.declarations, seed=11)
    holder = ProfileSetHolder(poll_seconds=1.0)
    with UnitOfWork(factory) as uow:
        holder.warm(uow)
    submit_all(factory, holder, renumbered(bodies[:50], "W"))  # warm-up
    CPU.clear()
    before = [
        submit_all(factory, holder, renumbered(bodies, f"A{run}")) for run in range(args.runs)
    ]
    cpu_before = statistics.median(CPU)
    if args.baseline_only:
        found = {
            "submit_ms_no_model": round(statistics.median(before) * 1000, 3),
            "submit_cpu_ms_no_model": round(cpu_before * 1000, 3),
        }
        print(json.dumps(found))
        return
    # Trained in another process: LightGBM's training threads would stay behind in this one
    # (as they would never be in a server's worker) and slow what is measured.
    subprocess.run([sys.executable, __file__, "--url", args.url, "--activate-only"], check=True)
    holder = ProfileSetHolder(poll_seconds=1.0)
    with UnitOfWork(factory) as uow:
        holder.warm(uow)
    submit_all(factory, holder, renumbered(bodies[:50], "V"))  # warm-up
    CPU.clear()
    after = [submit_all(factory, holder, renumbered(bodies, f"B{run}")) for run in range(args.runs)]
    part = model_part(factory, holder, bodies)
    items = statistics.median(len(b["items"]) for b in bodies)
    print(
        json.dumps(
            {
                "declarations": len(bodies),
                "median_items": items,
                "submit_ms_no_model": round(statistics.median(before) * 1000, 3),
                "submit_ms_model_active": round(statistics.median(after) * 1000, 3),
                "submit_cpu_ms_no_model": round(cpu_before * 1000, 3),
                "submit_cpu_ms_model_active": round(statistics.median(CPU) * 1000, 3),
                "model_part_us": round(part * 1e6, 1),
                "model_failures": holder.model_failures,
                "runs": {"no_model": before, "model_active": after},
            }
        )
    )


if __name__ == "__main__":
    main()
