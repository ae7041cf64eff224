"""The journal pages: entries with filters and paging, the same confidentiality as the
API, and the chain's verification, intact and tampered with (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import UnitCreate
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.journal.web import REASONS
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ReferenceListCreate
from tests.e2e.test_web_dashboard import Tables
from tests.integration.inspections.world import activate_cars
from tests.staff import Staff, seed_staff
from tests.web import sign_in

CRITERIA = 'hs_code startswith ["8703"]'  # the cars profile of tests/integration/inspections
RATIONALE = "every car is looked at in these tests"


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    """The staff (5 units, users and their tokens), the cars profile drafted, approved and
    activated, and a confidential list kept by the intelligence officer."""
    found = seed_staff(session_factory)
    activate_cars(session_factory)
    with UnitOfWork(session_factory) as uow:
        profiles_service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(
                name="SUSPECTS", kind="companies", confidential=True, entries=[["01503200710021"]]
            ),
            actor="intelligence_officer",
        )
        uow.commit()
    return found


def journal_rows(html: str) -> list[list[str]]:
    """The journal table's rows: number, time, actor, action, object, change."""
    return Tables(html).tables.get("journal", [])


def test_the_journal_lists_entries_newest_first_and_filters_them(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    response = client.get("/journal")
    assert response.status_code == 200, response.text
    rows = journal_rows(response.text)
    numbers = [int(row[0]) for row in rows]
    assert numbers == sorted(numbers, reverse=True)
    with UnitOfWork(session_factory) as uow:
        seqs = [
            e.seq
            for e in journal_service.entries(
                uow=uow, include_confidential=False, cursor=None, limit=50
            ).items
        ]
    assert numbers == seqs  # one page: every entry but the confidential one
    assert 'rel="next"' not in response.text

    units = journal_rows(client.get("/journal", params={"action": "unit.create"}).text)
    assert [row[3] for row in units] == ["unit.create"] * 5
    assert [row[4] for row in units] == [
        f"unit {code}" for code in ("POST-2", "POST-1", "REG-S", "REG-N", "HQ")
    ]
    assert units[0][5].startswith("details")
    by_actor = journal_rows(
        client.get("/journal", params={"actor": "b.approver", "object_type": "profile"}).text
    )
    assert [row[3] for row in by_actor] == ["profile.activate", "profile.approve"]
    # A change names what changed and shows both states.
    assert by_actor[0][5].startswith("changed: ")
    assert "status" in by_actor[0][5].split("Before")[0]
    assert '"status": "active"' in by_actor[0][5]
    one = journal_rows(
        client.get("/journal", params={"object_type": "user", "object_id": "viewer"}).text
    )
    assert [row[3] for row in one] == ["user.create"]
    nothing = client.get("/journal", params={"action": "no.such", "from": "2000-01-01"})
    assert "No journal entry matches these filters." in nothing.text


def test_days_filter_in_local_time(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, Role.APPROVER)
    with UnitOfWork(session_factory) as uow:
        newest = journal_service.entries(
            uow=uow, include_confidential=True, cursor=None, limit=1
        ).items[0]
    day = newest.at.astimezone(ZoneInfo("Asia/Bishkek")).date().isoformat()
    today = journal_rows(client.get("/journal", params={"from": day, "to": day}).text)
    assert today
    assert today[0][0] == str(newest.seq)
    before = client.get("/journal", params={"to": "2020-01-01"})
    assert journal_rows(before.text) == []


def test_criteria_and_intelligence_entries_as_the_api_shows_them(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    # The administrator reads the journal but is cleared neither for criteria nor for
    # intelligence: the profile's criteria and rationale are hidden, the list's entry absent.
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    page = client.get("/journal", params={"object_type": "profile"})
    assert page.status_code == 200
    assert "profile.create" in page.text
    assert "(confidential)" in page.text
    assert "8703" not in page.text
    assert RATIONALE not in page.text
    everything = client.get("/journal").text
    assert "SUSPECTS" not in everything
    assert "01503200710021" not in everything
    api = client.get(
        "/api/v1/journal", params={"limit": 50}, headers=staff.headers("administrator")
    )
    shown = {row[0] for row in journal_rows(everything)}
    assert shown == {str(entry["seq"]) for entry in api.json()["items"]}

    # The approver is cleared for both.
    sign_in(client, session_factory, staff, Role.APPROVER)
    cleared = client.get("/journal", params={"object_type": "profile"}).text
    assert "hs_code startswith" in cleared
    assert RATIONALE in cleared
    suspects = client.get("/journal", params={"object_type": "list"}).text
    assert "SUSPECTS" in suspects
    assert "confidential" in suspects


def test_verify_says_intact_then_names_the_tampered_entry(
    client: TestClient, engine: Engine, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    sign_in(client, session_factory, staff, Role.APPROVER)
    intact = client.get("/journal/verify")
    assert intact.status_code == 200
    with UnitOfWork(session_factory) as uow:
        result = journal_service.verify(uow=uow)
        head = journal_service.entry(uow=uow, seq=result.last_seq)
    assert result.ok
    assert head is not None
    assert "The chain is intact." in intact.text
    assert 'class="alert ok"' in intact.text
    assert f"<dd>{result.entries}</dd>" in intact.text
    assert head.hash in intact.text

    with engine.begin() as connection:
        connection.execute(text("UPDATE journal SET actor = 'mallory' WHERE seq = 7"))
    broken = client.get("/journal/verify")
    assert broken.status_code == 200
    assert 'class="alert error"' in broken.text
    assert "The chain is broken at entry 7." in broken.text
    assert "Entry 7 was altered after it was written." in broken.text
    assert "The chain is intact." not in broken.text
    assert head.hash not in broken.text
    assert 'href="/journal?cursor=8"' in broken.text


def test_verify_reads_russian(
    client: TestClient, engine: Engine, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="administrator", language="ru")
        uow.commit()
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    assert "Цепочка записей не нарушена." in client.get("/journal/verify").text
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM journal WHERE seq = 3"))
    broken = client.get("/journal/verify").text
    assert "Цепочка записей нарушена на записи 3." in broken
    assert "Запись 3 отсутствует (следующая — 4)." in broken
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM journal WHERE seq > 1"))
        connection.execute(
            text("UPDATE journal_head SET seq = 1, hash = (SELECT hash FROM journal WHERE seq = 1)")
        )
    moved = client.get("/journal/verify").text
    assert (
        "Голова журнала (запись 1) не подписана ключом журнала: её переместили или"
        " переписали в обход приложения." in moved
    )


def test_every_reason_of_the_verifier_is_recognised() -> None:
    reasons = [
        "entry 4 is missing (next is 6)",
        "entry 4 does not link to entry 3",
        "entry 4 was altered after it was written",
        "entries 4 to 9 are missing (the newest)",
        "entries 4 to 9 are not in the journal head (entry 3): they were inserted without it",
        "entry 4 is not the entry the journal head recorded",
        "entry 4 was hashed without the journal key",
        "the journal head (entry 4) is not signed with the journal key: it was moved or"
        " rewritten outside corridor",
        "the journal head is not signed: entries 1 to 4 were written before the journal was"
        " keyed; the next entry signs them",
        "the journal head is missing",
    ]
    for reason, (pattern, _message) in zip(reasons, REASONS, strict=True):
        assert pattern.fullmatch(reason), reason


@pytest.mark.parametrize(
    "who", [Role.VIEWER, Role.RISK_ANALYST, Role.INSPECTOR, "coordinator.north"]
)
def test_roles_without_the_journal_get_403(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], who: Role | str
) -> None:
    sign_in(client, session_factory, staff, who)
    for url in ("/journal", "/journal/verify"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in response.text
        assert "unit.create" not in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "Enter a date as YYYY-MM-DD."),
        ("from=2026-10-02&to=2026-10-01", "The last day must not be before the first."),
    ],
)
def test_a_bad_filter_is_422_with_its_message(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    query: str,
    message: str,
) -> None:
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    response = client.get(f"/journal?{query}")
    assert response.status_code == 422
    assert message in response.text
    assert journal_rows(response.text) == []


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=" + "9" * 19, "actor=" + "a" * 61])
def test_out_of_bounds_parameters_are_an_html_422(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], query: str
) -> None:
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    response = client.get(f"/journal?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")


