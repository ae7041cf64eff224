"""Past outcomes per key (importer, HS code, route, …): as of each row, or frozen.

A *key* names the declarations that share something (:class:`Key`: the importer; the
first four digits of the HS code; origin × office). For a key value, ``hits`` counts the
labelled rows found with a discrepancy and ``n`` the labelled rows; the shrunk rate is
``(hits + m·prior) / (n + m)``.

**The leakage rule.** In training, a row's counts come only from outcomes of rows
registered on an earlier UTC day: at least ``lag_days`` (≥ 1) days before the row's
registration day (:func:`as_of`). Same-day outcomes never count, since a declaration
registered an hour earlier is not inspected yet when the next one is assessed, and a
day is the finest time the public dataset records. ``prior`` is the overall rate
``(hits + 1) / (n + 2)`` of those same earlier outcomes. For serving, the counts of
every training outcome are frozen into the model (:func:`freeze`); the frozen tables
are what :func:`attach` joins in batch and what one declaration looks up online.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import polars as pl

__all__ = ["KEY_SEPARATOR", "Key", "RateTables", "as_of", "attach", "freeze", "key_value"]

#: Parts of a composite key are joined with the unit separator, never found in codes.
KEY_SEPARATOR: Final = "\x1f"


@dataclass(frozen=True, slots=True)
class Key:
    """What rows share: columns (``(column, prefix length or None)``)."""

    name: str
    parts: tuple[tuple[str, int | None], ...]

    def expr(self) -> pl.Expr:
        """The key's text in a normalized frame (missing when a part is missing)."""
        exprs = [
            pl.col(column) if digits is None else pl.col(column).str.slice(0, digits)
            for column, digits in self.parts
        ]
        if len(exprs) == 1:
            return exprs[0].alias(self.column)
        return pl.concat_str(exprs, separator=KEY_SEPARATOR).alias(self.column)

    @property
    def column(self) -> str:
        """The hidden column holding the key's text."""
        return f"__key_{self.name}"


def key_value(key: Key, record: Mapping[str, object]) -> str | None:
    """The key's text for one record (what :meth:`Key.expr` gives in batch)."""
    texts = []
    for column, digits in key.parts:
        value = record.get(column)
        if not isinstance(value, str):
            return None
        texts.append(value if digits is None else value[:digits])
    return texts[0] if len(texts) == 1 else KEY_SEPARATOR.join(texts)


@dataclass(frozen=True, slots=True)
class RateTables:
    """Counts of every training outcome per key value, and the overall prior (frozen)."""

    counts: Mapping[str, Mapping[str, tuple[int, int]]]
    prior: float

    def lookup(self, key: str, value: str | None) -> tuple[int, int]:
        """``(hits, n)`` of one key value; ``(0, 0)`` when unseen or missing."""
        if value is None:
            return (0, 0)
        return self.counts[key].get(value, (0, 0))

    def frames(self) -> dict[str, pl.DataFrame]:
        """One frame per key: its text, hits and n (what :func:`attach` joins)."""
        return {
            name: pl.DataFrame(
                {
                    f"__key_{name}": list(table),
                    f"__hits_{name}": [float(hits) for hits, _n in table.values()],
                    f"__n_{name}": [float(n) for _hits, n in table.values()],
                },
                schema={
                    f"__key_{name}": pl.String,
                    f"__hits_{name}": pl.Float64,
                    f"__n_{name}": pl.Float64,
                },
            )
            for name, table in self.counts.items()
        }


def _prior(hits: pl.Series, n: pl.Series) -> pl.Series:
    return (hits + 1.0) / (n + 2.0)


