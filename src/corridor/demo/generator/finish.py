"""The third pass: number, value and validate the drafts in registration order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from corridor.declarations.schemas import DeclarationCreate
from corridor.demo.generator.drafts import _COUNTED_UNITS, _Draft, _Item, _Plant
from corridor.demo.generator.shapes import (
    BISHKEK,
    DISCREPANCY_TYPES,
    FREIGHT_UPLIFT,
    DemoDeclaration,
    FraudLabel,
)
from corridor.demo.world import GOODS_BY_CODE, UNIT_NAMES, ConcealedGoods, ExchangeRate

_CENT: Final = Decimal("0.01")


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
