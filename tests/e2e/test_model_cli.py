"""``corridor model …`` as scripts run it: the real command in subprocesses on a freshly
migrated SQLite database with no other data. Training on a sample of the public Customs
Declaration Dataset's train file, evaluation's one JSON object (the interface of issue 16,
exactly), and the lifecycle with its four-eyes refusal."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from tests.cli import run_corridor

SHARED_DATA = Path(
    os.environ.get("CORRIDOR_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)
TRAIN = SHARED_DATA / "df_syn_train_eng.csv"
pytestmark = pytest.mark.skipif(not TRAIN.is_file(), reason="shared data folder is absent")

#: Exit code of a Conflict (README).
CONFLICT = 7


def sample(path: Path, every: int) -> Path:
    """Every ``every``-th row of the train file (all twelve months of it)."""
    lines = TRAIN.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *lines[1::every]]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict[str, object]]:
    """A fresh database, migrated, and one model trained on a sample by user ``author``."""
    folder = tmp_path_factory.mktemp("model")
    url = f"sqlite:///{folder / 'corridor.db'}"
    upgraded = run_corridor("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    data = sample(folder / "cdd.csv", 12)
    done = run_corridor(
        "model", "train", "--format", "cdd", "--data", str(data), "--name", "cdd-imports",
        "--search", "quick", "--json",
        database_url=url, env={"LOGNAME": "author"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return url, data, json.loads(done.stdout)


def test_train_registers_a_draft_and_prints_what_it_did(
    trained: tuple[str, Path, dict[str, object]],
) -> None:
    _url, data, printed = trained
    rows = len(data.read_text(encoding="utf-8").splitlines()) - 1
    assert set(printed) == {"name", "version", "sha256", "rows", "positives", "metrics"}
    assert (printed["name"], printed["version"], printed["rows"]) == ("cdd-imports", 1, rows)
    assert isinstance(printed["sha256"], str)
    assert len(printed["sha256"]) == 64
    assert isinstance(printed["positives"], int)
    assert 0 < printed["positives"] < rows


def test_evaluate_prints_one_json_object_of_the_interface(
    trained: tuple[str, Path, dict[str, object]],
) -> None:
    url, data, _printed = trained
    done = run_corridor(
        "model", "evaluate", "--model", "cdd-imports", "--format", "cdd", "--data", str(data),
        "--json", database_url=url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)  # one object, nothing else on stdout
    assert list(figures) == [
        "model", "version", "rows", "positives", "auc", "precision_at", "recall_at", "revenue_at",
    ]  # fmt: skip
    assert (figures["model"], figures["version"]) == ("cdd-imports", 1)
    assert isinstance(figures["rows"], int)
    assert isinstance(figures["positives"], int)
    assert 0 < figures["positives"] < figures["rows"]
    assert isinstance(figures["auc"], float)
    assert 0.5 < figures["auc"] <= 1.0  # scored on its own training rows: better than chance
    for name in ("precision_at", "recall_at"):
        assert list(figures[name]) == ["1", "2", "5", "10"]
        assert all(isinstance(v, float) and 0 <= v <= 1 for v in figures[name].values())
    # The dataset records no additional duties: no revenue figures.
    assert figures["revenue_at"] is None
    # Precision at k is the share of discrepancies among round(k % of rows) rows.
    top1 = max(1, math.floor(figures["rows"] / 100 + 0.5))
    assert math.isclose(
        figures["precision_at"]["1"] * top1, round(figures["precision_at"]["1"] * top1)
    )
    same = run_corridor(
        "model", "evaluate", "--model", "cdd-imports:1", "--format", "cdd", "--data", str(data),
        "--json", "--record", database_url=url,
    )  # fmt: skip
    assert json.loads(same.stdout) == figures
    shown = run_corridor("model", "show", "cdd-imports:1", "--json", database_url=url)
    (kept,) = json.loads(shown.stdout)["metrics"]["evaluations"]
    assert kept["precision_at"] == figures["precision_at"]
    assert kept["data"]["files"][0]["name"] == "cdd.csv"


def test_the_lifecycle_by_the_command_with_four_eyes(
    trained: tuple[str, Path, dict[str, object]],
) -> None:
    url, _data, _printed = trained

    def model(*args: str, user: str = "approver") -> tuple[int, str, str]:
        done = run_corridor("model", *args, database_url=url, env={"LOGNAME": user})
        return done.returncode, done.stdout, done.stderr

    code, _out, err = model("approve", "cdd-imports:1", user="author")
    assert code == CONFLICT
    assert "four eyes: cli:author registered model cdd-imports v1" in err
    code, out, _err = model("approve", "cdd-imports:1")
    assert (code, out.strip()) == (0, "cdd-imports v1 is approved")
    assert model("shadow", "cdd-imports:1")[:2] == (0, "cdd-imports v1 is shadow\n")
    assert model("activate", "cdd-imports:1")[:2] == (0, "cdd-imports v1 is active\n")
    code, _out, err = model("approve", "cdd-imports")
    assert code == 2
    assert "NAME:VERSION" in err
    code, out, _err = model("show", "cdd-imports:1", "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["created_by"], shown["approved_by"]) == (
        "active",
        "cli:author",
        "cli:approver",
    )
    code, _out, err = model("retire", "cdd-imports:1", "--reason", "x")
    assert code == 2
    assert "reason" in err
    code, out, _err = model("retire", "cdd-imports:1", "--reason", "replaced by a newer file")
    assert (code, out.strip()) == (0, "cdd-imports v1 is retired")
    code, out, _err = model("list", "--json")
    assert [(m["name"], m["version"], m["status"]) for m in json.loads(out)] == [
        ("cdd-imports", 1, "retired")
    ]
    code, _out, err = model("show", "other:1")
    assert code == 6
    assert "model other has no version 1" in err
