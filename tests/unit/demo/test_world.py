"""The reference tables of the demo world and its exchange rates."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from corridor.demo.world import (
    AED_PER_USD,
    CONTRABAND,
    DOCUMENT_KINDS,
    GOODS,
    GOODS_BY_CODE,
    ITEM_COUNTS,
    OFFICES,
    PARTNERS,
    PARTNERS_BY_COUNTRY,
    PREFERENCES,
    RATE_CURRENCIES,
    RATES_EPOCH,
    UNIT_NAMES,
    build_traders,
    exchange_rates,
)
from corridor.reference.codes import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    FLOWS,
    PROCEDURES,
    TRANSPORT_MODES,
)

END = date(2026, 9, 30)

# Where each rate may wander: the levels of the demo's design, with room for the walk.
RATE_BOUNDS = {
    "USD": (80.0, 95.0),
    "EUR": (88.0, 108.0),
    "CNY": (10.8, 13.5),
    "RUB": (0.75, 1.3),
    "KZT": (0.14, 0.21),
    "TRY": (1.8, 3.1),
    "UZS": (0.0057, 0.0080),
    "KRW": (0.050, 0.075),
    "AED": (21.8, 25.9),
    "INR": (0.9, 1.15),
}


def test_offices_are_consistent() -> None:
    codes = [office.code for office in OFFICES]
    assert len(set(codes)) == len(codes)
    assert {"KGBSK", "KGOSH", "KGTOR", "KGIRK", "KGAKJ", "KGDST", "KGFRU"} <= set(codes)
    assert math.isclose(sum(office.share for office in OFFICES), 1.0)
    for office in OFFICES:
        assert re.fullmatch(r"[A-Z0-9]{2,17}", office.code)
        assert office.region
        assert {mode for mode, _ in office.modes} <= set(TRANSPORT_MODES)
        flows = {flow for flow, _ in office.flows}
        assert flows <= set(FLOWS)
        assert ("EX" in flows) == bool(office.exports_to), office.code
        assert ("TR" in flows) == bool(office.transit), office.code
        assert {country for country, _ in office.partners} <= set(PARTNERS_BY_COUNTRY)
        for dispatch, destination, _ in office.transit:
            assert dispatch in PARTNERS_BY_COUNTRY
            assert destination in COUNTRY_CODES
    road_to_china = {o.code for o in OFFICES if o.partners == (("CN", 1.0),)}
    assert road_to_china == {"KGTOR", "KGIRK"}
    assert dict(next(o for o in OFFICES if o.code == "KGFRU").modes).keys() <= {40, 50}


def test_partners_shares_and_currencies() -> None:
    assert math.isclose(sum(p.share for p in PARTNERS), 1.0, abs_tol=0.01)
    biggest = max(PARTNERS, key=lambda p: p.share)
    assert biggest.country == "CN"
    assert biggest.share > 2 * sorted(p.share for p in PARTNERS)[-2]
    listed = {"CN", "KZ", "RU", "TR", "UZ", "DE", "US", "KR", "AE", "IN"}
    assert listed <= set(PARTNERS_BY_COUNTRY)
    for partner in PARTNERS:
        assert partner.country in COUNTRY_CODES
        for currency, weight in partner.currencies:
            assert currency in CURRENCY_CODES
            assert currency in RATE_CURRENCIES
            assert weight > 0
    assert set(PREFERENCES) <= COUNTRY_CODES


def test_goods_table() -> None:
    assert len(GOODS_BY_CODE) == len(GOODS), "duplicate codes"
    headings = {goods.hs_code[:4] for goods in GOODS}
    wanted = {"8703", "8517", "6403", "6404", "0808", "4011", "2402", "3004", "8471", "3304"}
    wanted |= {"9403", "7308", "2203", "1701", "8418", "6907", "3920"}
    assert wanted <= headings
    assert {"61", "62"} <= {goods.hs_code[:2] for goods in GOODS}
    for goods in GOODS:
        assert re.fullmatch(r"[0-9]{10}", goods.hs_code)
        assert goods.description
        assert goods.duty_rate >= 0
        assert goods.unit is None or goods.unit in UNIT_NAMES
        assert goods.kg_per_unit > 0
        assert goods.price_sigma > 0
        assert goods.quantity[0] > 0
        assert goods.line in ITEM_COUNTS
        assert goods.origins
        for origin in goods.origins:
            assert origin.country in COUNTRY_CODES
            assert origin.usd > 0
        if goods.misdeclared_as is not None:
            target = GOODS_BY_CODE[goods.misdeclared_as]
            assert target.duty_rate < goods.duty_rate, goods.hs_code
            assert target.unit in (None, goods.unit)
    assert {goods.origins[0].country for goods in GOODS if goods.line == "export"} == {"KG"}


def test_german_cars_cost_more_than_chinese_ones() -> None:
    for goods in GOODS:
        prices = {origin.country: origin.usd for origin in goods.origins}
        if goods.line == "cars" and {"CN", "DE"} <= prices.keys():
            assert prices["DE"] > prices["CN"]


def test_contraband_and_documents() -> None:
    for contraband in CONTRABAND:
        assert re.fullmatch(r"[0-9]{10}", contraband.hs_code)
        assert contraband.unit is None or contraband.unit in UNIT_NAMES
    for code in DOCUMENT_KINDS:
        assert re.fullmatch(r"[0-9]{5}", code)


def test_traders_are_deterministic_and_well_formed() -> None:
    book = build_traders(7, END)
    assert book == build_traders(7, END)
    assert book.importers != build_traders(8, END).importers
    everyone = (*book.importers, *book.brokers, *book.exporters)
    tins = [trader.tin for trader in everyone]
    assert len(set(tins)) == len(tins)
    for trader in everyone:
        assert re.fullmatch(r"[012][0-9]{13}", trader.tin)
        assert trader.registered_on < END
        assert trader.activity > 0
        if trader.tin.startswith("0"):
            # companies: the TIN carries the registration date
            assert trader.tin[1:9] == f"{trader.registered_on:%d%m%Y}"
        if trader.honesty == "new":
            assert END - trader.registered_on <= timedelta(days=240)
    honesty = Counter(trader.honesty for trader in book.importers)
    assert honesty["honest"] > honesty["average"] > honesty["offender"] > 0
    assert honesty["new"] > 0
    for country, names in book.foreign.items():
        assert len(set(names)) == len(names)
        for name in names:
            assert name.startswith(f"{country}-")
            assert re.fullmatch(r"[A-Z0-9\-]{1,40}", name)


def test_rates_cover_every_day_and_currency() -> None:
    start = date(2025, 1, 1)
    rates = exchange_rates(start, END, seed=3)
    days = (END - start).days + 1
    assert len(rates) == days * len(RATE_CURRENCIES)
    assert {(r.date, r.currency) for r in rates} == {
        (start + timedelta(days=n), c) for n in range(days) for c in RATE_CURRENCIES
    }
    assert [(r.date, RATE_CURRENCIES.index(r.currency)) for r in rates] == sorted(
        (r.date, RATE_CURRENCIES.index(r.currency)) for r in rates
    )
    assert set(RATE_CURRENCIES) == set(RATE_BOUNDS)


@pytest.mark.parametrize("seed", [0, 1, 2026, 99_999])
def test_rates_stay_near_real_levels(seed: int) -> None:
    rates = exchange_rates(date(2020, 1, 1), END, seed)
    by_day = {(r.date, r.currency): r.kgs_per_unit for r in rates}
    for rate in rates:
        low, high = RATE_BOUNDS[rate.currency]
        assert low <= rate.kgs_per_unit <= high, rate
        assert isinstance(rate.kgs_per_unit, Decimal)
        previous = by_day.get((rate.date - timedelta(days=1), rate.currency))
        if previous is not None:
            assert abs(math.log(rate.kgs_per_unit / previous)) < 0.05
    for day in {r.date for r in rates}:
        pegged = by_day[(day, "USD")] / Decimal(str(AED_PER_USD))
        assert abs(by_day[(day, "AED")] - pegged) < Decimal("0.001")


def test_rates_move_on_working_days_only() -> None:
    rates = exchange_rates(date(2026, 1, 1), END, seed=5)
    by_day = {(r.date, r.currency): r.kgs_per_unit for r in rates}
    moved = 0
    for (day, currency), value in by_day.items():
        before = by_day.get((day - timedelta(days=1), currency))
        if before is None:
            continue
        if day.weekday() >= 5:
            assert value == before, (day, currency)
        elif value != before:
            moved += 1
    assert moved > 100


def test_rates_of_a_day_do_not_depend_on_the_window() -> None:
    long = {(r.date, r.currency): r for r in exchange_rates(date(2024, 1, 1), END, seed=9)}
    for rate in exchange_rates(date(2026, 9, 1), END, seed=9):
        assert long[(rate.date, rate.currency)] == rate


def test_rates_depend_on_the_seed() -> None:
    one = exchange_rates(date(2026, 9, 1), END, seed=1)
    assert one == exchange_rates(date(2026, 9, 1), END, seed=1)
    assert one != exchange_rates(date(2026, 9, 1), END, seed=2)


def test_rates_refuse_bad_windows() -> None:
    with pytest.raises(ValueError, match="start on"):
        exchange_rates(RATES_EPOCH - timedelta(days=1), END, seed=1)
    with pytest.raises(ValueError, match="before start"):
        exchange_rates(END, END - timedelta(days=1), seed=1)


def test_procedures_used_by_the_demo_exist() -> None:
    assert {"40", "70", "53", "51", "10", "80"} <= set(PROCEDURES)
