"""Ranking of post-entry audit candidates (pure)."""

from __future__ import annotations
