"""The dashboard page: key figures of the user's offices, read from its tables (SQLite and
PostgreSQL).

The world: the cars profile selects every car (physical examination), and every
import at Osh is drawn for random control into red. The clearance system lodges
declarations registered yesterday through the API; the posts' inspectors record
their acts through the API. Every figure below is counted by hand from that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.analytics import stats
from corridor.analytics.schemas import CUSTOMS_TIME
from corridor.analytics.web import LIFT_NOTES
from corridor.app import create_app
from corridor.config import Settings
from corridor.web.state import state_of
from tests.factories import declaration, item
from tests.integration.inspections.world import act, activate_cars, nothing_found, random_control
from tests.staff import Staff, seed_staff
from tests.web import sign_in

YESTERDAY = datetime.now(CUSTOMS_TIME).date() - timedelta(days=1)
REGISTERED = f"{YESTERDAY.isoformat()}T09:30:00+06:00"
INSPECTED = f"{YESTERDAY.isoformat()}T14:10:00+06:00"
SHOES = [item(1, hs_code="6403990000", description="leather shoes")]


class Tables(HTMLParser):
    """The text of every body cell of every ``<table id=…>``, and of every element with an id
    starting with ``fig-`` (the key figures), as a page shows them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._table: str | None = None
        self._body = False
        self._cell: list[str] | None = None
        self._figure: tuple[str, int] | None = None
        self._depth = 0
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._depth += 1
        if tag == "table" and found.get("id"):
            self._table = found["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table and self._body:
            self.tables[self._table].append([])
        elif tag == "tbody":
            self._body = True
        elif tag in ("td", "th") and self._table and self._body:
            self._cell = []
        elif tag == "div" and (found.get("id") or "").startswith("fig-"):
            self._figure = (str(found["id"])[4:], self._depth)
            self.figures[self._figure[0]] = ""
        elif tag == "select":
            self._select = found.get("name")
            self.options[self._select or ""] = []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "tbody":
            self._body = False
        elif tag == "select":
            self._select = None
        if self._figure and self._figure[1] == self._depth:
            self.figures[self._figure[0]] = " ".join(self.figures[self._figure[0]].split())
            self._figure = None
        self._depth -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._depth += 1
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._figure is not None:
            self.figures[self._figure[0]] += " " + data

    def rows(self, table: str) -> dict[str, list[str]]:
        """The body rows of a table by their first cell."""
        return {row[0]: row[1:] for row in self.tables[table] if row and row[0]}


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile changes at once
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def lodge(client: TestClient, staff: Staff, number: str, **changes: Any) -> str:
    """A declaration registered yesterday, submitted by the clearance system: its channel."""
    body = declaration(number, registered_at=REGISTERED, **changes)
    response = client.post("/api/v1/declarations", json=body, headers=staff.headers(Role.SYSTEM))
    assert response.status_code == 201, response.text
    channel: str = response.json()["decision"]["channel"]
    return channel


def record(client: TestClient, staff: Staff, body: dict[str, Any], who: str) -> None:
    response = client.post(
        "/api/v1/inspection-acts",
        json={**body, "inspected_at": INSPECTED},
        headers=staff.headers(who),
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def staff(client: TestClient, session_factory: sessionmaker[Session]) -> Staff:
    """Bishkek: two cars (red by the profile: one hit, one found in order) and shoes
    (green). Osh: shoes drawn for random control (red, inspected, nothing found)."""
    found = seed_staff(session_factory)
    activate_cars(session_factory)
    random_control(session_factory, office="KGOSH")
    assert lodge(client, found, "KGBSK/A/1") == "red"
    assert lodge(client, found, "KGBSK/A/2") == "red"
    assert lodge(client, found, "KGBSK/A/3", items=SHOES) == "green"
    assert lodge(client, found, "KGOSH/A/1", office="KGOSH", items=SHOES) == "red"
    record(client, found, act("KGBSK/A/1"), "inspector.post1")
    record(client, found, nothing_found("KGBSK/A/2"), "inspector.post1")
    shoes_act = nothing_found("KGOSH/A/1", measures=[{"code": "109", "status": "applied"}])
    record(client, found, shoes_act, "inspector.post2")
    return found


def test_an_analyst_sees_the_key_figures_of_every_office(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get("/dashboard")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = Tables(response.text)
    assert page.figures["declarations"] == "Declarations 4"
    assert page.figures["red"] == "red share of declarations 75.0% declarations: 3"
    assert page.figures["green"] == "green share of declarations 25.0% declarations: 1"
    assert page.figures["physical"] == "Physical inspection rate 75.0%"
    assert page.figures["targeted"].startswith(
        "Hit rate of profile selections 50.0% inspected: 2, hits: 1"
    )
    assert page.figures["random"].startswith(
        "Hit rate of random control 0.0% inspected: 1, hits: 0"
    )
    # No hit in the random control group: no lift, and the page says why.
    assert page.figures["lift"].startswith("Lift (targeted over random) —")
    assert "no hit in the random control group" in page.figures["lift"]
    assert page.figures["duties"].startswith("Additional duties, KGS 48,500.00 inspections: 3")
    offices = page.rows("table-offices")
    # office: declarations, red, yellow, blue, green, physical inspection rate
    assert offices["KGBSK"] == ["3", "2", "0", "0", "1", "66.7%"]
    assert offices["KGOSH"] == ["1", "1", "0", "0", "0", "100.0%"]
    hits = page.rows("table-hits")
    # office: targeted inspected, hits, rate, CI; random inspected, hits, rate, CI; lift, CI
    assert hits["All offices"][:3] == ["2", "1", "50.0%"]
    assert hits["All offices"][4:7] == ["1", "0", "0.0%"]
    assert hits["KGBSK"][:3] == ["2", "1", "50.0%"]
    assert hits["KGOSH"][4:7] == ["1", "0", "0.0%"]
    days = page.rows("table-days")
    assert list(days.values()) == [["4", "3", "0", "0", "1"]]
    assert page.options["office"] == ["", "KGBSK", "KGOSH"]
    # The charts are data blocks drawn by the page's own script (no inline code).
    assert '<script type="application/json" id="chart-days-data">' in response.text
    assert "#b3261e" in response.text
    assert "<script>" not in response.text
    profiles = page.rows("table-profiles")
    assert profiles["NAT-2026-0100/1"][1:6] == ["2", "2", "2", "1", "50.0%"]


def test_the_office_filter_narrows_the_figures(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, Role.VIEWER)
    osh = Tables(client.get("/dashboard", params={"office": "KGOSH"}).text)
    assert osh.figures["declarations"] == "Declarations 1"
    assert osh.figures["red"].startswith("red share of declarations 100.0%")
    assert osh.figures["targeted"].startswith(
        "Hit rate of profile selections — inspected: 0, hits: 0"
    )
    assert list(osh.rows("table-days").values()) == [["1", "1", "0", "0", "0"]]
    assert list(osh.rows("table-hits")) == ["KGOSH", "All offices"]
    assert (
        "No profile matched a declaration in this period."
        in client.get("/dashboard", params={"office": "KGOSH"}).text
    )
    bishkek = Tables(client.get("/dashboard", params={"office": "KGBSK", "days": 7}).text)
    assert bishkek.figures["declarations"] == "Declarations 3"
    assert bishkek.rows("table-profiles")["NAT-2026-0100/1"][4] == "1"
    # A period without declarations says so.
    empty = client.get("/dashboard", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert empty.status_code == 200
    assert "No declaration was registered in this period." in empty.text
    assert "fig-declarations" not in empty.text


def test_a_regional_coordinator_sees_only_the_offices_of_the_region(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, "coordinator.north")  # REG-N: KGBSK only
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = Tables(response.text)
    assert page.options["office"] == ["", "KGBSK"]
    assert page.figures["declarations"] == "Declarations 3"
    assert list(page.rows("table-offices")) == ["KGBSK"]
    assert "KGOSH" not in response.text
    outside = client.get("/dashboard", params={"office": "KGOSH"})
    assert outside.status_code == 422
    assert "Choose one of your offices." in outside.text
    assert "fig-declarations" not in outside.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-10-31", "to": "2026-10-01"}, "The last day must not be before the first."),
        ({"from": "31.10.2026", "to": "2026-11-01"}, "Enter a date as YYYY-MM-DD."),
        ({"from": "2026-10-01"}, "Enter the last day too."),
        ({"from": "2020-01-01", "to": "2026-10-01"}, "The period must not exceed 1096 days."),
        ({"from": "1999-12-31", "to": "2000-01-31"}, "The first day must be in 2000 or later."),
        ({"office": "kgbsk"}, "Choose one of your offices."),
    ],
)
def test_a_bad_filter_is_422_with_the_message_beside_the_field(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    params: dict[str, str],
    message: str,
) -> None:
    sign_in(client, session_factory, staff, Role.APPROVER)
    response = client.get("/dashboard", params=params)
    assert response.status_code == 422
    assert '<small class="error"' in response.text
    assert message in response.text


@pytest.mark.parametrize("query", ["days=0", "days=5000", "office=" + "X" * 40, "from=" + "1" * 20])
def test_out_of_bounds_parameters_are_an_html_422(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], query: str
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("who", [Role.INSPECTOR, Role.ADMINISTRATOR, Role.SYSTEM])
def test_roles_without_analytics_get_403(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], who: Role
) -> None:
    sign_in(client, session_factory, staff, who)
    response = client.get("/dashboard")
    assert response.status_code == 403
    assert "Not allowed" in response.text
    assert "fig-declarations" not in response.text


def test_the_dashboard_reads_russian(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    switched = client.post("/language", data={"language": "ru", "next": "/", "csrf_token": csrf})
    assert switched.status_code == 303
    text = client.get("/dashboard").text
    page = Tables(text)
    assert page.figures["declarations"] == "Декларации 4"
    assert page.figures["duties"] == "Доначислено платежей, сом 48 500,00 досмотров: 3"
    assert "в контрольной группе случайного отбора нарушения не выявлены" in page.figures["lift"]
    assert "Все таможни" in page.rows("table-hits")
    assert "Декларации по дням и каналам" in text


def test_every_lift_note_of_the_service_is_translated() -> None:
    notes = {
        stats.lift(0, 0, 1, 2).note,
        stats.lift(1, 2, 0, 0).note,
        stats.lift(1, 2, 0, 2).note,
        stats.lift(0, 2, 1, 2).note,
    }
    assert notes == set(LIFT_NOTES)
