"""Shared helpers for the criteria-language tests: a schema, lists and strategies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Context, Decimal
from typing import Any

import polars as pl
from hypothesis import strategies as st

from corridor import rules as r
from corridor.rules import FieldType as T

SCHEMA: dict[str, T] = {
    "s1": T.STRING,
    "s2": T.STRING,
    "n1": T.NUMBER,
    "n2": T.NUMBER,
    "n3": T.NUMBER,
    "b1": T.BOOLEAN,
    "d1": T.DATE,
    "d2": T.DATE,
    "t1": T.DATETIME,
    "t2": T.DATETIME,
    "l1": T.STRING_LIST,
}

LISTS = (
    r.NamedList("ONE", ("s1",), frozenset({("a",), ("ab",), ("é",)})),
    r.NamedList("PFX", ("s2",), frozenset({("a",), ("bA",), ("",), ("Σß",)}), frozenset({"s2"})),
    r.NamedList(
        "TWO",
        ("s1", "s2"),
        frozenset({("a", "b"), ("ab", ""), ("b", "a:b"), ("1:", "a")}),
        frozenset({"s2"}),
    ),
    r.NamedList("DOCS", ("l1",), frozenset({("a",), ("B",)})),
    r.NamedList("EMPTY", ("s1",), frozenset()),
)


def evaluate_both(
    criterion: str | r.Expr,
    rows: Sequence[Mapping[str, Any]],
    *,
    schema: Mapping[str, T] = SCHEMA,
    dtypes: Mapping[str, pl.DataType | type[pl.DataType]] | None = None,
    lists: Sequence[r.NamedList] = LISTS,
) -> tuple[list[bool], list[bool]]:
    """Results of the closure on each row and of the Polars expression on the frame."""
    predicate = r.compile_predicate(criterion, schema, lists)
    frame = frame_of(rows, schema=schema, dtypes=dtypes)
    closure = [predicate(row) for row in frame.to_dicts()]
    batch = frame.with_columns(_m=r.compile_polars(criterion, schema, lists))["_m"]
    assert batch.dtype == pl.Boolean
    assert batch.null_count() == 0
    return closure, batch.to_list()


def frame_of(
    rows: Sequence[Mapping[str, Any]],
    *,
    schema: Mapping[str, T] = SCHEMA,
    dtypes: Mapping[str, pl.DataType | type[pl.DataType]] | None = None,
) -> pl.DataFrame:
    """A frame of the rows with one column per schema field (missing keys are null)."""
    chosen = dict(dtypes or {})
    polars_schema: dict[str, Any] = {}
    for name, kind in schema.items():
        polars_schema[name] = chosen.get(name) or default_dtype(kind)
    data = {name: [row.get(name) for row in rows] for name in schema}
    return pl.DataFrame(data, schema=polars_schema)


def default_dtype(kind: T) -> Any:
    """The Polars dtype used for a field type unless a test chooses another."""
    return {
        T.STRING: pl.String,
        T.NUMBER: pl.Decimal(38, 9),
        T.BOOLEAN: pl.Boolean,
        T.DATE: pl.Date,
        T.DATETIME: pl.Datetime("us", "UTC"),
        T.STRING_LIST: pl.List(pl.String),
    }[kind]


# --- strategies ------------------------------------------------------------

STRINGS = st.text(alphabet="abAB:1éΣß", max_size=3)
SMALL_DECIMALS = st.sampled_from(
    [Decimal(x) for x in ("0", "0.1", "0.2", "0.3", "0.5", "1", "2", "2.5", "3", "10")]
)
BIG_DECIMALS = st.sampled_from(
    [
        Decimal("0.000000001"),
        Decimal("0.000000005"),
        Decimal("99999"),
        Decimal("10000000000"),
        Decimal("999999999999999999.999999999"),
        Decimal("500000000000000000"),
    ]
)
LITERAL_DECIMALS = st.one_of(SMALL_DECIMALS, SMALL_DECIMALS, BIG_DECIMALS)
BASE_DATE = date(2026, 1, 1)
DATES = st.integers(-3, 3).map(lambda n: BASE_DATE + timedelta(days=n))
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
OFFSETS = st.sampled_from([None, UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-3))])
DATETIMES = st.builds(
    lambda hours, tz: (
        (BASE_TIME + timedelta(hours=hours)).astimezone(tz)
        if tz
        else (BASE_TIME + timedelta(hours=hours)).replace(tzinfo=None)
    ),
    st.sampled_from([-48, -36, -25, -24, -12, -1, 0, 1, 12, 23, 24, 36, 48]),
    OFFSETS,
)

FIELDS_BY_TYPE: dict[T, list[str]] = {}
for _name, _kind in SCHEMA.items():
    FIELDS_BY_TYPE.setdefault(_kind, []).append(_name)


def _literal(kind: T) -> st.SearchStrategy[r.Expr]:
    if kind is T.STRING:
        return STRINGS.map(r.StringLiteral)
    if kind is T.NUMBER:
        return LITERAL_DECIMALS.map(r.NumberLiteral)
    if kind is T.BOOLEAN:
        return st.booleans().map(r.BooleanLiteral)
    if kind is T.DATE:
        return DATES.map(r.DateLiteral)
    return DATETIMES.map(r.DateTimeLiteral)


def _leaf(kind: T) -> st.SearchStrategy[r.Expr]:
    fields = st.sampled_from(FIELDS_BY_TYPE[kind]).map(r.Field)
    if kind is T.STRING_LIST:
        return fields
    return st.one_of(fields, fields, _literal(kind))


_CACHE: dict[tuple[T, int], st.SearchStrategy[r.Expr]] = {}
ORDERED = (T.STRING, T.NUMBER, T.DATE, T.DATETIME)


def expressions(kind: T, depth: int) -> st.SearchStrategy[r.Expr]:
    """Well-typed expressions of ``kind`` at most ``depth`` levels deep."""
    key = (kind, depth)
    if key not in _CACHE:
        _CACHE[key] = _expressions(kind, depth)
    return _CACHE[key]


def _expressions(kind: T, depth: int) -> st.SearchStrategy[r.Expr]:
    leaf = _leaf(kind)
    if depth <= 1:
        if kind is T.BOOLEAN:
            return st.one_of(leaf, st.builds(r.InList, st.sampled_from(["ONE", "TWO", "DOCS"])))
        return leaf

    def sub(k: T) -> st.SearchStrategy[r.Expr]:
        return expressions(k, depth - 1)

    options: list[st.SearchStrategy[r.Expr]] = [leaf]
    if kind is T.NUMBER:
        num = sub(T.NUMBER)
        options += [
            st.builds(r.Negate, num),
            st.builds(r.Arithmetic, st.sampled_from("+-*/"), num, num),
            st.builds(r.Arithmetic, st.sampled_from("*/"), num, num),
            st.builds(lambda a: r.Call("abs", (a,)), num),
            st.builds(
                lambda f, args: r.Call(f, tuple(args)),
                st.sampled_from(["min", "max"]),
                st.lists(num, min_size=2, max_size=3),
            ),
            st.builds(
                lambda a, n: r.Call("round", (a,) if n is None else (a, r.NumberLiteral(n))),
                num,
                st.one_of(st.none(), st.sampled_from([Decimal(0), Decimal(1), Decimal(9)])),
            ),
            st.builds(lambda a: r.Call("len", (a,)), st.one_of(sub(T.STRING), sub(T.STRING_LIST))),
            st.builds(
                lambda a, b: r.Call("days_between", (a, b)),
                st.one_of(sub(T.DATE), sub(T.DATETIME)),
                st.one_of(sub(T.DATE), sub(T.DATETIME)),
            ),
        ]
    elif kind is T.STRING:
        options += [
            st.builds(
                lambda f, a: r.Call(f, (a,)), st.sampled_from(["lower", "upper"]), sub(T.STRING)
            )
        ]
    elif kind is T.BOOLEAN:
        options += _conditions(sub)
    return st.one_of(options)


def _conditions(sub: Any) -> list[st.SearchStrategy[r.Expr]]:
    def compare(k: T) -> st.SearchStrategy[r.Expr]:
        ops = ["=", "!="] if k is T.BOOLEAN else ["=", "!=", "<", "<=", ">", ">="]
        return st.builds(r.Compare, st.sampled_from(ops), sub(k), sub(k))

    def between(k: T) -> st.SearchStrategy[r.Expr]:
        return st.builds(r.Between, sub(k), sub(k), sub(k), negated=st.booleans())

    any_kind = st.sampled_from(list(T))
    cond = sub(T.BOOLEAN)
    return [
        st.one_of([compare(k) for k in (*ORDERED, T.BOOLEAN)]),
        st.one_of([between(k) for k in ORDERED]),
        st.builds(
            r.IsIn,
            sub(T.STRING),
            st.lists(STRINGS, max_size=4).map(tuple),
            negated=st.booleans(),
        ),
        st.builds(
            r.IsIn,
            sub(T.NUMBER),
            st.lists(st.one_of(SMALL_DECIMALS, SMALL_DECIMALS.map(lambda d: -d)), max_size=4).map(
                tuple
            ),
            negated=st.booleans(),
        ),
        st.builds(
            r.StartsWith,
            sub(T.STRING),
            st.one_of(
                st.lists(STRINGS, max_size=3),
                st.lists(STRINGS, min_size=17, max_size=20),
            ).map(tuple),
        ),
        st.builds(r.Contains, st.one_of(sub(T.STRING), sub(T.STRING_LIST)), sub(T.STRING)),
        any_kind.flatmap(
            lambda k: st.one_of(st.builds(r.IsMissing, sub(k)), st.builds(r.IsPresent, sub(k)))
        ),
        st.builds(r.Not, cond),
        st.builds(lambda ops: r.And(tuple(ops)), st.lists(cond, min_size=2, max_size=3)),
        st.builds(lambda ops: r.Or(tuple(ops)), st.lists(cond, min_size=2, max_size=3)),
        st.builds(r.InList, st.sampled_from(["ONE", "PFX", "TWO", "DOCS", "EMPTY"])),
        st.builds(r.InList, st.just("ONE"), st.one_of(sub(T.STRING), sub(T.STRING_LIST))),
        st.builds(r.InList, st.just("PFX"), st.one_of(sub(T.STRING), sub(T.STRING_LIST))),
    ]


# Values of facts, per column dtype.
_NUMBER_DTYPES: list[Any] = [
    pl.Int64,
    pl.Float64,
    pl.Decimal(38, 0),
    pl.Decimal(38, 2),
    pl.Decimal(38, 9),
    pl.Decimal(38, 12),
]


def _scaled(n: int, scale: int) -> Decimal:
    return Decimal(n).scaleb(-scale, _EXACT)


_EXACT = Context(prec=80)


def _number_values(dtype: Any) -> st.SearchStrategy[Any]:
    if dtype == pl.Int64:
        return st.one_of(
            st.integers(-12, 12),
            st.sampled_from([10**18 - 1, 10**18, -(10**18), 2**63 - 1, -(2**63), 10**10]),
        )
    if dtype == pl.Float64:
        return st.one_of(
            st.integers(-40, 40).map(lambda n: n / 4),
            st.integers(-40, 40).map(lambda n: n / 10),
            st.sampled_from([0.1 + 0.2, 2.5e-9, 1.5e-9, 1e18, 9.999999999999999e17, 1e30]),
            st.floats(allow_nan=True, allow_infinity=True),
        )
    scale = dtype.scale
    limit = 10 ** (38 - scale) - 1
    return st.one_of(
        st.integers(-400, 400).map(lambda n: _scaled(n, min(scale, 2))),
        st.integers(-(10**6), 10**6).map(lambda n: _scaled(n, scale)),
        st.sampled_from([10**18 - 1, 10**18, 10**17, 10**10]).map(Decimal),
        st.integers(-limit, limit).map(lambda n: _scaled(n, scale)),
    )


def _values(kind: T, dtype: Any) -> st.SearchStrategy[Any]:
    if kind is T.NUMBER:
        return _number_values(dtype)
    if kind is T.STRING:
        return STRINGS
    if kind is T.BOOLEAN:
        return st.booleans()
    if kind is T.DATE:
        return DATES
    if kind is T.DATETIME:
        return DATETIMES.map(lambda d: d.astimezone(UTC) if d.tzinfo else d.replace(tzinfo=UTC))
    return st.lists(st.one_of(STRINGS, st.none()), max_size=3)


@st.composite
def fact_frames(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of facts (often missing) and the column dtypes to hold them."""
    dtypes: dict[str, Any] = {}
    for name, kind in SCHEMA.items():
        if kind is T.NUMBER:
            dtypes[name] = draw(st.sampled_from(_NUMBER_DTYPES))
        elif kind is T.DATETIME:
            dtypes[name] = pl.Datetime("us", draw(st.sampled_from([None, "UTC", "Asia/Tashkent"])))
        else:
            dtypes[name] = default_dtype(kind)
    strategies = {
        name: st.one_of(st.none(), _values(kind, dtypes[name])) for name, kind in SCHEMA.items()
    }
    rows = draw(st.lists(st.fixed_dictionaries(strategies), min_size=1, max_size=12))
    for row in rows:
        for name, kind in SCHEMA.items():
            value = row[name]
            if kind is T.DATETIME and value is not None and dtypes[name].time_zone is None:
                row[name] = value.replace(tzinfo=None)
    return rows, dtypes


