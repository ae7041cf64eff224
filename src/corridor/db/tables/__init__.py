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
    "DecisionRow",
    "DeclarationRow",
    "ExchangeRateRow",
    "GoodsItemRow",
    "GroundTruthRow",
    "ImportRunRow",
    "JournalEntryRow",
    "JournalHeadRow",
    "LoginSessionRow",
    "MeasureRow",
    "OfficeParameterRow",
    "ProfileTransitionRow",
    "ProfileVersionRow",
    "ReferenceListRow",
    "ReferenceListVersionRow",
    "RerouteRow",
    "SelectivityStateRow",
    "UnitRow",
    "UserRoleRow",
    "UserRow",
]
