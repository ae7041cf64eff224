"""Pydantic shapes of a customs declaration at the edges (API, files, demo).

Validation rules (each reported with the field path and a reason):

* HS code: 6 to 10 digits.
* Countries: ISO 3166-1 alpha-2; currencies: ISO 4217 (from pycountry).
* Masses, quantities and values: finite and >= 0; gross mass not below net mass.
* Goods items numbered 1..n without gaps; at least one item, at most 999.
* Registration time carries a time zone, is not before 2000 and not in the future (beyond a small
  allowance for clock differences).
* Flow, procedure and transport mode are known codes, and the procedure belongs
  to the flow (40 is an import procedure, 10 an export one, 80 transit).
* Extra attributes are declared names with values of the declared type.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)

from corridor.config import Settings, wall_clock
from corridor.declarations.attributes import AttributeLevel, AttributeRegistry, load_registry
from corridor.errors import N_, Message
from corridor.reference.codes import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    FLOWS,
    INCOTERMS,
    PROCEDURES,
    TRANSPORT_MODES,
)
from corridor.text import PLAIN_LINE, PLAIN_TEXT, refuse_bidi_controls

Flow = Literal["IM", "EX", "TR"]

#: How far ahead of our clock a registration time may be (clocks differ between systems).
CLOCK_SKEW = timedelta(minutes=5)
#: No electronic declaration is older: an earlier time is a typing or mapping error
#: (or a number read as seconds since 1970).
EARLIEST_REGISTRATION = datetime(2000, 1, 1, tzinfo=UTC)


def _not_in_future(value: datetime, info: ValidationInfo) -> datetime:
    # Bulk intake passes the time once in the context instead of reading the clock per row.
    context = info.context if isinstance(info.context, dict) else {}
    # Without one (a body FastAPI validates at the edge) the edge's clock is read here.
    now = context.get("now") or wall_clock()
    if value > now + CLOCK_SKEW:
        raise ValueError(N_("registration time %(time)s is in the future", time=value.isoformat()))
    if value < EARLIEST_REGISTRATION:
        raise ValueError(N_("registration time %(time)s is before 2000", time=value.isoformat()))
    return value.astimezone(UTC)


RegisteredAt = Annotated[AwareDatetime, AfterValidator(_not_in_future)]

_HS_RE = re.compile(r"^[0-9]{6,10}$")
_CONTAINER_RE = re.compile(r"^[A-Z]{4}[0-9]{7}$")


def _hs_code(value: str) -> str:
    if not _HS_RE.fullmatch(value):
        raise ValueError(N_("HS code must be 6 to 10 digits"))
    return value


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRY_CODES:
        raise ValueError(
            N_("%(value)s is not an ISO 3166-1 alpha-2 country code", value=repr(value))
        )
    return code


def _currency(value: str) -> str:
    code = value.upper()
    if code not in CURRENCY_CODES:
        raise ValueError(N_("%(value)s is not an ISO 4217 currency code", value=repr(value)))
    return code


def _procedure(value: str) -> str:
    if value not in PROCEDURES:
        known = ", ".join(sorted(PROCEDURES))
        raise ValueError(
            N_(
                "unknown customs procedure %(value)s (known: %(known)s)",
                value=repr(value),
                known=known,
            )
        )
    return value


def _transport_mode(value: int) -> int:
    if value not in TRANSPORT_MODES:
        known = ", ".join(str(code) for code in sorted(TRANSPORT_MODES))
        raise ValueError(
            N_("unknown transport mode %(value)s (known: %(known)s)", value=value, known=known)
        )
    return value


def _incoterms(value: str) -> str:
    code = value.upper()
    if code not in INCOTERMS:
        raise ValueError(N_("unknown Incoterms rule %(value)s", value=repr(value)))
    return code


def _container(value: str) -> str:
    code = value.upper().replace(" ", "")
    if not _CONTAINER_RE.fullmatch(code):
        raise ValueError(
            N_(
                "container number %(value)s is not 4 letters and 7 digits (ISO 6346)",
                value=repr(value),
            )
        )
    return code


HsCode = Annotated[str, AfterValidator(_hs_code)]
CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_currency)]
ProcedureCode = Annotated[str, AfterValidator(_procedure)]
TransportMode = Annotated[int, AfterValidator(_transport_mode)]


def _normalise(value: Decimal) -> Decimal:
    # One representation per value (100, 100.0 and 1E+2 alike), so that content
    # hashes compare values, not spellings; adding 0 turns -0 into 0.
    return (value + 0).normalize()


Amount = Annotated[
    Decimal,
    Field(ge=0, allow_inf_nan=False, max_digits=24, decimal_places=6),
    AfterValidator(_normalise),
    # Normalised decimals would print as 1E+1; JSON shows the plain form.
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]
TraderId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-/.]+$")]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9\-/.]+$")]


def declared_attributes(settings: Settings | None = None) -> AttributeRegistry:
    """The attributes an installation accepts: the built-in ones plus those its setting
    ``CORRIDOR_EXTRA_ATTRIBUTES`` declares (environment or ``.env``).

    With ``settings``, theirs (the application passes its own, and its profile-set snapshot
    types the facts with them); without, the process's settings, read once on first use (as
    :func:`corridor.config.customs_zone` reads the zone), never at import. Raises
    ConfigurationError when the setting is not a valid declaration.
    """
    if settings is None:
        return _installation_attributes()
    return _registry_of(settings.extra_attributes)


@functools.lru_cache(maxsize=1)
def _installation_attributes() -> AttributeRegistry:
    # Settings(), not get_settings(): validating a declaration must not fix the settings a
    # command reads afterwards.
    return _registry_of(Settings().extra_attributes)


@functools.lru_cache(maxsize=16)
def _registry_of(declared: str) -> AttributeRegistry:
    return load_registry(declared)


def _check_attributes(
    level: AttributeLevel, values: dict[str, Any], info: ValidationInfo
) -> dict[str, Any]:
    if not values:
        return values
    registry = info.context.get("attributes") if isinstance(info.context, dict) else None
    if registry is None:
        registry = declared_attributes()
    assert isinstance(registry, AttributeRegistry)
    return {name: registry.coerce(level, name, value) for name, value in values.items()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class GoodsItemIn(_Strict):
    """One goods item of a declaration, as submitted."""

    item_no: int = Field(ge=1, le=999)
    hs_code: HsCode
    description: Annotated[
        str, Field(max_length=1000, pattern=PLAIN_TEXT), AfterValidator(refuse_bidi_controls)
    ] = ""
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
        problem = item_problem(
            self.net_mass_kg, self.gross_mass_kg, self.supplementary_qty, self.supplementary_unit
        )
        if problem is not None:
            raise ValueError(problem)
        return self


_EXAMPLE: dict[str, Any] = {
    "number": "KGBSK/011026/0000001",
    "version": 1,
    "flow": "IM",
    "procedure": "40",
    "office": "KGBSK",
    "registered_at": "2026-10-01T09:30:00+06:00",
    "declarant": "02107199910034",
    "importer": "01503200710021",
    "exporter": "SHENZHEN-AUTO-EXPORT",
    "exporter_country": "CN",
    "dispatch_country": "CN",
    "destination_country": "KG",
    "transport_mode": 30,
    "vehicle_id": "01KG123ABC",
    "containers": ["MSCU1234565"],
    "incoterms": "FCA",
    "currency": "USD",
    "documents": ["04021", "03011"],
    "attributes": {"payment_type": "11"},
    "items": [
        {
            "item_no": 1,
            "hs_code": "8703231990",
            "description": "passenger car, petrol, 1.5 l",
            "origin": "CN",
            "net_mass_kg": "1250.5",
            "gross_mass_kg": "1300",
            "supplementary_qty": "1",
            "supplementary_unit": "796",
            "invoice_value": "12000",
            "customs_value": "1096200",
            "duty_rate": "15",
            "duties": "164430",
        }
    ],
}


class DeclarationCreate(_Strict):
    """A declaration (one version) as the clearance system submits it."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9/\-_.]*$")
    version: int = Field(default=1, ge=1, le=999)
    flow: Flow
    procedure: ProcedureCode
    office: str = Field(min_length=2, max_length=17, pattern=r"^[A-Z0-9]+$")
    registered_at: RegisteredAt
    declarant: TraderId
    importer: TraderId | None = None
    exporter: TraderId | None = None
    exporter_country: CountryCode | None = None
    dispatch_country: CountryCode | None = None
    destination_country: CountryCode | None = None
    transport_mode: TransportMode
    vehicle_id: (
        Annotated[
            str, Field(max_length=40, pattern=PLAIN_LINE), AfterValidator(refuse_bidi_controls)
        ]
        | None
    ) = None
    containers: list[Annotated[str, AfterValidator(_container)]] = Field(
        default_factory=list, max_length=200
    )
    incoterms: Annotated[str, AfterValidator(_incoterms)] | None = None
    currency: CurrencyCode
    documents: list[Code] = Field(default_factory=list, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)
    items: list[GoodsItemIn] = Field(min_length=1, max_length=999)

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return _check_attributes("header", value, info)

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        problem = numbering_problem([item.item_no for item in self.items]) or declaration_problem(
            self.flow, self.procedure, self.importer, self.exporter
        )
        if problem is not None:
            raise ValueError(problem)
        return self

    def content_hash(self) -> str:
        """SHA-256 of the canonical content, the key of idempotent re-sending."""
        header = [canonical_value(getattr(self, name)) for name in CANONICAL_HEADER]
        items = [
            [canonical_value(getattr(item, name)) for name in CANONICAL_ITEM] for item in self.items
        ]
        return content_digest(header, items)


