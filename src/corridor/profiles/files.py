"""Profiles as YAML files, one per profile, for keeping them under version control.

Export writes the latest version of every profile; import validates every file
(shape, criteria, measures) before writing anything, then drafts what changed:
a new profile becomes draft version 1, a changed one a new draft version (or an
edit of its current draft), an unchanged one is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corridor.db.uow import UnitOfWork
from corridor.errors import N_, FieldError, InvalidInput, Message, NotFound
from corridor.profiles import service
from corridor.profiles.schemas import ProfileCreate, ProfileDraft

CONTENT_FIELDS = tuple(name for name in ProfileCreate.model_fields if name != "code")


@dataclass(slots=True)
class ImportResult:
    """What an import did, by profile code."""

    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def export_profiles(*, uow: UnitOfWork, directory: Path) -> list[Path]:
    """Write ``<code>.yaml`` for the latest version of every profile; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for profile in service.list_profiles(uow=uow):
        data: dict[str, Any] = {"code": profile.code}
        content = ProfileDraft.model_validate(profile.model_dump(include=set(CONTENT_FIELDS)))
        data.update(_plain(content.model_dump(mode="json")))
        header = (
            f"# risk profile {profile.code}, version {profile.version} ({profile.status}),"
            f" by {profile.author}\n"
        )
        path = directory / f"{profile.code}.yaml"
        path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        written.append(path)
    return written


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    # Numbers as numbers in YAML (selection_rate: 50), not quoted strings.
    rate = data.get("selection_rate")
    if isinstance(rate, str):
        number = Decimal(rate)
        data["selection_rate"] = int(number) if number == number.to_integral() else float(number)
    return data


def read_profiles(directory: Path) -> list[ProfileCreate]:
    """Parse every ``*.yaml`` file; raise InvalidInput listing every problem in every file."""
    if not directory.is_dir():
        raise InvalidInput(
            N_("%(path)s is not a directory", path=directory),
            [FieldError(("path",), N_("not found"))],
        )
    profiles, errors = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            errors.append(
                FieldError((path.name,), N_("not UTF-8 text (binary, or another encoding)"))
            )
            continue
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            # PyYAML raises ValueError for a date or time that does not exist (2026-13-45).
            errors.append(
                FieldError((path.name,), N_("not valid YAML: %(reason)s", reason=str(exc)))
            )
            continue
        if not isinstance(data, dict):
            errors.append(FieldError((path.name,), N_("must be a mapping of profile fields")))
            continue
        try:
            profile = ProfileCreate.model_validate(data)
        except ValidationError as exc:
            errors += [
                FieldError(
                    (path.name, *error["loc"]), str(error["msg"]).removeprefix("Value error, ")
                )
                for error in exc.errors()
            ]
            continue
        if path.stem != profile.code:
            errors.append(
                FieldError(
                    (path.name, "code"),
                    N_("file name must be %(code)s.yaml", code=profile.code),
                )
            )
            continue
        profiles.append(profile)
    if errors:
        raise InvalidInput(_refused(len(errors), directory), errors)
    return profiles


def import_profiles(
    *, uow: UnitOfWork, directory: Path, actor: str, confidential_lists: bool
) -> ImportResult:
    """Validate every file, then draft what changed (no commit: the caller commits once).
    ``confidential_lists``: whether the criteria may read confidential lists (an
    operator's import from the terminal may; see ``service.check_criteria``)."""
    profiles = read_profiles(directory)
    errors = []
    for profile in profiles:
        check = service.check_criteria(
            uow=uow, criteria=profile.criteria, confidential_lists=confidential_lists
        )
        if check.problem is not None:
            where = N_(
                "line %(line)s, column %(column)s: %(problem)s",
                line=check.problem.line,
                column=check.problem.column,
                problem=check.problem.message,
            )
            errors.append(FieldError((f"{profile.code}.yaml", "criteria"), where))
        known = {m.code for m in service.list_measures(uow=uow)}
        errors += [
            FieldError(
                (f"{profile.code}.yaml", "measures"),
                N_("measure %(code)s is not in the catalogue", code=m.code),
            )
            for m in profile.measures
            if m.code not in known
        ]
    if errors:
        raise InvalidInput(_refused(len(errors), directory), errors)
    result = ImportResult()
    for profile in profiles:
        try:
            current = service.get_profile(uow=uow, code=profile.code)
        except NotFound:
            service.create_profile(
                uow=uow, profile_in=profile, actor=actor, confidential_lists=confidential_lists
            )
            result.created.append(profile.code)
            continue
        draft = ProfileDraft.model_validate(profile.model_dump(exclude={"code"}))
        if _same(current.model_dump(include=set(CONTENT_FIELDS)), draft.model_dump()):
            result.unchanged.append(profile.code)
            continue
        service.edit_profile(
            uow=uow,
            code=profile.code,
            draft=draft,
            actor=actor,
            confidential_lists=confidential_lists,
        )
        result.new_versions.append(profile.code)
    return result


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def norm(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value.normalize()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        return value

    return bool(norm(a) == norm(b))


def _refused(problems: int, directory: Path) -> Message:
    return N_(
        "%(count)s problem(s) in %(path)s; nothing was imported", count=problems, path=directory
    )
