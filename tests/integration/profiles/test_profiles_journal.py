"""Every change of state of measures, lists, profiles and office parameters is journalled.

Each change writes one entry (actor, action, object, before/after) in its own
transaction; a refused change writes none; intelligence material is marked
confidential; and the chain verifies afterwards. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, CorridorError, InvalidInput
from corridor.journal import service as journal_service
from corridor.journal.schemas import JournalEntryRead
from corridor.profiles import service
from corridor.profiles.schemas import (
    MeasureCreate,
    MeasureUpdate,
    OfficeParametersIn,
    ProfileDraft,
    ReferenceListCreate,
)
from tests.integration.profiles.test_profiles import ANALYST, APPROVER, profile, run

Factory = sessionmaker[Session]
CODE = "NAT-2026-0001"


def journal(factory: Factory, **filters: Any) -> list[JournalEntryRead]:
    """Every entry matching the filters, oldest first, confidential ones included."""
    with UnitOfWork(factory) as uow:
        page = journal_service.entries(
            uow=uow, include_confidential=True, cursor=None, limit=500, **filters
        )
    assert page.next_cursor is None
    return list(reversed(page.items))


def assert_chain_holds(factory: Factory) -> None:
    with UnitOfWork(factory) as uow:
        result = journal_service.verify(uow=uow)
    assert result.ok, result.reason
    assert result.entries == result.last_seq == len(journal(factory))


def move(factory: Factory, action: str, actor: str, version: int = 1, code: str = CODE) -> Any:
    return run(
        factory,
        lambda uow: service.transition(
            uow=uow, code=code, version=version, action=action, actor=actor, comment=f"{action}!"
        ),
    )


def draft_of(**changes: Any) -> ProfileDraft:
    return ProfileDraft.model_validate({**profile().model_dump(exclude={"code"}), **changes})


def expected_state(version: int, status: str, **changes: Any) -> dict[str, Any]:
    """A profile version's state as the journal holds it (JSON: decimals as strings)."""
    content = draft_of(**changes).model_dump(mode="json")
    return {"version": version, "status": status, **content}


def refused(factory: Factory, action: Callable[[UnitOfWork], Any], error: type[Exception]) -> None:
    """The action raises ``error`` and journals nothing, even if its caller commits.

    Committing after the error proves the service raised *before* writing its
    entry, not merely that the rolled-back transaction took the entry with it.
    """
    count = len(journal(factory))
    with UnitOfWork(factory) as uow:
        with pytest.raises(error):
            action(uow)
        uow.commit()
    with pytest.raises(error):
        run(factory, action)
    assert len(journal(factory)) == count


# --------------------------------------------------------------------------- measures


def test_measure_changes_are_journalled(session_factory: Factory) -> None:
    run(
        session_factory,
        lambda uow: service.create_measure(
            uow=uow,
            measure_in=MeasureCreate(code="120", name="radiation check", channel="red"),
            actor="admin",
        ),
    )
    run(
        session_factory,
        lambda uow: service.update_measure(
            uow=uow,
            code="120",
            measure_in=MeasureUpdate(name="radiation monitoring", channel="yellow"),
            actor="admin2",
        ),
    )
    run(session_factory, lambda uow: service.delete_measure(uow=uow, code="120", actor="admin3"))
    first = {"code": "120", "name": "radiation check", "channel": "red", "description": ""}
    second = {**first, "name": "radiation monitoring", "channel": "yellow"}
    entries = journal(session_factory)
    assert [(e.seq, e.actor, e.action, e.object_type, e.object_id) for e in entries] == [
        (1, "admin", "measure.create", "measure", "120"),
        (2, "admin2", "measure.update", "measure", "120"),
        (3, "admin3", "measure.delete", "measure", "120"),
    ]
    assert [(e.before, e.after) for e in entries] == [
        (None, first),
        (first, second),
        (second, None),
    ]
    assert not any(e.confidential for e in entries)
    assert_chain_holds(session_factory)


def test_refused_measure_changes_write_nothing(session_factory: Factory) -> None:
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )
    refused(
        session_factory,
        lambda uow: service.delete_measure(uow=uow, code="601", actor="admin"),
        Conflict,
    )
    refused(
        session_factory,
        lambda uow: service.create_measure(
            uow=uow, measure_in=MeasureCreate(code="601", name="again", channel="red"), actor="a"
        ),
        Conflict,
    )
    assert [e.action for e in journal(session_factory)] == ["profile.create"]
    assert_chain_holds(session_factory)


# --------------------------------------------------------------------------- lists


