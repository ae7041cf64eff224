"""The risk profile pages: list, detail, comparison, editor with the live criteria check,
and the lifecycle steps, through the real application (SQLite and PostgreSQL).

What a role may not see through the API it does not find in a page either: criteria,
rationale and transition comments only for roles cleared for criteria, target profiles
only for intelligence officers and approvers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.app import create_app
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.errors import NotFound
from corridor.journal import service as journal_service
from corridor.profiles import repository as profiles_repository
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate, ProfileDraft, ProfileRead
from corridor.profiles.web import line_diff
from tests.integration.analytics import feedback_world
from tests.staff import Staff, seed_staff
from tests.web import htmx_headers, sign_in

CODE = "NAT-2026-0101"
CRITERIA = 'origin = "CN"\nand value_per_kg < 4.5'
INSTRUCTIONS = "Weigh the consignment and compare the invoice with the supplier's price list."
RATIONALE = "Audits found footwear invoiced at a third of its price (case file 2026-041)."


@pytest.fixture
def app(engine: Engine, database_url: str) -> FastAPI:
    return create_app(Settings(database_url=database_url), engine=engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> Staff:
    return seed_staff(session_factory)


def drafted(
    session_factory: sessionmaker[Session],
    code: str = CODE,
    *,
    actor: str = "risk_analyst",
    **changes: Any,
) -> ProfileRead:
    """Draft version 1 of a profile through the service."""
    payload: dict[str, Any] = {
        "code": code,
        "title": "Footwear from China below the reference price",
        "risk_area": "valuation",
        "criteria": CRITERIA,
        "measures": [{"code": "601", "mandatory": True}, {"code": "103", "mandatory": False}],
        "officer_instructions": INSTRUCTIONS,
        "rationale": RATIONALE,
        **changes,
    }
    with UnitOfWork(session_factory) as uow:
        profile = profiles_service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=ProfileCreate.model_validate(payload),
            actor=actor,
        )
        uow.commit()
    return profile


def moved(
    session_factory: sessionmaker[Session], code: str, version: int, *steps: tuple[str, str]
) -> None:
    """Take a version through lifecycle steps, each (action, actor)."""
    for action, actor in steps:
        with UnitOfWork(session_factory) as uow:
            profiles_service.transition(
                uow=uow, code=code, version=version, action=action, actor=actor, comment=action
            )
            uow.commit()


def active(session_factory: sessionmaker[Session], code: str = CODE, **changes: Any) -> None:
    """A profile drafted by the analyst, approved and activated by the approver."""
    drafted(session_factory, code, **changes)
    moved(
        session_factory,
        code,
        1,
        ("submit", "risk_analyst"),
        ("approve", "approver"),
        ("activate", "approver"),
    )


def edited(session_factory: sessionmaker[Session], code: str = CODE, **changes: Any) -> None:
    """The analyst's edit of the latest version (a new draft when it is in force)."""
    with UnitOfWork(session_factory) as uow:
        current = profiles_service.get_profile(uow=uow, code=code)
        data = current.model_dump(include=set(ProfileDraft.model_fields)) | changes
        profiles_service.edit_profile(
            confidential_lists=True,
            uow=uow,
            code=code,
            draft=ProfileDraft.model_validate(data),
            actor="risk_analyst",
        )
        uow.commit()


def stored(session_factory: sessionmaker[Session], code: str = CODE) -> ProfileRead | None:
    with UnitOfWork(session_factory) as uow:
        try:
            return profiles_service.get_profile(uow=uow, code=code)
        except NotFound:
            return None


def found(session_factory: sessionmaker[Session], code: str = CODE) -> ProfileRead:
    profile = stored(session_factory, code)
    assert profile is not None, f"profile {code} is not stored"
    return profile


def status_of(session_factory: sessionmaker[Session], code: str = CODE) -> str:
    return found(session_factory, code).status


def text_of(response: Any) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(response.text)


def form(**changes: Any) -> dict[str, Any]:
    """The editor's fields for a valid new profile."""
    return {
        "code": CODE,
        "title": "Footwear from China below the reference price",
        "kind": "national",
        "risk_area": "valuation",
        "criteria": CRITERIA,
        "measures": ["601", "103"],
        "mandatory": ["601"],
        "selection_rate": "50",
        "offices": "KGBSK, kgosh",
        "flows": ["IM"],
        "procedures": ["40"],
        "exempt_aeo": "true",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "officer_instructions": INSTRUCTIONS,
        "rationale": RATIONALE,
        "expected_per_month": "12",
        **changes,
    }


