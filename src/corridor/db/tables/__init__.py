"""ORM tables, in one place so that domain packages never import each other's tables."""

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import (
    DeclarationRow,
    ExchangeRateRow,
    GoodsItemRow,
    GroundTruthRow,
    ImportRunRow,
)

__all__ = [
    "Base",
    "DeclarationRow",
    "ExchangeRateRow",
    "GoodsItemRow",
    "GroundTruthRow",
    "ImportRunRow",
]
