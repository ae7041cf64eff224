"""Measures, lists and the risk profile lifecycle, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotFound
from corridor.profiles import service
from corridor.profiles.schemas import (
    MeasureCreate,
    MeasureUpdate,
    OfficeParametersIn,
    ProfileCreate,
    ProfileDraft,
    ReferenceListCreate,
)

ANALYST, APPROVER = "a.analyst", "b.approver"


def profile(code: str = "NAT-2026-0001", **changes: Any) -> ProfileCreate:
    data: dict[str, Any] = {
        "code": code,
        "title": "Undervalued cars from China",
        "risk_area": "valuation",
        "criteria": 'hs_code startswith ["8703"] and origin = "CN" and value_per_unit < 3000',
        "measures": [{"code": "601", "mandatory": True}, {"code": "109", "mandatory": False}],
        "selection_rate": "50",
        "flows": ["IM"],
        "officer_instructions": "Request the sales contract and payment documents.",
        "rationale": "Unit values far below the reference price for 8703 from CN.",
    }
    data.update(changes)
    return ProfileCreate.model_validate(data)


def run(factory: sessionmaker[Session], action: Any) -> Any:
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def active(factory: sessionmaker[Session], code: str = "NAT-2026-0001") -> Any:
    run(
        factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(code), actor=ANALYST
        ),
    )
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        result = run(
            factory,
            lambda uow, a=action, who=actor: service.transition(
                uow=uow, code=code, version=1, action=a, actor=who
            ),
        )
    return result


def test_measures_are_seeded_and_editable(session_factory: sessionmaker[Session]) -> None:
    measures = run(session_factory, lambda uow: service.list_measures(uow=uow))
    by_code = {m.code: m.channel for m in measures}
    assert by_code["109"] == "red"
    assert by_code["101"] == "yellow"
    assert by_code["801"] == "blue"
    assert by_code["102"] == "none"
    run(
        session_factory,
        lambda uow: service.create_measure(
            uow=uow,
            measure_in=MeasureCreate(code="120", name="radiation check", channel="red"),
            actor="admin",
        ),
    )
    updated = run(
        session_factory,
        lambda uow: service.update_measure(
            uow=uow,
            code="120",
            measure_in=MeasureUpdate(name="radiation monitoring", channel="yellow"),
            actor="admin",
        ),
    )
    assert updated.channel == "yellow"
    run(session_factory, lambda uow: service.delete_measure(uow=uow, code="120", actor="admin"))
    with pytest.raises(NotFound):
        run(session_factory, lambda uow: service.delete_measure(uow=uow, code="120", actor="admin"))


def test_a_measure_in_use_cannot_be_deleted(session_factory: sessionmaker[Session]) -> None:
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )
    with pytest.raises(Conflict, match="601 is used by NAT-2026-0001 v1"):
        run(session_factory, lambda uow: service.delete_measure(uow=uow, code="601", actor="admin"))


def test_criteria_errors_name_line_and_column(session_factory: sessionmaker[Session]) -> None:
    bad = profile(criteria='hs_code startswith ["8703"] and orign = "CN"')
    with pytest.raises(InvalidInput) as caught:
        run(
            session_factory,
            lambda uow: service.create_profile(
                confidential_lists=True, uow=uow, profile_in=bad, actor=ANALYST
            ),
        )
    assert "line 1, column" in caught.value.detail
    assert caught.value.errors[0].loc == ("criteria",)
    assert "origin" in caught.value.errors[0].msg
    result = run(
        session_factory,
        lambda uow: service.check_criteria(
            confidential_lists=True, uow=uow, criteria="value_ratio <"
        ),
    )
    assert not result.valid
    assert result.problem is not None
    assert result.problem.line == 1


def test_unknown_measure_is_refused(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput, match="unknown measures"):
        run(
            session_factory,
            lambda uow: service.create_profile(
                confidential_lists=True,
                uow=uow,
                profile_in=profile(measures=[{"code": "999"}]),
                actor=ANALYST,
            ),
        )


def test_lifecycle_with_four_eyes(session_factory: sessionmaker[Session]) -> None:
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile(), actor=ANALYST
        ),
    )

    def move(action: str, actor: str) -> Any:
        return run(
            session_factory,
            lambda uow: service.transition(
                uow=uow, code="NAT-2026-0001", version=1, action=action, actor=actor
            ),
        )

    with pytest.raises(Conflict, match="approve needs it submitted"):
        move("approve", APPROVER)
    move("submit", ANALYST)
    with pytest.raises(Conflict, match=r"four eyes: a\.analyst wrote"):
        move("approve", ANALYST)
    approved = move("approve", APPROVER)
    assert approved.approved_by == APPROVER
    assert approved.author == ANALYST
    assert approved.approved_at is not None
    assert approved.submitted_at is not None
    assert move("activate", APPROVER).status == "active"
    assert move("suspend", APPROVER).status == "suspended"
    assert move("resume", APPROVER).status == "active"
    retired = move("retire", APPROVER)
    assert retired.status == "retired"
    assert [t.to_status for t in retired.transitions] == [
        "draft",
        "submitted",
        "approved",
        "active",
        "suspended",
        "active",
        "retired",
    ]
    with pytest.raises(NotFound, match="unknown action"):
        move("explode", APPROVER)


def test_editing_an_active_profile_drafts_a_new_version(
    session_factory: sessionmaker[Session],
) -> None:
    active(session_factory)
    changed = ProfileDraft.model_validate(
        {**profile().model_dump(exclude={"code"}), "selection_rate": "80"}
    )
    v2 = run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True, uow=uow, code="NAT-2026-0001", draft=changed, actor=ANALYST
        ),
    )
    assert (v2.version, v2.status, v2.selection_rate) == (2, "draft", Decimal(80))
    v1 = run(
        session_factory, lambda uow: service.get_profile(uow=uow, code="NAT-2026-0001", version=1)
    )
    assert (v1.status, v1.selection_rate) == ("active", Decimal(50))
    # Editing the draft again changes it in place.
    again = run(
        session_factory,
        lambda uow: service.edit_profile(
            confidential_lists=True, uow=uow, code="NAT-2026-0001", draft=changed, actor=ANALYST
        ),
    )
    assert again.version == 2
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            session_factory,
            lambda uow, a=action, who=actor: service.transition(
                uow=uow, code="NAT-2026-0001", version=2, action=a, actor=who
            ),
        )
    v1 = run(
        session_factory, lambda uow: service.get_profile(uow=uow, code="NAT-2026-0001", version=1)
    )
    assert v1.status == "retired"
    assert v1.transitions[-1].comment == "replaced by v2"


def test_expiry_after_validity(session_factory: sessionmaker[Session]) -> None:
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
        run(
            session_factory,
            lambda uow, a=action, who=actor: service.transition(
                uow=uow, code="NAT-2026-0001", version=1, action=a, actor=who
            ),
        )
    expired = run(
        session_factory,
        lambda uow: service.expire_due(uow=uow, today=yesterday + timedelta(days=9)),
    )
    assert expired == ["NAT-2026-0001 v1"]
    got = run(session_factory, lambda uow: service.get_profile(uow=uow, code="NAT-2026-0001"))
    assert got.status == "expired"
    assert got.transitions[-1].actor == "system"


def test_lists_are_versioned_and_usable_in_criteria(
    session_factory: sessionmaker[Session],
) -> None:
    created = run(
        session_factory,
        lambda uow: service.create_list(
            uow=uow,
            list_in=ReferenceListCreate(
                name="WATCH_IMPORTERS", kind="companies", entries=[["01503200710021"]]
            ),
            actor=ANALYST,
        ),
    )
    assert (created.version, created.key_fields, created.entry_count) == (1, ["importer"], 1)
    entries = service.parse_list_csv(
        name="WATCH_IMPORTERS", text="importer\n111\n222\n\n111\n", key_fields=["importer"]
    )
    v2 = run(
        session_factory,
        lambda uow: service.replace_entries(
            uow=uow, name="WATCH_IMPORTERS", entries=entries, comment="upload", actor=ANALYST
        ),
    )
    assert (v2.version, v2.entry_count, v2.entries) == (2, 2, [["111"], ["222"]])
    old = run(
        session_factory, lambda uow: service.get_list(uow=uow, name="WATCH_IMPORTERS", version=1)
    )
    assert old.entries == [["01503200710021"]]
    ok = run(
        session_factory,
        lambda uow: service.check_criteria(
            confidential_lists=True, uow=uow, criteria='in_list("WATCH_IMPORTERS")'
        ),
    )
    assert ok.valid
    assert ok.lists == ["WATCH_IMPORTERS"]
    with pytest.raises(InvalidInput, match="CSV header"):
        service.parse_list_csv(name="X", text="declarant\n1\n", key_fields=["importer"])
    with pytest.raises(Conflict):
        run(
            session_factory,
            lambda uow: service.create_list(
                uow=uow,
                list_in=ReferenceListCreate(name="WATCH_IMPORTERS", kind="companies"),
                actor=ANALYST,
            ),
        )


def test_office_parameters(session_factory: sessionmaker[Session]) -> None:
    saved = run(
        session_factory,
        lambda uow: service.set_office_parameters(
            uow=uow,
            office="KGBSK",
            flow="IM",
            parameters=OfficeParametersIn(random_red="1.5", random_yellow="3"),
            actor="admin",
        ),
    )
    assert saved.random_red == Decimal("1.5")
    again = run(
        session_factory,
        lambda uow: service.set_office_parameters(
            uow=uow,
            office="KGBSK",
            flow="IM",
            parameters=OfficeParametersIn(random_red="2", expected_floor="5"),
            actor="admin",
        ),
    )
    assert (again.random_red, again.random_yellow, again.expected_floor) == (
        Decimal(2),
        Decimal(0),
        Decimal(5),
    )
    assert len(run(session_factory, lambda uow: service.list_office_parameters(uow=uow))) == 1


def test_validity_window_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="valid_to is before valid_from"):
        profile(valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 1))
