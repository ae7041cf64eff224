"""`corridor postentry …`: audit candidates, plans and cases from the command line.

Whoever runs these holds the database's credentials: the ranking reads every office
of the unit asked for (default: head office, every office). Changes are journalled
with the actor ``cli:<operating-system user>``; options are validated by the API's
shapes (:mod:`corridor.postentry.schemas`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from corridor.errors import FieldError, InvalidInput
from corridor.postentry import service
from corridor.postentry.schemas import (
    MAX_CANDIDATES,
    CandidateOrder,
    CaseState,
    PlanCreate,
    PlanRead,
    PlanState,
)
from corridor.terminal import cli_actor, run_use_case, validated

app = typer.Typer(
    help="Post-entry control: audit candidates, plans and cases.", no_args_is_help=True
)
plan_app = typer.Typer(help="Audit plans: build from the ranking, list, show, approve, close.")
app.add_typer(plan_app, name="plan")
console = Console()

UnitOption = Annotated[str | None, typer.Option("--unit", help="unit code (default: head office)")]
FromOption = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="first customs day")
]
ToOption = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="last customs day, included (today)"),
]


def _unit(unit: str | None) -> str:
    if unit is not None:
        return unit
    found = run_use_case(lambda uow: service.head_office(uow=uow), commit=False)
    if found is None:
        raise InvalidInput("no unit", [FieldError(("unit",), "there is no head office: name one")])
    return found


@app.command("candidates")
def candidates_command(
    unit: UnitOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    order: Annotated[
        CandidateOrder, typer.Option(help="risk (then recovery) or recovery (then risk)")
    ] = "risk",
    limit: Annotated[int, typer.Option(min=1, max=MAX_CANDIDATES, help="how many")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Rank the importers released green or blue in the period for post-clearance audit
    (default: the last 90 days), with the reasons of each."""
    period = service.audit_period(
        None if date_from is None else date_from.date(),
        None if date_to is None else date_to.date(),
        today=service.today(),
    )
    code = _unit(unit)
    ranking = run_use_case(
        lambda uow: service.rank_candidates(
            uow=uow, unit=code, period=period, order=order, limit=limit
        ),
        commit=False,
    )
    if as_json:
        typer.echo(json.dumps(ranking.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(
        f"{ranking.total} importers released green or blue at {escape(code)} from "
        f"{ranking.period_from} to {ranking.period_to}; population discrepancy rate "
        f"{100 * ranking.population.discrepancy_rate:.1f} %",
        highlight=False,
    )
    table = Table("#", "TIN", "risk", "recovery, KGS", "category", "reasons")
    for candidate in ranking.candidates:
        table.add_row(
            str(candidate.rank),
            candidate.tin,
            f"{candidate.risk_score:.2f}",
            f"{candidate.expected_recovery:,.0f}",
            candidate.category or "–",
            escape("; ".join(reason.text for reason in candidate.reasons)),
        )
    console.print(table)


@plan_app.command("create")
def plan_create_command(
    capacity: Annotated[int, typer.Option(help="how many audits the unit can carry out")],
    date_from: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first customs day")
    ],
    date_to: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last customs day")
    ],
    unit: UnitOption = None,
) -> None:
    """Build a draft plan from the ranking of the period: its first CAPACITY candidates."""
    code = _unit(unit)
    plan_in = validated(
        PlanCreate,
        {
            "unit": code,
            "period_from": date_from.date(),
            "period_to": date_to.date(),
            "capacity": capacity,
        },
    )
    actor = cli_actor()
    plan = run_use_case(
        lambda uow: service.create_plan(uow=uow, plan_in=plan_in, unit=code, actor=actor),
        commit=True,
    )
    console.print(
        f"audit plan {plan.id} (draft) of {escape(plan.unit)} for {plan.period_from} to "
        f"{plan.period_to}: {len(plan.items)} of {plan.capacity} audits planned",
        highlight=False,
    )
    _items(plan)


@plan_app.command("list")
def plan_list_command(
    state: Annotated[PlanState | None, typer.Option(help="only plans in this state")] = None,
) -> None:
    """List the audit plans, the latest period first."""
    plans = run_use_case(lambda uow: service.list_plans(uow=uow, state=state), commit=False)
    table = Table("id", "unit", "from", "to", "capacity", "traders", "cases", "state")
    for plan in plans:
        table.add_row(
            str(plan.id),
            escape(plan.unit),
            str(plan.period_from),
            str(plan.period_to),
            str(plan.capacity),
            str(plan.items),
            str(plan.cases),
            plan.state,
        )
    console.print(table)


@plan_app.command("show")
def plan_show_command(plan_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)]) -> None:
    """Show one plan with its traders and their reasons."""
    plan = run_use_case(lambda uow: service.get_plan(uow=uow, plan_id=plan_id), commit=False)
    console.print(
        f"audit plan {plan.id} ({plan.state}) of {escape(plan.unit)} for {plan.period_from} "
        f"to {plan.period_to}: {len(plan.items)} of {plan.capacity} audits",
        highlight=False,
    )
    _items(plan)


@plan_app.command("approve")
def plan_approve_command(plan_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)]) -> None:
    """Approve a draft plan: cases may then be opened from it."""
    actor = cli_actor()
    plan = run_use_case(
        lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="approved", actor=actor),
        commit=True,
    )
    console.print(f"audit plan {plan.id} is approved", highlight=False)


@plan_app.command("close")
def plan_close_command(plan_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)]) -> None:
    """Close an approved plan."""
    actor = cli_actor()
    plan = run_use_case(
        lambda uow: service.move_plan(uow=uow, plan_id=plan_id, to="closed", actor=actor),
        commit=True,
    )
    console.print(f"audit plan {plan.id} is closed", highlight=False)


@app.command("cases")
def cases_command(
    state: Annotated[CaseState | None, typer.Option(help="only cases in this state")] = None,
    tin: Annotated[str | None, typer.Option(help="only cases of this trader")] = None,
) -> None:
    """List the audit cases, the latest opened first."""
    cases = run_use_case(
        lambda uow: service.list_cases(uow=uow, state=state, tin=tin), commit=False
    )
    table = Table("case", "plan", "TIN", "unit", "period", "state", "auditor", "outcome", "duties")
    for case in cases:
        table.add_row(
            case.reference,
            "–" if case.plan_id is None else str(case.plan_id),
            case.tin,
            escape(case.unit),
            f"{case.period_from} – {case.period_to}",
            case.state,
            escape(case.auditor or "–"),
            case.outcome or "–",
            f"{case.additional_duties + case.penalties:,.2f}",
        )
    console.print(table)


def _items(plan: PlanRead) -> None:
    table = Table("#", "TIN", "risk", "recovery, KGS", "source", "reasons")
    for item in plan.items:
        table.add_row(
            "–" if item.rank is None else str(item.rank),
            item.tin,
            "–" if item.risk_score is None else f"{item.risk_score:.2f}",
            "–" if item.expected_recovery is None else f"{item.expected_recovery:,.0f}",
            item.source,
            escape("; ".join(reason.text for reason in item.reasons)),
        )
    console.print(table)
