"""What the accounts service's modules share: constants, hashing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from corridor.accounts.roles import Role
from corridor.errors import N_

#: The one answer to every refused sign-in, whatever the reason.

REFUSED = N_("wrong username or password, or the account is locked")
TOKEN_PREFIX = "crd_"
#: Characters of a token kept in clear, to recognise it in lists ("crd_" and 8 more).
TOKEN_PREFIX_LENGTH = 12
#: A token's last use is written at most this often (a clearance system sends hundreds
#: of requests a second through one token; a write per request would serialise them).
TOKEN_USE_PRECISION = timedelta(hours=1)
#: The journal's actor and object columns are this long.
ACTOR_LENGTH, OBJECT_LENGTH = 60, 200

PASSWORDS = PasswordHash((Argon2Hasher(),))
KIND_ORDER = {"head_office": 0, "regional": 1, "post": 2}
ROLE_NAMES = frozenset(role.value for role in Role)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
