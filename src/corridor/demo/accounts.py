"""The demo's customs service: units in Bishkek and the regions, one user per role.

Every demo user shares one password generated for this installation (never a
constant in the code); the clearance system's user gets an API token. Both are
kept in ``var/demo-credentials.json`` (readable by the owner only) so that
``make run`` can print them again on the next start. A demo, not a way to run
production: the settings refuse demo mode when the environment is production.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import TokenIssue, UnitCreate, UserCreate
from corridor.config import Settings
from corridor.db.uow import UnitOfWork
from corridor.demo.selectivity import ANALYST, APPROVER

ACTOR = "demo"

UNITS = (
    UnitCreate(code="HQ", name="Customs Service head office, Bishkek", kind="head_office"),
    UnitCreate(
        code="REG-NORTH", name="Northern regional department (Chui)", kind="regional", parent="HQ"
    ),
    UnitCreate(
        code="REG-SOUTH",
        name="Southern regional department (Osh, Jalal-Abad)",
        kind="regional",
        parent="HQ",
    ),
    UnitCreate(
        code="REG-EAST",
        name="Eastern regional department (Issyk-Kul, Naryn)",
        kind="regional",
        parent="HQ",
    ),
    UnitCreate(
        code="POST-BISHKEK",
        name="Bishkek customs post",
        kind="post",
        parent="REG-NORTH",
        offices=["KGBSK", "KGFRU", "KGKAN"],
    ),
    UnitCreate(
        code="POST-AKJOL",
        name="Ak-Jol border post",
        kind="post",
        parent="REG-NORTH",
        offices=["KGAKJ"],
    ),
    UnitCreate(
        code="POST-OSH",
        name="Osh customs post",
        kind="post",
        parent="REG-SOUTH",
        offices=["KGOSH", "KGDST", "KGIRK"],
    ),
    UnitCreate(
        code="POST-JALALABAD",
        name="Jalal-Abad customs post",
        kind="post",
        parent="REG-SOUTH",
        offices=["KGJAL"],
    ),
    UnitCreate(
        code="POST-TORUGART",
        name="Torugart border post",
        kind="post",
        parent="REG-EAST",
        offices=["KGTOR"],
    ),
    UnitCreate(
        code="POST-KARAKOL",
        name="Karakol customs post",
        kind="post",
        parent="REG-EAST",
        offices=["KGKRK"],
    ),
)

#: username, full name, unit, role
USERS: tuple[tuple[str, str, str, Role], ...] = (
    ("admin.demo", "Demo administrator (IT)", "HQ", Role.ADMINISTRATOR),
    (ANALYST, "Aida Analyst (risk analysis)", "HQ", Role.RISK_ANALYST),
    (APPROVER, "Bakyt Head (head of risk analysis)", "HQ", Role.APPROVER),
    ("coordinator.south", "Cholpon Coordinator (south)", "REG-SOUTH", Role.REGIONAL_COORDINATOR),
    ("inspector.bishkek", "Daniyar Inspector (Bishkek)", "POST-BISHKEK", Role.INSPECTOR),
    ("inspector.osh", "Elmira Inspector (Osh)", "POST-OSH", Role.INSPECTOR),
    ("auditor.demo", "Farida Auditor (post-entry control)", "HQ", Role.POST_ENTRY_AUDITOR),
    ("pec.head.demo", "Nurlan Head (post-entry control)", "HQ", Role.POST_ENTRY_HEAD),
    ("intel.demo", "Gulnara Officer (intelligence)", "HQ", Role.INTELLIGENCE_OFFICER),
    ("viewer.demo", "Demo viewer", "HQ", Role.VIEWER),
    ("clearance.demo", "National clearance system (API client)", "HQ", Role.SYSTEM),
)
SYSTEM_USER = "clearance.demo"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the demo prints: the shared password and the clearance system's token."""

    password: str
    token: str
    created: bool  # made now (False: read back from the file)


def ensure(
    *, session_factory: sessionmaker[Session], settings: Settings, path: Path
) -> Credentials:
    """Create the demo units and users once; later calls read the credentials back."""
    with UnitOfWork(session_factory) as uow:
        existing = {u.username for u in accounts_service.list_users(uow=uow)}
    if ANALYST in existing and path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(stored["password"], stored["token"], created=False)
    password = secrets.token_urlsafe(12)
    with UnitOfWork(session_factory) as uow:
        known_units = {u.code for u in accounts_service.list_units(uow=uow)}
        for unit in UNITS:
            if unit.code not in known_units:
                accounts_service.create_unit(uow=uow, unit_in=unit, actor=ACTOR)
        for username, full_name, unit_code, role in USERS:
            if username in existing:
                accounts_service.set_password(
                    uow=uow, username=username, password=password, actor=ACTOR
                )
                continue
            accounts_service.create_user(
                uow=uow,
                user_in=UserCreate(
                    username=username,
                    full_name=full_name,
                    unit=unit_code,
                    roles=[role],
                    password=password,
                ),
                actor=ACTOR,
            )
        _, token = accounts_service.issue_token(
            uow=uow,
            username=SYSTEM_USER,
            token_in=TokenIssue(name="demo clearance system", expires_days=90),
            actor=ACTOR,
            settings=settings,
        )
        uow.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"password": password, "token": token}, file)
    return Credentials(password, token, created=True)
