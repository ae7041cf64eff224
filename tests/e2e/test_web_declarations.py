"""The declaration pages: the list, one declaration with its decision, the re-route form
(SQLite and PostgreSQL).

What a page shows of a decision follows the API: analysts see every hit with its
profile, version, reason and draw; inspectors and the other restricted roles see
the channel, the measures and the officer instructions only; a post's users see
their offices only.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.declarations import web as declarations_web
from corridor.selectivity import service as selectivity_service
from corridor.web.i18n import format_number
from corridor.web.state import state_of
from tests.e2e.test_permissions import flat_routes
from tests.factories import declaration, item
from tests.integration.inspections.world import INSTRUCTIONS, activate_cars, random_control
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in, with_panels

CARS = "KGBSK/011026/0000001"  # a car at Bishkek: the cars profile sends it red
SHOES = "KGBSK/011026/0000003"  # no profile matches; random control sends it yellow
OSH = "KGOSH/011026/0000002"  # a car at Osh, outside the first post's offices
EXPORT = "KGBSK/011026/0000004"  # an export: no profile, no random control, green
REASON = "hs_code 8703231990 starts with 8703"
CRITERIA = 'hs_code startswith ["8703"]'
RATIONALE = "every car is looked at in these tests"


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


@pytest.fixture
def client(engine: Engine, database_url: str, staff: Staff) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), engine=engine)
    state_of(app).profile_sets._poll_seconds = 0  # see profile changes at once
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def lodge(client: TestClient, staff: Staff, number: str, **changes: Any) -> str:
    """Submit a declaration as the clearance system; its channel."""
    response = client.post(
        "/api/v1/declarations",
        json=declaration(number, **changes),
        headers=staff.headers(Role.SYSTEM),
    )
    assert response.status_code == 201, response.text
    channel: str = response.json()["decision"]["channel"]
    return channel


@pytest.fixture
def lodged(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session]
) -> dict[str, str]:
    """Four declarations: red, yellow (random), red at Osh, green (export); by number."""
    activate_cars(session_factory)
    random_control(session_factory, channel="yellow")
    channels = {
        CARS: lodge(client, staff, CARS),
        SHOES: lodge(
            client,
            staff,
            SHOES,
            registered_at="2026-10-02T10:00:00+06:00",
            items=[item(1, hs_code="6403990000", description="leather shoes")],
        ),
        OSH: lodge(client, staff, OSH, office="KGOSH"),
        EXPORT: lodge(
            client,
            staff,
            EXPORT,
            flow="EX",
            procedure="10",
            importer=None,
            items=[item(1, hs_code="0806101000", description="fresh grapes", origin="KG")],
        ),
    }
    assert channels == {CARS: "red", SHOES: "yellow", OSH: "red", EXPORT: "green"}
    return channels


def rows_of(page: str) -> list[str]:
    """The declaration numbers listed on a list page, in order."""
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return [part.split('">')[1].split("<")[0] for part in body.split('<a href="/declarations/')[1:]]


def decision_of(session_factory: sessionmaker[Session], number: str) -> Any:
    with UnitOfWork(session_factory) as uow:
        return selectivity_service.get_decision(uow=uow, number=number)


# --------------------------------------------------------------------------- the list


def test_the_list_shows_the_users_offices_with_channels_and_filters(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = client.get("/declarations")
    assert page.status_code == 200
    assert rows_of(page.text) == [EXPORT, OSH, SHOES, CARS]  # newest first
    assert page.text.count('class="badge ch-red"') == 2
    assert 'class="badge ch-yellow"' in page.text
    assert 'class="badge ch-green"' in page.text
    assert "2,088,000.00" in page.text  # the customs value of two cars

    assert rows_of(client.get("/declarations?channel=red").text) == [OSH, CARS]
    assert rows_of(client.get("/declarations?channel=yellow").text) == [SHOES]
    assert rows_of(client.get("/declarations?q=0000003").text) == [SHOES]
    assert rows_of(client.get("/declarations?q=kgosh").text) == [OSH]
    assert rows_of(client.get("/declarations?q=01503200710021").text) == [OSH, SHOES, CARS]
    assert rows_of(client.get("/declarations?office=KGOSH").text) == [OSH]
    assert rows_of(client.get("/declarations?flow=EX").text) == [EXPORT]
    # Dates are days of the installation's time zone, both included.
    assert rows_of(client.get("/declarations?from=2026-10-02&to=2026-10-02").text) == [SHOES]
    assert rows_of(client.get("/declarations?to=2026-10-01&flow=IM").text) == [OSH, CARS]
    empty = client.get("/declarations?from=2026-10-03")
    assert rows_of(empty.text) == []
    assert "No declaration matches the search." in empty.text
    # The filters stay in the form.
    assert 'value="KGOSH"' in client.get("/declarations?office=KGOSH").text

    # A post's inspector sees the post's offices only.
    sign_in(client, session_factory, staff, "inspector.post1")
    assert rows_of(client.get("/declarations").text) == [EXPORT, SHOES, CARS]
    assert rows_of(client.get("/declarations?office=KGOSH").text) == []


def test_the_list_pages_by_cursor(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(declarations_web, "PAGE_SIZE", 3)
    sign_in(client, session_factory, staff, Role.VIEWER)
    first = client.get("/declarations?flow=")
    assert rows_of(first.text) == [EXPORT, OSH, SHOES]
    next_url = html.unescape(first.text.split('rel="next"')[0].rsplit('href="', 1)[1][:-2])
    assert next_url.startswith("/declarations?")
    assert "cursor=" in next_url
    second = client.get(next_url)
    assert rows_of(second.text) == [CARS]
    assert 'rel="next"' not in second.text


@pytest.mark.parametrize(
    "query",
    [
        "channel=purple",
        "flow=XX",
        "from=2026-13-45",
        "to=01.10.2026",
        "cursor=abc",
        "office=" + "K" * 18,
        "q=" + "x" * 41,
    ],
)
def test_bad_filters_give_the_422_page(
    client: TestClient, staff: Staff, session_factory: sessionmaker[Session], query: str
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get(f"/declarations?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Invalid input" in response.text


# --------------------------------------------------------------------------- the detail


def test_an_analyst_sees_every_hit_with_profile_version_reason_and_draws(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    decision = decision_of(session_factory, CARS)
    hit_draw = format_number(decision.hits[0]["draw"], 4)
    random_draw = format_number(decision.random[0]["draw"], 4)
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    page = with_panels(client, f"/declarations/{CARS}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<a href="/profiles/NAT-2026-0100"><code>NAT-2026-0100</code></a> v1' in text
    assert REASON in text
    assert "Cars: examination and value check" in text
    assert hit_draw in text
    assert random_draw in text
    assert "Random control" in text
    assert INSTRUCTIONS in text
    assert 'class="badge ch-red"' in text
    # The goods items and the measures with what set them.
    assert "<code>8703231990</code>" in text
    assert "car parts" in text
    assert "physical examination of goods" in text
    assert "random control" in text  # measure 101 comes from the draw
    # Criteria and rationale belong on the profile's page, not here.
    assert CRITERIA not in text
    assert RATIONALE not in text


@pytest.mark.parametrize(
    "who", ["inspector.post1", Role.VIEWER, Role.POST_ENTRY_AUDITOR, Role.INSPECTOR]
)
def test_restricted_roles_see_channel_measures_and_instructions_only(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
    who: Role | str,
) -> None:
    decision = decision_of(session_factory, CARS)
    draws = [
        format_number(decision.hits[0]["draw"], 4),
        format_number(decision.random[0]["draw"], 4),
    ]
    sign_in(client, session_factory, staff, who)
    page = with_panels(client, f"/declarations/{CARS}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'class="badge ch-red"' in text
    assert "physical examination of goods" in text
    assert "<code>109</code>" in text
    assert INSTRUCTIONS in text
    assert "The reasons for the selection are shown to risk analysts only." in text
    for secret in (REASON, CRITERIA, RATIONALE, "NAT-2026-0100", "Random control", *draws):
        assert secret not in text, f"{secret!r} shown to {who}"
    assert "random control" not in text  # not even which measure the draw set


def test_the_page_is_a_frame_of_panels_served_by_the_packages_owning_them(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    owners = {
        "alerts": "corridor.postentry.web_alerts",
        "decision": "corridor.selectivity.web",
        "act": "corridor.inspections.web",
    }
    for route in flat_routes(client.app.routes):  # type: ignore[attr-defined]
        for name, module in owners.items():
            if route.path == f"/panels/{name}/{{number:path}}":
                assert route.endpoint.__module__ == module
                owners[name] = "served"
    assert set(owners.values()) == {"served"}
    sign_in(client, session_factory, staff, "inspector.post1")
    frame = client.get(f"/declarations/{CARS}")
    assert frame.status_code == 200
    for name in ("alerts", "decision", "act"):
        url = f"/panels/{name}/{CARS}?version=1"
        # htmx loads the panel; without JavaScript the placeholder is a link to it.
        assert f'hx-get="{url}" hx-trigger="load" hx-swap="outerHTML"' in frame.text
        assert f'<a href="{url}">' in frame.text
        fragment = client.get(url, headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        assert fragment.text.lstrip().startswith(("{#", "<div", '<div id="panel-'))
        assert "<html" not in fragment.text
        alone = client.get(url)  # the link followed: the panel as a page of its own
        assert alone.status_code == 200
        assert "<html" in alone.text
        assert f'<a href="/declarations/{CARS}?version=1">' in alone.text
        # Like the page: another office's declaration, or a version never lodged, is not found.
        assert client.get(f"/panels/{name}/{OSH}").status_code == 404
        assert client.get(f"/panels/{name}/{CARS}?version=2").status_code == 404
    # The decision is the panel's: the frame itself shows the channel and nothing of it.
    assert 'class="badge ch-red"' in frame.text
    assert "physical examination of goods" not in frame.text
    assert "physical examination of goods" in client.get(f"/panels/decision/{CARS}").text


def test_a_declaration_outside_the_users_offices_is_not_found(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    sign_in(client, session_factory, staff, "inspector.post1")
    hidden = with_panels(client, f"/declarations/{OSH}")
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("text/html")
    assert OSH in hidden.text  # the message names what was asked for, nothing more
    assert "8703231990" not in hidden.text
    assert with_panels(client, "/declarations/KGBSK/011026/7777777").status_code == 404
    assert with_panels(client, f"/declarations/{CARS}?version=2").status_code == 404
    assert with_panels(client, f"/declarations/{CARS}?version=0").status_code == 422
    sign_in(client, session_factory, staff, "inspector.post2")
    assert with_panels(client, f"/declarations/{OSH}").status_code == 200
    assert with_panels(client, f"/declarations/{CARS}").status_code == 404


def test_an_amended_declaration_shows_its_versions(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    amended = declaration(CARS, version=2, vehicle_id="01KG999ZZZ")
    response = client.post("/api/v1/declarations", json=amended, headers=staff.headers("system"))
    assert response.status_code == 201
    sign_in(client, session_factory, staff, Role.REGIONAL_COORDINATOR)
    latest = with_panels(client, f"/declarations/{CARS}")
    assert "Version 2 of 2" in latest.text
    assert "01KG999ZZZ" in latest.text
    assert f'href="/declarations/{CARS}?version=1"' in latest.text
    assert 'id="reroute"' in latest.text
    first = with_panels(client, f"/declarations/{CARS}?version=1")
    assert "Version 1 of 2" in first.text
    assert "01KG123ABC" in first.text
    assert "not the latest version" in first.text
    assert 'id="reroute"' not in first.text  # only the latest version is re-routed


# --------------------------------------------------------------------------- re-routes


def test_a_reroute_with_errors_is_refused_beside_the_fields_and_stores_nothing(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    csrf = sign_in(client, session_factory, staff, "inspector.post1")
    page = with_panels(client, f"/declarations/{EXPORT}")
    assert 'id="reroute"' in page.text
    assert f'hx-post="/declarations/{EXPORT}/reroute"' in page.text
    assert "RISK-INDICATOR" in page.text
    url = f"/declarations/{EXPORT}/reroute"

    missing = client.post(
        url, data={"channel": "red", "comment": "seal broken"}, headers=htmx_headers(csrf)
    )
    assert missing.status_code == 422
    assert missing.text.lstrip().startswith('<section class="card" id="reroute"')  # the form
    assert '<small class="error" id="e-reason_code">This field is required.</small>' in missing.text
    assert 'value="seal broken"' in missing.text or ">seal broken</textarea>" in missing.text

    short = client.post(
        url,
        data={"channel": "red", "reason_code": "RISK-INDICATOR", "comment": "no"},
        headers=htmx_headers(csrf),
    )
    assert short.status_code == 422
    assert 'id="e-comment"' in short.text
    assert "At least 3 characters." in short.text

    unknown = client.post(
        url,
        data={"channel": "red", "reason_code": "WHIM", "comment": "seal broken"},
        headers=htmx_headers(csrf),
    )
    assert unknown.status_code == 422
    assert 'id="e-reason_code"' in unknown.text
    assert "must be one of" in unknown.text

    # A plain post (no htmx) gets the whole page back, with the message.
    plain = client.post(url, data={"channel": "purple", "csrf_token": csrf, "comment": "abc"})
    assert plain.status_code == 422
    assert "<html" in plain.text
    assert 'id="e-channel"' in plain.text

    same = client.post(
        url,
        data={"channel": "green", "reason_code": "ERROR", "comment": "nothing to change"},
        headers=htmx_headers(csrf),
    )
    assert same.status_code == 409
    assert "already in the green channel" in same.text

    assert decision_of(session_factory, EXPORT).reroutes == []


def test_a_good_reroute_changes_the_channel_and_shows_in_the_history(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    csrf = sign_in(client, session_factory, staff, "inspector.post1")
    url = f"/declarations/{EXPORT}/reroute"
    done = client.post(
        url,
        data={"channel": "red", "reason_code": "RISK-INDICATOR", "comment": "seal broken"},
        headers=htmx_headers(csrf),
    )
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == f"/declarations/{EXPORT}"
    decision = decision_of(session_factory, EXPORT)
    assert (decision.channel, decision.current_channel) == ("green", "red")
    (reroute,) = decision.reroutes
    assert (reroute.officer, reroute.reason_code, reroute.comment) == (
        "inspector.post1",
        "RISK-INDICATOR",
        "seal broken",
    )
    page = with_panels(client, f"/declarations/{EXPORT}")
    history = page.text.split('id="h-reroutes"')[1].split("</section>")[0]
    assert history.count('class="badge ch-green"') == 1  # from
    assert history.count('class="badge ch-red"') == 1  # to
    assert "RISK-INDICATOR" in history
    assert "seal broken" in history
    assert "inspector.post1" in history
    channel_now = page.text.split("Channel now")[1].split("</dd>")[0]
    assert 'class="badge ch-red"' in channel_now
    # The list shows the channel that applies now.
    listed = client.get("/declarations?channel=red").text
    assert EXPORT in rows_of(listed)
    assert EXPORT not in rows_of(client.get("/declarations?channel=green").text)

    # A plain post with the token in the form: 303 back to the declaration.
    back = client.post(
        url,
        data={
            "channel": "yellow",
            "reason_code": "SUPERVISOR",
            "comment": "head of post: documents only",
            "csrf_token": csrf,
        },
    )
    assert back.status_code == 303
    assert back.headers["location"] == f"/declarations/{EXPORT}"
    assert decision_of(session_factory, EXPORT).current_channel == "yellow"


def test_who_may_not_reroute_sees_no_form_and_is_refused(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    data = {"channel": "red", "reason_code": "INTEL", "comment": "tip-off"}
    for who in (Role.VIEWER, Role.RISK_ANALYST, Role.POST_ENTRY_AUDITOR):
        csrf = sign_in(client, session_factory, staff, who)
        page = with_panels(client, f"/declarations/{EXPORT}")
        assert page.status_code == 200
        assert 'id="reroute"' not in page.text
        refused = client.post(
            f"/declarations/{EXPORT}/reroute", data=data, headers=htmx_headers(csrf)
        )
        assert refused.status_code == 403
    # Without the CSRF token even an inspector is refused.
    sign_in(client, session_factory, staff, "inspector.post1")
    assert client.post(f"/declarations/{EXPORT}/reroute", data=data).status_code == 403
    assert (
        client.post(
            f"/declarations/{EXPORT}/reroute", data={**data, "csrf_token": "forged"}
        ).status_code
        == 403
    )
    # Another post's inspector: the declaration does not exist for them.
    csrf = sign_in(client, session_factory, staff, "inspector.post2")
    hidden = client.post(f"/declarations/{EXPORT}/reroute", data=data, headers=htmx_headers(csrf))
    assert hidden.status_code == 404
    assert decision_of(session_factory, EXPORT).reroutes == []


def test_the_pages_speak_russian(
    client: TestClient,
    staff: Staff,
    session_factory: sessionmaker[Session],
    lodged: dict[str, str],
) -> None:
    csrf = sign_in(client, session_factory, staff, "inspector.post1")
    switched = client.post(
        "/language", data={"language": "ru", "next": "/declarations"}, headers=htmx_headers(csrf)
    )
    assert switched.status_code == 204
    listing = client.get("/declarations")
    assert "Таможенный орган" in listing.text
    assert "Customs office" not in listing.text
    page = with_panels(client, f"/declarations/{CARS}")
    assert "Решение СУР" in page.text
    assert "Изменения канала" in page.text
    assert "Selectivity decision" not in page.text
    refused = client.post(
        f"/declarations/{EXPORT}/reroute",
        data={"channel": "red", "comment": "seal broken"},
        headers=htmx_headers(csrf),
    )
    assert "Обязательное поле" in refused.text
