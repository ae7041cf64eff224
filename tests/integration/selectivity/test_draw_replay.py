"""An auditor replays the draws of stored decisions from README alone: the formula is read
from README's text and evaluated exactly, the message built as README says (SQLite and
PostgreSQL, decisions made through the service)."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.declarations.schemas import DeclarationCreate
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import OfficeParametersIn, ProfileCreate
from corridor.selectivity import engine
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.snapshot import ProfileSetHolder
from tests.integration.valuation.history import car_import, run

README = Path(__file__).resolve().parents[3] / "README.md"
SECRET = "an auditor's copy of the selection secret"
ANALYST, APPROVER = "a.analyst", "b.approver"
DECLARATIONS = 40


def documented_formula() -> str:
    """The draw's formula as README writes it (``draw = …``)."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    found = re.findall(r"`draw = ([^`]+)`", text)
    assert len(found) == 1, "README states the draw's formula once"
    return found[0]


def replay(formula: str, *parts: str) -> tuple[int, Fraction]:
    """``u`` and the draw of ``parts`` as README describes them, in exact arithmetic: the
    message is the parts joined by the byte 0x1F, in UTF-8; ``u`` the first 8 bytes of the
    HMAC-SHA256 read big-endian."""
    message = b"\x1f".join(part.encode("utf-8") for part in parts)
    digest = hmac.new(SECRET.encode("utf-8"), message, hashlib.sha256).digest()
    u = int.from_bytes(digest[:8], "big")
    value = eval(formula, {"__builtins__": {}}, {"floor": math.floor, "u": Fraction(u)})
    return u, Fraction(value)


def rounded_down(exact: Fraction) -> float:
    """The largest double not above ``exact``."""
    nearest = float(exact)
    return nearest if Fraction(nearest) <= exact else math.nextafter(nearest, 0)


def activate(factory: sessionmaker[Session], code: str, rate: str) -> None:
    profile = ProfileCreate.model_validate(
        {
            "code": code,
            "title": f"Cars ({code})",
            "risk_area": "valuation",
            "criteria": 'hs_code startswith ["8703"]',
            "measures": [{"code": "601", "mandatory": True}],
            "selection_rate": rate,
            "flows": ["IM"],
            "officer_instructions": "Request the sales contract.",
        }
    )
    run(
        factory,
        lambda uow: profiles_service.create_profile(
            confidential_lists=True, uow=uow, profile_in=profile, actor=ANALYST
        ),
    )
    for action, who in (("submit", ANALYST), ("approve", APPROVER), ("activate", APPROVER)):
        run(
            factory,
            lambda uow, a=action, w=who: profiles_service.transition(
                uow=uow, code=code, version=1, action=a, actor=w
            ),
        )


def test_stored_draws_replay_from_the_readme_formula(
    session_factory: sessionmaker[Session],
) -> None:
    activate(session_factory, "NAT-2026-0001", "50")
    activate(session_factory, "NAT-2026-0002", "3.5")
    rates = OfficeParametersIn(
        random_red=Decimal("2"), random_yellow=Decimal("40"), random_blue=Decimal("60")
    )
    run(
        session_factory,
        lambda uow: profiles_service.set_office_parameters(
            uow=uow, office="KGBSK", flow="IM", parameters=rates, actor=APPROVER
        ),
    )
    holder = ProfileSetHolder(poll_seconds=0)
    keys = []
    for n in range(1, DECLARATIONS + 1):
        number = f"KGBSK/011026/{n:07d}"
        declaration_in = DeclarationCreate.model_validate(car_import(number))
        with UnitOfWork(session_factory) as uow:
            selectivity_service.submit(
                uow=uow, declaration_in=declaration_in, holder=holder, secret=SECRET.encode()
            )
            uow.commit()
        keys.append(number)

    formula = documented_formula()
    replayed = below_half = differs_from_2_64 = 0
    with UnitOfWork(session_factory) as uow:
        for number in keys:
            decision = selectivity_service.get_decision(uow=uow, number=number)
            key = f"{number}/1"  # the declaration key: number/version
            draws = [
                ((key, hit["code"], str(hit["version"])), hit["selection_rate"], hit)
                for hit in decision.hits
            ] + [((key, "random", d["channel"]), d["rate"], d) for d in decision.random]
            assert len(draws) == 5
            for parts, rate, stored in draws:
                u, expected = replay(formula, *parts)
                assert Fraction(stored["draw"]) == expected, (parts, stored, float(expected))
                # Selected exactly when the draw is below the rate (no exemption here).
                assert stored["selected"] == (expected < Fraction(Decimal(rate)) / 100)
                replayed += 1
                if expected < Fraction(1, 2):
                    below_half += 1
                    # u / 2**64 rounded down to a double keeps more than 53 bits below 0.5:
                    # what the documentation said before, and not what the code stores.
                    if rounded_down(Fraction(u, 2**64)) != stored["draw"]:
                        differs_from_2_64 += 1
    assert replayed == 5 * DECLARATIONS
    assert below_half > DECLARATIONS, "draws below 0.5 are replayed too"
    assert differs_from_2_64 > 0


def test_the_engine_documents_the_readme_formula() -> None:
    formula = documented_formula()
    assert formula == "floor(u / 2**11) / 2**53"
    for text in (engine.__doc__, engine.draw.__doc__):
        assert text is not None
        assert formula in " ".join(text.split())
        assert "2**64" not in text
