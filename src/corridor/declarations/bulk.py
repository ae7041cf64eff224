"""Column-wise validation of flat declaration rows, for bulk intake (Polars).

The API validates one declaration object with the Pydantic models in
``schemas``; a file of 200,000 goods items is validated here, column by column,
with the *same rules*:

* **field rules** — each column's distinct values pass through the field's own
  Pydantic type, built from the model field (one rule, two callers). Amounts
  already written in canonical plain form (``1250.5``) skip Python: a fast path
  that a property test proves equal to the Pydantic type;
* **cross-field rules** — the functions the model validators call
  (``item_problem``, ``numbering_problem``, ``declaration_problem``), applied in
  the same order and under the same conditions (only to valid fields);
* **consistency** — header fields repeated on each row of a declaration must agree.

A declaration is accepted or rejected whole. Accepted ones come out as canonical
text columns — what the API stores for the same input — with the content hash
computed by the same function the API uses, so re-sending through either path is
recognised as identical.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Final

import polars as pl
from pydantic import TypeAdapter, ValidationError

from corridor.declarations.attributes import AttributeRegistry
from corridor.declarations.schemas import (
    CANONICAL_HEADER,
    CANONICAL_ITEM,
    DeclarationCreate,
    GoodsItemIn,
    canonical_value,
    content_digest,
    declaration_problem,
    declared_attributes,
    item_problem,
    numbering_problem,
)

ROW: Final = "_row"
FIRST: Final = "_first"

HEADER_FIELDS: Final = tuple(
    name for name in DeclarationCreate.model_fields if name not in {"attributes", "items"}
)
ITEM_FIELDS: Final = tuple(name for name in GoodsItemIn.model_fields if name != "attributes")
LIST_FIELDS: Final = frozenset({"containers", "documents"})
AMOUNT_FIELDS: Final = frozenset(
    {
        "net_mass_kg",
        "gross_mass_kg",
        "supplementary_qty",
        "invoice_value",
        "customs_value",
        "duty_rate",
        "duties",
    }
)
#: An amount already in canonical form: no sign, no exponent, no leading zeros, no
#: trailing fractional zeros, at most 18 integer and 6 fractional digits.
CANONICAL_AMOUNT: Final = r"^(0|[1-9][0-9]{0,17})(\.[0-9]{0,5}[1-9])?$"


def _adapter(model: type[DeclarationCreate] | type[GoodsItemIn], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    return TypeAdapter(annotation)


_ADAPTERS: Final[dict[str, TypeAdapter[Any]]] = {
    **{name: _adapter(DeclarationCreate, name) for name in HEADER_FIELDS},
    **{name: _adapter(GoodsItemIn, name) for name in ITEM_FIELDS},
}
_REQUIRED: Final = frozenset(
    name
    for model in (DeclarationCreate, GoodsItemIn)
    for name, info in model.model_fields.items()
    if info.is_required()
)
_DEFAULTS: Final[dict[str, str | None]] = {
    "version": "1",
    "description": "",
    **dict.fromkeys(LIST_FIELDS, "[]"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason a row was not accepted."""

    row: int
    field: str
    reason: str


@dataclass(slots=True)
class Validated:
    """Accepted declarations as canonical columns, and the reasons for every rejected row.

    ``headers`` has one row per declaration (``_decl`` numbers them from 0 in file
    order, ``rows`` lists their file rows); ``items`` one row per goods item.
    """

    headers: pl.DataFrame
    items: pl.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: dict[int, tuple[str | None, int | None]] = field(default_factory=dict)


