"""Web pages of the trader register: the list with its filters and categories, one trader
with the components of its score in words, its category changes, history, overrides,
AEO certificates and post-entry findings; the forms that override a category, lift an
override, record and end AEO status, and recategorise every trader.

Each page calls the service functions the API's routes call (:mod:`.api`), with the
same actions: ``traders.read`` to read, ``traders.write`` to change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts.roles import Action
from corridor.errors import InvalidInput
from corridor.traders import service
from corridor.traders.schemas import (
    AEO_KINDS,
    CATEGORIES,
    REGISTER_ROLES,
    AeoSet,
    OverrideCreate,
    ReasonIn,
)
from corridor.traders.scoring import RULES
from corridor.web.forms import FormState, Refused, attempt, filled, form_state
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, page, redirect, render, writing

router = APIRouter(include_in_schema=False)

TraderReader = Annotated[Page, Depends(page(Action.TRADERS_READ))]
TraderWriter = Annotated[Page, writing(Action.TRADERS_WRITE)]
TinPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-.]+$")]

#: Traders shown on one page of the list.
TRADERS_PAGE = 100

CATEGORY_NAMES: dict[str, str] = {
    "low": N_("low risk"),
    "medium": N_("medium risk"),
    "high": N_("high risk"),
}
ROLE_NAMES: dict[str, str] = {
    "importer": N_("as importer"),
    "exporter": N_("as exporter"),
    "declarant": N_("as declarant (broker)"),
}
AEO_KIND_NAMES: dict[str, str] = {
    "AEO-1": N_("AEO, first type: simplifications of customs transit and temporary storage"),
    "AEO-2": N_("AEO, second type: customs operations and release at the holder's premises"),
    "AEO-3": N_("AEO, third type: the simplifications of the first and second types"),
}
#: Why a trader whose score is low enough is not low, in words.
HELD_BACK_NAMES: dict[str, str] = {
    "few_controls": N_("fewer than 5 inspections and audits"),
    "few_declarations": N_("fewer than 10 declarations"),
    "new_trader": N_("first seen less than 180 days ago"),
    "serious": N_("a serious finding (concealment, prohibitions, seizure)"),
    "offences": N_("an offence case in the last 3 years"),
}
SOURCE_NAMES: dict[str, str] = {"computed": N_("computed from history"), "override": N_("override")}
OVERRIDE_FIELDS = ("category", "valid_until", "reason")
AEO_FIELDS = ("certificate", "kind", "valid_from", "valid_to")


@router.get("/traders", response_class=HTMLResponse)
def traders(
    me: TraderReader,
    category: Annotated[str | None, Query(pattern=r"^(low|medium|high)?$")] = None,
    role: Annotated[str | None, Query(pattern=r"^(importer|exporter|declarant)?$")] = None,
    aeo: Annotated[str | None, Query(pattern=r"^(yes|no)?$")] = None,
    text: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9\-.]*$")] = None,
) -> Response:
    """The register by TIN, filtered by category in force, role, AEO status and text."""
    return _list_page(
        me,
        filters={
            "category": category or None,
            "role": role or None,
            "aeo": aeo or None,
            "text": (text or "").strip() or None,
        },
        cursor=cursor or None,
    )


@router.post("/traders/recategorise", response_class=HTMLResponse)
def recategorise(me: TraderWriter) -> Response:
    """Score every trader from its history now and store the categories."""
    service.recategorise(uow=me.uow, actor=me.principal.username)
    return redirect(me.request, "/traders")


def _list_page(
    me: Page, *, filters: dict[str, Any], cursor: str | None, status: int = 200
) -> Response:
    aeo = filters["aeo"]
    found = service.list_traders(
        uow=me.uow,
        category=filters["category"],
        role=filters["role"],
        aeo=None if aeo is None else aeo == "yes",
        text=filters["text"],
        cursor=cursor,
        limit=TRADERS_PAGE,
    )
    return render(
        me.request,
        "traders/list.html",
        page=me,
        status_code=status,
        found=found,
        filters=filters,
        last_run=service.last_run(uow=me.uow),
        category_names=CATEGORY_NAMES,
        role_names=ROLE_NAMES,
        category_choices=[(value, _(CATEGORY_NAMES[value])) for value in CATEGORIES],
        role_choices=[(value, _(ROLE_NAMES[value])) for value in REGISTER_ROLES],
        aeo_choices=[("yes", _("AEO holders")), ("no", _("not AEO holders"))],
    )


@router.get("/traders/{tin}", response_class=HTMLResponse)
def trader(me: TraderReader, tin: TinPath) -> Response:
    """One trader: its category and why, overrides, AEO, history, category changes."""
    return _trader_page(me, tin)


@router.post("/traders/{tin}/override", response_class=HTMLResponse)
def set_override(
    me: TraderWriter,
    tin: TinPath,
    category: Annotated[str, Form()] = "",
    valid_until: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Put the trader in a category by hand, with a reason, until a day after today."""
    values = {"category": category, "valid_until": valid_until, "reason": reason}
    done = attempt(
        values,
        lambda: service.set_override(
            uow=me.uow,
            tin=tin,
            override_in=OverrideCreate.model_validate(filled(values)),
            actor=me.principal.username,
        ),
        conflict=None,
    )
    if isinstance(done, Refused):
        return _trader_page(me, tin, override_form=done.form, status=done.status)
    return redirect(me.request, f"/traders/{tin}")


