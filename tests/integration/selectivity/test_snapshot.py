"""The active profile set is swapped atomically while requests are being assessed."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.attributes import AttributeRegistry
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.selectivity import service, snapshot
from corridor.selectivity.engine import ProfileSet
from tests.factories import declaration
from tests.integration.profiles.test_profiles import ANALYST, APPROVER, active, profile, run


def test_changes_reach_the_holder(session_factory: sessionmaker[Session]) -> None:
    holder = snapshot.ProfileSetHolder(poll_seconds=0)
    with UnitOfWork(session_factory) as uow:
        empty = holder.current(uow).profile_set
    assert empty.profiles == ()
    active(session_factory)
    with UnitOfWork(session_factory) as uow:
        first = holder.current(uow).profile_set
        assert holder.current(uow).profile_set is first  # nothing changed: the same object
    assert [p.spec.code for p in first.profiles] == ["NAT-2026-0001"]
    run(
        session_factory,
        lambda uow: profiles_service.transition(
            uow=uow, code="NAT-2026-0001", version=1, action="suspend", actor=APPROVER
        ),
    )
    with UnitOfWork(session_factory) as uow:
        after = holder.current(uow).profile_set
    assert after is not first
    assert after.profiles == ()
    assert first.profiles  # the old set is untouched for whoever still holds it


def test_swap_under_concurrent_requests(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    every_car = profile(criteria='hs_code startswith ["8703"]', selection_rate="100")
    run(
        session_factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=every_car, actor=ANALYST
        ),
    )
    for action in ("submit", "approve", "activate"):
        run(
            session_factory,
            lambda uow, a=action: profiles_service.transition(
                uow=uow,
                code="NAT-2026-0001",
                version=1,
                action=a,
                actor=ANALYST if a == "submit" else APPROVER,
            ),
        )
    built: dict[str, frozenset[str]] = {}
    original = snapshot.build

    def recording_build(
        uow: UnitOfWork, generation: int, *, attributes: AttributeRegistry
    ) -> ProfileSet:
        profile_set = original(uow, generation, attributes=attributes)
        built[profile_set.version] = frozenset(p.spec.code for p in profile_set.profiles)
        return profile_set

    snapshot.build = recording_build  # type: ignore[assignment]
    holder = snapshot.ProfileSetHolder(poll_seconds=0)
    decisions: list[Any] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def submitter(worker: int) -> None:
        try:
            for n in range(40):
                payload = DeclarationCreate.model_validate(declaration(f"T{worker}/{n}"))
                with UnitOfWork(session_factory) as uow:
                    assessed, _ = service.submit(
                        uow=uow, declaration_in=payload, holder=holder, secret=b"k"
                    )
                    uow.commit()
                decisions.append(assessed.decision)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def toggler() -> None:
        actions = ["suspend", "resume"]
        i = 0
        while not stop.is_set():
            run(
                session_factory,
                lambda uow, a=actions[i % 2]: profiles_service.transition(
                    uow=uow, code="NAT-2026-0001", version=1, action=a, actor=APPROVER
                ),
            )
            i += 1

    try:
        workers = [threading.Thread(target=submitter, args=(w,)) for w in range(4)]
        flipper = threading.Thread(target=toggler)
        flipper.start()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        stop.set()
        flipper.join()
    finally:
        snapshot.build = original  # type: ignore[assignment]
    assert not errors, errors
    assert len(decisions) == 160
    assert len(built) >= 2, "the set was never swapped during the run"
    for decision in decisions:
        # Every decision was made wholly on one set: its hits are that set's profiles.
        codes = {hit["code"] for hit in decision.hits}
        assert decision.profile_set_version in built
        assert codes <= built[decision.profile_set_version]
        in_set = "NAT-2026-0001" in built[decision.profile_set_version]
        assert bool(codes) == in_set
