"""Risk profiles: criteria checks, versions, their lifecycle and expiry."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from corridor import rules
from corridor.config import customs_day
from corridor.db.tables import (
    ProfileVersionRow,
)
from corridor.db.uow import UnitOfWork
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import declared_attributes
from corridor.errors import N_, Conflict, FieldError, InvalidInput, Message, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import repository
from corridor.profiles.schemas import (
    CriteriaProblem,
    CriteriaResult,
    ProfileCreate,
    ProfileDraft,
    ProfileRead,
    TransitionRead,
)
from corridor.profiles.service._common import EDITABLE, EXPIRY_ACTOR, IN_FORCE, SYSTEM
from corridor.profiles.service.intelligence import criteria_json_of, is_intelligence
from corridor.profiles.service.lists import named_lists

# =========================================================================== criteria


def check_criteria(*, uow: UnitOfWork, criteria: str, confidential_lists: bool) -> CriteriaResult:
    """Parse and type-check criteria against the facts and the current lists.

    Without ``confidential_lists`` (an author not cleared for intelligence) the
    confidential lists are not there at all: reading one is an unknown list, with
    the same message and suggestions as a list that does not exist."""
    try:
        checked = rules.check(
            criteria,
            fact_schema(declared_attributes()),
            named_lists(uow=uow, confidential=confidential_lists),
        )
    except rules.RuleError as exc:
        return CriteriaResult(
            valid=False,
            problem=CriteriaProblem(
                message=str(exc),
                line=getattr(exc, "line", None),
                column=getattr(exc, "column", None),
                excerpt=getattr(exc, "excerpt", None),
                suggestion=getattr(exc, "suggestion", None),
            ),
        )
    return CriteriaResult(
        valid=True,
        fields=sorted(checked.fields),
        lists=sorted(checked.lists),
        canonical=rules.to_text(checked.expr),
    )


def _criteria_or_raise(uow: UnitOfWork, criteria: str, confidential_lists: bool) -> dict[str, Any]:
    result = check_criteria(uow=uow, criteria=criteria, confidential_lists=confidential_lists)
    if result.problem is not None:
        problem = result.problem
        detail = (
            N_("the criteria do not compile")
            if problem.line is None
            else N_(
                "the criteria do not compile (line %(line)s, column %(column)s)",
                line=problem.line,
                column=problem.column,
            )
        )
        raise InvalidInput(detail, [FieldError(("criteria",), problem.message)])
    return rules.to_json(rules.parse(criteria))


def _measures_or_raise(uow: UnitOfWork, draft: ProfileDraft) -> None:
    missing = [m.code for m in draft.measures if repository.measure(uow.session, m.code) is None]
    if missing:
        raise InvalidInput(
            N_("unknown measures"),
            [
                FieldError(("measures",), N_("measure %(code)s is not in the catalogue", code=code))
                for code in missing
            ],
        )


# =========================================================================== profiles


def create_profile(
    *, uow: UnitOfWork, profile_in: ProfileCreate, actor: str, confidential_lists: bool
) -> ProfileRead:
    """Draft version 1 of a new profile. Raises Conflict when the code exists.

    ``confidential_lists``: whether the author may read confidential lists in the
    criteria (see :func:`check_criteria`)."""
    if repository.latest_version(uow.session, profile_in.code) is not None:
        raise Conflict(
            N_(
                "profile %(code)s already exists; edit it to draft a new version",
                code=profile_in.code,
            )
        )
    row = _new_version(uow, profile_in.code, 1, profile_in, actor, confidential_lists)
    _journal_profile(uow, "profile.create", row, None, _profile_state(row), actor, row.created_at)
    return _read(uow, row)


def edit_profile(
    *, uow: UnitOfWork, code: str, draft: ProfileDraft, actor: str, confidential_lists: bool
) -> ProfileRead:
    """Change a profile: a draft is edited in place (a submitted one returns to draft);
    an approved or later version is never edited — a new draft version is made.
    ``confidential_lists`` as for :func:`create_profile`."""
    latest = _latest_or_raise(uow, code)
    before = _profile_state(latest)
    if latest.status in EDITABLE:
        criteria_json = _criteria_or_raise(uow, draft.criteria, confidential_lists)
        _measures_or_raise(uow, draft)
        _apply(latest, draft, criteria_json)
        if latest.status == "submitted":
            # One journal entry for the edit: its before/after show the return to draft.
            _transition(uow, latest, "draft", actor, "edited after submission", journal=None)
            latest.submitted_by = latest.submitted_at = None
        after = _profile_state(latest)
        _journal_profile(uow, "profile.edit", latest, before, after, actor, uow.now, before)
        return _read(uow, latest)
    row = _new_version(uow, code, latest.version + 1, draft, actor, confidential_lists)
    # before: the version the new draft replaces, so the entry shows what changed.
    after = _profile_state(row)
    _journal_profile(uow, "profile.new_version", row, before, after, actor, row.created_at, before)
    return _read(uow, row)


def _new_version(
    uow: UnitOfWork,
    code: str,
    version: int,
    draft: ProfileDraft,
    actor: str,
    confidential_lists: bool,
) -> ProfileVersionRow:
    criteria_json = _criteria_or_raise(uow, draft.criteria, confidential_lists)
    _measures_or_raise(uow, draft)
    row = ProfileVersionRow(
        code=code, version=version, status="draft", author=actor, created_at=uow.now
    )
    _apply(row, draft, criteria_json)
    repository.add(uow.session, row)
    repository.record_transition(
        uow.session,
        profile_version_id=row.id,
        from_status=None,
        to_status="draft",
        actor=actor,
        at=row.created_at,
        comment="drafted",
    )
    return row


def _apply(row: ProfileVersionRow, draft: ProfileDraft, criteria_json: dict[str, Any]) -> None:
    data = draft.model_dump(exclude={"code"}, mode="python")
    data["measures"] = [m.model_dump() for m in draft.measures]
    data["criteria_json"] = criteria_json
    for name, value in data.items():
        setattr(row, name, value)


#: The content of a profile version as an analyst writes it (criteria included).
_DRAFT_FIELDS = tuple(ProfileDraft.model_fields)


def _profile_state(row: ProfileVersionRow) -> dict[str, Any]:
    # A deep copy: the entry must keep the state of this moment, not later edits of
    # the row's lists in place.
    state: dict[str, Any] = {"version": row.version, "status": row.status}
    state.update({name: copy.deepcopy(getattr(row, name)) for name in _DRAFT_FIELDS})
    return state


def _journal_profile(
    uow: UnitOfWork,
    action: str,
    row: ProfileVersionRow,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    actor: str,
    at: datetime,
    previous: dict[str, Any] | None = None,
) -> None:
    # Intelligence material (a target, or criteria reading a confidential list): the
    # entry is confidential when the version is intelligence before or after the change
    # (an edit can turn one into the other).
    confidential = repository.confidential_list_names(uow.session)
    secret = is_intelligence(row.kind, row.criteria_json, confidential) or (
        previous is not None
        and is_intelligence(
            str(previous.get("kind")), criteria_json_of(previous.get("criteria")), confidential
        )
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action=action,
        object_type="profile",
        object_id=f"{row.code}/{row.version}",
        before=before,
        after=after,
        confidential=secret,
        at=at,
    )


def get_profile(*, uow: UnitOfWork, code: str, version: int | None = None) -> ProfileRead:
    """A profile version (the latest unless asked) with its journal."""
    if version is None:
        return _read(uow, _latest_or_raise(uow, code))
    row = repository.profile_version(uow.session, code, version)
    if row is None:
        raise NotFound(
            N_("profile %(code)s has no version %(version)s", code=code, version=version)
        )
    return _read(uow, row)


def profile_history(*, uow: UnitOfWork, code: str) -> list[ProfileRead]:
    """Every version of a profile, oldest first, each with its journal (NotFound for no
    such profile). The caller decides what the principal may see of each."""
    rows = repository.versions_of(uow.session, code)
    if not rows:
        raise NotFound(_profile_not_found(code))
    return [_read(uow, row) for row in rows]


def list_profiles(
    *, uow: UnitOfWork, status: str | None = None, kind: str | None = None
) -> list[ProfileRead]:
    """The latest version of every profile, or every version in a state."""
    confidential = repository.confidential_list_names(uow.session)
    return [
        _read(uow, row, journal=False, confidential=confidential)
        for row in repository.profiles(uow.session, status=status, kind=kind)
    ]


# ------------------------------------------------------------------ transitions

#: (from states, to state) per action.
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "submitted"),
    "reject": (("submitted",), "draft"),
    "approve": (("submitted",), "approved"),
    "activate": (("approved",), "active"),
    "suspend": (("active",), "suspended"),
    "resume": (("suspended",), "active"),
    "retire": (("approved", "active", "suspended"), "retired"),
}


#: A profile version's state, as an error message says it (translated where shown).
_STATUS_WORDS: dict[str, Message] = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "approved": N_("approved"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    "retired": N_("retired"),
    "expired": N_("expired"),
}
#: What each action needs of the version's state, as a refusal says it.
_NEEDS: dict[str, Message] = {
    "submit": N_("submit needs it draft"),
    "reject": N_("reject needs it submitted"),
    "approve": N_("approve needs it submitted"),
    "activate": N_("activate needs it approved"),
    "suspend": N_("suspend needs it active"),
    "resume": N_("resume needs it suspended"),
    "retire": N_("retire needs it approved or active or suspended"),
}


def _profile_not_found(code: str) -> Message:
    """The answer for a profile that does not exist (``access`` says the same words of
    one the caller may not know of, so that its existence does not leak)."""
    return N_("profile %(code)s does not exist", code=code)


def transition(
    *, uow: UnitOfWork, code: str, version: int, action: str, actor: str, comment: str = ""
) -> ProfileRead:
    """Move a profile version along its lifecycle. Raises Conflict for a move not allowed
    from the current state, and for an approval by the version's author (four eyes).

    Every move is journalled as ``profile.<action>``; activating a version also
    journals the retirement of the version it replaces (``profile.retire``).
    """
    if action not in ACTIONS:
        raise NotFound(
            N_(
                "unknown action %(action)s; known: %(known)s",
                action=repr(action),
                known=", ".join(ACTIONS),
            )
        )
    row = repository.profile_version(uow.session, code, version)
    if row is None:
        raise NotFound(
            N_("profile %(code)s has no version %(version)s", code=code, version=version)
        )
    allowed, target = ACTIONS[action]
    if row.status not in allowed:
        raise Conflict(
            N_(
                "profile %(code)s v%(version)s is %(status)s; %(needs)s",
                code=code,
                version=version,
                status=_STATUS_WORDS.get(row.status, row.status),
                needs=_NEEDS[action],
            )
        )
    now = uow.now
    # Every refusal is raised before anything is written (journal included).
    if action == "approve" and actor == row.author:
        raise Conflict(
            N_(
                "four eyes: %(actor)s wrote profile %(code)s v%(version)s and cannot approve it",
                actor=actor,
                code=code,
                version=version,
            )
        )
    expired = row.valid_to is not None and row.valid_to < customs_day(now)
    if action in ("activate", "resume") and expired:
        raise Conflict(
            N_(
                "profile %(code)s v%(version)s expired on %(day)s",
                code=code,
                version=version,
                day=row.valid_to,
            )
        )
    if target in IN_FORCE or action in ("suspend", "retire", "resume"):
        repository.bump_generation(uow.session)
    if action == "submit":
        row.submitted_by, row.submitted_at = actor, now
    elif action == "approve":
        row.approved_by, row.approved_at = actor, now
    elif action == "activate":
        for other in repository.versions_in(uow.session, code, IN_FORCE):
            if other.id != row.id:
                other.ended_at = now
                _transition(uow, other, "retired", actor, f"replaced by v{version}", "retire")
        row.activated_at = now
    elif action == "retire":
        row.ended_at = now
    _transition(uow, row, target, actor, comment, action)
    return _read(uow, row)


def expire_due(*, uow: UnitOfWork, today: date) -> list[str]:
    """Mark active or suspended versions whose validity ended before ``today`` as expired.

    The profiles' transitions name SYSTEM; the journal names EXPIRY_ACTOR, so that
    automatic expiry is told apart from other system changes.
    """
    due = [
        row
        for row in repository.in_force(uow.session)
        if row.valid_to is not None and row.valid_to < today
    ]
    if due:
        repository.bump_generation(uow.session)
    for row in due:
        row.ended_at = uow.now
        _transition(
            uow,
            row,
            "expired",
            SYSTEM,
            f"validity ended {row.valid_to}",
            "expire",
            journal_actor=EXPIRY_ACTOR,
        )
    return [f"{row.code} v{row.version}" for row in due]


def active_versions(*, uow: UnitOfWork) -> list[ProfileVersionRow]:
    """The versions in force and active (what the engine compiles)."""
    return repository.profiles(uow.session, status="active")


def _transition(
    uow: UnitOfWork,
    row: ProfileVersionRow,
    target: str,
    actor: str,
    comment: str,
    journal: str | None,
    *,
    journal_actor: str | None = None,
) -> None:
    """Record a change of state in the version's transitions and, as ``profile.<journal>``,
    in the journal (``journal=None``: the caller journals the change itself)."""
    at = uow.now
    repository.record_transition(
        uow.session,
        profile_version_id=row.id,
        from_status=row.status,
        to_status=target,
        actor=actor,
        at=at,
        comment=comment,
    )
    before = {"status": row.status}
    row.status = target
    if journal is not None:
        _journal_profile(
            uow,
            f"profile.{journal}",
            row,
            before,
            {"status": target, "comment": comment},
            journal_actor or actor,
            at,
        )


def _latest_or_raise(uow: UnitOfWork, code: str) -> ProfileVersionRow:
    row = repository.latest_version(uow.session, code)
    if row is None:
        raise NotFound(_profile_not_found(code))
    return row


def _read(
    uow: UnitOfWork,
    row: ProfileVersionRow,
    *,
    journal: bool = True,
    confidential: frozenset[str] | None = None,
) -> ProfileRead:
    uow.session.flush()
    data = {
        column: getattr(row, column) for column in ProfileRead.model_fields if hasattr(row, column)
    }
    if confidential is None:
        confidential = repository.confidential_list_names(uow.session)
    data["intelligence"] = is_intelligence(row.kind, row.criteria_json, confidential)
    data["transitions"] = (
        [TransitionRead.model_validate(t) for t in repository.transitions(uow.session, row.id)]
        if journal
        else []
    )
    return ProfileRead.model_validate(data)