# --------------------------------------------------------------------------- list


def test_the_list_shows_codes_states_and_filters(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory, "NAT-2026-0001")
    drafted(session_factory, "NAT-2026-0002", title="Tyres from China", risk_area="origin")
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)

    response = client.get("/profiles")
    assert response.status_code == 200, response.text
    rows = re.findall(
        r"<tr>\s*<td[^>]*><a href=\"/profiles/([A-Z0-9-]+)\".*?</tr>", response.text, re.S
    )
    assert rows == ["NAT-2026-0001", "NAT-2026-0002"]
    assert '<span class="badge active">active</span>' in response.text
    assert '<span class="badge state">draft</span>' in response.text
    assert "Tyres from China" in response.text
    assert "Hit rate" in response.text  # the analyst reads effectiveness

    only_active = client.get("/profiles", params={"state": "active"})
    assert "NAT-2026-0001" in only_active.text
    assert "NAT-2026-0002" not in only_active.text
    by_area = client.get("/profiles", params={"area": "origin", "q": "tyres"})
    assert "NAT-2026-0002" in by_area.text
    assert "NAT-2026-0001" not in by_area.text
    nothing = client.get("/profiles", params={"q": "no such profile"})
    assert "No profile matches these filters." in nothing.text

    # An inspector reads profiles but not effectiveness: no such columns.
    sign_in(client, session_factory, staff, Role.INSPECTOR)
    inspector = client.get("/profiles")
    assert inspector.status_code == 200
    assert "NAT-2026-0001" in inspector.text
    assert "Hit rate" not in inspector.text


def test_the_list_pages_with_a_cursor(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    for number in range(1, 4):
        drafted(session_factory, f"NAT-2026-000{number}")
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get("/profiles", params={"after": "NAT-2026-0001:1"})
    assert response.status_code == 200
    assert re.findall(r'<td[^>]*><a href="/profiles/([\w-]+)"', response.text) == [
        "NAT-2026-0002",
        "NAT-2026-0003",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/profiles?state=bogus",
        "/profiles?from=2026-13-45",
        "/profiles?after=x;drop",
        "/profiles?q=" + "x" * 101,
        f"/profiles/{CODE}/diff?from=0",
        f"/profiles/{CODE}?version=99999999999",
        f"/profiles/{CODE}?from=2026-10-02&to=2026-10-01",
    ],
)
def test_bad_query_input_is_an_html_422(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff, url: str
) -> None:
    drafted(session_factory)
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")


# --------------------------------------------------------------------------- confidentiality


