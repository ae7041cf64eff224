"""Use cases: the measures catalogue, named lists, risk profile versions and their lifecycle.

Lifecycle of a profile version::

    draft → submitted → approved → active ⇄ suspended → retired
      ↑         │ (reject)                   └──────────→ expired (validity ended)
      └─────────┘

* An approved, active, suspended, retired or expired version is never edited:
  editing makes a new draft version. A draft (or a submitted version, which
  returns to draft) is edited in place.
* Approval is by a different person than the author (four eyes); both names and
  times are recorded.
* Activating a version retires the profile's previously active or suspended version.
* Every change of state of a measure, list, profile or office parameters is
  journalled in the tamper-evident journal (:mod:`corridor.journal`) in the same
  transaction as the change: both are committed together or not at all. A
  refused change raises before anything is journalled. A profile version also
  keeps its own transitions (actor, time, from, to, comment).
* The journal entry is written last, after the generation is bumped: appending
  locks the journal's head until commit, and taking the locks in the same order
  in every use case (rows, the generation, the head) keeps them from deadlocking.

The use cases live in one module a subject — measures, lists, intelligence
(what is hidden from roles without the clearance), profiles (criteria, versions,
lifecycle), parameters (office selectivity parameters), over ``_common`` (actors,
states, the clock); this package is their face: import it, not its modules.
"""

from __future__ import annotations

from corridor.profiles.service._common import (
    EDITABLE,
    EXPIRY_ACTOR,
    IN_FORCE,
    SYSTEM,
    selection_changed,
)
from corridor.profiles.service.intelligence import (
    NOTHING_HIDDEN,
    hidden_from,
    intelligence,
    is_intelligence,
    lists_read,
)
from corridor.profiles.service.lists import (
    create_list,
    entries_digest,
    get_list,
    list_history,
    list_lists,
    list_versions,
    named_lists,
    parse_list_csv,
    replace_entries,
)
from corridor.profiles.service.measures import (
    create_measure,
    delete_measure,
    list_measures,
    measures_in_use,
    update_measure,
)
from corridor.profiles.service.parameters import (
    list_office_parameters,
    office_parameters_of,
    set_office_parameters,
)
from corridor.profiles.service.profiles import (
    ACTIONS,
    active_versions,
    check_criteria,
    create_profile,
    edit_profile,
    expire_due,
    get_profile,
    list_profiles,
    profile_history,
    transition,
)

__all__ = [
    "ACTIONS",
    "EDITABLE",
    "EXPIRY_ACTOR",
    "IN_FORCE",
    "NOTHING_HIDDEN",
    "SYSTEM",
    "active_versions",
    "check_criteria",
    "create_list",
    "create_measure",
    "create_profile",
    "delete_measure",
    "edit_profile",
    "entries_digest",
    "expire_due",
    "get_list",
    "get_profile",
    "hidden_from",
    "intelligence",
    "is_intelligence",
    "list_history",
    "list_lists",
    "list_measures",
    "list_office_parameters",
    "list_profiles",
    "list_versions",
    "lists_read",
    "measures_in_use",
    "named_lists",
    "office_parameters_of",
    "parse_list_csv",
    "profile_history",
    "replace_entries",
    "selection_changed",
    "set_office_parameters",
    "transition",
    "update_measure",
]
