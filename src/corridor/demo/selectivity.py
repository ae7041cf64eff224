"""Risk profiles, lists and office parameters for the demo world, and a batch assessment.

The demo world (:mod:`corridor.demo`) plants fraud into its declarations; this module
is what a risk analysis department would write against that flow: forty risk
profiles across every risk area and kind, the named lists they read, and the random
control rates of every office and flow. Everything goes through the use cases of
:mod:`corridor.profiles.service`, as an analyst and a head of department would do it:
the analyst drafts and submits, the head approves and activates (four eyes).

* :func:`demo_lists` and :func:`demo_profiles` give the data (lists keyed on the
  traders of one world: the importers, brokers and companies differ between seeds).
  The profiles are files (``demo/profiles/<code>.yaml``, the format of ``corridor
  profiles export``) read as an administration's are; only the targets, which name
  traders of the world, are written here;
* :func:`seed` stores what is missing (running it twice creates nothing twice);
* :func:`assess_all` assesses every stored declaration that has no decision yet;
* :func:`hit_rates` compares what the profiles selected with the planted fraud
  (``declaration_ground_truth``), against the random control group.

The facts criteria read are those of :func:`corridor.declarations.facts.fact_schema`.
Reference prices (``ref_price``, ``value_ratio``), trader facts and model scores are
not supplied to the engine in this release, so the valuation profiles carry their
price floors in the criteria: per tariff line and origin, a share of the typical
price of the demo world's price tables (``corridor.demo.world.GOODS``), converted
to som at the world's dollar level (:func:`value_floor` writes them; a test checks the
files against it). Customs values are in som (KGS).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from corridor import rules
from corridor.db.tables import DecisionRow, DeclarationRow, GroundTruthRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.repository import ListFilters
from corridor.demo.generator import BISHKEK, FRAUD_RATES
from corridor.demo.world import (
    CURRENCIES,
    GOODS,
    GOODS_BY_CODE,
    OFFICES,
    Trader,
    TraderBook,
    build_traders,
)
from corridor.errors import NotFound
from corridor.profiles import files as profile_files
from corridor.profiles import service as profiles_service
from corridor.profiles.schemas import (
    MeasureUse,
    OfficeParametersIn,
    ProfileCreate,
    ReferenceListCreate,
)
from corridor.selectivity import repository as selectivity_repository
from corridor.selectivity import service as selectivity_service
from corridor.selectivity.snapshot import ProfileSetHolder

#: The seed the demo world is generated with unless told otherwise (``corridor demo generate``).
WORLD_SEED: Final = 2026
#: The yearly flow the expected selections per month are calibrated on.
DEMO_FLOW: Final = 20_000
ANALYST: Final = "analyst.demo"
APPROVER: Final = "head.demo"
#: The author of the demo's intelligence material: confidential lists, target profiles
#: and the profiles that read confidential lists (an analyst may not even know of them).
INTELLIGENCE: Final = "intel.demo"
CHANNELS: Final = ("green", "blue", "yellow", "red")

#: Som per US dollar around which the demo world's rate moves.
USD_KGS: Final = next(currency.kgs for currency in CURRENCIES if currency.code == "USD")

# fmt: off
#: Goods a risk analyst watches closely: high duty, high value, excise or restrictions.
SENSITIVE_HS: Final = (
    "8703", "8517", "6402", "6403", "6404", "61", "62", "2402", "2403", "4011", "3004",
)
#: Bulk low-value goods that concealment cases at the Chinese and Uzbek border are found in.
FILLER_HS: Final = (
    "0808", "1701", "3920", "6810", "6907", "7216", "7308", "8418", "9403",
)
#: Countries of destination (exports, transit) under enhanced security controls.
HIGH_RISK_DESTINATIONS: Final = ("AF", "IR", "SY", "YE", "KP")
# fmt: on

#: Free-trade-area and EAEU countries whose preferential origin is claimed on goods
#: they hardly make (the false-origin pattern): entries of IMPLAUSIBLE_ORIGIN.
_PREFERENTIAL_NEIGHBOURS: Final = ("UZ", "KZ")


# =========================================================================== helpers


def _kgs(usd: float) -> int:
    """A USD amount in som, rounded to three significant digits (readable thresholds)."""
    value = usd * USD_KGS
    digits = max(len(str(int(value))) - 3, 0)
    return int(round(value, -digits))


def value_floor(codes: Sequence[str], share: float) -> str:
    """Criteria for an item declared below ``share`` of the typical price of its line and origin.

    One term per tariff line and origin of the world's price table:
    ``hs_code = "…" and origin = "…" and value_per_unit < N`` (``value_per_kg`` for
    goods without a supplementary unit), joined with ``or``.
    """
    terms = []
    for code in codes:
        goods = GOODS_BY_CODE[code]
        fact = "value_per_unit" if goods.unit else "value_per_kg"
        for origin in goods.origins:
            limit = _kgs(origin.usd * share)
            terms.append(
                f'(hs_code = "{code}" and origin = "{origin.country}" and {fact} < {limit})'
            )
    if not terms:
        raise ValueError(f"no prices for {list(codes)}")
    return "(" + "\n or ".join(terms) + ")"


def _measures(mandatory: Sequence[str], optional: Sequence[str] = ()) -> list[MeasureUse]:
    return [MeasureUse(code=code, mandatory=True) for code in mandatory] + [
        MeasureUse(code=code, mandatory=False) for code in optional
    ]


# =========================================================================== the world's traders


def chronic_offender(book: TraderBook) -> Trader | None:
    """The chronic offender intelligence targets: the busiest importer caught again and again."""
    offenders = [t for t in book.importers if t.honesty == "offender"]
    return max(offenders, key=lambda t: (t.activity, t.tin), default=None)


def _watched_importers(book: TraderBook) -> list[Trader]:
    """Importers with a record of discrepancies (the regular ones among the chronic offenders,
    and a few large average traders caught once in a big case)."""
    offenders = [t for t in book.importers if t.honesty == "offender" and t.activity >= 1.2]
    caught_once = sorted(
        (t for t in book.importers if t.honesty == "average"), key=lambda t: (-t.activity, t.tin)
    )[:6]
    return sorted([*offenders, *caught_once], key=lambda t: t.tin)


def _new_companies(book: TraderBook, end: date) -> list[Trader]:
    """Importers registered (state register of legal entities) in the last twelve months."""
    return [t for t in book.importers if (end - t.registered_on).days < 365]


def _complicit_brokers(book: TraderBook) -> list[Trader]:
    return sorted((t for t in book.brokers if t.honesty == "offender"), key=lambda t: t.tin)


# =========================================================================== lists


#: Tariff headings with a supplementary unit whose low-value consignments the ASYCUDA
#: watch list covers, by goods line of the importer.
_ASYCUDA_HEADINGS: Final[dict[str, tuple[str, ...]]] = {
    "garments": ("6109", "6110", "6201", "6203", "6204"),
    "footwear": ("6402", "6403", "6404"),
    "tyres": ("4011",),
    "general": ("9503", "3304"),
}


def _asycuda_entries(book: TraderBook) -> list[list[str]]:
    """(importer, declarant, HS prefix, origin) of watched importers of cheap countable goods:
    the importer declaring itself or through a broker of its office."""
    entries: list[list[str]] = []
    for importer in book.importers:
        if importer.honesty != "offender" or importer.line not in _ASYCUDA_HEADINGS:
            continue
        declarants = [importer.tin] + [b.tin for b in book.brokers if b.office == importer.office]
        for declarant in declarants:
            for heading in _ASYCUDA_HEADINGS[importer.line]:
                for origin in ("CN", "TR"):
                    entries.append([importer.tin, declarant, heading, origin])
    return entries


def _implausible_origins() -> list[list[str]]:
    """(origin, HS heading) pairs: a neighbour's preferential origin on dutiable goods of a
    heading it does not export (per the world's trade tables)."""
    made: dict[str, set[str]] = {}
    for goods in GOODS:
        for origin in goods.origins:
            made.setdefault(goods.hs_code[:4], set()).add(origin.country)
    entries = []
    for heading, countries in sorted(made.items()):
        dutiable = any(g.duty_rate > 0 for g in GOODS if g.hs_code.startswith(heading))
        if "KG" in countries or not dutiable:
            continue
        for country in _PREFERENTIAL_NEIGHBOURS:
            if country not in countries:
                entries.append([country, heading])
    return entries


def demo_lists(book: TraderBook, end: date) -> tuple[ReferenceListCreate, ...]:
    """The named lists of the demo profiles, for the traders of one world ending on ``end``."""
    return (
        ReferenceListCreate(
            name="RISKY_IMPORTERS",
            kind="companies",
            description=(
                "Importers with repeated discrepancies found at inspection or post-clearance "
                "audit in the last three years (post-entry control department)."
            ),
            confidential=True,
            entries=[[t.tin] for t in _watched_importers(book)],
        ),
        ReferenceListCreate(
            name="NEW_COMPANIES",
            kind="companies",
            description=(
                "Importers registered as legal entities or entrepreneurs in the last twelve "
                "months (state register), refreshed monthly."
            ),
            entries=[[t.tin] for t in _new_companies(book, end)],
        ),
        ReferenceListCreate(
            name="COMPLICIT_BROKERS",
            kind="companies",
            key_fields=["declarant"],
            description="Customs brokers under investigation for filing falsified declarations.",
            confidential=True,
            entries=[[t.tin] for t in _complicit_brokers(book)],
        ),
        ReferenceListCreate(
            name="SENSITIVE_GOODS",
            kind="hs_prefixes",
            description=(
                "High-duty, high-value, excise and restricted goods: cars, smartphones, "
                "footwear, garments, tobacco, tyres, medicines."
            ),
            entries=[[prefix] for prefix in SENSITIVE_HS],
        ),
        ReferenceListCreate(
            name="FILLER_GOODS",
            kind="hs_prefixes",
            description=(
                "Bulk low-value goods used as cover loads in concealment cases (fruit, sugar, "
                "film, tiles, steel, fridges, furniture)."
            ),
            entries=[[prefix] for prefix in FILLER_HS],
        ),
        ReferenceListCreate(
            name="HIGH_RISK_DESTINATIONS",
            kind="countries",
            key_fields=["destination_country"],
            description="Destinations under enhanced export and transit security controls.",
            entries=[[country] for country in HIGH_RISK_DESTINATIONS],
        ),
        ReferenceListCreate(
            name="IMPLAUSIBLE_ORIGIN",
            kind="custom",
            key_fields=["origin", "hs_code"],
            prefix_fields=["hs_code"],
            description=(
                "Origin country and HS heading pairs with no known production or export of "
                "the goods in that country (trade statistics): a preferential origin there "
                "needs verification."
            ),
            entries=_implausible_origins(),
        ),
        ReferenceListCreate(
            name="ASYCUDA_WATCH",
            kind="custom",
            key_fields=["importer", "declarant", "hs_code", "origin"],
            prefix_fields=["hs_code"],
            description=(
                "ASYCUDA-style selectivity list: company, declarant, commodity (HS prefix) and "
                "origin combinations under watch for low unit values."
            ),
            confidential=True,
            entries=_asycuda_entries(book),
        ),
    )


# =========================================================================== profiles

#: How long each kind of demo profile held in the files stays valid from the demo's day.
_VALIDITY_DAYS: Final[dict[str, int]] = {"national": 365, "regional": 182, "post": 182}


def profiles_directory() -> Path:
    """The demo's risk profiles as files, one per profile (``<code>.yaml``), in the format
    ``corridor profiles export`` writes and ``corridor profiles import`` reads: package data
    of :mod:`corridor.demo`. They carry no dates: :func:`demo_profiles` gives them the
    demo's day."""
    found = resources.files("corridor.demo").joinpath("profiles")
    if not isinstance(found, Path):  # pragma: no cover - corridor is installed as files
        raise RuntimeError(f"the demo's profile files are not a directory: {found}")
    return found


def demo_profiles(book: TraderBook, today: date) -> tuple[ProfileCreate, ...]:
    """The demo risk profiles, valid from ``today``: those of :func:`profiles_directory`,
    read as an administration's files are (:func:`corridor.profiles.files.read_profiles`;
    national ones for a year, regional and post ones for half a year), then the
    intelligence targets, which name the traders of one world (for weeks)."""
    profiles = [
        profile.model_copy(
            update={
                "valid_from": today,
                "valid_to": today + timedelta(days=_VALIDITY_DAYS[profile.kind]),
            }
        )
        for profile in profile_files.read_profiles(profiles_directory())
    ]
    return (*profiles, *_targets(book, today))


def _targets(book: TraderBook, today: date) -> list[ProfileCreate]:
    """The target profiles of intelligence: the chronic offender of the world and the
    brokers under investigation, short-lived."""
    target = chronic_offender(book)
    brokers = _complicit_brokers(book)
    profiles: list[ProfileCreate] = []
    if target is not None:
        profiles.append(
            ProfileCreate(
                code="TGT-2026-0001",
                title="Intelligence target: all imports of one importer",
                kind="target",
                risk_area="valuation",
                criteria=f'importer = "{target.tin}"',
                measures=_measures(["109", "601"]),
                flows=["IM"],
                valid_from=today,
                valid_to=today + timedelta(days=45),
                officer_instructions=(
                    "Examine the goods fully and request the value documents; record every "
                    "finding in the inspection act. Inform the operational-search unit of the "
                    "outcome."
                ),
                rationale=(
                    f"Operational information (case file OSU-2026-117): {target.name} (TIN "
                    f"{target.tin}) undervalues and misdescribes its imports; most of its past "
                    "declarations were found falsified. Confidential, 45 days."
                ),
                expected_per_month=8,
            )
        )
    if brokers:
        profiles.append(
            ProfileCreate(
                code="TGT-2026-0002",
                title="Intelligence target: sensitive goods declared by a broker under "
                "investigation",
                kind="target",
                risk_area="other",
                criteria='in_list("COMPLICIT_BROKERS") and in_list("SENSITIVE_GOODS")',
                measures=_measures(["101", "109"]),
                selection_rate=Decimal(30),
                flows=["IM"],
                valid_from=today,
                valid_to=today + timedelta(days=60),
                officer_instructions=(
                    "Examine the goods and check the documents filed by the broker against "
                    "the originals held by the importer."
                ),
                rationale=(
                    "Operational information: a customs broker files declarations with falsified "
                    "invoices for several importers. Three in ten of its sensitive-goods "
                    "declarations are examined for 60 days."
                ),
                expected_per_month=2,
            )
        )
    return [
        profile.model_copy(
            update={"rationale": f"{profile.rationale} {_expected(profile.expected_per_month)}"}
        )
        for profile in profiles
    ]


def _expected(per_month: int | None) -> str:
    if not per_month:
        return "Expected: no selection in the demo flow; a standing control."
    return (
        f"Expected: about {per_month} selection{'s' if per_month > 1 else ''} a month in a "
        f"flow of {DEMO_FLOW:,} declarations a year (calibrated on the demo world, seed "
        f"{WORLD_SEED})."
    )


# =========================================================================== office parameters

#: Random control (percent) by office kind and flow: (red, yellow, blue).
_RANDOM_RATES: Final[dict[str, tuple[str, str, str]]] = {
    "border-IM": ("1.5", "2.5", "1"),
    "inland-IM": ("1", "3", "1"),
    "EX": ("1", "2", "1"),
    "TR": ("1.5", "2", "1"),
}
_BORDER_POSTS: Final = frozenset({"KGTOR", "KGIRK", "KGDST", "KGAKJ", "KGFRU"})
#: Expected red share (targeted and random) at the two China road posts.
_FLOORS: Final[dict[tuple[str, str], str]] = {("KGIRK", "IM"): "4", ("KGTOR", "IM"): "4"}


def office_parameters() -> dict[tuple[str, str], OfficeParametersIn]:
    """Random control rates for every demo office and each flow it handles."""
    result: dict[tuple[str, str], OfficeParametersIn] = {}
    for office in OFFICES:
        for flow, _weight in office.flows:
            if flow == "IM":
                kind = "border-IM" if office.code in _BORDER_POSTS else "inland-IM"
            else:
                kind = flow
            red, yellow, blue = _RANDOM_RATES[kind]
            floor = _FLOORS.get((office.code, flow))
            result[(office.code, flow)] = OfficeParametersIn(
                random_red=Decimal(red),
                random_yellow=Decimal(yellow),
                random_blue=Decimal(blue),
                expected_floor=None if floor is None else Decimal(floor),
                # Simplified procedures: half the random control for low-risk traders
                # and AEO holders.
                low_risk_multiplier=Decimal("0.5"),
                aeo_multiplier=Decimal("0.5"),
            )
    return result


# =========================================================================== seeding


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What :func:`seed` stored and what was already there."""

    lists_created: tuple[str, ...] = ()
    lists_existing: tuple[str, ...] = ()
    profiles_activated: tuple[str, ...] = ()
    profiles_existing: tuple[str, ...] = ()
    parameters_set: tuple[tuple[str, str], ...] = ()
    parameters_existing: tuple[tuple[str, str], ...] = ()
    world_end: date | None = None

    @property
    def created(self) -> int:
        """How many lists, profiles and office parameters this run stored."""
        return len(self.lists_created) + len(self.profiles_activated) + len(self.parameters_set)


def yesterday_in_bishkek() -> date:
    """The last day of a demo world generated today with the default end."""
    return datetime.now(BISHKEK).date() - timedelta(days=1)


def world_end(session_factory: sessionmaker[Session], world_seed: int = WORLD_SEED) -> date:
    """The last day of the stored demo world (the traders of a world depend on it).

    Found from the latest import declarations: the day whose traders book holds their
    importers, from the last registration day on. Yesterday (Bishkek) when nothing is
    stored or no day fits.
    """
    with UnitOfWork(session_factory) as uow:
        page = declarations_service.list_declarations(
            uow=uow, filters=ListFilters(flow="IM"), cursor=None, limit=50
        )
    if not page.items:
        return yesterday_in_bishkek()
    last = max(item.registered_at for item in page.items).astimezone(BISHKEK).date()
    tins = {item.importer for item in page.items if item.importer}
    for offset in range(8):
        candidate = last + timedelta(days=offset)
        book = build_traders(world_seed, candidate)
        if tins <= {t.tin for t in book.importers}:
            return candidate
    return yesterday_in_bishkek()


def seed(
    *,
    session_factory: sessionmaker[Session],
    analyst: str = ANALYST,
    approver: str = APPROVER,
    intelligence: str = INTELLIGENCE,
    world_seed: int = WORLD_SEED,
    end: date | None = None,
    today: date | None = None,
) -> SeedReport:
    """Store the demo lists, profiles and office parameters that are not stored yet.

    Lists are created by the analyst; each profile is drafted and submitted by the
    analyst and approved and activated by the approver (four eyes), one unit of work
    per use case. Intelligence material — confidential lists, target profiles and
    profiles reading a confidential list — is written by the intelligence officer. A
    profile found part-way through its lifecycle (a run interrupted) is taken on to
    active. ``end`` is the last day of the demo world (found from the stored
    declarations when None), ``today`` the first day of validity.
    """
    if analyst == approver:
        raise ValueError("four eyes: the approver must not be the analyst")
    end = end or world_end(session_factory, world_seed)
    today = today or datetime.now(UTC).date()
    book = build_traders(world_seed, end)

    with UnitOfWork(session_factory) as uow:
        existing_lists = {item.name for item in profiles_service.list_lists(uow=uow)}
    lists_created, lists_existing = [], []
    lists = demo_lists(book, end)
    confidential = frozenset(list_in.name for list_in in lists if list_in.confidential)
    for list_in in lists:
        if list_in.name in existing_lists:
            lists_existing.append(list_in.name)
            continue
        author = intelligence if list_in.confidential else analyst
        with UnitOfWork(session_factory) as uow:
            profiles_service.create_list(uow=uow, list_in=list_in, actor=author)
            uow.commit()
        lists_created.append(list_in.name)

    activated, existing = [], []
    for profile_in in demo_profiles(book, today):
        secret = profiles_service.is_intelligence(
            profile_in.kind, rules.to_json(rules.parse(profile_in.criteria)), confidential
        )
        author = intelligence if secret else analyst
        if _bring_to_active(session_factory, profile_in, author, approver):
            activated.append(profile_in.code)
        else:
            existing.append(profile_in.code)

    parameters_set, parameters_existing = [], []
    for (office, flow), parameters in office_parameters().items():
        with UnitOfWork(session_factory) as uow:
            if profiles_service.office_parameters_of(uow=uow, office=office, flow=flow):
                parameters_existing.append((office, flow))
                continue
            profiles_service.set_office_parameters(
                uow=uow, office=office, flow=flow, parameters=parameters, actor=approver
            )
            uow.commit()
        parameters_set.append((office, flow))
    return SeedReport(
        lists_created=tuple(lists_created),
        lists_existing=tuple(lists_existing),
        profiles_activated=tuple(activated),
        profiles_existing=tuple(existing),
        parameters_set=tuple(parameters_set),
        parameters_existing=tuple(parameters_existing),
        world_end=end,
    )


#: The lifecycle steps from each state to active: (action, who).
_TO_ACTIVE: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "draft": (("submit", "analyst"), ("approve", "approver"), ("activate", "approver")),
    "submitted": (("approve", "approver"), ("activate", "approver")),
    "approved": (("activate", "approver"),),
}


def _bring_to_active(
    session_factory: sessionmaker[Session], profile_in: ProfileCreate, analyst: str, approver: str
) -> bool:
    """Create the profile if missing and move it on to active; False if nothing was to do."""
    with UnitOfWork(session_factory) as uow:
        try:
            current = profiles_service.get_profile(uow=uow, code=profile_in.code)
        except NotFound:
            current = profiles_service.create_profile(
                uow=uow, profile_in=profile_in, actor=analyst, confidential_lists=True
            )
            uow.commit()
    if current.author != analyst:
        return False  # someone else's version of the code: theirs to move on
    steps = _TO_ACTIVE.get(current.status, ())
    for action, role in steps:
        actor = analyst if role == "analyst" else approver
        with UnitOfWork(session_factory) as uow:
            profiles_service.transition(
                uow=uow,
                code=profile_in.code,
                version=current.version,
                action=action,
                actor=actor,
                comment=f"demo seed: {action}",
            )
            uow.commit()
    return bool(steps)


# =========================================================================== assessment


def unassessed(*, session_factory: sessionmaker[Session], limit: int) -> list[int]:
    """Ids of stored declaration versions without a decision, oldest first."""
    with UnitOfWork(session_factory) as uow:
        return selectivity_repository.unassessed_ids(uow.session, limit)


def assess_all(
    *,
    session_factory: sessionmaker[Session],
    holder: ProfileSetHolder,
    secret: bytes,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Assess every stored declaration version that has no decision; counts per channel.

    Oldest first, one unit of work per batch of ``batch`` declarations, committed at
    its end (an interrupted run loses at most one batch and resumes where it stopped);
    ``progress`` gets the size of each committed batch. Decisions are made with the
    profile set ``holder`` gives, keyed by ``secret``, at the current time (validity
    windows are those of today). Run one at a time: a decision is unique per
    declaration version, so a second run assessing the same batch fails on commit.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    counts: Counter[str] = Counter(dict.fromkeys(CHANNELS, 0))
    while ids := unassessed(session_factory=session_factory, limit=batch):
        with UnitOfWork(session_factory) as uow:
            # The keys of the whole batch in one query; each version is then read whole.
            keys = {
                row_id: (number, version)
                for row_id, number, version in uow.session.execute(
                    select(DeclarationRow.id, DeclarationRow.number, DeclarationRow.version).where(
                        DeclarationRow.id.in_(ids)
                    )
                )
            }
            for declaration_id in ids:
                number, version = keys[declaration_id]
                declaration = declarations_service.get(uow=uow, number=number, version=version)
                decision = selectivity_service.assess_stored(
                    uow=uow, declaration=declaration, holder=holder, secret=secret
                )
                counts[decision.channel] += 1
            uow.commit()
        if progress is not None:
            progress(len(ids))
    return dict(counts)


# =========================================================================== evaluation


@dataclass(frozen=True, slots=True)
class PatternRates:
    """How one fraud pattern fared: found by targeting and by random control."""

    planted: int
    targeted: int
    random: int

    @property
    def targeted_share(self) -> float:
        """Share of the planted cases a profile selected."""
        return self.targeted / self.planted if self.planted else 0.0

    @property
    def random_share(self) -> float:
        """Share of the planted cases random control selected."""
        return self.random / self.planted if self.planted else 0.0


@dataclass(frozen=True, slots=True)
class HitRates:
    """Selections against the planted fraud of the demo world.

    A *hit* is a selected declaration that carries fraud. ``targeted`` counts
    declarations that get a control (a measure with a channel: not surveillance or
    questioning alone) from a profile, ``random`` those that get one from random
    control (the control group); a declaration selected both ways counts in both.
    ``profiles`` gives each profile's (selections, hits), whatever the measures.
    """

    assessed: int
    channels: dict[str, int]
    frauds: int
    targeted: int
    targeted_hits: int
    random: int
    random_hits: int
    patterns: dict[str, PatternRates] = field(default_factory=dict)
    profiles: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def targeted_hit_rate(self) -> float:
        """Share of profile selections that carry fraud."""
        return self.targeted_hits / self.targeted if self.targeted else 0.0

    @property
    def random_hit_rate(self) -> float:
        """Share of random selections that carry fraud."""
        return self.random_hits / self.random if self.random else 0.0

    @property
    def base_rate(self) -> float:
        """Share of assessed declarations that carry fraud."""
        return self.frauds / self.assessed if self.assessed else 0.0


def _controlled_by(detail: dict[str, Any]) -> tuple[bool, bool]:
    """Whether a decision applies a control (a measure with a channel) from a profile, and
    whether from random control."""
    by_profile = at_random = False
    for measure in detail.get("measures", []):
        if measure.get("channel") == "none":
            continue
        for source in measure.get("sources", []):
            if source.get("kind") == "random":
                at_random = True
            else:
                by_profile = True
    return by_profile, at_random


def hit_rates(*, session_factory: sessionmaker[Session]) -> HitRates:
    """Compare the stored decisions with the demo world's planted fraud (ground truth)."""
    with UnitOfWork(session_factory) as uow:
        decisions = uow.session.execute(
            select(DecisionRow.declaration_id, DecisionRow.channel, DecisionRow.detail)
        ).all()
        truth = dict(
            uow.session.execute(
                select(GroundTruthRow.declaration_id, GroundTruthRow.pattern).where(
                    GroundTruthRow.fraud.is_(True)
                )
            ).all()
        )
    channels: Counter[str] = Counter(dict.fromkeys(CHANNELS, 0))
    planted: Counter[str] = Counter(dict.fromkeys(FRAUD_RATES, 0))
    targeted_by: Counter[str] = Counter()
    random_by: Counter[str] = Counter()
    profile_selections: Counter[str] = Counter()
    profile_hits: Counter[str] = Counter()
    targeted = targeted_hits = random = random_hits = frauds = 0
    for declaration_id, channel, detail in decisions:
        channels[channel] += 1
        by_profile, at_random = _controlled_by(detail)
        pattern = truth.get(declaration_id)
        fraud = pattern is not None
        if fraud:
            frauds += 1
            planted[str(pattern)] += 1
        for hit in detail.get("hits", []):
            if hit.get("selected"):
                profile_selections[hit["code"]] += 1
                profile_hits[hit["code"]] += fraud
        if by_profile:
            targeted += 1
            targeted_hits += fraud
            if fraud:
                targeted_by[str(pattern)] += 1
        if at_random:
            random += 1
            random_hits += fraud
            if fraud:
                random_by[str(pattern)] += 1
    return HitRates(
        assessed=len(decisions),
        channels=dict(channels),
        frauds=frauds,
        targeted=targeted,
        targeted_hits=targeted_hits,
        random=random,
        random_hits=random_hits,
        patterns={
            name: PatternRates(planted[name], targeted_by[name], random_by[name])
            for name in planted
        },
        profiles={
            code: (profile_selections[code], profile_hits[code])
            for code in sorted(profile_selections)
        },
    )
