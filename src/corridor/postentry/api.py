"""HTTP routes of post-entry control."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["post-entry control"])
