"""Feedback statistics: how well selection works, from the inspection acts.

Profile effectiveness per profile version (matched, selected, inspected, hits,
hit rate with its Wilson interval, additional duties, false positives, lift
over the random control group with its Katz interval) and the administration's
key figures (channel shares per office and day, physical inspection rate,
targeted against random hit rates, duties per inspection, the share of customs
value released green, inspections per officer-hour). Aggregated in the
database (``repository``) and over columns (Polars); the interval estimates are
pure functions (``stats``). ``GET /api/v1/analytics/…``, ``corridor report …``.
"""
