"""Web pages of the trader register."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
