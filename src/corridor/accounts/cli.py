"""``corridor units …``, ``corridor users …``, ``corridor tokens …``: accounts from the terminal.

Whoever can run the command on the server is trusted as an administrator; every
change is journalled with the actor ``cli:<operating-system user>``.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from corridor.accounts import service
from corridor.accounts.schemas import TokenIssue, UnitCreate, UserCreate, UserUpdate
from corridor.config import get_settings
from corridor.terminal import cli_actor, run_use_case, validated

units_app = typer.Typer(help="Units of the customs service: create, list.", no_args_is_help=True)
users_app = typer.Typer(
    help="Users: create, list, update, set passwords, unlock.", no_args_is_help=True
)
tokens_app = typer.Typer(
    help="API tokens of system clients: issue, list, revoke.", no_args_is_help=True
)
console = Console()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line, without its line ending (``echo … |`` and files both end in one).
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


# --------------------------------------------------------------------------- units


@units_app.command("create")
def create_unit_command(
    code: Annotated[str, typer.Argument(help="unit code, e.g. HQ, REG-CHUI, POST-BSK")],
    name: Annotated[str, typer.Option(help="the unit's name")],
    kind: Annotated[str, typer.Option(help="head_office, regional or post")],
    parent: Annotated[str | None, typer.Option(help="the parent unit's code")] = None,
    office: Annotated[
        list[str] | None, typer.Option(help="a customs office the post covers (repeatable)")
    ] = None,
) -> None:
    """Add a unit: the head office, a regional department, or a post with its offices."""
    unit_in = validated(
        UnitCreate,
        {"code": code, "name": name, "kind": kind, "parent": parent, "offices": office or []},
    )
    actor = cli_actor()
    unit = run_use_case(
        lambda uow: service.create_unit(uow=uow, unit_in=unit_in, actor=actor), commit=True
    )
    console.print(f"unit {unit.code} ({unit.kind}) created", highlight=False)


@units_app.command("list")
def list_units_command() -> None:
    """List the units in tree order."""
    units = run_use_case(lambda uow: service.list_units(uow=uow), commit=False)
    table = Table("code", "kind", "parent", "name", "offices")
    for unit in units:
        table.add_row(unit.code, unit.kind, unit.parent or "", unit.name, ", ".join(unit.offices))
    console.print(table)


# --------------------------------------------------------------------------- users


@users_app.command("create")
def create_user_command(
    username: Annotated[str, typer.Argument(help="lower case, e.g. a.osmonova")],
    full_name: Annotated[str, typer.Option(help="the person's (or system's) name")],
    unit: Annotated[str, typer.Option(help="the code of the user's unit")],
    role: Annotated[list[str], typer.Option(help="a role the user holds (repeatable)")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password", help="no password: a system client signing in by API token only"
        ),
    ] = False,
) -> None:
    """Add a user; asks for the password twice (hidden) unless told otherwise."""
    password = None if no_password else _read_password(password_stdin)
    user_in = validated(
        UserCreate,
        {
            "username": username,
            "full_name": full_name,
            "unit": unit,
            "roles": role,
            "password": password,
        },
    )
    actor = cli_actor()
    user = run_use_case(
        lambda uow: service.create_user(uow=uow, user_in=user_in, actor=actor), commit=True
    )
    console.print(
        f"user {user.username} created in {user.unit} with roles {', '.join(user.roles)}",
        highlight=False,
    )


@users_app.command("list")
def list_users_command() -> None:
    """List every user with their unit, roles and state."""
    users = run_use_case(lambda uow: service.list_users(uow=uow), commit=False)
    table = Table("username", "name", "unit", "roles", "active", "locked until", "last sign-in")
    for user in users:
        table.add_row(
            user.username,
            user.full_name,
            user.unit,
            ", ".join(user.roles),
            "yes" if user.active else "no",
            _when(user.locked_until),
            _when(user.last_login_at),
        )
    console.print(table)


@users_app.command("update")
def update_user_command(
    username: Annotated[str, typer.Argument(help="the user to change")],
    full_name: Annotated[str | None, typer.Option(help="a new name")] = None,
    unit: Annotated[str | None, typer.Option(help="the code of a new unit")] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(help="the roles the user holds from now on (repeatable; replaces all)"),
    ] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="allow or stop signing in")
    ] = None,
) -> None:
    """Change a user's name, unit, roles or whether they may sign in."""
    user_update = validated(
        UserUpdate,
        {"full_name": full_name, "unit": unit, "roles": role or None, "active": active},
    )
    actor = cli_actor()
    user = run_use_case(
        lambda uow: service.update_user(
            uow=uow, username=username, user_update=user_update, actor=actor
        ),
        commit=True,
    )
    console.print(
        f"user {user.username}: {user.full_name}, {user.unit}, roles {', '.join(user.roles)}, "
        f"{'active' if user.active else 'inactive'}",
        highlight=False,
    )