@router.post("/traders/{tin}/override/lift", response_class=HTMLResponse)
def lift_override(me: TraderWriter, tin: TinPath, reason: Annotated[str, Form()] = "") -> Response:
    """Lift the override in force: the computed category applies again."""
    done = attempt(
        {"reason": reason},
        lambda: service.lift_override(
            uow=me.uow,
            tin=tin,
            lift_in=ReasonIn.model_validate({"reason": reason.strip()}),
            actor=me.principal.username,
        ),
    )
    if isinstance(done, Refused):
        return _trader_page(me, tin, lift_form=done.form, status=done.status)
    return redirect(me.request, f"/traders/{tin}")


@router.post("/traders/{tin}/aeo", response_class=HTMLResponse)
def set_aeo(
    me: TraderWriter,
    tin: TinPath,
    certificate: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
) -> Response:
    """Record the trader's AEO certificate (or correct the one with that number)."""
    values = {
        "certificate": certificate,
        "kind": kind,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    try:
        done = attempt(
            values,
            lambda: service.set_aeo(
                uow=me.uow,
                tin=tin,
                aeo_in=AeoSet.model_validate(filled(values)),
                actor=me.principal.username,
            ),
        )
    except InvalidInput as exc:  # the certificate against the register: as a conflict
        done = Refused(form_state(values, FormErrors(__all__=exc.detail)), 409)
    if isinstance(done, Refused):
        return _trader_page(me, tin, aeo_form=done.form, status=done.status)
    return redirect(me.request, f"/traders/{tin}")


@router.post("/traders/{tin}/aeo/end", response_class=HTMLResponse)
def end_aeo(me: TraderWriter, tin: TinPath, reason: Annotated[str, Form()] = "") -> Response:
    """End the trader's AEO certificate before its validity runs out."""
    done = attempt(
        {"reason": reason},
        lambda: service.end_aeo(
            uow=me.uow,
            tin=tin,
            end_in=ReasonIn.model_validate({"reason": reason.strip()}),
            actor=me.principal.username,
        ),
    )
    if isinstance(done, Refused):
        return _trader_page(me, tin, end_form=done.form, status=done.status)
    return redirect(me.request, f"/traders/{tin}")


def _trader_page(
    me: Page,
    tin: str,
    *,
    override_form: FormState | None = None,
    lift_form: FormState | None = None,
    aeo_form: FormState | None = None,
    end_form: FormState | None = None,
    status: int = 200,
) -> Response:
    found = service.get_trader(uow=me.uow, tin=tin)
    empty = form_state({})
    return render(
        me.request,
        "traders/detail.html",
        page=me,
        status_code=status,
        trader=found,
        components=found.score.components if found.score is not None else None,
        rules=RULES,
        category_names=CATEGORY_NAMES,
        role_names=ROLE_NAMES,
        aeo_kind_names=AEO_KIND_NAMES,
        held_back_names=HELD_BACK_NAMES,
        source_names=SOURCE_NAMES,
        category_choices=[(value, _(CATEGORY_NAMES[value])) for value in CATEGORIES],
        kind_choices=[(value, _(AEO_KIND_NAMES[value])) for value in AEO_KINDS],
        override_form=override_form or empty,
        lift_form=lift_form or empty,
        aeo_form=aeo_form or empty,
        end_form=end_form or empty,
    )
