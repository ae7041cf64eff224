"""The demo world's inspection acts: what inspectors find on the declarations selected.

After the demo world is assessed, :func:`record` writes one inspection act for
every declaration whose channel is red (physical control) or yellow (documentary
control), and for a small share of green declarations an officer checks at their
own discretion (:data:`DISCRETIONARY_SHARE`). Blue declarations are released for
post-clearance audit: no act at the border.

What the act says follows the planted truth (``declaration_ground_truth``,
source ``demo``):

* a fraudulent declaration is found with the probability of its control and
  fraud pattern (:data:`DETECTION`): a physical examination finds more than a
  documentary check (about 0.75 against 0.5 on average), and documents hardly
  ever reveal goods hidden in a load; an honest declaration shows a (minor,
  documentary) discrepancy in :data:`HONEST_DISCREPANCY` of acts;
* the discrepancy type is the pattern's (valuation, classification, origin,
  quantity, concealment), the additional duties are the duties the fraud evaded
  (a share of the customs value for undervaluation and misclassification), and
  concealed goods are seized with an offence case opened;
* minutes spent follow the measures applied (:data:`MINUTES`), longer when
  something is found; each office has its roster of inspectors.

Everything is deterministic given the world's seed: each draw is a keyed hash of
the seed, the declaration key and what is drawn (no global random state).
Acts are written in bulk, ``source = "demo"``; declarations that already have an
act are left alone, so running it twice records nothing twice.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import and_, func, insert, select, true
from sqlalchemy.orm import Session, sessionmaker

from corridor.analytics import service as analytics_service
from corridor.analytics.schemas import HitRate, ReportPeriod
from corridor.db.tables import (
    DecisionRow,
    DeclarationRow,
    GroundTruthRow,
    InspectionActRow,
    RerouteRow,
)
from corridor.db.uow import UnitOfWork
from corridor.demo.world import OFFICES

SOURCE: Final = "demo"
#: Acts written per statement.
BATCH: Final = 2000

#: Probability that an inspection finds a planted fraud, by control and pattern. Red is
#: a physical examination plus documents; yellow (and a discretionary check of a green
#: declaration) documents only, which hardly reveal hidden goods or a short count.
DETECTION: Final[dict[str, dict[str, float]]] = {
    "red": {
        "undervaluation": 0.70,
        "misclassification": 0.85,
        "false_origin": 0.60,
        "quantity_understatement": 0.85,
        "concealment": 0.80,
    },
    "yellow": {
        "undervaluation": 0.60,
        "misclassification": 0.50,
        "false_origin": 0.55,
        "quantity_understatement": 0.25,
        "concealment": 0.02,
    },
}
#: Probability that an inspection of an honest declaration records a (documentary)
#: discrepancy: a wrong document reference, a clerical error; no duties follow.
HONEST_DISCREPANCY: Final = 0.01
#: Share of green declarations an officer checks at their discretion (documents).
DISCRETIONARY_SHARE: Final = 0.005
#: Typical minutes an inspector spends on a measure (post-clearance audits: none here).
MINUTES: Final[dict[str, int]] = {
    "101": 30,  # check of documents
    "102": 10,  # oral questioning
    "103": 20,  # request for explanations / documents
    "104": 15,  # customs surveillance
    "105": 35,  # external inspection / X-ray scan
    "109": 120,  # physical examination
    "112": 45,  # check of marking
    "601": 45,  # valuation check
    "615": 40,  # samples
}
#: Minutes to write up a discrepancy: the act, the recalculation of payments.
WRITE_UP_MINUTES: Final = 45
#: Undeclared duties above which a case for a customs offence is opened (som).
OFFENCE_THRESHOLD: Final = Decimal(500_000)

# Surnames and initials the rosters of inspectors are drawn from.
_SURNAMES: Final = (
    "Abdyldaev", "Akmatova", "Alymkulov", "Asanov", "Bakirov", "Beishenova", "Djumabaev",
    "Esenalieva", "Ibraimov", "Isakov", "Kadyrova", "Kasymov", "Mamatova", "Mamytov",
    "Nurmatov", "Omurbekova", "Osmonov", "Sadykov", "Sultanova", "Tashiev", "Toktogulov",
    "Turdubaeva", "Usenov", "Zhunusova", "Zhumaliev", "Tokonov", "Raimbekova", "Kurmanov",
)  # fmt: skip
_INITIALS: Final = "ABDEGIKMNORSTUZ"


@dataclass(frozen=True, slots=True)
class Inspected:
    """A declaration version to record an act for, with what the act needs to know."""

    declaration_id: int
    key: str  # number/version: what the draws are keyed on
    office: str
    registered_at: datetime
    control: str  # red | yellow (a green one checked at discretion: yellow)
    basis: str  # profile | random | reroute | discretionary
    measures: tuple[str, ...]
    pattern: str | None  # the planted fraud, None when honest
    discrepancy: str | None
    duties_evaded: Decimal
    summary: str


@dataclass(frozen=True, slots=True)
class ActsReport:
    """What :func:`record` wrote: acts by selection basis, and how many found something."""

    acts: int
    discrepancies: int
    by_basis: dict[str, int]
    frauds_inspected: int
    frauds_found: int


def draw(seed: int, key: str, purpose: str) -> float:
    """A uniform number in [0, 1) from the seed, a declaration key and what is drawn."""
    digest = hashlib.blake2b(f"{seed}|{key}|{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def roster(office: str, seed: int) -> tuple[str, ...]:
    """The inspectors of an office ("Asanov B."): more at busier offices, fixed by the seed."""
    share = next((o.share for o in OFFICES if o.code == office), 0.05)
    size = max(3, round(share * 40))
    names: list[str] = []
    attempt = 0
    while len(names) < size:
        surname = _SURNAMES[int(draw(seed, office, f"surname {attempt}") * len(_SURNAMES))]
        initial = _INITIALS[int(draw(seed, office, f"initial {attempt}") * len(_INITIALS))]
        name = f"{surname} {initial}."
        if name not in names:
            names.append(name)
        attempt += 1
    return tuple(names)


def act_of(
    case: Inspected, *, seed: int, inspectors: Sequence[str], now: datetime
) -> dict[str, Any]:
    """The inspection act (column values of ``inspection_acts``) for one inspected
    declaration; pure given its arguments (``now`` only caps the times)."""
    key = case.key
    if case.pattern is not None:
        found = draw(seed, key, "found") < DETECTION[case.control].get(case.pattern, 0.5)
        types = [case.discrepancy or "documents"] if found else []
        duties = case.duties_evaded if found else Decimal(0)
    else:
        found = draw(seed, key, "found") < HONEST_DISCREPANCY
        types = ["documents"] if found else []
        duties = Decimal(0)
    seized = found and case.pattern == "concealment"
    offence = found and (seized or duties >= OFFENCE_THRESHOLD)
    base = sum(MINUTES.get(code, 0) for code in case.measures) or MINUTES["101"]
    minutes = round(base * (0.6 + 0.9 * draw(seed, key, "minutes")))
    minutes += WRITE_UP_MINUTES if found else 0
    # Physical examinations wait for the goods to be unloaded; documents are checked sooner.
    wait_hours = (
        (1 + 5 * draw(seed, key, "wait"))
        if case.control == "red"
        else (0.5 + 3.5 * draw(seed, key, "wait"))
    )
    inspected_at = min(case.registered_at + timedelta(hours=wait_hours), now)
    recorded_at = min(inspected_at + timedelta(minutes=minutes), now)
    inspector = inspectors[int(draw(seed, key, "inspector") * len(inspectors))]
    year = case.registered_at.year % 100
    case_number = int(draw(seed, key, "case") * 100_000)
    return {
        "declaration_id": case.declaration_id,
        "act_version": 1,
        "current": True,
        "office": case.office,
        "selection_basis": case.basis,
        "measures": [
            {"code": code, "status": "applied", "reason_code": None} for code in case.measures
        ],
        "outcome": "discrepancy" if found else "no_discrepancy",
        "discrepancy_types": types,
        "additional_duties": duties,
        "seizure": seized,
        "offence_case": f"{case.office}-{year:02d}-{case_number:05d}" if offence else None,
        "minutes_spent": max(minutes, 5),
        "notes": (case.summary if case.pattern is not None else "minor documentary discrepancy")
        if found
        else "",
        "inspector": inspector,
        "inspected_at": inspected_at,
        "recorded_by": inspector,
        "recorded_at": recorded_at,
        "correction_reason": None,
        "source": SOURCE,
    }


# =========================================================================== storage


def _chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _candidates(
    session: Session, seed: int, before: datetime | None = None
) -> list[tuple[int, str, str]]:
    """(declaration id, current channel, basis) of the assessed declarations without an act
    that are inspected: red and yellow, and green ones drawn for a discretionary check
    (registered before ``before``, when given)."""
    latest = select(
        RerouteRow.decision_id,
        RerouteRow.to_channel,
        func.row_number()
        .over(partition_by=RerouteRow.decision_id, order_by=RerouteRow.id.desc())
        .label("rank"),
    ).subquery()
    rows = session.execute(
        select(
            DecisionRow.declaration_id,
            DeclarationRow.number,
            DeclarationRow.version,
            DecisionRow.channel,
            latest.c.to_channel,
            DecisionRow.selected_by_profile,
            DecisionRow.selected_at_random,
        )
        .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
        .outerjoin(latest, and_(latest.c.decision_id == DecisionRow.id, latest.c.rank == 1))
        .outerjoin(InspectionActRow, InspectionActRow.declaration_id == DecisionRow.declaration_id)
        .where(
            InspectionActRow.id.is_(None),
            DeclarationRow.registered_at < before if before is not None else true(),
        )
        .order_by(DecisionRow.declaration_id)
    )
    found: list[tuple[int, str, str]] = []
    for declaration_id, number, version, channel, rerouted, by_profile, at_random in rows:
        current = rerouted or channel
        if current in ("red", "yellow"):
            if rerouted is not None and rerouted != channel:
                basis = "reroute"
            elif by_profile:
                basis = "profile"
            else:
                basis = "random" if at_random else "discretionary"
            found.append((declaration_id, current, basis))
        elif current == "green" and draw(seed, f"{number}/{version}", "discretionary") < (
            DISCRETIONARY_SHARE
        ):
            found.append((declaration_id, "yellow", "discretionary"))
    return found


def _cases(session: Session, candidates: Sequence[tuple[int, str, str]]) -> Iterable[Inspected]:
    """The candidates with their decision's measures and the planted truth."""
    chosen = {declaration_id: (control, basis) for declaration_id, control, basis in candidates}
    ids = sorted(chosen)
    for chunk in _chunks(ids, 500):
        truths = {
            declaration_id: (pattern, detail)
            for declaration_id, pattern, detail in session.execute(
                select(
                    GroundTruthRow.declaration_id, GroundTruthRow.pattern, GroundTruthRow.detail
                ).where(
                    GroundTruthRow.declaration_id.in_(chunk),
                    GroundTruthRow.source == SOURCE,
                    GroundTruthRow.fraud.is_(True),
                )
            )
        }
        rows = session.execute(
            select(
                DecisionRow.declaration_id,
                DeclarationRow.number,
                DeclarationRow.version,
                DeclarationRow.office,
                DeclarationRow.registered_at,
                DecisionRow.detail,
            )
            .join(DeclarationRow, DeclarationRow.id == DecisionRow.declaration_id)
            .where(DecisionRow.declaration_id.in_(chunk))
            .order_by(DecisionRow.declaration_id)
        ).all()  # read whole: the caller writes acts between chunks
        for declaration_id, number, version, office, registered_at, detail in rows:
            control, basis = chosen[declaration_id]
            measures = tuple(
                dict.fromkeys(
                    str(m["code"])
                    for m in detail.get("measures", [])
                    if m.get("channel") in ("red", "yellow", "none")
                )
            )
            if basis == "discretionary" or not measures:
                measures = ("101",) if control == "yellow" else ("109",)
            pattern, label = truths.get(declaration_id, (None, None))
            yield Inspected(
                declaration_id=declaration_id,
                key=f"{number}/{version}",
                office=office,
                registered_at=registered_at,
                control=control,
                basis=basis,
                measures=measures,
                pattern=pattern,
                discrepancy=None if label is None else label.get("discrepancy"),
                duties_evaded=Decimal(str((label or {}).get("duties_evaded") or 0)),
                summary="" if label is None else str(label.get("summary", "")),
            )


