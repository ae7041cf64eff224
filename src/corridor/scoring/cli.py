"""``corridor model …``: train, evaluate and govern risk-scoring models.

The use cases (and LightGBM with them) are imported by the commands that run them, so
that every other ``corridor`` command starts as fast as before.

::

    corridor model train --format cdd --data FILE [--data FILE …] --name NAME [--json]
    corridor model train --name NAME [--from DATE] [--until DATE]      # stored acts
    corridor model evaluate --model NAME[:VERSION] --format cdd --data FILE --json
    corridor model evaluate --model NAME[:VERSION] [--from DATE] [--until DATE] [--json] [--record]
    corridor model list | show NAME:VERSION
    corridor model approve | shadow | activate [--replace] | retire --reason TEXT  NAME:VERSION

``evaluate --json`` prints one JSON object (``model``, ``version``, ``rows``,
``positives``, ``auc``, ``precision_at``, ``recall_at``, ``revenue_at``: the shares at 1, 2,
5 and 10 % of rows inspected); on stored acts it adds ``random_control`` (the model's top
k % among the random control group's rows alone: ``rows``, ``positives``, ``base_rate``,
``at`` {k: ``rows``, ``positives``, ``precision``}; null without random controls). With
``--record`` every figure is kept on the version: its evaluation page
(/models/NAME/VERSION/evaluation) draws them. Without a version the model's active version is meant,
else its latest. Dates are customs days (``CORRIDOR_TIMEZONE``): [from, until). Changes
are journalled with the actor ``cli:<operating-system user>``; the approver of a version
must be another user than the one who trained it (four eyes).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.config import customs_day_start
from corridor.db.uow import UnitOfWork
from corridor.errors import FieldError, InvalidInput
from corridor.scoring.schemas import EvaluationRead, ModelVersionRead
from corridor.terminal import cli_actor, database, run_use_case

if TYPE_CHECKING:
    from corridor.scoring.core import TrainingOptions

app = typer.Typer(
    help="Risk-scoring models: train, evaluate, approve, activate, retire.", no_args_is_help=True
)
console = Console()


class Format(StrEnum):
    """Labelled file formats training and evaluation read."""

    CDD = "cdd"


class Search(StrEnum):
    """How much cross-validation tries."""

    FULL = "full"
    QUICK = "quick"


def _quick() -> TrainingOptions:
    """One candidate, two folds, few rounds: to try the command, not to choose a model."""
    from corridor.scoring.core import Candidate, TrainingOptions

    return TrainingOptions(candidates=(Candidate(),), folds=2, max_rounds=200, round_step=50)


DataOption = Annotated[
    list[Path] | None,
    typer.Option("--data", help="a labelled file (repeat for several)", dir_okay=False),
]
FormatOption = Annotated[Format | None, typer.Option("--format", help="the files' format")]
FromOption = Annotated[
    str | None, typer.Option("--from", help="first day of registration, YYYY-MM-DD")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="day after the last, YYYY-MM-DD (excluded)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON object")]
Reference = Annotated[str, typer.Argument(help="NAME:VERSION")]


def _day(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return customs_day_start(date.fromisoformat(text))
    except ValueError:
        raise InvalidInput(
            "invalid options", [FieldError((name,), "must be a date, YYYY-MM-DD")]
        ) from None


def _files(data: list[Path] | None, format_: Format | None) -> list[Path]:
    """The labelled files, checked to come with their format."""
    files = list(data or [])
    if files and format_ is None:
        raise InvalidInput("invalid options", [FieldError(("format",), "give --format cdd")])
    if format_ is not None and not files:
        raise InvalidInput("invalid options", [FieldError(("data",), "give --data FILE")])
    for path in files:
        if not path.is_file():
            raise InvalidInput("invalid options", [FieldError(("data",), f"no file {path}")])
    return files


def _versioned(reference: str) -> tuple[str, int]:
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = service.parse_reference(reference)
    if version is None:
        raise InvalidInput(
            "invalid options", [FieldError(("model",), "name the version: NAME:VERSION")]
        )
    return name, version


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, sort_keys=False))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


@app.command("train")
def train_command(
    name: Annotated[str, typer.Option("--name", help="the model's name (versions are numbered)")],
    data: DataOption = None,
    format_: FormatOption = None,
    since: FromOption = None,
    until: UntilOption = None,
    flow: Annotated[str, typer.Option("--flow", help="IM or EX")] = "IM",
    search: Annotated[
        Search, typer.Option("--search", help="quick: one candidate, two folds (trials)")
    ] = Search.FULL,
    as_json: JsonOption = False,
) -> None:
    """Train a model on labelled files, or on the stored inspection acts of a period, and
    register it as a draft version (to be approved by someone else)."""
    from corridor.scoring import service  # lightgbm loads only when needed

    files = _files(data, format_)
    if files and (since or until):
        raise InvalidInput(
            "invalid options",
            [FieldError(("from",), "a period applies to stored acts, not to --data files")],
        )
    options = _quick() if search is Search.QUICK else None
    actor = cli_actor()
    service.check_target(name=name, flow=flow)
    if files:
        training = service.learn_from_files(paths=files, options=options)
    else:
        start, end = _day(since, "from"), _day(until, "until")
        training = run_use_case(
            lambda uow: service.learn_from_acts(
                uow=uow, flow=flow, since=start, until=end, options=options
            ),
            commit=False,
        )
    # Training takes minutes; only the registration is a transaction, retried when another
    # registration of the name took the version number first.
    with database() as factory, UnitOfWork(factory) as uow:
        read = uow.retrying(
            lambda _retry: service.register_training(
                uow=uow, training=training, name=name, flow=flow, actor=actor
            ),
            attempts=3,
        )
    _print_trained(read, as_json)


def _print_trained(read: ModelVersionRead, as_json: bool) -> None:
    if as_json:
        _print_json(
            {
                "name": read.name,
                "version": read.version,
                "sha256": read.sha256,
                "rows": read.rows,
                "positives": read.positives,
                "metrics": read.metrics,
            }
        )
        return
    chosen = read.metrics.get("cv", {}).get("chosen", {})
    console.print(
        f"registered {escape(read.name)} v{read.version} (draft, flow {read.flow}): "
        f"{read.rows} rows, {read.positives} discrepancies; SHA-256 {read.sha256}",
        highlight=False,
    )
    console.print(
        f"cross-validated precision at 5 %: {_percent(chosen.get('precision_at_5'))}, "
        f"at 10 %: {_percent(chosen.get('precision_at_10'))}; "
        f"next: `corridor model approve {escape(read.name)}:{read.version}` by another user",
        highlight=False,
    )


@app.command("evaluate")
def evaluate_command(
    model: Annotated[str, typer.Option("--model", help="NAME or NAME:VERSION")],
    data: DataOption = None,
    format_: FormatOption = None,
    since: FromOption = None,
    until: UntilOption = None,
    as_json: JsonOption = False,
    record: Annotated[
        bool, typer.Option("--record", help="keep the figures on the model card (journalled)")
    ] = False,
) -> None:
    """A model's precision, recall and revenue captured at 1, 2, 5 and 10 % of rows
    inspected, and its ROC AUC, on labelled files or on the stored acts of a period."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = service.parse_reference(model)
    files = _files(data, format_)
    recorder = cli_actor() if record else None
    result: EvaluationRead
    figures: dict[str, Any]
    if files:
        result, figures = run_use_case(
            lambda uow: service.evaluate_files(
                uow=uow, name=name, version=version, paths=files, record_by=recorder
            ),
            commit=record,
        )
    else:
        start, end = _day(since, "from"), _day(until, "until")
        result, figures = run_use_case(
            lambda uow: service.evaluate_acts(
                uow=uow, name=name, version=version, since=start, until=end, record_by=recorder
            ),
            commit=record,
        )
    control = figures.get("random_control")
    if as_json:
        printed = result.model_dump(mode="json")
        if not files:  # stored acts record the selection basis; the files do not
            printed["random_control"] = control
        _print_json(printed)
        return
    console.print(
        f"{escape(result.model)} v{result.version}: {result.rows} rows, "
        f"{result.positives} discrepancies; ROC AUC "
        f"{'—' if result.auc is None else f'{result.auc:.3f}'}",
        highlight=False,
    )
    table = Table("inspected", "precision", "recall", "revenue")
    for k in result.precision_at:
        revenue = None if result.revenue_at is None else result.revenue_at.get(k)
        table.add_row(
            f"{k} %",
            _percent(result.precision_at[k]),
            _percent(result.recall_at[k]),
            _percent(revenue),
        )
    console.print(table)
    if control is not None:
        _print_random_control(control)


