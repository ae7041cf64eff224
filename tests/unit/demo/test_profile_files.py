"""The demo's risk profiles are files, read as an administration's files are."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from corridor.demo import build_traders
from corridor.demo import selectivity as demo
from corridor.demo.world import GOODS
from corridor.profiles import files

WORLD_END = date(2026, 6, 30)
TODAY = date(2026, 12, 7)
#: The general cargo the post-clearance valuation profile reads (NAT-2026-0009).
GENERAL = ("3304", "3920", "8471", "8528", "8708", "9403", "9503")
#: The price floors the files carry: profile, the tariff headings it watches, the share of
#: the typical price below which a declared value is selected.
FLOORS = {
    "NAT-2026-0001": (("8703",), 0.6),
    "NAT-2026-0002": (("8517",), 0.45),
    "NAT-2026-0003": (("61", "62"), 0.5),
    "NAT-2026-0004": (("6402", "6403", "6404"), 0.5),
    "NAT-2026-0005": (("4011",), 0.55),
    "NAT-2026-0008": (("2402", "2403"), 0.55),
    "NAT-2026-0009": (GENERAL, 0.35),
    "REG-CHU-2026-0001": (("8703",), 0.6),
}


def tariff_lines(*prefixes: str) -> tuple[str, ...]:
    """The imported tariff lines of the world's goods under ``prefixes``."""
    return tuple(g.hs_code for g in GOODS if g.line != "export" and g.hs_code.startswith(prefixes))


def test_the_profile_files_are_package_data_in_the_export_format() -> None:
    directory = demo.profiles_directory()
    assert isinstance(directory, Path)
    assert directory.is_dir()
    paths = sorted(directory.glob("*.yaml"))
    assert len(paths) >= 30
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["code"] == path.stem
        # The demo gives them its day; an administration's import reads them as they are.
        assert "valid_from" not in data
        assert "valid_to" not in data
        assert data["kind"] in ("national", "regional", "post"), path.name
    read = files.read_profiles(directory)
    assert [p.code for p in read] == [path.stem for path in paths]


def test_the_demo_profiles_are_the_files_from_the_demo_day_then_the_targets() -> None:
    book = build_traders(demo.WORLD_SEED, WORLD_END)
    profiles = demo.demo_profiles(book, TODAY)
    read = files.read_profiles(demo.profiles_directory())
    assert [p.code for p in profiles] == [
        *(p.code for p in read),
        "TGT-2026-0001",
        "TGT-2026-0002",
    ]
    days = {"national": 365, "regional": 182, "post": 182}
    for profile, in_file in zip(profiles, read, strict=False):
        assert profile.valid_from == TODAY
        assert profile.valid_to == TODAY + timedelta(days=days[profile.kind])
        assert profile.model_dump(exclude={"valid_from", "valid_to"}) == in_file.model_dump(
            exclude={"valid_from", "valid_to"}
        )
    target = profiles[-2]
    offender = demo.chronic_offender(book)
    assert offender is not None
    assert target.criteria == f'importer = "{offender.tin}"'
    assert target.valid_to == TODAY + timedelta(days=45)
    assert profiles[-1].valid_to == TODAY + timedelta(days=60)


@pytest.mark.parametrize("code", sorted(FLOORS))
def test_the_price_floors_in_the_files_follow_the_price_tables(code: str) -> None:
    prefixes, share = FLOORS[code]
    profile = next(p for p in files.read_profiles(demo.profiles_directory()) if p.code == code)
    floor = demo.value_floor(tariff_lines(*prefixes), share)
    assert floor in profile.criteria, (
        f"{code}.yaml: the floors no longer follow the price tables; write them again:\n{floor}"
    )