def record(
    *,
    session_factory: sessionmaker[Session],
    seed: int,
    now: datetime | None = None,
    leave_pending: timedelta = timedelta(0),
) -> ActsReport:
    """Record the inspection acts of every assessed demo declaration that is inspected and
    has no act yet (red, yellow, and green ones checked at discretion), in bulk, in one
    transaction. ``seed`` is the world's; ``now`` caps the times of the acts.

    Declarations registered within ``leave_pending`` of the world's last registration
    get no act: they wait in the posts' inspection queues, as the day's work does.
    """
    now = now or datetime.now(UTC)
    rosters = {office.code: roster(office.code, seed) for office in OFFICES}
    basis_counts: Counter[str] = Counter()
    discrepancies = frauds_inspected = frauds_found = 0
    with UnitOfWork(session_factory) as uow:
        session = uow.session
        last = session.scalar(select(func.max(DeclarationRow.registered_at)))
        before = None if last is None or not leave_pending else last - leave_pending
        candidates = _candidates(session, seed, before)
        acts: list[dict[str, Any]] = []
        for case in _cases(session, candidates):
            inspectors = rosters.get(case.office) or roster(case.office, seed)
            act = act_of(case, seed=seed, inspectors=inspectors, now=now)
            acts.append(act)
            basis_counts[case.basis] += 1
            found = act["outcome"] == "discrepancy"
            discrepancies += found
            if case.pattern is not None:
                frauds_inspected += 1
                frauds_found += found
            if len(acts) >= BATCH:
                session.execute(insert(InspectionActRow), acts)
                acts = []
        if acts:
            session.execute(insert(InspectionActRow), acts)
        uow.commit()
    return ActsReport(
        acts=sum(basis_counts.values()),
        discrepancies=discrepancies,
        by_basis=dict(basis_counts),
        frauds_inspected=frauds_inspected,
        frauds_found=frauds_found,
    )


