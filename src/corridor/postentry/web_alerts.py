"""Web pages of alerts to the posts, requests to the risk unit and the units' inboxes.

* ``/post-entry/alerts`` and ``/post-entry/requests``: alerts (ориентировки) to the
  posts and requests to the risk unit, raised here;
* ``/inbox``: what is addressed to the user's unit, acknowledged and handled there;
* ``/panels/alerts/{number}``: the panel of a declaration's page with the alerts in
  force for it (instructions, shown to whoever reads the declaration).

Included in the router of :mod:`corridor.postentry.web`; the same use cases as
:mod:`corridor.postentry.api`, buttons only for the roles allowed their action.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.declarations import service as declarations_service
from corridor.errors import NotFound
from corridor.postentry import service
from corridor.postentry.schemas import (
    AlertCreate,
    AlertWithdraw,
    ProfileRequestCreate,
    ProfileRequestHandle,
    RequestMove,
)
from corridor.postentry.web_common import (
    AlertId,
    InboxHandler,
    InboxReader,
    Raiser,
    Reader,
    RequestId,
    errors_of,
    given,
    shared_context,
)
from corridor.web.forms import FormState, Refused, attempt, form_state
from corridor.web.i18n import gettext as _
from corridor.web.labels import declaration_url
from corridor.web.pages import FormErrors, Page, page, redirect, render, render_panel

router = APIRouter(include_in_schema=False)
# The declaration's page shows its alerts to whoever reads the declaration.
DeclarationReader = Annotated[Page, Depends(page(Action.DECLARATIONS_READ))]
# Declaration numbers are at most 40 characters; anything longer is simply not stored.
Number = Annotated[str, Path(min_length=1, max_length=80)]


@router.get("/panels/alerts/{number:path}", response_class=HTMLResponse)
def alerts_panel(
    me: DeclarationReader,
    number: Number,
    version: Annotated[int | None, Query(ge=1, le=999)] = None,
) -> Response:
    """The alerts of post-entry control in force today for a declaration version (the
    latest unless asked): instructions, shown to every reader; nothing when none apply."""
    declaration = declarations_service.get(
        uow=me.uow, number=number, version=version, scope=me.principal.offices
    )
    return render_panel(
        me,
        "postentry/_alerts_panel.html",
        heading=_("Declaration %(number)s") % {"number": declaration.number},
        back=declaration_url(declaration.number, declaration.version),
        alerts=service.alerts_for(uow=me.uow, declaration=declaration),
    )


# =========================================================================== alerts


@router.get("/post-entry/alerts", response_class=HTMLResponse)
def alerts(me: Reader, case: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Alerts to the posts, the latest first; the form raising one (from a case when
    ``case`` is given)."""
    today = service.today()
    values = {
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=30)).isoformat(),
        "case_id": "" if case is None else str(case),
    }
    if case is not None:
        try:
            found = service.get_case(uow=me.uow, case_id=case, scope=me.principal.offices)
        except NotFound:
            pass
        else:
            values["importer"] = found.tin
    return _alerts_page(me, {"raise": form_state(values)})


def _alerts_page(me: Page, forms: dict[str, FormState], status: int = 200) -> Response:
    return render(
        me.request,
        "postentry/alerts.html",
        page=me,
        status_code=status,
        alerts=service.list_alerts(uow=me.uow),
        forms=forms,
        units=[(u.code, f"{u.code} · {u.name}") for u in accounts_service.list_units(uow=me.uow)],
        **shared_context(me),
    )


class AlertForm(BaseModel):
    """The form raising an alert, as posted: text and the units ticked, read by
    :class:`AlertCreate`."""

    title: str = ""
    instructions: str = ""
    importer: str = ""
    hs_prefix: str = ""
    origin: str = ""
    units: list[str] = []
    offices: str = ""
    valid_from: str = ""
    valid_to: str = ""
    case_id: str = ""


@router.post("/post-entry/alerts", response_class=HTMLResponse)
def raise_alert(me: Raiser, form: Annotated[AlertForm, Form()]) -> Response:
    """Raise an alert to the posts."""
    values: dict[str, Any] = form.model_dump(exclude={"units"})
    values["origin"] = form.origin.upper()
    payload: dict[str, Any] = given(values)
    payload["offices"] = [code for code in form.offices.replace(",", " ").upper().split() if code]
    payload["units"] = list(form.units)
    values["units"] = payload["units"]
    done = attempt(
        values,
        lambda: service.raise_alert(
            uow=me.uow,
            alert_in=AlertCreate.model_validate(payload),
            actor=me.principal.username,
            unit=me.principal.unit,
        ),
        errors=lambda exc: _first_level(errors_of(exc)),
        invalid_input=True,
        conflict=None,
    )
    if not isinstance(done, Refused):
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    return _alerts_page(me, {"raise": done.form}, done.status)


def _first_level(errors: FormErrors) -> FormErrors:
    """Messages on ``units.0`` or ``offices.2`` shown beside their field."""
    found = FormErrors()
    for name, message in errors.items():
        found.setdefault(name.split(".")[0] if name != "__all__" else name, message)
    return found


