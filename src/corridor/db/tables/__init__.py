"""ORM tables, in one place so that domain packages never import each other's tables."""

from corridor.db.tables.accounts import (
    ApiTokenRow,
    JournalEntryRow,
    JournalHeadRow,
    LoginSessionRow,
    UnitRow,
    UserRoleRow,
    UserRow,
)
from corridor.db.tables.base import Base
from corridor.db.tables.declarations import (
    DeclarationRow,
    ExchangeRateRow,
    GoodsItemRow,
    GroundTruthRow,
    ImportRunRow,
)
from corridor.db.tables.feedback import (
    DecisionHitRow,
    InspectionActRow,
    PriceOverrideRow,
    PriceRefreshRow,
    ReferencePriceRow,
    TraderHistoryRow,
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
    "ApiTokenRow",
    "Base",
    "DecisionHitRow",
    "DecisionRow",
    "DeclarationRow",
    "ExchangeRateRow",
    "GoodsItemRow",
    "GroundTruthRow",
    "ImportRunRow",
    "InspectionActRow",
    "JournalEntryRow",
    "JournalHeadRow",
    "LoginSessionRow",
    "MeasureRow",
    "OfficeParameterRow",
    "PriceOverrideRow",
    "PriceRefreshRow",
    "ProfileTransitionRow",
    "ProfileVersionRow",
    "ReferenceListRow",
    "ReferenceListVersionRow",
    "ReferencePriceRow",
    "RerouteRow",
    "SelectivityStateRow",
    "TraderHistoryRow",
    "UnitRow",
    "UserRoleRow",
    "UserRow",
]
