"""The errors corridor raises, independent of how they reach the user.

Edges map them: the API to HTTP status codes (``corridor.app``), the CLI to
exit codes (``corridor.cli``). Domain code never mentions either.

::

    CorridorError
    ├── ConfigurationError          settings unusable (e.g. default secret in production)
    ├── DatabaseNotReady            database unreachable or not migrated to head
    │   └── DatabaseUnavailable     a connection to the database failed or was lost; retry
    ├── InvalidInput                input failed validation; carries field-level errors
    ├── NotFound                    the object asked for does not exist
    ├── Conflict                    the request contradicts what is stored
    │   └── DeclarationConflict     same (number, version), different content; or a version gap
    ├── NotAuthenticated            no valid session or token, or sign-in refused
    ├── PermissionDenied            signed in, but the role may not do this
    └── TooManyAttempts             too many failed sign-ins from one address; wait

Texts that can be translated: a service writes an error's detail, or a field's message,
with :func:`N_` (``N_("audit plan %(plan)s does not exist", plan=7)``). The result is
the English text itself (a ``str``: the API and the CLI show it as they always did)
carrying its template and parameters, so a web page shows it in the user's language
(``corridor.web.i18n.localized``). The template is the msgid: ``N_`` is gettext's own
"translate later" keyword, so ``pybabel extract`` and the translations test find it, and
the test wants the Russian of a domain package's messages in that package's catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class Message(str):
    """An English text for the user, made from ``template % params``, that keeps its
    template and parameters so that an edge can say it in another language.

    A ``str`` on purpose: whatever takes a detail or a field's message takes it unchanged,
    and equality, JSON and printing see exactly the English text.
    """

    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Message:
        """The English text of ``template`` with ``params`` (``%(name)s`` placeholders)."""
        text = super().__new__(cls, template % params if params else template)
        text.template = template
        text.params = params
        return text

    def __getnewargs_ex__(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        # Copies and pickles rebuild the message from its parts, not from its English.
        return (self.template,), dict(self.params)

    def rendered(self, gettext: Callable[[str], str]) -> str:
        """The text in the language of ``gettext`` (parameters that are messages too are
        translated alike); the English text when the translation does not fit the
        parameters."""
        params = {
            name: value.rendered(gettext) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        try:
            return gettext(self.template) % params if params else gettext(self.template)
        except (KeyError, ValueError, TypeError):
            return str.__str__(self)


def N_(template: str, /, **params: object) -> Message:  # noqa: N802 - gettext's keyword
    """Mark a text of a domain error for translation: ``template`` (the msgid, with
    ``%(name)s`` placeholders) and its parameters. It reads as the English text."""
    return Message(template, **params)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One offending field: where it is (a path of names and indexes) and why."""

    loc: tuple[str | int, ...]
    msg: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, as the API and the import report show it."""
        return {"loc": list(self.loc), "msg": self.msg}


class CorridorError(Exception):
    """Base of every error corridor raises on purpose."""

    title = "corridor error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(CorridorError):
    """Settings cannot be used as given."""

    title = "configuration error"


class DatabaseNotReady(CorridorError):
    """The database cannot be reached or is not migrated to the current schema."""

    title = "database not ready"


class DatabaseUnavailable(DatabaseNotReady):
    """A connection to the database could not be opened, or was lost while in use.

    Transient by nature (a restart, a fail-over, a network cut): the request may be
    sent again after ``retry_after`` seconds. ``reason`` is the driver's own words.
    """

    title = "database unavailable"

    def __init__(self, reason: str, *, where: str | None = None, retry_after: int = 5) -> None:
        at = f" at {where}" if where else ""
        super().__init__(f"cannot reach the database{at}: {reason}")
        self.reason = reason
        self.retry_after = retry_after


class InvalidInput(CorridorError):
    """Input failed validation; ``errors`` names every offending field."""

    title = "invalid input"

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.errors = tuple(errors)


class NotFound(CorridorError):
    """The object asked for does not exist."""

    title = "not found"


class Conflict(CorridorError):
    """The request contradicts what is already stored."""

    title = "conflict"


class DeclarationConflict(Conflict):
    """A declaration key already holds different content, or a version would leave a gap."""

    title = "declaration conflict"


class NotAuthenticated(CorridorError):
    """No valid session or API token; or a sign-in was refused."""

    title = "not authenticated"


class PermissionDenied(CorridorError):
    """The signed-in user's roles do not allow the action (or the CSRF token is missing)."""

    title = "permission denied"


class TooManyAttempts(CorridorError):
    """Too many failed sign-ins in a short time; ``retry_after`` seconds to wait."""

    title = "too many attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
