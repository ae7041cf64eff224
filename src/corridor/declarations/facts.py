"""The facts a risk profile's criteria read: one row per goods item, joined with its header.

:func:`fact_schema` declares the facts and their types for the criteria language;
:func:`build_rows` turns one declaration (its header, goods items, the trader's
record and per-item extras such as the reference price or the model score) into
those rows. Both are pure: the caller fetches trader history, reference prices
and scores, this module only derives and types them.

What a declaration says is the declarations package's knowledge, so the facts live
here, below every package that reads them: profiles check criteria against
:func:`fact_schema`, valuation divides with :func:`quotient`, and the selectivity
engine reads the rows.
The declared attributes are the installation's (``CORRIDOR_EXTRA_ATTRIBUTES``), which
the caller passes in; without them only the built-in attributes are facts.

Every row holds every fact of the schema; a fact that is not known is ``None``
(the criteria language's *missing*). Numbers are :class:`~decimal.Decimal`,
``registered_at`` an aware datetime in UTC, dates :class:`~datetime.date`, lists
of codes tuples of strings. A value of the wrong type becomes missing rather
than an error, as it would in the criteria language.

Derived facts:

- ``chapter``, ``heading``, ``subheading``: the first 2, 4 and 6 digits of ``hs_code``;
- ``value_per_kg`` = ``customs_value / net_mass_kg`` and ``value_per_unit`` =
  ``customs_value / supplementary_qty``, exact quotients rounded half to even to
  9 decimal places (what ``customs_value / net_mass_kg`` gives in a criterion);
  missing when either operand is missing or the divisor is zero;
- ``importer_age_days``: whole days from the importer's first appearance to the
  UTC date of registration (negative if the record says it was first seen later);
- trader facts (``trader_category``, ``aeo``, ``importer_*``, ``declarant_*``) from
  :class:`TraderFacts`: the trader register's history as of its last refresh before the
  declaration's registration (declarations registered and inspection acts recorded
  before it; a trader history does not know has these facts missing);
- ``importer_discrepancy_rate`` = ``importer_discrepancies / importer_inspections`` and
  ``declarant_discrepancy_rate`` alike (the share of inspected declarations where a
  discrepancy was found), quotients as above; missing when there was no inspection
  (nothing is known of the rate, which is not 0);
- ``importer_underpriced_share``: the share of the importer's past goods items with a
  value ratio (against the reference prices in force at the history's refresh) that
  were declared under half the reference price (``value_ratio < 0.5``); missing when
  none had a value ratio;
- ``ref_price``, ``value_ratio``, ``model_score``: supplied per item by the caller
  through ``item_extras`` (missing otherwise).

Declared extra attributes (:mod:`corridor.declarations.attributes`) are read from
``header["attributes"]`` and ``item["attributes"]`` under their own names; an item
attribute wins over a header attribute of the same name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

from corridor.declarations.attributes import (
    DEFAULT_REGISTRY,
    AttributeLevel,
    AttributeRegistry,
    AttributeType,
)
from corridor.rules import FieldType

__all__ = [
    "CORE_FACTS",
    "DERIVED_FACTS",
    "HEADER_FACTS",
    "HEADER_LEVEL_FACTS",
    "ITEM_FACTS",
    "TraderFacts",
    "build_rows",
    "fact_schema",
    "header_facts",
    "quotient",
]

S = FieldType.STRING
N = FieldType.NUMBER

#: Facts read from the declaration header (the same on every row of a declaration).
HEADER_FACTS: Final[Mapping[str, FieldType]] = MappingProxyType(
    {
        "flow": S,
        "procedure": S,
        "office": S,
        "registered_at": FieldType.DATETIME,
        "declarant": S,
        "importer": S,
        "exporter": S,
        "exporter_country": S,
        "dispatch_country": S,
        "destination_country": S,
        "transport_mode": N,
        "vehicle_id": S,
        "containers": FieldType.STRING_LIST,
        "incoterms": S,
        "currency": S,
        "documents": FieldType.STRING_LIST,
    }
)

#: Facts read from the goods item.
ITEM_FACTS: Final[Mapping[str, FieldType]] = MappingProxyType(
    {
        "item_no": N,
        "hs_code": S,
        "description": S,
        "origin": S,
        "preference": S,
        "net_mass_kg": N,
        "gross_mass_kg": N,
        "supplementary_qty": N,
        "supplementary_unit": S,
        "invoice_value": N,
        "customs_value": N,
        "duty_rate": N,
        "duties": N,
    }
)

#: Facts derived from the declaration, the trader's record and the caller's extras.
DERIVED_FACTS: Final[Mapping[str, FieldType]] = MappingProxyType(
    {
        "chapter": S,
        "heading": S,
        "subheading": S,
        "value_per_kg": N,
        "value_per_unit": N,
        "ref_price": N,
        "value_ratio": N,
        "trader_category": S,
        "aeo": FieldType.BOOLEAN,
        "importer_age_days": N,
        "importer_first_seen": FieldType.DATE,
        "importer_declarations": N,
        "importer_inspections": N,
        "importer_discrepancies": N,
        "importer_discrepancy_rate": N,
        "importer_underpriced_share": N,
        "declarant_declarations": N,
        "declarant_inspections": N,
        "declarant_discrepancies": N,
        "declarant_discrepancy_rate": N,
        "model_score": N,
    }
)

#: Facts that read the same on every row of a declaration.
HEADER_LEVEL_FACTS: Final[frozenset[str]] = frozenset(HEADER_FACTS) | {
    "trader_category",
    "aeo",
    "importer_age_days",
    "importer_first_seen",
    "importer_declarations",
    "importer_inspections",
    "importer_discrepancies",
    "importer_discrepancy_rate",
    "importer_underpriced_share",
    "declarant_declarations",
    "declarant_inspections",
    "declarant_discrepancies",
    "declarant_discrepancy_rate",
}

#: Every fact that is not a declared attribute.
CORE_FACTS: Final[Mapping[str, FieldType]] = MappingProxyType(
    {**HEADER_FACTS, **ITEM_FACTS, **DERIVED_FACTS}
)

_ATTRIBUTE_TYPES: Final[Mapping[AttributeType, FieldType]] = MappingProxyType(
    {
        "string": FieldType.STRING,
        "number": FieldType.NUMBER,
        "boolean": FieldType.BOOLEAN,
        "date": FieldType.DATE,
    }
)
_SCALE: Final = 10**9  # derived quotients keep 9 decimal places, as the criteria language does
_EXACT: Final = Context(prec=100)  # wide enough that scaling and trimming never round


@dataclass(frozen=True, slots=True)
class TraderFacts:
    """What the trader register knows of the importer (or the declarant, when the
    declaration names no importer: ``first_seen`` to ``underpriced_items``) and of the
    declarant as declarant (``declarant_*``). ``priced_items``: the importer's past goods
    items with a value ratio, ``underpriced_items``: of which under half the price."""

    category: str | None = None
    aeo: bool | None = None
    first_seen: date | None = None
    declarations: int | None = None
    inspections: int | None = None
    discrepancies: int | None = None
    priced_items: int | None = None
    underpriced_items: int | None = None
    declarant_declarations: int | None = None
    declarant_inspections: int | None = None
    declarant_discrepancies: int | None = None


def _attribute_types(attributes: AttributeRegistry) -> dict[str, FieldType]:
    types: dict[str, FieldType] = {}
    for (_level, name), spec in sorted(attributes.specs.items()):
        kind = _ATTRIBUTE_TYPES[spec.type]
        if name in CORE_FACTS:
            raise ValueError(f"declared attribute {name!r} has the name of a core fact")
        if types.setdefault(name, kind) is not kind:
            raise ValueError(f"attribute {name!r} is declared with two types")
    return types


def fact_schema(attributes: AttributeRegistry = DEFAULT_REGISTRY) -> dict[str, FieldType]:
    """The facts a criterion can read, with their types: core facts plus declared attributes.

    Raises ValueError when a declared attribute takes the name of a core fact, or
    one name is declared at header and item level with different types.
    """
    return {**CORE_FACTS, **_attribute_types(attributes)}


def build_rows(
    header: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    trader: TraderFacts | None = None,
    item_extras: Mapping[int, Mapping[str, Any]] | None = None,
    attributes: AttributeRegistry = DEFAULT_REGISTRY,
) -> tuple[dict[str, Any], ...]:
    """One fact row per goods item, in the order of ``items``.

    ``header`` and ``items`` are plain mappings of the declaration's fields (as the
    API schema or the store holds them; numbers may be Decimal, int, float or
    numeric strings, times datetimes or ISO strings). ``item_extras[item_no]``
    sets further facts of one item (``ref_price``, ``value_ratio``,
    ``model_score``, ...); its names must be facts of the schema, and not the
    header and trader facts (:data:`HEADER_LEVEL_FACTS`), which every row of a
    declaration shares. Attributes not declared in ``attributes`` are left out
    (criteria cannot name them).
    """
    schema = fact_schema(attributes)
    base = header_facts(header, trader)
    header_attributes = _attribute_values(header.get("attributes"), "header", attributes)
    extras = item_extras or {}
    rows = []
    for item in items:
        row: dict[str, Any] = dict.fromkeys(schema)
        row.update(base)
        row.update(header_attributes)
        row.update({name: _coerce(kind, item.get(name)) for name, kind in ITEM_FACTS.items()})
        hs_code = row["hs_code"]
        for name, digits in (("chapter", 2), ("heading", 4), ("subheading", 6)):
            row[name] = hs_code[:digits] if hs_code is not None and len(hs_code) >= digits else None
        row["value_per_kg"] = quotient(row["customs_value"], row["net_mass_kg"])
        row["value_per_unit"] = quotient(row["customs_value"], row["supplementary_qty"])
        row.update(_attribute_values(item.get("attributes"), "item", attributes))
        item_no = row["item_no"]
        for name, value in extras.get(int(item_no) if item_no is not None else -1, {}).items():
            if name not in schema or name in HEADER_LEVEL_FACTS:
                raise ValueError(f"item extra {name!r} is not a fact of an item (item {item_no})")
            row[name] = _coerce(schema[name], value)
        rows.append(row)
    return tuple(rows)


def header_facts(header: Mapping[str, Any], trader: TraderFacts | None = None) -> dict[str, Any]:
    """The facts every row of a declaration shares (:data:`HEADER_LEVEL_FACTS`), typed.

    The one place the header's and the trader's facts are read: :func:`build_rows` puts
    these values on each row, and whoever needs them beside the rows (the engine's flow,
    office, trader category, AEO) takes them from the rows or from here, never from its
    own copy of the trader's record.
    """
    trader = trader or TraderFacts()
    shared = {name: _coerce(kind, header.get(name)) for name, kind in HEADER_FACTS.items()}
    registered_at: datetime | None = shared["registered_at"]
    shared.update(
        trader_category=_coerce(S, trader.category),
        aeo=trader.aeo if isinstance(trader.aeo, bool) else None,
        importer_first_seen=trader.first_seen,
        importer_age_days=(
            None
            if trader.first_seen is None or registered_at is None
            else Decimal((registered_at.date() - trader.first_seen).days)
        ),
        importer_declarations=_coerce(N, trader.declarations),
        importer_inspections=_coerce(N, trader.inspections),
        importer_discrepancies=_coerce(N, trader.discrepancies),
        importer_discrepancy_rate=_share(trader.discrepancies, trader.inspections),
        importer_underpriced_share=_share(trader.underpriced_items, trader.priced_items),
        declarant_declarations=_coerce(N, trader.declarant_declarations),
        declarant_inspections=_coerce(N, trader.declarant_inspections),
        declarant_discrepancies=_coerce(N, trader.declarant_discrepancies),
        declarant_discrepancy_rate=_share(
            trader.declarant_discrepancies, trader.declarant_inspections
        ),
    )
    return shared


def _share(part: object, whole: object) -> Decimal | None:
    """``part / whole`` as :func:`quotient` (missing when either is, or ``whole`` is 0)."""
    return quotient(_coerce(N, part), _coerce(N, whole))


def quotient(numerator: Decimal | None, divisor: Decimal | None) -> Decimal | None:
    """``numerator / divisor`` rounded half to even to 9 places; None if missing or ÷ 0."""
    if numerator is None or divisor is None or divisor == 0:
        return None
    # Exact rational arithmetic, one rounding (half to even): the criteria language's division.
    scaled = round(Fraction(numerator) * _SCALE / Fraction(divisor))
    if scaled % _SCALE == 0:
        return Decimal(scaled // _SCALE)  # 1000, not 1E+3
    return Decimal(scaled).scaleb(-9, _EXACT).normalize(_EXACT)


def _attribute_values(
    values: object, level: AttributeLevel, attributes: AttributeRegistry
) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        return {}
    row: dict[str, Any] = {}
    for name, value in values.items():
        if (level, name) not in attributes.specs:
            continue
        try:
            row[name] = attributes.coerce(level, name, value)
        except ValueError:
            row[name] = None  # stored before its type changed: missing, as a wrong type is
    return row


def _coerce(kind: FieldType, value: object) -> Any:
    """A value in the representation rows use, or None when it is missing or mistyped."""
    if value is None:
        return None
    if kind is FieldType.STRING:
        return value if isinstance(value, str) else None
    if kind is FieldType.NUMBER:
        return _number(value)
    if kind is FieldType.BOOLEAN:
        return value if isinstance(value, bool) else None
    if kind is FieldType.DATE:
        return _date(value)
    if kind is FieldType.DATETIME:
        return _datetime(value)
    if isinstance(value, list | tuple) and all(isinstance(e, str) for e in value):
        return tuple(value)
    return None


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(
            repr(value)
        )  # the shortest text of the float: 0.1, not 0.1000000000000000055
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date() if value.tzinfo is None else value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _datetime(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        # A naive time means UTC, as in the criteria language.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None
