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
from pydantic import ValidationError

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.declarations import service as declarations_service
from corridor.errors import Conflict, InvalidInput, NotFound
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
    form_state,
    given,
    shared_context,
)
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


def _alerts_page(me: Page, forms: dict[str, dict[str, Any]], status: int = 200) -> Response:
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


@router.post("/post-entry/alerts", response_class=HTMLResponse)
def raise_alert(
    me: Raiser,
    title: Annotated[str, Form()] = "",
    instructions: Annotated[str, Form()] = "",
    importer: Annotated[str, Form()] = "",
    hs_prefix: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
    units: Annotated[list[str] | None, Form()] = None,
    offices: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    case_id: Annotated[str, Form()] = "",
) -> Response:
    """Raise an alert to the posts."""
    values: dict[str, Any] = {
        "title": title,
        "instructions": instructions,
        "importer": importer,
        "hs_prefix": hs_prefix,
        "origin": origin.upper(),
        "offices": offices,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "case_id": case_id,
    }
    payload: dict[str, Any] = given(values)
    payload["offices"] = [code for code in offices.replace(",", " ").upper().split() if code]
    payload["units"] = list(units or [])
    values["units"] = payload["units"]
    status = 422
    try:
        service.raise_alert(
            uow=me.uow,
            alert_in=AlertCreate.model_validate(payload),
            actor=me.principal.username,
            unit=me.principal.unit,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = errors_of(exc)
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    return _alerts_page(me, {"raise": form_state(values, _first_level(errors))}, status)


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
    status = 422
    try:
        service.withdraw_alert(
            uow=me.uow,
            alert_id=alert_id,
            withdraw_in=AlertWithdraw.model_validate(given(values)),
            actor=me.principal.username,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/alerts")
    me.uow.rollback()
    forms = {"raise": form_state({}), f"withdraw-{alert_id}": form_state(values, errors)}
    return _alerts_page(me, forms, status)


# =========================================================================== requests


@router.get("/post-entry/requests", response_class=HTMLResponse)
def requests(me: Reader, case: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """Requests to the risk units to draft a profile; the form raising one."""
    return _requests_page(me, form_state({"case_id": "" if case is None else str(case)}))


def _requests_page(me: Page, form: dict[str, Any], status: int = 200) -> Response:
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
    try:
        service.raise_request(
            uow=me.uow,
            request_in=ProfileRequestCreate.model_validate(given(values)),
            actor=me.principal.username,
            unit=me.principal.unit,
        )
    except (ValidationError, InvalidInput) as exc:
        errors = errors_of(exc)
    else:
        me.uow.commit()
        return redirect(me.request, "/post-entry/requests")
    me.uow.rollback()
    return _requests_page(me, form_state(values, errors), 422)


# =========================================================================== inbox


@router.get("/inbox", response_class=HTMLResponse)
def inbox(me: InboxReader, settled: Annotated[bool, Query()] = False) -> Response:
    """What is addressed to the user's unit: alerts to its offices, requests to it."""
    return _inbox_page(me, settled, {})


def _inbox_page(
    me: Page, settled: bool, forms: dict[str, dict[str, Any]], status: int = 200
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
    status = 422
    try:
        act()
    except (ValidationError, InvalidInput) as exc:
        errors = errors_of(exc)
    except Conflict as exc:
        errors, status = FormErrors({"__all__": exc.detail}), 409
    else:
        me.uow.commit()
        return redirect(me.request, "/inbox")
    me.uow.rollback()
    return _inbox_page(me, False, {form: form_state(values, errors)}, status)


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