def validate_rows(
    frame: pl.DataFrame,
    *,
    context: Mapping[str, Any],
    registry: AttributeRegistry | None = None,
) -> Validated:
    """Validate flat rows (string columns plus ``_row``) as declarations.

    ``context`` is the Pydantic validation context (e.g. ``{"now": …}``); ``registry`` the
    declared attributes (default: the installation's, :func:`declared_attributes`).
    """
    if registry is None:
        registry = declared_attributes()
    header_attributes = [n for n in registry.names("header") if n in frame.columns]
    item_attributes = [n for n in registry.names("item") if n in frame.columns]
    columns = [c for c in frame.columns if c != ROW]
    missing = [c for c in (*HEADER_FIELDS, *ITEM_FIELDS) if c not in frame.columns]
    frame = frame.with_columns(
        [_clean(c) for c in columns] + [pl.lit(None, pl.String).alias(c) for c in missing]
    )
    frame = frame.with_columns(
        pl.col("version").fill_null("1"),
        pl.col(ROW).min().over("number", pl.col("version").fill_null("1")).alias(FIRST),
    )
    errors: list[RowError] = []
    no_number = frame.filter(pl.col("number").is_null())
    errors += [RowError(row, "number", "Field required") for row in no_number[ROW].to_list()]
    frame = frame.filter(pl.col("number").is_not_null())
    is_first = pl.col(ROW) == pl.col(FIRST)

    # Field rules: header fields on the first row of each declaration, item fields on every row.
    canonical: dict[str, pl.Series] = {}
    for name in (*HEADER_FIELDS, *ITEM_FIELDS):
        rows = frame if name in ITEM_FIELDS else frame.filter(is_first)
        values, field_errors = _validate_column(rows, name, context)
        canonical[name] = values
        errors += field_errors
    for level, names in (("header", header_attributes), ("item", item_attributes)):
        rows = frame if level == "item" else frame.filter(is_first)
        values, field_errors = _validate_attributes(rows, names, level, registry)
        canonical[f"{level}_attributes"] = values
        errors += field_errors

    # Header fields must agree on every row of a declaration.
    for name in (*HEADER_FIELDS, *header_attributes):
        differs = frame.filter(
            pl.col(name).ne_missing(pl.col(name).first().over(FIRST)) & ~is_first
        )
        errors += [
            RowError(row, name, f"differs from row {first} of the same declaration")
            for row, first in zip(differs[ROW].to_list(), differs[FIRST].to_list(), strict=True)
        ]

    firsts = frame.filter(is_first).select(ROW, "number", "version")
    headers = pl.DataFrame(
        {"_first_row": firsts[ROW], **{n: canonical[n] for n in HEADER_FIELDS}}
    ).with_columns(canonical["header_attributes"].alias("attributes"))
    items = pl.DataFrame(
        {ROW: frame[ROW], FIRST: frame[FIRST], **{n: canonical[n] for n in ITEM_FIELDS}}
    ).with_columns(canonical["item_attributes"].alias("attributes"))

    # Cross-field rules, only where the fields they read are valid (as in the models):
    # an item's rule needs its own fields valid, a declaration's rule everything.
    item_field_names = {*ITEM_FIELDS, *item_attributes}
    errors += _item_rules(items, {e.row for e in errors if e.field in item_field_names})
    bad_rows = {error.row for error in errors}
    bad_rows = {error.row for error in errors}
    bad_declarations = set(
        frame.filter(pl.col(ROW).is_in(list(bad_rows)))[FIRST].unique().to_list()
    )
    errors += _declaration_rules(headers, items, bad_declarations)
    bad_rows = {error.row for error in errors}
    bad_declarations = set(
        frame.filter(pl.col(ROW).is_in(list(bad_rows)))[FIRST].unique().to_list()
    )

    rejected = frame.filter(pl.col(FIRST).is_in(list(bad_declarations)))
    rejected_rows = {
        row: (number, _int_or_none(version))
        for row, number, version in rejected.select(ROW, "number", "version").iter_rows()
    }
    for row in rejected[ROW].to_list():
        if row not in bad_rows:
            errors.append(
                RowError(row, "declaration", "rejected with its declaration (see the other rows)")
            )
    # Rows without a number belong to no declaration; they are rejected on their own.
    rejected_rows.update(dict.fromkeys(no_number[ROW].to_list(), (None, None)))
    keep = list(bad_declarations)
    headers = headers.filter(~pl.col("_first_row").is_in(keep))
    items = items.filter(~pl.col(FIRST).is_in(keep))
    headers, items = _finish(headers, items)
    return Validated(headers, items, errors, rejected_rows)