@users_app.command("password")
def password_command(
    username: Annotated[str, typer.Argument(help="the user whose password to set")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a user's password (asks twice, hidden, unless read from standard input)."""
    password = _read_password(password_stdin)
    actor = cli_actor()
    run_use_case(
        lambda uow: service.set_password(
            uow=uow, username=username, password=password, actor=actor
        ),
        commit=True,
    )
    console.print(f"password of {username} set", highlight=False)


@users_app.command("unlock")
def unlock_command(
    username: Annotated[str, typer.Argument(help="the locked-out user")],
) -> None:
    """Lift a lockout after failed sign-ins."""
    actor = cli_actor()
    run_use_case(lambda uow: service.unlock(uow=uow, username=username, actor=actor), commit=True)
    console.print(f"user {username} unlocked", highlight=False)


# --------------------------------------------------------------------------- API tokens


@tokens_app.command("issue")
def issue_token_command(
    username: Annotated[str, typer.Argument(help="the (system) user the token acts as")],
    name: Annotated[str, typer.Option(help="what the token is for, e.g. 'ASYCUDA production'")],
    role: Annotated[
        list[str] | None,
        typer.Option(help="a role the token grants (repeatable; default: all the user's)"),
    ] = None,
    expires_days: Annotated[int, typer.Option(help="days until the token expires")] = 90,
) -> None:
    """Issue an API token and print its secret, once."""
    settings = get_settings()
    token_in = validated(
        TokenIssue, {"name": name, "roles": role or None, "expires_days": expires_days}
    )
    actor = cli_actor()
    token, secret = run_use_case(
        lambda uow: service.issue_token(
            uow=uow, username=username, token_in=token_in, actor=actor, settings=settings
        ),
        commit=True,
    )
    console.print(
        f"API token {token.id} ({token.name}) for {token.username}, roles "
        f"{', '.join(token.roles)}, expires {_when(token.expires_at)}",
        highlight=False,
    )
    console.print(
        "[bold yellow]Copy the secret now: it is stored only as a hash and cannot be "
        "shown again.[/]"
    )
    # Plain echo, not rich: no wrapping or markup may alter the secret.
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens_command(
    user: Annotated[str | None, typer.Option(help="only this user's tokens")] = None,
) -> None:
    """List API tokens (never their secrets), newest first."""
    tokens = run_use_case(lambda uow: service.list_tokens(uow=uow, username=user), commit=False)
    table = Table("id", "prefix", "name", "user", "roles", "expires", "last used", "state")
    for token in tokens:
        state = "active"
        if token.revoked_at is not None:
            state = "revoked"
        elif not token.active:
            state = "expired"
        table.add_row(
            str(token.id),
            token.prefix,
            token.name,
            token.username,
            ", ".join(token.roles),
            _when(token.expires_at),
            _when(token.last_used_at),
            state,
        )
    console.print(table)


@tokens_app.command("revoke")
def revoke_token_command(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="the token's id (see list)")],
) -> None:
    """Revoke an API token for good."""
    actor = cli_actor()
    token = run_use_case(
        lambda uow: service.revoke_token(uow=uow, token_id=token_id, actor=actor), commit=True
    )
    console.print(
        f"API token {token.id} ({token.name}) of {token.username} revoked", highlight=False
    )
