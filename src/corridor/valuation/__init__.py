"""Value control: reference prices computed from stored history, overrides, and the lookup.

A reference price is the typical customs value per kg, or per supplementary unit,
of goods of one HS code (10, 6 or 4 digits) and origin (or all origins, ``"*"``),
with robust bounds. Prices come in immutable *price versions*: a refresh computes
a new version from history (:mod:`.prices`, pure Polars), an analyst's override or
its lift derives a new version from the current one; no version is ever changed.
Each version bumps the selectivity generation, so every worker loads the new
:class:`~corridor.valuation.book.PriceBook` together with its profile set and the
engine reads ``ref_price`` and ``value_ratio`` from it (:mod:`.book`, pure).

- :mod:`.prices`: the computation (unit values, quartiles, bounds in log space);
- :mod:`.book`: the lookup with fallbacks a worker holds in memory;
- :mod:`.service`: refresh, list, override, lift, the current book;
- :mod:`.api` (``/api/v1/reference-prices``) and :mod:`.cli` (``corridor prices``).
"""
