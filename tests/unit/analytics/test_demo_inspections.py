"""The demo's inspection acts as pure functions: detection, duties, minutes, inspectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from corridor.demo import FRAUD_RATES, OFFICES
from corridor.demo.inspections import (
    DETECTION,
    HONEST_DISCREPANCY,
    Inspected,
    act_of,
    draw,
    roster,
)

REGISTERED = datetime(2026, 10, 5, 4, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 27, tzinfo=UTC)
N = 4000


def case(n: int, *, control: str = "red", pattern: str | None = None) -> Inspected:
    return Inspected(
        declaration_id=n,
        key=f"KGBSK/051026/{n:07d}/1",
        office="KGBSK",
        registered_at=REGISTERED,
        control=control,
        basis="profile",
        measures=("109", "101") if control == "red" else ("601",),
        pattern=pattern,
        discrepancy=None if pattern is None else "valuation",
        duties_evaded=Decimal("12345.60") if pattern else Decimal(0),
        summary="invoice value understated" if pattern else "",
    )


def found_share(control: str, pattern: str | None) -> float:
    inspectors = roster("KGBSK", 2026)
    acts = [
        act_of(case(n, control=control, pattern=pattern), seed=2026, inspectors=inspectors, now=NOW)
        for n in range(N)
    ]
    return sum(a["outcome"] == "discrepancy" for a in acts) / N


@pytest.mark.parametrize(
    ("control", "pattern"),
    [
        ("red", "undervaluation"),
        ("yellow", "undervaluation"),
        ("red", "concealment"),
        ("yellow", "concealment"),
        ("yellow", "quantity_understatement"),
    ],
)
def test_frauds_are_found_at_the_rate_of_the_control(control: str, pattern: str) -> None:
    # 4,000 draws: the standard error of a share near 0.5 is under 0.008
    assert found_share(control, pattern) == pytest.approx(DETECTION[control][pattern], abs=0.03)


def test_examination_finds_more_than_documents_and_honest_traders_are_rarely_faulted() -> None:
    # weighted by how often each pattern is planted: about 0.75 and 0.5
    planted = sum(FRAUD_RATES.values())
    red, yellow = (
        sum(DETECTION[control][p] * rate for p, rate in FRAUD_RATES.items()) / planted
        for control in ("red", "yellow")
    )
    assert red == pytest.approx(0.75, abs=0.02)
    assert yellow == pytest.approx(0.5, abs=0.02)
    assert all(DETECTION["red"][p] >= DETECTION["yellow"][p] for p in DETECTION["red"])
    assert found_share("red", None) == pytest.approx(HONEST_DISCREPANCY, abs=0.006)


def test_a_found_fraud_carries_its_type_duties_and_note() -> None:
    inspectors = roster("KGBSK", 2026)
    acts = [
        act_of(case(n, pattern="undervaluation"), seed=2026, inspectors=inspectors, now=NOW)
        for n in range(200)
    ]
    found = [a for a in acts if a["outcome"] == "discrepancy"]
    missed = [a for a in acts if a["outcome"] == "no_discrepancy"]
    assert found
    assert missed
    for act in found:
        assert act["discrepancy_types"] == ["valuation"]
        assert act["additional_duties"] == Decimal("12345.60")
        assert act["notes"] == "invoice value understated"
        assert not act["seizure"]
    for act in missed:
        assert (act["discrepancy_types"], act["additional_duties"], act["notes"]) == (
            [], Decimal(0), "",
        )  # fmt: skip
    assert all(a["inspector"] in inspectors for a in acts)
    assert all(a["source"] == "demo" and a["current"] and a["act_version"] == 1 for a in acts)


def test_concealment_found_is_seized_with_an_offence_case() -> None:
    inspectors = roster("KGIRK", 7)
    acts = [
        act_of(case(n, pattern="concealment"), seed=7, inspectors=inspectors, now=NOW)
        for n in range(50)
    ]
    found = [a for a in acts if a["outcome"] == "discrepancy"]
    assert found
    assert all(a["seizure"] and a["offence_case"] for a in found)
    assert not any(a["seizure"] or a["offence_case"] for a in acts if a not in found)


def test_minutes_and_times_follow_the_measures() -> None:
    inspectors = roster("KGBSK", 2026)
    red = [act_of(case(n), seed=1, inspectors=inspectors, now=NOW) for n in range(300)]
    yellow = [
        act_of(case(n, control="yellow"), seed=1, inspectors=inspectors, now=NOW)
        for n in range(300)
    ]
    mean_red = sum(a["minutes_spent"] for a in red) / len(red)
    mean_yellow = sum(a["minutes_spent"] for a in yellow) / len(yellow)
    assert 100 <= mean_red <= 200  # examination 120 + documents 30, times 0.6-1.5
    assert 25 <= mean_yellow <= 60  # valuation check 45
    for act in red + yellow:
        assert REGISTERED < act["inspected_at"] <= act["recorded_at"] <= NOW
        assert act["inspected_at"] - REGISTERED <= timedelta(hours=6)
    late = act_of(case(1), seed=1, inspectors=inspectors, now=REGISTERED + timedelta(minutes=5))
    assert late["recorded_at"] == REGISTERED + timedelta(minutes=5)


def test_everything_is_fixed_by_the_seed_and_the_declaration() -> None:
    inspectors = roster("KGBSK", 2026)
    first = [
        act_of(case(n, pattern="undervaluation"), seed=3, inspectors=inspectors, now=NOW)
        for n in range(100)
    ]
    again = [
        act_of(case(n, pattern="undervaluation"), seed=3, inspectors=inspectors, now=NOW)
        for n in range(100)
    ]
    other = [
        act_of(case(n, pattern="undervaluation"), seed=4, inspectors=inspectors, now=NOW)
        for n in range(100)
    ]
    assert first == again
    assert [a["outcome"] for a in first] != [a["outcome"] for a in other]
    assert draw(3, "K/1", "found") == draw(3, "K/1", "found") != draw(3, "K/1", "minutes")
    assert 0 <= draw(3, "K/1", "found") < 1


def test_each_office_has_its_roster() -> None:
    rosters = {office.code: roster(office.code, 2026) for office in OFFICES}
    assert all(len(set(names)) == len(names) >= 3 for names in rosters.values())
    assert len(rosters["KGBSK"]) > len(rosters["KGKRK"])  # the busiest office, the quietest
    assert rosters["KGBSK"] == roster("KGBSK", 2026)
    assert rosters["KGBSK"] != roster("KGBSK", 2027)
    assert all(name.endswith(".") for name in rosters["KGOSH"])