# --- a customs-like schema for table tests ---------------------------------

CUSTOMS: dict[str, T] = {
    "hs_code": T.STRING,
    "origin": T.STRING,
    "declarant": T.STRING,
    "importer": T.STRING,
    "description": T.STRING,
    "value_ratio": T.NUMBER,
    "value_per_unit": T.NUMBER,
    "value_per_kg": T.NUMBER,
    "ref_min": T.NUMBER,
    "ref_max": T.NUMBER,
    "customs_value": T.NUMBER,
    "net_mass_kg": T.NUMBER,
    "transport_mode": T.NUMBER,
    "aeo": T.BOOLEAN,
    "importer_first_seen": T.DATE,
    "registered_at": T.DATETIME,
    "documents": T.STRING_LIST,
    "containers": T.STRING_LIST,
}

CUSTOMS_LISTS = (
    # ASYCUDA: a named list of company / declarant / commodity / origin.
    r.NamedList(
        "WATCHED",
        ("importer", "declarant", "hs_code", "origin"),
        frozenset({("IMP1", "DEC1", "8703", "CN"), ("IMP2", "DEC2", "0808", "US")}),
        frozenset({"hs_code"}),
    ),
    r.NamedList(
        "TRACTORS", ("hs_code",), frozenset({("8701",), ("870130",)}), frozenset({"hs_code"})
    ),
    r.NamedList("SANCTIONED", ("origin",), frozenset({("KP",), ("SY",)})),
    r.NamedList("HOT_CONTAINERS", ("containers",), frozenset({("MSCU1234567",)})),
    r.NamedList("NOBODY", ("importer",), frozenset()),
)


