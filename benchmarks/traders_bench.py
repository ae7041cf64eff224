"""Recategorising a national register: 100,000 traders from 1,000,000 declarations.

Reproduce (a database the benchmark may wipe; PostgreSQL, or a SQLite file)::

    .venv/bin/python benchmarks/traders_bench.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test_a --runs 3
    .venv/bin/python benchmarks/traders_bench.py --url sqlite:////tmp/traders.db --runs 3

It empties the database and synthesises a year of declarations (95,000 importers,
4,000 exporters and 1,000 customs brokers: 100,000 traders; 90 % imports, 10 %
exports; a quarter of them lodged by the importer or exporter itself), ``--acts``
current inspection acts (a discrepancy in 5 % to 60 % of them by the trader's
honesty, some serious, with seizures and offence cases) and 2,000 post-entry audit
findings. Then it times the code path of ``corridor traders recategorise``
(:func:`corridor.traders.service.recategorise`: one SQL aggregation per trader and
declaration, the score in Polars, the register, the scores with their components
and the changes of category written in bulk, the run journalled): the first run
(every trader's category is new: 100,000 change rows) and the median of ``--runs``
runs after it (only real changes written). The baseline, measured in the same run:
``SELECT importer, count(*), count(act) … GROUP BY importer`` over the same
declarations and acts, the floor of reading the rows the score aggregates.
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import psycopg
from sqlalchemy import text

from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from corridor.db.uow import UnitOfWork
from corridor.traders import service

IMPORTERS = 95_000
EXPORTERS = 4_000
BROKERS = 1_000
FINDINGS = 2_000
START = datetime(2025, 12, 1, tzinfo=UTC)
END = datetime(2026, 11, 30, tzinfo=UTC)
AS_OF = date(2026, 12, 1)


def fresh(url: str) -> None:
    """Drop everything and migrate afresh (an empty installation, as after ``db upgrade``)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def _uniform(column: str, seed: int, modulus: int = 10_000) -> pl.Expr:
    """A deterministic pseudo-random integer in [0, modulus) per row, from its id."""
    return (pl.col(column).hash(seed) % modulus).cast(pl.Int64)


def _tin(prefix: str, column: str) -> pl.Expr:
    return pl.lit(prefix) + pl.col(column).cast(pl.String).str.zfill(12)


def synthesise(declarations: int, acts: int) -> dict[str, pl.DataFrame]:
    """The benchmark's year as frames, by table (columns named as the tables')."""
    start = int(START.timestamp())
    span = int(END.timestamp()) - start
    ids = pl.DataFrame({"id": pl.int_range(1, declarations + 1, eager=True)})
    registered = pl.from_epoch(
        pl.lit(start, dtype=pl.Int64) + (pl.col("id") * 7919 % span), time_unit="s"
    ).dt.replace_time_zone("UTC")
    exported = _uniform("id", 1, 10) == 0
    self_declared = _uniform("id", 2, 4) == 0
    heads = ids.with_columns(
        registered.alias("registered_at"),
        exported.alias("exported"),
        _uniform("id", 3, IMPORTERS).alias("importer_no"),
        _uniform("id", 4, EXPORTERS).alias("exporter_no"),
        _uniform("id", 5, BROKERS).alias("broker_no"),
        self_declared.alias("self_declared"),
    ).with_columns(
        _tin("01", "importer_no").alias("importer_tin"),
        _tin("02", "exporter_no").alias("exporter_tin"),
        _tin("03", "broker_no").alias("broker_tin"),
    )
    party = pl.when(pl.col("exported")).then(pl.col("exporter_tin")).otherwise("importer_tin")
    declaration_rows = heads.select(
        "id",
        (pl.lit("BENCH/") + pl.col("id").cast(pl.String).str.zfill(8)).alias("number"),
        pl.lit(1).alias("version"),
        pl.lit("0" * 64).alias("content_hash"),
        pl.when(pl.col("exported")).then(pl.lit("EX")).otherwise(pl.lit("IM")).alias("flow"),
        pl.when(pl.col("exported")).then(pl.lit("10")).otherwise(pl.lit("40")).alias("procedure"),
        pl.lit("KGBSK").alias("office"),
        "registered_at",
        pl.when(pl.col("self_declared")).then(party).otherwise("broker_tin").alias("declarant"),
        pl.when(pl.col("exported"))
        .then(pl.lit("KZ-BUYER-ALMATY"))
        .otherwise("importer_tin")
        .alias("importer"),
        pl.when(pl.col("exported"))
        .then("exporter_tin")
        .otherwise(pl.lit("CN-SELLER-YIWU"))
        .alias("exporter"),
        pl.lit(30).alias("transport_mode"),
        pl.lit("[]").alias("containers"),
        pl.lit("USD").alias("currency"),
        pl.lit("[]").alias("documents"),
        pl.lit("{}").alias("attributes"),
        pl.lit(1).alias("item_count"),
        ((_uniform("id", 6, 5_000_000) + 10_000).cast(pl.String) + ".25").alias(
            "total_customs_value"
        ),
        pl.lit("benchmark").alias("source"),
        pl.col("registered_at").alias("received_at"),
    )
    # Acts on a scrambled sample; honesty by importer: 5 % of them find a discrepancy in
    # 60 % of their inspections, 20 % in 20 %, the others in 5 %.
    honesty = _uniform("importer_no", 7, 100)
    rate = pl.when(honesty < 5).then(6000).when(honesty < 25).then(2000).otherwise(500)
    inspected = (
        heads.with_columns(_uniform("id", 8, 1 << 30).alias("order"))
        .sort("order")
        .head(acts)
        .with_columns((_uniform("id", 9) < rate).alias("found"), _uniform("id", 10).alias("u"))
    )
    act_rows = inspected.select(
        pl.col("id").alias("declaration_id"),
        pl.lit(1).alias("act_version"),
        pl.lit(True).alias("current"),
        pl.lit("KGBSK").alias("office"),
        pl.lit("profile").alias("selection_basis"),
        pl.lit("[]").alias("measures"),
        pl.when("found")
        .then(pl.lit("discrepancy"))
        .otherwise(pl.lit("no_discrepancy"))
        .alias("outcome"),
        pl.when(pl.col("found") & (pl.col("u") < 300))
        .then(pl.lit('["concealment_smuggling"]'))
        .when("found")
        .then(pl.lit('["valuation"]'))
        .otherwise(pl.lit("[]"))
        .alias("discrepancy_types"),
        pl.when("found")
        .then(_uniform("id", 11, 500_000).cast(pl.String) + ".40")
        .otherwise(pl.lit("0"))
        .alias("additional_duties"),
        (pl.col("found") & (pl.col("u") < 200)).alias("seizure"),
        pl.when(pl.col("found") & (pl.col("u") < 100))
        .then(pl.lit("OC-") + pl.col("id").cast(pl.String))
        .otherwise(None)
        .alias("offence_case"),
        pl.lit(45).alias("minutes_spent"),
        pl.lit("").alias("notes"),
        pl.lit("Asanov B.").alias("inspector"),
        pl.col("registered_at").alias("inspected_at"),
        pl.lit("Asanov B.").alias("recorded_by"),
        pl.col("registered_at").alias("recorded_at"),
        pl.lit("benchmark").alias("source"),
    )
    audited = pl.DataFrame({"n": pl.int_range(0, FINDINGS, eager=True)})
    finding_rows = audited.select(
        _tin("01", "n").alias("tin"),
        (pl.lit("PEC-") + pl.col("n").cast(pl.String)).alias("case_ref"),
        pl.when(pl.col("n") % 3 == 0)
        .then(pl.lit('["valuation"]'))
        .otherwise(pl.lit("[]"))
        .alias("discrepancy_types"),
        pl.when(pl.col("n") % 3 == 0)
        .then(pl.lit("150000"))
        .otherwise(pl.lit("0"))
        .alias("additional_duties"),
        pl.lit("0").alias("penalties"),
        pl.lit(END).alias("found_at"),
        pl.lit("auditor").alias("recorded_by"),
        pl.lit(END).alias("recorded_at"),
    )
    return {
        "declarations": declaration_rows,
        "inspection_acts": act_rows,
        "trader_findings": finding_rows,
    }


