"""ORM tables, in one place so that domain packages never import each other's tables."""

from corridor.db.tables.base import Base
from corridor.db.tables.declarations import (
    DeclarationRow,
    ExchangeRateRow,
    GoodsItemRow,
    GroundTruthRow,
    ImportRunRow,
)
from corridor.db.tables.profiles import (
    DecisionRow,
    MeasureRow,
    OfficeParameterRow,
    ProfileTransitionRow,
    ProfileVersionRow,
    ReferenceListRow,
    ReferenceListVersionRow,
    RerouteRow,
    SelectivityStateRow,
)

__all__ = [
    "Base",
    "DecisionRow",
    "DeclarationRow",
    "ExchangeRateRow",
    "GoodsItemRow",
    "GroundTruthRow",
    "ImportRunRow",
    "MeasureRow",
    "OfficeParameterRow",
    "ProfileTransitionRow",
    "ProfileVersionRow",
    "ReferenceListRow",
    "ReferenceListVersionRow",
    "RerouteRow",
    "SelectivityStateRow",
]
