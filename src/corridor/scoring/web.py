"""Web pages of the model registry: the list of model versions with their state, and a
version's model card (intended use, data, metrics, features and parameters, library
versions, SHA-256, known limits, the data-quality report, the lifecycle) with the
lifecycle's forms for those allowed them, and a recorded evaluation's page (Plotly charts
of precision and recall at k, calibration and drift; tables per office and month; the
random control group's estimate; the figures as JSON and CSV).

Each page calls the service functions the API's routes call (:mod:`.api`), with the
same actions: ``models.read`` to read, ``models.decide`` to move a version.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from corridor.accounts.roles import Action
from corridor.config import customs_day
from corridor.scoring import service
from corridor.scoring.history import UNWEIGHTED, WEIGHTED_RANDOM
from corridor.scoring.schemas import NAME_PATTERN, RetireIn, evaluation_csv
from corridor.web.forms import FormState, Refused, attempt, form_state
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import Page, change, page, redirect, render

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
    form: FormState | None = None,
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
            {**e, "at": datetime.fromisoformat(e["at"]), "number": i + 1, **_period(e)}
            for i, e in enumerate(found.metrics.get("evaluations", []))
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
        form=form or form_state({}),
    )


def _period(entry: dict[str, Any]) -> dict[str, Any]:
    """The customs days of an evaluation on acts (``since``, ``until``: None when open)."""
    data = entry.get("data", {})
    return {
        name: customs_day(datetime.fromisoformat(data[key])) if data.get(key) else None
        for name, key in (("since", "from"), ("until", "until"))
    }


def _step(me: Page, name: str, version: int, run: Any, values: dict[str, str]) -> Response:
    # Committed here; run again after a unique key refused it (two activations at once
    # meet on the one-active-per-flow index: the second finds the first and is refused).
    done = attempt(
        values, lambda: me.uow.retrying(lambda _retry: run(), attempts=2), invalid_input=True
    )
    if isinstance(done, Refused):
        return _card(me, name, version, form=done.form, status=done.status)
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


# ====================================================================== evaluation

#: Population stability index: under 0.1 stable, 0.1–0.25 a shift to watch, above: act.
PSI_GUIDES: Final = (0.1, 0.25)
_LAYOUT: Final[dict[str, Any]] = {
    "margin": {"l": 56, "r": 16, "t": 8, "b": 40},
    "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
}
_COLOURS: Final = ("#b3261e", "#1f5fa8", "#2e7d32", "#5b6776", "#8e5b00", "#6a3d9a", "#00838f")
NumberQuery = Annotated[int | None, Query(ge=1, le=100_000, description="1: the first recorded")]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def _at_k_chart(entry: dict[str, Any]) -> dict[str, Any]:
    """Grouped bars at 1, 2, 5 and 10 % inspected: precision, recall, revenue captured and
    the precision among the random controls alone."""
    ks = list(entry["precision_at"])
    x = [f"{k} %" for k in ks]
    series: list[tuple[str, list[float | None]]] = [
        (_("Precision"), [_pct(entry["precision_at"][k]) for k in ks]),
        (_("Recall"), [_pct(entry["recall_at"][k]) for k in ks]),
    ]
    if entry.get("revenue_at"):
        series.append((_("Revenue captured"), [_pct(entry["revenue_at"][k]) for k in ks]))
    control = (entry.get("details") or {}).get("random_control")
    if control:
        series.append(
            (
                _("Precision among random controls"),
                [_pct(control["at"][k]["precision"]) for k in ks],
            )
        )
    data = [
        {
            "type": "bar",
            "name": label,
            "x": x,
            "y": y,
            "marker": {"color": _COLOURS[i]},
            "hovertemplate": "%{x}: %{y:.1f} %<extra>" + label + "</extra>",
        }
        for i, (label, y) in enumerate(series)
    ]
    layout = {
        **_LAYOUT,
        "barmode": "group",
        "height": 320,
        "xaxis": {"type": "category", "title": {"text": _("Declarations inspected")}},
        "yaxis": {"ticksuffix": " %", "range": [0, 100]},
    }
    return {"data": data, "layout": layout}


def _calibration_chart(table: list[dict[str, Any]]) -> dict[str, Any]:
    """Observed discrepancy rate against the mean predicted probability, per tenth of the
    score, beside the diagonal a calibrated model follows."""
    label = _("Observed")
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Perfect calibration"),
            "x": [0, 100],
            "y": [0, 100],
            "line": {"color": "#9aa4b0", "dash": "dash", "width": 1},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": label,
            "x": [_pct(b["mean_score"]) for b in table],
            "y": [_pct(b["observed_rate"]) for b in table],
            "text": [str(b["rows"]) for b in table],
            "marker": {"color": _COLOURS[0], "size": 8},
            "hovertemplate": "%{x:.1f} % → %{y:.1f} % (n=%{text})<extra>" + label + "</extra>",
        },
    ]
    layout = {
        **_LAYOUT,
        "height": 320,
        "xaxis": {
            "title": {"text": _("Predicted probability")},
            "ticksuffix": " %",
            "range": [0, 100],
        },
        "yaxis": {"title": {"text": _("Observed rate")}, "ticksuffix": " %", "range": [0, 100]},
    }
    return {"data": data, "layout": layout}


def _drift_chart(drift: dict[str, Any]) -> dict[str, Any]:
    """PSI per month of the score and of the main features against training, with the
    0.1 and 0.25 guide lines."""
    months = list(drift.get("score_by_month", {}))
    lines = [(_("Model score"), drift.get("score_by_month", {}))]
    lines += list(drift.get("features_by_month", {}).items())
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": months,
            "y": [values.get(m) for m in months],
            "line": {"color": _COLOURS[i % len(_COLOURS)], "width": 3 if i == 0 else 1.5},
            "hovertemplate": "%{x}: %{y:.3f}<extra>" + name + "</extra>",
        }
        for i, (name, values) in enumerate(lines)
    ]
    guides = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": level,
            "y1": level,
            "line": {"color": colour, "dash": "dot", "width": 1},
        }
        for level, colour in zip(PSI_GUIDES, ("#8e5b00", "#b3261e"), strict=True)
    ]
    highest = max([v or 0 for _n, values in lines for v in values.values()] + [0.3])
    layout = {
        **_LAYOUT,
        "height": 320 + 16 * len(lines),  # the legend lists every feature (on a phone too)
        "shapes": guides,
        "xaxis": {"type": "category"},
        "yaxis": {
            "title": {"text": _("PSI")},
            "range": [0, round(highest * 1.1, 3)],
        },
    }
    return {"data": data, "layout": layout}


@router.get("/models/{name}/{version}/evaluation", response_class=HTMLResponse)
def evaluation(
    me: Reader,
    name: NamePath,
    version: VersionPath,
    number: NumberQuery = None,
    format_: Annotated[
        Literal["html", "json", "csv"], Query(alias="format", description="html, json or csv")
    ] = "html",
) -> Response:
    """A recorded evaluation of a version (the latest unless ``number`` is given): charts
    and tables, or its figures as JSON or CSV."""
    found, entry, chosen = service.recorded_evaluation(
        uow=me.uow, name=name, version=version, number=number
    )
    if format_ != "html":
        filename = f"evaluation-{name}-v{version}-{chosen}.{format_}"
        text = (
            json.dumps({"model": name, "version": version, "number": chosen, **entry}, indent=2)
            if format_ == "json"
            else evaluation_csv(entry)
        )
        media = "application/json" if format_ == "json" else "text/csv; charset=utf-8"
        return Response(
            content=text,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    details = entry.get("details") or {}
    drift = details.get("drift") or {}
    recorded = found.metrics.get("evaluations", [])
    return render(
        me.request,
        "scoring/evaluation.html",
        page=me,
        model=found,
        entry={**entry, "at": datetime.fromisoformat(entry["at"]), **_period(entry)},
        details=details,
        drift=drift,
        number=chosen,
        recorded=[
            (i + 1, datetime.fromisoformat(e["at"]), e["by"]) for i, e in enumerate(recorded)
        ],
        months=list(drift.get("score_by_month", {})),
        psi_guides=PSI_GUIDES,
        charts={
            "at_k": _at_k_chart(entry),
            "calibration": _calibration_chart(details.get("calibration") or []),
            "drift": _drift_chart(drift) if drift else None,
        },
        status_names=STATUS_NAMES,
    )
