"""Speed of the criteria language's two compilers, against hand-written baselines.

Rule: hs_code startswith ["8703", "8711"] and origin in ["CN", "AE"] and value_ratio < 0.6

- closure: time per goods item of ``compile_predicate`` over Python dicts, on one
  core, next to a hand-written lambda doing the same with plain float compares;
- Polars: rows per second of ``compile_polars`` over a 1,000,000-row frame, next to
  the hand-written Polars expression, for Float64 and Decimal(38, 9) value columns.

Each figure is the median of several runs. The script also counts the rows on which
the float baselines differ from the decimal-safe rule (ratios computed as 1.4 - 0.8).

Reproduce: cd /work/main && PYTHONPATH=src .venv/bin/python benchmarks/rules_bench.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl

from corridor import rules

RULE = 'hs_code startswith ["8703", "8711"] and origin in ["CN", "AE"] and value_ratio < 0.6'
SCHEMA = {
    "hs_code": rules.FieldType.STRING,
    "origin": rules.FieldType.STRING,
    "value_ratio": rules.FieldType.NUMBER,
}
CLOSURE_ROWS = 200_000
POLARS_ROWS = 1_000_000
RUNS = 7


def make_rows(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Goods items: a third of them cars or motorcycles, ratios around 0.6."""
    rng = random.Random(seed)
    codes = ["8703231990", "8711100000", "0808100000", "6403999000", "8704219900", "8703"]
    origins = ["CN", "AE", "US", "TR", "DE", "KZ"]
    rows = []
    for _ in range(count):
        pick = rng.random()
        if pick < 0.02:
            ratio: float | None = 1.4 - 0.8  # 0.5999999999999999: a float surprise
        elif pick < 0.04:
            ratio = None
        else:
            ratio = round(rng.uniform(0.2, 1.2), 2)
        rows.append(
            {"hs_code": rng.choice(codes), "origin": rng.choice(origins), "value_ratio": ratio}
        )
    return rows


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``runs`` calls, after one warm-up call."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_closure(rows: list[dict[str, Any]]) -> tuple[float, float, int]:
    """µs per item for the compiled closure and the hand-written lambda; disagreements."""
    predicate = rules.compile_predicate(RULE, SCHEMA)
    prefixes = ("8703", "8711")
    origins = frozenset({"CN", "AE"})

    def baseline(f: dict[str, Any]) -> bool:
        code, ratio = f.get("hs_code"), f.get("value_ratio")
        return (
            code is not None
            and code.startswith(prefixes)
            and f.get("origin") in origins
            and ratio is not None
            and ratio < 0.6
        )

    compiled = median_seconds(lambda: [predicate(row) for row in rows])
    handwritten = median_seconds(lambda: [baseline(row) for row in rows])
    differ = sum(predicate(row) != baseline(row) for row in rows)
    return compiled / len(rows) * 1e6, handwritten / len(rows) * 1e6, differ


def worst_case(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the items that reach the third clause (no short cut)."""
    return [
        row
        for row in rows
        if row["hs_code"].startswith(("8703", "8711")) and row["origin"] in ("CN", "AE")
    ]


def bench_polars(frame: pl.DataFrame) -> tuple[float, float, int]:
    """Million rows per second for the compiled and the hand-written expression."""
    compiled = rules.compile_polars(RULE, SCHEMA)
    value = pl.col("value_ratio")
    threshold = 0.6 if frame.schema["value_ratio"] == pl.Float64 else Decimal("0.6")
    handwritten = (
        (pl.col("hs_code").str.starts_with("8703") | pl.col("hs_code").str.starts_with("8711"))
        & pl.col("origin").is_in(["CN", "AE"])
        & (value < threshold)
    ).fill_null(False)
    seconds = median_seconds(lambda: frame.select(compiled))
    base_seconds = median_seconds(lambda: frame.select(handwritten))
    got = frame.select(a=compiled, b=handwritten)
    differ = got.filter(pl.col("a") != pl.col("b")).height
    return frame.height / seconds / 1e6, frame.height / base_seconds / 1e6, differ


def main() -> None:
    """Run the benchmarks and print the figures."""
    rows = make_rows(CLOSURE_ROWS)
    per_item, per_item_base, differ = bench_closure(rows)
    print(f"rule: {RULE}")
    print(f"closure, {CLOSURE_ROWS:,} dicts, median of {RUNS} runs, one core:")
    print(f"  compile_predicate   {per_item:6.3f} µs/item   (target <= 2 µs)")
    print(
        f"  hand-written lambda {per_item_base:6.3f} µs/item   "
        f"compiled/hand-written time {per_item / per_item_base:.2f}x"
    )
    print(f"  items where the float lambda disagrees with the decimal-safe rule: {differ}")
    hard = worst_case(rows)
    per_item, per_item_base, _ = bench_closure(hard)
    print(f"  same, only the {len(hard):,} items that reach all three clauses:")
    print(f"  compile_predicate   {per_item:6.3f} µs/item")
    print(
        f"  hand-written lambda {per_item_base:6.3f} µs/item   "
        f"compiled/hand-written time {per_item / per_item_base:.2f}x"
    )

    frame = pl.DataFrame(make_rows(POLARS_ROWS, seed=11))
    print(
        f"polars {pl.__version__}, {POLARS_ROWS:,} rows, median of {RUNS} runs, "
        f"{pl.thread_pool_size()} threads:"
    )
    for label, dtype in (("Float64", pl.Float64), ("Decimal(38,9)", pl.Decimal(38, 9))):
        typed = frame.with_columns(pl.col("value_ratio").cast(dtype))
        speed, base_speed, differ = bench_polars(typed)
        print(f"  value_ratio {label}:")
        print(f"    compile_polars       {speed:7.1f} M rows/s   (target >= 20)")
        print(
            f"    hand-written expr    {base_speed:7.1f} M rows/s   "
            f"compiled/hand-written time {base_speed / speed:.2f}x"
        )
        print(f"    rows where the hand-written expression disagrees: {differ}")
    print("reproduce: cd /work/main && PYTHONPATH=src .venv/bin/python benchmarks/rules_bench.py")


if __name__ == "__main__":
    main()
