"""Bulk import throughput into PostgreSQL: items per second of `corridor import`.

Reproduce (PostgreSQL on 127.0.0.1:5432 with a database the benchmark may wipe)::

    .venv/bin/python benchmarks/import_bench.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test --items 200000 --runs 3

It writes a flat CSV file of ``--items`` goods-item rows (4 items per
declaration, realistic values), then, per run, empties the database and imports
the file with the same code path as ``corridor import`` (read, validate, check
versions, COPY). As a baseline in the same run it COPYs the same file into an
unlogged table of text columns: the floor set by the server and the disk. It
prints the median of the runs and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import text

from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from corridor.db.tables import Base
from corridor.declarations.bulk import HEADER_FIELDS, ITEM_FIELDS
from corridor.declarations.importers import import_file

HEADER = (*HEADER_FIELDS, "payment_type", *ITEM_FIELDS)
GOODS = (
    ("8703231990", "passenger car", 1300, "796", 9000, 15),
    ("8517130000", "smartphone", 0.4, "796", 180, 0),
    ("6403990000", "leather footwear", 1.1, "715", 25, 10),
    ("6204620000", "women's cotton trousers", 0.5, "796", 8, 10),
    ("0808108000", "fresh apples", 1, None, 0.6, 5),
    ("4011100009", "car tyres", 9, "796", 45, 10),
    ("3004900009", "medicines, packaged", 0.2, None, 60, 0),
)
OFFICES = ("KGBSK", "KGOSH", "KGTOR", "KGIRK", "KGAKJ", "KGDST", "KGFRU")
ORIGINS = ("CN", "CN", "CN", "KZ", "RU", "TR", "UZ", "DE", "US", "KR", "AE", "IN")


def write_file(path: Path, items: int, seed: int) -> None:
    """A flat CSV file of ``items`` rows, four items per declaration."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for d in range(items // 4):
            office = OFFICES[d % len(OFFICES)]
            registered = start + timedelta(minutes=7 * d)
            header = [
                f"{office}/{registered:%d%m%y}/{d:07d}",
                1,
                "IM",
                "40",
                office,
                registered.isoformat(),
                f"0210719991{d % 997:04d}",
                f"0150320071{d % 4999:04d}",
                f"EXPORTER-{d % 1500}",
                rng.choice(ORIGINS),
                rng.choice(ORIGINS),
                "KG",
                30,
                f"01KG{d % 900:03d}ABC",
                f"MSCU{d % 10_000_000:07d}",
                "FCA",
                "USD",
                "04021;01401;02015",
                "11",
            ]
            for item_no in range(1, 5):
                hs, description, kg, unit, price, duty = rng.choice(GOODS)
                qty = rng.randint(1, 40)
                value = round(price * qty * rng.lognormvariate(0, 0.3), 2)
                customs = round(value * 87.3, 2)
                net = round(kg * qty, 3)
                writer.writerow(
                    [
                        *header,
                        item_no,
                        hs,
                        description,
                        rng.choice(ORIGINS),
                        "",
                        net,
                        round(net * 1.05, 3),
                        qty if unit else "",
                        unit or "",
                        value,
                        customs,
                        duty,
                        round(customs * duty / 100, 2),
                    ]
                )


def wipe(url: str) -> None:
    """Empty every corridor table (the schema stays)."""
    engine = make_engine(url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def run_import(url: str, path: Path, report: Path) -> float:
    """Seconds to import the file into an empty database."""
    wipe(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    began = time.perf_counter()
    result = import_file(session_factory=factory, path=path, fmt="flat", report_path=report)
    elapsed = time.perf_counter() - began
    engine.dispose()
    if result.rows_rejected or result.declarations_created * 4 != result.rows_read:
        raise SystemExit(f"benchmark data was not imported whole: {result}")
    return elapsed


def run_baseline(url: str, path: Path) -> float:
    """Seconds to COPY the same CSV into an unlogged table of text columns."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_copy_baseline")
        connection.execute(f"CREATE UNLOGGED TABLE bench_copy_baseline ({columns})")
        began = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY bench_copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - began
        connection.execute("DROP TABLE bench_copy_baseline")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    engine = make_engine(args.url)
    upgrade(engine)
    engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "declarations.csv"
        write_file(path, args.items, args.seed)
        imports, baselines = [], []
        for run in range(1, args.runs + 1):
            baselines.append(run_baseline(args.url, path))
            imports.append(run_import(args.url, path, Path(folder) / "rejected.csv"))
            print(
                f"run {run}: import {imports[-1]:.2f} s ({args.items / imports[-1]:,.0f} items/s); "
                f"raw COPY baseline {baselines[-1]:.2f} s"
            )
    wipe(args.url)
    median_import, median_copy = statistics.median(imports), statistics.median(baselines)
    print(f"items: {args.items:,} in {args.items // 4:,} declarations; runs: {args.runs}")
    print(
        f"corridor import: median {median_import:.2f} s = {args.items / median_import:,.0f} items/s"
    )
    print(
        f"raw COPY of the same file: median {median_copy:.2f} s = "
        f"{args.items / median_copy:,.0f} rows/s"
    )
    print(
        f"ratio import / raw COPY time: {median_import / median_copy:.1f}x "
        f"(target: >= 20,000 items/s)"
    )


if __name__ == "__main__":
    main()
