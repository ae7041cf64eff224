"""Web edge: shared FastAPI dependencies, error bodies, page helpers."""
