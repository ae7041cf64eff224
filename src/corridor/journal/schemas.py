"""Pydantic shapes of journal entries, pages of them, and the chain's verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JournalEntryRead(BaseModel):
    """One change of state as journalled, with the hashes that chain it."""

    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="position in the chain, from 1, without gaps")
    at: datetime
    actor: str = Field(description="who made the change (a username, or system:…)")
    action: str = Field(description="what was done, as object.verb (profile.approve)")
    object_type: str
    object_id: str
    before: Any = Field(description="the object's state before the change; null if none")
    after: Any = Field(description="the object's state after the change; null if removed")
    confidential: bool = Field(description="about intelligence material")
    hash: str = Field(
        description="HMAC-SHA256 under the journal key of prev_hash and this entry's content"
        " (plain SHA-256 for entries written before the chain was keyed)"
    )
    prev_hash: str = Field(description="the hash of the entry before (64 zeros for the first)")


class JournalPage(BaseModel):
    """A page of entries, newest first; pass ``next_cursor`` back for the next page."""

    items: list[JournalEntryRead]
    next_cursor: str | None = Field(description="null on the last page")


class VerificationRead(BaseModel):
    """The outcome of walking the hash chain from its first entry."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = Field(description="whether the whole chain holds")
    entries: int = Field(description="entries that hold, counted from the first")
    last_seq: int = Field(description="the last entry that holds (0: none)")
    broken_at: int | None = Field(description="the first entry that does not hold")
    reason: str = Field(description="why the chain breaks there; empty when it holds")
