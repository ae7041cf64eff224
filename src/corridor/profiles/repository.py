"""Queries over measures, reference lists, profile versions and office parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer

from corridor.db.tables import (
    MeasureRow,
    OfficeParameterRow,
    ProfileTransitionRow,
    ProfileVersionRow,
    ReferenceListRow,
    ReferenceListVersionRow,
    SelectivityStateRow,
)
from corridor.db.uow import now_of

# ----------------------------------------------------------------- measures


def measures(session: Session) -> list[MeasureRow]:
    """The catalogue, by code."""
    return list(session.scalars(select(MeasureRow).order_by(MeasureRow.code)))


def measure(session: Session, code: str) -> MeasureRow | None:
    """One measure."""
    return session.get(MeasureRow, code)


def add(session: Session, row: object) -> None:
    """Stage a new row."""
    session.add(row)
    session.flush()


def delete(session: Session, row: object) -> None:
    """Remove a row (only ever a measure nobody uses)."""
    session.delete(row)
    session.flush()


def profile_versions_using_measure(session: Session, code: str) -> list[str]:
    """'CODE v3' of every profile version whose measures include ``code``."""
    found = []
    for profile_code, version, uses in session.execute(
        select(ProfileVersionRow.code, ProfileVersionRow.version, ProfileVersionRow.measures)
    ):
        if any(use.get("code") == code for use in uses):
            found.append(f"{profile_code} v{version}")
    return found


def measures_in_use(session: Session) -> set[str]:
    """Codes of the measures some profile version applies."""
    return {
        str(use.get("code"))
        for uses in session.scalars(select(ProfileVersionRow.measures))
        for use in uses
    }


# ----------------------------------------------------------------- lists


def reference_lists(session: Session) -> list[ReferenceListRow]:
    """Every list, by name."""
    return list(session.scalars(select(ReferenceListRow).order_by(ReferenceListRow.name)))


def confidential_list_names(session: Session) -> frozenset[str]:
    """The names of the confidential lists (intelligence material)."""
    return frozenset(
        session.scalars(
            select(ReferenceListRow.name).where(ReferenceListRow.confidential.is_(True))
        )
    )


def reference_list(session: Session, name: str) -> ReferenceListRow | None:
    """One list."""
    return session.get(ReferenceListRow, name)


def list_version(session: Session, name: str, version: int) -> ReferenceListVersionRow | None:
    """One version of a list's entries."""
    return session.get(ReferenceListVersionRow, (name, version))


def list_version_history(session: Session, name: str) -> list[ReferenceListVersionRow]:
    """Every version of a list, newest first, without loading their entries."""
    return list(
        session.scalars(
            select(ReferenceListVersionRow)
            .where(ReferenceListVersionRow.list_name == name)
            .order_by(ReferenceListVersionRow.version.desc())
            .options(defer(ReferenceListVersionRow.entries))
        )
    )


def current_list_versions(
    session: Session,
) -> list[tuple[ReferenceListRow, ReferenceListVersionRow]]:
    """Every list with its current entries."""
    rows = session.execute(
        select(ReferenceListRow, ReferenceListVersionRow)
        .join(
            ReferenceListVersionRow,
            (ReferenceListVersionRow.list_name == ReferenceListRow.name)
            & (ReferenceListVersionRow.version == ReferenceListRow.current_version),
        )
        .order_by(ReferenceListRow.name)
    )
    return [(head, version) for head, version in rows]


# ----------------------------------------------------------------- profiles


def version_criteria(session: Session) -> list[tuple[int, str, int, str, dict[str, Any]]]:
    """(id, code, version, kind, criteria_json) of every profile version."""
    rows = session.execute(
        select(
            ProfileVersionRow.id,
            ProfileVersionRow.code,
            ProfileVersionRow.version,
            ProfileVersionRow.kind,
            ProfileVersionRow.criteria_json,
        )
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


def latest_version(session: Session, code: str) -> ProfileVersionRow | None:
    """The newest version of a profile."""
    return session.scalars(
        select(ProfileVersionRow)
        .where(ProfileVersionRow.code == code)
        .order_by(ProfileVersionRow.version.desc())
        .limit(1)
    ).first()


def profile_version(session: Session, code: str, version: int) -> ProfileVersionRow | None:
    """One version of a profile."""
    return session.scalars(
        select(ProfileVersionRow).where(
            ProfileVersionRow.code == code, ProfileVersionRow.version == version
        )
    ).first()


def versions_of(session: Session, code: str) -> list[ProfileVersionRow]:
    """Every version of a profile, oldest first."""
    return list(
        session.scalars(
            select(ProfileVersionRow)
            .where(ProfileVersionRow.code == code)
            .order_by(ProfileVersionRow.version)
        )
    )


def versions_in(session: Session, code: str, statuses: Sequence[str]) -> list[ProfileVersionRow]:
    """Versions of a profile in the given states."""
    return list(
        session.scalars(
            select(ProfileVersionRow).where(
                ProfileVersionRow.code == code, ProfileVersionRow.status.in_(statuses)
            )
        )
    )


def profiles(
    session: Session, *, status: str | None = None, kind: str | None = None
) -> list[ProfileVersionRow]:
    """The latest version of every profile (or every version in ``status``)."""
    query = select(ProfileVersionRow)
    if status is not None:
        query = query.where(ProfileVersionRow.status == status)
    else:
        newest = (
            select(ProfileVersionRow.code, func.max(ProfileVersionRow.version).label("v"))
            .group_by(ProfileVersionRow.code)
            .subquery()
        )
        query = query.join(
            newest,
            (newest.c.code == ProfileVersionRow.code) & (newest.c.v == ProfileVersionRow.version),
        )
    if kind is not None:
        query = query.where(ProfileVersionRow.kind == kind)
    return list(session.scalars(query.order_by(ProfileVersionRow.code)))


def in_force(session: Session) -> list[ProfileVersionRow]:
    """Versions that are active or suspended (the ones that can expire)."""
    return list(
        session.scalars(
            select(ProfileVersionRow).where(ProfileVersionRow.status.in_(("active", "suspended")))
        )
    )


def transitions(session: Session, version_id: int) -> list[ProfileTransitionRow]:
    """The journal of one profile version, oldest first."""
    return list(
        session.scalars(
            select(ProfileTransitionRow)
            .where(ProfileTransitionRow.profile_version_id == version_id)
            .order_by(ProfileTransitionRow.id)
        )
    )


def record_transition(session: Session, **fields: Any) -> None:
    """Append one journal entry."""
    session.add(ProfileTransitionRow(**fields))


# ----------------------------------------------------------------- selectivity state


def bump_generation(session: Session) -> None:
    """Tell every worker that the active profile set (or what it uses) changed."""
    session.execute(
        update(SelectivityStateRow)
        .where(SelectivityStateRow.id == 1)
        .values(generation=SelectivityStateRow.generation + 1, changed_at=now_of(session))
    )


def generation(session: Session) -> int:
    """The current generation of the active profile set."""
    return int(
        session.scalar(select(SelectivityStateRow.generation).where(SelectivityStateRow.id == 1))
        or 0
    )


# ----------------------------------------------------------------- office parameters


def office_parameters(session: Session) -> list[OfficeParameterRow]:
    """All office parameters."""
    return list(
        session.scalars(
            select(OfficeParameterRow).order_by(OfficeParameterRow.office, OfficeParameterRow.flow)
        )
    )


def office_parameter(session: Session, office: str, flow: str) -> OfficeParameterRow | None:
    """The parameters of one office and flow."""
    return session.get(OfficeParameterRow, (office, flow))
