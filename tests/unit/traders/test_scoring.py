"""The compliance score on hand-computed fixtures: shrinkage, severity, amounts, offences,
the thresholds of the categories and the evidence a low category needs."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import polars as pl
import pytest

from corridor.traders import scoring
from corridor.traders.scoring import ACTIVITY_SCHEMA, COMPONENTS, ScoringRules

AS_OF = date(2026, 11, 1)


def trader(tin: str, **figures: Any) -> dict[str, Any]:
    """One trader's activity: nothing but what is given (an old trader by default)."""
    row: dict[str, Any] = {
        "tin": tin,
        "declarations": 0,
        "first_seen": AS_OF - timedelta(days=400),
        "declared_value": 0.0,
        "inspections": 0,
        "discrepancies": 0,
        "serious": 0,
        "additional_duties": 0.0,
        "offences": 0,
        "audits": 0,
        "audit_findings": 0,
        "audit_serious": 0,
        "audit_amount": 0.0,
    }
    row.update(figures)
    return row


def activity(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict(ACTIVITY_SCHEMA))


#: A population of three: a new trader inspected once (clean), an established clean one
#: and an offender. Controls 1 + 20 + 10 = 31, findings 0 + 0 + 5: p0 = 5/31.
POPULATION = activity(
    trader("NEW", declarations=1, first_seen=AS_OF - timedelta(days=10), inspections=1),
    trader("CLEAN", declarations=40, declared_value=2_000_000.0, inspections=20),
    trader(
        "BAD",
        declarations=30,
        declared_value=1_000_000.0,
        inspections=9,
        discrepancies=4,
        serious=1,
        additional_duties=30_000.0,
        offences=1,
        audits=1,
        audit_findings=1,
        audit_amount=5_000.0,
    ),
)
P0 = Fraction(5, 31)


def scored(frame: pl.DataFrame = POPULATION, **options: Any) -> dict[str, dict[str, Any]]:
    p0 = options.pop("p0", scoring.population_rate(frame))
    result = scoring.score(frame, as_of=AS_OF, p0=p0, **options)
    return {row["tin"]: row for row in result.to_dicts()}


def test_the_population_rate_pools_every_control() -> None:
    assert scoring.population_rate(POPULATION) == pytest.approx(float(P0))
    assert scoring.population_rate(activity(trader("A", declarations=3))) is None


def test_one_clean_inspection_does_not_make_a_new_trader_perfect() -> None:
    new = scored()["NEW"]
    # r = (0 + 10 p0) / (1 + 10) = 50/341; rate points = 50 r / p0 = 500/11
    shrunk = (0 + 10 * P0) / (1 + 10)
    assert shrunk == Fraction(50, 341)
    assert new["shrunk_rate"] == pytest.approx(float(shrunk), abs=1e-6)
    assert new["rate_points"] == pytest.approx(500 / 11, abs=1e-6)
    assert new["score"] == pytest.approx(500 / 11, abs=1e-6)
    # The raw rate (0 of 1) would say "never wrong"; shrunk, it is 91 % of the population's.
    assert new["rate_points"] > 45
    assert new["category"] == "medium"
    assert new["held_back"] == ["few_controls", "few_declarations", "new_trader"]


def test_a_long_clean_record_is_low() -> None:
    clean = scored()["CLEAN"]
    # r = (0 + 10 p0) / (20 + 10) = 5/93; rate points = 50 (5/93) / (5/31) = 50/3
    assert clean["shrunk_rate"] == pytest.approx(5 / 93, abs=1e-6)
    assert clean["rate_points"] == pytest.approx(50 / 3, abs=1e-6)
    assert clean["score"] == pytest.approx(50 / 3, abs=1e-6)
    assert clean["held_back"] == []
    assert clean["category"] == "low"


