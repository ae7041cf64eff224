"""``corridor postentry …`` on the test database (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from click.testing import Result
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.config import get_settings
from corridor.errors import Conflict, InvalidInput
from corridor.postentry.cli import app
from tests.integration.postentry.world import A, B, C, build


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def postentry(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"CORRIDOR_DATABASE_URL": url, "COLUMNS": "250"})


def flat(result: Result) -> str:
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def test_candidates_then_a_plan_built_approved_and_listed(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    build(session_factory)
    october = ("--from", "2026-10-01", "--to", "2026-10-31")
    ranked = postentry(database_url, "candidates", "--unit", "POST-1", *october)
    assert ranked.exit_code == 0, ranked.output
    shown = flat(ranked)
    assert "3 importers released green or blue at POST-1" in shown
    assert shown.index(A) < shown.index(C) < shown.index(B)
    as_json = postentry(database_url, "candidates", "--unit", "POST-1", "--json", *october)
    assert [c["tin"] for c in json.loads(as_json.output)["candidates"]] == [A, C, B]
    # Head office by default: every office.
    everywhere = postentry(database_url, "candidates", "--json", *october)
    assert len(json.loads(everywhere.output)["candidates"]) == 4

    built = postentry(
        database_url, "plan", "create", "--unit", "POST-1", "--capacity", "2", *october
    )
    assert built.exit_code == 0, built.output
    assert "audit plan 1 (draft) of POST-1 for 2026-10-01 to 2026-10-31: 2 of 2 audits" in flat(
        built
    )
    again = postentry(
        database_url, "plan", "create", "--unit", "POST-1", "--capacity", "2", *october
    )
    assert isinstance(again.exception, Conflict)
    zero = postentry(database_url, "plan", "create", "--capacity", "0", *october)
    assert isinstance(zero.exception, InvalidInput)
    approved = postentry(database_url, "plan", "approve", "1")
    assert "audit plan 1 is approved" in flat(approved)
    listed = postentry(database_url, "plan", "list")
    assert "1 POST-1 2026-10-01 2026-10-31 2 2 0 approved" in flat(listed)
    shown_plan = postentry(database_url, "plan", "show", "1")
    assert "2 of 2 audits" in flat(shown_plan)
    assert A in flat(shown_plan)
    assert postentry(database_url, "cases").exit_code == 0
