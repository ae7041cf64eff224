"""Feature definitions, one per feature, compiled to Polars (batch) and to Python (online).

Each definition is a small frozen dataclass saying what the feature is; a
:class:`FeatureSpace` compiles a list of them with what training froze (the codes of
categories, the rate tables, the shrinkage ``m``) into

- :meth:`FeatureSpace.batch`: Polars expressions over a normalized frame, and
- :meth:`FeatureSpace.row`: plain Python over one record (microseconds a row).

Both give the same floats (missing is NaN); ``tests/unit/scoring`` compares them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import polars as pl

from corridor.scoring.core.inputs import RATE_CODE, Record
from corridor.scoring.core.rates import KEY_SEPARATOR, Key, RateTables, attach, key_value

__all__ = [
    "FEATURES",
    "KEYS",
    "Amount",
    "Calendar",
    "Category",
    "Count",
    "Feature",
    "FeatureSpace",
    "Rate",
    "UnitValue",
]

NAN: Final = float("nan")

#: The keys outcomes are counted by (:mod:`corridor.scoring.core.rates`).
KEYS: Final[Mapping[str, Key]] = {
    key.name: key
    for key in (
        Key("importer", (("importer", None),)),
        Key("declarant", (("declarant", None),)),
        Key("seller", (("seller", None),)),
        Key("courier", (("courier", None),)),
        Key("hs6", (("hs_code", 6),)),
        Key("hs4", (("hs_code", 4),)),
        Key("hs2", (("hs_code", 2),)),
        Key("origin", (("origin", None),)),
        Key("dispatch", (("dispatch_country", None),)),
        Key("office", (("office", None),)),
        Key("route", (("origin", None), ("office", None))),
        Key("transport", (("transport_mode", None),)),
        Key("procedure", (("procedure", None),)),
        # Goods against places and duty: where a product comes from, how it is taxed.
        Key("hs6_origin", (("hs_code", 6), ("origin", None))),
        Key(
            "hs6_dispatch",
            (("hs_code", 6), ("dispatch_country", None)),
        ),
        Key("hs4_origin", (("hs_code", 4), ("origin", None))),
        Key("hs6_tax", (("hs_code", 6), ("tax_type", None))),
        Key("hs6_duty", (("hs_code", 6), (RATE_CODE, None))),
        Key("hs6_office", (("hs_code", 6), ("office", None))),
        Key(
            "hs6_indicator",
            (("hs_code", 6), ("origin_indicator", None)),
        ),
        Key("tax", (("tax_type", None),)),
        # Traders against goods and each other.
        Key("importer_hs6", (("importer", None), ("hs_code", 6))),
        Key(
            "declarant_importer",
            (("declarant", None), ("importer", None)),
        ),
        Key("declarant_hs6", (("declarant", None), ("hs_code", 6))),
        Key("seller_hs6", (("seller", None), ("hs_code", 6))),
        Key("importer_origin", (("importer", None), ("origin", None))),
    )
}


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount or rate as declared; ``log``: ``ln(1 + x)`` (missing below zero)."""

    name: str
    column: str
    log: bool = False


@dataclass(frozen=True, slots=True)
class UnitValue:
    """``ln(1 + numerator / denominator)``: value per kilogram; missing when either is."""

    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True, slots=True)
class Calendar:
    """A part of the registration time (UTC): month 1–12, ISO weekday 1–7, day 1–31."""

    name: str
    part: Literal["month", "weekday", "day"]


@dataclass(frozen=True, slots=True)
class Category:
    """A code's number among the values training saw (LightGBM's categories); unseen: NaN."""

    name: str
    column: str
    digits: int | None = None


@dataclass(frozen=True, slots=True)
class Rate:
    """The key's past discrepancy rate, shrunk: ``(hits + m·prior) / (n + m)``."""

    name: str
    key: str


@dataclass(frozen=True, slots=True)
class Count:
    """How many outcomes of the key were known before: ``n`` of its rate."""

    name: str
    key: str


