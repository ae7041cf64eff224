"""Risk-scoring models on the public Customs Declaration Dataset: honest figures and speed.

Reproduce (the steps in order; each prints one JSON object)::

    PYTHONPATH=src .venv/bin/python benchmarks/scoring.py train \\
        --data ../shared/data/df_syn_train_eng.csv --out var/scoring-model.json
    PYTHONPATH=src .venv/bin/python benchmarks/scoring.py evaluate \\
        --model var/scoring-model.json --data ../shared/data/df_syn_valid_eng.csv
    PYTHONPATH=src .venv/bin/python benchmarks/scoring.py speed \\
        --model var/scoring-model.json --data ../shared/data/df_syn_valid_eng.csv --runs 7
    PYTHONPATH=src .venv/bin/python benchmarks/scoring.py million \\
        --data ../shared/data/df_syn_train_eng.csv --rows 1000000

``train`` chooses everything by time-ordered cross-validation inside the training file
(the default grid of ``corridor.scoring.core.default_candidates``) and writes the
artifact. ``evaluate`` is the held-out figure: run it once. ``speed`` times batch
scoring (rows/s of ``score_frame`` over the file repeated to at least 100,000 rows;
baseline: LightGBM's own prediction on the ready feature matrix) and online scoring of
10-item declarations (``score_declaration`` on ``build_rows`` output; baseline: building
those fact rows, which the engine does for every declaration anyway), medians of
``--runs``, in wall-clock and in the process's CPU seconds. ``million`` resamples the
training file to ``--rows`` rows with new declaration numbers and registration days
spread over the same year, and times ``train`` with the candidate and rounds the
cross-validation chose (one candidate, one checkpoint, the same four monthly folds,
calibration and the final fit).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from corridor.declarations.facts import build_rows
from corridor.scoring.cdd import read_cdd
from corridor.scoring.core import Candidate, TrainedModel, TrainingOptions, evaluate, train

HEADER = (
    "number", "office", "registered_at", "declarant", "importer", "dispatch_country",
    "transport_mode", "procedure", "flow", "currency",
)  # fmt: skip
HEADER_ATTRIBUTES = (
    "process_type", "import_type", "import_use", "payment_type", "seller", "courier",
)  # fmt: skip
ITEM = ("item_no", "hs_code", "origin", "net_mass_kg", "customs_value", "invoice_value",
        "duty_rate")  # fmt: skip
ITEM_ATTRIBUTES = ("tax_type", "origin_indicator")


def _print(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, default=str))


def run_train(args: argparse.Namespace) -> None:
    frame = read_cdd(args.data)
    started = time.perf_counter()
    model = train(frame, options=TrainingOptions(seed=args.seed))
    seconds = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.to_bytes())
    _print(
        {
            "rows": model.rows,
            "positives": model.positives,
            "seconds": round(seconds, 1),
            "sha256": model.sha256,
            "chosen": model.cv["chosen"],
            "candidates": [
                {
                    **c["candidate"],
                    "rounds": c["rounds"],
                    "cv_precision_at_5": round(c["precision_at_5"], 4),
                    "cv_precision_at_10": round(c["precision_at_10"], 4),
                }
                for c in model.cv["candidates"]
            ],
            "folds": model.cv["folds"],
        }
    )


def run_evaluate(args: argparse.Namespace) -> None:
    model = TrainedModel.from_bytes(args.model.read_bytes())
    figures = evaluate(model, read_cdd(args.data))
    _print(
        {
            key: figures[key]
            for key in ("rows", "positives", "auc", "precision_at", "recall_at", "revenue_at")
        }
        | {"calibration": figures["calibration"], "drift_score": figures["drift"]["score"]}
    )


def _declarations(
    frame: pl.DataFrame, size: int
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Declarations of ``size`` items (header, items): consecutive rows under the first's header."""
    rows = list(frame.iter_rows(named=True))
    out = []
    for start in range(0, len(rows) - size + 1, size):
        group = rows[start : start + size]
        header = {name: group[0].get(name) for name in HEADER}
        header["attributes"] = {
            n: group[0][n] for n in HEADER_ATTRIBUTES if group[0].get(n) is not None
        }
        items = []
        for number, row in enumerate(group, start=1):
            item = {name: row.get(name) for name in ITEM} | {"item_no": number}
            item["attributes"] = {n: row[n] for n in ITEM_ATTRIBUTES if row.get(n) is not None}
            items.append(item)
        out.append((header, items))
    return out


