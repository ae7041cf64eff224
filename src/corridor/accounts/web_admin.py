"""Web pages of the administration: users, units, roles and API tokens.

Administrators only (``accounts.manage``), through the use cases the API's
administration routes call, so the same checks hold and every change is
journalled. Forms post with htmx and swap the page's ``<main>`` (a plain post
works too); a refused form comes back with 422 (409 for a taken name) and the
message beside its field, and nothing is written. A new API token's secret is
shown once, on the page that answers the form, and never again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor.accounts import service
from corridor.accounts.roles import PERMISSIONS, Action, Role
from corridor.accounts.schemas import (
    TokenIssue,
    UnitCreate,
    UnitRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from corridor.config import Settings
from corridor.errors import FieldError, InvalidInput
from corridor.web.forms import Refused, attempt
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import FormErrors, Page, change, page, redirect, render, writing
from corridor.web.state import app_state

router = APIRouter(include_in_schema=False)


Admin = Annotated[Page, Depends(page(Action.ACCOUNTS_MANAGE))]
AdminWrite = Annotated[Page, writing(Action.ACCOUNTS_MANAGE)]
# Committed by the page itself, before the token cache is emptied (see update_user).
AdminChange = Annotated[Page, Depends(change(Action.ACCOUNTS_MANAGE))]
Username = Annotated[str, Path(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9._-]+$")]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: Form fields are capped generously: the models say what is too long, beside the field.
Text = Annotated[str, Form(max_length=1000)]
Done = Annotated[Literal["created", "saved", "password", "unlocked", "revoked"] | None, Query()]

ROLE_NAMES: Final[dict[Role, str]] = {
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.RISK_ANALYST: N_("Risk analyst"),
    Role.APPROVER: N_("Approver (head of risk analysis)"),
    Role.REGIONAL_COORDINATOR: N_("Regional coordinator"),
    Role.INSPECTOR: N_("Inspector"),
    Role.POST_ENTRY_AUDITOR: N_("Post-entry auditor"),
    Role.POST_ENTRY_HEAD: N_("Head of post-entry control"),
    Role.INTELLIGENCE_OFFICER: N_("Intelligence officer"),
    Role.VIEWER: N_("Viewer"),
    Role.SYSTEM: N_("Clearance system (API)"),
}
ACTION_NAMES: Final[dict[Action, str]] = {
    Action.DECLARATIONS_SUBMIT: N_("submit declarations and receive decisions (clearance system)"),
    Action.DECLARATIONS_READ: N_(
        "read declarations and their decisions (within the unit's offices)"
    ),
    Action.DECISIONS_REASONS: N_("see which profiles hit, their reasons and the random draws"),
    Action.DECISIONS_REROUTE: N_("re-route a declaration to another channel with a reason"),
    Action.REFERENCE_READ: N_("read code lists: measures catalogue, re-route reasons"),
    Action.INSPECTIONS_RECORD: N_("record and correct inspection acts (within the unit's offices)"),
    Action.ANALYTICS_READ: N_(
        "read profile effectiveness and key figures (within the unit's offices)"
    ),
    Action.PRICES_READ: N_("read reference prices"),
    Action.PRICES_WRITE: N_("refresh reference prices, set and lift overrides"),
    Action.MEASURES_WRITE: N_("edit the measures catalogue"),
    Action.LISTS_READ: N_("read named reference lists and their entries"),
    Action.LISTS_WRITE: N_("create and edit named reference lists"),
    Action.PROFILES_READ: N_("read profiles: title, measures, officer instructions, state"),
    Action.PROFILES_CRITERIA: N_("see profile criteria and rationale"),
    Action.PROFILES_WRITE: N_("draft and edit profiles, check criteria"),
    Action.PROFILES_SUBMIT: N_("submit a draft for approval"),
    Action.PROFILES_DECIDE: N_("approve, reject, activate, suspend, resume, retire profiles"),
    Action.INTELLIGENCE_READ: N_("see target profiles and confidential lists"),
    Action.INTELLIGENCE_WRITE: N_("write target profiles and confidential lists"),
    Action.PARAMETERS_READ: N_("read office selectivity parameters"),
    Action.PARAMETERS_WRITE: N_("set office selectivity parameters"),
    Action.MODELS_READ: N_("read the model registry and model cards (data, metrics, limits)"),
    Action.MODELS_WRITE: N_("train risk-scoring models and register draft versions"),
    Action.MODELS_DECIDE: N_("approve (four eyes), shadow, activate, retire model versions"),
    Action.TRADERS_READ: N_("read the trader register: compliance categories and why, AEO status"),
    Action.TRADERS_WRITE: N_("override a trader's category (reason, expiry), record AEO status"),
    Action.POSTENTRY_READ: N_("read post-entry audit candidates, plans and cases"),
    Action.POSTENTRY_PLAN: N_("build and edit audit plans, open and assign audit cases"),
    Action.POSTENTRY_AUDIT: N_("work audit cases: start, record findings, complete"),
    Action.ALERTS_WRITE: N_("raise alerts to posts and requests to the risk unit"),
    Action.INBOX_READ: N_("read the unit's inbox of alerts and requests"),
    Action.INBOX_HANDLE: N_("acknowledge alerts, take up and settle requests"),
    Action.ACCOUNTS_MANAGE: N_("manage units, users, roles and API tokens"),
    Action.JOURNAL_READ: N_("read the journal and verify its chain"),
    Action.SELF: N_("see one's own account, sign out"),
}
UNIT_KINDS: Final = {
    "head_office": N_("head office"),
    "regional": N_("regional department"),
    "post": N_("customs post"),
}
DONE: Final = {
    "created": N_("Created."),
    "saved": N_("Saved."),
    "password": N_("The new password is set."),
    "unlocked": N_("The account is unlocked."),
    "revoked": N_("The token is revoked: it no longer opens the API."),
}
#: What each field of the forms needs, said when the form's model refuses it.
HINTS: Final = {
    "username": N_(
        "2 to 60 characters: lower-case Latin letters, digits, dots, hyphens or underscores, "
        "beginning with a letter."
    ),
    "full_name": N_("Enter the full name (at most 200 characters)."),
    "unit": N_("Choose a unit."),
    "roles": N_("Choose at least one role."),
    "password": N_("At least 12 and at most 256 characters."),
    "name": N_("Enter a name of at most %(length)s characters."),
    "code": N_("2 to 20 capital Latin letters, digits or hyphens."),
    "kind": N_("Choose the kind of unit."),
    "parent": N_("Choose the parent unit."),
    "offices": N_(
        "Office codes of 2 to 17 capital Latin letters or digits, separated by spaces or commas."
    ),
    "expires_days": N_("A whole number of days, from 1 to %(days)s."),
}
#: The messages of the accounts use cases, translated (others are shown as written).
MESSAGES: Final = (
    (re.compile(r"unit (?P<a>\S+) does not exist"), N_("Unit %(a)s does not exist.")),
    (re.compile(r"the head office has no parent unit"), N_("The head office has no parent unit.")),
    (re.compile(r"there is already a head office \((?P<a>\S+)\)"),
     N_("There is already a head office (%(a)s).")),
    (re.compile(r"a (?P<a>.+) needs a parent unit"),
     N_("A regional department or a post needs a parent unit.")),
    (re.compile(r"a (?P<a>.+) cannot be under a (?P<b>.+) \((?P<c>\S+)\); its parent is .*"),
     N_("It cannot be under %(c)s: a regional department is under the head office, a post "
        "under a regional department or the head office.")),
    (re.compile(r"only posts cover customs offices"), N_("Only posts cover customs offices.")),
    (re.compile(r"office (?P<a>\S+) already belongs to post (?P<b>\S+)"),
     N_("Office %(a)s already belongs to post %(b)s.")),
    (re.compile(r"office (?P<a>.+) is listed twice"), N_("Office %(a)s is listed twice.")),
    (re.compile(r"user (?P<a>\S+) does not hold (?P<b>.+)"),
     N_("%(a)s does not hold %(b)s: a token cannot grant more than its user holds.")),
    (re.compile(r"must be 1 to (?P<a>\d+) days"), N_("A whole number of days, from 1 to %(a)s.")),
)  # fmt: skip


def _translated(message: str) -> str:
    for pattern, text in MESSAGES:
        found = pattern.fullmatch(message)
        if found is not None:
            return _(text) % found.groupdict()
    return message


def _model_errors(error: ValidationError, **values: object) -> FormErrors:
    """A model's refusal as each field's hint (never the value given: it may be a password)."""
    found = FormErrors()
    general = FormErrors.of_validation(error)  # pydantic's wording, translated
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "__all__"
        hint = HINTS.get(name)
        where = ".".join(str(part) for part in item["loc"])
        found.setdefault(name, _(hint) % values if hint else general.get(where, ""))
    return found


def _refusal(**values: object) -> Callable[[ValidationError | InvalidInput], FormErrors]:
    """The messages of a refused form: a model's (its hints filled with ``values``) or a
    use case's."""

    def errors(error: ValidationError | InvalidInput) -> FormErrors:
        if isinstance(error, ValidationError):
            return _model_errors(error, **values)
        return _service_errors(error)

    return errors


