"""Use cases of accounts: units, users and roles, passwords, sign-in, sessions, API tokens.

The unit tree::

    head office (one) ─┬─ regional department ── post (covers customs offices)
                       └─ post

A user sees the declarations of the offices of every post under their unit;
a head-office user sees every office.

Sign-in (:func:`authenticate`):

* Passwords are stored as argon2 hashes (pwdlib); an old-parameter hash is
  replaced at the next successful sign-in.
* ``login_max_failures`` wrong passwords in a row lock the account for
  ``login_lockout_minutes``; a locked, inactive or password-less account is
  refused without looking at the password. Every refusal says the same thing,
  and an unknown username costs the same hashing time as a known one, so a
  caller cannot learn which usernames exist or which accounts are locked.
* More than ``login_address_failures`` failures a minute from one address are
  refused before anything is checked (:class:`LoginThrottle`).

Browser sessions and API tokens are random secrets of which only the SHA-256
is stored. Every change of state is journalled; no password, password hash,
session id or token secret ever is.

These functions do not commit: the edge does. A refused sign-in is journalled in the
caller's transaction and raised as :class:`SignInRefused`, which the edge commits before
answering, so that the failure counts towards the lockout although the call fails.

The use cases live in one module a subject — units, users, sign-in, sessions,
tokens, over ``_common`` (constants, the clock, hashing); this package is their
face: import it, not its modules.
"""

from __future__ import annotations

from corridor.accounts.service._common import (
    REFUSED,
    TOKEN_PREFIX,
    TOKEN_PREFIX_LENGTH,
    TOKEN_USE_PRECISION,
)
from corridor.accounts.service.sessions import (
    end_session,
    principal_from_session,
    start_session,
)
from corridor.accounts.service.signin import (
    LOGIN_THROTTLE,
    LoginThrottle,
    SignInRefused,
    authenticate,
)
from corridor.accounts.service.tokens import (
    issue_token,
    list_tokens,
    principal_from_token,
    revoke_token,
)
from corridor.accounts.service.units import (
    create_unit,
    list_units,
    offices_under,
)
from corridor.accounts.service.users import (
    create_user,
    get_user,
    list_users,
    set_language,
    set_password,
    unlock,
    update_user,
)

__all__ = [
    "LOGIN_THROTTLE",
    "REFUSED",
    "TOKEN_PREFIX",
    "TOKEN_PREFIX_LENGTH",
    "TOKEN_USE_PRECISION",
    "LoginThrottle",
    "SignInRefused",
    "authenticate",
    "create_unit",
    "create_user",
    "end_session",
    "get_user",
    "issue_token",
    "list_tokens",
    "list_units",
    "list_users",
    "offices_under",
    "principal_from_session",
    "principal_from_token",
    "revoke_token",
    "set_language",
    "set_password",
    "start_session",
    "unlock",
    "update_user",
]