def _copy(connection: psycopg.Connection[object], table: str, frame: pl.DataFrame) -> None:
    """COPY a frame into ``table`` (its columns by name) as CSV."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="")
    columns = ", ".join(frame.columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(buffer.getvalue())


def store(url: str, frames: dict[str, pl.DataFrame]) -> None:
    """Write the frames: COPY into PostgreSQL, executemany into SQLite (as the column types
    store them: naive UTC times, decimals as text)."""
    if url.startswith("postgresql"):
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            for table, frame in frames.items():
                _copy(connection, table, frame)
            connection.execute(
                "SELECT setval(pg_get_serial_sequence('declarations', 'id'), "
                f"{frames['declarations'].height})"
            )
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")
        return
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        for table, frame in frames.items():
            plain = frame.with_columns(
                pl.col(name).dt.replace_time_zone(None).dt.to_string("%Y-%m-%d %H:%M:%S.%f")
                for name, kind in frame.schema.items()
                if isinstance(kind, pl.Datetime)
            )
            marks = ", ".join("?" for _ in plain.columns)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(plain.columns)}) VALUES ({marks})",
                plain.iter_rows(),
            )
        connection.execute("ANALYZE")


def timed(runs: int, action: Callable[[], object]) -> tuple[float, list[float]]:
    """Median seconds of ``runs`` calls, and every run."""
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_a")
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--acts", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the synthetic year stored")
    args = parser.parse_args()

    fresh(args.url)
    began = time.perf_counter()
    frames = synthesise(args.declarations, args.acts)
    store(args.url, frames)
    print(
        f"synthesised in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{table} {frame.height:,}" for table, frame in frames.items())
    )
    engine = make_engine(args.url)
    factory = make_session_factory(engine)

    def baseline() -> int:
        with engine.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT d.importer, count(*), count(a.id) FROM declarations d"
                        " LEFT JOIN inspection_acts a ON a.declaration_id = d.id AND a.current"
                        " GROUP BY d.importer"
                    )
                ).all()
            )

    def recategorise() -> object:
        with UnitOfWork(factory) as uow:
            result = service.recategorise(uow=uow, actor="benchmark", as_of=AS_OF)
            uow.commit()
        return result

    groups = baseline()
    began = time.perf_counter()
    first = recategorise()
    cold = time.perf_counter() - began
    print(f"first run (every category new): {cold:.2f} s; {first}")
    results = [
        ("baseline: SELECT importer, count(*) … GROUP BY", timed(args.runs, baseline)),
        ("recategorise (categories known)", timed(args.runs, recategorise)),
    ]
    base = results[0][1][0]
    print(f"baseline groups: {groups:,}; runs: {args.runs}; target: under 30 s")
    for label, (median, seconds) in results:
        every = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{label:<48} median {median:6.2f} s  ({every})  {median / base:5.1f}x baseline")
    with UnitOfWork(factory) as uow:
        run = service.last_run(uow=uow)
        sample = service.list_traders(uow=uow, category="high", limit=1).items
    print(f"last run: {json.dumps(run.model_dump(mode='json') if run else None)}")
    print(f"a high-risk trader: {sample[0].tin if sample else None}")
    engine.dispose()
    if not args.keep:
        fresh(args.url)


if __name__ == "__main__":
    main()
