"""What is intelligence material: targets, confidential lists, and the profiles that
read a confidential list (hidden from roles without the intelligence clearance)."""

from __future__ import annotations

from typing import Any

from corridor import rules
from corridor.accounts.roles import Action, Principal
from corridor.db.uow import UnitOfWork
from corridor.profiles import repository
from corridor.profiles.schemas import (
    Intelligence,
)


def lists_read(criteria_json: Any) -> frozenset[str]:
    """The names of the lists a stored criterion reads (its ``in_list`` calls)."""
    found: set[str] = set()
    pending = [criteria_json]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("op") == "in_list" and isinstance(node.get("list"), str):
                found.add(node["list"])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return frozenset(found)


#: Nothing hidden: what a role cleared for intelligence is hidden.
NOTHING_HIDDEN = Intelligence(lists=frozenset(), profiles=frozenset(), version_ids=frozenset())


def hidden_from(*, uow: UnitOfWork, principal: Principal) -> Intelligence:
    """The intelligence material ``principal`` may not know of (nothing when cleared)."""
    if principal.can(Action.INTELLIGENCE_READ):
        return NOTHING_HIDDEN
    return intelligence(uow=uow)


def intelligence(*, uow: UnitOfWork) -> Intelligence:
    """What is intelligence material now: the confidential lists, and the profile
    versions that are targets or read one of them (the edges hide both from roles
    without the intelligence clearance)."""
    confidential = repository.confidential_list_names(uow.session)
    versions = [
        (version_id, code, version)
        for version_id, code, version, kind, criteria_json in repository.version_criteria(
            uow.session
        )
        if is_intelligence(kind, criteria_json, confidential)
    ]
    return Intelligence(
        lists=confidential,
        profiles=frozenset((code, version) for _id, code, version in versions),
        version_ids=frozenset(version_id for version_id, _code, _version in versions),
    )


def is_intelligence(kind: str, criteria_json: Any, confidential: frozenset[str]) -> bool:
    """Whether a profile version of ``kind`` with stored criteria ``criteria_json`` is
    intelligence material, ``confidential`` being the confidential lists' names."""
    return kind == "target" or bool(lists_read(criteria_json) & confidential)


def criteria_json_of(criteria: Any) -> Any:
    # A stored version's criteria compiled when it was saved; anything else reads no list.
    try:
        return rules.to_json(rules.parse(criteria)) if isinstance(criteria, str) else None
    except rules.RuleError:
        return None
