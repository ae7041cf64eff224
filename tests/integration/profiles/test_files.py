"""Profiles exported as YAML and imported back; a bad file stops the whole import."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from corridor.db.uow import UnitOfWork
from corridor.errors import InvalidInput
from corridor.profiles import files, service
from tests.integration.profiles.test_profiles import ANALYST, active, profile, run


def test_export_then_import_round_trip(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    active(session_factory)
    run(
        session_factory,
        lambda uow: service.create_profile(
            confidential_lists=True,
            uow=uow,
            profile_in=profile("NAT-2026-0002", selection_rate="12.5"),
            actor=ANALYST,
        ),
    )
    paths = run(session_factory, lambda uow: files.export_profiles(uow=uow, directory=tmp_path))
    assert sorted(p.name for p in paths) == ["NAT-2026-0001.yaml", "NAT-2026-0002.yaml"]
    text = (tmp_path / "NAT-2026-0002.yaml").read_text()
    assert text.startswith("# risk profile NAT-2026-0002, version 1 (draft)")
    assert yaml.safe_load(text)["selection_rate"] == 12.5
    same = run(
        session_factory,
        lambda uow: files.import_profiles(
            confidential_lists=True, uow=uow, directory=tmp_path, actor=ANALYST
        ),
    )
    assert sorted(same.unchanged) == ["NAT-2026-0001", "NAT-2026-0002"]
    data = yaml.safe_load((tmp_path / "NAT-2026-0001.yaml").read_text())
    data["selection_rate"] = 75
    (tmp_path / "NAT-2026-0001.yaml").write_text(yaml.safe_dump(data))
    data["code"] = "NAT-2026-0003"
    (tmp_path / "NAT-2026-0003.yaml").write_text(yaml.safe_dump(data))
    changed = run(
        session_factory,
        lambda uow: files.import_profiles(
            confidential_lists=True, uow=uow, directory=tmp_path, actor=ANALYST
        ),
    )
    assert (changed.new_versions, changed.created) == (["NAT-2026-0001"], ["NAT-2026-0003"])
    latest = run(session_factory, lambda uow: service.get_profile(uow=uow, code="NAT-2026-0001"))
    assert (latest.version, latest.status) == (2, "draft")


def test_one_bad_file_imports_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    good = profile("NAT-2026-0010").model_dump(mode="json")
    (tmp_path / "NAT-2026-0010.yaml").write_text(yaml.safe_dump(good))
    broken = {**good, "code": "NAT-2026-0011", "criteria": 'origin = "CN" and'}
    (tmp_path / "NAT-2026-0011.yaml").write_text(yaml.safe_dump(broken))
    (tmp_path / "NAT-2026-0012.yaml").write_text("title: [unclosed")
    misnamed = {**good, "code": "NAT-2026-0099"}
    (tmp_path / "NAT-2026-0013.yaml").write_text(yaml.safe_dump(misnamed))
    with pytest.raises(InvalidInput) as caught:
        run(
            session_factory,
            lambda uow: files.import_profiles(
                confidential_lists=True, uow=uow, directory=tmp_path, actor=ANALYST
            ),
        )
    where = {error.loc[0] for error in caught.value.errors}
    assert where == {"NAT-2026-0012.yaml", "NAT-2026-0013.yaml"}
    (tmp_path / "NAT-2026-0012.yaml").unlink()
    (tmp_path / "NAT-2026-0013.yaml").unlink()
    with pytest.raises(InvalidInput) as caught:
        run(
            session_factory,
            lambda uow: files.import_profiles(
                confidential_lists=True, uow=uow, directory=tmp_path, actor=ANALYST
            ),
        )
    assert caught.value.errors[0].loc == ("NAT-2026-0011.yaml", "criteria")
    with UnitOfWork(session_factory) as uow:
        assert service.list_profiles(uow=uow) == []
