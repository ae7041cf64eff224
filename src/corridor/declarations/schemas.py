"""Pydantic shapes of a customs declaration at the edges (API, files, demo).

Validation rules (each reported with the field path and a reason):

* HS code: 6 to 10 digits.
* Countries: ISO 3166-1 alpha-2; currencies: ISO 4217 (from pycountry).
* Masses, quantities and values: finite and >= 0; gross mass not below net mass.
* Goods items numbered 1..n without gaps; at least one item, at most 999.
* Registration time carries a time zone and is not in the future (beyond a small
  allowance for clock differences).
* Flow, procedure and transport mode are known codes, and the procedure belongs
  to the flow (40 is an import procedure, 10 an export one, 80 transit).
* Extra attributes are declared names with values of the declared type.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from corridor.declarations.attributes import REGISTRY, AttributeLevel, AttributeRegistry
from corridor.reference.codes import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    FLOWS,
    INCOTERMS,
    PROCEDURES,
    TRANSPORT_MODES,
)

Flow = Literal["IM", "EX", "TR"]

_HS_RE = re.compile(r"^[0-9]{6,10}$")
_CONTAINER_RE = re.compile(r"^[A-Z]{4}[0-9]{7}$")


def _hs_code(value: str) -> str:
    if not _HS_RE.fullmatch(value):
        raise ValueError("HS code must be 6 to 10 digits")
    return value


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _currency(value: str) -> str:
    code = value.upper()
    if code not in CURRENCY_CODES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


def _procedure(value: str) -> str:
    if value not in PROCEDURES:
        known = ", ".join(sorted(PROCEDURES))
        raise ValueError(f"unknown customs procedure {value!r} (known: {known})")
    return value


def _transport_mode(value: int) -> int:
    if value not in TRANSPORT_MODES:
        known = ", ".join(str(code) for code in sorted(TRANSPORT_MODES))
        raise ValueError(f"unknown transport mode {value} (known: {known})")
    return value


def _incoterms(value: str) -> str:
    code = value.upper()
    if code not in INCOTERMS:
        raise ValueError(f"unknown Incoterms rule {value!r}")
    return code


def _container(value: str) -> str:
    code = value.upper().replace(" ", "")
    if not _CONTAINER_RE.fullmatch(code):
        raise ValueError(f"container number {value!r} is not 4 letters and 7 digits (ISO 6346)")
    return code


HsCode = Annotated[str, AfterValidator(_hs_code)]
CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
ProcedureCode = Annotated[str, AfterValidator(_procedure)]
TransportMode = Annotated[int, AfterValidator(_transport_mode)]
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=24, decimal_places=6)]
TraderId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-/.]+$")]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9\-/.]+$")]


def _check_attributes(
    level: AttributeLevel, values: dict[str, Any], info: ValidationInfo
) -> dict[str, Any]:
    registry = REGISTRY
    if isinstance(info.context, dict):
        registry = info.context.get("attributes", REGISTRY)
    assert isinstance(registry, AttributeRegistry)
    return {name: registry.coerce(level, name, value) for name, value in values.items()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class GoodsItemIn(_Strict):
    """One goods item of a declaration, as submitted."""

    item_no: int = Field(ge=1, le=999)
    hs_code: HsCode
    description: str = Field(default="", max_length=1000)
    origin: CountryCode
    preference: Code | None = None
    net_mass_kg: Amount | None = None
    gross_mass_kg: Amount | None = None
    supplementary_qty: Amount | None = None
    supplementary_unit: Code | None = None
    invoice_value: Amount
    customs_value: Amount | None = Field(default=None, description="in national currency (KGS)")
    duty_rate: Amount | None = Field(default=None, description="ad valorem rate, percent")
    duties: Amount | None = Field(default=None, description="in national currency (KGS)")
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return _check_attributes("item", value, info)

    @model_validator(mode="after")
    def _masses_and_units(self) -> Self:
        if (
            self.net_mass_kg is not None
            and self.gross_mass_kg is not None
            and self.gross_mass_kg < self.net_mass_kg
        ):
            raise ValueError(
                f"gross_mass_kg {self.gross_mass_kg} is below net_mass_kg {self.net_mass_kg}"
            )
        if self.supplementary_qty is not None and self.supplementary_unit is None:
            raise ValueError("supplementary_unit is required when supplementary_qty is given")
        return self


class DeclarationCreate(_Strict):
    """A declaration (one version) as the clearance system submits it."""

    number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/\-_.]*$")
    version: int = Field(default=1, ge=1, le=999)
    flow: Flow
    procedure: ProcedureCode
    office: str = Field(min_length=2, max_length=17, pattern=r"^[A-Z0-9]+$")
    registered_at: AwareDatetime
    declarant: TraderId
    importer: TraderId | None = None
    exporter: TraderId | None = None
    exporter_country: CountryCode | None = None
    dispatch_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    transport_mode: TransportMode
    vehicle_id: str | None = Field(default=None, max_length=40)
    containers: list[Annotated[str, AfterValidator(_container)]] = Field(
        default_factory=list, max_length=200
    )
    incoterms: Annotated[str, AfterValidator(_incoterms)] | None = None
    currency: CurrencyCode
    documents: list[Code] = Field(default_factory=list, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)
    items: list[GoodsItemIn] = Field(min_length=1, max_length=999)

    @field_validator("registered_at")
    @classmethod
    def _not_in_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        skew = 300
        now = datetime.now(UTC)
        if isinstance(info.context, dict):
            skew = int(info.context.get("clock_skew_seconds", skew))
            now = info.context.get("now", now)
        if value > now + timedelta(seconds=skew):
            raise ValueError(f"registration time {value.isoformat()} is in the future")
        return value.astimezone(UTC)

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return _check_attributes("header", value, info)

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        numbers = [item.item_no for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(
                f"goods items must be numbered 1..{len(numbers)} in order without gaps, "
                f"got {numbers[:20]}"
            )
        procedure_flow = PROCEDURES[self.procedure][0]
        if procedure_flow != self.flow:
            raise ValueError(
                f"procedure {self.procedure} ({PROCEDURES[self.procedure][1]}) belongs to flow "
                f"{procedure_flow} ({FLOWS[procedure_flow]}), not {self.flow}"
            )
        if self.flow == "IM" and self.importer is None:
            raise ValueError("importer is required on an import declaration")
        if self.flow == "EX" and self.exporter is None:
            raise ValueError("exporter is required on an export declaration")
        return self

    def content_hash(self) -> str:
        """SHA-256 of the canonical content, the key of idempotent re-sending.

        Number and version are the key, not content; decimals are normalised so
        that ``100`` and ``100.00`` are the same content.
        """
        payload = self.model_dump(mode="python", exclude={"number", "version"})
        canonical = json.dumps(payload, sort_keys=True, default=_canonical, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


class GoodsItemRead(BaseModel):
    """A stored goods item."""

    item_no: int
    hs_code: str
    description: str
    origin: str
    preference: str | None
    net_mass_kg: Decimal | None
    gross_mass_kg: Decimal | None
    supplementary_qty: Decimal | None
    supplementary_unit: str | None
    invoice_value: Decimal
    customs_value: Decimal | None
    duty_rate: Decimal | None
    duties: Decimal | None
    attributes: dict[str, Any]


class DeclarationSummary(BaseModel):
    """One stored declaration version, without its goods items."""

    id: int
    number: str
    version: int
    flow: str
    procedure: str
    office: str
    registered_at: datetime
    declarant: str
    importer: str | None
    item_count: int
    total_customs_value: Decimal | None
    received_at: datetime
    source: str


class DeclarationRead(DeclarationSummary):
    """One stored declaration version, whole."""

    content_hash: str
    exporter: str | None
    exporter_country: str | None
    dispatch_country: str | None
    destination_country: str | None
    transport_mode: int
    vehicle_id: str | None
    containers: list[str]
    incoterms: str | None
    currency: str
    documents: list[str]
    attributes: dict[str, Any]
    items: list[GoodsItemRead]
    versions: list[int] = Field(description="every stored version of this declaration number")


class DeclarationPage(BaseModel):
    """A page of declarations; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[DeclarationSummary]
    next_cursor: str | None
