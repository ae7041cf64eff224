"""Pydantic shapes of reference prices, price versions and overrides at the edges."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from corridor.declarations.schemas import PlainDecimal
from corridor.errors import N_
from corridor.reference.codes import COUNTRY_CODES
from corridor.text import InputModel
from corridor.valuation.book import ALL_ORIGINS

#: The default minimum number of items a group needs for its price to be kept.
DEFAULT_MIN_SAMPLE = 20
#: The largest page of prices one request returns.
MAX_PAGE = 1000

PriceBasis = Literal["kg", "unit"]
PriceSource = Literal["computed", "override"]

_PRICE_HS = re.compile(r"[0-9]{4}|[0-9]{6}|[0-9]{10}")
_UNIT = re.compile(r"[A-Za-z0-9\-/.]{1,10}")


def _price_hs(value: str) -> str:
    if not _PRICE_HS.fullmatch(value):
        raise ValueError(N_("the HS code of a reference price is 4, 6 or 10 digits"))
    return value


def _price_origin(value: str) -> str:
    code = value.upper()
    if code != ALL_ORIGINS and code not in COUNTRY_CODES:
        raise ValueError(
            N_(
                "%(value)s is neither an ISO 3166-1 alpha-2 country code nor * (all origins)",
                value=repr(value),
            )
        )
    return code


#: The HS code of a reference price: 4, 6 or 10 digits.
PriceHsCode = Annotated[str, AfterValidator(_price_hs)]
#: A country of origin, or "*" for all origins.
PriceOrigin = Annotated[str, Field(min_length=1, max_length=2), AfterValidator(_price_origin)]
#: A unit value in national currency: positive, at most 18 digits before the point and 6 after.
UnitValue = Annotated[Decimal, Field(gt=0, allow_inf_nan=False, max_digits=24, decimal_places=6)]


class PriceRefreshIn(InputModel):
    """What a refresh reads: the items of imports registered in a window of dates (UTC,
    both ends included; open ends take all history) and the minimum sample of a price."""

    min_sample: int = Field(
        default=DEFAULT_MIN_SAMPLE,
        ge=1,
        le=1_000_000,
        description="items a group needs for its price to be kept",
    )
    history_from: date | None = Field(default=None, description="first registration day (UTC)")
    history_to: date | None = Field(default=None, description="last registration day (UTC)")

    @field_validator("history_to")
    @classmethod
    def _window(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("history_from")
        if value is not None and start is not None and value < start:
            raise ValueError(
                N_("must not be before history_from (%(first)s)", first=start.isoformat())
            )
        return value


class PriceOverrideCreate(InputModel):
    """An analyst's reference price for one key, replacing the computed one until lifted
    (or until ``valid_to``, at the first refresh after it)."""

    hs_code: PriceHsCode
    origin: PriceOrigin
    basis: PriceBasis
    unit: str = Field(
        default="", max_length=10, description="supplementary unit code (per-unit prices only)"
    )
    median: UnitValue = Field(description="the reference unit value (national currency)")
    low: UnitValue = Field(description="lowest plausible unit value")
    high: UnitValue = Field(description="highest plausible unit value")
    reason: str = Field(min_length=3, max_length=2000, description="why history is overruled")
    valid_to: date | None = Field(default=None, description="last day the override applies")

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str, info: ValidationInfo) -> str:
        basis = info.data.get("basis")
        if basis == "unit" and not value:
            raise ValueError(N_("a per-unit price names its supplementary unit"))
        if basis == "kg" and value:
            raise ValueError(N_("a per-kg price has no unit"))
        if value and not _UNIT.fullmatch(value):
            raise ValueError(N_("a unit code is letters, digits, '-', '/' or '.'"))
        return value

    @field_validator("low")
    @classmethod
    def _low(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        median = info.data.get("median")
        if median is not None and value > median:
            raise ValueError(N_("must not exceed the median (%(median)s)", median=median))
        return value

    @field_validator("high")
    @classmethod
    def _high(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        median = info.data.get("median")
        if median is not None and value < median:
            raise ValueError(N_("must not be below the median (%(median)s)", median=median))
        return value


class PriceOverrideLift(InputModel):
    """Why an override is lifted."""

    reason: str = Field(min_length=3, max_length=2000)


class ReferencePriceRead(BaseModel):
    """One reference price of a price version.

    For a computed price every figure is history's. For an override, ``median``,
    ``low`` and ``high`` are the analyst's, while ``count``, ``q1`` and ``q3`` stay
    history's (0 items and the median when history had no price for the key).
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    price_version: int
    hs_code: str
    origin: str
    basis: PriceBasis
    unit: str
    count: int
    median: PlainDecimal
    q1: PlainDecimal
    q3: PlainDecimal
    low: PlainDecimal
    high: PlainDecimal
    source: PriceSource


class PriceVersionRead(BaseModel):
    """One price version: when and by whom it was made, and from what history."""

    model_config = ConfigDict(from_attributes=True)

    price_version: int
    computed_at: datetime
    computed_by: str
    history_from: date | None
    history_to: date | None
    items_used: int = Field(description="goods items that gave a unit value")
    items_excluded: int = Field(description="goods items of declarations found misvalued")
    prices: int


class PriceRefreshRead(PriceVersionRead):
    """The version a refresh made."""

    min_sample: int
    overrides_applied: int
    previous_version: int | None


class ReferencePricePage(BaseModel):
    """A page of the prices of one version; pass ``next_cursor`` as ``cursor`` for more."""

    version: PriceVersionRead | None = Field(description="None: no prices were ever computed")
    items: list[ReferencePriceRead]
    next_cursor: int | None = None


class PriceOverrideSummary(BaseModel):
    """A stored override without its reason: what callers not cleared for rationale see
    (an analyst's reason may cite intelligence on a trader)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    hs_code: str
    origin: str
    basis: PriceBasis
    unit: str
    median: PlainDecimal
    low: PlainDecimal
    high: PlainDecimal
    valid_to: date | None
    active: bool
    created_by: str
    created_at: datetime


class PriceOverrideRead(PriceOverrideSummary):
    """A stored override (lifted ones stay, inactive; the journal keeps every change)."""

    reason: str


class PriceOverrideApplied(PriceOverrideRead):
    """An override set or lifted, and the price version that change made."""

    price_version: int