@pytest.mark.parametrize("who", ["inspector", "inspector.post1", "viewer", "post_entry_auditor"])
def test_restricted_roles_see_instructions_never_criteria_or_rationale(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff, who: str
) -> None:
    active(session_factory)
    edited(session_factory, criteria='origin = "CN"\nand value_per_kg < 3.5')
    sign_in(client, session_factory, staff, who)
    for url in (f"/profiles/{CODE}", f"/profiles/{CODE}?version=1", "/profiles"):
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.text}"
        text = text_of(response)
        assert "value_per_kg" not in text, url
        assert "case file 2026-041" not in text, url
    detail = text_of(client.get(f"/profiles/{CODE}?version=1"))
    assert INSTRUCTIONS in detail
    assert 'id="criteria"' not in detail
    assert "<td>activate</td>" not in detail  # no transition comments

    diff = client.get(f"/profiles/{CODE}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200
    text = text_of(diff)
    assert "value_per_kg" not in text
    assert "case file 2026-041" not in text
    assert "Criteria, line by line" not in text
    assert INSTRUCTIONS in text


def test_an_analyst_sees_criteria_rationale_and_comments(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory)
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    text = text_of(client.get(f"/profiles/{CODE}"))
    assert f'<pre id="criteria">{CRITERIA}</pre>' in text
    assert RATIONALE in text
    assert INSTRUCTIONS in text
    assert "<td>activate</td>" in text  # the transition's comment


@pytest.mark.parametrize("who", ["risk_analyst", "inspector", "viewer", "regional_coordinator"])
def test_a_target_profile_does_not_exist_without_the_clearance(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff, who: str
) -> None:
    drafted(session_factory, "TGT-2026-0009", actor="intelligence_officer", kind="target")
    sign_in(client, session_factory, staff, who)
    for url in ("/profiles/TGT-2026-0009", "/profiles/TGT-2026-0009/diff"):
        assert client.get(url).status_code == 404, url
    assert "TGT-2026-0009" not in client.get("/profiles").text
    if who in ("risk_analyst", "regional_coordinator"):
        assert client.get("/profiles/TGT-2026-0009/edit").status_code == 404

    sign_in(client, session_factory, staff, Role.INTELLIGENCE_OFFICER)
    assert client.get("/profiles/TGT-2026-0009").status_code == 200
    assert "TGT-2026-0009" in client.get("/profiles").text


# --------------------------------------------------------------------------- criteria check


def test_the_criteria_check_shows_line_column_and_suggestion(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    typo = client.post(
        "/profiles/validate-criteria",
        data={"criteria": 'orgin = "CN"'},
        headers=htmx_headers(csrf),
    )
    assert typo.status_code == 200
    text = text_of(typo)
    assert "<html" not in text  # only the fragment under the field
    assert "Line 1, column 1:" in text
    assert "unknown field `orgin`" in text
    assert "Did you mean origin?" in text
    assert '  orgin = "CN"\n  ^' in text

    second_line = client.post(
        "/profiles/validate-criteria",
        data={"criteria": 'origin = "CN"\nand value_ratio <'},
        headers=htmx_headers(csrf),
    )
    assert second_line.status_code == 200
    assert "Line 2, column" in second_line.text

    good = client.post(
        "/profiles/validate-criteria",
        data={"criteria": CRITERIA},
        headers=htmx_headers(csrf),
    )
    assert good.status_code == 200
    assert "The criteria are valid." in good.text
    assert "<code>value_per_kg</code>" in good.text
    assert "Line " not in good.text

    empty = client.post("/profiles/validate-criteria", data={}, headers=htmx_headers(csrf))
    assert empty.status_code == 200
    assert "checked as you type" in empty.text


def test_the_criteria_check_needs_the_writing_right_and_the_token(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.INSPECTOR)
    refused = client.post(
        "/profiles/validate-criteria", data={"criteria": CRITERIA}, headers=htmx_headers(csrf)
    )
    assert refused.status_code == 403
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    assert (
        client.post("/profiles/validate-criteria", data={"criteria": CRITERIA}).status_code == 403
    )


# --------------------------------------------------------------------------- editor


def test_the_editor_offers_every_field(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get("/profiles/new")
    assert response.status_code == 200
    text = response.text
    for name in (
        "code", "title", "kind", "risk_area", "selection_rate", "expected_per_month",
        "valid_from", "valid_to", "offices", "flows", "procedures", "exempt_low_risk",
        "exempt_aeo", "criteria", "officer_instructions", "rationale",
    ):  # fmt: skip
        assert f'id="f-{name}" name="{name}"' in text, name
        assert f'<label for="f-{name}">' in text, name
    assert 'id="f-measure-109" name="measures" value="109"' in text
    assert 'id="f-mandatory-109" name="mandatory" value="109" checked' in text
    assert 'hx-post="/profiles/validate-criteria"' in text
    assert 'hx-target="#criteria-status"' in text
    assert 'class="code"' in text
    assert 'id="criteria-status"' in text
    assert ">Save draft</button>" in text
    assert 'value="target"' not in text  # target profiles are the intelligence officers'
    sign_in(client, session_factory, staff, Role.VIEWER)
    assert client.get("/profiles/new").status_code == 403


def test_a_draft_with_wrong_criteria_is_refused_and_nothing_is_stored(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.post(
        "/profiles", data=form(criteria='orgin = "CN"'), headers=htmx_headers(csrf)
    )
    assert response.status_code == 422, response.text
    text = text_of(response)
    assert text.startswith('<form id="profile-form"')  # htmx swaps the form in place
    assert '<small class="error" id="e-criteria">The criteria do not compile' in text
    assert "Did you mean origin?" in text
    assert 'value="Footwear from China below the reference price"' in text  # kept as typed
    assert stored(session_factory) is None

    # Every other field's message beside the field; still nothing stored.
    wrong = client.post(
        "/profiles",
        data=form(
            code="lower case",
            title="ab",
            measures=[],
            selection_rate="150",
            valid_to="2025-01-01",
            expected_per_month="-1",
        ),
        headers=htmx_headers(csrf),
    )
    assert wrong.status_code == 422
    errors = dict(re.findall(r'<small class="error" id="e-([\w.]+)">([^<]*)</small>', wrong.text))
    assert errors == {
        "code": "Not in the expected format.",
        "title": "At least 3 characters.",
        "measures": "Too few values (at least 1).",
        "selection_rate": "Must be at most 100.",
        "expected_per_month": "Must be at least 0.",
    }
    end_before_start = client.post(
        "/profiles", data=form(valid_to="2025-01-01"), headers=htmx_headers(csrf)
    )
    assert end_before_start.status_code == 422
    assert 'id="e-valid_to">The end of validity is before its start.' in end_before_start.text
    assert stored(session_factory) is None
    with UnitOfWork(session_factory) as uow:
        found = journal_service.entries(uow=uow, include_confidential=True, cursor=None, limit=50)
    assert not [e for e in found.items if e.action.startswith("profile.")]


def test_a_good_draft_is_stored_and_shown(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.post("/profiles", data=form(csrf_token=csrf))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/profiles/{CODE}?done=saved"
    profile = stored(session_factory)
    assert profile is not None
    assert (profile.version, profile.status, profile.author) == (1, "draft", "risk_analyst")
    assert [(m.code, m.mandatory) for m in profile.measures] == [("601", True), ("103", False)]
    assert profile.offices == ["KGBSK", "KGOSH"]
    assert (profile.flows, profile.procedures) == (["IM"], ["40"])
    assert (profile.exempt_aeo, profile.exempt_low_risk) == (True, False)
    assert format(profile.selection_rate.normalize(), "f") == "50"
    assert (str(profile.valid_from), str(profile.valid_to)) == ("2026-01-01", "2026-12-31")
    assert profile.expected_per_month == 12
    assert profile.criteria == CRITERIA
    page = text_of(client.get(response.headers["location"]))
    assert "The draft is saved." in page
    assert "<code>601</code>" in page
    assert "valuation check" in page.lower()

    # The same code again: the form with the code's message, nothing more stored.
    again = client.post("/profiles", data=form(title="Another title"), headers=htmx_headers(csrf))
    assert again.status_code == 422
    assert 'id="e-code">A profile with this code exists already' in again.text
    with UnitOfWork(session_factory) as uow:
        assert len(profiles_service.profile_history(uow=uow, code=CODE)) == 1


def test_an_htmx_save_redirects_with_hx_redirect(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.post("/profiles", data=form(), headers=htmx_headers(csrf))
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == f"/profiles/{CODE}?done=saved"


def test_editing_an_active_profile_drafts_a_new_version(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory)
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    editor = client.get(f"/profiles/{CODE}/edit")
    assert editor.status_code == 200
    assert "saving drafts version 2" in editor.text
    assert f"{CRITERIA}</textarea>" in text_of(editor)
    assert 'id="f-mandatory-103" name="mandatory" value="103">' in editor.text  # optional
    values = form(title="Footwear from China far below the reference price")
    del values["code"]
    saved = client.post(f"/profiles/{CODE}/edit", data=values, headers=htmx_headers(csrf))
    assert saved.status_code == 204
    with UnitOfWork(session_factory) as uow:
        history = profiles_service.profile_history(uow=uow, code=CODE)
    assert [(v.version, v.status) for v in history] == [(1, "active"), (2, "draft")]
    assert history[1].title == "Footwear from China far below the reference price"

    # A draft is changed in place; a wrong edit changes nothing.
    refused = client.post(
        f"/profiles/{CODE}/edit",
        data={**values, "criteria": "origin ="},
        headers=htmx_headers(csrf),
    )
    assert refused.status_code == 422
    values["title"] = "Footwear: third edit"
    assert (
        client.post(f"/profiles/{CODE}/edit", data=values, headers=htmx_headers(csrf)).status_code
        == 204
    )
    with UnitOfWork(session_factory) as uow:
        history = profiles_service.profile_history(uow=uow, code=CODE)
    assert [(v.version, v.title) for v in history][1] == (2, "Footwear: third edit")


def test_a_regional_coordinator_drafts_only_regional_profiles_of_their_offices(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory)
    csrf = sign_in(client, session_factory, staff, "coordinator.north")
    national = client.post("/profiles", data=form(code="NAT-2026-0102"), headers=htmx_headers(csrf))
    assert national.status_code == 403
    assert "Not allowed: a regional coordinator drafts regional or post profiles only" in (
        national.text
    )
    regional = client.post(
        "/profiles",
        data=form(code="REG-N-2026-0001", kind="regional", offices="kgbsk"),
        headers=htmx_headers(csrf),
    )
    assert regional.status_code == 204, regional.text
    assert found(session_factory, "REG-N-2026-0001").offices == ["KGBSK"]
    assert stored(session_factory, "NAT-2026-0102") is None

    # The national profile: no Edit button; the editor says at once why saving would fail.
    assert f'href="/profiles/{CODE}/edit"' not in client.get(f"/profiles/{CODE}").text
    editor = client.get(f"/profiles/{CODE}/edit")
    assert editor.status_code == 200
    assert "Not allowed: a regional coordinator drafts regional or post profiles only" in (
        editor.text
    )
    values = form(title="Changed by the region")
    del values["code"]
    refused = client.post(f"/profiles/{CODE}/edit", data=values, headers=htmx_headers(csrf))
    assert refused.status_code == 403
    assert found(session_factory).title == "Footwear from China below the reference price"
    with UnitOfWork(session_factory) as uow:
        assert len(profiles_service.profile_history(uow=uow, code=CODE)) == 1


# --------------------------------------------------------------------------- lifecycle


def test_submit_then_four_eyes_then_another_approver(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    csrf = sign_in(client, session_factory, staff, "senior.analyst")
    assert client.post("/profiles", data=form(), headers=htmx_headers(csrf)).status_code == 204
    draft_page = client.get(f"/profiles/{CODE}")
    assert ">Submit for approval</button>" in draft_page.text
    submitted = client.post(
        f"/profiles/{CODE}/versions/1/submit",
        data={"comment": "ready"},
        headers=htmx_headers(csrf),
    )
    assert submitted.status_code == 204
    assert submitted.headers["hx-redirect"] == f"/profiles/{CODE}?version=1&done=submit"
    assert status_of(session_factory) == "submitted"

    # The author holds the approver's role too: the button is not offered, and pressing
    # it anyway is refused on the page with the four-eyes rule, nothing changed.
    own = client.get(f"/profiles/{CODE}")
    assert 'value="approve"' not in own.text
    assert 'value="reject"' in own.text
    assert "another approver must approve it (four eyes)" in own.text
    refused = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "approve"},
        headers=htmx_headers(csrf),
    )
    assert refused.status_code == 409
    assert 'id="profile-alert">Four eyes: you wrote version 1 of this profile' in refused.text
    assert 'id="profile-page"' in refused.text
    assert status_of(session_factory) == "submitted"

    csrf = sign_in(client, session_factory, staff, Role.APPROVER)
    with UnitOfWork(session_factory) as uow:
        before = profiles_repository.generation(uow.session)
    approved = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "approve", "comment": "four eyes kept", "csrf_token": csrf},
    )
    assert approved.status_code == 303
    profile = found(session_factory)
    assert (profile.status, profile.approved_by) == ("approved", "approver")
    assert profile.transitions[-1].comment == "four eyes kept"
    page = client.get(approved.headers["location"])
    assert "The version is approved" in page.text
    assert ">Activate</button>" in page.text

    activated = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "activate"},
        headers=htmx_headers(csrf),
    )
    assert activated.status_code == 204
    assert status_of(session_factory) == "active"
    with UnitOfWork(session_factory) as uow:
        # Every worker rebuilds its profile set when the generation moves.
        assert profiles_repository.generation(uow.session) > before

    # A step not possible from the state: the alert, 409, nothing changed.
    again = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "approve"},
        headers=htmx_headers(csrf),
    )
    assert again.status_code == 409
    assert "This step is not possible now" in again.text
    assert status_of(session_factory) == "active"


