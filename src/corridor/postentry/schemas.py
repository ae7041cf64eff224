"""Post-entry control: schemas."""

from __future__ import annotations
