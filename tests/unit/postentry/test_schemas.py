"""The rules across the fields of post-entry control's shapes, each naming its field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from corridor.postentry.schemas import (
    MAX_ALERT_DAYS,
    MAX_PERIOD_DAYS,
    AlertCreate,
    AuditPeriod,
    CaseFindings,
    CaseOpen,
    alert_problems,
    case_open_problems,
    period_problems,
)
from corridor.postentry.service import findings_problems


def alert(**changes: Any) -> AlertCreate:
    payload: dict[str, Any] = {
        "title": "Phones from China under value",
        "instructions": "Check the invoice against the contract.",
        "importer": "01000000000001",
        "units": ["POST-1"],
        "valid_from": "2026-10-10",
        "valid_to": "2026-10-20",
    }
    payload.update(changes)
    return AlertCreate.model_validate(payload)


def named(problems: list[Any]) -> dict[str, str]:
    return {".".join(map(str, p.loc)): p.msg for p in problems}


def test_an_alert_needs_a_condition_an_addressee_and_days_in_order() -> None:
    assert alert_problems(alert()) == []
    assert alert_problems(alert(importer=None, hs_prefix="8517")) == []
    found = named(alert_problems(alert(importer=None, units=[], valid_to="2026-10-01")))
    assert set(found) == {"importer", "units", "valid_to"}
    assert "at least one of importer, hs_prefix, origin" in found["importer"]
    long = alert(valid_from="2026-01-01", valid_to="2027-01-02")
    assert named(alert_problems(long)) == {
        "valid_to": f"an alert is in force {MAX_ALERT_DAYS} days at most"
    }


def test_alert_fields_are_checked_by_type() -> None:
    with pytest.raises(ValidationError) as refused:
        alert(hs_prefix="85A", origin="XX", offices=["kg bsk"], surprise=1)
    fields = {error["loc"][0] for error in refused.value.errors()}
    assert fields == {"hs_prefix", "origin", "offices", "surprise"}


def test_a_case_takes_its_scope_from_the_plan_or_from_its_own_period() -> None:
    from_plan = CaseOpen.model_validate({"plan_id": 1, "tin": "01000000000001"})
    assert case_open_problems(from_plan) == []
    both = CaseOpen.model_validate(
        {"plan_id": 1, "tin": "X1", "unit": "HQ", "period_from": "2026-10-01"}
    )
    assert set(named(case_open_problems(both))) == {"unit", "period_from"}
    alone = CaseOpen.model_validate({"tin": "X1", "period_to": "2026-10-01"})
    assert named(case_open_problems(alone)) == {"period_from": "required for a case outside a plan"}
    backwards = CaseOpen.model_validate(
        {"tin": "X1", "period_from": "2026-10-02", "period_to": "2026-10-01"}
    )
    assert set(named(case_open_problems(backwards))) == {"period_to"}


def test_a_period_has_its_days_in_order_and_a_length() -> None:
    names = ("from", "to")
    assert period_problems(date(2026, 1, 1), date(2026, 12, 31), names=names) == []
    assert set(named(period_problems(date(2026, 2, 1), date(2026, 1, 1), names=names))) == {"to"}
    too_long = period_problems(date(2020, 1, 1), date(2026, 1, 1), names=names)
    assert named(too_long) == {"to": f"the period is longer than {MAX_PERIOD_DAYS} days"}
    assert set(named(period_problems(date(1999, 1, 1), date(2000, 1, 1), names=names))) == {"from"}


def test_an_audit_period_is_made_of_customs_days() -> None:
    period = AuditPeriod(date(2026, 10, 1), date(2026, 10, 31))
    # Kyrgyz time is UTC+6: the first of October starts at 18:00 UTC the day before.
    assert period.start.isoformat() == "2026-09-30T18:00:00+00:00"
    assert period.end.isoformat() == "2026-10-31T18:00:00+00:00"


def test_findings_agree_with_their_outcome() -> None:
    clean = CaseFindings.model_validate({"outcome": "no_discrepancy"})
    assert findings_problems(clean) == []
    found = CaseFindings.model_validate(
        {"outcome": "discrepancy", "discrepancy_types": ["valuation"], "penalties": "100"}
    )
    assert findings_problems(found) == []
    empty = CaseFindings.model_validate({"outcome": "discrepancy"})
    assert set(named(findings_problems(empty))) == {"discrepancy_types"}
    contradicting = CaseFindings.model_validate(
        {
            "outcome": "no_discrepancy",
            "discrepancy_types": ["origin"],
            "additional_duties": "5",
            "penalties": "1",
        }
    )
    assert set(named(findings_problems(contradicting))) == {
        "discrepancy_types",
        "additional_duties",
        "penalties",
    }
    twice = CaseFindings.model_validate(
        {"outcome": "discrepancy", "discrepancy_types": ["origin", "origin"]}
    )
    assert named(findings_problems(twice)) == {"discrepancy_types.1": "origin is listed twice"}
    with pytest.raises(ValidationError):
        CaseFindings.model_validate({"outcome": "discrepancy", "discrepancy_types": ["bribery"]})