def _service_errors(error: InvalidInput) -> FormErrors:
    """A use case's refusal, each message beside its field (list items on the list)."""
    return FormErrors.of(
        FieldError(e.loc[:1], _translated(e.msg)) for e in error.errors
    ) or FormErrors({"__all__": _translated(error.detail)})


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, _(ROLE_NAMES[role])) for role in Role]


def _unit_choices(units: list[UnitRead]) -> list[tuple[str, str]]:
    """Units in tree order, indented by level."""
    depth = {"head_office": 0, "regional": 1, "post": 2}
    return [(u.code, "\u2003" * depth.get(u.kind, 0) + f"{u.code} — {u.name}") for u in units]


def _settings(me: Page) -> Settings:
    return app_state(me.request).settings


def _done(done: str | None) -> str:
    return _(DONE[done]) if done in DONE else ""


def _locked(user: UserRead) -> bool:
    return user.locked_until is not None and user.locked_until > datetime.now(UTC)


def _common() -> dict[str, Any]:
    """The names every administration page shows: roles, kinds of unit, lockout."""
    return {
        "role_names": {role.value: _(ROLE_NAMES[role]) for role in Role},
        "kind_names": {kind: _(name) for kind, name in UNIT_KINDS.items()},
        "locked": _locked,
    }


