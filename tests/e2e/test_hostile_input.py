"""Hostile input on filters, forms and bodies: a 4xx with the field named, nothing changed.

SQL fragments, script tags, control characters, oversized and malformed values
are sent to every filter of the listing routes and every field of the forms
(declarations, profiles, lists, users, units, tokens, sign-in), on SQLite and
PostgreSQL. The database must hold exactly what it held before. A body sent in
chunks (no length declared) beyond the limit is refused with 413, served by uvicorn;
Unicode bidirectional controls are refused in every kind of text field.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.tables import Base
from tests.factories import declaration
from tests.staff import Staff, seed_staff

INJECTIONS = [
    "' OR '1'='1' --",
    "'; DROP TABLE declarations; --",
    "<script>alert(1)</script>",
    "\x00\x01\x02",
    "../../etc/passwd",
]
HOSTILE = [
    *INJECTIONS,
    "A" * 10_000,  # (URLs are capped near 64 KiB by clients; forms get bigger ones)
    "𝕏" * 2000,
    "-1",
    "1e309",
    "NaN",
    "9" * 400,
]


#: Fields where quotes, brackets, slashes and digits are legitimate.
FREE_TEXT = {
    "title",
    "name",
    "full_name",
    "number",
    "declarant",
    "importer",
    "exporter",
    "vehicle_id",
}


@pytest.fixture
def setup(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[tuple[TestClient, Staff, Engine]]:
    staff = seed_staff(session_factory)
    app = create_app(
        Settings(database_url=database_url, max_request_bytes=1_000_000), engine=engine
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        stored = client.post(
            "/api/v1/declarations", json=declaration(), headers=staff.headers(Role.SYSTEM)
        )
        assert stored.status_code == 201
        yield client, staff, engine


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table except the journal of sign-ins."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("journal", "journal_head", "users", "login_sessions")
        }


def assert_refused(response: Any, where: str) -> None:
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code == 422:
        body = response.json()
        assert body["errors"], f"{where}: no field named"
        assert all(e["loc"] for e in body["errors"])


def test_hostile_filters_are_refused_or_match_nothing(
    setup: tuple[TestClient, Staff, Engine],
) -> None:
    client, staff, engine = setup
    before = snapshot(engine)
    analyst = staff.headers(Role.RISK_ANALYST)
    filters = {
        "/api/v1/declarations": [
            "office",
            "importer",
            "number",
            "flow",
            "cursor",
            "limit",
            "registered_from",
            "registered_to",
        ],
        "/api/v1/profiles": ["status", "kind"],
    }
    for path, names in filters.items():
        for name in names:
            for value in HOSTILE:
                response = client.get(path, params={name: value}, headers=analyst)
                where = f"{path}?{name}={value[:20]!r}"
                if response.status_code == 200:
                    items = response.json()
                    items = items["items"] if isinstance(items, dict) else items
                    if value in INJECTIONS:  # read literally, they match nothing
                        assert items == [], where
                else:
                    assert_refused(response, where)
    for value in INJECTIONS:
        value = quote(value, safe="")  # a client cannot put control characters in a path
        for path in ("/api/v1/declarations/{}", "/api/v1/profiles/{}", "/api/v1/lists/{}"):
            response = client.get(path.format(value), headers=analyst)
            assert response.status_code in (404, 422), f"{path} {value!r}"
    assert snapshot(engine) == before


def test_hostile_forms_are_refused_and_change_nothing(
    setup: tuple[TestClient, Staff, Engine],
) -> None:
    client, staff, engine = setup
    before = snapshot(engine)
    admin, analyst = staff.headers(Role.ADMINISTRATOR), staff.headers(Role.RISK_ANALYST)
    system = staff.headers(Role.SYSTEM)
    profile = {
        "code": "NAT-2026-0100",
        "title": "Valid title",
        "risk_area": "valuation",
        "criteria": 'origin = "CN"',
        "measures": [{"code": "109"}],
    }
    forms: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("/api/v1/profiles", profile, analyst),
        ("/api/v1/lists", {"name": "GOOD_NAME", "kind": "countries", "entries": [["CN"]]}, analyst),
        (
            "/api/v1/units",
            {
                "code": "POST-9",
                "name": "A post",
                "kind": "post",
                "parent": "REG-N",
                "offices": ["KGXYZ"],
            },
            admin,
        ),
        (
            "/api/v1/users",
            {"username": "new.user", "full_name": "New User", "unit": "HQ", "roles": ["viewer"]},
            admin,
        ),
        ("/api/v1/declarations", declaration(number="KGBSK/011026/0000777"), system),
    ]
    for path, valid, headers in forms:
        for field in valid:
            for value in [*HOSTILE, "B" * 300_000]:
                body = {**valid, field: value}
                response = client.post(path, json=body, headers=headers)
                where = f"POST {path} {field}={value[:20]!r}"
                if response.status_code in (200, 201):
                    # Accepted only where the value is a legitimate free text or
                    # identifier, and never with control characters.
                    assert field in FREE_TEXT, where
                    assert value.isprintable(), where
                    continue
                assert_refused(response, where)
        assert_refused(
            client.post(
                path, content=b"{not json", headers={**headers, "content-type": "application/json"}
            ),
            f"{path} malformed JSON",
        )
        assert_refused(client.post(path, json=[1, 2, 3], headers=headers), f"{path} a list")
    huge = client.post(
        "/api/v1/declarations",
        content=b"x" * 2_000_000,
        headers={**system, "content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["type"] == "request too large"
    after = snapshot(engine)
    created_by_free_text = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert set(created_by_free_text) <= {
        "profile_versions",
        "profile_transitions",
        "units",
        "declarations",
        "declaration_items",
        "decisions",
        "user_roles",
    }, created_by_free_text


def test_hostile_sign_in_is_refused(setup: tuple[TestClient, Staff, Engine]) -> None:
    client, _, _ = setup
    for value in HOSTILE:
        response = client.post("/api/v1/auth/login", json={"username": value, "password": value})
        assert response.status_code in (401, 422, 429), repr(value[:20])
    assert client.get("/api/v1/auth/me").status_code == 401


# --------------------------------------------------------------------------- chunked bodies


def _serve(app: Any) -> tuple[int, Callable[[], None]]:
    """The application under uvicorn on a loopback port: (port, stop)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start in 30 s"
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)

    return port, stop


