"""``GET /api/v1/journal`` and ``/journal/verify`` through the real app.

Who may read the journal, what of it they see (intelligence material only for
those cleared), and how a bad query is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.journal import service as journal_service
from corridor.journal.schemas import JournalEntryRead
from tests.staff import Staff, seed_staff


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(database_url: str, engine: Engine, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url, token_cache_seconds=0), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def record(factory: sessionmaker[Session], object_id: str, *, confidential: bool) -> int:
    with UnitOfWork(factory) as uow:
        seq = journal_service.record(
            uow.session,
            actor="i.officer",
            action="profile.create",
            object_type="profile",
            object_id=object_id,
            after={"criteria": 'importer = "SECRET"'},
            confidential=confidential,
        ).seq
        uow.commit()
    return seq


def entries(client: TestClient, staff: Staff, who: Role, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/journal", params=params, headers=staff.headers(who))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_only_journal_readers_get_it(client: TestClient, staff: Staff) -> None:
    for role in Role:
        for path in ("/api/v1/journal", "/api/v1/journal/verify"):
            response = client.get(path, headers=staff.headers(role))
            expected = 200 if role in (Role.ADMINISTRATOR, Role.APPROVER) else 403
            assert response.status_code == expected, (role, path, response.text)
    assert client.get("/api/v1/journal").status_code == 401


def test_confidential_entries_only_for_those_cleared_for_intelligence(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    open_seq = record(session_factory, "NAT-1/1", confidential=False)
    secret_seq = record(session_factory, "TGT-1/1", confidential=True)
    # The approver is cleared for intelligence; the administrator is not.
    cleared = entries(client, staff, Role.APPROVER, object_type="profile")
    assert [e["seq"] for e in cleared] == [secret_seq, open_seq]
    assert cleared[0]["confidential"] is True
    assert cleared[0]["after"] == {"criteria": 'importer = "SECRET"'}
    uncleared = entries(client, staff, Role.ADMINISTRATOR, object_type="profile")
    assert [e["seq"] for e in uncleared] == [open_seq]
    assert entries(client, staff, Role.ADMINISTRATOR, object_id="TGT-1/1") == []
    every = entries(client, staff, Role.ADMINISTRATOR, limit=500)
    assert secret_seq not in {e["seq"] for e in every}
    assert set(uncleared[0]) == set(JournalEntryRead.model_fields)


def test_pages_and_filters(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> None:
    seqs = [record(session_factory, f"NAT-{n}/1", confidential=False) for n in range(5)]
    headers = staff.headers(Role.ADMINISTRATOR)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"object_type": "profile", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        body = client.get("/api/v1/journal", params=params, headers=headers).json()
        seen += [e["seq"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == seqs[::-1]
    window = entries(
        client,
        staff,
        Role.ADMINISTRATOR,
        actor="i.officer",
        since="2000-01-01T00:00:00Z",
        until="2999-01-01T00:00:00+05:00",
    )
    assert [e["seq"] for e in window] == seqs[::-1]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"cursor": "abc"}, ["cursor"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 501}, ["query", "limit"]),
        ({"since": "2026-03-01T08:00:00"}, ["query", "since"]),
        ({"until": "yesterday"}, ["query", "until"]),
        ({"actor": "x" * 61}, ["query", "actor"]),
        ({"object_id": "x" * 201}, ["query", "object_id"]),
    ],
)
def test_a_bad_query_is_422_naming_the_field(
    client: TestClient, staff: Staff, params: dict[str, Any], loc: list[str]
) -> None:
    response = client.get("/api/v1/journal", params=params, headers=staff.headers("administrator"))
    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["errors"]] == [loc]


def test_verify_reports_a_broken_chain(
    client: TestClient, staff: Staff, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    headers = staff.headers(Role.APPROVER)
    seq = record(session_factory, "NAT-1/1", confidential=False)
    record(session_factory, "NAT-2/1", confidential=False)
    holds = client.get("/api/v1/journal/verify", headers=headers).json()
    assert holds == {
        "ok": True,
        "entries": seq + 1,
        "last_seq": seq + 1,
        "broken_at": None,
        "reason": "",
    }
    with engine.begin() as connection:
        connection.execute(text("UPDATE journal SET actor = 'mallory' WHERE seq = :s"), {"s": seq})
    broken = client.get("/api/v1/journal/verify", headers=headers).json()
    assert (broken["ok"], broken["broken_at"], broken["last_seq"]) == (False, seq, seq - 1)
    assert broken["reason"] == f"entry {seq} was altered after it was written"


def test_verify_reports_the_newest_entries_deleted_with_the_head_moved_back(
    client: TestClient, staff: Staff, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    headers = staff.headers(Role.APPROVER)
    seq = record(session_factory, "NAT-1/1", confidential=False)
    record(session_factory, "NAT-2/1", confidential=False)
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT hash FROM journal WHERE seq = :s"), {"s": seq})
        connection.execute(text("DELETE FROM journal WHERE seq > :s"), {"s": seq})
        connection.execute(
            text("UPDATE journal_head SET seq = :s, hash = :h"), {"s": seq, "h": kept.scalar()}
        )
    broken = client.get("/api/v1/journal/verify", headers=headers).json()
    assert (broken["ok"], broken["broken_at"], broken["last_seq"]) == (False, seq + 1, seq)
    assert broken["reason"] == (
        f"the journal head (entry {seq}) is not signed with the journal key:"
        " it was moved or rewritten outside corridor"
    )
