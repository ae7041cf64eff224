"""The tamper-evident journal: every change of state, hash-chained, and its verifier."""
