"""Links and words that pages of several packages show: the address of a declaration's
page, the outcome of an inspection and the discrepancy types in words.

They live here, not in the package whose page uses them first, so that no page
imports another package's page module (an import-linter contract keeps it so).
"""

from __future__ import annotations

from urllib.parse import quote

from corridor.web.i18n import N_

#: An inspection act's outcome in words.
OUTCOME_NAMES = {"no_discrepancy": N_("no discrepancy"), "discrepancy": N_("discrepancy found")}
#: The discrepancy type codes in words (``inspections.schemas.DISCREPANCY_TYPES``).
TYPE_NAMES = {
    "classification": N_("goods classified under the wrong HS code"),
    "valuation": N_("customs value misdeclared (undervaluation, missing costs)"),
    "origin": N_("country of origin or preference misdeclared"),
    "quantity_weight": N_("quantity, mass or number of packages misdeclared"),
    "description": N_("goods not as described"),
    "prohibitions_restrictions": N_(
        "prohibitions and restrictions not observed (licences, permits)"
    ),
    "ipr": N_("goods infringing intellectual property rights"),
    "concealment_smuggling": N_("undeclared or concealed goods"),
    "documents": N_("documents missing, invalid or forged"),
}


def declaration_url(number: str, version: int | None = None) -> str:
    """The page of a declaration (its number keeps its slashes)."""
    return f"/declarations/{quote(number)}" + ("" if version is None else f"?version={version}")


def panel_url(panel: str, number: str, version: int) -> str:
    """A panel of a declaration's page (``decision``, ``act``, ``alerts``), served by the
    package that owns it, for the version the page shows."""
    return f"/panels/{panel}/{quote(number)}?version={version}"