def test_more_entries_than_a_page_are_paged_by_cursor(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    with UnitOfWork(session_factory) as uow:
        for n in range(60):
            accounts_service.create_unit(
                uow=uow,
                unit_in=UnitCreate(code=f"POST-X{n}", name=f"Post {n}", kind="post", parent="HQ"),
                actor="administrator",
            )
        uow.commit()
    sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    first = client.get("/journal", params={"action": "unit.create"}).text
    rows = journal_rows(first)
    assert len(rows) == 50
    assert rows[0][4] == "unit POST-X59"
    found = re.search(r'href="([^"]+)" rel="next"', first)
    assert found is not None
    assert "action=unit.create" in found.group(1)
    second = journal_rows(client.get(found.group(1).replace("&amp;", "&")).text)
    assert len(second) == 15
    assert second[0][0] == str(int(rows[-1][0]) - 1)
    assert second[-1][4] == "unit HQ"
    assert 'rel="next"' not in client.get(found.group(1).replace("&amp;", "&")).text
    older = journal_rows(client.get("/journal", params={"cursor": "4"}).text)
    assert [row[0] for row in older] == ["3", "2", "1"]


def test_a_change_refused_for_a_missing_journal_head_is_told_in_russian_on_the_page(
    client: TestClient, engine: Engine, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="administrator", language="ru")
        uow.commit()
    csrf = sign_in(client, session_factory, staff, Role.ADMINISTRATOR)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM journal_head"))
    unit = {"code": "POST-9", "name": "Post nine", "kind": "post", "parent": "REG-N"}
    refused = client.post("/admin/units", data={**unit, "csrf_token": csrf})
    assert refused.status_code == 503
    assert (
        "голова журнала отсутствует (удалена в обход corridor); состояние журнала показывает "
        "команда `corridor journal verify`"
    ) in refused.text.replace("&#96;", "`")
    api = client.post("/api/v1/units", json=unit, headers=staff.headers(Role.ADMINISTRATOR))
    assert api.status_code == 503
    assert api.json()["detail"] == (
        "the journal head is missing (deleted outside corridor); "
        "`corridor journal verify` reports the journal's state"
    )
    with UnitOfWork(session_factory) as uow:
        assert "POST-9" not in {unit.code for unit in accounts_service.list_units(uow=uow)}
