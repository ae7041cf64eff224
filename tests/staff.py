"""A customs service to test with: units, one user per role, an API token each.

Head office ``HQ`` (Bishkek) → regional department ``REG-N`` → post ``POST-1``
covering office ``KGBSK`` (where the factories' declarations are lodged), and
a second post ``POST-2`` under another region covering ``KGOSH``. Every role
has a user at head office (``<role>``, data scope: all offices) and the
inspector and the regional coordinator also exist at the posts and regions
(``inspector.post1``, ``inspector.post2``, ``coordinator.north``); the
post's clearance system ``system.post1``; and ``senior.analyst``, who holds both
the analyst's and the approver's roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Role
from corridor.accounts.schemas import TokenIssue, UnitCreate, UserCreate
from corridor.config import Settings
from corridor.db.uow import UnitOfWork

PASSWORD = "correct horse battery staple"

UNITS = (
    UnitCreate(code="HQ", name="Head office, Bishkek", kind="head_office"),
    UnitCreate(code="REG-N", name="Northern regional department", kind="regional", parent="HQ"),
    UnitCreate(code="REG-S", name="Southern regional department", kind="regional", parent="HQ"),
    UnitCreate(code="POST-1", name="Bishkek post", kind="post", parent="REG-N", offices=["KGBSK"]),
    UnitCreate(code="POST-2", name="Osh post", kind="post", parent="REG-S", offices=["KGOSH"]),
)


@dataclass
class Staff:
    """Bearer headers by username (one user per role at head office, named after it)."""

    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: Role | str) -> dict[str, str]:
        """``Authorization`` header of a user (a role's head-office user by the role)."""
        name = who.value if isinstance(who, Role) else who
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def seed_staff(session_factory: sessionmaker[Session], *, passwords: bool = False) -> Staff:
    """Create the units and users, and an API token for each user.

    ``passwords``: also give every user :data:`PASSWORD` (argon2 hashing is slow;
    only tests of sessions need it).
    """
    settings = Settings()
    users: list[tuple[str, str, list[Role]]] = [(role.value, "HQ", [role]) for role in Role]
    users += [
        ("inspector.post1", "POST-1", [Role.INSPECTOR]),
        ("inspector.post2", "POST-2", [Role.INSPECTOR]),
        ("coordinator.north", "REG-N", [Role.REGIONAL_COORDINATOR]),
        ("system.post1", "POST-1", [Role.SYSTEM]),
        # Writes and approves: the four-eyes rule, not the matrix, must stop self-approval.
        ("senior.analyst", "HQ", [Role.RISK_ANALYST, Role.APPROVER]),
    ]
    staff = Staff()
    with UnitOfWork(session_factory) as uow:
        for unit in UNITS:
            accounts_service.create_unit(uow=uow, unit_in=unit, actor="test")
        for username, unit_code, roles in users:
            accounts_service.create_user(
                uow=uow,
                user_in=UserCreate(
                    username=username,
                    full_name=username.replace(".", " ").replace("_", " ").title(),
                    unit=unit_code,
                    roles=roles,
                    password=PASSWORD if passwords else None,
                ),
                actor="test",
            )
            _, secret = accounts_service.issue_token(
                uow=uow,
                username=username,
                token_in=TokenIssue(name=f"{username} tests", expires_days=30),
                actor="test",
                settings=settings,
            )
            staff.tokens[username] = secret
        uow.commit()
    return staff
