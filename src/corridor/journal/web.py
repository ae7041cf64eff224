"""Web pages of the journal: its entries, filtered and paged, and the chain's verification.

Exactly what ``GET /api/v1/journal`` gives the same user: entries about
intelligence material only to readers cleared for intelligence, and profile
criteria and rationale replaced by "(confidential)" for readers not cleared for
criteria (:func:`corridor.journal.service.without_criteria`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts.roles import Action
from corridor.errors import FieldError
from corridor.journal import service
from corridor.journal.schemas import JournalEntryRead
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, page, render
from corridor.web.state import app_state

router = APIRouter(include_in_schema=False)


Reader = Annotated[Page, Depends(page(Action.JOURNAL_READ))]

PAGE_SIZE: Final = 50
#: Why the chain breaks, as :func:`corridor.journal.service.verify` says it, translated
#: (a reason it does not know is shown as the service wrote it).
REASONS: Final = (
    (re.compile(r"entry (?P<a>\d+) is missing \(next is (?P<b>\d+)\)"),
     N_("Entry %(a)s is missing (the next one is %(b)s).")),
    (re.compile(r"entry (?P<a>\d+) does not link to entry (?P<b>\d+)"),
     N_("Entry %(a)s does not link to entry %(b)s.")),
    (re.compile(r"entry (?P<a>\d+) was altered after it was written"),
     N_("Entry %(a)s was altered after it was written.")),
    (re.compile(r"entries (?P<a>\d+) to (?P<b>\d+) are missing \(the newest\)"),
     N_("Entries %(a)s to %(b)s are missing (the newest).")),
    (re.compile(r"entries (?P<a>\d+) to (?P<b>\d+) are not in the journal head \(entry (?P<c>\d+)\)"
                r": they were inserted without it"),
     N_("Entries %(a)s to %(b)s are not in the journal head (entry %(c)s): they were inserted "
        "without it.")),
    (re.compile(r"entry (?P<a>\d+) is not the entry the journal head recorded"),
     N_("Entry %(a)s is not the entry the journal head recorded.")),
    (re.compile(r"entry (?P<a>\d+) was hashed without the journal key"),
     N_("Entry %(a)s was hashed without the journal key.")),
    (re.compile(r"the journal head \(entry (?P<a>\d+)\) is not signed with the journal key: it"
                r" was moved or rewritten outside corridor"),
     N_("The journal head (entry %(a)s) is not signed with the journal key: it was moved or "
        "rewritten outside corridor.")),
    (re.compile(r"the journal head is not signed: entries 1 to (?P<a>\d+) were written before"
                r" the journal was keyed; the next entry signs them"),
     N_("The journal head is not signed: entries 1 to %(a)s were written before the journal "
        "was keyed; the next entry signs them.")),
    (re.compile(r"the journal head is missing"), N_("The journal head is missing.")),
)  # fmt: skip


def _zone(me: Page) -> ZoneInfo:
    settings = app_state(me.request).settings
    return ZoneInfo(settings.timezone)


def _day(value: str | None, name: str, errors: list[FieldError]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError((name,), _("Enter a date as YYYY-MM-DD.")))
        return None


@router.get("/journal", response_class=HTMLResponse)
def journal(
    me: Reader,
    actor: Annotated[str | None, Query(max_length=60)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]+$")] = None,
) -> Response:
    """Journal entries, newest first, filtered by actor, action, object and days (local
    time), a page at a time; each with its state before and after."""
    filters = {
        "actor": (actor or "").strip(),
        "action": (action or "").strip(),
        "object_type": (object_type or "").strip(),
        "object_id": (object_id or "").strip(),
        "from": date_from or "",
        "to": date_to or "",
    }
    errors: list[FieldError] = []
    first, last = _day(date_from, "from", errors), _day(date_to, "to", errors)
    if first is not None and last is not None and last < first:
        errors.append(FieldError(("to",), _("The last day must not be before the first.")))
    if errors:
        return render(
            me.request,
            "journal/journal.html",
            page=me,
            status_code=422,
            filters=filters,
            errors=FormErrors.of(errors),
            entries=[],
            next_cursor=None,
            first_page=True,
        )
    zone = _zone(me)
    found = service.entries(
        uow=me.uow,
        actor=filters["actor"] or None,
        action=filters["action"] or None,
        object_type=filters["object_type"] or None,
        object_id=filters["object_id"] or None,
        since=None if first is None else datetime.combine(first, time(), zone).astimezone(UTC),
        until=(
            None
            if last is None
            else datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
        ),
        include_confidential=me.can(Action.INTELLIGENCE_READ),
        cursor=cursor,
        limit=PAGE_SIZE,
    )
    items = found.items
    if not me.can(Action.PROFILES_CRITERIA):
        items = [service.without_criteria(entry) for entry in items]
    return render(
        me.request,
        "journal/journal.html",
        page=me,
        filters=filters,
        errors=FormErrors(),
        entries=[_shown(entry) for entry in items],
        next_cursor=found.next_cursor,
        first_page=cursor is None,
    )


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _shown(entry: JournalEntryRead) -> dict[str, Any]:
    """An entry as the page shows it: what changed in a line, the states in full."""
    before, after = entry.before, entry.after
    changed: list[str] = []
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        changed = [k for k in keys if before.get(k) != after.get(k)]
    return {
        "entry": entry,
        "changed": changed,
        "before": None if before is None else _json(before),
        "after": None if after is None else _json(after),
    }


@router.get("/journal/verify", response_class=HTMLResponse)
def verify(me: Reader) -> Response:
    """Walk the whole hash chain and say whether it holds: the entries and the head's hash,
    or the first entry that does not hold and why."""
    result = service.verify(uow=me.uow)
    head = service.entry(uow=me.uow, seq=result.last_seq) if result.ok and result.last_seq else None
    return render(
        me.request,
        "journal/verify.html",
        page=me,
        result=result,
        head_hash=None if head is None else head.hash,
        reason=_reason(result.reason),
        checked_at=datetime.now(UTC),
    )


def _reason(reason: str) -> str:
    """The service's reason in the reader's language (as written when not recognised)."""
    for pattern, message in REASONS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return _(message) % found.groupdict()
    return reason