# --------------------------------------------------------------------------- users


@router.get("/admin/users", response_class=HTMLResponse)
def users(me: Admin) -> Response:
    """Every user: unit, roles, whether active or locked, last sign-in."""
    return render(
        me.request,
        "admin/users.html",
        page=me,
        users=service.list_users(uow=me.uow),
        **_common(),
    )


def _new_user_form(
    me: Page, values: dict[str, Any], errors: FormErrors, status_code: int = 200
) -> Response:
    return render(
        me.request,
        "admin/user_new.html",
        page=me,
        status_code=status_code,
        values=values,
        errors=errors,
        units=_unit_choices(service.list_units(uow=me.uow)),
        roles=_role_choices(),
        **_common(),
    )


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user(me: Admin) -> Response:
    """The form for a new user."""
    values = {"username": "", "full_name": "", "unit": "", "roles": []}
    return _new_user_form(me, values, FormErrors())


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    me: AdminWrite,
    username: Text = "",
    full_name: Text = "",
    unit: Text = "",
    roles: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies it
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a user in a unit with roles and an initial password (none: API tokens only)."""
    values = {"username": username, "full_name": full_name, "unit": unit, "roles": roles}
    created = attempt(
        values,
        lambda: service.create_user(
            uow=me.uow,
            user_in=UserCreate.model_validate({**values, "password": password or None}),
            actor=me.principal.username,
        ),
        errors=_refusal(),
        invalid_input=True,
        conflict="username",
        conflict_message=_("This username is already taken."),
    )
    if isinstance(created, Refused):
        return _new_user_form(me, values, created.form.get("errors", FormErrors()), created.status)
    return redirect(me.request, f"/admin/users/{created.username}?done=created")


def _user_page(
    me: Page,
    user: UserRead,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    password_errors: FormErrors | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    return render(
        me.request,
        "admin/user.html",
        page=me,
        status_code=status_code,
        user=user,
        values=values
        or {
            "full_name": user.full_name,
            "unit": user.unit,
            "roles": [role.value for role in user.roles],
            "active": user.active,
        },
        errors=errors or FormErrors(),
        password_errors=password_errors or FormErrors(),
        units=_unit_choices(service.list_units(uow=me.uow)),
        roles=_role_choices(),
        tokens=service.list_tokens(uow=me.uow, username=user.username),
        done=_done(done),
        **_common(),
    )


@router.get("/admin/users/{username}", response_class=HTMLResponse)
def user(me: Admin, username: Username, done: Done = None) -> Response:
    """One user: the facts, the form to change them, a new password, unlock, their tokens."""
    return _user_page(me, service.get_user(uow=me.uow, username=username), done=done)


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def update_user(
    me: AdminChange,
    username: Username,
    full_name: Text = "",
    unit: Text = "",
    roles: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies it
    active: Annotated[bool, Form()] = False,
) -> Response:
    """Change a user's name, unit, roles or whether they may sign in (journalled)."""
    found = service.get_user(uow=me.uow, username=username)
    values = {"full_name": full_name, "unit": unit, "roles": roles, "active": active}
    try:
        user_update = UserUpdate.model_validate(values)
        service.update_user(
            uow=me.uow, username=username, user_update=user_update, actor=me.principal.username
        )
    except ValidationError as error:
        return _user_page(me, found, values=values, errors=_model_errors(error), status_code=422)
    except InvalidInput as error:
        errors = _service_errors(error)
        return _user_page(me, found, values=values, errors=errors, status_code=422)
    me.uow.commit()  # before the cache is emptied, or a request between would keep old roles
    app_state(me.request).token_cache.forget_all()  # tokens' roles follow the user's
    return redirect(me.request, f"/admin/users/{username}?done=saved")


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
def set_password(
    me: AdminWrite,
    username: Username,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Give a user a new password (journalled without it)."""
    found = service.get_user(uow=me.uow, username=username)
    try:
        service.set_password(
            uow=me.uow, username=username, password=password, actor=me.principal.username
        )
    except InvalidInput:
        errors = FormErrors({"password": _(HINTS["password"])})
        return _user_page(me, found, password_errors=errors, status_code=422)
    return redirect(me.request, f"/admin/users/{username}?done=password")


@router.post("/admin/users/{username}/unlock", response_class=HTMLResponse)
def unlock(me: AdminWrite, username: Username) -> Response:
    """Lift a lockout after failed sign-ins (journalled)."""
    service.unlock(uow=me.uow, username=username, actor=me.principal.username)
    return redirect(me.request, f"/admin/users/{username}?done=unlocked")


# --------------------------------------------------------------------------- units


def _units_page(
    me: Page,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    units = service.list_units(uow=me.uow)
    children: dict[str | None, list[UnitRead]] = {}
    for unit in units:
        children.setdefault(unit.parent, []).append(unit)
    return render(
        me.request,
        "admin/units.html",
        page=me,
        status_code=status_code,
        children=children,
        units=_unit_choices(units),
        kinds=[(kind, _(name)) for kind, name in UNIT_KINDS.items()],
        values=values or {"code": "", "name": "", "kind": "post", "parent": "", "offices": ""},
        errors=errors or FormErrors(),
        done=_done(done),
        **_common(),
    )


@router.get("/admin/units", response_class=HTMLResponse)
def units(me: Admin, done: Done = None) -> Response:
    """The unit tree: head office, regional departments, posts and their customs offices."""
    return _units_page(me, done=done)


@router.post("/admin/units", response_class=HTMLResponse)
def create_unit(
    me: AdminWrite,
    code: Text = "",
    name: Text = "",
    kind: Text = "",
    parent: Text = "",
    offices: Text = "",
) -> Response:
    """Add a unit to the tree (journalled); a post with the customs offices it covers."""
    values = {"code": code, "name": name, "kind": kind, "parent": parent, "offices": offices}
    unit_in = {
        "code": code,
        "name": name,
        "kind": kind,
        "parent": parent or None,
        "offices": [o for o in re.split(r"[\s,;]+", offices) if o],
    }
    done = attempt(
        values,
        lambda: service.create_unit(
            uow=me.uow, unit_in=UnitCreate.model_validate(unit_in), actor=me.principal.username
        ),
        errors=_refusal(length=200),
        invalid_input=True,
        conflict="code",
        conflict_message=_("A unit with this code already exists."),
    )
    if isinstance(done, Refused):
        errors = done.form.get("errors", FormErrors())
        return _units_page(me, values=values, errors=errors, status_code=done.status)
    return redirect(me.request, "/admin/units?done=created")


# --------------------------------------------------------------------------- API tokens


def _tokens_page(
    me: Page,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
    done: str | None = None,
    for_user: str | None = None,
) -> Response:
    everyone = service.list_users(uow=me.uow)
    return render(
        me.request,
        "admin/tokens.html",
        page=me,
        status_code=status_code,
        tokens=service.list_tokens(uow=me.uow),
        users=[(u.username, f"{u.username} — {u.full_name}") for u in everyone if u.active],
        roles=_role_choices(),
        values=values or {"username": for_user or "", "name": "", "roles": [], "expires_days": 90},
        errors=errors or FormErrors(),
        max_days=_settings(me).api_token_max_days,
        done=_done(done),
        **_common(),
    )


@router.get("/admin/tokens", response_class=HTMLResponse)
def tokens(
    me: Admin,
    done: Done = None,
    username: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    """Every API token (never a secret), and the form to issue one."""
    return _tokens_page(me, done=done, for_user=username)


@router.post("/admin/tokens", response_class=HTMLResponse)
def issue_token(
    me: AdminWrite,
    username: Text = "",
    name: Text = "",
    roles: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies it
    expires_days: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Issue an API token for a user, with roles among theirs (none chosen: all of them) and
    an expiry; the answer shows its secret this once."""
    values = {"username": username, "name": name, "roles": roles, "expires_days": expires_days}
    settings = _settings(me)
    if not username:
        errors = FormErrors({"username": _("Choose a user.")})
        return _tokens_page(me, values=values, errors=errors, status_code=422)
    token_in = {"name": name, "roles": roles or None, "expires_days": expires_days}
    issued = attempt(
        values,
        lambda: service.issue_token(
            uow=me.uow,
            username=username,
            token_in=TokenIssue.model_validate(token_in),
            actor=me.principal.username,
            settings=settings,
        ),
        errors=_refusal(days=settings.api_token_max_days, length=100),
        invalid_input=True,
        conflict="username",
        conflict_message=_("This user is inactive: a token of theirs would not work."),
    )
    if isinstance(issued, Refused):
        errors = issued.form.get("errors", FormErrors())
        return _tokens_page(me, values=values, errors=errors, status_code=issued.status)
    token, secret = issued
    return render(
        me.request, "admin/token_issued.html", page=me, token=token, secret=secret, **_common()
    )


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(me: AdminChange, token_id: TokenId) -> Response:
    """Revoke a token for good (journalled); it stops working at once on this worker."""
    service.revoke_token(uow=me.uow, token_id=token_id, actor=me.principal.username)
    me.uow.commit()  # before the cache is emptied, as in update_user
    app_state(me.request).token_cache.forget_all()
    return redirect(me.request, "/admin/tokens?done=revoked")


# --------------------------------------------------------------------------- roles


@router.get("/admin/roles", response_class=HTMLResponse)
def roles(me: Admin) -> Response:
    """The permission matrix: which role may do what (read-only; it is part of the code)."""
    matrix = [
        (action, _(ACTION_NAMES[action]), [role in PERMISSIONS[action] for role in Role])
        for action in Action
    ]
    return render(
        me.request,
        "admin/roles.html",
        page=me,
        columns=[(role.value, _(ROLE_NAMES[role])) for role in Role],
        matrix=matrix,
        **_common(),
    )