@pytest.mark.parametrize(
    ("who", "state", "offered"),
    [
        ("viewer", "submitted", set()),
        ("inspector", "active", set()),
        ("post_entry_auditor", "draft", set()),
        ("risk_analyst", "draft", {"Submit for approval"}),
        ("risk_analyst", "submitted", set()),
        ("approver", "submitted", {"Reject", "Approve"}),
        ("approver", "approved", {"Activate", "Retire"}),
        ("approver", "active", {"Suspend", "Retire"}),
        ("approver", "suspended", {"Resume", "Retire"}),
        ("approver", "draft", set()),
    ],
)
def test_lifecycle_buttons_only_for_those_who_may_press_them(
    client: TestClient,
    session_factory: sessionmaker[Session],
    staff: Staff,
    who: str,
    state: str,
    offered: set[str],
) -> None:
    drafted(session_factory)
    path = {
        "draft": [],
        "submitted": [("submit", "risk_analyst")],
        "approved": [("submit", "risk_analyst"), ("approve", "approver")],
        "active": [("submit", "risk_analyst"), ("approve", "approver"), ("activate", "approver")],
        "suspended": [
            ("submit", "risk_analyst"),
            ("approve", "approver"),
            ("activate", "approver"),
            ("suspend", "approver"),
        ],
    }[state]
    moved(session_factory, CODE, 1, *path)
    sign_in(client, session_factory, staff, who)
    response = client.get(f"/profiles/{CODE}")
    assert response.status_code == 200
    buttons = set(re.findall(r"<button type=\"submit\"[^>]*>([^<]+)</button>", response.text))
    steps = {"Submit for approval", "Reject", "Approve", "Activate", "Suspend", "Resume", "Retire"}
    assert buttons & steps == offered
    assert ('name="decision"' in response.text) == bool(offered - {"Submit for approval"})