def _chunked_post(port: int, path: str, headers: dict[str, str], chunks: list[bytes]) -> bytes:
    """POST with ``Transfer-Encoding: chunked`` framed by hand (no Content-Length at all);
    the raw response."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Transfer-Encoding: chunked"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += ["Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall("\r\n".join(head).encode())
        framed = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for chunk in chunks]
        try:
            for chunk in [*framed, b"0\r\n\r\n"]:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before the body ended; its answer is read below
        received = b""
        while data := connection.recv(65536):
            received += data
    return received


def test_a_chunked_body_over_the_limit_is_413(
    engine: Engine, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    staff = seed_staff(session_factory)
    app = create_app(Settings(database_url=database_url, max_request_bytes=20_000), engine=engine)
    port, stop = _serve(app)
    try:
        headers = {**staff.headers(Role.SYSTEM), "Content-Type": "application/json"}
        small = json.dumps(declaration(number="KGBSK/011026/0000888")).encode()
        accepted = _chunked_post(port, "/api/v1/declarations", headers, [small[:500], small[500:]])
        assert accepted.startswith(b"HTTP/1.1 201"), accepted[:300]

        before = snapshot(engine)
        for path, extra in (
            ("/api/v1/declarations", {}),
            ("/api/v1/auth/login", {}),
            ("/api/v1/lists/ANY/csv", {"Content-Type": "text/csv"}),
        ):
            answer = _chunked_post(port, path, {**headers, **extra}, [b"x" * 15_000] * 2)
            status, _, body = answer.partition(b"\r\n\r\n")
            assert status.startswith(b"HTTP/1.1 413"), (path, answer[:300])
            error = json.loads(body)
            assert error["type"] == "request too large", path
            assert error["detail"] == "the request body exceeds 20,000 bytes"
        assert snapshot(engine) == before
    finally:
        stop()


# --------------------------------------------------------------------------- bidi controls

#: Embeddings, overrides, isolates and marks (U+202E is the one that reverses text).
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]  # fmt: skip


def test_bidirectional_controls_are_refused_in_every_text_field(
    setup: tuple[TestClient, Staff, Engine],
) -> None:
    client, staff, engine = setup
    before = snapshot(engine)
    analyst, system = staff.headers(Role.RISK_ANALYST), staff.headers(Role.SYSTEM)
    assert (
        client.post(
            "/api/v1/lists",
            json={"name": "WATCH_BIDI", "kind": "companies", "entries": [["KG1"]]},
            headers=analyst,
        ).status_code
        == 201
    )
    before = snapshot(engine)
    profile = {
        "code": "NAT-2026-0101",
        "title": "Cars under-valued",
        "risk_area": "valuation",
        "criteria": 'origin = "CN"',
        "measures": [{"code": "109"}],
        "officer_instructions": "Compare the invoice.",
        "rationale": "Seen at the border.",
    }
    for character in BIDI:
        text = f"exe.{character}gnp"
        code = f"U+{ord(character):04X}"
        expected = f"bidirectional control character {code} is not allowed"
        goods = declaration(number="KGBSK/011026/0000999")
        goods["items"][0]["description"] = f"passenger car {text}"
        cases: list[tuple[str, dict[str, Any], dict[str, str], list[Any]]] = [
            ("/api/v1/declarations", goods, system, ["items", 0, "description"]),
            (
                "/api/v1/declarations",
                {**declaration(number="KGBSK/011026/0000998"), "vehicle_id": f"01KG{character}1"},
                system,
                ["vehicle_id"],
            ),
            (
                "/api/v1/declarations",
                {**declaration(number="KGBSK/011026/0000997"), "attributes": {"seller": text}},
                system,
                ["attributes"],
            ),
        ]
        cases += [
            ("/api/v1/profiles", {**profile, name: text}, analyst, [name])
            for name in ("title", "officer_instructions", "rationale")
        ]
        cases.append(
            (
                "/api/v1/profiles",
                {**profile, "criteria": f'origin = "C{character}N"'},
                analyst,
                ["criteria"],
            )
        )
        cases.append(
            (
                "/api/v1/lists",
                {"name": "WATCH_TWO", "kind": "companies", "description": text},
                analyst,
                ["description"],
            )
        )
        cases.append(
            (
                "/api/v1/lists",
                {"name": "WATCH_TWO", "kind": "companies", "entries": [[f"KG{character}2"]]},
                analyst,
                ["entries"],
            )
        )
        for path, body, headers, loc in cases:
            response = client.post(path, json=body, headers=headers)
            assert response.status_code == 422, (path, loc, code, response.text)
            errors = response.json()["errors"]
            where = ["body", *loc]
            assert any(e["loc"][: len(where)] == where and expected in e["msg"] for e in errors), (
                path,
                code,
                errors,
            )
        upload = client.post(
            "/api/v1/lists/WATCH_BIDI/csv",
            content=f"importer\nKG{character}3\n".encode(),
            headers={**analyst, "content-type": "text/csv"},
        )
        assert upload.status_code == 422, upload.text
        assert upload.json()["errors"] == [{"loc": ["row", 1, "importer"], "msg": expected}]
        commented = client.post(
            "/api/v1/lists/WATCH_BIDI/csv",
            params={"comment": f"weekly {character}update"},
            content=b"importer\nKG4\n",
            headers={**analyst, "content-type": "text/csv"},
        )
        assert commented.status_code == 422, commented.text
        assert commented.json()["errors"] == [{"loc": ["query", "comment"], "msg": expected}]
    assert snapshot(engine) == before
    # Right-to-left letters are text like any other: only the controls are refused.
    arabic = client.post(
        "/api/v1/profiles", json={**profile, "title": "سيارات مستوردة"}, headers=analyst
    )
    assert arabic.status_code == 201, arabic.text
