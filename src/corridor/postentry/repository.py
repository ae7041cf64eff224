"""Post-entry control: repository."""

from __future__ import annotations