def _median(runs: int, work: Any, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        started = clock()
        work()
        times.append(clock() - started)
    return statistics.median(times)


def run_speed(args: argparse.Namespace) -> None:
    model = TrainedModel.from_bytes(args.model.read_bytes())
    frame = read_cdd(args.data)
    big = pl.concat([frame] * max(1, -(-100_000 // frame.height)))
    model.score_frame(big.head(1000))  # warm the frozen tables' frames
    batch = _median(args.runs, lambda: model.score_frame(big))
    # CPU seconds of the process (every thread's): what the work costs on a shared machine.
    batch_cpu = _median(args.runs, lambda: model.score_frame(big), time.process_time)
    matrix = model.matrix(big)
    booster_only = _median(args.runs, lambda: model.raw(matrix))
    header_items = _declarations(frame, 10)[: args.declarations]
    declarations = [build_rows(header, items) for header, items in header_items]

    def online() -> None:
        for rows in declarations:
            model.score_declaration(rows)

    def baseline() -> None:
        for header, items in header_items:
            build_rows(header, items)

    online()
    per_run = [_median(1, online) / len(declarations) for _ in range(args.runs)]
    base_run = [_median(1, baseline) / len(declarations) for _ in range(args.runs)]
    cpu_run = [_median(1, online, time.process_time) / len(declarations) for _ in range(args.runs)]
    online_us = statistics.median(per_run) * 1e6
    base_us = statistics.median(base_run) * 1e6
    _print(
        {
            "batch_rows": big.height,
            "batch_seconds": round(batch, 3),
            "batch_rows_per_s": round(big.height / batch),
            "batch_rows_per_cpu_s": round(big.height / batch_cpu),
            "booster_only_rows_per_s": round(big.height / booster_only),
            "online_declarations": len(declarations),
            "online_us_per_10_item_declaration": round(online_us, 1),
            "online_cpu_us_per_10_item_declaration": round(statistics.median(cpu_run) * 1e6, 1),
            "baseline_build_rows_us": round(base_us, 1),
            "ratio": round(online_us / base_us, 2),
            "runs": args.runs,
        }
    )


def run_million(args: argparse.Namespace) -> None:
    frame = read_cdd(args.data)
    rng = np.random.default_rng(args.seed)
    picked = frame[rng.integers(0, frame.height, args.rows).tolist()]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    days = np.sort(rng.integers(0, 366, args.rows))
    resampled = picked.with_columns(
        pl.Series("number", [f"R{i:08d}" for i in range(args.rows)]),
        pl.Series("registered_at", [start + timedelta(days=int(d)) for d in days]),
    )
    document = json.loads(args.model.read_bytes())
    chosen, rounds = document["cv"]["chosen"]["candidate"], document["rounds"]
    options = TrainingOptions(
        candidates=(Candidate(**chosen),), max_rounds=rounds, round_step=rounds, seed=args.seed
    )
    started, cpu = time.perf_counter(), time.process_time()
    model = train(resampled, options=options)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    _print(
        {
            "rows": model.rows,
            "cpu_seconds": round(cpu, 1),
            "candidate": chosen,
            "rounds": model.rounds,
            "seconds": round(seconds, 1),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    for name in ("train", "evaluate", "speed", "million"):
        step = steps.add_parser(name)
        step.add_argument("--data", type=Path, nargs="+", required=True)
        step.add_argument("--seed", type=int, default=0)
        step.add_argument("--runs", type=int, default=7)
        step.add_argument("--declarations", type=int, default=400)
        step.add_argument("--rows", type=int, default=1_000_000)
        step.add_argument("--out", type=Path, default=Path("var/scoring-model.json"))
        step.add_argument("--model", type=Path, default=Path("var/scoring-model.json"))
    args = parser.parse_args()
    {"train": run_train, "evaluate": run_evaluate, "speed": run_speed, "million": run_million}[
        args.step
    ](args)


if __name__ == "__main__":
    main()