def test_roles_without_the_step_are_refused(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    drafted(session_factory)
    moved(session_factory, CODE, 1, ("submit", "risk_analyst"))
    csrf = sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    refused = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "approve"},
        headers=htmx_headers(csrf),
    )
    assert refused.status_code == 403
    csrf = sign_in(client, session_factory, staff, Role.VIEWER)
    assert (
        client.post(f"/profiles/{CODE}/versions/1/submit", headers=htmx_headers(csrf)).status_code
        == 403
    )
    csrf = sign_in(client, session_factory, staff, Role.APPROVER)
    unknown = client.post(
        f"/profiles/{CODE}/versions/1/decide",
        data={"decision": "delete"},
        headers=htmx_headers(csrf),
    )
    assert unknown.status_code == 422
    assert status_of(session_factory) == "submitted"


def test_changes_without_the_csrf_token_are_refused(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    assert client.post("/profiles", data=form()).status_code == 403
    assert client.post("/profiles", data=form(csrf_token="forged")).status_code == 403
    assert stored(session_factory) is None
    drafted(session_factory)
    assert client.post(f"/profiles/{CODE}/edit", data=form(title="Changed")).status_code == 403
    assert client.post(f"/profiles/{CODE}/versions/1/submit").status_code == 403
    assert status_of(session_factory) == "draft"
    sign_in(client, session_factory, staff, Role.APPROVER)
    moved(session_factory, CODE, 1, ("submit", "risk_analyst"))
    assert (
        client.post(f"/profiles/{CODE}/versions/1/decide", data={"decision": "approve"}).status_code
        == 403
    )
    profile = found(session_factory)
    assert (profile.status, profile.title) == (
        "submitted",
        "Footwear from China below the reference price",
    )


# --------------------------------------------------------------------------- diff


def test_the_diff_marks_the_changed_criteria_line(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory)
    edited(
        session_factory,
        criteria='origin = "CN"\nand value_per_kg < 3.5\nand net_mass_kg > 100',
        title="Footwear from China far below the reference price",
    )
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    response = client.get(f"/profiles/{CODE}/diff", params={"from": 1, "to": 2})
    assert response.status_code == 200
    criteria = response.text.split('id="criteria-diff"', 1)[1]
    rows = re.findall(r"<tr( class=\"(\w+)\")?>(.*?)</tr>", criteria, re.S)
    kinds = [
        (kind, html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cells).split())))
        for _a, kind, cells in rows[1:]
    ]
    assert kinds[0] == ("", '1 origin = "CN" 1 origin = "CN"')
    assert kinds[1][0] == "changed"
    assert "and value_per_kg < 4.5" in kinds[1][1]
    assert "and value_per_kg < 3.5" in kinds[1][1]
    assert kinds[2] == ("added", "3 added: and net_mass_kg > 100")
    fields = response.text.split('id="field-diff"', 1)[1].split("</table>", 1)[0]
    changed = re.findall(r'<tr class="changed">\s*<th scope="row">([^<]+?) <span', fields)
    assert changed == ["Title", "State", "Approved by"]  # v2 is a draft, not yet approved

    # Without from/to: the latest against the one before.
    assert client.get(f"/profiles/{CODE}/diff").text.count('class="changed"') >= 3
    assert client.get(f"/profiles/{CODE}/diff", params={"to": 7}).status_code == 404