@router.post("/post-entry/alerts/{alert_id}/withdraw", response_class=HTMLResponse)
def withdraw_alert(me: Raiser, alert_id: AlertId, note: Annotated[str, Form()] = "") -> Response:
    """Withdraw an alert before its last day, with why."""
    values = {"note": note}
    done = attempt(
        values,
        lambda: service.withdraw_alert(
            uow=me.uow,
            alert_id=alert_id,
            withdraw_in=AlertWithdraw.model_validate(given(values)),
            actor=me.principal.username,
        ),
        errors=errors_of,
        invalid_input=True,
    )
    if not isinstance(done, Refused):
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    forms = {"raise": form_state({}), f"withdraw-{alert_id}": done.form}
    return _alerts_page(me, forms, done.status)


# =========================================================================== requests


@router.get("/post-entry/requests", response_class=HTMLResponse)
def requests(me: Reader, case: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Requests to the risk units to draft a profile; the form raising one."""
    return _requests_page(me, form_state({"case_id": "" if case is None else str(case)}))


def _requests_page(me: Page, form: FormState, status: int = 200) -> Response:
    return render(
        me.request,
        "postentry/requests.html",
        page=me,
        status_code=status,
        requests=service.list_requests(uow=me.uow),
        form=form,
        units=[(u.code, f"{u.code} · {u.name}") for u in accounts_service.list_units(uow=me.uow)],
        **shared_context(me),
    )


@router.post("/post-entry/requests", response_class=HTMLResponse)
def raise_request(
    me: Raiser,
    unit: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    proposed_criteria: Annotated[str, Form()] = "",
    case_id: Annotated[str, Form()] = "",
) -> Response:
    """Ask a risk unit to draft a profile."""
    values = {
        "unit": unit,
        "title": title,
        "text": text,
        "proposed_criteria": proposed_criteria,
        "case_id": case_id,
    }
    done = attempt(
        values,
        lambda: service.raise_request(
            uow=me.uow,
            request_in=ProfileRequestCreate.model_validate(given(values)),
            actor=me.principal.username,
            unit=me.principal.unit,
        ),
        errors=errors_of,
        invalid_input=True,
        conflict=None,
    )
    if not isinstance(done, Refused):
        return redirect(me.request, "/post-entry/requests")
    me.uow.rollback()
    return _requests_page(me, done.form, done.status)


# =========================================================================== inbox


@router.get("/inbox", response_class=HTMLResponse)
def inbox(me: InboxReader, settled: Annotated[bool, Query()] = False) -> Response:
    """What is addressed to the user's unit: alerts to its offices, requests to it."""
    return _inbox_page(me, settled, {})


def _inbox_page(
    me: Page, settled: bool, forms: dict[str, FormState], status: int = 200
) -> Response:
    found = service.inbox(uow=me.uow, unit=me.principal.unit, settled=settled)
    found = found.model_copy(
        update={"requests": [service.shown_request(r, me.principal) for r in found.requests]}
    )
    return render(
        me.request,
        "postentry/inbox.html",
        page=me,
        status_code=status,
        inbox=found,
        settled=settled,
        forms=forms,
        handles_requests=me.can(Action.PROFILES_WRITE) or me.can(Action.PROFILES_DECIDE),
        **shared_context(me),
    )


def _inbox_change(me: Page, form: str, values: dict[str, str], act: Any) -> Response:
    done = attempt(values, act, errors=errors_of, invalid_input=True)
    if not isinstance(done, Refused):
        return redirect(me.request, "/inbox")
    me.uow.rollback()
    return _inbox_page(me, False, {form: done.form}, done.status)


@router.post("/inbox/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(me: InboxHandler, alert_id: AlertId) -> Response:
    """Acknowledge, for the user's unit, an alert addressed to it."""
    return _inbox_change(
        me,
        f"alert-{alert_id}",
        {},
        lambda: service.acknowledge(
            uow=me.uow, alert_id=alert_id, unit=me.principal.unit, actor=me.principal.username
        ),
    )


def _handle(me: Page, request_id: int, to: RequestMove, values: dict[str, str]) -> Response:
    return _inbox_change(
        me,
        f"request-{request_id}",
        values,
        lambda: service.handle_request(
            uow=me.uow,
            request_id=request_id,
            to=to,
            handle_in=ProfileRequestHandle.model_validate(given(values)),
            principal=me.principal,
        ),
    )


@router.post("/inbox/requests/{request_id}/accept", response_class=HTMLResponse)
def accept_request(
    me: InboxHandler, request_id: RequestId, response: Annotated[str, Form()] = ""
) -> Response:
    """Take up a request addressed to the user's unit."""
    return _handle(me, request_id, "accepted", {"response": response})


@router.post("/inbox/requests/{request_id}/done", response_class=HTMLResponse)
def settle_request(
    me: InboxHandler,
    request_id: RequestId,
    response: Annotated[str, Form()] = "",
    profile_code: Annotated[str, Form()] = "",
) -> Response:
    """Settle a request taken up, naming the profile drafted."""
    return _handle(
        me, request_id, "done", {"response": response, "profile_code": profile_code.upper()}
    )


@router.post("/inbox/requests/{request_id}/reject", response_class=HTMLResponse)
def reject_request(
    me: InboxHandler, request_id: RequestId, response: Annotated[str, Form()] = ""
) -> Response:
    """Refuse a request, with the answer."""
    return _handle(me, request_id, "rejected", {"response": response})
