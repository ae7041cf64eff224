"""Labelled rows of the public Customs Declaration Dataset, as the scoring core reads them.

Every row of that dataset is an inspected declaration: its label is ``Fraud`` (a
discrepancy found). The mapping to corridor's flat columns is the importer's own
(:func:`corridor.declarations.importers.cdd_to_flat`); this module only joins the label.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from corridor.declarations.importers import ROW, cdd_to_flat, read_frame
from corridor.errors import N_, FieldError, InvalidInput

__all__ = ["read_cdd"]


def read_cdd(paths: Sequence[Path]) -> pl.DataFrame:
    """The flat item rows of CDD files with ``label`` (bool); files in the order given.

    Raises InvalidInput when a file cannot be read as the format, or has a row whose
    labels or fields cannot be read (naming the file, the row and the reason).
    """
    frames = []
    for path in paths:
        raw, unreadable = read_frame(Path(path), "cdd")
        flat, labels, bad = cdd_to_flat(raw)
        problems = [(r.row, r.field, r.reason) for r in (*unreadable, *bad)]
        if problems:
            row, name, reason = problems[0]
            raise InvalidInput(
                N_("%(path)s: %(count)s rows cannot be read", path=str(path), count=len(problems)),
                [FieldError((str(path), row, name), reason)],
            )
        frames.append(
            flat.join(labels.select(ROW, pl.col("fraud").alias("label")), on=ROW, how="left").drop(
                ROW
            )
        )
    if not frames:
        raise InvalidInput(N_("no file given"), [FieldError(("paths",), N_("at least one"))])
    return pl.concat(frames, how="vertical")
