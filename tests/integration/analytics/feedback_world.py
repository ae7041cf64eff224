"""A small feedback world written row by row, whose every figure is counted by hand.

October 2026 (customs days, Kyrgyz time), offices KGBSK and KGOSH. Profiles:
``NAT-2026-0001`` versions 1 and 2 (valuation), ``NAT-2026-0002`` (classification)
and the intelligence target ``TGT-2026-0001``.

====  ====  ===========  =======  =======  ====  ====  =========  ============================
decl  off.  registered   channel  current  prof  rand  hits       current act
====  ====  ===========  =======  =======  ====  ====  =========  ============================
d1    BSK   10-05 10:00  red      red      yes   no    A1+B sel   discrepancy 1000.50, 120 min
d2    BSK   10-06 10:00  yellow   yellow   yes   no    A1 sel     none found, 30 min
d3    OSH   10-07 10:00  yellow   yellow   yes   no    A1 sel     v2 none found, 45 min (v1
                                                                  found 5000: corrected)
d4    BSK   10-08 10:00  green    red (1)  no    no    A1 match   none found, 90 min (re-route)
d5    BSK   10-08 11:00  green    green    no    no    A1 exempt  —
d6    BSK   10-09 10:00  red      red      yes   no    A1 sel     — (not yet inspected)
d7    OSH   10-10 10:00  red      red      yes   no    A2 sel     discrepancy 200, 60 min
d8    BSK   10-11 10:00  red      red      yes   no    T sel      discrepancy 300, 100 min
d9    BSK   10-12 10:00  red      red      no    yes   —          none found, 60 min
d10   OSH   10-13 10:00  yellow   yellow   no    yes   —          discrepancy 50, 30 min
d11   BSK   10-14 10:00  yellow   yellow   no    yes   —          —
d12   BSK   10-15 10:00  red      red      yes   yes   A1 sel     none found, 90 min
d13   BSK   11-01 00:30  red      red      yes   no    A1 sel     discrepancy 999, 60 min
d14   BSK   10-01 00:30  green    green    no    no    —          —
d15   BSK   10-16 10:00  (not assessed)
====  ====  ===========  =======  =======  ====  ====  =========  ============================

(1) re-routed green → yellow → red: the latest re-route counts.

d13 is registered on 1 November in Kyrgyz time (31 October 18:30 UTC): outside October;
d14 on 1 October (30 September 18:30 UTC): inside. Customs values in ``VALUES``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from corridor.db.tables import (
    DecisionHitRow,
    DecisionRow,
    DeclarationRow,
    InspectionActRow,
    ProfileVersionRow,
    RerouteRow,
)
from corridor.db.uow import UnitOfWork

BISHKEK = timezone(timedelta(hours=6))
A, B, T = "NAT-2026-0001", "NAT-2026-0002", "TGT-2026-0001"

#: Customs value of each declaration (KGS).
VALUES: dict[str, Decimal] = {
    "d1": Decimal(100000), "d2": Decimal(50000), "d3": Decimal(70000), "d4": Decimal(20000),
    "d5": Decimal(30000), "d6": Decimal(40000), "d7": Decimal(60000), "d8": Decimal(80000),
    "d9": Decimal(10000), "d10": Decimal(15000), "d11": Decimal(25000), "d12": Decimal(45000),
    "d13": Decimal(99999), "d14": Decimal("12345.67"), "d15": Decimal(5000),
}  # fmt: skip


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BISHKEK)


# name: (office, registered, channel, by profile, at random, hits [(code, version, sel, exempt)])
_DECLARATIONS: dict[str, tuple[str, datetime, str | None, bool, bool, list[Any]]] = {
    "d1": ("KGBSK", _at(10, 5, 10), "red", True, False, [(A, 1, True, False), (B, 1, True, False)]),
    "d2": ("KGBSK", _at(10, 6, 10), "yellow", True, False, [(A, 1, True, False)]),
    "d3": ("KGOSH", _at(10, 7, 10), "yellow", True, False, [(A, 1, True, False)]),
    "d4": ("KGBSK", _at(10, 8, 10), "green", False, False, [(A, 1, False, False)]),
    "d5": ("KGBSK", _at(10, 8, 11), "green", False, False, [(A, 1, False, True)]),
    "d6": ("KGBSK", _at(10, 9, 10), "red", True, False, [(A, 1, True, False)]),
    "d7": ("KGOSH", _at(10, 10, 10), "red", True, False, [(A, 2, True, False)]),
    "d8": ("KGBSK", _at(10, 11, 10), "red", True, False, [(T, 1, True, False)]),
    "d9": ("KGBSK", _at(10, 12, 10), "red", False, True, []),
    "d10": ("KGOSH", _at(10, 13, 10), "yellow", False, True, []),
    "d11": ("KGBSK", _at(10, 14, 10), "yellow", False, True, []),
    "d12": ("KGBSK", _at(10, 15, 10), "red", True, True, [(A, 1, True, False)]),
    "d13": ("KGBSK", _at(11, 1, 0, 30), "red", True, False, [(A, 1, True, False)]),
    "d14": ("KGBSK", _at(10, 1, 0, 30), "green", False, False, []),
    "d15": ("KGBSK", _at(10, 16, 10), None, False, False, []),
}

# name: [(act version, current, outcome, duties, minutes, basis)]
_ACTS: dict[str, list[tuple[int, bool, str, str, int, str]]] = {
    "d1": [(1, True, "discrepancy", "1000.50", 120, "profile")],
    "d2": [(1, True, "no_discrepancy", "0", 30, "profile")],
    "d3": [
        (1, False, "discrepancy", "5000", 45, "profile"),
        (2, True, "no_discrepancy", "0", 45, "profile"),
    ],
    "d4": [(1, True, "no_discrepancy", "0", 90, "reroute")],
    "d7": [(1, True, "discrepancy", "200", 60, "profile")],
    "d8": [(1, True, "discrepancy", "300", 100, "profile")],
    "d9": [(1, True, "no_discrepancy", "0", 60, "random")],
    "d10": [(1, True, "discrepancy", "50", 30, "random")],
    "d12": [(1, True, "no_discrepancy", "0", 90, "profile")],
    "d13": [(1, True, "discrepancy", "999", 60, "profile")],
}


def _profile(code: str, version: int, kind: str, risk_area: str) -> ProfileVersionRow:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    return ProfileVersionRow(
        code=code,
        version=version,
        status="active" if version == 2 or code != A else "retired",
        title=f"{risk_area} profile {code} v{version}",
        kind=kind,
        risk_area=risk_area,
        criteria='origin = "CN"',
        criteria_json={},
        measures=[{"code": "109", "mandatory": True}],
        selection_rate=Decimal(100),
        offices=[],
        flows=["IM"],
        procedures=[],
        exempt_low_risk=False,
        exempt_aeo=True,
        officer_instructions="Examine the goods.",
        rationale="test",
        author="analyst",
        created_at=now,
    )


def build(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Write the world; the declaration id of each name."""
    ids: dict[str, int] = {}
    with UnitOfWork(session_factory) as uow:
        session = uow.session
        session.add_all(
            [
                _profile(A, 1, "national", "valuation"),
                _profile(A, 2, "national", "valuation"),
                _profile(B, 1, "national", "classification"),
                _profile(T, 1, "target", "valuation"),
            ]
        )
        for n, (name, (office, registered, channel, by_profile, at_random, hits)) in enumerate(
            _DECLARATIONS.items(), 1
        ):
            declaration = DeclarationRow(
                number=f"{office}/{registered:%d%m%y}/{n:07d}",
                version=1,
                content_hash=f"{n:064d}",
                flow="IM",
                procedure="40",
                office=office,
                registered_at=registered,
                declarant="02107199910034",
                importer="01503200710021",
                transport_mode=30,
                containers=[],
                currency="USD",
                documents=[],
                attributes={},
                item_count=1,
                total_customs_value=VALUES[name],
                source="test",
                received_at=registered,
            )
            session.add(declaration)
            session.flush()
            ids[name] = declaration.id
            if channel is None:
                continue
            decision = DecisionRow(
                declaration_id=declaration.id,
                channel=channel,
                engine_version="1.0.0",
                profile_set_version="test",
                assessed_at=registered,
                selected_by_profile=by_profile,
                selected_at_random=at_random,
                detail={},
            )
            session.add(decision)
            session.flush()
            for code, version, selected, exempt in hits:
                session.add(
                    DecisionHitRow(
                        decision_id=decision.id,
                        profile_code=code,
                        profile_version=version,
                        selected=selected,
                        exempt=exempt,
                    )
                )
            if name == "d4":  # green → yellow → red: the latest re-route counts
                for before, after, minutes in (("green", "yellow", 5), ("yellow", "red", 9)):
                    session.add(
                        RerouteRow(
                            decision_id=decision.id,
                            from_channel=before,
                            to_channel=after,
                            reason_code="intelligence",
                            comment="test",
                            officer="inspector",
                            at=registered + timedelta(minutes=minutes),
                        )
                    )
            for version, current, outcome, duties, minutes, basis in _ACTS.get(name, []):
                session.add(
                    InspectionActRow(
                        declaration_id=declaration.id,
                        act_version=version,
                        current=current,
                        office=office,
                        selection_basis=basis,
                        measures=[{"code": "109", "status": "applied", "reason_code": None}],
                        outcome=outcome,
                        discrepancy_types=["valuation"] if outcome == "discrepancy" else [],
                        additional_duties=Decimal(duties),
                        seizure=False,
                        offence_case=None,
                        minutes_spent=minutes,
                        notes="",
                        inspector="Asanov B.",
                        inspected_at=registered + timedelta(hours=2),
                        recorded_by="Asanov B.",
                        recorded_at=registered + timedelta(hours=3, minutes=version),
                        correction_reason=None if version == 1 else "weighing repeated",
                        source="test",
                    )
                )
        uow.commit()
    return ids
