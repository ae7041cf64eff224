"""The first pass: draft every declaration as an honest one (who, where, when, what)."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Final, Generic, TypeVar

from corridor.demo.generator.shapes import BISHKEK, FraudPattern
from corridor.demo.generator.vehicles import _container, _plate, _wagon
from corridor.demo.world import (
    BRANDS,
    GOODS,
    ITEM_COUNTS,
    OFFICES,
    PARTNERS,
    PARTNERS_BY_COUNTRY,
    PREFERENCES,
    PUBLIC_HOLIDAYS,
    Contraband,
    Goods,
    GoodsLine,
    Office,
    Origin,
    Trader,
    TraderBook,
    pick,
)

_EAEU: Final = frozenset({"KZ", "RU", "BY", "AM", "KG"})

# Units that count the goods (pieces, pairs, thousands, litres), not weigh them.
_COUNTED_UNITS: Final = frozenset({"796", "715", "798", "112"})

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
_T = TypeVar("_T")


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
