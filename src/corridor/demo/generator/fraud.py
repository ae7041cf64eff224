"""The second pass: plant fraud into a chosen few drafts, the truth kept aside."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Final

from corridor.demo.generator.drafts import _COUNTED_UNITS, _Draft, _Item, _Plant
from corridor.demo.generator.shapes import FRAUD_RATES, FraudPattern
from corridor.demo.world import CONTRABAND, GOODS_BY_CODE, PREFERENCES, GoodsLine, Honesty, pick

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
_BORDER_POSTS: Final[dict[str, float]] = {"KGTOR": 1.5, "KGIRK": 1.5, "KGDST": 1.5, "KGAKJ": 1.3}
# Concealment: bulk low-value goods through the China and Uzbekistan road posts.
_CONCEALMENT_OFFICES: Final[dict[str, float]] = {
    "KGIRK": 3.0,
    "KGTOR": 3.0,
    "KGDST": 3.0,
    "KGKAN": 1.5,
}
_CONCEALMENT_DISPATCH: Final[dict[str, float]] = {"CN": 2.0, "UZ": 2.0, "AE": 2.0}


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
