"""Declarations: validation, versioned idempotent intake, bulk import, queries."""
