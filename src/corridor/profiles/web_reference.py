"""Web pages of the reference data: named lists, the measures catalogue, office parameters."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
