"""The facts criteria read, as the selectivity engine imports them.

The facts are built from a declaration, so they live in :mod:`corridor.declarations.facts`
(below profiles and valuation, which read them too). This module only re-exports them
for the engine, which imports ``HEADER_LEVEL_FACTS`` from here; new code imports
:mod:`corridor.declarations.facts`.
"""

from __future__ import annotations

from corridor.declarations.facts import (
    CORE_FACTS,
    DERIVED_FACTS,
    HEADER_FACTS,
    HEADER_LEVEL_FACTS,
    ITEM_FACTS,
    TraderFacts,
    build_rows,
    fact_schema,
    header_facts,
    quotient,
)

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
