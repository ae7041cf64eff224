"""A small world of releases to rank, audit and alert on, built through the real use cases.

Staff of ``tests/staff.py`` (POST-1 covers KGBSK, POST-2 covers KGOSH). A profile sends
footwear (6403) to physical examination (red), another sends phones (8517) to a
post-clearance audit (blue); everything else is green. A reference price of the car
8703231990 from China: 1,044,000 KGS per piece (an override), so that a car declared at
417,600 has a value ratio of 0.4.

History (September 2026, footwear, red, inspected):

* A ``01000000000001``: two inspections, two discrepancies (valuation);
* B ``02000000000002``: two inspections, none found.

Releases of October 2026 (one goods item each):

=====================  ====  =======  ==========================  =================
number                 who   office   goods, customs value         channel
=====================  ====  =======  ==========================  =================
KGBSK/051026/0000001   A     KGBSK    car 417,600 (ratio 0.4)     green
KGBSK/061026/0000002   A     KGBSK    car 1,044,000               green
KGBSK/071026/0000003   A     KGBSK    phones 200,000 (no price)   blue
KGBSK/081026/0000004   A     KGBSK    car 208,800 (ratio 0.2)     green → red (re-routed)
KGBSK/011126/0000005   A     KGBSK    car 313,200, 1 November     green (outside October)
KGBSK/051026/0000011   B     KGBSK    car 1,044,000               green
KGBSK/061026/0000012   B     KGBSK    car 1,044,000               green
KGBSK/071026/0000013   B     KGBSK    v1 car 313,200; v2 1,044,000 green (v2 counts)
KGBSK/051026/0000021   C     KGBSK    car 1,044,000               green
KGOSH/051026/0000031   D     KGOSH    car 313,200 (ratio 0.3)     green
=====================  ====  =======  ==========================  =================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.inspections import service as inspections_service
from corridor.inspections.schemas import InspectionActCreate
from corridor.postentry.schemas import AuditPeriod
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import ProfileCreate
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.schemas import RerouteIn
from corridor.selectivity.snapshot import ProfileSetHolder
from corridor.traders import service as traders_service
from corridor.valuation import service as valuation_service
from corridor.valuation.schemas import PriceOverrideCreate
from tests.factories import declaration, item
from tests.integration.inspections.world import ANALYST, APPROVER, run
from tests.staff import Staff, seed_staff

A, B, C, D = "01000000000001", "02000000000002", "03000000000003", "04000000000004"
OCTOBER = AuditPeriod(date(2026, 10, 1), date(2026, 10, 31))
SECRET = b"post-entry tests"
#: The declaration released blue (phones of A): linked to A's case automatically.
BLUE = "KGBSK/071026/0000003"
REROUTED = "KGBSK/081026/0000004"


@dataclass(frozen=True, slots=True)
class World:
    """The staff of the world (API tokens by username)."""

    staff: Staff


def car(customs_value: str) -> list[dict[str, Any]]:
    """One car from China at ``customs_value`` KGS, with 15 % duty."""
    duties = Decimal(customs_value) * Decimal("0.15")
    return [item(1, customs_value=customs_value, duties=format(duties, "f"))]


def phones() -> list[dict[str, Any]]:
    """A hundred smartphones (no reference price), duty free."""
    return [
        item(
            1,
            hs_code="8517130000",
            description="smartphones",
            net_mass_kg="20",
            gross_mass_kg="22",
            supplementary_qty="100",
            supplementary_unit="796",
            invoice_value="2300",
            customs_value="200000",
            duty_rate="0",
            duties="0",
        )
    ]


def shoes() -> list[dict[str, Any]]:
    """Leather footwear (sent to physical examination by the world's profile)."""
    return [
        item(
            1,
            hs_code="6403990000",
            description="leather shoes",
            net_mass_kg="400",
            gross_mass_kg="420",
            supplementary_qty="500",
            supplementary_unit="715",
            invoice_value="5000",
            customs_value="450000",
            duty_rate="10",
            duties="45000",
        )
    ]


def submit(factory: sessionmaker[Session], number: str, **changes: Any) -> None:
    """Store and assess one declaration (committed)."""
    payload = declaration(number, **changes)
    declaration_in = DeclarationCreate.model_validate(payload)
    holder = ProfileSetHolder(poll_seconds=0)
    with UnitOfWork(factory) as uow:
        selectivity_service.submit(
            uow=uow, declaration_in=declaration_in, holder=holder, secret=SECRET
        )
        uow.commit()


def _profile(factory: sessionmaker[Session], code: str, criteria: str, measure: str) -> None:
    profile = ProfileCreate.model_validate(
        {
            "code": code,
            "title": f"selects {criteria}",
            "risk_area": "valuation",
            "criteria": criteria,
            "measures": [{"code": measure}],
            "selection_rate": "100",
            "officer_instructions": "check it",
            "rationale": "the post-entry tests' world",
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


def _inspected(factory: sessionmaker[Session], number: str, found: bool) -> None:
    act = InspectionActCreate.model_validate(
        {
            "declaration_number": number,
            "measures": [{"code": "109", "status": "applied"}],
            "outcome": "discrepancy" if found else "no_discrepancy",
            "discrepancy_types": ["valuation"] if found else [],
            "additional_duties": "20000" if found else "0",
            "minutes_spent": 60,
            "inspected_at": "2026-09-20T15:00:00+06:00",
        }
    )
    run(
        factory,
        lambda uow: inspections_service.record(
            uow=uow, act_in=act, inspector="x.inspector", recorded_by="x.inspector"
        ),
    )


def build(factory: sessionmaker[Session]) -> World:
    """The world of the module docstring, with trader history refreshed."""
    staff = seed_staff(factory)
    _profile(factory, "NAT-2026-0301", 'hs_code startswith ["6403"]', "109")
    _profile(factory, "NAT-2026-0302", 'hs_code startswith ["8517"]', "801")
    price = PriceOverrideCreate.model_validate(
        {
            "hs_code": "8703231990",
            "origin": "CN",
            "basis": "unit",
            "unit": "796",
            "median": "1044000",
            "low": "600000",
            "high": "1800000",
            "reason": "the dealers' price list",
        }
    )
    run(factory, lambda uow: valuation_service.set_override(uow=uow, override_in=price, actor="a"))
    september = "2026-09-20T10:00:00+06:00"
    for number, tin, found in (
        ("KGBSK/200926/0000001", A, True),
        ("KGBSK/200926/0000002", A, True),
        ("KGBSK/200926/0000003", B, False),
        ("KGBSK/200926/0000004", B, False),
    ):
        submit(factory, number, importer=tin, registered_at=september, items=shoes())
        _inspected(factory, number, found)
    october = [
        ("KGBSK/051026/0000001", A, "KGBSK", "2026-10-05T10:00:00+06:00", car("417600")),
        ("KGBSK/061026/0000002", A, "KGBSK", "2026-10-06T10:00:00+06:00", car("1044000")),
        (BLUE, A, "KGBSK", "2026-10-07T10:00:00+06:00", phones()),
        (REROUTED, A, "KGBSK", "2026-10-08T10:00:00+06:00", car("208800")),
        ("KGBSK/011126/0000005", A, "KGBSK", "2026-11-01T00:30:00+06:00", car("313200")),
        ("KGBSK/051026/0000011", B, "KGBSK", "2026-10-05T10:00:00+06:00", car("1044000")),
        ("KGBSK/061026/0000012", B, "KGBSK", "2026-10-06T10:00:00+06:00", car("1044000")),
        ("KGBSK/071026/0000013", B, "KGBSK", "2026-10-07T10:00:00+06:00", car("313200")),
        ("KGBSK/051026/0000021", C, "KGBSK", "2026-10-05T10:00:00+06:00", car("1044000")),
        ("KGOSH/051026/0000031", D, "KGOSH", "2026-10-05T10:00:00+06:00", car("313200")),
    ]
    for number, tin, office, registered_at, goods in october:
        submit(
            factory, number, importer=tin, office=office, registered_at=registered_at, items=goods
        )
    submit(
        factory,
        "KGBSK/071026/0000013",
        version=2,
        importer=B,
        registered_at="2026-10-07T10:00:00+06:00",
        items=car("1044000"),
    )
    reroute_in = RerouteIn.model_validate(
        {"channel": "red", "reason_code": "RISK-INDICATOR", "comment": "seal broken"}
    )
    run(
        factory,
        lambda uow: selectivity_service.reroute(
            uow=uow, number=REROUTED, version=None, reroute_in=reroute_in, officer="x.officer"
        ),
    )
    run(factory, lambda uow: traders_service.refresh_history(uow=uow, actor="test"))
    return World(staff=staff)
