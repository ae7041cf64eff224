"""Traders: the register of importers, exporters and declarants (brokers) by TIN, their
history, compliance category and AEO status.

* The **register** (``traders``, ``trader_names``): every national party of the
  declarations (the importer of an import, the exporter of an export, the declarant of
  any declaration; the foreign party of an import or export is not a taxpayer here, and
  no declaration field names the carrier) with the roles seen, the declarations, the
  first and last day of activity, and the names the declarations carried (header
  attributes ``importer_name``, ``exporter_name``, ``declarant_name`` where an
  installation declares them). Rebuilt by ``corridor traders refresh``.
* **History** (``trader_history``), per TIN and role: declarations, inspections,
  discrepancies, additional duties and their dates, and an importer's goods items priced
  against the reference prices and under half the price, aggregated in SQL as of the
  refresh; selectivity reads it as the importer's facts (``importer_first_seen``,
  ``importer_age_days``, ``importer_declarations``, ``importer_inspections``,
  ``importer_discrepancies``, ``importer_discrepancy_rate``,
  ``importer_underpriced_share``) and the declarant's (``declarant_declarations``,
  ``declarant_inspections``, ``declarant_discrepancies``,
  ``declarant_discrepancy_rate``), when the refresh is not later than the declaration's
  registration.
* The **compliance category** (low / medium / high): a transparent score
  (:mod:`corridor.traders.scoring`) recomputed by ``corridor traders recategorise``,
  each change kept with the score's components; an analyst's **override** (reason,
  last day) wins while it is valid. **AEO** certificates (EAEU types 1-3) count while
  valid and not ended. Selectivity reads both at each assessment
  (:func:`corridor.traders.service.effective_status`) for the simplified procedures.
* **Post-entry audit findings** (``trader_findings``) come from completed audit cases
  through :func:`corridor.traders.service.record_audit_finding` only, and count in the
  score.
"""
