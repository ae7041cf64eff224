"""Decided declarations to inspect: profiles, random control, re-routes, valid acts.

Shared by the service, API and CLI tests of inspection acts. Everything goes
through the real use cases (profiles, selectivity, declarations), never rows.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import OfficeParametersIn, ProfileCreate
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import DeclarationAssessed, RerouteIn
from corridor.selectivity.snapshot import ProfileSetHolder
from tests.factories import declaration

NUMBER = "KGBSK/011026/0000001"
SECRET = b"inspection tests"
ANALYST, APPROVER = "a.analyst", "b.approver"
INSTRUCTIONS = "Examine the vehicle; check the VIN against the invoice."
#: Registered 2026-10-01 09:30 +06:00 (the factories' declaration); inspected that afternoon.
INSPECTED_AT = "2026-10-01T14:10:00+06:00"


def run(factory: sessionmaker[Session], action: Any) -> Any:
    """Run one use case in its own committed transaction."""
    with UnitOfWork(factory) as uow:
        result = action(uow)
        uow.commit()
        return result


def activate_cars(factory: sessionmaker[Session], code: str = "NAT-2026-0100") -> None:
    """An active profile selecting every car (8703): physical examination (109) and a
    valuation check (601), with officer instructions."""
    profile = ProfileCreate.model_validate(
        {
            "code": code,
            "title": "Cars: examination and value check",
            "risk_area": "valuation",
            "criteria": 'hs_code startswith ["8703"]',
            "measures": [{"code": "109"}, {"code": "601", "mandatory": False}],
            "selection_rate": "100",
            "officer_instructions": INSTRUCTIONS,
            "rationale": "every car is looked at in these tests",
        }
    )
    run(
        factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile, actor=ANALYST
        ),
    )
    for action, actor in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            factory,
            lambda uow, a=action, who=actor: profiles_service.transition(
                uow=uow, code=code, version=1, action=a, actor=who
            ),
        )


def random_control(
    factory: sessionmaker[Session], *, channel: str = "red", office: str = "KGBSK"
) -> None:
    """Random control of every import declaration of ``office`` into ``channel``."""
    rates = {f"random_{channel}": Decimal(100)}
    run(
        factory,
        lambda uow: profiles_service.set_office_parameters(
            uow=uow,
            office=office,
            flow="IM",
            parameters=OfficeParametersIn.model_validate(rates),
            actor="admin",
        ),
    )


def submit(
    factory: sessionmaker[Session], number: str = NUMBER, **changes: Any
) -> DeclarationAssessed:
    """Store and assess a declaration (the factories' one, changed by ``changes``)."""
    declaration_in = DeclarationCreate.model_validate(declaration(number, **changes))
    holder = ProfileSetHolder(poll_seconds=0)
    with UnitOfWork(factory) as uow:
        assessed, _ = selectivity_service.submit(
            uow=uow, declaration_in=declaration_in, holder=holder, secret=SECRET
        )
        uow.commit()
    return assessed


def reroute(
    factory: sessionmaker[Session], channel: str, number: str = NUMBER, officer: str = "x.officer"
) -> None:
    """An officer's re-route of the latest version of ``number``."""
    reroute_in = RerouteIn.model_validate(
        {"channel": channel, "reason_code": "RISK-INDICATOR", "comment": "seal broken"}
    )
    run(
        factory,
        lambda uow: selectivity_service.reroute(
            uow=uow, number=number, version=None, reroute_in=reroute_in, officer=officer
        ),
    )


def act(number: str = NUMBER, **changes: Any) -> dict[str, Any]:
    """A valid act on the cars profile's selection: a valuation discrepancy found."""
    payload: dict[str, Any] = {
        "declaration_number": number,
        "measures": [
            {"code": "109", "status": "applied"},
            {"code": "601", "status": "not_applied", "reason_code": "DOCS-SUFFICIENT"},
        ],
        "outcome": "discrepancy",
        "discrepancy_types": ["valuation"],
        "additional_duties": "48500.00",
        "minutes_spent": 95,
        "notes": "Invoice 40 % below the sales contract found in the cabin.",
        "inspected_at": INSPECTED_AT,
    }
    payload.update(copy.deepcopy(changes))
    return payload


def nothing_found(number: str = NUMBER, **changes: Any) -> dict[str, Any]:
    """A valid act that found nothing."""
    return act(
        number,
        **{
            "outcome": "no_discrepancy",
            "discrepancy_types": [],
            "additional_duties": "0",
            **changes,
        },
    )
