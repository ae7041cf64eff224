"""The labelled history stored inspection acts give, as the scoring core reads it.

Every declaration of the flow registered in [since, until) with a current inspection act
gives one row per goods item: its facts as the engine builds them
(:func:`corridor.declarations.facts.build_rows`, read by the core's own
:func:`~corridor.scoring.core.record_of`, so that training sees exactly what serving
will), ``label`` = the act found a discrepancy (on the declaration: every item of it
carries the label), ``duties_assessed`` = the act's additional duties shared evenly
among the items (revenue-aware evaluation), ``selection_basis`` (the act's: evaluation
reads the random control group's rows apart) and ``weight``.

**Selection bias.** Inspected declarations are not a random sample: most were chosen
by profiles. The act records its selection basis (profile, random, discretionary,
reroute); the random control group is the unbiased sample of the declarations no
profile selected. Its rows are weighted by the inverse of the empirical random rate —
declarations of the flow in the window that no profile selected, over the random
controls inspected among them — capped at :data:`MAX_WEIGHT`, so that the population
the profiles leave alone counts as much as it is large; every other row weighs 1.
Without random controls or decisions every row weighs 1, and the model card says so.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Final

import polars as pl
from sqlalchemy.orm import Session

from corridor.declarations.facts import build_rows
from corridor.declarations.schemas import declared_attributes
from corridor.scoring.core import RANDOM, record_of
from corridor.scoring.core.inputs import CODE_COLUMNS, NUMBER_COLUMNS
from corridor.scoring.repository import inspected, unselected_declarations

__all__ = ["MAX_WEIGHT", "UNWEIGHTED", "WEIGHTED_RANDOM", "labelled_history"]

#: How the rows were weighed (the model card says it in the reader's language).
UNWEIGHTED: Final = "none (every row weighs 1)"
WEIGHTED_RANDOM: Final = "inverse random rate for the random control group"
#: The largest weight a random control's row gets (keeps a few rows from ruling the model).
MAX_WEIGHT: Final = 50.0
_COLUMNS: Final = ("registered_at", *CODE_COLUMNS, *NUMBER_COLUMNS)
_SCHEMA: Final[dict[str, pl.DataType]] = {
    "registered_at": pl.Datetime("us", "UTC"),
    **dict.fromkeys(CODE_COLUMNS, pl.String()),
    **dict.fromkeys(NUMBER_COLUMNS, pl.Float64()),
    "label": pl.Boolean(),
    "duties_assessed": pl.Float64(),
    "selection_basis": pl.String(),
    "weight": pl.Float64(),
}


def labelled_history(
    session: Session, *, flow: str, since: datetime | None, until: datetime | None
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The labelled item rows of the acts and how they were weighted (for the model card)."""
    attributes = declared_attributes()
    records: list[dict[str, Any]] = []
    bases: Counter[str] = Counter()
    declarations: list[tuple[int, int, str]] = []  # (first row, rows, basis)
    for found in inspected(session, flow=flow, since=since, until=until):
        rows = build_rows(found.header, found.items, attributes=attributes)
        if not rows:
            continue
        share = float(found.additional_duties) / len(rows)
        declarations.append((len(records), len(rows), found.selection_basis))
        bases[found.selection_basis] += 1
        for row in rows:
            record = record_of(row)
            records.append(
                {
                    **{name: record[name] for name in _COLUMNS},
                    "label": found.discrepancy,
                    "duties_assessed": share,
                    "selection_basis": found.selection_basis,
                    "weight": 1.0,
                }
            )
    unselected = unselected_declarations(session, flow=flow, since=since, until=until)
    random_count = bases.get(RANDOM, 0)
    random_weight = 1.0
    if random_count and unselected > random_count:
        random_weight = min(MAX_WEIGHT, unselected / random_count)
    if random_weight != 1.0:
        for first, count, basis in declarations:
            if basis == RANDOM:
                for index in range(first, first + count):
                    records[index]["weight"] = random_weight
    weighting = {
        "method": WEIGHTED_RANDOM if random_weight != 1.0 else UNWEIGHTED,
        "declarations_by_basis": dict(sorted(bases.items())),
        "unselected_declarations": unselected,
        "random_weight": round(random_weight, 6),
        "max_weight": MAX_WEIGHT,
    }
    return pl.DataFrame(records, schema=_SCHEMA), weighting