def test_list_versions_are_journalled_with_a_digest_of_their_entries(
    session_factory: Factory,
) -> None:
    run(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(
                name="WATCH_IMPORTERS", kind="companies", entries=[["222"], ["111"], ["222"]]
            ),
            actor=ANALYST,
        ),
    )
    entries = service.parse_list_csv(
        name="WATCH_IMPORTERS", text="importer\n333\n111\n", key_fields=["importer"]
    )
    run(
        session_factory,
        lambda uow: service.replace_entries(
            uow=uow, name="WATCH_IMPORTERS", entries=entries, comment="CSV upload", actor="c.other"
        ),
    )
    created, replaced = journal(session_factory, object_type="list")
    v1 = {
        "version": 1,
        "entry_count": 2,
        "comment": "created",
        "key_fields": ["importer"],
        "entries_sha256": service.entries_digest([["111"], ["222"]]),
    }
    v2 = {
        **v1,
        "version": 2,
        "comment": "CSV upload",
        "entries_sha256": service.entries_digest([["111"], ["333"]]),
    }
    assert (created.actor, created.action, created.object_id) == (
        ANALYST,
        "list.create",
        "WATCH_IMPORTERS",
    )
    assert (created.before, created.after) == (None, v1)
    assert (replaced.actor, replaced.action, replaced.object_id) == (
        "c.other",
        "list.new_version",
        "WATCH_IMPORTERS",
    )
    assert (replaced.before, replaced.after) == (v1, v2)
    assert not created.confidential
    assert not replaced.confidential
    # The digest proves the stored versions are the ones journalled.
    for number, entry in ((1, created), (2, replaced)):
        stored = run(
            session_factory,
            lambda uow, n=number: service.get_list(uow=uow, name="WATCH_IMPORTERS", version=n),
        )
        assert stored.entries is not None
        assert entry.after["entries_sha256"] == service.entries_digest(stored.entries)
    assert_chain_holds(session_factory)


def test_entries_digest_is_canonical() -> None:
    digest = service.entries_digest([["b", "1"], ["a", "2"], ["b", "1"]])
    assert digest == service.entries_digest([["a", "2"], ["b", "1"]])
    assert digest != service.entries_digest([["a", "2"]])
    assert digest != service.entries_digest([["a", "2"], ["b", "2"]])
    assert len(digest) == 64


def test_a_refused_list_change_writes_nothing(session_factory: Factory) -> None:
    run(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(name="WATCH", kind="companies", entries=[["1"]]),
            actor=ANALYST,
        ),
    )
    refused(
        session_factory,
        lambda uow: service.replace_entries(
            uow=uow, name="WATCH", entries=[["1", "2"]], comment="", actor=ANALYST
        ),
        InvalidInput,
    )
    refused(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(name="WATCH", kind="companies"),
            actor=ANALYST,
        ),
        Conflict,
    )
    refused(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(name="OTHER", kind="custom", key_fields=["colour"]),
            actor=ANALYST,
        ),
        InvalidInput,
    )
    assert [e.action for e in journal(session_factory)] == ["list.create"]
    assert_chain_holds(session_factory)


# --------------------------------------------------------------------------- profiles


