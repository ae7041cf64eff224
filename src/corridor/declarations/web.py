"""Web pages of declarations: the searchable list and one declaration.

A declaration's page is a frame: its header and goods, and panels that htmx loads
from the packages owning them (the decision and the re-route form from
:mod:`corridor.selectivity.web`, the inspection act from :mod:`corridor.inspections.web`,
the alerts from :mod:`corridor.postentry.web_alerts`); without JavaScript each panel
is a link to a page of its own. Every read passes the caller's offices
(``principal.offices``): a declaration of another office is "not found", as in the API.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.config import Settings
from corridor.declarations import service
from corridor.declarations.repository import ListFilters
from corridor.errors import FieldError, InvalidInput
from corridor.selectivity import service as selectivity_service
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.labels import declaration_url, panel_url
from corridor.web.pages import Page, page, render
from corridor.web.state import app_state

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Action.DECLARATIONS_READ))]
# Declaration numbers are at most 40 characters; anything longer is simply not stored.
Number = Annotated[str, Path(min_length=1, max_length=80)]

#: Declarations on a page of the list.
PAGE_SIZE = 50
CHANNELS = ("red", "yellow", "blue", "green")
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"

FLOW_NAMES = {"IM": N_("import"), "EX": N_("export"), "TR": N_("transit")}


def _settings(me: Page) -> Settings:
    return app_state(me.request).settings


def _day_start(text: str, name: str, zone: ZoneInfo, *, days: int = 0) -> datetime | None:
    """Midnight (installation time) starting the day ``text`` (ISO date), plus ``days``."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
        return datetime.combine(day + timedelta(days=days), time(0), tzinfo=zone)
    except (ValueError, OverflowError):
        raise InvalidInput(
            "invalid date", [FieldError(("query", name), _("Enter a date as YYYY-MM-DD."))]
        ) from None


def _offices(me: Page) -> list[str]:
    """The offices the user may filter on: their own, or every office of the units."""
    if me.principal.offices is not None:
        return sorted(me.principal.offices)
    units = accounts_service.list_units(uow=me.uow)
    return sorted({office for unit in units for office in unit.offices})


@router.get("/declarations", response_class=HTMLResponse)
def declaration_list(
    me: Reader,
    q: Annotated[str, Query(max_length=40)] = "",
    office: Annotated[str, Query(max_length=17, pattern=r"^[A-Za-z0-9]*$")] = "",
    channel: Annotated[str, Query(pattern=r"^(red|yellow|blue|green)?$")] = "",
    flow: Annotated[str, Query(pattern=r"^(IM|EX|TR)?$")] = "",
    registered_from: Annotated[str, Query(alias="from", pattern=_DAY)] = "",
    registered_to: Annotated[str, Query(alias="to", pattern=_DAY)] = "",
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Declaration versions of the user's offices, newest first, with their channel now."""
    zone = ZoneInfo(_settings(me).timezone)
    filters = ListFilters(
        office=office.upper() or None,
        flow=flow or None,
        text=q.strip() or None,
        channel=channel or None,
        registered_from=_day_start(registered_from, "from", zone),
        # The "to" day is included: up to the midnight after it.
        registered_to=_day_start(registered_to, "to", zone, days=1),
        scope=me.principal.offices,
    )
    found = service.list_declarations(uow=me.uow, filters=filters, cursor=cursor, limit=PAGE_SIZE)
    channels = selectivity_service.current_channels(
        uow=me.uow, declaration_ids=[item.id for item in found.items]
    )
    values = {
        "q": q,
        "office": office,
        "channel": channel,
        "flow": flow,
        "from": registered_from,
        "to": registered_to,
    }
    return render(
        me.request,
        "declarations/list.html",
        page=me,
        found=found,
        channels=channels,
        values=values,
        offices=_offices(me),
        channel_choices=[(name, _(name)) for name in CHANNELS],
        flow_choices=[(code, f"{code} · {_(name)}") for code, name in FLOW_NAMES.items()],
        flow_names=FLOW_NAMES,
    )


@router.get("/declarations/{number:path}", response_class=HTMLResponse)
def declaration_detail(
    me: Reader,
    number: Number,
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> Response:
    """One declaration version (the latest unless asked): header and goods, and the
    panels of its decision, its inspection act and the alerts in force for it."""
    declaration = service.get(
        uow=me.uow, number=number, version=version, scope=me.principal.offices
    )
    # The channel beside the number, as in the list; the decision itself is the panel's.
    channel = selectivity_service.current_channels(
        uow=me.uow, declaration_ids=[declaration.id]
    ).get(declaration.id)
    return render(
        me.request,
        "declarations/detail.html",
        page=me,
        declaration=declaration,
        channel=channel,
        latest=declaration.version == max(declaration.versions),
        panels={
            name: panel_url(name, declaration.number, declaration.version)
            for name in ("alerts", "decision", "act")
        },
        flow_names=FLOW_NAMES,
        declaration_url=declaration_url,
    )
