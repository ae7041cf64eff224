"""``corridor model evaluate`` on stored inspection acts, as scripts run it: the real
command in subprocesses on a freshly migrated SQLite database holding declarations decided
and inspected (every fifth drawn at random), a model trained on the first three months by
the command itself, then evaluated on the fourth: the interface's figures, the random
control group's unbiased estimate, and ``--record`` keeping every figure on the version."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from corridor.config import customs_day_start
from tests.cli import run_corridor
from tests.scoring_acts import store_inspected
from tests.scoring_data import synthetic

#: Exit code of refused input (README).
INVALID = 2
INTERFACE = {"model", "version", "rows", "positives", "auc", "precision_at", "recall_at"}


@pytest.fixture(scope="module")
def acts(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, pl.DataFrame]:
    """A migrated database with 900 inspected declarations over four months and a model
    ``acts`` v1 trained on the acts registered before April by the command."""
    folder = tmp_path_factory.mktemp("acts")
    url = f"sqlite:///{folder / 'corridor.db'}"
    upgraded = run_corridor("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    frame = synthetic(900, months=4, seed=5)
    engine = create_engine(url)
    store_inspected(sessionmaker(engine), frame)
    engine.dispose()
    done = run_corridor(
        "model", "train", "--name", "acts", "--until", "2024-04-01", "--search", "quick",
        "--json", database_url=url, env={"LOGNAME": "author"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return url, frame


def test_evaluate_on_a_period_of_acts_prints_the_figures_and_the_random_control_estimate(
    acts: tuple[str, pl.DataFrame], tmp_path: Path
) -> None:
    url, frame = acts
    done = run_corridor(
        "model", "evaluate", "--model", "acts", "--from", "2024-04-01", "--json",
        database_url=url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert set(figures) == {*INTERFACE, "revenue_at", "random_control"}
    period = frame.with_row_index().filter(
        pl.col("registered_at") >= customs_day_start(date(2024, 4, 1))
    )
    assert (figures["model"], figures["version"]) == ("acts", 1)
    assert (figures["rows"], figures["positives"]) == (period.height, period["label"].sum())
    for name in ("precision_at", "recall_at", "revenue_at"):
        assert list(figures[name]) == ["1", "2", "5", "10"]
        assert all(0 <= v <= 1 for v in figures[name].values())
    # The random controls of the period (every fifth declaration stored) and the model's
    # top k % among them alone.
    controls = period.filter(pl.col("index") % 5 == 0)
    control = figures["random_control"]
    assert (control["rows"], control["positives"]) == (controls.height, controls["label"].sum())
    assert control["base_rate"] == pytest.approx(controls["label"].mean())
    for k, at in control["at"].items():
        assert at["rows"] == max(1, int(int(k) * controls.height / 100 + 0.5))
        assert at["precision"] == pytest.approx(at["positives"] / at["rows"])
    # The same figures for people, with the estimate's table.
    shown = run_corridor(
        "model", "evaluate", "--model", "acts:1", "--from", "2024-04-01", database_url=url
    )
    assert shown.returncode == 0, shown.stderr
    assert f"{period.height} rows" in shown.stdout
    assert f"random control group: {controls.height} rows" in shown.stdout


def test_a_recorded_evaluation_keeps_every_figure_on_the_version(
    acts: tuple[str, pl.DataFrame],
) -> None:
    url, _frame = acts
    done = run_corridor(
        "model", "evaluate", "--model", "acts:1", "--from", "2024-04-01", "--json", "--record",
        database_url=url, env={"LOGNAME": "auditor"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    shown = run_corridor("model", "show", "acts:1", "--json", database_url=url)
    kept = json.loads(shown.stdout)["metrics"]["evaluations"][-1]
    assert (kept["by"], kept["data"]["format"]) == ("cli:auditor", "acts")
    assert kept["precision_at"] == figures["precision_at"]
    details = kept["details"]
    assert details["random_control"] == figures["random_control"]
    assert sum(b["rows"] for b in details["calibration"]) == figures["rows"]
    assert list(details["by_month"]) == ["2024-04"]
    assert set(details["drift"]["features_by_month"]) == set(details["drift"]["features"])


def test_an_empty_period_or_a_bad_date_is_refused_with_the_field(
    acts: tuple[str, pl.DataFrame],
) -> None:
    url, _frame = acts
    empty = run_corridor(
        "model", "evaluate", "--model", "acts", "--from", "2030-01-01", database_url=url
    )
    assert empty.returncode == INVALID
    assert "no inspected declaration of flow IM" in empty.stderr
    bad = run_corridor("model", "evaluate", "--model", "acts", "--from", "April", database_url=url)
    assert bad.returncode == INVALID
    assert "from" in bad.stderr
    assert "YYYY-MM-DD" in bad.stderr
