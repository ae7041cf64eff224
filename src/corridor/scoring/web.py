"""Web pages of the model registry: the list of model versions with their state, and a
version's model card (intended use, data, metrics, features and parameters, library
versions, SHA-256, known limits, the data-quality report, the lifecycle) with the
lifecycle's forms for those allowed them.

Each page calls the service functions the API's routes call (:mod:`.api`), with the
same actions: ``models.read`` to read, ``models.decide`` to move a version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts.roles import Action
from corridor.errors import Conflict, InvalidInput
from corridor.scoring import service
from corridor.scoring.history import UNWEIGHTED, WEIGHTED_RANDOM
from corridor.scoring.schemas import NAME_PATTERN, RetireIn
from corridor.web.i18n import N_
from corridor.web.pages import FormErrors, Page, change, page, redirect, render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Page, Depends(page(Action.MODELS_READ))]
Decider = Annotated[Page, Depends(change(Action.MODELS_DECIDE))]
NamePath = Annotated[str, Path(pattern=NAME_PATTERN, max_length=60)]
VersionPath = Annotated[int, Path(ge=1, le=2_000_000_000)]

STATUS_NAMES: dict[str, str] = {
    "draft": N_("draft"),
    "approved": N_("approved"),
    "active": N_("active"),
    "shadow": N_("shadow"),
    "retired": N_("retired"),
}
SOURCE_NAMES: dict[str, str] = {
    "cdd": N_("labelled files of the Customs Declaration Dataset"),
    "acts": N_("stored inspection acts"),
}
FLOW_NAMES: dict[str, str] = {"IM": N_("imports"), "EX": N_("exports")}
WEIGHTING_NAMES: dict[str, str] = {
    UNWEIGHTED: N_("none (every row weighs 1)"),
    WEIGHTED_RANDOM: N_("inverse random rate for the random control group"),
}
#: The core's words for how cross-validation chose (``cv.selection``).
SELECTION_NAMES: dict[str, str] = {
    "mean of precision at 5 % and 10 % over the folds": N_(
        "mean of precision at 5 %% and 10 %% over the folds"
    ),
}


@router.get("/models", response_class=HTMLResponse)
def models(me: Reader) -> Response:
    """Every model version, the newest of each name first, with its state."""
    return render(
        me.request,
        "scoring/list.html",
        page=me,
        found=service.list_models(uow=me.uow),
        status_names=STATUS_NAMES,
        flow_names=FLOW_NAMES,
    )


@router.get("/models/{name}/{version}", response_class=HTMLResponse)
def model_card(me: Reader, name: NamePath, version: VersionPath) -> Response:
    """A version's model card."""
    return _card(me, name, version)


def _card(
    me: Page,
    name: str,
    version: int,
    *,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    found = service.get_model(uow=me.uow, name=name, version=version)
    quality = found.quality
    features = [
        (feature, quality.get("missing_features", {}).get(feature)) for feature in found.features
    ]
    active = service.active_model(uow=me.uow, flow=found.flow)
    return render(
        me.request,
        "scoring/card.html",
        page=me,
        status_code=status,
        model=found,
        cv=found.metrics.get("cv", {}),
        evaluations=[
            {**e, "at": datetime.fromisoformat(e["at"])}
            for e in found.metrics.get("evaluations", [])
        ],
        quality=quality,
        features=features,
        active=active,
        steps=service.STEPS,
        status_names=STATUS_NAMES,
        source_names=SOURCE_NAMES,
        flow_names=FLOW_NAMES,
        weighting_names=WEIGHTING_NAMES,
        selection_names=SELECTION_NAMES,
        form=form or {"values": {}, "errors": FormErrors()},
    )


def _step(me: Page, name: str, version: int, run: Any, values: dict[str, str]) -> Response:
    try:
        # Committed here; run again after a unique key refused it (two activations at once
        # meet on the one-active-per-flow index: the second finds the first and is refused).
        me.uow.retrying(lambda _retry: run(), attempts=2)
    except ValidationError as exc:
        form = {"values": values, "errors": FormErrors.of_validation(exc)}
        return _card(me, name, version, form=form, status=422)
    except InvalidInput as exc:
        form = {"values": values, "errors": FormErrors.of(exc.errors)}
        return _card(me, name, version, form=form, status=422)
    except Conflict as exc:
        form = {"values": values, "errors": FormErrors(__all__=exc.detail)}
        return _card(me, name, version, form=form, status=409)
    return redirect(me.request, f"/models/{name}/{version}")


@router.post("/models/{name}/{version}/approve", response_class=HTMLResponse)
def approve(me: Decider, name: NamePath, version: VersionPath) -> Response:
    """Approve a draft (not by its author: four eyes)."""
    actor = me.principal.username
    return _step(
        me,
        name,
        version,
        lambda: service.approve(uow=me.uow, name=name, version=version, actor=actor),
        {},
    )


@router.post("/models/{name}/{version}/shadow", response_class=HTMLResponse)
def shadow(me: Decider, name: NamePath, version: VersionPath) -> Response:
    """Put an approved version in shadow."""
    actor = me.principal.username
    return _step(
        me,
        name,
        version,
        lambda: service.shadow(uow=me.uow, name=name, version=version, actor=actor),
        {},
    )


@router.post("/models/{name}/{version}/activate", response_class=HTMLResponse)
def activate(
    me: Decider,
    name: NamePath,
    version: VersionPath,
    replace: Annotated[str, Form()] = "",
) -> Response:
    """Make a version the active one of its flow (replacing the active one if asked)."""
    actor = me.principal.username
    return _step(
        me,
        name,
        version,
        lambda: service.activate(
            uow=me.uow, name=name, version=version, actor=actor, replace=replace == "true"
        ),
        {"replace": replace},
    )


@router.post("/models/{name}/{version}/retire", response_class=HTMLResponse)
def retire(
    me: Decider, name: NamePath, version: VersionPath, reason: Annotated[str, Form()] = ""
) -> Response:
    """Retire a version for good, with a reason."""
    actor = me.principal.username

    def run() -> None:
        retire_in = RetireIn.model_validate({"reason": reason.strip()})
        service.retire(uow=me.uow, name=name, version=version, actor=actor, reason=retire_in.reason)

    return _step(me, name, version, run, {"reason": reason})
