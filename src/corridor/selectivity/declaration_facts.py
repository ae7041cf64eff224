"""One declaration as the engine sees it, built in one place from the declaration itself.

:class:`~corridor.selectivity.engine.DeclarationFacts` carries the flow, office,
procedure, trader category and AEO status beside the fact rows, which hold them
too. :func:`declaration_facts` is the only way the application builds it: it
reads those values from the rows it has just built (or, for a declaration without
goods items, from the same :func:`~corridor.declarations.facts.header_facts`), so
the engine's copy can never disagree with what criteria read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corridor.declarations.attributes import DEFAULT_REGISTRY, AttributeRegistry
from corridor.declarations.facts import TraderFacts, build_rows, header_facts
from corridor.selectivity.engine import DeclarationFacts

__all__ = ["declaration_facts"]


def declaration_facts(
    header: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    key: str,
    trader: TraderFacts | None = None,
    item_extras: Mapping[int, Mapping[str, Any]] | None = None,
    attributes: AttributeRegistry = DEFAULT_REGISTRY,
) -> DeclarationFacts:
    """The declaration's fact rows (:func:`~corridor.declarations.facts.build_rows`) and the
    header facts the engine reads beside them, taken from those rows.

    ``key`` keys the draws (``"number/version"``). Raises ValueError when the header has
    no flow, office or procedure (text), which every stored declaration has.
    """
    rows = build_rows(header, items, trader=trader, item_extras=item_extras, attributes=attributes)
    # The rows are the source: every row holds the same header facts.
    shared: Mapping[str, Any] = rows[0] if rows else header_facts(header, trader)
    flow, office, procedure = shared["flow"], shared["office"], shared["procedure"]
    for name, value in (("flow", flow), ("office", office), ("procedure", procedure)):
        if not isinstance(value, str):
            raise ValueError(f"declaration {key}: {name} is missing")
    return DeclarationFacts(
        key=key,
        flow=flow,
        office=office,
        procedure=procedure,
        rows=rows,
        trader_category=shared["trader_category"],
        aeo=shared["aeo"] is True,
    )
