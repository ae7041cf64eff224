"""The demo declaration generator: a seeded flow of declarations with planted fraud.

Three passes: draft every declaration as an honest one (who, where, when, what),
plant fraud into a chosen few (the truth is kept aside in a ``FraudLabel``), then
number, value and validate them in registration order.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from typing import Any, Final, Generic, Literal, TypeVar

from corridor.declarations.schemas import DeclarationCreate
from corridor.demo.world import (
    BRANDS,
    CONTRABAND,
    GOODS,
    GOODS_BY_CODE,
    ITEM_COUNTS,
    OFFICES,
    PARTNERS,
    PARTNERS_BY_COUNTRY,
    PREFERENCES,
    PUBLIC_HOLIDAYS,
    UNIT_NAMES,
    ConcealedGoods,
    Contraband,
    ExchangeRate,
    Goods,
    GoodsLine,
    Honesty,
    Office,
    Origin,
    Trader,
    TraderBook,
    build_traders,
    exchange_rates,
    pick,
)

FraudPattern = Literal[
    "undervaluation",
    "misclassification",
    "false_origin",
    "quantity_understatement",
    "concealment",
]

#: Share of all generated declarations that carry each fraud pattern. Exactly
#: ``round(rate * declarations)`` are planted (fewer only if too few declarations
#: qualify), each declaration at most one pattern.
FRAUD_RATES: Final[dict[FraudPattern, float]] = {
    "undervaluation": 0.04,
    "misclassification": 0.02,
    "false_origin": 0.015,
    "quantity_understatement": 0.015,
    "concealment": 0.003,
}

#: The discrepancy type an inspection records when it finds each pattern.
DISCREPANCY_TYPES: Final[dict[FraudPattern, str]] = {
    "undervaluation": "valuation",
    "misclassification": "classification",
    "false_origin": "origin",
    "quantity_understatement": "quantity",
    "concealment": "concealment",
}

#: Kyrgyzstan keeps UTC+6 all year (no daylight saving since 2005).
BISHKEK: Final = timezone(timedelta(hours=6), "Asia/Bishkek")

#: Share of the invoice value added for transport to the border when the seller's
#: price stops at its own premises (EXW) or carrier (FCA); demo figures.
FREIGHT_UPLIFT: Final[dict[str, Decimal]] = {"EXW": Decimal("0.07"), "FCA": Decimal("0.05")}

# How likely each kind of trader commits fraud, relative to an average one.
_IMPORTER_FACTOR: Final[dict[Honesty, float]] = {
    "honest": 0.3,
    "average": 1.0,
    "new": 3.0,
    "offender": 6.0,
}
# Complicit brokers make fraud somewhat more likely.
_BROKER_FACTOR: Final[dict[Honesty, float]] = {
    "honest": 0.8,
    "average": 1.0,
    "new": 1.0,
    "offender": 2.5,
}
# Undervaluation: high-value, high-duty consumer goods, from China and the UAE.
_UNDERVALUATION_LINES: Final[dict[GoodsLine, float]] = {
    "cars": 5.0,
    "phones": 5.0,
    "garments": 4.0,
    "footwear": 3.0,
    "tyres": 2.0,
    "cigarettes": 2.0,
    "general": 1.0,
    "food": 0.7,
    "medicines": 0.4,
}
_UNDERVALUATION_DISPATCH: Final[dict[str, float]] = {"CN": 2.5, "AE": 3.0, "TR": 1.2}
# False origin: goods of non-preferential origin re-dispatched through a neighbour
# and declared as originating there to claim the CIS FTA / EAEU zero duty.
_FALSE_ORIGIN_TRUE: Final[dict[str, float]] = {"CN": 3.0, "TR": 1.0, "IR": 1.0}
_FALSE_ORIGIN_DISPATCH: Final[dict[str, float]] = {"UZ": 1.5, "KZ": 1.0}
_FALSE_ORIGIN_LINES: Final[dict[GoodsLine, float]] = {
    "garments": 3.0,
    "footwear": 3.0,
    "tyres": 2.0,
    "cigarettes": 2.0,
    "general": 1.5,
    "cars": 1.5,
    "food": 1.0,
}
# Quantity understatement: countable consumer goods, at the road border posts.
_QUANTITY_LINES: Final[dict[GoodsLine, float]] = {
    "cigarettes": 4.0,
    "phones": 3.0,
    "footwear": 3.0,
    "garments": 2.5,
    "tyres": 2.0,
    "food": 2.0,
    "general": 1.0,
}
_COUNTED_UNITS: Final = frozenset({"796", "715", "798", "112"})
_BORDER_POSTS: Final[dict[str, float]] = {"KGTOR": 1.5, "KGIRK": 1.5, "KGDST": 1.5, "KGAKJ": 1.3}
# Concealment: bulk low-value goods through the China and Uzbekistan road posts.
_CONCEALMENT_OFFICES: Final[dict[str, float]] = {
    "KGIRK": 3.0,
    "KGTOR": 3.0,
    "KGDST": 3.0,
    "KGKAN": 1.5,
}
_CONCEALMENT_DISPATCH: Final[dict[str, float]] = {"CN": 2.0, "UZ": 2.0, "AE": 2.0}

_EAEU: Final = frozenset({"KZ", "RU", "BY", "AM", "KG"})

# Activity by weekday (Monday first) and month; demo figures with a pre-New-Year peak.
_WEEKDAY: Final = (1.05, 1.0, 1.0, 1.0, 0.95, 0.3, 0.08)
_MONTH: Final = (0.8, 0.85, 0.95, 1.0, 1.0, 1.0, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15)
_HOLIDAY: Final = 0.15
# Registrations by hour of day: office hours with a lunch dip, or round the clock.
_OFFICE_HOURS: Final = (
    0, 0, 0, 0, 0, 0, 0, 0.05, 0.5, 1.0, 1.2, 1.2,
    0.6, 0.8, 1.2, 1.1, 1.0, 0.7, 0.3, 0.1, 0.05, 0, 0, 0,
)  # fmt: skip
_ALL_HOURS: Final = (
    0.3, 0.3, 0.25, 0.2, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 1.1,
    0.9, 1.0, 1.1, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35,
)  # fmt: skip

_IMPORT_PROCEDURES: Final = (("40", 0.94), ("70", 0.03), ("53", 0.02), ("51", 0.01))
_TRANSIT_LINES: Final[tuple[tuple[GoodsLine, float], ...]] = (
    ("general", 0.5),
    ("garments", 0.15),
    ("footwear", 0.1),
    ("phones", 0.08),
    ("tyres", 0.07),
    ("food", 0.05),
    ("cars", 0.05),
)
# Quantity per goods item relative to a road consignment.
_MODE_SCALE: Final[dict[int, float]] = {20: 1.6, 30: 1.0, 40: 0.06, 50: 0.004}
_INCOTERMS: Final[dict[int, tuple[tuple[str, float], ...]]] = {
    20: (("FCA", 0.3), ("CPT", 0.3), ("DAP", 0.2), ("EXW", 0.1), ("CIP", 0.1)),
    30: (("DAP", 0.35), ("CPT", 0.2), ("FCA", 0.2), ("EXW", 0.15), ("CIP", 0.1)),
    40: (("CPT", 0.3), ("DAP", 0.3), ("EXW", 0.2), ("FCA", 0.1), ("CIP", 0.1)),
    50: (("DAP", 1.0),),
}
_EXPORT_INCOTERMS: Final = (("FCA", 0.5), ("DAP", 0.3), ("EXW", 0.2))
_TRANSPORT_DOCUMENT: Final[dict[int, str]] = {20: "02013", 30: "02015", 40: "02017"}
_AIRLINES: Final[dict[str, tuple[str, ...]]] = {
    "TR": ("TK", "PC"),
    "AE": ("FZ", "G9"),
    "CN": ("CZ", "KC"),
    "RU": ("SU", "S7"),
    "IN": ("6E", "FZ"),
}
_CONTAINER_OWNERS: Final = ("MSK", "CSN", "TGH", "TCN", "FES", "CAI", "TRH", "SEG", "UET", "BMO")
_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CENT: Final = Decimal("0.01")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class FraudLabel:
    """The ground truth of one planted fraud, kept apart from the declaration.

    ``true_*`` describe the goods item ``item_no`` as it really is; the declaration
    shows what the trader declared. ``duties_evaded`` is what an inspection that
    finds the fraud would assess on top of the declared duties (KGS; VAT and excise
    are not modelled).
    """

    pattern: FraudPattern
    item_no: int
    discrepancy: str
    summary: str
    true_hs_code: str
    true_origin: str
    true_quantity: Decimal | None
    true_unit: str | None
    true_net_mass_kg: Decimal
    true_invoice_value: Decimal
    true_customs_value: Decimal
    true_duties: Decimal
    duties_evaded: Decimal
    concealed: ConcealedGoods | None = None


@dataclass(frozen=True, slots=True)
class DemoDeclaration:
    """A generated declaration and, separately, the fraud planted in it (if any)."""

    declaration: DeclarationCreate
    fraud: FraudLabel | None


@dataclass(frozen=True, slots=True)
class DemoWorld:
    """A generated world: declarations in registration order, rates and traders."""

    seed: int
    start: date
    end: date
    declarations: tuple[DemoDeclaration, ...]
    rates: tuple[ExchangeRate, ...]
    traders: TraderBook

    def fraud_counts(self) -> dict[FraudPattern, int]:
        """How many declarations carry each fraud pattern."""
        counts: dict[FraudPattern, int] = dict.fromkeys(FRAUD_RATES, 0)
        for demo in self.declarations:
            if demo.fraud is not None:
                counts[demo.fraud.pattern] += 1
        return counts


def generate(*, declarations: int, seed: int, end: date, days: int = 365) -> DemoWorld:
    """Generate ``declarations`` declarations registered over the ``days`` up to ``end``.

    The same arguments give the same world, byte for byte: randomness comes only from
    ``random.Random`` instances seeded from ``seed``, never from the clock. Every
    registration time lies between ``end - days + 1`` 00:00 and ``end`` 23:59:59,
    Bishkek time. Each declaration is validated by ``DeclarationCreate`` with ``now``
    set to the end of ``end``; to store it where the real clock validates it, ``end``
    must be a past day (today's declarations could lie later than now).
    """
    if isinstance(end, datetime):
        raise TypeError("end must be a date, not a datetime")
    if declarations < 0:
        raise ValueError(f"declarations must be >= 0, got {declarations}")
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    start = end - timedelta(days=days - 1)
    rates = tuple(exchange_rates(start, end, seed))
    book = build_traders(seed, end)
    builder = _Builder(seed=seed, start=start, days=days, book=book)
    drafts = [builder.draft(index) for index in range(declarations)]
    _plant_fraud(drafts, random.Random(f"corridor-demo/{seed}/fraud"))
    finished = _finish(drafts, rates, end)
    return DemoWorld(seed, start, end, finished, rates, book)


# --------------------------------------------------------------------------- drafts


@dataclass(slots=True)
class _Item:
    goods: Goods
    hs_code: str
    description: str
    origin: str
    preference: str | None
    duty_rate: Decimal | None
    unit: str | None
    quantity: float
    net: float
    gross: float
    usd: float


@dataclass(slots=True)
class _Plant:
    pattern: FraudPattern
    item: int
    truth: _Item
    contraband: Contraband | None = None
    contraband_quantity: float = 0.0
    contraband_usd: float = 0.0


@dataclass(slots=True)
class _Draft:
    index: int
    office: Office
    flow: str
    procedure: str
    registered_at: datetime
    declarant: Trader
    importer: Trader | None
    importer_id: str | None
    exporter_id: str
    exporter_country: str
    dispatch_country: str
    destination_country: str
    transport_mode: int
    vehicle_id: str | None
    containers: list[str]
    incoterms: str
    currency: str
    documents: list[str]
    items: list[_Item]
    plant: _Plant | None = None


class _Table(Generic[_T]):
    """Values with cumulative weights, for fast weighted draws."""

    __slots__ = ("cum", "values")

    def __init__(self, pairs: Sequence[tuple[_T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> _T:
        return rng.choices(self.values, cum_weights=self.cum)[0]

    def __bool__(self) -> bool:
        return bool(self.values) and self.cum[-1] > 0


class _Builder:
    """Drafts honest declarations: who, where, when and what."""

    def __init__(self, *, seed: int, start: date, days: int, book: TraderBook) -> None:
        self.rng = random.Random(f"corridor-demo/{seed}/declarations")
        self.book = book
        self.days = [start + timedelta(days=offset) for offset in range(days)]
        self.offices = _Table([(office, office.share) for office in OFFICES])
        self.day_weights = {office.code: self._day_weights(office) for office in OFFICES}
        self.hours = {
            office.code: _Table(
                list(enumerate(_ALL_HOURS if office.round_the_clock else _OFFICE_HOURS))
            )
            for office in OFFICES
        }
        self.importers = self._by_office(book.importers)
        self.all_importers = {
            office.code: _Table(
                [
                    (t, t.activity)
                    for t in book.importers
                    if office.lines is None or t.line in office.lines
                ]
            )
            for office in OFFICES
        }
        self.brokers = self._by_office(book.brokers)
        self.all_brokers = _Table([(t, t.activity) for t in book.brokers])
        self.exporters = self._by_office(book.exporters)
        self.all_exporters = _Table([(t, t.activity) for t in book.exporters])
        self.partner_mixes: dict[tuple[str, GoodsLine], _Table[str]] = {}
        self.goods_tables: dict[tuple[GoodsLine, bool], _Table[Goods]] = {}
        self.currencies = {p.country: _Table(p.currencies) for p in PARTNERS}

    # -- tables

    def _day_weights(self, office: Office) -> list[float]:
        weights: list[float] = []
        for day in self.days:
            weight = _WEEKDAY[day.weekday()] * _MONTH[day.month - 1]
            closed = day.weekday() >= 5 or (day.month, day.day) in PUBLIC_HOLIDAYS
            if closed and not office.open_weekends:
                weight = 0.0
            elif (day.month, day.day) in PUBLIC_HOLIDAYS:
                weight *= _HOLIDAY
            weights.append(weight)
        return list(accumulate(weights))

    @staticmethod
    def _by_office(traders: tuple[Trader, ...]) -> dict[str, _Table[Trader]]:
        return {
            office.code: _Table([(t, t.activity) for t in traders if t.office == office.code])
            for office in OFFICES
        }

    def _partner_mix(self, office: Office, line: GoodsLine) -> _Table[str]:
        key = (office.code, line)
        mix = self.partner_mixes.get(key)
        if mix is None:
            affinity = dict(office.partners)
            producers = {o.country for g in GOODS if g.line == line for o in g.origins}
            pairs: list[tuple[str, float]] = []
            for partner in PARTNERS:
                base = partner.share * affinity.get(partner.country, office.other_partners)
                if partner.country in producers:
                    fit = 1.0
                elif partner.hub:
                    fit = 0.5
                else:
                    fit = 0.05
                pairs.append((partner.country, base * fit))
            mix = _Table(pairs)
            if not mix:
                mix = _Table(
                    [
                        (p.country, p.share * affinity.get(p.country, office.other_partners))
                        for p in PARTNERS
                    ]
                )
            self.partner_mixes[key] = mix
        return mix

    def _goods(self, line: GoodsLine, small: bool) -> _Table[Goods]:
        key = (line, small)
        table = self.goods_tables.get(key)
        if table is None:
            # air and post carry no bulk goods and no cars
            table = _Table(
                [
                    (g, g.weight)
                    for g in GOODS
                    if g.line == line and not (small and (g.cover or g.kg_per_unit > 100))
                ]
            )
            if not table:
                table = _Table([(g, g.weight) for g in GOODS if g.line == line])
            self.goods_tables[key] = table
        return table

    # -- one declaration

    def draft(self, index: int) -> _Draft:
        rng = self.rng
        office = self.offices.draw(rng)
        flow = pick(rng, office.flows)
        mode = pick(rng, office.modes)
        if flow == "IM":
            return self._import(index, office, mode)
        if flow == "EX":
            return self._export(index, office, mode)
        return self._transit(index, office, mode)

    def _import(self, index: int, office: Office, mode: int) -> _Draft:
        rng = self.rng
        local = self.importers[office.code]
        importer = (
            local.draw(rng)
            if local and rng.random() < 0.85
            else self.all_importers[office.code].draw(rng)
        )
        line = importer.line or "general"
        partner = self._partner_mix(office, line).draw(rng)
        registered_at = self._time(office, importer.registered_on)
        declarant = importer if rng.random() < 0.25 else self._broker(office)
        items = self._items(line, partner, mode, "IM")
        exporter_country = partner
        if PARTNERS_BY_COUNTRY[partner].hub and rng.random() < 0.3:
            # the seller is in the country of origin; the goods came through the hub
            exporter_country = items[0].origin
        exporter_id = self._supplier(exporter_country, importer)
        documents = ["03011", "04021"]
        return self._assemble(
            index=index,
            office=office,
            flow="IM",
            procedure=pick(rng, _IMPORT_PROCEDURES),
            registered_at=registered_at,
            declarant=declarant,
            importer=importer,
            importer_id=importer.tin,
            exporter_id=exporter_id,
            exporter_country=exporter_country,
            dispatch=partner,
            destination="KG",
            mode=mode,
            incoterms=pick(rng, _INCOTERMS[mode]),
            currency=self.currencies[partner].draw(rng),
            documents=documents,
            items=items,
        )

    def _export(self, index: int, office: Office, mode: int) -> _Draft:
        rng = self.rng
        local = self.exporters[office.code]
        exporter = (
            local.draw(rng) if local and rng.random() < 0.85 else self.all_exporters.draw(rng)
        )
        destination = pick(rng, office.exports_to)
        registered_at = self._time(office, exporter.registered_on)
        declarant = exporter if rng.random() < 0.4 else self._broker(office)
        items = self._items("export", "KG", mode, "EX")
        currency = "USD"
        partner = PARTNERS_BY_COUNTRY.get(destination)
        if partner is not None and rng.random() < 0.25:
            currency = next((c for c, _ in partner.currencies if c != "USD"), "USD")
        return self._assemble(
            index=index,
            office=office,
            flow="EX",
            procedure="10",
            registered_at=registered_at,
            declarant=declarant,
            importer=None,
            importer_id=self._supplier(destination, exporter),
            exporter_id=exporter.tin,
            exporter_country="KG",
            dispatch="KG",
            destination=destination,
            mode=mode,
            incoterms=pick(rng, _EXPORT_INCOTERMS),
            currency=currency,
            documents=["03011", "04021"],
            items=items,
        )

    def _transit(self, index: int, office: Office, mode: int) -> _Draft:
        rng = self.rng
        routes = tuple(((dispatch, to), weight) for dispatch, to, weight in office.transit)
        dispatch, destination = pick(rng, routes)
        line = pick(rng, _TRANSIT_LINES)
        registered_at = self._time(office, None)
        declarant = self._broker(office)
        items = self._items(line, dispatch, mode, "TR")
        return self._assemble(
            index=index,
            office=office,
            flow="TR",
            procedure="80",
            registered_at=registered_at,
            declarant=declarant,
            importer=None,
            importer_id=self._supplier(destination, declarant),
            exporter_id=self._supplier(dispatch, declarant),
            exporter_country=dispatch,
            dispatch=dispatch,
            destination=destination,
            mode=mode,
            incoterms=pick(rng, _INCOTERMS[mode]),
            currency=self.currencies[dispatch].draw(rng),
            documents=["04021"],
            items=items,
        )

    def _assemble(
        self,
        *,
        index: int,
        office: Office,
        flow: str,
        procedure: str,
        registered_at: datetime,
        declarant: Trader,
        importer: Trader | None,
        importer_id: str | None,
        exporter_id: str,
        exporter_country: str,
        dispatch: str,
        destination: str,
        mode: int,
        incoterms: str,
        currency: str,
        documents: list[str],
        items: list[_Item],
    ) -> _Draft:
        vehicle_id, containers = self._transport(office, mode, dispatch)
        if mode in _TRANSPORT_DOCUMENT:
            documents.append(_TRANSPORT_DOCUMENT[mode])
        if flow == "IM":
            if any(item.preference for item in items):
                documents.append("06011")
            if any(item.goods.conformity for item in items):
                documents.append("01191")
        return _Draft(
            index=index,
            office=office,
            flow=flow,
            procedure=procedure,
            registered_at=registered_at,
            declarant=declarant,
            importer=importer,
            importer_id=importer_id,
            exporter_id=exporter_id,
            exporter_country=exporter_country,
            dispatch_country=dispatch,
            destination_country=destination,
            transport_mode=mode,
            vehicle_id=vehicle_id,
            containers=containers,
            incoterms=incoterms,
            currency=currency,
            documents=documents,
            items=items,
        )

    def _broker(self, office: Office) -> Trader:
        local = self.brokers[office.code]
        if local and self.rng.random() < 0.9:
            return local.draw(self.rng)
        return self.all_brokers.draw(self.rng)

    def _supplier(self, country: str, partner: Trader) -> str:
        # each Kyrgyz trader deals with a handful of regular foreign companies
        pool = self.book.foreign[country]
        start = int(partner.tin[-5:])
        return pool[(start + self.rng.randrange(3)) % len(pool)]

    def _time(self, office: Office, registered_on: date | None) -> datetime:
        rng = self.rng
        cum = self.day_weights[office.code]
        low = 0
        if registered_on is not None and registered_on >= self.days[0]:
            low = min((registered_on - self.days[0]).days + 1, len(self.days) - 1)
        base = cum[low - 1] if low else 0.0
        if cum[-1] > base:
            position = bisect_right(cum, base + rng.random() * (cum[-1] - base))
            day = self.days[min(max(position, low), len(self.days) - 1)]
        else:
            day = self.days[rng.randrange(low, len(self.days))]
        hour = self.hours[office.code].draw(rng)
        moment = time(hour, rng.randrange(60), rng.randrange(60))
        return datetime.combine(day, moment, tzinfo=BISHKEK)

    def _items(self, line: GoodsLine, dispatch: str, mode: int, flow: str) -> list[_Item]:
        rng = self.rng
        count = pick(rng, ITEM_COUNTS[line])
        small = mode in (40, 50)
        if mode == 50:
            count = min(count, 2)
        items: list[_Item] = []
        for _ in range(count):
            item_line = line
            if line not in ("cars", "cigarettes", "food", "export") and rng.random() < 0.15:
                item_line = "general"
            goods = self._goods(item_line, small).draw(rng)
            items.append(self._item(goods, self._origin(goods, dispatch), mode, flow))
        return items

    def _origin(self, goods: Goods, dispatch: str) -> Origin:
        rng = self.rng
        for origin in goods.origins:
            if origin.country == dispatch:
                partner = PARTNERS_BY_COUNTRY.get(dispatch)
                stay = 0.5 if partner is not None and partner.hub else 0.9
                if rng.random() < stay:
                    return origin
                break
        # third-country goods: EAEU goods only come from their own country
        candidates = [
            (o, o.weight) for o in goods.origins if o.country not in _EAEU or o.country == dispatch
        ]
        return pick(rng, tuple(candidates or [(o, o.weight) for o in goods.origins]))

    def _item(self, goods: Goods, origin: Origin, mode: int, flow: str) -> _Item:
        rng = self.rng
        median, sigma = goods.quantity
        quantity = median * math.exp(sigma * rng.gauss(0.0, 1.0)) * _MODE_SCALE[mode]
        if goods.unit in _COUNTED_UNITS:
            quantity = float(max(1, round(quantity)))
            net = quantity * goods.kg_per_unit * math.exp(0.08 * rng.gauss(0.0, 1.0))
        else:
            quantity = max(0.5, round(quantity, 1))
            net = quantity * goods.kg_per_unit
        gross = net * (1.0 + rng.uniform(0.02, 0.12))
        usd = quantity * origin.usd * math.exp(goods.price_sigma * rng.gauss(0.0, 1.0))
        description = goods.description
        brands = BRANDS.get((goods.line, origin.country))
        if brands:
            description = f"{description}, {rng.choice(brands)}"
        preference: str | None = None
        duty_rate: Decimal | None = goods.duty_rate
        if flow == "TR":
            duty_rate = None
        elif flow == "IM" and origin.country in PREFERENCES:
            preference, share = PREFERENCES[origin.country]
            duty_rate = goods.duty_rate * share
        return _Item(
            goods=goods,
            hs_code=goods.hs_code,
            description=description,
            origin=origin.country,
            preference=preference,
            duty_rate=duty_rate,
            unit=goods.unit,
            quantity=quantity,
            net=net,
            gross=gross,
            usd=usd,
        )

    def _transport(self, office: Office, mode: int, dispatch: str) -> tuple[str | None, list[str]]:
        rng = self.rng
        if mode == 30:
            containers = [_container(rng)] if rng.random() < 0.15 else []
            return _plate(rng, office, dispatch), containers
        if mode == 20:
            count = pick(rng, ((0, 0.4), (1, 0.3), (2, 0.2), (3, 0.1)))
            # flat wagons (4xxxxxxx) carry containers, covered wagons (2xxxxxxx) the rest
            return _wagon(rng, "4" if count else "2"), [_container(rng) for _ in range(count)]
        if mode == 40:
            airline = rng.choice(_AIRLINES.get(dispatch, ("TK", "FZ")))
            return f"{airline}{rng.randint(100, 9999)}", []
        return None, []


def _letters(rng: random.Random, count: int, alphabet: str = _LETTERS) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _plate(rng: random.Random, office: Office, dispatch: str) -> str:
    # Licence plates in each country's style, Latin letters; mostly Kyrgyz trucks.
    digits = rng.randint(100, 999)
    if rng.random() < 0.7 or dispatch in ("CN", "KG"):
        return f"{office.plate_region}KG{digits}{_letters(rng, 3)}"
    if dispatch == "KZ":
        return f"{digits}{_letters(rng, 3)}{rng.choice(('01', '02', '05', '17'))}"
    if dispatch == "UZ":
        return f"{rng.choice(('01', '10', '40', '60'))}{_letters(rng, 1)}{digits}{_letters(rng, 2)}"
    if dispatch == "RU":
        letters = "ABEKMHOPCTYX"
        region = rng.choice(("77", "54", "66", "116"))
        return f"{_letters(rng, 1, letters)}{digits}{_letters(rng, 2, letters)}{region}"
    if dispatch == "TR":
        return f"{rng.choice(('34', '16', '35', '06'))}{_letters(rng, 3)}{digits}"
    return f"{office.plate_region}KG{digits}{_letters(rng, 3)}"


def _wagon(rng: random.Random, kind: str) -> str:
    # 8-digit wagon number of the 1520 mm network with its check digit (weights 2,1,...)
    body = kind + "".join(str(rng.randrange(10)) for _ in range(6))
    total = 0
    for position, digit in enumerate(body):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return body + str((10 - total % 10) % 10)


# ISO 6346 letter values: 10 upwards, skipping multiples of 11.
_ISO6346_VALUES: Final[dict[str, int]] = dict(
    zip(_LETTERS, (v for v in range(10, 39) if v % 11 != 0), strict=True)
)


def container_check_digit(code: str) -> int:
    """The ISO 6346 check digit of a 10-character owner code + category + serial."""
    total = 0
    for position, char in enumerate(code[:10]):
        value = int(char) if char.isdigit() else _ISO6346_VALUES[char]
        total += value * 2**position
    return total % 11 % 10


def _container(rng: random.Random) -> str:
    code = f"{rng.choice(_CONTAINER_OWNERS)}U{rng.randrange(1_000_000):06d}"
    return f"{code}{container_check_digit(code)}"


# --------------------------------------------------------------------------- fraud


def _trader_factor(draft: _Draft) -> float:
    factor = _BROKER_FACTOR[draft.declarant.honesty]
    if draft.importer is not None:
        factor *= _IMPORTER_FACTOR[draft.importer.honesty]
    return factor


def _undervaluation(draft: _Draft) -> list[float]:
    if draft.flow != "IM" or draft.procedure != "40":
        return []
    dispatch = _UNDERVALUATION_DISPATCH.get(draft.dispatch_country, 0.6)
    return [_UNDERVALUATION_LINES.get(item.goods.line, 1.0) * dispatch for item in draft.items]


def _misclassification(draft: _Draft) -> list[float]:
    if draft.flow != "IM" or draft.procedure != "40":
        return []
    dispatch = 1.5 if draft.dispatch_country == "CN" else 1.0
    return [dispatch if _misclassification_saves(item) else 0.0 for item in draft.items]


def _misclassification_saves(item: _Item) -> bool:
    if item.goods.misdeclared_as is None or item.duty_rate is None:
        return False
    target = GOODS_BY_CODE[item.goods.misdeclared_as]
    return target.duty_rate * _preference_share(item) < item.duty_rate


def _preference_share(item: _Item) -> Decimal:
    return PREFERENCES[item.origin][1] if item.preference else Decimal(1)


def _false_origin(draft: _Draft) -> list[float]:
    dispatch = _FALSE_ORIGIN_DISPATCH.get(draft.dispatch_country, 0.0)
    if draft.flow != "IM" or draft.procedure != "40" or not dispatch:
        return []
    return [
        _FALSE_ORIGIN_TRUE.get(item.origin, 0.0)
        * _FALSE_ORIGIN_LINES.get(item.goods.line, 0.0)
        * dispatch
        * (1.0 if item.goods.duty_rate > 0 else 0.0)
        for item in draft.items
    ]


def _quantity(draft: _Draft) -> list[float]:
    if draft.flow != "IM" or draft.procedure != "40":
        return []
    office = _BORDER_POSTS.get(draft.office.code, 1.0)
    return [
        _QUANTITY_LINES.get(item.goods.line, 0.0) * office
        if item.unit in _COUNTED_UNITS and item.quantity >= 4
        else 0.0
        for item in draft.items
    ]


def _concealment(draft: _Draft) -> list[float]:
    if not (draft.flow == "TR" or (draft.flow == "IM" and draft.procedure == "40")):
        return []
    route = _CONCEALMENT_OFFICES.get(draft.office.code, 1.0) * _CONCEALMENT_DISPATCH.get(
        draft.dispatch_country, 1.0
    )
    return [route if item.goods.cover else 0.0 for item in draft.items]


# Rarest pattern first, so that it has the whole flow to choose from.
_PLANTING_ORDER: Final[tuple[FraudPattern, ...]] = (
    "concealment",
    "false_origin",
    "quantity_understatement",
    "misclassification",
    "undervaluation",
)
_ITEM_WEIGHTS: Final[dict[FraudPattern, Callable[[_Draft], list[float]]]] = {
    "concealment": _concealment,
    "false_origin": _false_origin,
    "quantity_understatement": _quantity,
    "misclassification": _misclassification,
    "undervaluation": _undervaluation,
}


def _plant_fraud(drafts: list[_Draft], rng: random.Random) -> None:
    """Choose the fraudulent declarations, weighted by risk, and falsify one item each.

    Rarest pattern first, each among the declarations not yet chosen. The chance of a
    declaration to be chosen is proportional to its weight: trader honesty times how
    well its goods and route suit the pattern (weighted sampling without replacement,
    Efraimidis-Spirakis keys).
    """
    total = len(drafts)
    for pattern in _PLANTING_ORDER:
        weigh = _ITEM_WEIGHTS[pattern]
        keyed: list[tuple[float, int, list[float]]] = []
        for draft in drafts:
            if draft.plant is not None:
                continue
            weights = weigh(draft)
            best = max(weights, default=0.0)
            if best <= 0.0:
                continue
            weight = best * _trader_factor(draft)
            keyed.append((math.log(1.0 - rng.random()) / weight, -draft.index, weights))
        wanted = min(round(FRAUD_RATES[pattern] * total), len(keyed))
        for _, negative_index, weights in heapq.nlargest(wanted, keyed):
            draft = drafts[-negative_index]
            item = rng.choices(range(len(weights)), weights=weights)[0]
            _falsify(draft, pattern, item, rng)


def _falsify(draft: _Draft, pattern: FraudPattern, index: int, rng: random.Random) -> None:
    item = draft.items[index]
    plant = _Plant(pattern, index, replace(item))
    if pattern == "undervaluation":
        item.usd *= rng.uniform(0.3, 0.65)
    elif pattern == "misclassification":
        target = GOODS_BY_CODE[item.goods.misdeclared_as or ""]
        brand = item.description.removeprefix(item.goods.description)
        item.hs_code = target.hs_code
        item.description = target.description + brand
        item.duty_rate = target.duty_rate * _preference_share(item)
        if target.unit != item.unit:
            # the new code counts in kg only: the trader drops the supplementary quantity
            item.unit = None
            item.quantity = item.net
    elif pattern == "false_origin":
        item.origin = draft.dispatch_country
        item.preference, share = PREFERENCES[item.origin]
        item.duty_rate = item.goods.duty_rate * share
        if "06011" not in draft.documents:
            draft.documents.append("06011")
    elif pattern == "quantity_understatement":
        declared = max(1.0, math.floor(item.quantity * rng.uniform(0.4, 0.75)))
        ratio = declared / item.quantity
        item.quantity = declared
        item.net *= ratio
        item.usd *= ratio
        # the gross mass stays as weighed at the border
    else:
        contraband = pick(rng, tuple((c, c.weight) for c in CONTRABAND))
        median, sigma = contraband.quantity
        quantity = median * math.exp(sigma * rng.gauss(0.0, 1.0))
        quantity = float(max(1, round(quantity))) if contraband.unit else round(quantity, 1)
        plant.contraband = contraband
        plant.contraband_quantity = quantity
        plant.contraband_usd = quantity * contraband.usd * math.exp(0.3 * rng.gauss(0.0, 1.0))
        if rng.random() < 0.6:
            # the truck was weighed: the gross mass includes the hidden goods
            item.gross += quantity * contraband.kg_per_unit
    draft.plant = plant


# --------------------------------------------------------------------------- finishing


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class _Money:
    invoice: Decimal
    customs: Decimal
    duties: Decimal | None


class _Valuer:
    """Converts USD amounts into the invoice currency and KGS at a day's rates."""

    def __init__(self, rates: Sequence[ExchangeRate]) -> None:
        self.rates = {(rate.date, rate.currency): rate.kgs_per_unit for rate in rates}

    def money(self, draft: _Draft, usd: float, duty_rate: Decimal | None) -> _Money:
        day = draft.registered_at.date()
        rate = self.rates[(day, draft.currency)]
        if draft.currency == "USD":
            invoice = Decimal(f"{usd:.2f}")
        else:
            invoice = Decimal(f"{usd * float(self.rates[(day, 'USD')]) / float(rate):.2f}")
        uplift = FREIGHT_UPLIFT.get(draft.incoterms, Decimal(0))
        customs = _cents(invoice * rate * (1 + uplift))
        duties = None if duty_rate is None else _cents(customs * duty_rate / 100)
        return _Money(invoice, customs, duties)

    def kgs(self, day: date, usd: float) -> Decimal:
        return _cents(Decimal(f"{usd:.2f}") * self.rates[(day, "USD")])


def _mass(value: float) -> Decimal:
    return Decimal(f"{value:.3f}")


def _quantity_decimal(item: _Item) -> Decimal | None:
    if item.unit is None:
        return None
    if item.unit in _COUNTED_UNITS:
        return Decimal(int(item.quantity))
    return Decimal(f"{item.quantity:.1f}")


def _item_payload(number: int, item: _Item, money: _Money) -> dict[str, Any]:
    net = _mass(item.net)
    gross = max(_mass(item.gross), net)
    return {
        "item_no": number,
        "hs_code": item.hs_code,
        "description": item.description,
        "origin": item.origin,
        "preference": item.preference,
        "net_mass_kg": net,
        "gross_mass_kg": gross,
        "supplementary_qty": _quantity_decimal(item),
        "supplementary_unit": item.unit,
        "invoice_value": money.invoice,
        "customs_value": money.customs,
        "duty_rate": item.duty_rate,
        "duties": money.duties,
    }


def _finish(
    drafts: list[_Draft], rates: Sequence[ExchangeRate], end: date
) -> tuple[DemoDeclaration, ...]:
    """Number, value and validate the drafts in registration order."""
    valuer = _Valuer(rates)
    context = {"now": datetime.combine(end, time(23, 59, 59), tzinfo=BISHKEK)}
    sequences: dict[tuple[str, int], int] = {}
    finished: list[DemoDeclaration] = []
    for draft in sorted(drafts, key=lambda d: (d.registered_at, d.office.code, d.index)):
        day = draft.registered_at.date()
        key = (draft.office.code, day.year)
        sequences[key] = sequences.get(key, 0) + 1
        monies = [valuer.money(draft, item.usd, item.duty_rate) for item in draft.items]
        payload = {
            "number": f"{draft.office.code}/{day:%d%m%y}/{sequences[key]:07d}",
            "version": 1,
            "flow": draft.flow,
            "procedure": draft.procedure,
            "office": draft.office.code,
            "registered_at": draft.registered_at,
            "declarant": draft.declarant.tin,
            "importer": draft.importer_id,
            "exporter": draft.exporter_id,
            "exporter_country": draft.exporter_country,
            "dispatch_country": draft.dispatch_country,
            "destination_country": draft.destination_country,
            "transport_mode": draft.transport_mode,
            "vehicle_id": draft.vehicle_id,
            "containers": draft.containers,
            "incoterms": draft.incoterms,
            "currency": draft.currency,
            "documents": draft.documents,
            "items": [
                _item_payload(number, item, money)
                for number, (item, money) in enumerate(zip(draft.items, monies, strict=True), 1)
            ],
        }
        declaration = DeclarationCreate.model_validate(payload, context=context)
        label = None if draft.plant is None else _label(draft, draft.plant, monies, valuer)
        finished.append(DemoDeclaration(declaration, label))
    return tuple(finished)


def _label(draft: _Draft, plant: _Plant, monies: list[_Money], valuer: _Valuer) -> FraudLabel:
    truth = plant.truth
    declared = draft.items[plant.item]
    true_rate = truth.duty_rate
    true_money = valuer.money(draft, truth.usd, true_rate)
    declared_duties = monies[plant.item].duties or Decimal(0)
    true_duties = true_money.duties or Decimal(0)
    evaded = true_duties - declared_duties
    concealed: ConcealedGoods | None = None
    currency = draft.currency
    if plant.pattern == "undervaluation":
        summary = (
            f"invoice value of item {plant.item + 1} understated: declared "
            f"{monies[plant.item].invoice} {currency}, true {true_money.invoice} {currency}"
        )
    elif plant.pattern == "misclassification":
        summary = (
            f"item {plant.item + 1} declared as {declared.hs_code} "
            f"({GOODS_BY_CODE[declared.hs_code].description}) at {declared.duty_rate} %; "
            f"the goods are {truth.hs_code} ({truth.goods.description}) at {true_rate} %"
        )
    elif plant.pattern == "false_origin":
        summary = (
            f"item {plant.item + 1} declared of {declared.origin} origin with preference "
            f"{declared.preference}; the goods are of {truth.origin} origin, re-dispatched "
            f"from {draft.dispatch_country}"
        )
    elif plant.pattern == "quantity_understatement":
        summary = (
            f"item {plant.item + 1}: {int(declared.quantity)} {UNIT_NAMES[truth.unit or '']} "
            f"declared, {int(truth.quantity)} in the consignment"
        )
    else:
        contraband = plant.contraband
        assert contraband is not None
        value = valuer.kgs(draft.registered_at.date(), plant.contraband_usd)
        duty = _cents(value * contraband.duty_rate / 100)
        concealed = ConcealedGoods(
            hs_code=contraband.hs_code,
            description=contraband.description,
            unit=contraband.unit,
            quantity=Decimal(f"{plant.contraband_quantity:g}"),
            net_mass_kg=_mass(plant.contraband_quantity * contraband.kg_per_unit),
            value_kgs=value,
            duty_rate=contraband.duty_rate,
        )
        evaded = duty
        summary = (
            f"{concealed.quantity} {UNIT_NAMES[contraband.unit or '']} of {contraband.description} "
            f"hidden in the consignment of item {plant.item + 1} ({truth.goods.description})"
        )
    return FraudLabel(
        pattern=plant.pattern,
        item_no=plant.item + 1,
        discrepancy=DISCREPANCY_TYPES[plant.pattern],
        summary=summary,
        true_hs_code=truth.hs_code,
        true_origin=truth.origin,
        true_quantity=_quantity_decimal(truth),
        true_unit=truth.unit,
        true_net_mass_kg=_mass(truth.net),
        true_invoice_value=true_money.invoice,
        true_customs_value=true_money.customs,
        true_duties=true_duties,
        duties_evaded=evaded,
        concealed=concealed,
    )
