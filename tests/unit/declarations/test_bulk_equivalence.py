"""The column-wise bulk validator and the API's Pydantic models give the same answers.

Same accept/reject decision per declaration, the same offending fields, and for
accepted declarations the same content hash (so either path recognises the
other's declarations as identical).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from corridor.declarations.bulk import _ADAPTERS, AMOUNT_FIELDS, CANONICAL_AMOUNT, validate_rows
from corridor.declarations.schemas import DeclarationCreate
from tests.examples import examples
from tests.factories import declaration, flat_rows, item

NOW = datetime.now(UTC)
CONTEXT = {"now": NOW}

# Values a clearance system or a spreadsheet might send, valid or not.
TEXTS = st.sampled_from(
    [
        "",
        " ",
        "CN",
        "cn",
        "XX",
        "ZZ",
        "KG",
        "USD",
        "usd",
        "EUR",
        "ABC",
        "40",
        "10",
        "80",
        "99",
        "IM",
        "EX",
        "TR",
        "im",
        "30",
        "31",
        "40",
        "1",
        "2",
        "0",
        "-1",
        "FCA",
        "XYZ",
        "796",
        "a b",
        "8703231990",
        "870323",
        "87032",
        "8703ab",
        "KGBSK",
        "kgbsk",
        "MSCU1234567",
        "MSCU123",
        "04021;01401",
        "04021;;x y",
        "2026-10-01T09:30:00+06:00",
        "2026-10-01T09:30:00",
        "2099-01-01T00:00:00Z",
        "2026-10-01",
        'naïve, "quoted"',
        "x" * 41,
        # Bidirectional controls (refused alike) and right-to-left letters (accepted alike).
        "cars \u202egnp.exe",
        "a\u2066b\u2069",
        "\u200fCN",
        "سيارة",
    ]
)
AMOUNTS = st.one_of(
    st.sampled_from(
        [
            "0",
            "0.0",
            "00",
            "-0",
            "-1",
            "1E3",
            "1e-7",
            "NaN",
            "inf",
            "1_000",
            "12.3400",
            "0.0000001",
            "1234567890123456789",
            " 5 ",
            "+5",
            "5.",
            ".5",
        ]
    ),
    st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False).map(str),
    st.floats(min_value=0, max_value=1e9, allow_nan=False).map(str),
)
HEADER_KEYS = [
    "flow",
    "procedure",
    "office",
    "registered_at",
    "importer",
    "exporter",
    "exporter_country",
    "currency",
    "transport_mode",
    "incoterms",
    "containers",
    "documents",
    "version",
    "vehicle_id",
]
ITEM_KEYS = [
    "item_no",
    "hs_code",
    "origin",
    "description",
    "supplementary_unit",
    "net_mass_kg",
    "gross_mass_kg",
    "supplementary_qty",
    "invoice_value",
    "duties",
]


@st.composite
def declarations(draw: st.DrawFn) -> dict[str, Any]:
    payload = declaration(f"H/{draw(st.integers(0, 10**6))}")
    payload["items"] = [item(n) for n in range(1, draw(st.integers(1, 3)) + 1)]
    for key in draw(st.lists(st.sampled_from(HEADER_KEYS), max_size=2, unique=True)):
        value = draw(TEXTS)
        payload[key] = value.split(";") if key in ("containers", "documents") else value
    for goods in payload["items"]:
        for key in draw(st.lists(st.sampled_from(ITEM_KEYS), max_size=2, unique=True)):
            goods[key] = draw(AMOUNTS) if key in AMOUNT_FIELDS else draw(TEXTS)
    if draw(st.booleans()):
        payload["items"][0]["attributes"] = {"tax_type": draw(TEXTS)}
    return payload


def api_answer(payload: dict[str, Any]) -> tuple[bool, str | None, set[str]]:
    """Accepted?, content hash, and the offending top-level field names."""
    cleaned = _as_csv_would(payload)
    try:
        model = DeclarationCreate.model_validate(cleaned, context=CONTEXT)
    except ValidationError as exc:
        return False, None, {_field(error["loc"]) for error in exc.errors()}
    return True, model.content_hash(), set()


def _field(loc: tuple[Any, ...]) -> str:
    names = [part for part in loc if isinstance(part, str)]
    # A goods item's own cross-field rule is located at ("items", n): a declaration matter.
    return names[-1] if names and names[-1] != "items" else "declaration"


def _as_csv_would(payload: dict[str, Any]) -> dict[str, Any]:
    """A CSV cell cannot tell "" from missing nor keep blanks around: compare like for like."""

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    out = {k: cell(v) for k, v in payload.items() if k not in ("items", "containers", "documents")}
    for key in ("containers", "documents"):
        out[key] = [p.strip() for p in payload.get(key) or [] if p.strip()]
    out["items"] = [
        {k: cell(v) for k, v in goods.items() if k != "attributes"}
        | {"attributes": {k: cell(v) for k, v in goods.get("attributes", {}).items() if cell(v)}}
        for goods in payload["items"]
    ]
    out["attributes"] = payload.get("attributes", {})
    out = {k: v for k, v in out.items() if v is not None}
    out["items"] = [{k: v for k, v in goods.items() if v is not None} for goods in out["items"]]
    if out.get("description") is None:
        out.pop("description", None)
    return out


def bulk_answer(payload: dict[str, Any]) -> tuple[bool, str | None, set[str]]:
    rows = flat_rows(payload)
    frame = (
        pl.DataFrame(
            [{k: None if v is None else str(v) for k, v in row.items()} for row in rows],
            schema=dict.fromkeys(rows[0], pl.String),
        )
        .with_row_index("_row", offset=1)
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    result = validate_rows(frame, context=CONTEXT)
    if result.headers.height:
        return True, result.headers["content_hash"][0], set()
    fields = {
        "declaration" if e.field == "item" else e.field
        for e in result.errors
        if not e.reason.startswith("rejected with its declaration")
    }
    return False, None, fields


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(declarations())
def test_bulk_and_api_agree(payload: dict[str, Any]) -> None:
    api_ok, api_hash, api_fields = api_answer(payload)
    bulk_ok, bulk_hash, bulk_fields = bulk_answer(payload)
    assert bulk_ok == api_ok, (api_fields, bulk_fields)
    assert bulk_hash == api_hash
    if not api_ok:
        # The bulk path names the same fields (attributes are reported by name there).
        normalise = {"attributes": "tax_type"}
        assert {normalise.get(f, f) for f in api_fields} == bulk_fields


@settings(max_examples=examples(2000), deadline=None)
@given(AMOUNTS)
def test_amount_fast_path_equals_the_pydantic_type(text: str) -> None:
    """Strings the Polars fast path accepts are valid amounts with that canonical form."""
    fast = (
        pl.Series([text])
        .str.replace(r"(\.[0-9]*?)0+$", "${1}")
        .str.replace(r"\.$", "")
        .str.replace(r"^0+([0-9])", "${1}")
    )
    if not fast.str.contains(CANONICAL_AMOUNT)[0]:
        return
    parsed = _ADAPTERS["invoice_value"].validate_python(text)
    assert isinstance(parsed, Decimal)
    assert format(parsed, "f") == fast[0]
