"""Risk scoring: models that learn from inspection results and score declarations.

``core/`` is the pure learning part (features, training, evaluation, the artifact);
``cdd.py`` reads the public Customs Declaration Dataset's labelled rows for it.
"""
