"""Web pages of declarations: the searchable list, one declaration with its decision,
and an officer's re-route.

A page shows of a decision what the API gives the same caller: the decision goes
through :func:`corridor.selectivity.service.shown_to`, so roles not cleared for
the reasons see the channel, the measures and the officer instructions only.
Every read passes the caller's offices (``principal.offices``): a declaration of
another office is "not found", as in the API.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.config import Settings
from corridor.declarations import service
from corridor.declarations.repository import ListFilters
from corridor.declarations.schemas import DeclarationRead
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound
from corridor.inspections import service as inspections_service
from corridor.inspections.schemas import INSPECTION_CHANNELS
from corridor.postentry import service as postentry_service
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import REROUTE_REASONS, DecisionRead, RerouteIn
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, change, page, redirect, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Action.DECLARATIONS_READ))]
Rerouter = Annotated[Page, Depends(change(Action.DECISIONS_REROUTE))]
# Declaration numbers are at most 40 characters; anything longer is simply not stored.
Number = Annotated[str, Path(min_length=1, max_length=80)]

#: Declarations on a page of the list.
PAGE_SIZE = 50
CHANNELS = ("red", "yellow", "blue", "green")
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"

FLOW_NAMES = {"IM": N_("import"), "EX": N_("export"), "TR": N_("transit")}
#: The re-route reason codes in words (``selectivity.schemas.REROUTE_REASONS``).
REROUTE_REASON_NAMES = {
    "INTEL": N_("operational information received after selection"),
    "RISK-INDICATOR": N_("risk indicator observed by the officer (documents, goods, behaviour)"),
    "DOCS-DISCREPANCY": N_("discrepancy found in the documents"),
    "SUPERVISOR": N_("instruction of the head of the post or a superior unit"),
    "ERROR": N_("correction of an evident error in the declaration data"),
    "FACILITATION": N_("facilitation granted (perishable goods, humanitarian, AEO) with approval"),
}
OUTCOME_NAMES = {"no_discrepancy": N_("no discrepancy"), "discrepancy": N_("discrepancy found")}


def _settings(me: Page) -> Settings:
    settings: Settings = me.request.app.state.settings
    return settings


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
    """One declaration version (the latest unless asked): header, goods, its decision as
    the user may see it, re-routes, its inspection act; the re-route form for officers."""
    return _detail(me, number, version)


@router.post("/declarations/{number:path}/reroute", response_class=HTMLResponse)
def reroute(
    me: Rerouter,
    number: Number,
    version: Annotated[int | None, Form(ge=1, le=999)] = None,
    channel: Annotated[str, Form()] = "",
    reason_code: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Re-route the declaration (the version shown) with the same use case as the API;
    the form again with each field's message when refused."""
    values = {"channel": channel, "reason_code": reason_code, "comment": comment}
    status_code = 422
    try:
        reroute_in = RerouteIn.model_validate({k: v for k, v in values.items() if v.strip()})
        selectivity_service.reroute(
            uow=me.uow,
            number=number,
            version=version,
            reroute_in=reroute_in,
            officer=me.principal.username,
            scope=me.principal.offices,
        )
    except ValidationError as exc:
        errors = translated(FormErrors.of_validation(exc))
    except InvalidInput as exc:
        errors = translated(FormErrors.of(exc.errors))
    except Conflict as exc:
        errors, status_code = FormErrors({"channel": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, declaration_url(number))
    me.uow.rollback()
    return _detail(
        me, number, version, reroute_values=values, errors=errors, status_code=status_code
    )


def declaration_url(number: str, version: int | None = None) -> str:
    """The page of a declaration (its number keeps its slashes)."""
    return f"/declarations/{quote(number)}" + ("" if version is None else f"?version={version}")


def translated(errors: FormErrors) -> FormErrors:
    """The messages in the page's language where the catalogue knows them."""
    return FormErrors({name: _(message) for name, message in errors.items()})


def _decision(me: Page, declaration: DeclarationRead) -> DecisionRead | None:
    """The decision as the user may see it (None: the version was never assessed)."""
    try:
        decision = selectivity_service.get_decision(
            uow=me.uow,
            number=declaration.number,
            version=declaration.version,
            scope=me.principal.offices,
        )
    except NotFound:
        return None
    return selectivity_service.shown_to(decision, me.principal, uow=me.uow)


def _detail(
    me: Page,
    number: str,
    version: int | None,
    *,
    reroute_values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    declaration = service.get(
        uow=me.uow, number=number, version=version, scope=me.principal.offices
    )
    decision = _decision(me, declaration)
    act = inspections_service.current_act_of(uow=me.uow, declaration_id=declaration.id)
    if act is not None:
        act = inspections_service.shown_to(act, me.principal)
    latest = declaration.version == max(declaration.versions)
    context: dict[str, Any] = {
        "declaration": declaration,
        "decision": decision,
        "act": act,
        # Alerts of post-entry control in force today: instructions, shown to every reader.
        "alerts": postentry_service.alerts_for(uow=me.uow, declaration=declaration),
        "latest": latest,
        "can_reroute": me.can(Action.DECISIONS_REROUTE) and decision is not None and latest,
        "can_record": (
            me.can(Action.INSPECTIONS_RECORD)
            and act is None
            and decision is not None
            and decision.current_channel in INSPECTION_CHANNELS
            and latest
        ),
        "values": reroute_values or {"channel": "", "reason_code": "", "comment": ""},
        "errors": errors or FormErrors(),
        "channel_choices": [(name, _(name)) for name in CHANNELS],
        "reason_choices": [
            (code, f"{code} · {_(REROUTE_REASON_NAMES.get(code, text))}")
            for code, text in REROUTE_REASONS.items()
        ],
        "reason_names": {
            code: _(REROUTE_REASON_NAMES.get(code, text)) for code, text in REROUTE_REASONS.items()
        },
        "flow_names": FLOW_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "declaration_url": declaration_url,
    }
    # htmx swaps the re-route form alone; a plain post gets the whole page back.
    fragment = errors is not None and me.request.headers.get("HX-Request") == "true"
    template = "declarations/_reroute.html" if fragment else "declarations/detail.html"
    return render(me.request, template, page=me, status_code=status_code, **context)