Feature = Amount | UnitValue | Calendar | Category | Rate | Count


def _features() -> tuple[Feature, ...]:
    plain: list[Feature] = [
        Amount("customs_value_log", "customs_value", log=True),
        Amount("net_mass_log", "net_mass_kg", log=True),
        UnitValue("unit_value_log", "customs_value", "net_mass_kg"),
        Amount("duty_rate", "duty_rate"),
        Amount("value_ratio", "value_ratio"),
        Calendar("month", "month"),
        Calendar("weekday", "weekday"),
        Calendar("day", "day"),
    ]
    categories = (
        "office",
        "transport_mode",
        "procedure",
        "process_type",
        "import_type",
        "import_use",
        "payment_type",
        "tax_type",
        "origin_indicator",
        "origin",
        "dispatch_country",
    )
    plain += [Category(f"{c}_code", c) for c in categories]
    plain.append(Category("chapter_code", "hs_code", digits=2))
    plain.append(Category("heading_code", "hs_code", digits=4))
    plain.append(Category("subheading_code", "hs_code", digits=6))
    for key in KEYS:
        plain += [Rate(f"{key}_rate", key), Count(f"{key}_n", key)]
    return tuple(plain)


#: Every feature the core knows; a model uses a subset chosen by cross-validation.
FEATURES: Final[tuple[Feature, ...]] = _features()
BY_NAME: Final[Mapping[str, Feature]] = {feature.name: feature for feature in FEATURES}


def _log1p(value: float | None) -> float:
    return NAN if value is None or value < 0 else math.log1p(value)


