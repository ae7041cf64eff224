"""What a worker's routes share, typed: the application's state.

:func:`corridor.app.create_app` builds one :class:`AppState` and :func:`install`\\ s it;
routes reach it through :data:`Services` (a FastAPI dependency) or, holding a request,
:func:`app_state`. The state itself never changes; its mutable parts (the profile-set
holder, the token cache, the sign-in throttle) are objects it holds, each guarding its
own changes. This module is the one place that reads or writes Starlette's untyped
``app.state`` (``tests/unit/test_app_state_only.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from corridor.accounts.service import LoginThrottle
from corridor.config import Settings
from corridor.selectivity.snapshot import ProfileSetHolder

if TYPE_CHECKING:
    # Only a type here: security.py reaches the state through this module.
    from corridor.web.security import TokenCache


@dataclass(frozen=True, slots=True)
class AppState:
    """The objects every request of one application shares."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    #: the worker's compiled profile set, swapped when profiles change
    profile_sets: ProfileSetHolder
    #: the key of the random draws (``settings.selection_secret``, encoded once)
    selection_secret: bytes
    #: principals of recently seen API tokens
    token_cache: TokenCache
    #: failed sign-ins per client address
    login_throttle: LoginThrottle


def install(app: Starlette, state: AppState) -> None:
    """Give ``app`` its state (once, when the application is built)."""
    app.state.corridor = state


def state_of(app: Starlette) -> AppState:
    """The state :func:`install` gave ``app``."""
    state: AppState = app.state.corridor
    return state


def app_state(request: Request) -> AppState:
    """The state of the application serving ``request``."""
    return state_of(request.app)


#: A route's or dependency's view of the application's state.
Services = Annotated[AppState, Depends(app_state)]
