"""Web pages of the administration: users, units, roles and API tokens."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
