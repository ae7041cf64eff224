"""Valid declaration payloads for tests; each test changes only what it tests."""

from __future__ import annotations

import copy
from typing import Any

from corridor.declarations.bulk import HEADER_FIELDS


def item(item_no: int = 1, **changes: Any) -> dict[str, Any]:
    """A valid goods item (passenger car from China)."""
    payload: dict[str, Any] = {
        "item_no": item_no,
        "hs_code": "8703231990",
        "description": "passenger car, petrol, 1.5 l",
        "origin": "CN",
        "net_mass_kg": "1250.5",
        "gross_mass_kg": "1300",
        "supplementary_qty": "1",
        "supplementary_unit": "796",
        "invoice_value": "12000.00",
        "customs_value": "1044000.00",
        "duty_rate": "15",
        "duties": "156600.00",
        "attributes": {"tax_type": "A"},
    }
    payload.update(changes)
    return payload


def declaration(number: str = "KGBSK/011026/0000001", **changes: Any) -> dict[str, Any]:
    """A valid import declaration with two goods items."""
    payload: dict[str, Any] = {
        "number": number,
        "version": 1,
        "flow": "IM",
        "procedure": "40",
        "office": "KGBSK",
        "registered_at": "2026-10-01T09:30:00+06:00",
        "declarant": "02107199910034",
        "importer": "01503200710021",
        "exporter": "SHENZHEN-AUTO-EXPORT",
        "exporter_country": "CN",
        "dispatch_country": "CN",
        "destination_country": "KG",
        "transport_mode": 30,
        "vehicle_id": "01KG123ABC",
        "containers": ["MSCU1234567"],
        "incoterms": "FCA",
        "currency": "USD",
        "documents": ["04021", "01401"],
        "attributes": {"payment_type": "11"},
        "items": [item(1), item(2, hs_code="8708299009", description="car parts")],
    }
    payload.update(copy.deepcopy(changes))
    return payload


HEADER_KEYS = HEADER_FIELDS  # the flat format's header columns


def flat_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per goods item with the header repeated: corridor's flat file format."""
    header = {key: payload.get(key) for key in HEADER_KEYS}
    for key in ("containers", "documents"):
        header[key] = ";".join(header[key] or [])
    header.update(payload.get("attributes", {}))
    rows = []
    for goods in payload["items"]:
        row = dict(header)
        row.update({k: v for k, v in goods.items() if k != "attributes"})
        row.update(goods.get("attributes", {}))
        rows.append(row)
    return rows


def write_flat_csv(path: Any, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write payloads as a flat CSV file; return the rows written (in order)."""
    import csv

    rows = [row for payload in payloads for row in flat_rows(payload)]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return rows
