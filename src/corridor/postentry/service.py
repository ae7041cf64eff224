"""Post-entry control: service."""

from __future__ import annotations
