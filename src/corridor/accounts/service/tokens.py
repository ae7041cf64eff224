"""API tokens for systems and scripts: issued once, scoped, expiring, revocable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from corridor.accounts import repository
from corridor.accounts.roles import Principal
from corridor.accounts.schemas import (
    TokenIssue,
    TokenRead,
)

#: The one answer to every refused sign-in, whatever the reason.
# =========================================================================== API tokens
from corridor.accounts.service._common import (
    ACTOR_LENGTH,
    TOKEN_PREFIX,
    TOKEN_PREFIX_LENGTH,
    TOKEN_USE_PRECISION,
    digest,
)
from corridor.accounts.service.signin import clip, principal_of
from corridor.accounts.service.users import known_roles, user_with_unit_or_raise
from corridor.config import Settings
from corridor.db.tables import ApiTokenRow
from corridor.db.uow import UnitOfWork
from corridor.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
)
from corridor.journal import service as journal


def issue_token(
    *,
    uow: UnitOfWork,
    username: str,
    token_in: TokenIssue,
    actor: str,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[TokenRead, str]:
    """Issue an API token for a user: (the stored token, its secret).

    The secret is returned here and never again (only its SHA-256 is stored). The
    token's roles default to all the user's roles and may only narrow them.
    Raises NotFound for an unknown user, Conflict for an inactive one, InvalidInput
    naming ``expires_days`` or ``roles``.
    """
    now = now or uow.now
    if not 1 <= token_in.expires_days <= settings.api_token_max_days:
        raise InvalidInput(
            N_("the token would live too long"),
            [
                FieldError(
                    ("expires_days",),
                    N_("must be 1 to %(days)s days", days=settings.api_token_max_days),
                )
            ],
        )
    user, _unit = user_with_unit_or_raise(uow, username)
    if not user.active:
        raise Conflict(
            N_("user %(user)s is inactive; a token of theirs would not work", user=username)
        )
    held = set(repository.roles_of(uow.session, user.id))
    wanted = held if token_in.roles is None else {role.value for role in token_in.roles}
    if not wanted <= held:
        raise InvalidInput(
            N_("a token cannot grant more than its user holds"),
            [
                FieldError(
                    ("roles",),
                    N_(
                        "user %(user)s does not hold %(roles)s",
                        user=username,
                        roles=", ".join(sorted(wanted - held)),
                    ),
                )
            ],
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        token_hash=digest(secret),
        prefix=secret[:TOKEN_PREFIX_LENGTH],
        name=token_in.name,
        user_id=user.id,
        roles=sorted(wanted),
        created_at=now,
        created_by=clip(actor, ACTOR_LENGTH),
        expires_at=now + timedelta(days=token_in.expires_days),
        revoked_at=None,
        revoked_by=None,
        last_used_at=None,
    )
    repository.add(uow.session, row)
    read = _token_read(row, user.username, now)
    journal.record(
        uow.session,
        actor=actor,
        action="token.issue",
        object_type="token",
        object_id=str(row.id),
        after=_token_state(read),
    )
    return read, secret


def revoke_token(
    *, uow: UnitOfWork, token_id: int, actor: str, now: datetime | None = None
) -> TokenRead:
    """Revoke an API token for good. Raises NotFound, or Conflict when already revoked."""
    now = now or uow.now
    found = repository.token_with_user(uow.session, token_id)
    if found is None:
        raise NotFound(N_("API token %(token)s does not exist", token=token_id))
    token, user = found
    if token.revoked_at is not None:
        raise Conflict(
            N_(
                "API token %(token)s was already revoked on %(day)s",
                token=token_id,
                day=token.revoked_at.strftime("%Y-%m-%d"),
            )
        )
    before = _token_state(_token_read(token, user.username, now))
    token.revoked_at = now
    token.revoked_by = clip(actor, ACTOR_LENGTH)
    read = _token_read(token, user.username, now)
    journal.record(
        uow.session,
        actor=actor,
        action="token.revoke",
        object_type="token",
        object_id=str(token.id),
        before=before,
        after={**_token_state(read), "revoked_by": token.revoked_by},
    )
    return read


def list_tokens(
    *, uow: UnitOfWork, username: str | None = None, now: datetime | None = None
) -> list[TokenRead]:
    """API tokens, newest first (of one user, or all). Raises NotFound for an unknown user."""
    now = now or uow.now
    user_id = None
    if username is not None:
        user_id = user_with_unit_or_raise(uow, username)[0].id
    return [
        _token_read(token, owner, now) for token, owner in repository.tokens(uow.session, user_id)
    ]


def principal_from_token(
    *, uow: UnitOfWork, secret: str, now: datetime | None = None
) -> Principal | None:
    """The principal of an API token's secret; None when unknown, revoked, expired, or the
    user is inactive. Its roles are the token's roles the user still holds.

    A lockout (wrong passwords) does not stop tokens: otherwise anyone could halt the
    clearance system by guessing its account's password a few times. The time of last
    use is written at most once per :data:`TOKEN_USE_PRECISION`, in the caller's
    transaction.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = now or uow.now
    found = repository.token_by_hash(uow.session, digest(secret))
    if found is None:
        return None
    token, user, unit = found
    if token.revoked_at is not None or token.expires_at <= now or not user.active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - TOKEN_USE_PRECISION:
        repository.touch_token(uow.session, token.id, now, now - TOKEN_USE_PRECISION)
    roles = set(token.roles) & set(repository.roles_of(uow.session, user.id))
    return principal_of(uow, user, unit, roles, via="token")


def _token_read(row: ApiTokenRow, username: str, now: datetime) -> TokenRead:
    return TokenRead(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        username=username,
        roles=sorted(known_roles(row.roles)),
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        active=row.revoked_at is None and row.expires_at > now,
    )


def _token_state(read: TokenRead) -> dict[str, Any]:
    """What the journal keeps of a token: never its secret (only the recognisable prefix)."""
    return read.model_dump(mode="json", exclude={"active", "last_used_at"})
