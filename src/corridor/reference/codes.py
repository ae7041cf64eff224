"""Customs code lists that validation and criteria rely on.

Countries and currencies come from ISO 3166 / ISO 4217 through pycountry; the
customs code lists (flows, procedures, transport modes) follow the EAEU
classifiers in use in the Kyrgyz Republic; the discrepancy types are what an
inspection, a trader's record and a post-clearance audit all count.
"""

from __future__ import annotations

from typing import Final

import pycountry

#: ISO 3166-1 alpha-2 codes, plus "EU" which EAEU declarations use for
#: goods of European Union origin when the member state is not known.
COUNTRY_CODES: Final[frozenset[str]] = frozenset(
    {country.alpha_2 for country in pycountry.countries} | {"EU"}
)

#: ISO 4217 alphabetic currency codes.
CURRENCY_CODES: Final[frozenset[str]] = frozenset(c.alpha_3 for c in pycountry.currencies)

#: The national currency, in which customs values and duties are expressed.
NATIONAL_CURRENCY: Final = "KGS"

#: Declaration flows.
FLOWS: Final[dict[str, str]] = {"IM": "import", "EX": "export", "TR": "transit"}

#: Customs procedures (EAEU classifier of customs procedures) and the flow each belongs to.
PROCEDURES: Final[dict[str, tuple[str, str]]] = {
    "10": ("EX", "export"),
    "21": ("EX", "processing outside the customs territory"),
    "23": ("EX", "temporary export"),
    "31": ("EX", "re-export"),
    "40": ("IM", "release for home use"),
    "51": ("IM", "processing within the customs territory"),
    "53": ("IM", "temporary admission"),
    "60": ("IM", "re-import"),
    "70": ("IM", "customs warehouse"),
    "78": ("IM", "free customs zone"),
    "79": ("IM", "free warehouse"),
    "80": ("TR", "customs transit"),
    "90": ("IM", "special customs procedure"),
    "91": ("IM", "duty-free trade"),
}

#: Modes of transport at the border (UN/ECE Recommendation 19 as used in the EAEU).
TRANSPORT_MODES: Final[dict[int, str]] = {
    10: "sea",
    20: "rail",
    30: "road",
    40: "air",
    50: "post",
    70: "fixed transport installation",
    80: "inland waterway",
    90: "own propulsion / other",
}

#: Incoterms 2020 (and 2010 terms still seen on declarations).
INCOTERMS: Final[frozenset[str]] = frozenset(
    {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF", "DAT"}
)

#: What an inspection can find wrong (the domain's list of discrepancy types).
DISCREPANCY_TYPES: Final[dict[str, str]] = {
    "classification": "goods classified under the wrong HS code",
    "valuation": "customs value misdeclared (undervaluation, missing costs)",
    "origin": "country of origin or preference misdeclared",
    "quantity_weight": "quantity, mass or number of packages misdeclared",
    "description": "goods not as described",
    "prohibitions_restrictions": "prohibitions and restrictions not observed (licences, permits)",
    "ipr": "goods infringing intellectual property rights",
    "concealment_smuggling": "undeclared or concealed goods",
    "documents": "documents missing, invalid or forged",
}