def _clean(name: str) -> pl.Expr:
    """Strip whitespace (as the models do); an empty cell is a missing value."""
    stripped = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped).alias(name)


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _validate_column(
    rows: pl.DataFrame, name: str, context: Mapping[str, Any]
) -> tuple[pl.Series, list[RowError]]:
    """Canonical values of one column (None where missing or invalid) and its errors."""
    raw = rows[name]
    errors: list[RowError] = []
    if name in _REQUIRED:
        missing = rows.filter(pl.col(name).is_null())[ROW].to_list()
        errors += [RowError(row, name, "Field required") for row in missing]
    distinct = raw.drop_nulls().unique()
    if name in AMOUNT_FIELDS:
        # Plain spellings are canonicalised and accepted in Polars; the rest go to Pydantic.
        fast = (
            distinct.str.replace(r"(\.[0-9]*?)0+$", "${1}")
            .str.replace(r"\.$", "")
            .str.replace(r"^0+([0-9])", "${1}")
        )
        plain = fast.str.contains(CANONICAL_AMOUNT)
        mapping = dict(
            zip(distinct.filter(plain).to_list(), fast.filter(plain).to_list(), strict=True)
        )
        distinct = distinct.filter(~plain)
    else:
        mapping = {}
    messages: dict[str, str] = {}
    adapter = _ADAPTERS[name]
    for value in distinct.to_list():
        try:
            parsed = adapter.validate_python(_input(name, value), context=dict(context))
        except ValidationError as exc:
            messages[value] = "; ".join(_message(error) for error in exc.errors())
            continue
        mapping[value] = canonical_value(parsed)
    if messages:
        bad = rows.filter(pl.col(name).is_in(list(messages)))
        errors += [
            RowError(row, name, messages[value]) for row, value in bad.select(ROW, name).iter_rows()
        ]
    values = raw.replace_strict(mapping, default=None, return_dtype=pl.String)
    if name in _DEFAULTS:
        values = values.fill_null(_DEFAULTS[name])
    return values.alias(name), errors