def test_severity_amounts_and_offences_add_up() -> None:
    bad = scored()["BAD"]
    # controls 9 + 1, findings 4 + 1: r = (5 + 10 p0) / 20 = 41/124, rate points 102.5
    assert (bad["controls"], bad["findings"], bad["serious"]) == (10, 5, 1)
    assert bad["shrunk_rate"] == pytest.approx(41 / 124, abs=1e-6)
    assert bad["rate_points"] == pytest.approx(102.5, abs=1e-6)
    assert bad["severity"] == pytest.approx(0.2)  # 1 serious of 5 findings
    # 35,000 found of 1,000,000 declared: 3.5 % x 500 = 17.5 points; 1 offence: 25 points
    assert bad["amount_found"] == pytest.approx(35_000)
    assert bad["amount_share"] == pytest.approx(0.035)
    assert bad["amount_points"] == pytest.approx(17.5)
    assert bad["offence_points"] == pytest.approx(25)
    assert bad["score"] == pytest.approx(102.5 * 1.2 + 17.5 + 25)  # 165.5
    assert bad["category"] == "high"
    assert bad["held_back"] == ["serious", "offences"]


def test_amount_and_offence_points_are_capped() -> None:
    row = scored(
        activity(
            trader(
                "X",
                declarations=50,
                declared_value=100.0,
                additional_duties=1_000.0,
                inspections=10,
                offences=7,
            )
        ),
        p0=0.2,
    )["X"]
    assert row["amount_points"] == 25
    assert row["offence_points"] == 50


def test_without_any_control_every_trader_has_the_population_s_points() -> None:
    found = scored(activity(trader("A", declarations=30), trader("B", declarations=1)))
    assert {tin: row["rate_points"] for tin, row in found.items()} == {"A": 50.0, "B": 50.0}
    assert found["A"]["population_rate"] is None
    assert found["A"]["shrunk_rate"] is None
    assert {row["category"] for row in found.values()} == {"medium"}


def test_thresholds_high_from_75_low_below_35() -> None:
    # Without any control anywhere the rate points are exactly 50; capped amounts add 25.
    at_high = trader("H", declarations=20, declared_value=1.0, additional_duties=1.0)
    eligible = trader("E", declarations=20, inspections=5)
    found = scored(activity(at_high, eligible), p0=None)
    assert found["H"]["score"] == 75.0
    assert found["H"]["category"] == "high"
    assert found["E"]["score"] == 50.0
    assert found["E"]["held_back"] == []
    # The low threshold is strict: a score equal to it is not low.
    assert scored(activity(eligible), p0=None, rules=ScoringRules(low_below=50))["E"][
        "category"
    ] == ("medium")
    assert (
        scored(activity(eligible), p0=None, rules=ScoringRules(low_below=50.5))["E"]["category"]
        == "low"
    )
    assert (
        scored(activity(at_high), p0=None, rules=ScoringRules(high_from=75.5))["H"]["category"]
        == "medium"
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"declarations": 9}, "few_declarations"),
        ({"first_seen": AS_OF - timedelta(days=179)}, "new_trader"),
        ({"audits": 1, "audit_findings": 1, "audit_serious": 1}, "serious"),
        ({"offences": 1}, "offences"),
    ],
)
def test_a_low_score_without_the_evidence_stays_medium(
    changes: dict[str, Any], reason: str
) -> None:
    base = {"declarations": 40, "inspections": 90, **changes}
    # 90 clean controls score 50 (10 p0 / 100) / p0 = 5 (an offence case adds 25; the one
    # serious audit finding makes 1 finding in 91 controls: 50 (1 + 10 p0) / 101 / p0 x 2).
    found = scored(activity(trader("T", **base)), p0=0.5)["T"]
    assert found["score"] < 35
    assert found["held_back"] == [reason]
    assert found["category"] == "medium"


def test_fewer_than_five_controls_never_score_low() -> None:
    # With k = 10, n clean controls score 50 k / (n + k): 35.7 for 4, 33.3 for 5.
    four, five = (
        scored(activity(trader("T", declarations=40, inspections=n)), p0=0.3)["T"] for n in (4, 5)
    )
    assert four["score"] == pytest.approx(500 / 14)
    assert four["held_back"] == ["few_controls"]
    assert four["category"] == "medium"
    assert five["score"] == pytest.approx(500 / 15)
    assert five["category"] == "low"


def test_components_are_json_ready_and_complete() -> None:
    row = scoring.score(POPULATION, as_of=AS_OF, p0=float(P0)).row(2, named=True)
    components = scoring.components(row)
    assert list(components) == list(COMPONENTS)
    assert components["held_back"] == ["serious", "offences"]
    assert components["age_days"] == 400
    assert isinstance(components["rate_points"], float)
