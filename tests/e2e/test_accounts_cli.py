"""``corridor units|users|tokens …`` as an administrator runs them (SQLite and PostgreSQL)."""

from __future__ import annotations

import getpass
import re
import shlex
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from corridor.accounts import service
from corridor.accounts.cli import tokens_app, units_app, users_app
from corridor.accounts.roles import Role
from corridor.accounts.service import LoginThrottle
from corridor.config import Settings, get_settings
from corridor.db.tables import JournalEntryRow, UserRow
from corridor.db.uow import UnitOfWork
from corridor.errors import Conflict, InvalidInput, NotAuthenticated
from corridor.journal import service as journal
from corridor.terminal import cli_actor

PASSWORD = "Issyk-Kul shore 2026"


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose commands use the test database (settings are read afresh)."""
    monkeypatch.setenv("CORRIDOR_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def invoke(runner: CliRunner, app: typer.Typer, command: str, stdin: str | None = None) -> Any:
    """Run one command line (shell quoting) of ``app``."""
    return runner.invoke(app, shlex.split(command), input=stdin)


def ok(runner: CliRunner, app: typer.Typer, command: str, stdin: str | None = None) -> str:
    result = invoke(runner, app, command, stdin=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    return str(result.output)


def tree(runner: CliRunner) -> None:
    ok(runner, units_app, "create HQ --name 'Head office' --kind head_office")
    ok(runner, units_app, "create REG-OSH --name Osh --kind regional --parent HQ")
    ok(
        runner,
        units_app,
        "create POST-OSH --name Osh --kind post --parent REG-OSH --office KGOSH --office KGDST",
    )


def sign_in(factory: sessionmaker[Session], username: str, password: str) -> Any:
    with UnitOfWork(factory) as uow:
        try:
            principal = service.authenticate(
                uow=uow,
                username=username,
                password=password,
                client="127.0.0.1",
                settings=Settings(login_max_failures=3),
                throttle=LoginThrottle(),
            )
        except service.SignInRefused:
            uow.commit()  # as the edges do: the refusal counts towards the lockout
            raise
        uow.commit()
        return principal


def test_units_are_created_and_listed_as_a_tree(cli: CliRunner) -> None:
    tree(cli)
    listed = ok(cli, units_app, "list")
    lines = [line for line in listed.splitlines() if "HQ" in line or "POST" in line]
    assert [line.split()[1] for line in lines] == ["HQ", "REG-OSH", "POST-OSH"]
    assert "KGOSH, KGDST" in listed
    refused = invoke(cli, units_app, "create REG-X --name X --kind regional --parent POST-OSH")
    assert isinstance(refused.exception, InvalidInput)
    assert refused.exception.errors[0].loc == ("parent",)
    bad_kind = invoke(cli, units_app, "create X1 --name X --kind checkpoint")
    assert isinstance(bad_kind.exception, InvalidInput)
    assert bad_kind.exception.errors[0].loc == ("kind",)


def test_users_are_created_with_hidden_or_piped_passwords_and_managed(
    cli: CliRunner, session_factory: sessionmaker[Session]
) -> None:
    tree(cli)
    prompted = ok(
        cli,
        users_app,
        "create a.osmonova --full-name Osmonova --unit POST-OSH --role inspector --role viewer",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert "user a.osmonova created in POST-OSH with roles inspector, viewer" in prompted
    assert PASSWORD not in prompted  # the prompt hides what is typed
    assert sign_in(session_factory, "a.osmonova", PASSWORD).offices == {"KGOSH", "KGDST"}
    piped = "Piped passphrase 12345"
    ok(
        cli,
        users_app,
        "create b.admin --full-name Admin --unit HQ --role administrator --password-stdin",
        stdin=piped + "\n",
    )
    assert sign_in(session_factory, "b.admin", piped).roles == {Role.ADMINISTRATOR}
    ok(
        cli,
        users_app,
        "create asycuda --full-name ASYCUDA --unit HQ --role system --no-password",
    )
    short = invoke(
        cli,
        users_app,
        "create c.short --full-name C --unit HQ --role viewer --password-stdin",
        stdin="short\n",
    )
    assert isinstance(short.exception, InvalidInput)
    assert short.exception.errors[0].loc == ("password",)
    assert "short" not in str(short.exception.errors[0].msg)
    again = invoke(
        cli,
        users_app,
        "create b.admin --full-name B --unit HQ --role viewer --no-password",
    )
    assert isinstance(again.exception, Conflict)

    listed = ok(cli, users_app, "list")
    positions = [listed.index(name) for name in ("a.osmonova", "asycuda", "b.admin")]
    assert positions == sorted(positions)
    assert "post_entry_auditor" not in listed
    assert "inspector, viewer" in listed

    updated = ok(cli, users_app, "update a.osmonova --role post_entry_auditor --inactive")
    assert "roles post_entry_auditor, inactive" in updated
    with pytest.raises(NotAuthenticated):
        sign_in(session_factory, "a.osmonova", PASSWORD)
    ok(cli, users_app, "update a.osmonova --active")

    renewed = "Renewed passphrase 67890"
    ok(cli, users_app, "password a.osmonova --password-stdin", stdin=renewed + "\n")
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            sign_in(session_factory, "a.osmonova", PASSWORD)
    with session_factory() as db:
        locked = db.scalar(select(UserRow.locked_until).where(UserRow.username == "a.osmonova"))
    assert locked is not None
    assert "a.osmonova" in ok(cli, users_app, "list")
    ok(cli, users_app, "unlock a.osmonova")
    assert sign_in(session_factory, "a.osmonova", renewed).roles == {Role.POST_ENTRY_AUDITOR}

    with session_factory() as db:
        entries = list(db.scalars(select(JournalEntryRow).order_by(JournalEntryRow.seq)))
    by_cli = [(e.action, e.object_id) for e in entries if e.actor == cli_actor()]
    assert ("user.create", "a.osmonova") in by_cli
    assert ("user.password", "a.osmonova") in by_cli
    assert ("user.unlock", "a.osmonova") in by_cli
    assert cli_actor() == f"cli:{getpass.getuser()}"[:60]
    everything = " ".join(f"{e.before} {e.after}" for e in entries)
    for secret in (PASSWORD, piped, renewed):
        assert secret not in everything


def test_tokens_are_issued_once_listed_and_revoked(
    cli: CliRunner, session_factory: sessionmaker[Session]
) -> None:
    tree(cli)
    ok(
        cli,
        users_app,
        "create asycuda --full-name ASYCUDA --unit POST-OSH --role system --role viewer"
        " --no-password",
    )
    issued = ok(
        cli,
        tokens_app,
        "issue asycuda --name ASYCUDA-production --role system --expires-days 30",
    )
    assert "cannot be shown again" in issued
    found = re.search(r"API token (\d+) \(ASYCUDA-production\) for asycuda", issued)
    assert found is not None
    token_id = found.group(1)
    secret = issued.strip().splitlines()[-1]
    assert secret.startswith("crd_")
    with UnitOfWork(session_factory) as uow:
        principal = service.principal_from_token(uow=uow, secret=secret)
    assert principal is not None
    assert (principal.username, principal.roles) == ("asycuda", {Role.SYSTEM})
    with session_factory() as db:
        stored = " ".join(
            str(v) for row in db.execute(text("SELECT * FROM api_tokens")) for v in row
        )
    assert secret not in stored

    listed = ok(cli, tokens_app, "list --user asycuda")
    assert secret[:12] in listed
    assert secret not in listed
    assert "active" in listed
    too_long = invoke(cli, tokens_app, "issue asycuda --name x --expires-days 9999")
    assert isinstance(too_long.exception, InvalidInput)
    assert too_long.exception.errors[0].loc == ("expires_days",)
    wider = invoke(cli, tokens_app, "issue asycuda --name x --role approver")
    assert isinstance(wider.exception, InvalidInput)
    assert wider.exception.errors[0].loc == ("roles",)

    assert "revoked" in ok(cli, tokens_app, f"revoke {token_id}")
    assert "revoked" in ok(cli, tokens_app, "list")
    with UnitOfWork(session_factory) as uow:
        assert service.principal_from_token(uow=uow, secret=secret) is None
        assert journal.verify(uow=uow).ok
    with session_factory() as db:
        journal_text = " ".join(
            f"{e.actor} {e.object_id} {e.before} {e.after}"
            for e in db.scalars(select(JournalEntryRow))
        )
    assert secret not in journal_text
