"""What the generator gives: the fraud patterns, their rates, and the generated world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone
from decimal import Decimal
from typing import Final, Literal

from corridor.declarations.schemas import DeclarationCreate
from corridor.demo.world import ConcealedGoods, ExchangeRate, TraderBook

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
