"""A model's reasons in words, translatable: one sentence template per feature.

Each reason is a :class:`corridor.errors.Message` (``N_``): its English text for the API
and the CLI, its template and parameters for a page in another language. Every feature
kind and key has a whole sentence of its own (so a language can decline the trader or
the place as its grammar wants); the parameters are named by what they are, so an edge
formats them in the reader's way (``corridor.web.i18n.reason``):

- ``rate``: a share (0.38), written as a percentage;
- ``count``, ``number``: a whole number;
- ``amount``: an amount with two decimals;
- ``code``: a code as declared;
- ``contribution``: the signed contribution to the raw score (log-odds), two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from corridor.errors import N_, Message

__all__ = ["Amount2", "Percent", "Signed", "Whole", "sentence"]


class Percent(float):
    """A share that reads as a whole percentage in English (``38%``); JSON sees the share."""

    def __str__(self) -> str:
        return f"{self * 100:.0f}%"


class Signed(float):
    """A contribution that reads with its sign and two decimals (``+0.21``)."""

    def __str__(self) -> str:
        return f"{self:+.2f}"


class Whole(float):
    """A count or a calendar number that reads without decimals (``12``)."""

    def __str__(self) -> str:
        return f"{self:.0f}"


class Amount2(float):
    """An amount that reads with thousands separators and two decimals (``1,234.50``)."""

    def __str__(self) -> str:
        return f"{self:,.2f}"


# The templates are literal N_ calls (without parameters: the template itself), so that
# ``pybabel extract`` and the translations test find every one.
RATE: Final[Mapping[str, str]] = {
    "importer": N_("importer's past discrepancy rate %(rate)s (%(contribution)s)"),
    "declarant": N_("declarant's past discrepancy rate %(rate)s (%(contribution)s)"),
    "seller": N_("seller's past discrepancy rate %(rate)s (%(contribution)s)"),
    "courier": N_("courier's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6": N_("HS subheading's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs4": N_("HS heading's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs2": N_("HS chapter's past discrepancy rate %(rate)s (%(contribution)s)"),
    "origin": N_("origin country's past discrepancy rate %(rate)s (%(contribution)s)"),
    "dispatch": N_("dispatch country's past discrepancy rate %(rate)s (%(contribution)s)"),
    "office": N_("office's past discrepancy rate %(rate)s (%(contribution)s)"),
    "route": N_("route's (origin × office) past discrepancy rate %(rate)s (%(contribution)s)"),
    "transport": N_("transport mode's past discrepancy rate %(rate)s (%(contribution)s)"),
    "procedure": N_("procedure's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_origin": N_("HS6-origin pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_dispatch": N_(
        "HS6-dispatch country pair's past discrepancy rate %(rate)s (%(contribution)s)"
    ),
    "hs4_origin": N_("HS4-origin pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_tax": N_("HS6-tax type pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_duty": N_("HS6-duty rate pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_office": N_("HS6-office pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "hs6_indicator": N_(
        "HS6-origin marking pair's past discrepancy rate %(rate)s (%(contribution)s)"
    ),
    "tax": N_("tax type's past discrepancy rate %(rate)s (%(contribution)s)"),
    "importer_hs6": N_("importer-HS6 pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "declarant_importer": N_(
        "broker-importer pair's past discrepancy rate %(rate)s (%(contribution)s)"
    ),
    "declarant_hs6": N_("broker-HS6 pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "seller_hs6": N_("seller-HS6 pair's past discrepancy rate %(rate)s (%(contribution)s)"),
    "importer_origin": N_(
        "importer-origin pair's past discrepancy rate %(rate)s (%(contribution)s)"
    ),
}

COUNT: Final[Mapping[str, str]] = {
    "importer": N_("importer's inspections known before: %(count)s (%(contribution)s)"),
    "declarant": N_("declarant's inspections known before: %(count)s (%(contribution)s)"),
    "seller": N_("seller's inspections known before: %(count)s (%(contribution)s)"),
    "courier": N_("courier's inspections known before: %(count)s (%(contribution)s)"),
    "hs6": N_("HS subheading's inspections known before: %(count)s (%(contribution)s)"),
    "hs4": N_("HS heading's inspections known before: %(count)s (%(contribution)s)"),
    "hs2": N_("HS chapter's inspections known before: %(count)s (%(contribution)s)"),
    "origin": N_("origin country's inspections known before: %(count)s (%(contribution)s)"),
    "dispatch": N_("dispatch country's inspections known before: %(count)s (%(contribution)s)"),
    "office": N_("office's inspections known before: %(count)s (%(contribution)s)"),
    "route": N_("route's (origin × office) inspections known before: %(count)s (%(contribution)s)"),
    "transport": N_("transport mode's inspections known before: %(count)s (%(contribution)s)"),
    "procedure": N_("procedure's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_origin": N_("HS6-origin pair's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_dispatch": N_(
        "HS6-dispatch country pair's inspections known before: %(count)s (%(contribution)s)"
    ),
    "hs4_origin": N_("HS4-origin pair's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_tax": N_("HS6-tax type pair's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_duty": N_("HS6-duty rate pair's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_office": N_("HS6-office pair's inspections known before: %(count)s (%(contribution)s)"),
    "hs6_indicator": N_(
        "HS6-origin marking pair's inspections known before: %(count)s (%(contribution)s)"
    ),
    "tax": N_("tax type's inspections known before: %(count)s (%(contribution)s)"),
    "importer_hs6": N_(
        "importer-HS6 pair's inspections known before: %(count)s (%(contribution)s)"
    ),
    "declarant_importer": N_(
        "broker-importer pair's inspections known before: %(count)s (%(contribution)s)"
    ),
    "declarant_hs6": N_("broker-HS6 pair's inspections known before: %(count)s (%(contribution)s)"),
    "seller_hs6": N_("seller-HS6 pair's inspections known before: %(count)s (%(contribution)s)"),
    "importer_origin": N_(
        "importer-origin pair's inspections known before: %(count)s (%(contribution)s)"
    ),
}

#: Per feature name: the sentence with its value, the sentence when the value is missing.
VALUED: Final[Mapping[str, tuple[str, str]]] = {
    "customs_value_log": (
        N_("customs value %(amount)s (%(contribution)s)"),
        N_("customs value missing (%(contribution)s)"),
    ),
    "net_mass_log": (
        N_("net mass %(amount)s kg (%(contribution)s)"),
        N_("net mass missing (%(contribution)s)"),
    ),
    "unit_value_log": (
        N_("value per kg %(amount)s (%(contribution)s)"),
        N_("value per kg missing (%(contribution)s)"),
    ),
    "duty_rate": (
        N_("duty rate %(amount)s (%(contribution)s)"),
        N_("duty rate missing (%(contribution)s)"),
    ),
    "value_ratio": (
        N_("value against the reference price %(amount)s (%(contribution)s)"),
        N_("value against the reference price missing (%(contribution)s)"),
    ),
    "month": (
        N_("month %(number)s (%(contribution)s)"),
        N_("month missing (%(contribution)s)"),
    ),
    "weekday": (
        N_("weekday %(number)s (%(contribution)s)"),
        N_("weekday missing (%(contribution)s)"),
    ),
    "day": (
        N_("day of the month %(number)s (%(contribution)s)"),
        N_("day of the month missing (%(contribution)s)"),
    ),
    "office_code": (
        N_("office %(code)s (%(contribution)s)"),
        N_("office missing (%(contribution)s)"),
    ),
    "transport_mode_code": (
        N_("transport mode %(code)s (%(contribution)s)"),
        N_("transport mode missing (%(contribution)s)"),
    ),
    "procedure_code": (
        N_("procedure %(code)s (%(contribution)s)"),
        N_("procedure missing (%(contribution)s)"),
    ),
    "process_type_code": (
        N_("process type %(code)s (%(contribution)s)"),
        N_("process type missing (%(contribution)s)"),
    ),
    "import_type_code": (
        N_("import type %(code)s (%(contribution)s)"),
        N_("import type missing (%(contribution)s)"),
    ),
    "import_use_code": (
        N_("import use %(code)s (%(contribution)s)"),
        N_("import use missing (%(contribution)s)"),
    ),
    "payment_type_code": (
        N_("payment type %(code)s (%(contribution)s)"),
        N_("payment type missing (%(contribution)s)"),
    ),
    "tax_type_code": (
        N_("tax type %(code)s (%(contribution)s)"),
        N_("tax type missing (%(contribution)s)"),
    ),
    "origin_indicator_code": (
        N_("origin indicator %(code)s (%(contribution)s)"),
        N_("origin indicator missing (%(contribution)s)"),
    ),
    "origin_code": (
        N_("origin %(code)s (%(contribution)s)"),
        N_("origin missing (%(contribution)s)"),
    ),
    "dispatch_country_code": (
        N_("dispatch country %(code)s (%(contribution)s)"),
        N_("dispatch country missing (%(contribution)s)"),
    ),
    "chapter_code": (
        N_("HS chapter %(code)s (%(contribution)s)"),
        N_("HS chapter missing (%(contribution)s)"),
    ),
    "heading_code": (
        N_("HS heading %(code)s (%(contribution)s)"),
        N_("HS heading missing (%(contribution)s)"),
    ),
    "subheading_code": (
        N_("HS subheading %(code)s (%(contribution)s)"),
        N_("HS subheading missing (%(contribution)s)"),
    ),
}


def sentence(template: str, /, **params: object) -> Message:
    """The reason's message: ``template`` (one of the above) with its parameters."""
    return N_(str.__str__(template), **params)
