"""Risk profiles, lists and office parameters for the demo world, and a batch assessment.

The demo world (:mod:`corridor.demo`) plants fraud into its declarations; this module
is what a risk analysis department would write against that flow: forty risk
profiles across every risk area and kind, the named lists they read, and the random
control rates of every office and flow. Everything goes through the use cases of
:mod:`corridor.profiles.service`, as an analyst and a head of department would do it:
the analyst drafts and submits, the head approves and activates (four eyes).

* :func:`demo_lists` and :func:`demo_profiles` give the data (lists keyed on the
  traders of one world: the importers, brokers and companies differ between seeds);
* :func:`seed` stores what is missing (running it twice creates nothing twice);
* :func:`assess_all` assesses every stored declaration that has no decision yet;
* :func:`hit_rates` compares what the profiles selected with the planted fraud
  (``declaration_ground_truth``), against the random control group.

The facts criteria read are those of :func:`corridor.selectivity.facts.fact_schema`.
Reference prices (``ref_price``, ``value_ratio``), trader facts and model scores are
not supplied to the engine in this release, so the valuation profiles carry their
price floors in the criteria: per tariff line and origin, a share of the typical
price of the demo world's price tables (``corridor.demo.world.GOODS``), converted
to som at the world's dollar level. Customs values are in som (KGS).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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
#: Counted units (pieces, pairs, thousand pieces, litres): quantity can be understated.
COUNTED_UNITS: Final = ("796", "715", "798", "112")
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


def _codes(*prefixes: str) -> tuple[str, ...]:
    """The tariff lines of the world's goods starting with any of ``prefixes`` (imports only)."""
    return tuple(g.hs_code for g in GOODS if g.line != "export" and g.hs_code.startswith(prefixes))


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


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


def _national(number: int) -> str:
    return f"NAT-2026-{number:04d}"


