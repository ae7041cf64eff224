"""Feedback statistics on a national year: profile effectiveness and KPIs over 1M declarations.

Reproduce (PostgreSQL on 127.0.0.1:5432 with a database the benchmark may wipe)::

    .venv/bin/python benchmarks/analytics_bench.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test_b --declarations 1000000 --runs 3

It empties the database and synthesises, with ``COPY``, a year of declarations
(1 December 2025 to 30 November 2026, ten offices) with one decision each (about
16 % matched by profiles, 60 profile versions of which 5 are intelligence targets;
about 3 % selected at random), their decision hits, re-routes, and ``--acts``
current inspection acts on red and yellow declarations (plus 2,000 corrected
earlier versions). Then, ``--runs`` times each, it times the code paths of
``GET /api/v1/analytics/profiles`` for the year and for one month (October 2026)
and of ``GET /api/v1/analytics/kpis`` for the year, and prints the medians. The
baseline, measured in the same run: ``SELECT count(*)`` over the same joins
(declarations, decisions, current acts) for the year — the floor of reading
the rows the reports aggregate.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl
import psycopg
from sqlalchemy import text

from corridor.analytics import service
from corridor.analytics.schemas import ReportPeriod, month_period
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from corridor.db.tables import Base, ProfileVersionRow
from corridor.db.uow import UnitOfWork

OFFICES = ("KGBSK", "KGOSH", "KGTOR", "KGIRK", "KGAKJ", "KGDST", "KGFRU", "KGKAN", "KGJAL", "KGKRK")
YEAR = ReportPeriod(date(2025, 12, 1), date(2026, 11, 30))
PROFILES = 60
TARGETS = 5
CORRECTIONS = 2000
REROUTES = 3000


def wipe(url: str) -> None:
    """Empty every corridor table (the schema stays)."""
    engine = make_engine(url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _uniform(column: str, seed: int, modulus: int = 10_000) -> pl.Expr:
    """A deterministic pseudo-random integer in [0, modulus) per row, from its id."""
    return (pl.col(column).hash(seed) % modulus).cast(pl.Int64)


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


def _profiles(url: str) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime(2025, 11, 20, tzinfo=UTC)
    with UnitOfWork(factory) as uow:
        uow.session.add_all(
            ProfileVersionRow(
                code=f"{'TGT' if n < TARGETS else 'NAT'}-2026-{n:04d}",
                version=1,
                status="active",
                title=f"benchmark profile {n}",
                kind="target" if n < TARGETS else "national",
                risk_area=("valuation", "classification", "origin", "smuggling")[n % 4],
                criteria='origin = "CN"',
                criteria_json={},
                measures=[{"code": "109", "mandatory": True}],
                selection_rate=Decimal(100),
                offices=[],
                flows=["IM"],
                procedures=[],
                exempt_low_risk=False,
                exempt_aeo=False,
                officer_instructions="Examine the goods.",
                rationale="benchmark",
                author="analyst",
                created_at=now,
            )
            for n in range(PROFILES)
        )
        uow.commit()
    engine.dispose()


def synthesise(url: str, declarations: int, acts: int) -> dict[str, int]:
    """Write the benchmark's year with COPY; row counts per table."""
    _profiles(url)
    start = int(YEAR.start.timestamp())
    span = int(YEAR.end.timestamp()) - start
    ids = pl.DataFrame({"id": pl.int_range(1, declarations + 1, eager=True)})
    registered = pl.from_epoch(
        pl.lit(start, dtype=pl.Int64) + (pl.col("id") * 7919 % span), time_unit="s"
    ).dt.replace_time_zone("UTC")
    # Offices by share: Bishkek a third, Osh a sixth, the other eight the rest.
    share = _uniform("id", 11, 100)
    others = (share % (len(OFFICES) - 2)).replace_strict(
        dict(enumerate(OFFICES[2:])), return_dtype=pl.String
    )
    heads = ids.with_columns(
        registered.alias("registered_at"),
        pl.when(share < 34)
        .then(pl.lit("KGBSK"))
        .when(share < 50)
        .then(pl.lit("KGOSH"))
        .otherwise(others)
        .alias("office"),
    )
    declaration_rows = heads.select(
        "id",
        (pl.lit("BENCH/") + pl.col("id").cast(pl.String).str.zfill(8)).alias("number"),
        pl.lit(1).alias("version"),
        pl.lit("0" * 64).alias("content_hash"),
        pl.lit("IM").alias("flow"),
        pl.lit("40").alias("procedure"),
        "office",
        "registered_at",
        pl.lit("02107199910034").alias("declarant"),
        (pl.lit("0150320071") + (pl.col("id") % 4999).cast(pl.String).str.zfill(4)).alias(
            "importer"
        ),
        pl.lit(30).alias("transport_mode"),
        pl.lit("[]").alias("containers"),
        pl.lit("USD").alias("currency"),
        pl.lit("[]").alias("documents"),
        pl.lit("{}").alias("attributes"),
        pl.lit(1).alias("item_count"),
        ((_uniform("id", 12, 5_000_000) + 10_000).cast(pl.String) + ".25").alias(
            "total_customs_value"
        ),
        pl.lit("benchmark").alias("source"),
        pl.col("registered_at").alias("received_at"),
    )
    # Decisions: 16 % matched by profiles (70 % of those selected), 3 % drawn at random.
    flags = ids.with_columns(
        (_uniform("id", 1) < 1600).alias("matched"),
        _uniform("id", 3).alias("u_select"),
        (_uniform("id", 2) < 300).alias("selected_at_random"),
        _uniform("id", 4).alias("u_channel"),
    ).with_columns((pl.col("matched") & (pl.col("u_select") < 7000)).alias("selected_by_profile"))
    channel = (
        pl.when(pl.col("selected_by_profile"))
        .then(
            pl.when(pl.col("u_channel") < 4000)
            .then(pl.lit("red"))
            .when(pl.col("u_channel") < 8500)
            .then(pl.lit("yellow"))
            .otherwise(pl.lit("blue"))
        )
        .when(pl.col("selected_at_random"))
        .then(
            pl.when(pl.col("u_channel") < 3000)
            .then(pl.lit("red"))
            .when(pl.col("u_channel") < 7000)
            .then(pl.lit("yellow"))
            .otherwise(pl.lit("blue"))
        )
        .otherwise(pl.lit("green"))
    )
    decisions = flags.with_columns(channel.alias("channel"))
    decision_rows = decisions.join(heads.select("id", "registered_at"), on="id").select(
        "id",
        pl.col("id").alias("declaration_id"),
        "channel",
        pl.lit("1.0.0").alias("engine_version"),
        pl.lit("benchmark").alias("profile_set_version"),
        pl.col("registered_at").alias("assessed_at"),
        "selected_by_profile",
        "selected_at_random",
        pl.lit("{}").alias("detail"),
    )
    # Decision hits: 1 to 3 profiles per matched decision; the first selects when selected.
    matched = decisions.filter(pl.col("matched")).with_columns(
        (1 + _uniform("id", 5, 3)).alias("count"), _uniform("id", 6, PROFILES).alias("first")
    )
    hits = (
        matched.with_columns(pl.int_ranges(0, pl.col("count")).alias("n"))
        .explode("n")
        .select(
            pl.col("id").alias("decision_id"),
            (
                pl.lit("NAT-2026-")
                + ((pl.col("first") + 7 * pl.col("n")) % PROFILES).cast(pl.String).str.zfill(4)
            ).alias("profile_code"),
            pl.lit(1).alias("profile_version"),
            (pl.col("selected_by_profile") & (pl.col("n") == 0)).alias("selected"),
            (~pl.col("selected_by_profile") & (_uniform("id", 7) < 1000)).alias("exempt"),
        )
        .with_columns(
            pl.when(pl.col("profile_code").str.slice(9).cast(pl.Int64) < TARGETS)
            .then(pl.lit("TGT-2026-") + pl.col("profile_code").str.slice(9))
            .otherwise(pl.col("profile_code"))
            .alias("profile_code")
        )
    )
    # Acts: ``acts`` current ones on red and yellow declarations, in a scrambled order.
    inspected = (
        decisions.filter(pl.col("channel").is_in(["red", "yellow"]))
        .with_columns(_uniform("id", 8, 1 << 30).alias("order"))
        .sort("order")
        .head(acts)
        .join(heads.select("id", "office", "registered_at"), on="id")
    )
    found = pl.when(pl.col("selected_by_profile")).then(3500).otherwise(500)
    current = inspected.select(
        pl.col("id").alias("declaration_id"),
        pl.lit(1).alias("act_version"),
        pl.lit(True).alias("current"),
        "office",
        pl.when(pl.col("selected_by_profile"))
        .then(pl.lit("profile"))
        .otherwise(pl.lit("random"))
        .alias("selection_basis"),
        pl.lit("[]").alias("measures"),
        pl.when(_uniform("id", 9) < found)
        .then(pl.lit("discrepancy"))
        .otherwise(pl.lit("no_discrepancy"))
        .alias("outcome"),
        pl.lit("[]").alias("discrepancy_types"),
        pl.when(_uniform("id", 9) < found)
        .then(_uniform("id", 10, 500_000).cast(pl.String) + ".40")
        .otherwise(pl.lit("0"))
        .alias("additional_duties"),
        pl.lit(False).alias("seizure"),
        (30 + _uniform("id", 13, 150)).alias("minutes_spent"),
        pl.lit("").alias("notes"),
        pl.lit("Asanov B.").alias("inspector"),
        pl.col("registered_at").alias("inspected_at"),
        pl.lit("Asanov B.").alias("recorded_by"),
        pl.col("registered_at").alias("recorded_at"),
        pl.lit("benchmark").alias("source"),
    )
    # Corrections: the first acts were recorded twice; version 1 is no longer current.
    corrected = current.head(CORRECTIONS).with_columns(
        pl.lit(False).alias("current"), pl.lit("discrepancy").alias("outcome")
    )
    act_rows = pl.concat(
        [
            corrected,
            current.with_columns(pl.col("act_version") + (pl.int_range(pl.len()) < CORRECTIONS)),
        ]
    )
    reroutes = (
        decisions.filter(pl.col("channel") == "green")
        .head(REROUTES)
        .join(heads.select("id", "registered_at"), on="id")
        .select(
            pl.col("id").alias("decision_id"),
            pl.lit("green").alias("from_channel"),
            pl.lit("red").alias("to_channel"),
            pl.lit("intelligence").alias("reason_code"),
            pl.lit("benchmark").alias("comment"),
            pl.lit("inspector").alias("officer"),
            pl.col("registered_at").alias("at"),
        )
    )
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        for table, frame in (
            ("declarations", declaration_rows),
            ("decisions", decision_rows),
            ("decision_hits", hits),
            ("inspection_acts", act_rows),
            ("reroutes", reroutes),
        ):
            _copy(connection, table, frame)
        for table in ("declarations", "decisions"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {declarations})"
            )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return {
        "declarations": declaration_rows.height,
        "decisions": decision_rows.height,
        "decision_hits": hits.height,
        "inspection_acts": act_rows.height,
        "reroutes": reroutes.height,
    }


