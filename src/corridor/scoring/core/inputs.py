"""What the scoring core reads: corridor's flat item rows, typed one way for both paths.

Batch input is a Polars frame with the columns of corridor's flat format (see
``corridor.declarations.importers``); :func:`normalize` gives every known column its
one type (codes as text, amounts as ``Float64``, ``registered_at`` an aware UTC
datetime) and adds the absent ones as missing. Online input is one declaration's fact
rows (``corridor.declarations.facts.build_rows``: Decimal numbers, aware datetimes,
declared attributes under their names); :func:`record_of` reads one such row into the
same types, so that the two paths see the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import polars as pl

from corridor.errors import N_, FieldError, InvalidInput

__all__ = [
    "CODE_COLUMNS",
    "NUMBER_COLUMNS",
    "OUTCOME_COLUMNS",
    "RATE_CODE",
    "Record",
    "normalize",
    "record_of",
]

#: Codes and identifiers (text): the header's and the item's, and the CDD extras.
CODE_COLUMNS: Final = (
    "number",
    "office",
    "declarant",
    "importer",
    "dispatch_country",
    "transport_mode",
    "procedure",
    "hs_code",
    "origin",
    "seller",
    "courier",
    "process_type",
    "import_type",
    "import_use",
    "payment_type",
    "tax_type",
    "origin_indicator",
)
#: Amounts and rates (``Float64``); ``value_ratio`` is the declared value over the reference.
NUMBER_COLUMNS: Final = (
    "item_no",
    "net_mass_kg",
    "customs_value",
    "invoice_value",
    "duty_rate",
    "value_ratio",
)
#: What training and evaluation read beside the facts; never a feature.
OUTCOME_COLUMNS: Final = ("label", "duties_assessed", "weight")

#: The duty rate in thousandths of a percent, as text: what keys join on.
RATE_CODE: Final = "duty_rate_code"

#: One item as the features read it: codes str, numbers float, registered_at datetime.
Record = Mapping[str, Any]


def normalize(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every known column in its one type; absent ones added as missing.

    Raises InvalidInput naming the column when ``registered_at`` is absent or a value
    of a column cannot be read as its type (a number, a time, a yes/no label).
    """
    if "registered_at" not in frame.columns:
        raise InvalidInput(
            N_("the rows have no registration time"),
            [FieldError(("registered_at",), N_("the column is required"))],
        )
    columns: list[pl.Expr] = []
    for name in CODE_COLUMNS:
        columns.append(_code(frame, name))
    for name in (*NUMBER_COLUMNS, "duties_assessed", "weight"):
        columns.append(_number(frame, name))
    columns.append(_label(frame))
    columns.append(_registered_at(frame))
    try:
        typed = frame.with_columns(columns)
    except pl.exceptions.PolarsError as error:
        raise InvalidInput(
            N_("the rows cannot be read"),
            [FieldError(("frame",), str(error).splitlines()[0])],
        ) from None
    # The duty rate as a code (thousandths, as text): a key part, like the HS code.
    typed = typed.with_columns(
        (pl.col("duty_rate") * 1000).round(0).cast(pl.Int64).cast(pl.String).alias(RATE_CODE)
    )
    for name in (*NUMBER_COLUMNS, "duties_assessed", "weight", "label", "registered_at"):
        if name in frame.columns:
            bad = typed[name].is_null() & frame[name].is_not_null()
            if frame[name].dtype == pl.String:
                bad = bad & (frame[name].str.strip_chars() != "")
            if bad.any():
                first = frame.filter(bad)[name][0]
                raise InvalidInput(
                    N_("the rows cannot be read"),
                    [FieldError((name,), N_("cannot read %(value)s", value=repr(first)))],
                )
    return typed


def _code(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.String).alias(name)
    dtype = frame[name].dtype
    if dtype.is_integer():
        return pl.col(name).cast(pl.String)
    if dtype.is_float():
        # A code written as a number (transport mode 10.0) reads as the integer's text.
        whole = pl.col(name).round(0) == pl.col(name)
        return (
            pl.when(whole)
            .then(pl.col(name).cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(pl.col(name).cast(pl.String))
            .alias(name)
        )
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(name)


def _number(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Float64).alias(name)
    column = pl.col(name)
    if frame[name].dtype == pl.String:
        column = column.str.strip_chars()
    value = column.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value).otherwise(None).alias(name)


def _label(frame: pl.DataFrame) -> pl.Expr:
    if "label" not in frame.columns:
        return pl.lit(None, dtype=pl.Boolean).alias("label")
    dtype = frame["label"].dtype
    if dtype == pl.Boolean:
        return pl.col("label")
    text = pl.col("label").cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(["1", "true", "t", "yes"]))
        .then(True)
        .when(text.is_in(["0", "false", "f", "no"]))
        .then(False)
        .otherwise(None)
        .alias("label")
    )


def _registered_at(frame: pl.DataFrame) -> pl.Expr:
    dtype = frame["registered_at"].dtype
    column = pl.col("registered_at")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return column.dt.replace_time_zone("UTC").dt.cast_time_unit("us")
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if isinstance(dtype, pl.Date):
        return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    text = column.cast(pl.String).str.strip_chars()
    with_zone = text.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", time_zone="UTC", time_unit="us", strict=False
    )
    plain = text.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False
    ).dt.replace_time_zone("UTC")
    day = text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    return pl.coalesce(with_zone, plain, day.dt.replace_time_zone("UTC")).alias("registered_at")


def record_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """One fact row (``build_rows``) read into the types :func:`normalize` gives."""
    record: dict[str, Any] = {}
    # The common types inline: one declaration's items call this for every item.
    for name in CODE_COLUMNS:
        value = row.get(name)
        record[name] = (value.strip() or None) if type(value) is str else _code_value(value)
    for name in NUMBER_COLUMNS:
        value = row.get(name)
        record[name] = (
            float(value) if type(value) is Decimal and value.is_finite() else _number_value(value)
        )
    rate = record["duty_rate"]
    record[RATE_CODE] = None if rate is None else str(round(rate * 1000))
    at = row.get("registered_at")
    if isinstance(at, datetime):
        # UTC, as in the batch: the calendar features read the UTC day.
        record["registered_at"] = (
            at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        )
    else:
        record["registered_at"] = None
    return record


def _code_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float):
        number = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        if not number.is_finite():
            return None
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return None


def _number_value(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float | str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None
