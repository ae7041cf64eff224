"""Pydantic shapes of units, users, API tokens and sign-in at the edges (API, CLI).

Passwords are never stripped of whitespace (a space is a character of the
password) and never appear in a read shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from corridor.accounts.roles import Role
from corridor.errors import N_
from corridor.text import InputModel

UnitKind = Literal["head_office", "regional", "post"]
UnitCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9][A-Z0-9-]{1,19}$")
]
# The same rule as DeclarationCreate.office (declarations/schemas.py, which has no named
# type for it): a post's offices are matched against the offices declarations carry, so
# a code accepted there must be assignable here (the demo world's offices have 5 characters).
OfficeCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=17, pattern=r"^[A-Z0-9]+$"),
]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9._-]{1,59}$")
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
#: A password someone sets: long enough to resist guessing, short enough to hash cheaply.
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]


class _In(InputModel):
    pass


# --------------------------------------------------------------------------- units


class UnitCreate(_In):
    """A new unit of the customs service: the head office, a regional department or a post.

    ``offices`` are the customs offices a post covers; only posts have them.
    """

    code: UnitCode
    name: FullName
    kind: UnitKind
    parent: UnitCode | None = None
    offices: list[OfficeCode] = Field(default_factory=list, max_length=200)

    @field_validator("offices")
    @classmethod
    def _distinct_offices(cls, offices: list[str]) -> list[str]:
        repeated = sorted({office for office in offices if offices.count(office) > 1})
        if repeated:
            raise ValueError(N_("office %(office)s is listed twice", office=", ".join(repeated)))
        return offices


class UnitRead(BaseModel):
    """A stored unit; ``parent`` is the parent's code."""

    code: str
    name: str
    kind: UnitKind
    parent: str | None
    offices: list[str]


# --------------------------------------------------------------------------- users


def _distinct_roles(roles: list[Role] | None) -> list[Role] | None:
    return None if roles is None else sorted(set(roles))


class UserCreate(_In):
    """A new user; without a password the user signs in only through API tokens."""

    username: Username
    full_name: FullName
    unit: UnitCode
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: Password | None = None

    _roles = field_validator("roles")(_distinct_roles)


class UserUpdate(_In):
    """A change to a user; fields left out stay as they are."""

    full_name: FullName | None = None
    unit: UnitCode | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))
    active: bool | None = None

    _roles = field_validator("roles")(_distinct_roles)


class UserRead(BaseModel):
    """A stored user (never the password or its hash)."""

    username: str
    full_name: str
    unit: str
    roles: list[Role]
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


class PasswordIn(_In):
    """A new password for a user."""

    password: Password


# --------------------------------------------------------------------------- API tokens


class TokenIssue(_In):
    """A new API token for a system client; ``roles`` default to all the user's roles.

    ``expires_days`` is capped by the installation's ``api_token_max_days`` (checked
    by the service, which knows the settings).
    """

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))
    expires_days: int = Field(default=90, ge=1)

    _roles = field_validator("roles")(_distinct_roles)


class TokenRead(BaseModel):
    """A stored API token (never its secret); ``active`` is neither revoked nor expired."""

    id: int
    prefix: str
    name: str
    username: str
    roles: list[Role]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


# --------------------------------------------------------------------------- sign-in


class LoginIn(_In):
    """A sign-in attempt. Both fields are capped so a huge body costs nothing to refuse."""

    username: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