# --------------------------------------------------------------------------- shared rules
# The model validators above and the bulk (column-wise) intake call the same functions.


def item_problem(
    net_mass_kg: Decimal | None,
    gross_mass_kg: Decimal | None,
    supplementary_qty: Decimal | None,
    supplementary_unit: str | None,
) -> str | None:
    """What is wrong across the fields of one goods item, or None."""
    if net_mass_kg is not None and gross_mass_kg is not None and gross_mass_kg < net_mass_kg:
        return N_(
            "gross_mass_kg %(gross)s is below net_mass_kg %(net)s",
            gross=canonical_value(gross_mass_kg),
            net=canonical_value(net_mass_kg),
        )
    if supplementary_qty is not None and supplementary_unit is None:
        return N_("supplementary_unit is required when supplementary_qty is given")
    return None


def numbering_problem(numbers: list[int]) -> str | None:
    """Goods items must be numbered 1..n in order without gaps."""
    if numbers != list(range(1, len(numbers) + 1)):
        return N_(
            "goods items must be numbered 1..%(count)s in order without gaps, got %(numbers)s",
            count=len(numbers),
            numbers=numbers[:20],
        )
    return None


def declaration_problem(
    flow: str, procedure: str, importer: str | None, exporter: str | None
) -> str | None:
    """What is wrong across the header fields of a declaration, or None."""
    procedure_flow, procedure_name = PROCEDURES[procedure]
    if procedure_flow != flow:
        return N_(
            "procedure %(procedure)s (%(procedure_name)s) belongs to flow "
            "%(procedure_flow)s (%(flow_name)s), not %(flow)s",
            procedure=procedure,
            procedure_name=Message(procedure_name),  # translated where a page shows it
            procedure_flow=procedure_flow,
            flow_name=Message(FLOWS[procedure_flow]),
            flow=flow,
        )
    if flow == "IM" and importer is None:
        return N_("importer is required on an import declaration")
    if flow == "EX" and exporter is None:
        return N_("exporter is required on an export declaration")
    return None


