"""The dashboard page on the demo world: ``GET /dashboard`` for an analyst, 20,000 declarations.

Reproduce (SQLite; add ``--database-url`` for PostgreSQL, a database it may wipe)::

    .venv/bin/python benchmarks/dashboard_bench.py --runs 30
    .venv/bin/python benchmarks/dashboard_bench.py --runs 30 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_d

Builds the demo world as ``corridor demo generate`` does (``--declarations``
declarations over a year ending yesterday, Kyrgyz time, seed ``--seed``: the demo
profiles, lists and office parameters, every declaration assessed, the demo
inspection acts) and the demo accounts, in a SQLite file (``--sqlite``) or the
PostgreSQL database given; ``--reuse`` keeps a world already there. Then it serves
the application in this process (Starlette's TestClient: no network, no server
threads), signs in as the demo analyst through the sign-in page, and times, after
one warm-up each, ``--runs`` requests of:

* ``GET /dashboard`` (the last 30 days, every office),
* ``GET /dashboard?days=90`` (the last 90 days),
* ``GET /dashboard?office=KGBSK`` (one office, 30 days),
* the page's two use cases alone (``kpis`` and ``profile_effectiveness``, 30 days),

and as the baseline in the same run ``GET /api/v1/health`` (one database round
trip through the same application). Prints median, p90 and minimum in
milliseconds, and each median over the baseline's.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from corridor.analytics import service as analytics_service
from corridor.analytics.schemas import CUSTOMS_TIME, ReportPeriod
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import upgrade
from corridor.db.uow import UnitOfWork
from corridor.demo import accounts as demo_accounts
from corridor.demo import inspections as demo_inspections
from corridor.demo import loader
from corridor.demo import selectivity as demo_selectivity
from corridor.selectivity.snapshot import ProfileSetHolder

TARGET_MS = 500


def build(url: str, declarations: int, seed: int, reuse: bool) -> str:
    """The demo world and its accounts in the database at ``url``; the demo password."""
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    settings = Settings(database_url=url)
    if reuse and loader.has_declarations(factory):
        print("reusing the demo world already stored")
    else:
        if engine.dialect.name == "postgresql":
            # A fresh schema, migrated: every table empty but what the migrations seed.
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            upgrade(engine)
        elif loader.has_declarations(factory):
            raise SystemExit(f"{url} holds declarations: remove the file or pass --reuse")
        end = datetime.now(CUSTOMS_TIME).date() - timedelta(days=1)
        began = time.perf_counter()
        report = loader.load(session_factory=factory, declarations=declarations, seed=seed, end=end)
        demo_selectivity.seed(session_factory=factory, world_seed=seed, end=end)
        channels = demo_selectivity.assess_all(
            session_factory=factory,
            holder=ProfileSetHolder(poll_seconds=0),
            secret=settings.selection_secret.encode(),
        )
        acts = demo_inspections.record(session_factory=factory, seed=seed)
        print(
            f"built the demo world in {time.perf_counter() - began:.0f} s: "
            f"{report.created:,} declarations up to {end.isoformat()}, "
            f"{sum(channels.values()):,} assessed, {acts.acts:,} inspection acts"
        )
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"corridor-dashboard-bench-{digest}.json"
    credentials = demo_accounts.ensure(session_factory=factory, settings=settings, path=path)
    engine.dispose()
    return credentials.password


def timed(runs: int, request: Callable[[], object]) -> list[float]:
    """Milliseconds of ``runs`` calls, after one warm-up call."""
    request()
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        request()
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (wiped unless --reuse)")
    parser.add_argument("--sqlite", default="var/benchmarks/dashboard.db", help="SQLite file")
    parser.add_argument("--declarations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep a demo world already stored")
    args = parser.parse_args()

    if args.database_url:
        url = args.database_url
    else:
        Path(args.sqlite).parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(args.sqlite).resolve()}"
    password = build(url, args.declarations, args.seed, args.reuse)

    engine = make_engine(url)
    app = create_app(Settings(database_url=url), engine=engine)
    factory = make_session_factory(engine)
    with TestClient(app, follow_redirects=False) as client:
        signed = client.post(
            "/login", data={"username": demo_accounts.ANALYST, "password": password}
        )
        assert signed.status_code == 303, signed.text
        checks = {
            "GET /api/v1/health (baseline)": "/api/v1/health",
            "GET /dashboard (30 days, every office)": "/dashboard",
            "GET /dashboard?days=90": "/dashboard?days=90",
            "GET /dashboard?office=KGBSK (30 days)": "/dashboard?office=KGBSK",
        }
        for url_path in checks.values():
            response = client.get(url_path)
            assert response.status_code == 200, f"{url_path}: {response.status_code}"
        shown = client.get("/dashboard").text
        assert 'id="fig-declarations"' in shown, "the dashboard shows no figures"

        today = datetime.now(CUSTOMS_TIME).date()
        period = ReportPeriod(today - timedelta(days=29), today)

        def use_cases() -> object:
            with UnitOfWork(factory) as uow:
                analytics_service.kpis(uow=uow, period=period)
                return analytics_service.profile_effectiveness(uow=uow, period=period, hidden=())

        with UnitOfWork(factory) as uow:
            figures = analytics_service.kpis(uow=uow, period=period)
        results = [
            (label, timed(args.runs, lambda path=path: client.get(path)))
            for label, path in checks.items()
        ]
        results.append(("use cases alone (kpis + profiles, 30 days)", timed(args.runs, use_cases)))
    engine.dispose()

    print(
        f"database: {engine.dialect.name}; last 30 days: {figures.total.declarations:,} "
        f"declarations at {len(figures.offices)} offices, {figures.total.inspections:,} "
        f"inspections; runs: {args.runs} after one warm-up; target: under {TARGET_MS} ms"
    )
    base = statistics.median(results[0][1])
    for label, spent in results:
        median = statistics.median(spent)
        print(
            f"{label:<44} median {median:7.1f} ms  p90 {p90(spent):7.1f}  "
            f"min {min(spent):7.1f}  {median / base:6.1f}x baseline"
        )


if __name__ == "__main__":
    main()
