"""Web pages of post-entry control and the units' inboxes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
