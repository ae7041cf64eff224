"""The selectivity panel of a declaration's page and an officer's re-route.

The declaration's page (:mod:`corridor.declarations.web`) is a frame; this package
serves the panel with the decision, its reasons, the re-routes and the re-route form.
The decision goes through :func:`corridor.selectivity.service.shown_to`, so roles not
cleared for the reasons see the channel, the measures and the officer instructions
only, as in the API. Every read passes the caller's offices (``principal.offices``):
a declaration of another office is "not found".
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts.roles import Action
from corridor.declarations import service as declarations_service
from corridor.errors import NotFound
from corridor.selectivity import service
from corridor.selectivity.schemas import REROUTE_REASONS, DecisionRead, RerouteIn
from corridor.web.forms import Refused, attempt, field_errors
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.labels import declaration_url
from corridor.web.pages import (
    FormErrors,
    Page,
    is_htmx,
    page,
    redirect,
    render,
    render_panel,
    translated,
    writing,
)

router = APIRouter(include_in_schema=False)
Reader = Annotated[Page, Depends(page(Action.DECLARATIONS_READ))]
Rerouter = Annotated[Page, writing(Action.DECISIONS_REROUTE)]
# Declaration numbers are at most 40 characters; anything longer is simply not stored.
Number = Annotated[str, Path(min_length=1, max_length=80)]

CHANNELS = ("red", "yellow", "blue", "green")
#: The re-route reason codes in words (``selectivity.schemas.REROUTE_REASONS``).
REROUTE_REASON_NAMES = {
    "INTEL": N_("operational information received after selection"),
    "RISK-INDICATOR": N_("risk indicator observed by the officer (documents, goods, behaviour)"),
    "DOCS-DISCREPANCY": N_("discrepancy found in the documents"),
    "SUPERVISOR": N_("instruction of the head of the post or a superior unit"),
    "ERROR": N_("correction of an evident error in the declaration data"),
    "FACILITATION": N_("facilitation granted (perishable goods, humanitarian, AEO) with approval"),
}


@router.get("/panels/decision/{number:path}", response_class=HTMLResponse)
def decision_panel(
    me: Reader,
    number: Number,
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> Response:
    """The decision of a declaration version (the latest unless asked) as the user may
    see it, its reasons for cleared roles, its re-routes; the re-route form for officers."""
    return _panel(me, number, version)


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
    done = attempt(
        values,
        lambda: service.reroute(
            uow=me.uow,
            number=number,
            version=version,
            reroute_in=RerouteIn.model_validate({k: v for k, v in values.items() if v.strip()}),
            officer=me.principal.username,
            scope=me.principal.offices,
        ),
        errors=lambda exc: translated(field_errors(exc)),
        invalid_input=True,
        conflict="channel",
    )
    if not isinstance(done, Refused):
        return redirect(me.request, declaration_url(number))
    me.uow.rollback()
    errors = done.form.get("errors")
    return _panel(
        me, number, version, reroute_values=values, errors=errors, status_code=done.status
    )


def _decision(me: Page, number: str, version: int) -> DecisionRead | None:
    """The decision as the user may see it (None: the version was never assessed)."""
    try:
        decision = service.get_decision(
            uow=me.uow, number=number, version=version, scope=me.principal.offices
        )
    except NotFound:
        return None
    return service.shown_to(decision, me.principal, uow=me.uow)


def _panel(
    me: Page,
    number: str,
    version: int | None,
    *,
    reroute_values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    # The declaration first: one of another office is "not found", like its page.
    declaration = declarations_service.get(
        uow=me.uow, number=number, version=version, scope=me.principal.offices
    )
    decision = _decision(me, declaration.number, declaration.version)
    latest = declaration.version == max(declaration.versions)
    context: dict[str, Any] = {
        "declaration": declaration,
        "decision": decision,
        "can_reroute": me.can(Action.DECISIONS_REROUTE) and decision is not None and latest,
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
        "declaration_url": declaration_url,
    }
    if errors is not None and is_htmx(me.request):
        # htmx swaps the re-route form alone.
        return render(
            me.request, "selectivity/_reroute.html", page=me, status_code=status_code, **context
        )
    return render_panel(
        me,
        "selectivity/_decision.html",
        heading=_("Declaration %(number)s") % {"number": declaration.number},
        back=declaration_url(declaration.number, declaration.version),
        status_code=status_code,
        **context,
    )