@dataclass(frozen=True)
class FeatureSpace:
    """Features compiled with what training froze: categories' codes, rate tables, ``m``."""

    features: tuple[Feature, ...]
    vocabularies: Mapping[str, tuple[str, ...]]
    tables: RateTables
    m: float
    _codes: dict[str, dict[str, float]] = field(init=False, repr=False, compare=False)
    _row: Sequence[Callable[[Record, Mapping[str, tuple[int, int]]], float]] = field(
        init=False, repr=False, compare=False
    )
    _frames: dict[str, pl.DataFrame] = field(init=False, repr=False, compare=False)
    _lookups: Sequence[tuple[str, Callable[[Record], tuple[int, int]]]] = field(
        init=False, repr=False, compare=False
    )
    _header_row: Sequence[tuple[int, _Compute]] = field(init=False, repr=False, compare=False)
    _item_row: Sequence[tuple[int, _Compute]] = field(init=False, repr=False, compare=False)
    _header_lookups: Sequence[tuple[str, Callable[[Record], tuple[int, int]]]] = field(
        init=False, repr=False, compare=False
    )
    _item_lookups: Sequence[tuple[str, Callable[[Record], tuple[int, int]]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        codes = {
            name: {value: float(i) for i, value in enumerate(values)}
            for name, values in self.vocabularies.items()
        }
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_row", [self._compile_py(f) for f in self.features])
        object.__setattr__(self, "_frames", {})
        lookups = [(key.name, _lookup(key, self.tables.counts[key.name])) for key in self.keys]
        object.__setattr__(self, "_lookups", lookups)
        # The header's own features and keys: computed once for a declaration's items.
        header_keys = {k.name for k in self.keys if all(c in HEADER_COLUMNS for c, _ in k.parts)}
        by_header = [_reads_header_only(f, header_keys) for f in self.features]
        object.__setattr__(
            self, "_header_row", [(i, c) for i, c in enumerate(self._row) if by_header[i]]
        )
        object.__setattr__(
            self, "_item_row", [(i, c) for i, c in enumerate(self._row) if not by_header[i]]
        )
        object.__setattr__(self, "_header_lookups", [x for x in lookups if x[0] in header_keys])
        object.__setattr__(self, "_item_lookups", [x for x in lookups if x[0] not in header_keys])

    # ------------------------------------------------------------------ shared facts

    @property
    def names(self) -> list[str]:
        """The features' names, in the model's column order."""
        return [feature.name for feature in self.features]

    @property
    def keys(self) -> tuple[Key, ...]:
        """The keys whose counts the features read."""
        return keys_of(self.features)

    @property
    def categorical(self) -> list[int]:
        """Column positions of the categories (LightGBM's ``categorical_feature``)."""
        return [i for i, f in enumerate(self.features) if isinstance(f, Category)]

    # ------------------------------------------------------------------ batch (Polars)

    def batch(self, frame: pl.DataFrame, *, counted: bool = False) -> pl.DataFrame:
        """The features of a normalized frame, one Float64 column each (missing: NaN).

        ``counted``: the frame already holds its ``__hits_*``/``__n_*``/``__prior``
        columns (as of each row, in training); otherwise the frozen tables are joined.
        """
        if not counted:
            if not self._frames:
                self._frames.update(self.tables.frames())
            frame = attach(frame, self.keys, self.tables, self._frames)
        return frame.select(
            self._compile_polars(f).cast(pl.Float64).fill_null(NAN).alias(f.name)
            for f in self.features
        )

    def _compile_polars(self, feature: Feature) -> pl.Expr:
        match feature:
            case Amount(column=column, log=log):
                value = pl.col(column)
                return pl.when(value >= 0).then(value.log1p()).otherwise(None) if log else value
            case UnitValue(numerator=num, denominator=den):
                ratio = pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den))
                return pl.when(ratio >= 0).then(ratio.log1p()).otherwise(None)
            case Calendar(part=part):
                at = pl.col("registered_at")
                parts = {"month": at.dt.month(), "weekday": at.dt.weekday(), "day": at.dt.day()}
                return parts[part]
            case Category(name=name, column=column, digits=digits):
                value = pl.col(column) if digits is None else pl.col(column).str.slice(0, digits)
                return value.replace_strict(
                    self._codes[name], default=None, return_dtype=pl.Float64
                )
            case Rate(key=key):
                hits, n = pl.col(f"__hits_{key}"), pl.col(f"__n_{key}")
                return (hits + pl.col("__prior") * self.m) / (n + self.m)
            case Count(key=key):
                return pl.col(f"__n_{key}")

    # ------------------------------------------------------------------ online (Python)

    def declaration(self, records: Sequence[Record]) -> list[list[float]]:
        """The features of one declaration's items: the header's are computed once.

        The header's features (:data:`HEADER_COLUMNS` alone) are shared when every item
        carries the same header values, as ``build_rows`` gives them; otherwise each item
        is computed whole.
        """
        if len(records) < 2:
            return [self.row(record) for record in records]
        header = [tuple(r.get(c) for c in HEADER_COLUMNS) for r in records]
        if any(h != header[0] for h in header):
            return [self.row(record) for record in records]
        found = {name: lookup(records[0]) for name, lookup in self._header_lookups}
        shared = [(i, compute(records[0], found)) for i, compute in self._header_row]
        out = []
        for record in records:
            own = dict(found)
            own.update((name, lookup(record)) for name, lookup in self._item_lookups)
            values = [0.0] * len(self._row)
            for i, value in shared:
                values[i] = value
            for i, compute in self._item_row:
                values[i] = compute(record, own)
            out.append(values)
        return out

    def row(self, record: Record) -> list[float]:
        """The features of one record (:func:`~corridor.scoring.core.inputs.record_of`)."""
        found = {name: lookup(record) for name, lookup in self._lookups}
        return [compute(record, found) for compute in self._row]

    def _compile_py(
        self, feature: Feature
    ) -> Callable[[Record, Mapping[str, tuple[int, int]]], float]:
        match feature:
            case Amount(column=column, log=log):
                if log:
                    return lambda r, _f: _log1p(r[column])
                return lambda r, _f: NAN if r[column] is None else float(r[column])
            case UnitValue(numerator=num, denominator=den):

                def unit_value(r: Record, _f: Mapping[str, tuple[int, int]]) -> float:
                    top, bottom = r[num], r[den]
                    if top is None or bottom is None or not bottom > 0:
                        return NAN
                    return _log1p(top / bottom)

                return unit_value
            case Calendar(part=part):
                read: Callable[[Record], int] = {
                    "month": lambda r: r["registered_at"].month,
                    "weekday": lambda r: r["registered_at"].isoweekday(),
                    "day": lambda r: r["registered_at"].day,
                }[part]
                return lambda r, _f: NAN if r["registered_at"] is None else float(read(r))
            case Category(name=name, column=column, digits=digits):
                codes = self._codes[name]
                if digits is None:
                    return lambda r, _f: NAN if r[column] is None else codes.get(r[column], NAN)
                return lambda r, _f: (
                    NAN if r[column] is None else codes.get(r[column][:digits], NAN)
                )
            case Rate(key=key):
                prior, m = self.tables.prior, self.m
                return lambda _r, f: (f[key][0] + prior * m) / (f[key][1] + m)
            case Count(key=key):
                return lambda _r, f: float(f[key][1])