def _input(name: str, value: str) -> object:
    if name in LIST_FIELDS:
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _message(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    text = str(error["msg"]).removeprefix("Value error, ")
    return f"[{where}] {text}" if where else text


def _validate_attributes(
    rows: pl.DataFrame, names: Sequence[str], level: str, registry: AttributeRegistry
) -> tuple[pl.Series, list[RowError]]:
    """Each row's attributes as canonical JSON text, and the errors of the columns."""
    errors: list[RowError] = []
    pieces: list[pl.Expr] = []
    for name in names:
        mapping: dict[str, str] = {}
        messages: dict[str, str] = {}
        for value in rows[name].drop_nulls().unique().to_list():
            try:
                parsed = registry.coerce(level, name, value)  # type: ignore[arg-type]
            except ValueError as exc:
                messages[value] = str(exc)
                continue
            mapping[value] = (
                json.dumps(name) + ":" + json.dumps(canonical_value(parsed), ensure_ascii=False)
            )
        if messages:
            bad = rows.filter(pl.col(name).is_in(list(messages)))
            errors += [
                RowError(row, name, messages[value])
                for row, value in bad.select(ROW, name).iter_rows()
            ]
        pieces.append(pl.col(name).replace_strict(mapping, default=None, return_dtype=pl.String))
    if not pieces:
        return pl.Series("attributes", ["{}"] * rows.height, dtype=pl.String), errors
    # Names are sorted by the registry, as canonical_value sorts dict keys.
    joined = rows.select(
        (pl.lit("{") + pl.concat_str(pieces, separator=",", ignore_nulls=True) + pl.lit("}"))
        .fill_null("{}")
        .alias("attributes")
    )
    return joined["attributes"], errors


def _item_rules(items: pl.DataFrame, bad_rows: set[int]) -> list[RowError]:
    suspects = items.filter(
        ~pl.col(ROW).is_in(list(bad_rows))
        & (
            (pl.col("gross_mass_kg").cast(pl.Float64) <= pl.col("net_mass_kg").cast(pl.Float64))
            | (pl.col("supplementary_qty").is_not_null() & pl.col("supplementary_unit").is_null())
        )
    )
    errors = []
    for row, net, gross, qty, unit in suspects.select(
        ROW, "net_mass_kg", "gross_mass_kg", "supplementary_qty", "supplementary_unit"
    ).iter_rows():
        problem = item_problem(_decimal(net), _decimal(gross), _decimal(qty), unit)
        if problem is not None:
            errors.append(RowError(row, "item", problem))
    return errors


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _declaration_rules(
    headers: pl.DataFrame, items: pl.DataFrame, bad_declarations: set[int]
) -> list[RowError]:
    errors = []
    numbering = (
        items.filter(~pl.col(FIRST).is_in(list(bad_declarations)))
        .group_by(FIRST, maintain_order=True)
        .agg(pl.col("item_no").cast(pl.Int64))
        .filter(pl.col("item_no") != pl.int_ranges(1, pl.col("item_no").list.len() + 1))
    )
    misnumbered = set()
    for first, numbers in numbering.iter_rows():
        problem = numbering_problem(numbers)
        if problem is not None:
            misnumbered.add(first)
            errors.append(RowError(first, "declaration", problem))
    for first, flow, procedure, importer, exporter in (
        headers.filter(~pl.col("_first_row").is_in([*bad_declarations, *misnumbered]))
        .select("_first_row", "flow", "procedure", "importer", "exporter")
        .iter_rows()
    ):
        problem = declaration_problem(flow, procedure, importer, exporter)
        if problem is not None:
            errors.append(RowError(first, "declaration", problem))
    return errors


def _finish(headers: pl.DataFrame, items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Number the declarations, count and total their items, hash their content."""
    headers = headers.with_row_index("_decl")
    items = items.join(
        headers.select(pl.col("_first_row").alias(FIRST), "_decl"), on=FIRST, how="left"
    ).sort("_decl", ROW)
    customs = pl.col("customs_value")
    per_declaration = items.group_by("_decl", maintain_order=True).agg(
        pl.len().alias("item_count"),
        pl.col(ROW).alias("rows"),
        pl.when(customs.null_count() == 0)
        .then(customs.cast(pl.Decimal(38, 6)).sum())
        .alias("total_customs_value"),
    )
    # The content hash comes from the same function as the API's, over the same text.
    header_rows = headers.select(CANONICAL_HEADER).rows()
    columns = [items[name].to_list() for name in CANONICAL_ITEM]
    item_rows = [list(row) for row in zip(*columns, strict=True)]
    digests = []
    start = 0
    for header, count in zip(header_rows, per_declaration["item_count"].to_list(), strict=True):
        digests.append(content_digest(list(header), item_rows[start : start + count]))
        start += count
    headers = headers.with_columns(
        pl.Series("content_hash", digests, dtype=pl.String),
        _plain(per_declaration["total_customs_value"].cast(pl.String)),
        per_declaration["item_count"].cast(pl.Int64),
        per_declaration["rows"],
        pl.col("version").cast(pl.Int64),
    )
    return headers, items


def _plain(amounts: pl.Series) -> pl.Series:
    """Decimal text without trailing fractional zeros (as canonical_value writes it)."""
    return amounts.str.replace(r"(\.[0-9]*?)0+$", "${1}").str.replace(r"\.$", "")
