"""Throughput and latency of ``POST /api/v1/declarations`` (store + assess) on PostgreSQL.

Reproduce (PostgreSQL on 127.0.0.1:5432 with a database the benchmark may wipe)::

    .venv/bin/python benchmarks/api_bench.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/test --requests 8000 --clients 8

Starts the application under uvicorn (``--workers`` processes, by default two
per core as ``corridor serve --workers`` would be run) on a loopback port
against an emptied, migrated database with the demo world's risk profiles,
lists and office parameters active, then drives it with ``--clients``
concurrent HTTP clients, each request a distinct realistic demo declaration.
The load generator is ``wrk`` (a C client, ``apt-get install wrk``) when it is
on the PATH — on a 2-core machine a Python client would take the CPU the
server needs — and this process's asyncio clients otherwise (``--python-client``
forces them). Prints throughput and p50/p99 latency per run (median of
``--runs``), and as a baseline in the same run the latency of ``GET
/api/v1/health`` (one database round trip) under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
from sqlalchemy import text

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import TokenIssue, UnitCreate, UserCreate
from corridor.config import Settings
from corridor.db.engine import make_engine, make_session_factory
from corridor.db.migrate import SEEDED_TABLES, upgrade
from corridor.db.tables import Base
from corridor.db.uow import UnitOfWork
from corridor.demo import generate
from corridor.demo import selectivity as demo_selectivity


def reset(url: str) -> str:
    """Empty the database (schema kept), seed the demo selectivity set and a clearance
    system user; returns that user's API token."""
    engine = make_engine(url)
    upgrade(engine)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        seeded = {
            name: [
                dict(r) for r in connection.execute(Base.metadata.tables[name].select()).mappings()
            ]
            for name in SEEDED_TABLES
        }
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for name, rows in seeded.items():
            connection.execute(Base.metadata.tables[name].insert(), rows)
    session_factory = make_session_factory(engine)
    demo_selectivity.seed(session_factory=session_factory)
    with UnitOfWork(session_factory) as uow:
        unit = UnitCreate(code="HQ", name="Head office", kind="head_office")
        accounts_service.create_unit(uow=uow, unit_in=unit, actor="bench")
        user = UserCreate(
            username="clearance.bench", full_name="Clearance system", unit="HQ", roles=[Role.SYSTEM]
        )
        accounts_service.create_user(uow=uow, user_in=user, actor="bench")
        _, token = accounts_service.issue_token(
            uow=uow,
            username=user.username,
            token_in=TokenIssue(name="benchmark", expires_days=1),
            actor="bench",
            settings=Settings(),
        )
        uow.commit()
    engine.dispose()
    return token


def payloads(count: int, seed: int) -> list[dict[str, Any]]:
    """Distinct demo declarations as JSON bodies."""
    end = datetime.now(UTC).date() - timedelta(days=1)
    world = generate(declarations=count, seed=seed, end=end, days=60)
    return [entry.declaration.model_dump(mode="json") for entry in world.declarations]


async def drive(
    base: str,
    bodies: list[dict[str, Any]],
    clients: int,
    token: str,
    path: str | None = None,
) -> list[float]:
    """Send every body (or GET ``path`` as often) with ``clients`` concurrent clients."""
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []

    async def client() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as http:
            while not queue.empty():
                body = queue.get_nowait()
                began = time.perf_counter()
                if path is None:
                    response = await http.post("/api/v1/declarations", json=body)
                    ok = response.status_code in (200, 201)
                else:
                    response = await http.get(path)
                    ok = response.status_code == 200
                latencies.append(time.perf_counter() - began)
                if not ok:
                    raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies


WRK_SCRIPT = """
local bodies = {}
for line in io.lines("%s") do bodies[#bodies + 1] = line end
local counter, threads = 0, 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
init = function(args) counter = id end
request = function()
  counter = counter + %d
  local body = bodies[(counter %% #bodies) + 1]
  return wrk.format("POST", "/api/v1/declarations",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %s"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%f %%f %%f\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


def drive_wrk(
    base: str, bodies: list[dict[str, Any]], clients: int, seconds: int, token: str
) -> dict[str, float]:
    """Run wrk for ``seconds`` with ``clients`` connections posting distinct bodies."""
    threads = 2
    with tempfile.TemporaryDirectory() as folder:
        lines = os.path.join(folder, "bodies.txt")
        with open(lines, "w") as handle:
            for body in bodies:
                handle.write(json.dumps(body, separators=(",", ":")) + "\n")
        script = os.path.join(folder, "post.lua")
        with open(script, "w") as handle:
            handle.write(WRK_SCRIPT % (lines, threads, token))
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "-s", script, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw failed requests:\n{output}")
    found = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", output)
    if found is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    requests, duration, p50, p99 = (float(value) for value in found.groups())
    if requests > len(bodies):
        raise SystemExit("wrk sent more requests than distinct declarations: add --requests")
    return {"throughput": requests / duration, "p50": p50, "p99": p99}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--requests", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=8)
    # Two per core: a worker waits on PostgreSQL part of each request, and with fewer
    # workers than connections the kernel may hand one worker most of the connections.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=10, help="duration of a wrk run")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None and not args.python_client

    bodies_per_run = [payloads(args.requests, seed=100 + run) for run in range(args.runs)]
    results = []
    for run, bodies in enumerate(bodies_per_run, start=1):
        token = reset(args.url)
        env = {**os.environ, "CORRIDOR_DATABASE_URL": args.url}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "corridor.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            asyncio.run(drive(base, bodies[:50], args.clients, token))  # warm-up, compiles
            if use_wrk:
                result = drive_wrk(base, bodies[50:], args.clients, args.seconds, token)
            else:
                began = time.perf_counter()
                latencies = asyncio.run(drive(base, bodies[50:], args.clients, token))
                elapsed = time.perf_counter() - began
                result = {
                    "throughput": len(latencies) / elapsed,
                    "p50": percentile(latencies, 0.50) * 1000,
                    "p99": percentile(latencies, 0.99) * 1000,
                }
            health = asyncio.run(drive(base, [{}] * 1000, args.clients, token, "/api/v1/health"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        result["health_p50"] = percentile(health, 0.50) * 1000
        results.append(result)
        print(
            f"run {run}: {result['throughput']:.0f} declarations/s, p50 {result['p50']:.1f} ms, "
            f"p99 {result['p99']:.1f} ms; health p50 {result['health_p50']:.1f} ms"
        )
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    client = "wrk" if use_wrk else "python asyncio clients"
    print(
        f"POST /api/v1/declarations, {args.clients} clients ({client}), {args.workers} workers, "
        f"median of {args.runs} runs:"
    )
    print(
        f"  throughput {median['throughput']:.0f} declarations/s (target >= 300); "
        f"p50 {median['p50']:.1f} ms; p99 {median['p99']:.1f} ms (target <= 50)"
    )
    print(
        f"  baseline GET /api/v1/health p50 {median['health_p50']:.1f} ms; "
        f"POST p50 / health p50 = {median['p50'] / median['health_p50']:.1f}x"
    )


if __name__ == "__main__":
    main()
