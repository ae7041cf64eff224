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
from pydantic import ValidationError

from corridor.accounts.roles import Action
from corridor.errors import Conflict, FieldError, InvalidInput
from corridor.valuation import service
from corridor.valuation.schemas import (
    DEFAULT_MIN_SAMPLE,
    PriceOverrideCreate,
    PriceOverrideLift,
    PriceRefreshIn,
)
from corridor.web.i18n import N_, localized
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, change, page, redirect, render, rule_message

router = APIRouter(include_in_schema=False)

PriceReader = Annotated[Page, Depends(page(Action.PRICES_READ))]
PriceWriter = Annotated[Page, Depends(change(Action.PRICES_WRITE))]

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
    try:
        refresh_in = PriceRefreshIn.model_validate(
            {name: value.strip() for name, value in values.items() if value.strip()}
        )
        service.refresh(uow=me.uow, refresh_in=refresh_in, actor=me.principal.username)
    except ValidationError as exc:
        form = {"values": values, "errors": FormErrors.of(_field_errors(exc))}
        return _prices_page(me, refresh_form=form, status=422)
    except Conflict as exc:
        form = {"values": values, "errors": FormErrors(__all__=exc.detail)}
        return _prices_page(me, refresh_form=form, status=409)
    me.uow.commit()
    return redirect(me.request, "/prices")


@router.post("/prices/overrides", response_class=HTMLResponse)
def set_override(
    me: PriceWriter,
    hs_code: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    median: Annotated[str, Form()] = "",
    low: Annotated[str, Form()] = "",
    high: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
) -> Response:
    """Set the reference price of one key with a reason; it applies at once, in a new
    price version, and at every refresh until lifted or ``valid_to``."""
    values = {
        "hs_code": hs_code,
        "origin": origin,
        "basis": basis,
        "unit": unit,
        "median": median,
        "low": low,
        "high": high,
        "reason": reason,
        "valid_to": valid_to,
    }
    given: dict[str, Any] = {
        name: _decimal_text(text, me.principal.language) if name in _NUMBERS else text.strip()
        for name, text in values.items()
    }
    given["valid_to"] = given["valid_to"] or None
    try:
        override_in = PriceOverrideCreate.model_validate(given)
        applied = service.set_override(
            uow=me.uow, override_in=override_in, actor=me.principal.username
        )
    except ValidationError as exc:
        form = {"values": values, "errors": FormErrors.of(_field_errors(exc))}
        return _prices_page(me, override_form=form, status=422)
    except InvalidInput as exc:
        form = {"values": values, "errors": FormErrors.of(exc.errors)}
        return _prices_page(me, override_form=form, status=422)
    except Conflict as exc:
        form = {"values": values, "errors": FormErrors(__all__=exc.detail)}
        return _prices_page(me, override_form=form, status=409)
    me.uow.commit()
    return redirect(me.request, f"/prices?hs={applied.hs_code}")


@router.post("/prices/overrides/{override_id}/lift", response_class=HTMLResponse)
def lift_override(
    me: PriceWriter,
    override_id: Annotated[int, Path(ge=1, le=_INT32)],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Lift an override: a new price version gives its key history's price again."""
    try:
        lift_in = PriceOverrideLift.model_validate({"reason": reason})
        service.lift_override(
            uow=me.uow, override_id=override_id, lift_in=lift_in, actor=me.principal.username
        )
    except ValidationError as exc:
        form = {"id": override_id, "reason": reason, "error": localized(_field_errors(exc)[0].msg)}
        return _prices_page(me, lift_form=form, status=422)
    except Conflict as exc:
        form = {"id": override_id, "reason": reason, "error": localized(exc.detail)}
        return _prices_page(me, lift_form=form, status=409)
    me.uow.commit()
    return redirect(me.request, "/prices")


def _prices_page(
    me: Page,
    *,
    hs: str | None = None,
    origin: str | None = None,
    version: int | None = None,
    cursor: int | None = None,
    refresh_form: dict[str, Any] | None = None,
    override_form: dict[str, Any] | None = None,
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
        refresh_form=refresh_form
        or {"values": {"min_sample": str(DEFAULT_MIN_SAMPLE)}, "errors": FormErrors()},
        override_form=override_form or {"values": {"basis": "kg"}, "errors": FormErrors()},
        lift_form=lift_form or {},
    )