def test_profile_creation_edits_and_lifecycle_are_journalled(session_factory: Factory) -> None:
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )
    run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True,
            uow=uow,
            code=CODE,
            draft=draft_of(selection_rate="60"),
            actor=ANALYST,
        ),
    )
    move(session_factory, "submit", ANALYST)
    # Edited after submission: one entry, whose before/after show the return to draft.
    run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True,
            uow=uow,
            code=CODE,
            draft=draft_of(selection_rate="70"),
            actor="c.colleague",
        ),
    )
    move(session_factory, "submit", ANALYST)
    move(session_factory, "approve", APPROVER)
    move(session_factory, "activate", APPROVER)
    # An active version is never edited: the edit drafts version 2.
    run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True,
            uow=uow,
            code=CODE,
            draft=draft_of(selection_rate="80", criteria='origin = "CN"'),
            actor=ANALYST,
        ),
    )
    move(session_factory, "submit", ANALYST, version=2)
    move(session_factory, "reject", APPROVER, version=2)
    move(session_factory, "submit", ANALYST, version=2)
    move(session_factory, "approve", APPROVER, version=2)
    move(session_factory, "activate", APPROVER, version=2)
    move(session_factory, "suspend", APPROVER, version=2)
    move(session_factory, "resume", APPROVER, version=2)
    move(session_factory, "retire", APPROVER, version=2)

    entries = journal(session_factory, object_type="profile")
    assert [(e.actor, e.action, e.object_id) for e in entries] == [
        (ANALYST, "profile.create", f"{CODE}/1"),
        (ANALYST, "profile.edit", f"{CODE}/1"),
        (ANALYST, "profile.submit", f"{CODE}/1"),
        ("c.colleague", "profile.edit", f"{CODE}/1"),
        (ANALYST, "profile.submit", f"{CODE}/1"),
        (APPROVER, "profile.approve", f"{CODE}/1"),
        (APPROVER, "profile.activate", f"{CODE}/1"),
        (ANALYST, "profile.new_version", f"{CODE}/2"),
        (ANALYST, "profile.submit", f"{CODE}/2"),
        (APPROVER, "profile.reject", f"{CODE}/2"),
        (ANALYST, "profile.submit", f"{CODE}/2"),
        (APPROVER, "profile.approve", f"{CODE}/2"),
        (APPROVER, "profile.retire", f"{CODE}/1"),  # replaced by the activation of v2
        (APPROVER, "profile.activate", f"{CODE}/2"),
        (APPROVER, "profile.suspend", f"{CODE}/2"),
        (APPROVER, "profile.resume", f"{CODE}/2"),
        (APPROVER, "profile.retire", f"{CODE}/2"),
    ]
    assert all(e.object_type == "profile" and not e.confidential for e in entries)
    by_step = dict(enumerate(entries))
    # Creation and edits carry the full draft, criteria included.
    assert by_step[0].before is None
    assert by_step[0].after == expected_state(1, "draft")
    assert by_step[0].after["criteria"] == profile().criteria
    assert by_step[0].after["selection_rate"] == "50"
    assert (by_step[1].before, by_step[1].after) == (
        expected_state(1, "draft"),
        expected_state(1, "draft", selection_rate="60"),
    )
    assert (by_step[3].before, by_step[3].after) == (
        expected_state(1, "submitted", selection_rate="60"),
        expected_state(1, "draft", selection_rate="70"),
    )
    # A new version's entry shows what it replaces.
    assert (by_step[7].before, by_step[7].after) == (
        expected_state(1, "active", selection_rate="70"),
        expected_state(2, "draft", selection_rate="80", criteria='origin = "CN"'),
    )
    # Transitions carry the status moved from and to (and the comment).
    assert (by_step[2].before, by_step[2].after) == (
        {"status": "draft"},
        {"status": "submitted", "comment": "submit!"},
    )
    assert (by_step[5].before, by_step[5].after) == (
        {"status": "submitted"},
        {"status": "approved", "comment": "approve!"},
    )
    assert (by_step[9].before, by_step[9].after) == (
        {"status": "submitted"},
        {"status": "draft", "comment": "reject!"},
    )
    assert (by_step[12].before, by_step[12].after) == (
        {"status": "active"},
        {"status": "retired", "comment": "replaced by v2"},
    )
    assert (by_step[16].before, by_step[16].after) == (
        {"status": "active"},
        {"status": "retired", "comment": "retire!"},
    )
    assert_chain_holds(session_factory)


def test_automatic_expiry_is_journalled_as_the_system(session_factory: Factory) -> None:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=profile(valid_to=yesterday + timedelta(days=5)),
            actor=ANALYST,
        ),
    )
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        move(session_factory, action, actor)
    run(session_factory, lambda uow: service.expire_due(uow=uow, today=yesterday))
    assert journal(session_factory)[-1].action == "profile.activate"  # nothing due yet
    run(
        session_factory,
        lambda uow: service.expire_due(uow=uow, today=yesterday + timedelta(days=9)),
    )
    last = journal(session_factory)[-1]
    assert (last.actor, last.action, last.object_type, last.object_id) == (
        service.EXPIRY_ACTOR,
        "profile.expire",
        "profile",
        f"{CODE}/1",
    )
    assert last.actor == "system:expiry"
    assert last.before == {"status": "active"}
    assert last.after == {
        "status": "expired",
        "comment": f"validity ended {yesterday + timedelta(days=5)}",
    }
    assert_chain_holds(session_factory)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda uow: service.create_profile(
                confidential_lists=True,
                uow=uow,
                profile_in=profile(criteria='orign = "CN"'),
                actor=ANALYST,
            ),
            id="create-invalid-criterion",
        ),
        pytest.param(
            lambda uow: service.create_profile(
                confidential_lists=True,
                uow=uow,
                profile_in=profile(measures=[{"code": "999"}]),
                actor=ANALYST,
            ),
            id="create-unknown-measure",
        ),
        pytest.param(
            lambda uow: service.create_profile(
                confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
            ),
            id="create-existing-code",
        ),
        pytest.param(
            lambda uow: service.edit_profile(
                confidential_lists=True,
                uow=uow,
                code=CODE,
                draft=draft_of(criteria="value_ratio <"),
                actor=ANALYST,
            ),
            id="edit-invalid-criterion",
        ),
        pytest.param(
            lambda uow: service.transition(
                uow=uow, code=CODE, version=1, action="approve", actor=ANALYST
            ),
            id="four-eyes",
        ),
        pytest.param(
            lambda uow: service.transition(
                uow=uow, code=CODE, version=1, action="activate", actor=APPROVER
            ),
            id="activate-unapproved",
        ),
        pytest.param(
            lambda uow: service.transition(
                uow=uow, code=CODE, version=1, action="explode", actor=APPROVER
            ),
            id="unknown-action",
        ),
    ],
)
def test_a_refused_profile_change_writes_nothing(
    session_factory: Factory, change: Callable[[UnitOfWork], Any]
) -> None:
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )
    move(session_factory, "submit", ANALYST)
    before = journal(session_factory)
    refused(session_factory, change, CorridorError)
    assert journal(session_factory) == before
    got = run(session_factory, lambda uow: service.get_profile(uow=uow, code=CODE))
    assert (got.status, got.approved_by) == ("submitted", None)
    assert_chain_holds(session_factory)


