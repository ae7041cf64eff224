"""Labelled rows and quick training options the scoring tests of every tier share
(synthetic flat item rows, one declaration's fact rows as the engine builds them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from corridor.declarations.facts import build_rows
from corridor.scoring.core import Candidate, TrainingOptions

SHARED_DATA = Path(
    os.environ.get("CORRIDOR_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
HEADER = (
    "number",
    "office",
    "registered_at",
    "declarant",
    "importer",
    "dispatch_country",
    "transport_mode",
    "procedure",
    "flow",
    "currency",
)
HEADER_ATTRIBUTES = (
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "seller",
    "courier",
)
ITEM_ATTRIBUTES = ("tax_type", "origin_indicator")
ITEM = (
    "item_no",
    "hs_code",
    "origin",
    "net_mass_kg",
    "customs_value",
    "invoice_value",
    "duty_rate",
)

#: Few rounds, two folds, one candidate: a model in about a second.
QUICK = TrainingOptions(
    candidates=(Candidate(num_leaves=7, min_data_in_leaf=10, features="all"),),
    folds=2,
    max_rounds=40,
    round_step=20,
)


def synthetic(rows: int = 3000, *, seed: int = 1, months: int = 5) -> pl.DataFrame:
    """Labelled flat item rows: importers and HS codes with risks of their own."""
    rng = np.random.default_rng(seed)
    importers = [f"IMP{i:03d}" for i in range(60)]
    risk = rng.beta(1, 4, len(importers))
    hs = [f"{h:06d}" for h in rng.integers(100000, 999999, 40)]
    hs_risk = rng.uniform(-0.1, 0.2, len(hs))
    who = rng.integers(0, len(importers), rows)
    what = rng.integers(0, len(hs), rows)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    days = np.sort(rng.integers(0, 30 * months, rows))
    mass = np.round(rng.lognormal(5, 1.5, rows), 2)
    value = np.round(mass * rng.lognormal(3, 1, rows), 2)
    p = np.clip(risk[who] + hs_risk[what] + 0.1 * (value / mass < 10), 0, 1)
    return pl.DataFrame(
        {
            "number": [f"D{i:06d}" for i in range(rows)],
            "office": rng.choice(["OF1", "OF2", "OF3"], rows).tolist(),
            "registered_at": [start + timedelta(days=int(d), hours=9) for d in days],
            "declarant": rng.choice([f"BR{i}" for i in range(15)], rows).tolist(),
            "importer": [importers[i] for i in who],
            "dispatch_country": rng.choice(["CN", "TR", "DE", None], rows).tolist(),
            "transport_mode": rng.choice(["10", "30", "40"], rows).tolist(),
            "procedure": "40",
            "item_no": "1",
            "hs_code": [hs[i] for i in what],
            "origin": rng.choice(["CN", "TR", "DE", "KZ"], rows).tolist(),
            "net_mass_kg": [str(v) for v in mass],
            "customs_value": [str(v) for v in value],
            "invoice_value": [str(v) for v in value],
            "duty_rate": rng.choice(["0", "5", "8.5"], rows).tolist(),
            "seller": rng.choice([f"S{i}" for i in range(30)], rows).tolist(),
            "tax_type": rng.choice(["A", "B"], rows).tolist(),
            "label": (rng.random(rows) < p).tolist(),
            "duties_assessed": np.round(rng.random(rows) * 100, 2).tolist(),
        }
    )


def fact_rows(rows: list[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """One declaration's fact rows as the engine builds them, from its flat item rows."""
    first = rows[0]
    header = {name: first.get(name) for name in HEADER}
    header["attributes"] = {n: first[n] for n in HEADER_ATTRIBUTES if first.get(n) is not None}
    items = []
    for row in rows:
        item = {name: row.get(name) for name in ITEM}
        item["attributes"] = {n: row[n] for n in ITEM_ATTRIBUTES if row.get(n) is not None}
        items.append(item)
    return build_rows(header, items)
