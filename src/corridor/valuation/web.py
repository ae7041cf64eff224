"""Web pages of reference prices: the prices in force, their versions and the analysts'
overrides; refreshing, setting and lifting overrides for those who may.

Each page calls the service functions the API's routes call (:mod:`.api`): an
override's reason, which may cite intelligence on a trader, is shown only to
roles cleared for profile criteria and rationale, as the API shows it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from corridor.accounts.roles import Action
from corridor.errors import FieldError, InvalidInput
from corridor.valuation import service
from corridor.valuation.schemas import (
    DEFAULT_MIN_SAMPLE,
    PriceOverrideCreate,
    PriceOverrideLift,
    PriceRefreshIn,
)
from corridor.web.forms import FormState, Refused, attempt, filled, form_state
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, page, redirect, render, rule_message, writing

router = APIRouter(include_in_schema=False)

PriceReader = Annotated[Page, Depends(page(Action.PRICES_READ))]
PriceWriter = Annotated[Page, writing(Action.PRICES_WRITE)]

#: Prices shown on one page.
PRICES_PAGE = 100
#: Price versions listed under the prices.
VERSIONS_SHOWN = 10
# Versions and override ids are stored as 32-bit integers.
_INT32 = 2**31 - 1

BASES: dict[str, str] = {"kg": N_("per kilogram"), "unit": N_("per supplementary unit")}
OVERRIDE_FIELDS = ("hs_code", "origin", "basis", "unit", "median", "low", "high", "reason")
_NUMBERS = ("median", "low", "high")


def _field_errors(exc: ValidationError) -> list[FieldError]:
    """A Pydantic validation error as the services' field errors."""
    return [FieldError(tuple(error["loc"]), rule_message(error)) for error in exc.errors()]


def _form_errors(exc: ValidationError | InvalidInput) -> FormErrors:
    """The messages of a refused form, each rule's in its own words."""
    return FormErrors.of(_field_errors(exc) if isinstance(exc, ValidationError) else exc.errors)


class OverrideForm(BaseModel):
    """The override form as posted: text, read by :class:`PriceOverrideCreate`."""

    hs_code: str = ""
    origin: str = ""
    basis: str = ""
    unit: str = ""
    median: str = ""
    low: str = ""
    high: str = ""
    reason: str = ""
    valid_to: str = ""


def _decimal_text(text: str, language: str) -> str:
    """A number as typed in the user's language, as Pydantic reads decimals: spaces
    dropped; a comma is the decimal mark in Russian and groups thousands in English."""
    compact = "".join(text.split())
    if language == "ru":
        return compact.replace(",", ".")
    return compact.replace(",", "")


@router.get("/prices", response_class=HTMLResponse)
def prices(
    me: PriceReader,
    hs: Annotated[str | None, Query(pattern=r"^[0-9]{0,10}$")] = None,
    origin: Annotated[str | None, Query(pattern=r"^([A-Za-z]{2}|\*)?$")] = None,
    version: Annotated[int | None, Query(ge=1, le=_INT32)] = None,
    cursor: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    """Reference prices of a version (the one in force unless asked), by HS prefix and
    origin, a page at a time; the versions, the overrides and, for the analysts who may,
    the forms refreshing prices and setting overrides."""
    return _prices_page(me, hs=hs or None, origin=origin or None, version=version, cursor=cursor)


@router.post("/prices/refresh", response_class=HTMLResponse)
def refresh(
    me: PriceWriter,
    min_sample: Annotated[str, Form()] = "",
    history_from: Annotated[str, Form()] = "",
    history_to: Annotated[str, Form()] = "",
) -> Response:
    """Compute a new price version from history (overrides in force applied)."""
    values = {"min_sample": min_sample, "history_from": history_from, "history_to": history_to}
    done = attempt(
        values,
        lambda: service.refresh(
            uow=me.uow,
            refresh_in=PriceRefreshIn.model_validate(filled(values)),
            actor=me.principal.username,
        ),
        errors=_form_errors,
    )
    if isinstance(done, Refused):
        return _prices_page(me, refresh_form=done.form, status=done.status)
    return redirect(me.request, "/prices")


@router.post("/prices/overrides", response_class=HTMLResponse)
def set_override(me: PriceWriter, form: Annotated[OverrideForm, Form()]) -> Response:
    """Set the reference price of one key with a reason; it applies at once, in a new
    price version, and at every refresh until lifted or ``valid_to``."""
    values = form.model_dump()
    given: dict[str, Any] = {
        name: _decimal_text(text, me.principal.language) if name in _NUMBERS else text.strip()
        for name, text in values.items()
    }
    given["valid_to"] = given["valid_to"] or None
    applied = attempt(
        values,
        lambda: service.set_override(
            uow=me.uow,
            override_in=PriceOverrideCreate.model_validate(given),
            actor=me.principal.username,
        ),
        errors=_form_errors,
        invalid_input=True,
    )
    if isinstance(applied, Refused):
        return _prices_page(me, override_form=applied.form, status=applied.status)
    return redirect(me.request, f"/prices?hs={applied.hs_code}")


@router.post("/prices/overrides/{override_id}/lift", response_class=HTMLResponse)
def lift_override(
    me: PriceWriter,
    override_id: Annotated[int, Path(ge=1, le=_INT32)],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Lift an override: a new price version gives its key history's price again."""
    done = attempt(
        {"reason": reason},
        lambda: service.lift_override(
            uow=me.uow,
            override_id=override_id,
            lift_in=PriceOverrideLift.model_validate({"reason": reason}),
            actor=me.principal.username,
        ),
        errors=_form_errors,
    )
    if isinstance(done, Refused):
        # One form per override: the failed one shows its message beside its reason.
        error = next(iter(done.form.get("errors", {}).values()), "")
        lift = {"id": override_id, "reason": reason, "error": error}
        return _prices_page(me, lift_form=lift, status=done.status)
    return redirect(me.request, "/prices")


def _prices_page(
    me: Page,
    *,
    hs: str | None = None,
    origin: str | None = None,
    version: int | None = None,
    cursor: int | None = None,
    refresh_form: FormState | None = None,
    override_form: FormState | None = None,
    lift_form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    found = service.list_prices(
        uow=me.uow, hs=hs, origin=origin, version=version, cursor=cursor, limit=PRICES_PAGE
    )
    filters = {"hs": hs, "origin": origin, "version": version}
    overrides = service.list_overrides(uow=me.uow)
    return render(
        me.request,
        "valuation/prices.html",
        page=me,
        status_code=status,
        found=found,
        in_force=service.current_version(uow=me.uow),
        filters=filters,
        versions=service.list_versions(uow=me.uow, limit=VERSIONS_SHOWN),
        overrides=overrides,
        # The API's rule: reasons only for those cleared for criteria and rationale.
        show_reasons=me.can(Action.PROFILES_CRITERIA),
        bases=BASES,
        basis_choices=[(value, _(label)) for value, label in BASES.items()],
        refresh_form=refresh_form or form_state({"min_sample": str(DEFAULT_MIN_SAMPLE)}),
        override_form=override_form or form_state({"basis": "kg"}),
        lift_form=lift_form or {},
    )
