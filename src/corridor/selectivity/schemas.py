"""Pydantic shapes of decisions and re-routes at the edges."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.declarations.schemas import DeclarationRead
from corridor.text import InputModel

ChannelName = Literal["red", "yellow", "blue", "green"]

#: Why an officer changes a channel (coded, so re-routes can be counted and audited).
REROUTE_REASONS: dict[str, str] = {
    "INTEL": "operational information received after selection",
    "RISK-INDICATOR": "risk indicator observed by the officer (documents, goods, behaviour)",
    "DOCS-DISCREPANCY": "discrepancy found in the documents",
    "SUPERVISOR": "instruction of the head of the post or a superior unit",
    "ERROR": "correction of an evident error in the declaration data",
    "FACILITATION": "facilitation granted (perishable goods, humanitarian, AEO) with approval",
}


class RerouteIn(InputModel):
    """An officer's change of channel."""

    channel: ChannelName
    reason_code: str = Field(description=f"one of {', '.join(REROUTE_REASONS)}")
    comment: str = Field(min_length=3, max_length=4000)


class RerouteRead(BaseModel):
    """A stored re-route: a record pointing to the decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    decision_id: int
    from_channel: str
    to_channel: str
    reason_code: str
    comment: str
    officer: str
    at: datetime


class DecisionRead(BaseModel):
    """The selectivity decision of one declaration version, with its re-routes.

    ``channel`` is what the engine decided; ``current_channel`` what applies after
    re-routes. ``hits`` name every profile that matched (selected or not) with its
    version, the reason in plain words with the actual values, and its draw.

    Confidentiality: callers not cleared for the reasons (inspectors, auditors,
    viewers, the clearance system) get ``restricted`` true, with the channel, the
    measures and the officer ``instructions`` only: no hits, draws, list
    versions, measure sources or ``simplified`` record (it tells which profiles and
    random draws a trader's status outweighed), and no model record (score, version,
    reasons). Hits of target profiles are shown only to
    callers cleared for intelligence.
    """

    id: int
    declaration_number: str
    declaration_version: int
    channel: ChannelName
    current_channel: ChannelName
    assessed_at: datetime
    engine_version: str
    profile_set_version: str
    price_version: int | None = Field(
        default=None, description="the reference prices the assessment read (None: none)"
    )
    measures: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    random: list[dict[str, Any]]
    list_versions: dict[str, int]
    reroutes: list[RerouteRead]
    instructions: list[str] = Field(
        default_factory=list, description="officer instructions of the selecting profiles"
    )
    simplified: dict[str, Any] | None = Field(
        default=None,
        description="how the trader's status (low risk, AEO) changed the decision: "
        "exempted profiles and the measures they dropped, lowered random rates, the channel "
        "without them (None: it changed nothing)",
    )
    model: dict[str, Any] | None = Field(
        default=None,
        description="the active risk-scoring model's record: name, version, sha256 (first 12 "
        "digits), score (the highest item's), items, reasons (text, contribution to the "
        "log-odds), or error when it failed (None: no model active for the flow)",
    )
    shadow_models: list[dict[str, Any]] = Field(
        default_factory=list,
        description="versions shadowing the flow: scored and recorded, selecting nothing",
    )
    restricted: bool = False


class DeclarationAssessed(DeclarationRead):
    """A stored declaration version and its decision, as ``POST /declarations`` returns it."""

    decision: DecisionRead
