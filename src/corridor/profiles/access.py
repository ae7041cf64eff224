"""Who may see and change which profiles and lists, beyond the permission matrix.

The matrix says whether a role may read or write profiles at all; the rules
here look at the object:

* target profiles, confidential lists and every profile whose criteria read a
  confidential list are intelligence material: unseen (reported not found)
  without the intelligence clearance; target profiles and confidential lists
  are written only with the intelligence-write permission (a profile reading a
  confidential list can only be written by an author who knows the list: to
  others the list does not exist, see ``service.check_criteria``);
* criteria and rationale are shown only to roles cleared for criteria;
  transition comments go with them (approvers discuss criteria there);
* a regional coordinator (without a head-office writing role) drafts only
  regional or post profiles, scoped to offices of their own unit.
"""

from __future__ import annotations

from corridor.accounts.roles import Action, Principal, Role
from corridor.errors import N_, NotFound, PermissionDenied
from corridor.profiles.schemas import ProfileDraft, ProfileRead, ReferenceListRead

_NATIONAL_WRITERS = frozenset({Role.RISK_ANALYST, Role.INTELLIGENCE_OFFICER})


def can_see_profile(principal: Principal, profile: ProfileRead) -> bool:
    """Whether a profile version exists, as far as ``principal`` may know."""
    return not profile.intelligence or principal.can(Action.INTELLIGENCE_READ)


def shown_profile(principal: Principal, profile: ProfileRead) -> ProfileRead:
    """The profile as ``principal`` may see it; NotFound for unseen intelligence."""
    if not can_see_profile(principal, profile):
        raise NotFound(N_("profile %(code)s does not exist", code=profile.code))
    if principal.can(Action.PROFILES_CRITERIA):
        return profile
    transitions = [t.model_copy(update={"comment": ""}) for t in profile.transitions]
    return profile.model_copy(
        update={"criteria": None, "rationale": "", "transitions": transitions}
    )


def shown_profiles(principal: Principal, profiles: list[ProfileRead]) -> list[ProfileRead]:
    """The profiles ``principal`` may see, as they may see them."""
    return [shown_profile(principal, p) for p in profiles if can_see_profile(principal, p)]


def check_profile_write(
    principal: Principal, draft: ProfileDraft, *, existing: ProfileRead | None
) -> None:
    """Refuse a draft ``principal`` may not write (PermissionDenied names why; NotFound
    for an existing profile the principal may not know of)."""
    if existing is not None and not can_see_profile(principal, existing):
        raise NotFound(N_("the profile does not exist"))
    existing_kind = None if existing is None else existing.kind
    for kind in {draft.kind, existing_kind} - {None}:
        if kind == "target" and not principal.can(Action.INTELLIGENCE_WRITE):
            raise PermissionDenied(N_("target profiles are written by intelligence officers only"))
    if principal.roles.isdisjoint(_NATIONAL_WRITERS):
        if draft.kind not in ("regional", "post"):
            raise PermissionDenied(
                N_("a regional coordinator drafts regional or post profiles only (kind)")
            )
        if principal.offices is not None and not (
            draft.offices and set(draft.offices) <= principal.offices
        ):
            raise PermissionDenied(
                N_(
                    "a regional profile must be scoped to offices of the coordinator's unit"
                    " (offices)"
                )
            )


def check_profile_transition(principal: Principal, profile: ProfileRead) -> None:
    """Refuse a lifecycle step on intelligence the principal may not handle."""
    if not can_see_profile(principal, profile):
        raise NotFound(N_("the profile does not exist"))
    if profile.kind == "target" and not (
        principal.can(Action.INTELLIGENCE_WRITE) or principal.can(Action.PROFILES_DECIDE)
    ):
        raise PermissionDenied(N_("target profiles are handled by intelligence officers only"))


def can_see_list(principal: Principal, confidential: bool) -> bool:
    """Whether a list exists, as far as ``principal`` may know."""
    return not confidential or principal.can(Action.INTELLIGENCE_READ)


def shown_list(principal: Principal, named: ReferenceListRead) -> ReferenceListRead:
    """A list as ``principal`` may see it; NotFound for unseen confidential lists."""
    if not can_see_list(principal, named.confidential):
        raise NotFound(N_("list %(name)s does not exist", name=named.name))
    return named


def check_list_write(principal: Principal, confidential: bool, *, existing: bool) -> None:
    """Refuse writing a confidential list without the intelligence-write permission
    (an existing one the principal may not see is reported not found)."""
    if confidential and not principal.can(Action.INTELLIGENCE_WRITE):
        if existing and not can_see_list(principal, confidential):
            raise NotFound(N_("the list does not exist"))
        raise PermissionDenied(N_("confidential lists are written by intelligence officers only"))