def timed(runs: int, action: Callable[[], object]) -> tuple[float, list[float]]:
    """Median seconds of ``runs`` calls (after one warm-up call), and every run."""
    action()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test_b")
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--acts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the synthetic year stored")
    args = parser.parse_args()

    engine = make_engine(args.url)
    upgrade(engine)
    engine.dispose()
    wipe(args.url)
    began = time.perf_counter()
    counts = synthesise(args.url, args.declarations, args.acts)
    print(
        "synthesised with COPY in "
        f"{time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items())
    )

    engine = make_engine(args.url)
    factory = make_session_factory(engine)

    def baseline() -> int:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM declarations d"
                        " JOIN decisions x ON x.declaration_id = d.id"
                        " LEFT JOIN inspection_acts a ON a.declaration_id = d.id AND a.current"
                        " WHERE d.registered_at >= :start AND d.registered_at < :end"
                    ),
                    {"start": YEAR.start, "end": YEAR.end},
                ).scalar_one()
            )

    def profiles(period: ReportPeriod) -> Callable[[], object]:
        def run() -> object:
            with UnitOfWork(factory) as uow:
                return service.profile_effectiveness(uow=uow, period=period, hidden=())

        return run

    def kpis() -> object:
        with UnitOfWork(factory) as uow:
            return service.kpis(uow=uow, period=YEAR)

    rows = baseline()
    with UnitOfWork(factory) as uow:
        year = service.profile_effectiveness(uow=uow, period=YEAR, hidden=())
        figures = service.kpis(uow=uow, period=YEAR)
    print(
        f"the year: {rows:,} assessed declarations; {len(year.profiles)} profile versions; "
        f"targeted hit rate {year.targeted.hit_rate.rate:.3f} of {year.targeted.inspected:,} "
        f"inspections, random {year.random_control.hit_rate.rate:.3f} of "
        f"{year.random_control.inspected:,}; KPIs: {figures.total.inspections:,} inspections, "
        f"{len(figures.days):,} office-days"
    )
    results = [
        ("baseline: SELECT count(*) over the joins, year", timed(args.runs, baseline)),
        ("profile effectiveness, year", timed(args.runs, profiles(YEAR))),
        (
            "profile effectiveness, month (2026-10)",
            timed(args.runs, profiles(month_period("2026-10"))),
        ),
        ("KPIs, year", timed(args.runs, kpis)),
    ]
    base = results[0][1][0]
    print(f"runs: {args.runs} (after one warm-up each); target: under 10 s")
    for label, (median, seconds) in results:
        every = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{label:<48} median {median:6.2f} s  ({every})  {median / base:5.1f}x baseline")
    engine.dispose()
    if not args.keep:
        wipe(args.url)


if __name__ == "__main__":
    main()