def demo_profiles(book: TraderBook, today: date) -> tuple[ProfileCreate, ...]:
    """The demo risk profiles, valid from ``today`` (targets for weeks, the rest for a year)."""
    year = today + timedelta(days=365)
    half = today + timedelta(days=182)
    target = chronic_offender(book)
    brokers = _complicit_brokers(book)
    cars = _codes("8703")
    phones = _codes("8517")
    garments = _codes("61", "62")
    footwear = _codes("6402", "6403", "6404")
    tyres = _codes("4011")
    general = _codes("3304", "3920", "8471", "8528", "8708", "9403", "9503")
    cn_ae = _strings(["CN", "AE"])
    profiles = [
        # ----------------------------------------------------------------- valuation
        ProfileCreate(
            code=_national(1),
            title="Passenger cars from China and the UAE declared far below market value",
            risk_area="valuation",
            criteria=f"dispatch_country in {cn_ae} and {value_floor(cars, 0.6)}",
            measures=_measures(["601", "103"]),
            flows=["IM"],
            procedures=["40"],
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the sales contract, the payment orders and the manufacturer's price "
                "list or export declaration; compare make, model, year and trim with the "
                "invoice. If the value is not supported, determine it by the fall-back method "
                "and report to the valuation unit."
            ),
            rationale=(
                "Car imports dispatched from China and the UAE are the largest single source of "
                "undervaluation findings of post-clearance audits. Floors at 60 % of the typical "
                "price per tariff line and origin of the price table (the demo world's, at 87.4 "
                "som to the dollar)."
            ),
            expected_per_month=13,
        ),
        ProfileCreate(
            code=_national(2),
            title="Smartphones declared far below market value",
            risk_area="valuation",
            criteria=f"dispatch_country in {cn_ae} and {value_floor(phones, 0.45)}",
            measures=_measures(["601", "103"]),
            flows=["IM"],
            procedures=["40"],
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the contract, payment documents and the supplier's price list; check "
                "models and memory sizes against the invoice; ask the importer to explain "
                "the price."
            ),
            rationale=(
                "Smartphones (0 % duty but 12 % VAT) are invoiced at a fraction of their price by "
                "importers from Chinese and UAE suppliers. Floors at 45 % of the typical unit "
                "price (prices vary widely between models)."
            ),
            expected_per_month=10,
        ),
        ProfileCreate(
            code=_national(3),
            title="Garments from China, the UAE and Turkey at a fraction of market value",
            risk_area="valuation",
            criteria=f'dispatch_country in ["CN", "AE", "TR"] and {value_floor(garments, 0.5)}',
            measures=_measures(["601"]),
            flows=["IM"],
            procedures=["40"],
            exempt_low_risk=True,
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the contract, payment documents and the supplier's price list; "
                "compare the declared price per piece with the price database."
            ),
            rationale=(
                "Knitted and woven garments (chapters 61-62, 10 %) from China dominate the bazaar "
                "trade (Dordoi, Kara-Suu); undervaluation is systematic. Floors at 50 % of the "
                "typical unit price per line and origin."
            ),
            expected_per_month=18,
        ),
        ProfileCreate(
            code=_national(4),
            title="Footwear at a fraction of market value",
            risk_area="valuation",
            criteria=f'dispatch_country in ["CN", "AE", "TR"] and {value_floor(footwear, 0.5)}',
            measures=_measures(["601"]),
            flows=["IM"],
            procedures=["40"],
            exempt_low_risk=True,
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the contract, payment documents and the supplier's price list; check "
                "the declared price per pair against the price database."
            ),
            rationale=(
                "Footwear (headings 6402-6404, 10 %) is invoiced far below market prices, mostly "
                "on goods from China. Floors at 50 % of the typical price per pair."
            ),
            expected_per_month=4,
        ),
        ProfileCreate(
            code=_national(5),
            title="Tyres declared far below market value",
            risk_area="valuation",
            criteria=value_floor(tyres, 0.55),
            measures=_measures(["601"]),
            flows=["IM"],
            procedures=["40"],
            exempt_low_risk=True,
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the contract and the supplier's price list; check size, load index "
                "and brand of the tyres against the invoice."
            ),
            rationale=(
                "New tyres (4011, 10 %), mostly from China, are regularly undervalued. Floors at "
                "55 % of the typical price per tyre and origin."
            ),
            expected_per_month=4,
        ),
        ProfileCreate(
            code=_national(6),
            title="Value control: white sugar outside the value band (ASYCUDA example 3)",
            risk_area="valuation",
            criteria='heading = "1701" and value_per_kg not between 30 and 90',
            measures=_measures(["601", "103"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "The declared value per kilogram lies outside the usual band for sugar. "
                "Request the contract, payment documents and exchange quotations; if the "
                "value is not supported, adjust it."
            ),
            rationale=(
                "ASYCUDA value-control selectivity: a heading whose value per kilogram must lie "
                "within a min-max band. Sugar (1701, 40 % equivalent duty) trades at 0.45-0.60 "
                "USD/kg (40-55 som/kg); below 30 or above 90 som/kg the value is not credible."
            ),
            expected_per_month=1,
        ),
        ProfileCreate(
            code=_national(7),
            title="Post-clearance audit: watched importers of sensitive goods",
            risk_area="valuation",
            criteria='in_list("RISKY_IMPORTERS") and in_list("SENSITIVE_GOODS")',
            measures=_measures(["801"]),
            selection_rate=Decimal(30),
            flows=["IM"],
            procedures=["40"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Release; the post-entry control department audits the value, quantity and "
                "classification of the consignment against the importer's accounts."
            ),
            rationale=(
                "Importers with a history of discrepancies are audited after release on a share of "
                "their sensitive-goods imports, without delaying the goods."
            ),
            expected_per_month=15,
        ),
        ProfileCreate(
            code=_national(8),
            title="Cigarettes and smoking tobacco declared far below market value",
            risk_area="valuation",
            criteria=value_floor(_codes("2402", "2403"), 0.55),
            measures=_measures(["601", "103"]),
            flows=["IM"],
            procedures=["40"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the contract, payment documents and the manufacturer's price list; "
                "check brands and pack prices against the invoice."
            ),
            rationale=(
                "Tobacco (30 % and excise) is undervalued to cut duties and excise. Floors at 55 % "
                "of the typical price per thousand cigarettes or kilogram of tobacco."
            ),
            expected_per_month=3,
        ),
        ProfileCreate(
            code=_national(9),
            title="Post-clearance audit: general cargo from China and the UAE at a third of "
            "market value",
            risk_area="valuation",
            criteria=f"dispatch_country in {cn_ae} and {value_floor(general, 0.35)}",
            measures=_measures(["801"]),
            flows=["IM"],
            procedures=["40"],
            exempt_low_risk=True,
            exempt_aeo=True,
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Release; the post-entry control department checks the value against the "
                "importer's payments and resale prices."
            ),
            rationale=(
                "Mixed general cargo (laptops, TVs, car parts, cosmetics, toys, furniture, film) "
                "is too varied for documentary checks at the border; consignments below 35 % of "
                "typical prices are audited after release."
            ),
            expected_per_month=6,
        ),
        # ----------------------------------------------------------------- ASYCUDA examples
        ProfileCreate(
            code=_national(10),
            title="Fresh apples from the United States (ASYCUDA example 1)",
            risk_area="prohibitions",
            criteria='hs_code startswith "080810" and origin = "US"',
            measures=_measures(["101", "615"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Check the phytosanitary certificate and the import permit; take samples "
                "for the quarantine laboratory (codling moth, fire blight)."
            ),
            rationale=(
                "ASYCUDA selectivity example 1: a commodity (HS 080810, fresh apples) from an "
                "origin (US) under phytosanitary restrictions (quarantine pests of the EAEU list)."
            ),
            expected_per_month=0,
        ),
        ProfileCreate(
            code=_national(11),
            title="Watched company, declarant, commodity and origin below 3000 som a unit "
            "(ASYCUDA example 2)",
            risk_area="valuation",
            criteria='in_list("ASYCUDA_WATCH") and value_per_unit < 3000',
            measures=_measures(["101", "109"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the goods: count the pieces or pairs, check brands and labels, and "
                "compare with the invoice and packing list."
            ),
            rationale=(
                "ASYCUDA selectivity example 2: a named list of company, declarant, commodity and "
                "origin combinations, selected when the unit value is below 3000 som. Built from "
                "post-clearance findings on garment, footwear and tyre importers."
            ),
            expected_per_month=3,
        ),
        # ----------------------------------------------------------------- classification
        ProfileCreate(
            code=_national(12),
            title="Petrol or hybrid cars declared as electric vehicles",
            risk_area="classification",
            criteria='subheading = "870380" and net_mass_kg / supplementary_qty < 1650',
            measures=_measures(["109", "101"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the vehicle: check the engine compartment, the fuel filler and the "
                "VIN decoding against the declared electric drive."
            ),
            rationale=(
                "Electric cars (870380) are free of duty; petrol and hybrid cars pay 15 %. "
                "Electric cars weigh about 1,900 kg with the battery, petrol cars of the same "
                "class 1,300-1,600 kg: a declared electric car under 1,650 kg is suspect."
            ),
            expected_per_month=6,
        ),
        ProfileCreate(
            code=_national(13),
            title="New garments declared as worn clothing",
            risk_area="classification",
            criteria='heading = "6309" and value_per_kg > 250',
            measures=_measures(["109"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the goods: worn clothing comes in bales of mixed, used articles; "
                "new articles with labels and in retail packing are garments of chapters "
                "61-62."
            ),
            rationale=(
                "Worn clothing (6309, 5 %) sells at about 0.8-0.9 USD/kg; new garments at several "
                "dollars a kilogram. Above 250 som/kg (about 2.9 USD/kg) the goods are likely new."
            ),
            expected_per_month=6,
        ),
        ProfileCreate(
            code=_national(14),
            title="Footwear declared as uppers and parts of footwear",
            risk_area="classification",
            criteria='subheading = "640610" and value_per_kg > 800',
            measures=_measures(["109"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the goods: finished shoes with soles attached are footwear of "
                "headings 6402-6405, not uppers."
            ),
            rationale=(
                "Uppers (640610, 5 %) trade at 4-6 USD/kg; finished footwear (10 %) at 8-15 "
                "USD/kg. Declared uppers above 800 som/kg are likely finished shoes."
            ),
            expected_per_month=3,
        ),
        ProfileCreate(
            code=_national(15),
            title="Ceramic tiles declared as cement tiles",
            risk_area="classification",
            criteria='heading = "6810" and net_mass_kg / supplementary_qty < 25',
            measures=_measures(["109", "615"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the tiles and take a sample: glazed ceramic (6907) is lighter "
                "(about 20 kg/m2) than cement or concrete tiles (about 30 kg/m2)."
            ),
            rationale=(
                "Ceramic tiles (6907, 12 %) are declared as cement tiles (6810, 5 %). The mass per "
                "square metre gives them away."
            ),
            expected_per_month=4,
        ),
        ProfileCreate(
            code=_national(16),
            title="Steel structures declared as hot-rolled sections; white sugar as raw sugar",
            risk_area="classification",
            criteria=(
                '(subheading = "721633" and value_per_kg > 100)'
                ' or (subheading = "170114" and (origin not in ["BR", "IN"]'
                " or value_per_kg > 50))"
            ),
            measures=_measures(["101", "103"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request drawings, specifications and photographs of the goods; re-route to "
                "examination if the documents leave doubt. Steel: fabricated structures "
                "(drilled, welded, painted) are 7308, not plain H-sections. Sugar: refined "
                "white sugar is 1701 99, not raw cane sugar."
            ),
            rationale=(
                "Plain H-sections (721633, 5 %) cost about 0.75 USD/kg, fabricated structures "
                "(7308, 10 %) 1.2 USD/kg or more; raw cane sugar (170114, 25 %) comes from Brazil "
                "and India at about 0.43 USD/kg, white sugar (40 %) costs more."
            ),
            expected_per_month=5,
        ),
        ProfileCreate(
            code=_national(17),
            title="Refrigerators declared as parts of refrigerating equipment",
            risk_area="classification",
            criteria='subheading = "841899" and net_mass_kg > 3000',
            measures=_measures(["109"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the goods: complete refrigerators and freezers (841810, 10 %) are "
                "not parts (841899, 5 %), even when shipped without doors or shelves."
            ),
            rationale=(
                "Parts of refrigerating equipment come in small consignments; several tonnes of "
                "'parts' are usually complete household refrigerators."
            ),
            expected_per_month=7,
        ),
        ProfileCreate(
            code=_national(18),
            title="Beer declared as non-alcoholic beer",
            risk_area="classification",
            criteria='subheading = "220291" and origin not in ["DE", "TR", "KZ"]',
            measures=_measures(["615"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Take samples for the laboratory (alcohol content); check the labels of the "
                "bottles or cans."
            ),
            rationale=(
                "Non-alcoholic beer (220291, 5 %) is imported from Germany, Turkey and Kazakhstan; "
                "other origins declare malt beer (2203, 10 % and excise) under it."
            ),
            expected_per_month=1,
        ),
        # ----------------------------------------------------------------- origin
        ProfileCreate(
            code=_national(19),
            title="Preferential origin claimed on goods the country hardly produces",
            risk_area="origin",
            criteria='in_list("IMPLAUSIBLE_ORIGIN") and preference is present',
            measures=_measures(["103", "101"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the original certificate of origin (ST-1) and the producer's "
                "documents; send a verification request to the issuing authority. Release "
                "against security for the duties if the proof is not conclusive."
            ),
            rationale=(
                "Chinese, Turkish and Iranian goods re-dispatched through Uzbekistan or Kazakhstan "
                "are declared as originating there to obtain the CIS FTA or EAEU zero duty. The "
                "list names headings those countries do not produce."
            ),
            expected_per_month=22,
        ),
        ProfileCreate(
            code=_national(20),
            title="EAEU or FTA origin declared while the seller is in a third country",
            risk_area="origin",
            criteria=(
                'origin in ["KZ", "UZ"] and preference is present'
                ' and exporter_country in ["CN", "TR", "IR"]'
            ),
            measures=_measures(["103"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Request the certificate of origin and the supply chain documents from the "
                "producer to the seller."
            ),
            rationale=(
                "Goods sold by a company in a third country but declared of Kazakh or Uzbek origin "
                "are a classic sign of false origin."
            ),
            expected_per_month=13,
        ),
        # ----------------------------------------------------------------- prohibitions
        ProfileCreate(
            code=_national(21),
            title="Cigarettes: check of excise stamps and marking",
            risk_area="prohibitions",
            criteria='heading = "2402" and dispatch_country in ["AE", "CN", "UZ"]',
            measures=_measures(["112"], ["101"]),
            selection_rate=Decimal(10),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Check that every pack carries a Kyrgyz excise stamp and the digital "
                "marking code; count a sample of boxes against the packing list."
            ),
            rationale=(
                "Cigarettes (2402) must carry excise stamps and digital marking (Cabinet "
                "resolution on marking of tobacco products); unstamped cigarettes come from the "
                "UAE, China and Uzbekistan. One consignment in ten is checked."
            ),
            expected_per_month=5,
        ),
        ProfileCreate(
            code=_national(22),
            title="Medicines: registration certificate and import licence",
            risk_area="prohibitions",
            criteria='heading in ["3004", "3002"] and dispatch_country in ["CN", "IN", "AE"]',
            measures=_measures(["101", "103"]),
            selection_rate=Decimal(10),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Check the state registration certificate of each medicine, the import "
                "licence of the pharmaceutical company and the conclusion of the Department "
                "of Medicines; psychotropic substances (tramadol) need a separate permit."
            ),
            rationale=(
                "Unregistered and falsified medicines enter from China, India and the UAE; the "
                "licence regime requires documentary checks. One in ten consignments is checked."
            ),
            expected_per_month=4,
        ),
        ProfileCreate(
            code=_national(23),
            title="Exports of precious-metal ores: licence and assay",
            risk_area="prohibitions",
            criteria='heading = "2616"',
            measures=_measures(["101", "615"]),
            selection_rate=Decimal(5),
            flows=["EX"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Check the export licence and the assay certificate; take samples for the "
                "laboratory of the metal content."
            ),
            rationale=(
                "Ores and concentrates of precious metals (2616) need an export licence; the "
                "declared metal content determines the value. One consignment in twenty is "
                "sampled."
            ),
            expected_per_month=1,
        ),
        # ----------------------------------------------------------------- IPR
        ProfileCreate(
            code=_national(24),
            title="Brand smartphones at counterfeit prices",
            risk_area="ipr",
            criteria=(
                'subheading = "851713" and (description contains "APPLE"'
                ' or description contains "SAMSUNG") and value_per_unit < 6000'
            ),
            measures=_measures(["109", "112"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the phones: packaging, IMEI labels, holograms; notify the right "
                "holder's representative if counterfeit is suspected (customs register of "
                "IP objects)."
            ),
            rationale=(
                "Genuine Apple and Samsung phones do not sell for under 100 USD; at such prices "
                "they are counterfeit (trademarks on the customs register of intellectual "
                "property)."
            ),
            expected_per_month=4,
        ),
        ProfileCreate(
            code=_national(25),
            title="Car parts from China via third countries: counterfeit spare parts",
            risk_area="ipr",
            criteria='heading = "8708" and origin = "CN" and dispatch_country != "CN"',
            measures=_measures(["109"]),
            selection_rate=Decimal(5),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Examine the parts: brand markings, packaging and part numbers; notify the "
                "right holder if original-brand parts come without proof of origin."
            ),
            rationale=(
                "Counterfeit branded spare parts are routed through Kazakhstan, Russia and the "
                "UAE. One in twenty consignments is examined."
            ),
            expected_per_month=1,
        ),
        # ----------------------------------------------------------------- security
        ProfileCreate(
            code=_national(26),
            title="Telecommunication equipment to high-risk destinations",
            risk_area="security",
            criteria=(
                'heading in ["8517", "8471"] and in_list("HIGH_RISK_DESTINATIONS",'
                " destination_country)"
            ),
            measures=_measures(["101", "105"]),
            selection_rate=Decimal(50),
            flows=["TR", "EX"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Scan the vehicle; check the end-user statement and, for dual-use items, the "
                "export control permit."
            ),
            rationale=(
                "Network equipment and computers in transit to Afghanistan or Iran may be dual-use "
                "items under export control; half of them are scanned."
            ),
            expected_per_month=1,
        ),
        ProfileCreate(
            code=_national(27),
            title="Exports and transit to high-risk destinations: random scan",
            risk_area="security",
            criteria='in_list("HIGH_RISK_DESTINATIONS", destination_country)',
            measures=_measures(["105"]),
            selection_rate=Decimal(3),
            flows=["TR", "EX"],
            valid_from=today,
            valid_to=year,
            officer_instructions="Scan the vehicle and its load (X-ray).",
            rationale=(
                "A share of all consignments to Afghanistan and Iran is scanned for weapons, "
                "ammunition and drug precursors."
            ),
            expected_per_month=1,
        ),
        # ----------------------------------------------------------------- transit
        ProfileCreate(
            code=_national(28),
            title="Transit of sensitive goods: diversion onto the domestic market",
            risk_area="transit",
            criteria=(
                'in_list("SENSITIVE_GOODS") and destination_country in ["TJ", "AF", "UZ", "TM"]'
            ),
            measures=_measures(["104", "101"]),
            selection_rate=Decimal(15),
            flows=["TR"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Check the transit documents and seals; set the route and delivery time; "
                "notify the office of exit. Escort the vehicle if the seals are missing."
            ),
            rationale=(
                "Cigarettes, phones, garments and footwear declared in transit to Tajikistan, "
                "Afghanistan and Uzbekistan are diverted and sold in Kyrgyzstan (transit not "
                "closed at the office of exit)."
            ),
            expected_per_month=6,
        ),
        ProfileCreate(
            code=_national(29),
            title="Cars in transit: surveillance to the office of exit",
            risk_area="transit",
            criteria='heading = "8703"',
            measures=_measures(["104"]),
            flows=["TR"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Record the VINs, set the route and the delivery time, and confirm the exit "
                "with the office of exit."
            ),
            rationale=(
                "Cars in transit are sold in Kyrgyzstan without paying duty; every transit of cars "
                "is surveyed to the exit (measure 104, no change of channel)."
            ),
            expected_per_month=6,
        ),
        # ----------------------------------------------------------------- other (quantity)
        ProfileCreate(
            code=_national(30),
            title="Gross mass far above net mass: undeclared quantity of countable goods",
            risk_area="other",
            criteria=(
                f"supplementary_unit in {_strings(COUNTED_UNITS)} "
                "and gross_mass_kg > net_mass_kg * 1.2"
            ),
            measures=_measures(["109"]),
            flows=["IM"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Weigh the consignment and count the goods; compare with the declared "
                "quantity and the packing list."
            ),
            rationale=(
                "Packing rarely adds more than 12 % to the net mass of cigarettes, phones, "
                "footwear or garments; a gross mass 20 % above the net mass means that part of the "
                "goods is not declared."
            ),
            expected_per_month=25,
        ),
        ProfileCreate(
            code=_national(31),
            title="New companies importing sensitive goods",
            risk_area="other",
            criteria='in_list("NEW_COMPANIES") and in_list("SENSITIVE_GOODS")',
            measures=_measures(["103"]),
            selection_rate=Decimal(25),
            flows=["IM"],
            procedures=["40"],
            valid_from=today,
            valid_to=year,
            officer_instructions=(
                "Ask the importer for its registration documents, the lease of its premises, "
                "the contract and the payment documents; check that the company exists and "
                "trades at its address."
            ),
            rationale=(
                "Companies registered in the last months import sensitive goods, undervalue or "
                "misdeclare them and disappear before a post-clearance audit ('fly-by-night' "
                "firms). A quarter of their sensitive-goods declarations get a documentary "
                "check."
            ),
            expected_per_month=13,
        ),
        # ----------------------------------------------------------------- regional
        ProfileCreate(
            code="REG-OSH-2026-0001",
            title="Osh region: Uzbek preferential origin on garments, footwear and cigarettes",
            kind="regional",
            risk_area="origin",
            criteria=(
                'origin = "UZ" and preference is present'
                ' and (chapter in ["61", "62", "64"] or heading = "2402")'
            ),
            measures=_measures(["801"]),
            selection_rate=Decimal(40),
            offices=["KGOSH", "KGDST", "KGJAL"],
            flows=["IM"],
            valid_from=today,
            valid_to=half,
            officer_instructions=(
                "Release; the post-entry control department requests retroactive "
                "verification of the ST-1 certificate from the Uzbek authorities."
            ),
            rationale=(
                "Southern offices see Chinese garments re-dispatched through the Fergana valley "
                "with Uzbek ST-1 certificates. Retroactive verification after release (blue "
                "channel)."
            ),
            expected_per_month=8,
        ),
        ProfileCreate(
            code="REG-CHU-2026-0001",
            title="Chui region: third-country cars through Kazakhstan below market value",
            kind="regional",
            risk_area="valuation",
            criteria=f'dispatch_country in ["KZ", "RU"] and {value_floor(cars, 0.6)}',
            measures=_measures(["601"]),
            offices=["KGBSK", "KGAKJ", "KGKAN"],
            flows=["IM"],
            procedures=["40"],
            valid_from=today,
            valid_to=half,
            officer_instructions=(
                "Request the purchase contract with the first seller, the payment orders and "
                "the export declaration of the country of dispatch."
            ),
            rationale=(
                "Cars of third countries bought in Kazakhstan and Russia are re-invoiced at low "
                "prices on the way to Bishkek."
            ),
            expected_per_month=2,
        ),
        # ----------------------------------------------------------------- posts (concealment)
        _concealment_post("KGIRK", "Irkeshtam", today, half, 1),
        _concealment_post("KGTOR", "Torugart", today, half, 1),
        _concealment_post("KGDST", "Dostuk", today, half, 1),
        ProfileCreate(
            code="PST-KGIRK-2026-0002",
            title="Irkeshtam: X-ray scan of bulk low-value loads from China",
            kind="post",
            risk_area="smuggling",
            criteria='in_list("FILLER_GOODS") and dispatch_country = "CN"',
            measures=_measures(["105"]),
            selection_rate=Decimal(5),
            offices=["KGIRK"],
            flows=["IM", "TR"],
            valid_from=today,
            valid_to=half,
            officer_instructions=(
                "Scan the truck; open it if the image shows irregular densities or hidden "
                "compartments behind the declared goods."
            ),
            rationale=(
                "Cigarettes, tramadol and counterfeit phones are found behind cover loads of "
                "apples, sugar, tiles and steel from Kashgar. One such load in twenty is scanned, "
                "on top of the weight check (PST-KGIRK-2026-0001)."
            ),
            expected_per_month=3,
        ),
        ProfileCreate(
            code="PST-KGFRU-2026-0001",
            title="Manas airport: smartphones and medicines by air and post from the UAE "
            "and Turkey",
            kind="post",
            risk_area="smuggling",
            criteria=(
                'heading in ["8517", "3004"] and dispatch_country in ["AE", "TR"]'
                " and transport_mode in [40, 50]"
            ),
            measures=_measures(["105"]),
            selection_rate=Decimal(20),
            offices=["KGFRU"],
            flows=["IM"],
            valid_from=today,
            valid_to=half,
            officer_instructions=(
                "Scan the parcels; open those whose contents or count do not match the declaration."
            ),
            rationale=(
                "Air cargo and postal items from Dubai and Istanbul carry undeclared phones and "
                "medicines."
            ),
            expected_per_month=1,
        ),
    ]
    # targets (intelligence): one trader, short-lived
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
    return tuple(
        profile.model_copy(
            update={"rationale": f"{profile.rationale} {_expected(profile.expected_per_month)}"}
        )
        for profile in profiles
    )


def _expected(per_month: int | None) -> str:
    if not per_month:
        return "Expected: no selection in the demo flow; a standing control."
    return (
        f"Expected: about {per_month} selection{'s' if per_month > 1 else ''} a month in a "
        f"flow of {DEMO_FLOW:,} declarations a year (calibrated on the demo world, seed "
        f"{WORLD_SEED})."
    )


def _concealment_post(
    office: str, name: str, today: date, until: date, number: int
) -> ProfileCreate:
    return ProfileCreate(
        code=f"PST-{office}-2026-{number:04d}",
        title=f"{name}: gross mass far above net mass on bulk low-value goods",
        kind="post",
        risk_area="smuggling",
        criteria='in_list("FILLER_GOODS") and gross_mass_kg > net_mass_kg * 1.13',
        measures=_measures(["105", "109"]),
        offices=[office],
        flows=["IM", "TR"],
        valid_from=today,
        valid_to=until,
        officer_instructions=(
            "Scan the vehicle, then unload and examine it: look for goods hidden behind or "
            "inside the declared load (cigarettes, medicines, phones, pyrotechnics)."
        ),
        rationale=(
            f"Concealment cases at {name} are found in loads of cheap bulk goods whose weighed "
            "gross mass exceeds the declared net mass plus packing (at most 12 %)."
        ),
        expected_per_month=1,
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
        secret = profile_in.kind == "target" or bool(
            profiles_service.lists_read(rules.to_json(rules.parse(profile_in.criteria)))
            & confidential
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
