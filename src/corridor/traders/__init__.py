"""Traders: what history says of each importer and declarant (broker), by TIN.

``trader_history`` holds, per TIN and role, the declarations lodged, the
inspections (current inspection acts), the discrepancies found, the additional
duties assessed and the dates of each, aggregated in SQL from declarations and
inspection acts by :func:`corridor.traders.service.refresh_history`
(``corridor traders refresh-history``). Selectivity reads it as the importer's
facts (``importer_first_seen``, ``importer_age_days``, ``importer_declarations``,
``importer_inspections``, ``importer_discrepancies``). Risk categories and AEO
status come later.
"""
