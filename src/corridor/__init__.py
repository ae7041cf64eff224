"""corridor: a customs risk management system (selectivity, risk profiles, feedback)."""

__version__ = "0.1.0"