def test_activating_an_expired_version_writes_nothing(session_factory: Factory) -> None:
    past = datetime.now(UTC).date() - timedelta(days=3)
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(valid_to=past), actor=ANALYST
        ),
    )
    move(session_factory, "submit", ANALYST)
    move(session_factory, "approve", APPROVER)
    refused(
        session_factory,
        lambda uow: service.transition(
            uow=uow, code=CODE, version=1, action="activate", actor=APPROVER
        ),
        Conflict,
    )
    assert journal(session_factory)[-1].action == "profile.approve"
    assert_chain_holds(session_factory)


# --------------------------------------------------------------------------- confidentiality


def test_intelligence_material_is_journalled_as_confidential(session_factory: Factory) -> None:
    target = "TGT-2026-0001"
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=profile(target, kind="target"),
            actor="i.officer",
        ),
    )
    move(session_factory, "submit", "i.officer", code=target)
    move(session_factory, "approve", APPROVER, code=target)
    move(session_factory, "activate", APPROVER, code=target)
    # Turning a target draft into a national one: the entry still holds target content.
    other = "TGT-2026-0002"
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=profile(other, kind="target"),
            actor="i.officer",
        ),
    )
    run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True,
            uow=uow,
            code=other,
            draft=draft_of(kind="national"),
            actor="i.officer",
        ),
    )
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )
    run(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(
                name="SUSPECTS", kind="companies", confidential=True, entries=[["1"]]
            ),
            actor="i.officer",
        ),
    )
    run(
        session_factory,
        lambda uow: service.replace_entries(
            uow=uow, name="SUSPECTS", entries=[["2"]], comment="tip-off", actor="i.officer"
        ),
    )
    run(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(name="OPEN", kind="countries", entries=[["CN"]]),
            actor=ANALYST,
        ),
    )
    everything = journal(session_factory)
    confidential = {(e.action, e.object_id) for e in everything if e.confidential}
    assert confidential == {
        ("profile.create", f"{target}/1"),
        ("profile.submit", f"{target}/1"),
        ("profile.approve", f"{target}/1"),
        ("profile.activate", f"{target}/1"),
        ("profile.create", f"{other}/1"),
        ("profile.edit", f"{other}/1"),
        ("list.create", "SUSPECTS"),
        ("list.new_version", "SUSPECTS"),
    }
    with UnitOfWork(session_factory) as uow:
        shown = journal_service.entries(
            uow=uow, include_confidential=False, cursor=None, limit=500
        ).items
    assert {(e.action, e.object_id) for e in shown} == {
        ("profile.create", f"{CODE}/1"),
        ("list.create", "OPEN"),
    }
    assert_chain_holds(session_factory)


# --------------------------------------------------------------------------- office parameters


def test_office_parameters_are_journalled(session_factory: Factory) -> None:
    def put(actor: str, **rates: str) -> None:
        run(
            session_factory,
            lambda uow: service.set_office_parameters(
                uow=uow,
                office="KGBSK",
                flow="IM",
                parameters=OfficeParametersIn.model_validate(rates),
                actor=actor,
            ),
        )

    put("admin", random_red="1.5", random_yellow="3")
    put("admin2", random_red="2", expected_floor="5")
    first, second = journal(session_factory)
    rates = {
        "random_red": "1.5",
        "random_yellow": "3",
        "random_blue": "0",
        "expected_floor": None,
        "low_risk_multiplier": "1",
        "aeo_multiplier": "1",
    }
    assert (first.actor, first.action, first.object_type, first.object_id) == (
        "admin",
        "office_parameters.set",
        "office_parameters",
        "KGBSK/IM",
    )
    assert (first.before, first.after) == (None, rates)
    assert second.actor == "admin2"
    assert (second.before, second.after) == (
        rates,
        {
            "random_red": "2",
            "random_yellow": "0",
            "random_blue": "0",
            "expected_floor": "5",
            "low_risk_multiplier": "1",
            "aeo_multiplier": "1",
        },
    )
    assert_chain_holds(session_factory)