def _dtype_of(kind: T, values: list[Any]) -> Any:
    present = [x for x in values if x is not None]
    if kind is T.NUMBER and present:
        if all(type(x) is int for x in present):
            return pl.Int64
        if all(type(x) is float for x in present):
            return pl.Float64
        exponents = [x.as_tuple().exponent for x in present]
        return pl.Decimal(38, max(0, *(-e for e in exponents)))
    datetimes = [x for x in present if isinstance(x, datetime)]
    if kind in (T.DATE, T.DATETIME) and datetimes:
        return pl.Datetime("us", None if datetimes[0].tzinfo is None else "UTC")
    if kind is T.DATETIME and present:
        return pl.Date
    return default_dtype(kind)


def both(
    criterion: str | r.Expr,
    row: Mapping[str, Any],
    *,
    schema: Mapping[str, T] = CUSTOMS,
    lists: Sequence[r.NamedList] = CUSTOMS_LISTS,
) -> tuple[bool, bool]:
    """The closure on ``row`` as given, and Polars on a one-row frame of natural dtypes."""
    closure = r.compile_predicate(criterion, schema, lists)(row)
    dtypes = {name: _dtype_of(kind, [row.get(name)]) for name, kind in schema.items()}
    frame = frame_of([row], schema=schema, dtypes=dtypes)
    batch = frame.with_columns(_m=r.compile_polars(criterion, schema, lists))["_m"]
    assert batch.null_count() == 0
    return closure, batch.item()
