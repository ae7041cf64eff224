"""Speed of the selectivity engine: declarations assessed per second on one core.

1,000 active profiles in a realistic mix (HS-prefix guards, origin and office
guards, named-list guards, target profiles on one trader or vehicle, and some
with no usable guard), 10-item declarations with their fact rows built before
timing (building rows belongs to the caller), random control on every office.

Prints the median time per declaration over several runs with the index, the
same without the index (every profile tested on every item; measured in the
same run on a subset, because it is slow), and what the declarations looked
like (candidates tested, hits, channels), so that the figure can be judged.
As in a server worker, what exists before timing (the profile set, the prepared
declarations) is frozen out of the garbage collector's full passes; ``--no-freeze``
leaves it in reach.

Reproduce: cd /work/main && .venv/bin/python benchmarks/engine_bench.py
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from corridor.declarations.facts import TraderFacts, build_rows, fact_schema
from corridor.rules import NamedList
from corridor.selectivity.engine import (
    Decision,
    DeclarationFacts,
    MeasureSpec,
    OfficeParameters,
    ProfileSet,
    ProfileSpec,
    Reasons,
    assess,
    compile_profile_set,
)

SECRET = b"benchmark-selection-secret"
AT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
OFFICES = ["KGBSK", "KGOSH", "KGTKM", "KGJLB", "KGKRL", "KGNRN", "KGTLS", "KGBTK", "KGISK", "KGKNT"]
ORIGINS = [
    ("CN", 40),
    ("TR", 10),
    ("RU", 10),
    ("KZ", 10),
    ("DE", 5),
    ("US", 5),
    ("AE", 5),
    ("UZ", 4),
    ("KR", 4),
    ("JP", 3),
    ("IN", 2),
    ("IT", 2),
]
MEASURES = {
    m.code: m
    for m in (
        MeasureSpec("101", "check of documents and information", "yellow"),
        MeasureSpec("102", "oral questioning", "none"),
        MeasureSpec("103", "request for explanations / additional documents", "yellow"),
        MeasureSpec("105", "external inspection / non-intrusive scan", "red"),
        MeasureSpec("109", "physical examination of goods", "red"),
        MeasureSpec("112", "check of marking", "red"),
        MeasureSpec("601", "valuation check", "yellow"),
        MeasureSpec("615", "samples for laboratory expertise", "red"),
        MeasureSpec("801", "post-clearance desk audit", "blue"),
        MeasureSpec("802", "post-clearance field audit", "blue"),
    )
}
MEASURE_SETS = [
    (("109", True),),
    (("601", False), ("103", False)),
    (("105", False), ("109", False)),
    (("801", False),),
    (("101", True), ("102", False)),
    (("615", False), ("109", True)),
]


class World:
    """Codes, traders and lists the profiles and declarations share."""

    def __init__(self, rng: random.Random) -> None:
        chapters = ["84", "85", "87", "61", "62", "64", "39", "73", "94", "95", "08", "22", "30"]
        self.headings = [f"{rng.choice(chapters)}{rng.randrange(1, 99):02d}" for _ in range(150)]
        self.hs_codes = [
            f"{rng.choice(self.headings)}{rng.randrange(10**6):06d}" for _ in range(600)
        ]
        # A few goods make most of the trade.
        self.hs_weights = [1 / (rank + 5) for rank in range(len(self.hs_codes))]
        self.importers = [f"0{rng.randrange(10**13):013d}" for _ in range(2000)]
        self.exporters = [f"EXP-{i:04d}" for i in range(600)]
        self.vehicles = [f"01KG{i:03d}AB" for i in range(1500)]
        self.containers = [f"MSCU{i:07d}" for i in range(3000)]
        self.lists = (
            NamedList(
                "WATCHED_IMPORTERS",
                ("importer",),
                frozenset((t,) for t in rng.sample(self.importers, 60)),
            ),
            NamedList(
                "SENSITIVE_HS",
                ("hs_code",),
                frozenset((h,) for h in rng.sample(self.headings, 25)),
                frozenset({"hs_code"}),
            ),
            NamedList("RISKY_ORIGINS", ("origin",), frozenset({("AE",), ("IN",), ("UZ",)})),
            NamedList(
                "WATCHED_CONTAINERS",
                ("containers",),
                frozenset((c,) for c in rng.sample(self.containers, 60)),
            ),
            NamedList(
                "WATCHED_VEHICLES",
                ("vehicle_id",),
                frozenset((v,) for v in rng.sample(self.vehicles, 20)),
            ),
        )

    def origin(self, rng: random.Random) -> str:
        return rng.choices([o for o, _ in ORIGINS], [w for _, w in ORIGINS])[0]


def make_profiles(world: World, count: int, rng: random.Random) -> list[ProfileSpec]:
    """A mix of profiles; the share of each kind is in the comment beside it."""

    def quoted(values: list[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    def origins(n: int) -> str:
        return quoted(sorted({world.origin(rng) for _ in range(n)}))

    def hs_prefix(digits: int) -> str:
        return rng.choice(world.hs_codes)[:digits]

    templates: list[tuple[float, Callable[[], tuple[str, dict[str, Any]]]]] = [
        # valuation by HS heading, origin and the ratio to the reference price
        (
            0.40,
            lambda: (
                f'hs_code startswith ["{hs_prefix(4)}"] and origin in {origins(2)} '
                f"and value_ratio < {rng.choice(['0.4', '0.45', '0.5'])}",
                {},
            ),
        ),
        # classification: a subheading declared light or cheap
        (
            0.10,
            lambda: (
                f'hs_code startswith ["{hs_prefix(6)}", "{hs_prefix(6)}"] '
                f"and value_per_kg < {rng.choice(['0.5', '1', '2'])}",
                {},
            ),
        ),
        # origin / dispatch inconsistencies
        (
            0.12,
            lambda: (
                f'origin = "{world.origin(rng)}" and exporter_country != origin '
                f"and value_ratio < {rng.choice(['0.5', '0.6'])}",
                {},
            ),
        ),
        # regional and post profiles: scoped to offices, no criteria guard
        (
            0.12,
            lambda: (
                f"transport_mode = {rng.choice([20, 30, 40])} "
                f"and gross_mass_kg > {rng.randrange(15, 20) * 1000} and value_per_kg < 5",
                {"offices": frozenset(rng.sample(OFFICES, rng.choice([1, 2]))), "kind": "post"},
            ),
        ),
        # named lists
        (
            0.08,
            lambda: rng.choice(
                [
                    (f'in_list("WATCHED_IMPORTERS") and chapter = "{hs_prefix(2)}"', {}),
                    (
                        f'in_list("SENSITIVE_HS") and origin = "{world.origin(rng)}" '
                        "and value_ratio < 0.4",
                        {},
                    ),
                    ('in_list("RISKY_ORIGINS", origin) and value_per_kg < 0.5', {}),
                    ('in_list("WATCHED_CONTAINERS") and transport_mode = 10', {}),
                    (f'in_list("WATCHED_VEHICLES", vehicle_id) and chapter = "{hs_prefix(2)}"', {}),
                ]
            ),
        ),
        # intelligence targets: one trader, vehicle or exporter
        (
            0.13,
            lambda: rng.choice(
                [
                    (f'importer = "{rng.choice(world.importers)}"', {"kind": "target"}),
                    (f'vehicle_id = "{rng.choice(world.vehicles)}"', {"kind": "target"}),
                    (
                        f'exporter = "{rng.choice(world.exporters)}" and origin = "CN"',
                        {"kind": "target"},
                    ),
                ]
            ),
        ),
        # no usable guard: tested on every declaration
        (
            0.05,
            lambda: rng.choice(
                [
                    (f"value_ratio < 0.2 and customs_value > {rng.randrange(5, 25)}00000", {}),
                    ("importer_age_days < 30 and customs_value > 2500000", {}),
                    (f"model_score > 0.99{rng.randrange(7, 10)}", {"kind": "model"}),
                    (
                        'not (origin in ["CN", "KZ", "RU"]) and duties > 295000 '
                        "and value_ratio < 0.7",
                        {},
                    ),
                    ("importer_discrepancies > 4 and value_ratio < 0.4", {}),
                ]
            ),
        ),
    ]
    weights = [w for w, _ in templates]
    profiles = []
    for i in range(count):
        criteria, extra = rng.choices([t for _, t in templates], weights)[0]()
        profiles.append(
            ProfileSpec(
                code=f"P-{i:04d}",
                version=1,
                title=f"profile {i}",
                kind=extra.get("kind", "national"),
                risk_area=rng.choice(["valuation", "classification", "origin", "smuggling"]),
                criteria=criteria,
                measures=rng.choice(MEASURE_SETS),
                selection_rate=Decimal(rng.choice([5, 10, 25, 50, 100])),
                offices=extra.get("offices", frozenset()),
                flows=frozenset({"IM"}) if rng.random() < 0.7 else frozenset(),
                procedures=frozenset(),
                exempt_low_risk=rng.random() < 0.3,
                exempt_aeo=rng.random() < 0.5,
                valid_from=date(2026, 1, 1),
                valid_to=date(2026, 12, 31) if rng.random() < 0.5 else None,
                officer_instructions="check the goods against the invoice",
            )
        )
    return profiles


def make_declarations(world: World, count: int, items: int, rng: random.Random) -> list[Any]:
    """Declarations with their fact rows (built here, outside the timing)."""
    schema_attributes: dict[str, Any] = {"payment_type": "11"}
    declarations = []
    for n in range(count):
        office = rng.choice(OFFICES)
        first_origin = world.origin(rng)
        header = {
            "flow": "IM",
            "procedure": "40",
            "office": office,
            "registered_at": AT - timedelta(minutes=n),
            "declarant": rng.choice(world.importers),
            "importer": rng.choice(world.importers),
            "exporter": rng.choice(world.exporters),
            "exporter_country": first_origin,
            "dispatch_country": first_origin if rng.random() < 0.9 else world.origin(rng),
            "destination_country": "KG",
            "transport_mode": rng.choice([30, 30, 30, 20, 40]),
            "vehicle_id": rng.choice(world.vehicles),
            "containers": rng.sample(world.containers, rng.choice([0, 1, 1, 2])),
            "incoterms": "FCA",
            "currency": rng.choice(["USD", "CNY", "EUR", "RUB"]),
            "documents": ["04021", "03011"],
            "attributes": schema_attributes,
        }
        rows_in = []
        extras = {}
        for item_no in range(1, items + 1):
            mass = Decimal(rng.randrange(10, 20000))
            value = Decimal(rng.randrange(1000, 3_000_000))
            rows_in.append(
                {
                    "item_no": item_no,
                    "hs_code": rng.choices(world.hs_codes, world.hs_weights)[0],
                    "description": "goods",
                    "origin": first_origin if rng.random() < 0.95 else world.origin(rng),
                    "net_mass_kg": mass,
                    "gross_mass_kg": mass + rng.randrange(0, 500),
                    "supplementary_qty": Decimal(rng.randrange(0, 100)),
                    "supplementary_unit": "796",
                    "invoice_value": value / 90,
                    "customs_value": value,
                    "duty_rate": Decimal(rng.choice([0, 5, 10, 15])),
                    "duties": value * Decimal("0.1"),
                }
            )
            extras[item_no] = {
                "value_ratio": Decimal(f"{rng.lognormvariate(0, 0.35):.6f}"),
                "model_score": Decimal(f"{rng.random():.6f}"),
            }
        category = rng.choices(["low", "medium", "high"], [30, 60, 10])[0]
        aeo = rng.random() < 0.05
        trader = TraderFacts(
            category=category,
            aeo=aeo,
            first_seen=date(2020, 1, 1) + timedelta(days=rng.randrange(2460)),
            declarations=rng.randrange(1, 500),
            inspections=rng.randrange(0, 50),
            discrepancies=rng.randrange(0, 6),
        )
        rows = build_rows(header, rows_in, trader=trader, item_extras=extras)
        declarations.append(
            DeclarationFacts(
                key=f"{office}/{n:07d}/1",
                flow="IM",
                office=office,
                procedure="40",
                rows=rows,
                trader_category=category,
                aeo=aeo,
            )
        )
    return declarations


PARAMETERS = {
    office: OfficeParameters(
        office, "IM", {"red": Decimal(1), "yellow": Decimal(3), "blue": Decimal(2)}
    )
    for office in OFFICES
}


def run(
    declarations: list[DeclarationFacts], profile_set: ProfileSet, *, use_index: bool
) -> list[Decision]:
    return [
        assess(
            d,
            profile_set,
            parameters=PARAMETERS[d.office],
            secret=SECRET,
            at=AT,
            zone=UTC,
            use_index=use_index,
        )
        for d in declarations
    ]


def median_seconds(
    declarations: list[DeclarationFacts], profile_set: ProfileSet, runs: int, *, use_index: bool
) -> float:
    """Median wall time of assessing all declarations, after one warm-up run.

    Each run starts with an empty memory of reasons (as a freshly built set
    does), so a run does not profit from the explanations of the one before.
    """
    times = []
    for _ in range(runs + 1):
        fresh = replace(profile_set, reasons=Reasons(profile_set.conjuncts))
        start = time.perf_counter()
        run(declarations, fresh, use_index=use_index)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    """Build the profiles and declarations, time the engine, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--declarations", type=int, default=3000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-declarations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the profile set and the prepared declarations in the collector's reach",
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    world = World(rng)
    specs = make_profiles(world, args.profiles, rng)
    start = time.perf_counter()
    profile_set = compile_profile_set(
        specs,
        measures=MEASURES,
        lists=world.lists,
        list_versions={named.name: 1 for named in world.lists},
        schema=fact_schema(),
        version="bench",
    )
    compile_seconds = time.perf_counter() - start
    declarations = make_declarations(world, args.declarations, args.items, rng)
    subset = declarations[: args.baseline_declarations]
    if not args.no_freeze:
        # As a server worker runs the engine (CORRIDOR_GC_FREEZE): what exists before
        # the first declaration is out of the collector's full passes.
        gc.collect()
        gc.freeze()

    indexed = median_seconds(declarations, profile_set, args.runs, use_index=True)
    indexed_subset = median_seconds(subset, profile_set, args.runs, use_index=True)
    unindexed_runs = max(1, args.runs // 2)
    unindexed = median_seconds(subset, profile_set, unindexed_runs, use_index=False)
    same = run(subset, profile_set, use_index=True) == run(subset, profile_set, use_index=False)

    decisions = run(declarations, profile_set, use_index=True)
    index = profile_set.index
    start = time.perf_counter()
    tested = [len(index.candidates(d)) for d in declarations]
    lookup = (time.perf_counter() - start) / len(declarations) * 1e6
    guards = Counter(
        f"{p.guard.field} {p.guard.kind}" if p.guard else "none" for p in profile_set.profiles
    )
    hits = [len(d.hits) for d in decisions]
    channels = Counter(d.channel for d in decisions)
    per_declaration = indexed / len(declarations) * 1e6

    print(f"python {sys.version.split()[0]}, {platform.machine()}")
    print(
        f"profile set: {len(profile_set.profiles):,} profiles compiled in "
        f"{compile_seconds:.2f} s ({len(profile_set.problems)} problems); guards: "
        + ", ".join(f"{name} {count}" for name, count in guards.most_common())
    )
    print(
        f"declarations: {len(declarations):,} distinct, {args.items} items each; "
        f"per declaration: {statistics.mean(tested):.1f} profiles let through by the index "
        f"(of {len(profile_set.profiles):,}), {statistics.mean(hits):.2f} hits; "
        f"{sum(h > 0 for h in hits) / len(hits):.0%} with at least one hit"
    )
    print(
        "channels: "
        + ", ".join(
            f"{c} {channels[c] / len(decisions):.1%}" for c in ("red", "yellow", "blue", "green")
        )
    )
    frozen = "left in reach (--no-freeze)" if args.no_freeze else "frozen, as in a server worker"
    print(f"one core, median of {args.runs} runs; start-up objects {frozen}:")
    print(
        f"  indexed     {per_declaration:8.1f} µs/declaration   "
        f"{len(declarations) / indexed:8,.0f} declarations/s   (target >= 5,000/s)"
    )
    print(f"    of which the index lookup {lookup:6.1f} µs/declaration (one run)")
    print(
        f"  no index    {unindexed / len(subset) * 1e6:8.1f} µs/declaration   "
        f"{len(subset) / unindexed:8,.0f} declarations/s   "
        f"(first {len(subset)} declarations, median of {unindexed_runs})"
    )
    print(
        f"  index speed-up on the same {len(subset)} declarations: "
        f"{unindexed / indexed_subset:.0f}x; identical decisions: {same}"
    )
    print("reproduce: cd /work/main && .venv/bin/python benchmarks/engine_bench.py")


if __name__ == "__main__":
    main()