# --------------------------------------------------------------------------- canonical form
# Content hashes compare values, not spellings: 100, 100.0 and 1E+2 are one amount, a
# time is one instant in UTC. Every intake path renders values with canonical_value().

#: Header fields that make up a declaration's content (number and version are its key).
CANONICAL_HEADER: tuple[str, ...] = (
    "flow",
    "procedure",
    "office",
    "registered_at",
    "declarant",
    "importer",
    "exporter",
    "exporter_country",
    "dispatch_country",
    "destination_country",
    "transport_mode",
    "vehicle_id",
    "containers",
    "incoterms",
    "currency",
    "documents",
    "attributes",
)
#: Goods item fields that make up its content.
CANONICAL_ITEM: tuple[str, ...] = (
    "item_no",
    "hs_code",
    "description",
    "origin",
    "preference",
    "net_mass_kg",
    "gross_mass_kg",
    "supplementary_qty",
    "supplementary_unit",
    "invoice_value",
    "customs_value",
    "duty_rate",
    "duties",
    "attributes",
)


_COMPACT: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


def canonical_value(value: object) -> str | None:
    """The one text form of a validated value (also how JSON columns are stored)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list):
        return json.dumps([canonical_value(v) for v in value], **_COMPACT)
    if isinstance(value, dict):
        return json.dumps(
            {name: canonical_value(v) for name, v in sorted(value.items())}, **_COMPACT
        )
    return str(value)  # int, date


def content_digest(header: Sequence[str | None], items: Sequence[Sequence[str | None]]) -> str:
    """SHA-256 over canonical header and item values."""
    text = json.dumps([header, items], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


#: A decimal shown in plain notation in JSON (never 1E+3).
PlainDecimal = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]


class GoodsItemRead(BaseModel):
    """A stored goods item."""

    item_no: int
    hs_code: str
    description: str
    origin: str
    preference: str | None
    net_mass_kg: PlainDecimal | None
    gross_mass_kg: PlainDecimal | None
    supplementary_qty: PlainDecimal | None
    supplementary_unit: str | None
    invoice_value: PlainDecimal
    customs_value: PlainDecimal | None
    duty_rate: PlainDecimal | None
    duties: PlainDecimal | None
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
    total_customs_value: PlainDecimal | None
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
