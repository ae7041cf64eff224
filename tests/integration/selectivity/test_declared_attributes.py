"""The declared attributes reach the engine through the profile-set snapshot: the holder
is given them (the application from its settings), compiles criteria against the schema
they make and builds the fact rows with the same ones; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from corridor.app import create_app
from corridor.config import Settings
from corridor.db.engine import make_session_factory
from corridor.db.uow import UnitOfWork
from corridor.declarations.attributes import DEFAULT_ATTRIBUTES, AttributeRegistry
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.rules import FieldType
from corridor.selectivity import service
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.web.state import state_of
from tests.factories import declaration
from tests.integration.profiles.test_profiles import ANALYST, APPROVER, profile, run

#: Every built-in attribute but the payment type.
WITHOUT_PAYMENT_TYPE = AttributeRegistry.of(
    tuple(spec for spec in DEFAULT_ATTRIBUTES if spec.name != "payment_type")
)


def _activate_payment_type_profile(factory: sessionmaker[Session]) -> None:
    run(
        factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=profile(
                "NAT-2026-0007", criteria='payment_type = "11"', selection_rate="100"
            ),
            actor=ANALYST,
        ),
    )
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            factory,
            lambda uow, a=action, who=actor: profiles_service.transition(
                uow=uow, code="NAT-2026-0007", version=1, action=a, actor=who
            ),
        )


def _hits(factory: sessionmaker[Session], holder: ProfileSetHolder, number: str) -> list[str]:
    payload = DeclarationCreate.model_validate(declaration(number))
    assert payload.attributes == {"payment_type": "11"}
    with UnitOfWork(factory) as uow:
        assessed, _ = service.submit(uow=uow, declaration_in=payload, holder=holder, secret=b"k")
        uow.commit()
    return [hit["code"] for hit in assessed.decision.hits]


def test_the_snapshot_compiles_and_assesses_with_the_attributes_it_was_given(
    session_factory: sessionmaker[Session],
) -> None:
    _activate_payment_type_profile(session_factory)
    installed = ProfileSetHolder(poll_seconds=0)
    narrower = ProfileSetHolder(poll_seconds=0, attributes=WITHOUT_PAYMENT_TYPE)
    with UnitOfWork(session_factory) as uow:
        known = installed.current(uow)
        unknown = narrower.current(uow)
    assert known.profile_set.schema["payment_type"] is FieldType.STRING
    assert [p.spec.code for p in known.profile_set.profiles] == ["NAT-2026-0007"]
    assert unknown.attributes is WITHOUT_PAYMENT_TYPE
    assert "payment_type" not in unknown.profile_set.schema
    assert [p.code for p in unknown.profile_set.problems] == ["NAT-2026-0007"]
    assert "payment_type" in unknown.profile_set.problems[0].message

    assert _hits(session_factory, installed, "KGBSK/011026/0000701") == ["NAT-2026-0007"]
    assert _hits(session_factory, narrower, "KGBSK/011026/0000702") == []


def test_the_application_gives_its_snapshot_the_attributes_of_its_settings(engine: Engine) -> None:
    excise = [{"name": "excise_rate", "type": "number", "level": "item"}]
    settings = Settings(database_url=str(engine.url), extra_attributes=json.dumps(excise))
    holder = state_of(create_app(settings, engine=engine)).profile_sets
    assert isinstance(holder, ProfileSetHolder)
    assert "excise_rate" in holder.attributes.names("item")
    with UnitOfWork(make_session_factory(engine)) as uow:
        schema = holder.current(uow).profile_set.schema
    assert schema["excise_rate"] is FieldType.NUMBER
