"""The engine's view of a declaration is built in one place: the header facts it reads
beside the rows (flow, office, procedure, trader category, AEO) are the rows' own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.declarations.facts import TraderFacts
from corridor.selectivity.engine import DeclarationFacts
from tests.unit.selectivity.selectivity_testing import APPLES, CAR, HEADER

CATEGORIES = st.sampled_from([None, "low", "medium", "high", 7])
ITEMS = st.lists(st.sampled_from([CAR, APPLES]), max_size=3)


@given(
    category=CATEGORIES,
    aeo=st.sampled_from([None, True, False, "yes"]),
    items=ITEMS,
    flow=st.sampled_from(["IM", "EX"]),
)
def test_the_engine_reads_what_every_row_says(
    category: Any, aeo: Any, items: list[Mapping[str, Any]], flow: str
) -> None:
    trader = TraderFacts(category=category, aeo=aeo)
    facts = DeclarationFacts.of("K/1", {**HEADER, "flow": flow}, items, trader=trader)
    assert len(facts.rows) == len(items)
    assert facts.key == "K/1"
    for row in facts.rows:
        assert (row["flow"], row["office"], row["procedure"]) == (
            facts.flow,
            facts.office,
            facts.procedure,
        )
        assert row["trader_category"] == facts.trader_category
        assert (row["aeo"] is True) is facts.aeo
    # A category that is not text is missing for criteria, and so for the engine.
    assert facts.trader_category == (category if isinstance(category, str) else None)
    assert facts.aeo is (aeo is True)


def test_a_declaration_without_goods_items_keeps_its_header_facts() -> None:
    trader = TraderFacts(category="low", aeo=True)
    facts = DeclarationFacts.of("K/1", HEADER, [], trader=trader)
    assert facts.rows == ()
    assert (facts.flow, facts.office, facts.procedure) == ("IM", HEADER["office"], "40")
    assert (facts.trader_category, facts.aeo) == ("low", True)


@pytest.mark.parametrize("name", ["flow", "office", "procedure"])
def test_a_header_without_flow_office_or_procedure_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=f"header {name} must be a string"):
        DeclarationFacts.of("K/1", {**HEADER, name: None}, [CAR])
