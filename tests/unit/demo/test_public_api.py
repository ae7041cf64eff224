"""The public surface of ``corridor.demo`` and its documentation."""

from __future__ import annotations

import corridor.demo as demo


def test_all_names_exist() -> None:
    for name in demo.__all__:
        assert hasattr(demo, name), name
    assert sorted(demo.__all__) == sorted(set(demo.__all__))
    for name in ("generate", "DemoWorld", "DemoDeclaration", "FraudLabel", "FRAUD_RATES"):
        assert name in demo.__all__
    for name in ("OFFICES", "exchange_rates", "ExchangeRate"):
        assert name in demo.__all__


def test_the_docstring_documents_every_fraud_rate() -> None:
    doc = demo.__doc__ or ""
    for pattern, rate in demo.FRAUD_RATES.items():
        line = next((line for line in doc.splitlines() if line.startswith(pattern)), "")
        assert f"{rate * 100:g} %" in line, pattern


def test_the_docstring_names_every_office() -> None:
    doc = demo.__doc__ or ""
    for office in demo.OFFICES:
        assert f"``{office.code}``" in doc