def test_line_diff_aligns_changes_removals_and_additions() -> None:
    rows = line_diff("a\nb\nc\nd", "a\nB\nd\ne")
    assert [(r.kind, r.left, r.right) for r in rows] == [
        ("", "a", "a"),
        ("changed", "b", "B"),
        ("removed", "c", ""),
        ("", "d", "d"),
        ("added", "", "e"),
    ]
    assert [(r.left_number, r.right_number) for r in rows] == [
        (1, 1), (2, 2), (3, None), (4, 3), (None, 4),
    ]  # fmt: skip


# --------------------------------------------------------------------------- effectiveness


def test_effectiveness_on_the_detail_page_and_the_list(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    feedback_world.build(session_factory)
    october = {"from": "2026-10-01", "to": "2026-10-31"}
    sign_in(client, session_factory, staff, Role.RISK_ANALYST)
    detail = client.get("/profiles/NAT-2026-0001", params=october)
    assert detail.status_code == 200
    figures = dict(re.findall(r'<div class="value" id="fx-([\w-]+)">([^<]*)</div>', detail.text))
    # v1: 5 selected, 4 inspected, 1 hit; v2: 1 selected, inspected, hit (feedback_world).
    assert figures == {
        "selected": "6",
        "inspected": "5",
        "hits": "2",
        "hit-rate": "40.0%",
        "duties": "1,200.50",
    }
    assert "25.0%" in detail.text  # v1's hit rate in the table by version

    listed = client.get("/profiles", params=october)
    row = re.search(r'href="/profiles/NAT-2026-0001".*?</tr>', listed.text, re.S)
    assert row is not None
    numbers = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    assert numbers[1:] == ["6", "5", "2", "40.0%", "1,200.50"]
    assert "TGT-2026-0001" not in listed.text

    sign_in(client, session_factory, staff, Role.INSPECTOR)
    inspector = client.get("/profiles/NAT-2026-0001", params=october)
    assert inspector.status_code == 200
    assert 'id="effectiveness"' not in inspector.text

    # Within a post's offices only: the Osh post sees v2's selection at KGOSH, not v1's.
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="coordinator.north", language="ru")
        uow.commit()
    sign_in(client, session_factory, staff, "coordinator.north")
    north = client.get("/profiles/NAT-2026-0001", params=october)
    figures = dict(re.findall(r'<div class="value" id="fx-([\w-]+)">([^<]*)</div>', north.text))
    assert figures["selected"] == "4"  # d1, d2, d6, d12 at KGBSK
    assert "Эффективность" in north.text
    assert "40,0" not in north.text


def test_the_pages_speak_russian(
    client: TestClient, session_factory: sessionmaker[Session], staff: Staff
) -> None:
    active(session_factory)
    with UnitOfWork(session_factory) as uow:
        accounts_service.set_language(uow=uow, username="approver", language="ru")
        uow.commit()
    sign_in(client, session_factory, staff, Role.APPROVER)
    text = client.get(f"/profiles/{CODE}").text
    assert "Жизненный цикл" in text
    assert '<span class="badge active">действует</span>' in text
    assert ">Приостановить</button>" in text
