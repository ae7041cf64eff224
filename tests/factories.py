"""Valid declaration payloads for tests; each test changes only what it tests."""

from __future__ import annotations

import copy
from typing import Any


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
