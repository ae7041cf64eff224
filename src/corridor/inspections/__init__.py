"""Inspection acts: what an inspector found on a selected declaration.

For one declaration version the inspector records each measure of the decision
(applied, partly applied or not applied with a coded reason), the outcome
(``no_discrepancy`` or ``discrepancy`` with its types), additional duties in
national currency, a seizure and its offence case, the minutes spent and notes.
The selection basis (``profile``, ``random``, ``reroute``) is derived from the
decision and its re-routes; an inspection nobody selected says ``discretionary``.

Acts are append-only. A declaration version has one act; a correction is a new
act version with a reason, and the version it replaces is marked
``current = False`` — that one column is the only change ever made to a stored
act row. Recording and correcting are journalled (``inspection.record``,
``inspection.correct``) in the same transaction.

Acts come through the API (``POST /api/v1/inspection-acts``) or, for posts that
write on paper first, from files (``corridor inspections import``); both validate
into the same models and call the same use case. Results feed profile hit rates,
revenue yield, trader history and reference prices.
"""
