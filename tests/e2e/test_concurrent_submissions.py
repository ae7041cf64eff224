"""Amendments sent at once through a real server (SQLite and PostgreSQL): never a 500.

Thirty requests are released together against uvicorn on loopback; each runs in a
worker thread of the server with a connection of its own, so the look-first path of
submission (every version after the first) really races on the unique key
(number, version). The losers must answer from what the winner stored: 200 for the
identical content, 409 for different content or a version gap.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import DecisionRow, DeclarationRow
from tests.factories import declaration, item
from tests.live import serve
from tests.staff import seed_staff

AT_ONCE = 30
ROUNDS = (2, 3, 4)
NUMBER = "KGBSK/011026/0000001"


@dataclass(frozen=True)
class Answer:
    """One response: its status and JSON body."""

    status: int
    body: dict[str, Any]


@dataclass
class Server:
    """The application on loopback, and the clearance system's headers."""

    url: str
    headers: dict[str, str]

    def post(self, payload: dict[str, Any]) -> Answer:
        """POST one declaration (a fresh connection: as separate clients would)."""
        request = urllib.request.Request(
            f"{self.url}/api/v1/declarations",
            data=json.dumps(payload).encode(),
            headers={**self.headers, "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return Answer(response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            body = json.loads(text) if text.startswith("{") else {"text": text}
            return Answer(error.code, body)

    def post_at_once(self, payloads: Sequence[dict[str, Any]]) -> list[Answer]:
        """Send every payload at the same moment, one thread each; answers in order."""
        barrier = threading.Barrier(len(payloads))

        def send(payload: dict[str, Any]) -> Answer:
            barrier.wait()
            return self.post(payload)

        with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
            return list(pool.map(send, payloads))


@pytest.fixture
def server(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[Server]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    headers = seed_staff(session_factory).headers(Role.SYSTEM)
    url, stop = serve(app)
    try:
        yield Server(url, headers)
    finally:
        stop()


def stored(session_factory: sessionmaker[Session]) -> dict[int, tuple[str, bool]]:
    """Stored versions of the declaration: content hash, and whether it has a decision."""
    with session_factory() as session:
        rows = session.execute(
            select(DeclarationRow.version, DeclarationRow.content_hash, DecisionRow.id)
            .outerjoin(DecisionRow, DecisionRow.declaration_id == DeclarationRow.id)
            .where(DeclarationRow.number == NUMBER)
        ).all()
    return {
        version: (content_hash, decision is not None) for version, content_hash, decision in rows
    }


def statuses(answers: Sequence[Answer]) -> Counter[int]:
    return Counter(answer.status for answer in answers)


def test_identical_amendments_at_once_give_one_201_and_200s(
    server: Server, session_factory: sessionmaker[Session]
) -> None:
    assert server.post(declaration()).status == 201
    # Several rounds (versions 2, 3, 4): one burst may happen not to race on a given run.
    for version in ROUNDS:
        answers = server.post_at_once(
            [declaration(version=version, items=[item(1, description=f"v{version}")])] * AT_ONCE
        )
        assert statuses(answers) == {201: 1, 200: AT_ONCE - 1}, [a.body for a in answers]
        # Every answer is the one stored version, with its one decision.
        assert len({answer.body["id"] for answer in answers}) == 1
        assert len({answer.body["decision"]["channel"] for answer in answers}) == 1
        versions = stored(session_factory)
        assert sorted(versions) == list(range(1, version + 1))
        assert versions[version] == (answers[0].body["content_hash"], True)


def test_different_amendments_at_once_give_one_201_and_409s(
    server: Server, session_factory: sessionmaker[Session]
) -> None:
    assert server.post(declaration()).status == 201
    for version in ROUNDS:
        payloads = [
            declaration(version=version, items=[item(1, description=f"v{version}, lot {n}")])
            for n in range(AT_ONCE)
        ]
        answers = server.post_at_once(payloads)
        assert statuses(answers) == {201: 1, 409: AT_ONCE - 1}, [a.body for a in answers]
        (winner,) = [answer for answer in answers if answer.status == 201]
        for answer in answers:
            if answer.status == 409:
                assert answer.body["type"] == "declaration conflict"
                assert (
                    f"version {version} is already stored with different content; "
                    f"send the amendment as version {version + 1}"
                ) in answer.body["detail"]
        versions = stored(session_factory)
        assert sorted(versions) == list(range(1, version + 1))
        assert versions[version] == (winner.body["content_hash"], True)


def test_a_v2_v3_race_answers_201_200_or_409_only(
    server: Server, session_factory: sessionmaker[Session]
) -> None:
    # Half send the same version 2, half each a different version 3: version 3 is either
    # stored once (after version 2 was) or refused as a gap, depending on who wins.
    assert server.post(declaration()).status == 201
    half = AT_ONCE // 2
    v2 = [declaration(version=2, items=[item(1)])] * half
    v3 = [
        declaration(version=3, items=[item(1, description=f"passenger car, lot {n}")])
        for n in range(half)
    ]
    payloads = [payload for pair in zip(v2, v3, strict=True) for payload in pair]
    answers = server.post_at_once(payloads)
    second = [answer for payload, answer in zip(payloads, answers, strict=True) if payload in v2]
    third = [answer for payload, answer in zip(payloads, answers, strict=True) if payload in v3]
    assert statuses(second) == {201: 1, 200: half - 1}, [a.body for a in second]
    third_statuses = statuses(third)
    assert set(third_statuses) <= {201, 409}, [a.body for a in third]
    assert third_statuses[201] <= 1
    for answer in third:
        if answer.status == 409:
            assert answer.body["type"] == "declaration conflict"
            assert (
                "would leave a gap" in answer.body["detail"]
                or "version 3 is already stored with different content" in answer.body["detail"]
            ), answer.body
    versions = stored(session_factory)
    assert sorted(versions) == ([1, 2, 3] if third_statuses[201] else [1, 2])
    assert all(decided for _, decided in versions.values())