def _print_random_control(control: dict[str, Any]) -> None:
    """The unbiased estimate: the model's top k % among the random controls alone."""
    console.print(
        f"random control group: {control['rows']} rows, {control['positives']} "
        f"discrepancies ({_percent(control['base_rate'])}); the model's top k % among them:",
        highlight=False,
    )
    table = Table("inspected", "rows", "discrepancies", "precision")
    for k, at in control["at"].items():
        table.add_row(f"{k} %", str(at["rows"]), str(at["positives"]), _percent(at["precision"]))
    console.print(table)


@app.command("list")
def list_command(
    name: Annotated[str | None, typer.Option(help="only this model's versions")] = None,
    status: Annotated[str | None, typer.Option(help="only versions in this state")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every model version, the newest of each name first."""
    from corridor.scoring import service  # lightgbm loads only when needed

    found = run_use_case(
        lambda uow: service.list_models(uow=uow, name=name, status=status), commit=False
    )
    if as_json:
        _print_json([m.model_dump(mode="json") for m in found])
        return
    table = Table("name", "version", "flow", "status", "rows", "positives", "created", "by")
    for m in found:
        table.add_row(
            escape(m.name),
            str(m.version),
            m.flow,
            m.status,
            str(m.rows),
            str(m.positives),
            f"{m.created_at:%Y-%m-%d %H:%M}",
            escape(m.created_by),
        )
    console.print(table)


@app.command("show")
def show_command(reference: Reference, as_json: JsonOption = False) -> None:
    """A version's card: data, metrics, parameters, library versions, lifecycle."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = service.parse_reference(reference)
    read = run_use_case(
        lambda uow: service.get_model(uow=uow, name=name, version=version), commit=False
    )
    if as_json:
        _print_json(read.model_dump(mode="json"))
        return
    chosen = read.metrics.get("cv", {}).get("chosen", {})
    lines = [
        f"{read.name} v{read.version} — {read.status}, flow {read.flow}, from {read.source}",
        f"SHA-256: {read.sha256}",
        f"window: {read.window_from or '—'} to {read.window_until or '—'}",
        f"rows: {read.rows}, discrepancies: {read.positives}",
        f"cross-validated precision at 5 %: {_percent(chosen.get('precision_at_5'))}, "
        f"at 10 %: {_percent(chosen.get('precision_at_10'))}",
        f"features: {len(read.features)}; rounds: {read.parameters.get('rounds')}",
        f"weighting: {read.weighting.get('method')}",
        "libraries: " + ", ".join(f"{k} {v}" for k, v in sorted(read.library_versions.items())),
        f"registered by {read.created_by} at {read.created_at:%Y-%m-%d %H:%M} UTC",
    ]
    if read.approved_by:
        lines.append(f"approved by {read.approved_by} at {read.approved_at:%Y-%m-%d %H:%M} UTC")
    if read.activated_by:
        lines.append(f"in service by {read.activated_by} at {read.activated_at:%Y-%m-%d %H:%M} UTC")
    if read.retired_by:
        lines.append(
            f"retired by {read.retired_by} at {read.retired_at:%Y-%m-%d %H:%M} UTC: {read.reason}"
        )
    for line in lines:
        console.print(escape(line), highlight=False)


def _moved(read: ModelVersionRead) -> None:
    console.print(f"{escape(read.name)} v{read.version} is {read.status}", highlight=False)


@app.command("approve")
def approve_command(reference: Reference) -> None:
    """Approve a draft (four eyes: not by the user who trained it)."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = _versioned(reference)
    actor = cli_actor()
    _moved(
        run_use_case(
            lambda uow: service.approve(uow=uow, name=name, version=version, actor=actor),
            commit=True,
        )
    )


@app.command("shadow")
def shadow_command(reference: Reference) -> None:
    """Put an approved version in shadow: it scores and is recorded, selecting nothing."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = _versioned(reference)
    actor = cli_actor()
    _moved(
        run_use_case(
            lambda uow: service.shadow(uow=uow, name=name, version=version, actor=actor),
            commit=True,
        )
    )


@app.command("activate")
def activate_command(
    reference: Reference,
    replace: Annotated[
        bool, typer.Option("--replace", help="retire the version active for the flow")
    ] = False,
) -> None:
    """Make an approved or shadowing version the active one of its flow (refused while
    another is active, unless --replace)."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = _versioned(reference)
    actor = cli_actor()
    # Two activations at once meet on the database's one-active-per-flow index: the one
    # run again finds the other active and is refused with its name.
    with database() as factory, UnitOfWork(factory) as uow:
        read = uow.retrying(
            lambda _retry: service.activate(
                uow=uow, name=name, version=version, actor=actor, replace=replace
            ),
            attempts=2,
        )
    _moved(read)


@app.command("retire")
def retire_command(
    reference: Reference,
    reason: Annotated[str, typer.Option("--reason", help="why it is retired")],
) -> None:
    """Retire a version for good."""
    from corridor.scoring import service  # lightgbm loads only when needed

    name, version = _versioned(reference)
    actor = cli_actor()
    _moved(
        run_use_case(
            lambda uow: service.retire(
                uow=uow, name=name, version=version, actor=actor, reason=reason
            ),
            commit=True,
        )
    )