def as_of(frame: pl.DataFrame, keys: tuple[Key, ...], *, lag_days: int) -> pl.DataFrame:
    """``frame`` (normalized) with ``__hits_<key>``, ``__n_<key>`` and ``__prior`` as of each row.

    Counts take only labelled rows registered ``lag_days`` or more UTC days before the
    row's own day; the frame's order is kept.
    """
    if lag_days < 1:
        raise ValueError("lag_days must be at least 1: same-day outcomes are not yet known")
    base = frame.with_row_index("__row").with_columns(
        pl.col("registered_at").dt.date().alias("__day"),
        *(key.expr() for key in keys),
    )
    look = base.select(
        "__row",
        (pl.col("__day") - pl.duration(days=lag_days)).alias("__until"),
        *(key.column for key in keys),
    ).sort("__until")
    labelled = base.filter(pl.col("label").is_not_null())
    out = look.select("__row", "__until")
    totals = (
        labelled.group_by("__day")
        .agg(
            pl.col("label").sum().cast(pl.Float64).alias("h"), pl.len().cast(pl.Float64).alias("n")
        )
        .sort("__day")
        .select("__day", pl.col("h").cum_sum().alias("H"), pl.col("n").cum_sum().alias("N"))
    )
    joined = look.select("__row", "__until").join_asof(
        totals, left_on="__until", right_on="__day", strategy="backward"
    )
    out = out.with_columns(
        _prior(joined["H"].fill_null(0.0), joined["N"].fill_null(0.0)).alias("__prior")
    )
    for key in keys:
        daily = (
            labelled.filter(pl.col(key.column).is_not_null())
            .group_by(key.column, "__day")
            .agg(
                pl.col("label").sum().cast(pl.Float64).alias("h"),
                pl.len().cast(pl.Float64).alias("n"),
            )
            .sort("__day")
            .select(
                key.column,
                "__day",
                pl.col("h").cum_sum().over(key.column).alias(f"__hits_{key.name}"),
                pl.col("n").cum_sum().over(key.column).alias(f"__n_{key.name}"),
            )
        )
        found = look.select("__row", "__until", key.column).join_asof(
            daily,
            left_on="__until",
            right_on="__day",
            by=key.column,
            strategy="backward",
            check_sortedness=False,  # sorted by day above; Polars cannot check it per group
        )
        out = out.with_columns(
            found[f"__hits_{key.name}"].fill_null(0.0),
            found[f"__n_{key.name}"].fill_null(0.0),
        )
    counts = out.sort("__row").drop("__row", "__until")
    return pl.concat([frame, counts], how="horizontal")


def freeze(frame: pl.DataFrame, keys: tuple[Key, ...]) -> RateTables:
    """The counts of every labelled row of ``frame`` (normalized), per key value."""
    labelled = frame.filter(pl.col("label").is_not_null())
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for key in keys:
        grouped = (
            labelled.select(key.expr(), pl.col("label"))
            .drop_nulls(key.column)
            .group_by(key.column)
            .agg(pl.col("label").sum().alias("h"), pl.len().alias("n"))
            .sort(key.column)
        )
        counts[key.name] = {value: (int(hits), int(n)) for value, hits, n in grouped.iter_rows()}
    hits = int(labelled["label"].sum())
    return RateTables(counts=counts, prior=(hits + 1.0) / (labelled.height + 2.0))


def attach(
    frame: pl.DataFrame,
    keys: tuple[Key, ...],
    tables: RateTables,
    frames: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """``frame`` (normalized) with the frozen ``__hits_<key>``, ``__n_<key>`` and ``__prior``."""
    frames = frames if frames is not None else tables.frames()
    out = frame.with_columns(*(key.expr() for key in keys))
    for key in keys:
        out = out.join(frames[key.name], on=key.column, how="left", maintain_order="left")
    return out.with_columns(
        *(pl.col(f"__hits_{key.name}").fill_null(0.0) for key in keys),
        *(pl.col(f"__n_{key.name}").fill_null(0.0) for key in keys),
        pl.lit(tables.prior, dtype=pl.Float64).alias("__prior"),
    ).drop(*(key.column for key in keys))
