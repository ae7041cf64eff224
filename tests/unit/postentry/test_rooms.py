"""Post-entry control is kept in rooms of a readable size, behind one face."""

from __future__ import annotations

import inspect
from pathlib import Path

import corridor
from corridor.postentry import service

SOURCE = Path(corridor.__file__).parent
#: The largest module kept (lines): a module over it is split by subject.
MAX_LINES = 800
#: What the other packages and the edges call: the face of the use cases.
USE_CASES = {
    "DEFAULT_DAYS",
    "MAX_LIST",
    "acknowledge",
    "add_declaration",
    "add_document",
    "add_item",
    "alerts_for",
    "alerts_for_each",
    "assign",
    "audit_period",
    "cancel",
    "case_reference",
    "complete",
    "create_plan",
    "findings_problems",
    "get_alert",
    "get_case",
    "get_plan",
    "get_request",
    "handle_request",
    "head_office",
    "inbox",
    "list_alerts",
    "list_cases",
    "list_plans",
    "list_requests",
    "matches",
    "move_plan",
    "open_case",
    "raise_alert",
    "raise_request",
    "rank_candidates",
    "remove_item",
    "set_capacity",
    "shown_request",
    "start",
    "today",
    "unit_offices",
    "withdraw_alert",
}


def test_no_module_of_post_entry_or_the_demo_profiles_is_over_the_size() -> None:
    modules = [*sorted((SOURCE / "postentry").rglob("*.py")), SOURCE / "demo" / "selectivity.py"]
    too_long = {
        str(path.relative_to(SOURCE)): count
        for path in modules
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_the_service_face_offers_every_use_case_from_its_rooms() -> None:
    assert set(service.__all__) == USE_CASES
    rooms = set()
    for name in USE_CASES:
        found = getattr(service, name)
        if inspect.isfunction(found):
            assert found.__doc__, name
            rooms.add(found.__module__)
    assert rooms == {
        f"corridor.postentry.service.{room}"
        for room in ("_common", "candidates", "plans", "cases", "alerts", "inboxes")
    }
