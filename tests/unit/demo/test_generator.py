"""The demo declaration generator: validity, determinism, realism and planted fraud."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from corridor.declarations.schemas import DeclarationCreate
from corridor.demo import (
    BISHKEK,
    FRAUD_RATES,
    FREIGHT_UPLIFT,
    OFFICES,
    DemoWorld,
    generate,
)
from corridor.demo.generator import container_check_digit
from corridor.demo.world import GOODS_BY_CODE, PREFERENCES, RATE_CURRENCIES

END = date(2026, 9, 30)
CENT = Decimal("0.01")
SRC = Path(__file__).resolve().parents[3] / "src"


@pytest.fixture(scope="module")
def big() -> DemoWorld:
    """A full-size world: fraud rates are measured on it."""
    return generate(declarations=20_000, seed=2026, end=END)


@pytest.fixture(scope="module")
def sample() -> DemoWorld:
    """A sample of a few thousand declarations."""
    return generate(declarations=3_000, seed=11, end=END, days=200)


def fingerprint(world: DemoWorld) -> str:
    digest = hashlib.sha256()
    for demo in world.declarations:
        digest.update(demo.declaration.model_dump_json().encode())
        digest.update(repr(demo.fraud).encode())
    for rate in world.rates:
        digest.update(repr(rate).encode())
    return digest.hexdigest()


def local(moment: datetime) -> datetime:
    return moment.astimezone(BISHKEK)


# --------------------------------------------------------------------------- determinism


def test_same_arguments_same_world() -> None:
    one = generate(declarations=1_500, seed=5, end=END, days=90)
    two = generate(declarations=1_500, seed=5, end=END, days=90)
    assert fingerprint(one) == fingerprint(two)
    assert one == two


def test_other_seed_other_world() -> None:
    one = generate(declarations=500, seed=5, end=END, days=90)
    other = generate(declarations=500, seed=6, end=END, days=90)
    assert fingerprint(one) != fingerprint(other)
    numbers = {d.declaration.number for d in one.declarations}
    assert numbers != {d.declaration.number for d in other.declarations}


def test_byte_identical_across_processes_and_hash_seeds() -> None:
    script = (
        "import hashlib, datetime\n"
        "from corridor.demo import generate\n"
        "w = generate(declarations=800, seed=31, end=datetime.date(2026, 9, 30), days=60)\n"
        "h = hashlib.sha256()\n"
        "for d in w.declarations:\n"
        "    h.update(d.declaration.model_dump_json().encode()); h.update(repr(d.fraud).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(SRC)}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(done.stdout.strip())
    assert len(digests) == 1
    world = generate(declarations=800, seed=31, end=END, days=60)
    digest = hashlib.sha256()
    for demo in world.declarations:
        digest.update(demo.declaration.model_dump_json().encode())
        digest.update(repr(demo.fraud).encode())
    assert digests == {digest.hexdigest()}


def test_a_bigger_world_has_the_same_traders_and_rates() -> None:
    small = generate(declarations=10, seed=8, end=END, days=30)
    larger = generate(declarations=200, seed=8, end=END, days=30)
    assert small.traders == larger.traders
    assert small.rates == larger.rates


# --------------------------------------------------------------------------- validity


def test_every_declaration_validates_against_the_real_clock(sample: DemoWorld) -> None:
    assert len(sample.declarations) == 3_000
    for demo in sample.declarations:
        again = DeclarationCreate.model_validate(demo.declaration.model_dump())
        assert again == demo.declaration


def test_registration_times_lie_in_the_window(big: DemoWorld) -> None:
    first = datetime.combine(big.start, time(0, 0), tzinfo=BISHKEK)
    last = datetime.combine(END, time(23, 59, 59), tzinfo=BISHKEK)
    assert big.start == END - timedelta(days=364)
    times = [demo.declaration.registered_at for demo in big.declarations]
    assert all(t.tzinfo is not None for t in times)
    assert min(times) >= first
    assert max(times) <= last
    assert times == sorted(times)
    assert local(max(times)).date() >= END - timedelta(days=7)


def test_working_days_and_hours(big: DemoWorld) -> None:
    moments = [local(demo.declaration.registered_at) for demo in big.declarations]
    weekdays = Counter(moment.weekday() for moment in moments)
    assert min(weekdays[day] for day in range(5)) > 3 * weekdays[5] > 3 * weekdays[6]
    hours = Counter(moment.hour for moment in moments)
    assert sum(hours[h] for h in range(8, 19)) > 0.9 * len(moments)
    assert hours[10] > 5 * hours[20] > 5 * hours[3]
    for demo in big.declarations:
        declaration = demo.declaration
        if declaration.office in ("KGTOR", "KGIRK"):
            assert local(declaration.registered_at).weekday() < 5, declaration.number


def test_numbers_follow_the_eaeu_pattern(big: DemoWorld) -> None:
    pattern = re.compile(r"([A-Z0-9]{2,17})/([0-9]{6})/([0-9]{7})")
    numbers = [demo.declaration.number for demo in big.declarations]
    assert len(set(numbers)) == len(numbers)
    last: dict[tuple[str, int], int] = {}
    for demo in big.declarations:
        declaration = demo.declaration
        match = pattern.fullmatch(declaration.number)
        assert match, declaration.number
        day = local(declaration.registered_at).date()
        assert match[1] == declaration.office
        assert match[2] == f"{day:%d%m%y}"
        key = (declaration.office, day.year)
        assert int(match[3]) == last.get(key, 0) + 1
        last[key] = int(match[3])
        assert declaration.version == 1


def test_headers_are_realistic(big: DemoWorld) -> None:
    offices = {office.code: office for office in OFFICES}
    book = big.traders.by_tin()
    for demo in big.declarations:
        d = demo.declaration
        office = offices[d.office]
        assert d.transport_mode in dict(office.modes)
        assert d.attributes == {}
        assert {"IM": "40", "EX": "10", "TR": "80"}[d.flow] == d.procedure or d.flow == "IM"
        if d.flow == "IM":
            assert d.destination_country == "KG"
            assert d.importer is not None
            importer = book[d.importer]
            assert importer.role == "importer"
            assert local(d.registered_at).date() > importer.registered_on
            assert "03011" in d.documents
            assert "04021" in d.documents
        if d.flow == "EX":
            assert d.exporter_country == "KG"
            assert d.exporter is not None
            assert book[d.exporter].role == "exporter"
            assert {item.origin for item in d.items} == {"KG"}
        assert book[d.declarant].role in ("broker", "importer", "exporter")
        for container in d.containers:
            assert container[3] == "U"
            assert int(container[10]) == container_check_digit(container[:10])
        if d.transport_mode == 30:
            assert d.vehicle_id
            assert "02015" in d.documents
        if d.transport_mode == 40:
            assert d.vehicle_id
            assert re.fullmatch(r"[A-Z0-9]{2}[0-9]{3,4}", d.vehicle_id)
    road = [
        d.declaration.vehicle_id or ""
        for d in big.declarations
        if d.declaration.transport_mode == 30
    ]
    kg_plates = [plate for plate in road if re.fullmatch(r"0[1-9]KG[0-9]{3}[A-Z]{3}", plate)]
    assert len(kg_plates) > 0.6 * len(road)


def test_container_check_digit_matches_a_known_container() -> None:
    # CSQU3054383 is the worked example of ISO 6346
    assert container_check_digit("CSQU305438") == 3


def test_the_sample_covers_the_world(sample: DemoWorld) -> None:
    declarations = [demo.declaration for demo in sample.declarations]
    assert {d.office for d in declarations} == {office.code for office in OFFICES}
    dispatch = Counter(d.dispatch_country for d in declarations if d.flow == "IM")
    listed = ["CN", "KZ", "RU", "TR", "UZ", "DE", "US", "KR", "AE", "IN"]
    assert set(listed) <= set(dispatch)
    assert dispatch.most_common(1)[0][0] == "CN"
    assert dispatch["CN"] > 0.35 * sum(dispatch.values())
    flows = Counter((d.flow, d.procedure) for d in declarations)
    assert flows[("IM", "40")] > 0.7 * len(declarations)
    assert flows[("EX", "10")] > 0
    assert flows[("TR", "80")] > 0
    assert {d.transport_mode for d in declarations} == {20, 30, 40, 50}
    codes = [item.hs_code for d in declarations for item in d.items]
    for prefix in ("8703", "8517", "6403", "6404", "61", "62", "0808", "4011", "2402", "3004"):
        assert any(code.startswith(prefix) for code in codes), prefix
    for prefix in ("8471", "3304", "9403", "7308", "2203", "1701", "8418", "6907", "3920"):
        assert any(code.startswith(prefix) for code in codes), prefix
    counts = Counter(len(d.items) for d in declarations)
    assert min(counts) == 1
    assert max(counts) <= 8
    currencies = Counter(d.currency for d in declarations)
    assert currencies.most_common(1)[0][0] == "USD"


def test_every_currency_appears(big: DemoWorld) -> None:
    assert {d.declaration.currency for d in big.declarations} == set(RATE_CURRENCIES)


# --------------------------------------------------------------------------- values


def test_customs_value_is_the_invoice_value_at_the_days_rate(big: DemoWorld) -> None:
    rates = {(rate.date, rate.currency): rate.kgs_per_unit for rate in big.rates}
    for demo in big.declarations:
        d = demo.declaration
        rate = rates[(local(d.registered_at).date(), d.currency)]
        uplift = 1 + FREIGHT_UPLIFT.get(d.incoterms or "", Decimal(0))
        for item in d.items:
            assert item.invoice_value > 0
            expected = (item.invoice_value * rate * uplift).quantize(CENT, ROUND_HALF_UP)
            assert item.customs_value == expected, (d.number, item.item_no)
            if d.flow == "TR":
                assert item.duty_rate is None
                assert item.duties is None
                continue
            assert item.duty_rate is not None
            assert item.customs_value is not None
            duties = (item.customs_value * item.duty_rate / 100).quantize(CENT, ROUND_HALF_UP)
            assert item.duties == duties


def test_masses_quantities_and_rates_are_coherent(big: DemoWorld) -> None:
    for demo in big.declarations:
        d = demo.declaration
        for item in d.items:
            assert item.net_mass_kg is not None
            assert item.net_mass_kg > 0
            assert item.gross_mass_kg is not None
            assert item.gross_mass_kg >= item.net_mass_kg
            if demo.fraud is not None and demo.fraud.item_no == item.item_no:
                continue
            goods = GOODS_BY_CODE[item.hs_code]
            assert item.supplementary_unit == goods.unit
            assert (item.supplementary_qty is None) == (goods.unit is None)
            if d.flow == "IM":
                share = PREFERENCES[item.origin][1] if item.preference else Decimal(1)
                assert item.preference in (None, PREFERENCES.get(item.origin, ("",))[0])
                assert item.duty_rate == goods.duty_rate * share


def test_german_cars_are_declared_dearer_than_chinese_ones(big: DemoWorld) -> None:
    per_car: dict[str, list[Decimal]] = {"CN": [], "DE": []}
    for demo in big.declarations:
        for item in demo.declaration.items:
            if item.hs_code == "8703231981" and item.origin in per_car and demo.fraud is None:
                assert item.customs_value is not None
                assert item.supplementary_qty
                per_car[item.origin].append(item.customs_value / item.supplementary_qty)
    cn, de = (sorted(values)[len(values) // 2] for values in per_car.values())
    assert de > Decimal("1.5") * cn


# --------------------------------------------------------------------------- fraud


def test_fraud_rates_match_the_documented_rates(big: DemoWorld) -> None:
    counts = big.fraud_counts()
    total = len(big.declarations)
    for pattern, rate in FRAUD_RATES.items():
        assert abs(counts[pattern] / total - rate) <= 0.1 * rate, pattern
        assert counts[pattern] == round(rate * total), pattern


def test_fraud_truth_is_consistent(big: DemoWorld) -> None:
    for demo in big.declarations:
        label = demo.fraud
        if label is None:
            continue
        d = demo.declaration
        assert 1 <= label.item_no <= len(d.items)
        item = d.items[label.item_no - 1]
        assert label.summary
        assert label.duties_evaded >= 0
        assert label.true_duties >= 0
        assert label.pattern not in d.model_dump_json()
        if label.pattern == "undervaluation":
            assert label.true_invoice_value > item.invoice_value
            assert item.customs_value is not None
            assert label.true_customs_value > item.customs_value
            assert (label.true_hs_code, label.true_origin) == (item.hs_code, item.origin)
        elif label.pattern == "misclassification":
            assert label.true_hs_code != item.hs_code
            assert GOODS_BY_CODE[label.true_hs_code].misdeclared_as == item.hs_code
            assert item.duties is not None
            assert label.true_duties > item.duties
            assert label.duties_evaded == label.true_duties - item.duties
        elif label.pattern == "false_origin":
            assert label.true_origin != item.origin
            assert item.origin == d.dispatch_country
            assert item.origin in ("UZ", "KZ")
            assert label.true_origin in ("CN", "TR", "IR")
            assert item.preference is not None
            assert item.duty_rate == 0
            assert label.duties_evaded > 0
            assert "06011" in d.documents
        elif label.pattern == "quantity_understatement":
            assert label.true_quantity is not None
            assert item.supplementary_qty is not None
            assert label.true_quantity > item.supplementary_qty
            assert item.net_mass_kg is not None
            assert label.true_net_mass_kg > item.net_mass_kg
            assert item.gross_mass_kg is not None
            assert item.gross_mass_kg >= label.true_net_mass_kg
            assert label.true_invoice_value > item.invoice_value
        else:
            concealed = label.concealed
            assert concealed is not None
            assert concealed.quantity > 0
            assert concealed.value_kgs > 0
            assert GOODS_BY_CODE[item.hs_code].cover
            assert label.pattern == "concealment"
        if label.pattern != "concealment":
            assert label.concealed is None
        if d.flow != "IM":
            assert label.pattern == "concealment"
            assert d.flow == "TR"
        else:
            assert d.procedure == "40"


def test_fraud_concentrates_where_an_analyst_would_look(big: DemoWorld) -> None:
    importers = {t.tin: t for t in big.traders.importers}
    declared: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for demo in big.declarations:
        importer = importers.get(demo.declaration.importer or "")
        if importer is None or demo.declaration.procedure != "40":
            continue
        declared[importer.honesty] += 1
        caught[importer.honesty] += demo.fraud is not None
    rate = {honesty: caught[honesty] / declared[honesty] for honesty in declared}
    assert rate["offender"] > 3 * rate["average"] > 3 * rate["honest"]
    assert rate["new"] > 1.5 * rate["average"]

    undervalued = [
        (d.declaration, d.fraud)
        for d in big.declarations
        if d.fraud and d.fraud.pattern == "undervaluation"
    ]
    risky = [
        declaration
        for declaration, label in undervalued
        if declaration.items[label.item_no - 1].hs_code[:2] in ("87", "85", "61", "62", "64")
        and declaration.dispatch_country in ("CN", "AE")
    ]
    assert len(risky) > 0.5 * len(undervalued)
    concealed = [d for d in big.declarations if d.fraud and d.fraud.pattern == "concealment"]
    posts = [d for d in concealed if d.declaration.office in ("KGIRK", "KGTOR", "KGDST")]
    share_of_posts = sum(o.share for o in OFFICES if o.code in ("KGIRK", "KGTOR", "KGDST"))
    assert len(posts) > 1.5 * share_of_posts * len(concealed)


def test_a_small_world_plants_fraud_too() -> None:
    world = generate(declarations=400, seed=3, end=END, days=30)
    counts = world.fraud_counts()
    assert counts["undervaluation"] == 16
    assert sum(counts.values()) == sum(round(rate * 400) for rate in FRAUD_RATES.values())


# --------------------------------------------------------------------------- arguments


def test_an_empty_world() -> None:
    world = generate(declarations=0, seed=1, end=END, days=3)
    assert world.declarations == ()
    assert len(world.rates) == 3 * len(RATE_CURRENCIES)


def test_one_day_on_a_sunday() -> None:
    sunday = date(2026, 9, 27)
    assert sunday.weekday() == 6
    world = generate(declarations=50, seed=1, end=sunday, days=1)
    assert {local(d.declaration.registered_at).date() for d in world.declarations} == {sunday}


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"declarations": -1, "seed": 1, "end": END}, ValueError),
        ({"declarations": 1, "seed": 1, "end": END, "days": 0}, ValueError),
        ({"declarations": 1, "seed": 1, "end": datetime(2026, 9, 30, 12, 0)}, TypeError),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        generate(**arguments)  # type: ignore[arg-type]