_NOTHING: Final = (0, 0)
_Compute = Callable[[Record, Mapping[str, tuple[int, int]]], float]

#: What every item of a declaration shares (``build_rows`` repeats the header on each).
HEADER_COLUMNS: Final = (
    "number", "office", "registered_at", "declarant", "importer", "dispatch_country",
    "transport_mode", "procedure", "seller", "courier", "process_type", "import_type",
    "import_use", "payment_type",
)  # fmt: skip


def _reads_header_only(feature: Feature, header_keys: set[str]) -> bool:
    match feature:
        case Calendar():
            return True
        case Category(column=column):
            return column in HEADER_COLUMNS
        case Rate(key=key) | Count(key=key):
            return key in header_keys
        case _:
            return False


def _lookup(key: Key, table: Mapping[str, tuple[int, int]]) -> Callable[[Record], tuple[int, int]]:
    """``(hits, n)`` of a record's key value: :func:`key_value` then the table, unrolled
    for the common shapes (one or two parts) since one declaration's items call it often."""
    if len(key.parts) == 1 and key.parts[0][1] is None:
        column = key.parts[0][0]

        def one(r: Record) -> tuple[int, int]:
            value = r[column]
            return _NOTHING if value is None else table.get(value, _NOTHING)

        return one
    if len(key.parts) == 1:
        column, digits = key.parts[0]

        def prefix(r: Record) -> tuple[int, int]:
            value = r[column]
            return _NOTHING if value is None else table.get(value[:digits], _NOTHING)

        return prefix
    if len(key.parts) == 2:
        (first, a), (second, b) = key.parts

        def two(r: Record) -> tuple[int, int]:
            x, y = r[first], r[second]
            if x is None or y is None:
                return _NOTHING
            if a is not None:
                x = x[:a]
            if b is not None:
                y = y[:b]
            return table.get(f"{x}{KEY_SEPARATOR}{y}", _NOTHING)

        return two
    return lambda r: _NOTHING if (v := key_value(key, r)) is None else table.get(v, _NOTHING)


def keys_of(features: Sequence[Feature]) -> tuple[Key, ...]:
    """The keys whose counts ``features`` read, in their first use's order."""
    used = dict.fromkeys(f.key for f in features if isinstance(f, Rate | Count))
    return tuple(KEYS[name] for name in used)


def vocabularies(frame: pl.DataFrame, features: Sequence[Feature]) -> dict[str, tuple[str, ...]]:
    """The values each category takes in ``frame`` (normalized), sorted: their codes."""
    out: dict[str, tuple[str, ...]] = {}
    for feature in features:
        if isinstance(feature, Category):
            column = pl.col(feature.column)
            if feature.digits is not None:
                column = column.str.slice(0, feature.digits)
            values = frame.select(column.drop_nulls().unique().sort())[feature.column]
            out[feature.name] = tuple(values.to_list())
    return out