def summary(
    report: ActsReport,
    *,
    session_factory: sessionmaker[Session],
    first_day: date,
    last_day: date,
) -> str:
    """One sentence for the console: the acts recorded, and the hit rates of targeted and
    random-control selections over the world's days (every act stored, not only these)."""
    with UnitOfWork(session_factory) as uow:
        figures = analytics_service.profile_effectiveness(
            uow=uow, period=ReportPeriod(first_day, last_day), hidden=()
        )

    def rate(found: HitRate) -> str:
        if found.rate is None or found.low is None or found.high is None:
            return "none (nothing inspected)"
        return f"{100 * found.rate:.1f} % (95 % CI {100 * found.low:.1f}–{100 * found.high:.1f})"

    lift = figures.lift
    if lift.ratio is None:
        lifted = f"no lift ({lift.note})"
    elif lift.low is None or lift.high is None:
        lifted = f"lift {lift.ratio:.1f} ({lift.note})"
    else:
        lifted = f"lift {lift.ratio:.1f} (95 % CI {lift.low:.1f}–{lift.high:.1f})"
    bases = ", ".join(f"{count} {basis}" for basis, count in sorted(report.by_basis.items()))
    return (
        f"Inspection acts: {report.acts} recorded ({bases or 'none'}), "
        f"{report.discrepancies} found a discrepancy. Hit rate of profile selections "
        f"{rate(figures.targeted.hit_rate)} against random control "
        f"{rate(figures.random_control.hit_rate)}: {lifted}."
    )
