"""The reference tables of the demo world: offices, partners, goods, traders, exchange rates.

Every figure is approximate public knowledge about Kyrgyz foreign trade (National
Statistical Committee and NBKR publications, the EAEU Common Customs Tariff, press
reports on the border crossings), rounded and simplified for a demo. None of it is
an official figure; where a number is invented for the demo, the comment says so.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, Literal, TypeVar

GoodsLine = Literal[
    "cars",
    "phones",
    "footwear",
    "garments",
    "food",
    "tyres",
    "cigarettes",
    "medicines",
    "general",
    "export",
]
Honesty = Literal["honest", "average", "new", "offender"]
TraderRole = Literal["importer", "broker", "exporter"]

#: Supplementary units (OKEI codes as used in the EAEU CN FEA).
PIECES: Final = "796"
PAIRS: Final = "715"
THOUSAND_PIECES: Final = "798"
LITRES: Final = "112"
SQUARE_METRES: Final = "055"
#: How the units read in plain language ("" for goods counted in kg).
UNIT_NAMES: Final[dict[str, str]] = {
    PIECES: "pieces",
    PAIRS: "pairs",
    THOUSAND_PIECES: "thousand pieces",
    LITRES: "litres",
    SQUARE_METRES: "m2",
    "": "kg",
}


# --------------------------------------------------------------------------- offices


@dataclass(frozen=True, slots=True)
class Office:
    """A customs office (post) of the demo world and the traffic it sees."""

    code: str
    name: str
    region: str
    #: share of the national declaration flow registered at this office
    share: float
    #: transport mode at the border (10 sea, 20 rail, 30 road, 40 air, 50 post) -> weight
    modes: tuple[tuple[int, float], ...]
    #: partner country -> multiplier of its national share at this office
    partners: tuple[tuple[str, float], ...]
    #: multiplier for partners not listed (0: only the listed partners come here)
    other_partners: float
    #: flow (IM/EX/TR) -> weight
    flows: tuple[tuple[str, float], ...]
    #: destination country of exports -> weight
    exports_to: tuple[tuple[str, float], ...]
    #: transit routes through the office: (dispatch, destination, weight)
    transit: tuple[tuple[str, str, float], ...]
    #: whether the office registers declarations on weekends and public holidays
    open_weekends: bool
    #: KG licence-plate region code of the trucks based near the office
    plate_region: str
    #: registers declarations at night too (airport, the busiest road post)
    round_the_clock: bool = False
    #: the goods lines importers declare here (None: any)
    lines: tuple[GoodsLine, ...] | None = None


# Shares, modes and partner mixes: approximate, from public descriptions of the posts
# (Torugart and Irkeshtam are the two road crossings to China and close on weekends;
# Dostuk is the main road crossing to Uzbekistan; Ak-Jol the main one to Kazakhstan;
# Bishkek and Osh are the inland clearance offices that take most of the traffic).
OFFICES: Final[tuple[Office, ...]] = (
    Office(
        code="KGBSK",
        name="Bishkek customs (inland clearance)",
        region="Chui",
        share=0.34,
        modes=((30, 0.8), (20, 0.2)),
        partners=(("KZ", 0.8), ("RU", 0.8)),
        other_partners=1.0,
        flows=(("IM", 0.9), ("EX", 0.1)),
        exports_to=(("TR", 0.3), ("CN", 0.2), ("UZ", 0.15), ("AF", 0.15), ("IR", 0.1), ("TJ", 0.1)),
        transit=(),
        open_weekends=True,
        plate_region="01",
    ),
    Office(
        code="KGOSH",
        name="Osh customs (inland clearance)",
        region="Osh",
        share=0.12,
        modes=((30, 0.95), (20, 0.05)),
        partners=(
            ("CN", 1.2),
            ("UZ", 2.0),
            ("TR", 1.3),
            ("IN", 1.2),
            ("DE", 0.4),
            ("US", 0.4),
            ("KZ", 0.5),
            ("RU", 0.5),
        ),
        other_partners=0.8,
        flows=(("IM", 0.88), ("EX", 0.12)),
        exports_to=(("UZ", 0.35), ("TJ", 0.25), ("AF", 0.2), ("CN", 0.2)),
        transit=(),
        open_weekends=True,
        plate_region="02",
    ),
    Office(
        code="KGTOR",
        name="Torugart (road border post, China)",
        region="Naryn",
        share=0.08,
        modes=((30, 1.0),),
        partners=(("CN", 1.0),),
        other_partners=0.0,
        flows=(("IM", 0.6), ("EX", 0.15), ("TR", 0.25)),
        exports_to=(("CN", 1.0),),
        transit=(("CN", "KZ", 0.5), ("CN", "UZ", 0.3), ("CN", "TJ", 0.2)),
        open_weekends=False,
        plate_region="05",
    ),
    Office(
        code="KGIRK",
        name="Irkeshtam (road border post, China)",
        region="Osh",
        share=0.09,
        modes=((30, 1.0),),
        partners=(("CN", 1.0),),
        other_partners=0.0,
        flows=(("IM", 0.6), ("EX", 0.1), ("TR", 0.3)),
        exports_to=(("CN", 1.0),),
        transit=(("CN", "UZ", 0.45), ("CN", "TJ", 0.3), ("CN", "AF", 0.15), ("CN", "TM", 0.1)),
        open_weekends=False,
        plate_region="03",
    ),
    Office(
        code="KGAKJ",
        name="Ak-Jol (road border post, Kazakhstan)",
        region="Chui",
        share=0.11,
        modes=((30, 1.0),),
        partners=(
            ("KZ", 4.0),
            ("RU", 4.0),
            ("BY", 4.0),
            ("DE", 2.0),
            ("PL", 2.0),
            ("IT", 1.5),
            ("KR", 1.2),
            ("US", 1.2),
            ("JP", 1.2),
            ("TR", 1.0),
        ),
        other_partners=0.3,
        flows=(("IM", 0.85), ("TR", 0.15)),
        exports_to=(),
        transit=(("KZ", "UZ", 0.4), ("RU", "TJ", 0.3), ("KZ", "TJ", 0.2), ("RU", "AF", 0.1)),
        open_weekends=True,
        plate_region="08",
        round_the_clock=True,
    ),
    Office(
        code="KGDST",
        name="Dostuk (road border post, Uzbekistan)",
        region="Osh",
        share=0.06,
        modes=((30, 1.0),),
        partners=(("UZ", 1.0), ("TR", 0.04), ("AE", 0.03), ("IR", 0.1)),
        other_partners=0.0,
        flows=(("IM", 0.65), ("EX", 0.15), ("TR", 0.2)),
        exports_to=(("UZ", 1.0),),
        transit=(("UZ", "KZ", 0.5), ("UZ", "CN", 0.3), ("UZ", "RU", 0.2)),
        open_weekends=True,
        plate_region="03",
    ),
    Office(
        code="KGFRU",
        name="Manas international airport",
        region="Chui",
        share=0.07,
        modes=((40, 0.85), (50, 0.15)),
        partners=(
            ("TR", 2.0),
            ("AE", 2.5),
            ("US", 2.0),
            ("KR", 1.5),
            ("DE", 1.5),
            ("IN", 1.5),
            ("CN", 0.6),
            ("RU", 0.5),
            ("KZ", 0.1),
            ("UZ", 0.05),
        ),
        other_partners=0.8,
        flows=(("IM", 0.85), ("EX", 0.15)),
        exports_to=(("TR", 0.3), ("AE", 0.3), ("DE", 0.2), ("CN", 0.2)),
        transit=(),
        open_weekends=True,
        plate_region="01",
        round_the_clock=True,
        lines=("phones", "garments", "footwear", "medicines", "general", "cigarettes"),
    ),
    Office(
        code="KGKAN",
        name="Kant (rail terminal)",
        region="Chui",
        share=0.07,
        modes=((20, 1.0),),
        partners=(("RU", 3.0), ("KZ", 3.0), ("BY", 2.0), ("CN", 0.6), ("DE", 1.0), ("KR", 1.0)),
        other_partners=0.2,
        flows=(("IM", 0.9), ("TR", 0.1)),
        exports_to=(),
        transit=(("RU", "UZ", 0.5), ("KZ", "TJ", 0.5)),
        open_weekends=True,
        plate_region="08",
    ),
    Office(
        code="KGJAL",
        name="Jalal-Abad customs",
        region="Jalal-Abad",
        share=0.03,
        modes=((30, 0.9), (20, 0.1)),
        partners=(("UZ", 3.0), ("CN", 1.0), ("TR", 1.0)),
        other_partners=0.3,
        flows=(("IM", 0.85), ("EX", 0.15)),
        exports_to=(("UZ", 0.7), ("TJ", 0.3)),
        transit=(),
        open_weekends=True,
        plate_region="04",
    ),
    Office(
        code="KGKRK",
        name="Karakol customs",
        region="Issyk-Kul",
        share=0.03,
        modes=((30, 1.0),),
        partners=(("KZ", 3.0), ("CN", 1.0), ("RU", 1.0)),
        other_partners=0.2,
        flows=(("IM", 0.9), ("EX", 0.1)),
        exports_to=(("CN", 1.0),),
        transit=(),
        open_weekends=True,
        plate_region="07",
    ),
)

OFFICES_BY_CODE: Final[dict[str, Office]] = {office.code: office for office in OFFICES}

#: Public holidays of the Kyrgyz Republic on fixed dates (month, day); the moving
#: holidays (Orozo Ait, Kurman Ait) are left out of the demo.
PUBLIC_HOLIDAYS: Final[frozenset[tuple[int, int]]] = frozenset(
    {(1, 1), (1, 7), (2, 23), (3, 8), (3, 21), (4, 7), (5, 1), (5, 5), (5, 9), (8, 31), (11, 7)}
)

#: Document kinds in the style of the EAEU classifier of document kinds (codes as
#: remembered from Decision No 378 of the Customs Union Commission; approximate).
DOCUMENT_KINDS: Final[dict[str, str]] = {
    "01191": "declaration of conformity with EAEU technical regulations",
    "02013": "railway consignment note (SMGS)",
    "02015": "international road consignment note (CMR)",
    "02017": "air waybill",
    "03011": "foreign trade contract",
    "04021": "invoice",
    "06011": "certificate of origin (preferential: ST-1, form A)",
}


# --------------------------------------------------------------------------- partners


@dataclass(frozen=True, slots=True)
class Partner:
    """A country goods are dispatched from, with its share of import declarations."""

    country: str
    #: share of import declarations dispatched from this country
    share: float
    #: invoice currency -> weight
    currencies: tuple[tuple[str, float], ...]
    #: a hub re-dispatches third-country goods (transit through the EAEU, UAE re-exports)
    hub: bool = False


# Shares of declarations by country of dispatch: China dominant, then the EAEU
# neighbours (third-country goods routed through them) and Turkey. Approximate, from
# NSC import statistics by value, tilted towards declaration counts. Most contracts
# are in US dollars; currencies are approximate too.
PARTNERS: Final[tuple[Partner, ...]] = (
    Partner("CN", 0.45, (("USD", 0.6), ("CNY", 0.4))),
    Partner("KZ", 0.10, (("USD", 0.45), ("KZT", 0.3), ("RUB", 0.25)), hub=True),
    Partner("RU", 0.08, (("RUB", 0.65), ("USD", 0.35)), hub=True),
    Partner("TR", 0.08, (("USD", 0.6), ("EUR", 0.25), ("TRY", 0.15))),
    Partner("UZ", 0.06, (("USD", 0.8), ("UZS", 0.2))),
    Partner("DE", 0.05, (("EUR", 0.9), ("USD", 0.1))),
    Partner("US", 0.04, (("USD", 1.0),)),
    Partner("KR", 0.04, (("USD", 0.7), ("KRW", 0.3))),
    Partner("AE", 0.04, (("USD", 0.65), ("AED", 0.35)), hub=True),
    Partner("IN", 0.02, (("USD", 0.8), ("INR", 0.2))),
    # rarely
    Partner("JP", 0.012, (("USD", 1.0),)),
    Partner("IT", 0.008, (("EUR", 1.0),)),
    Partner("PL", 0.006, (("EUR", 0.8), ("USD", 0.2))),
    Partner("VN", 0.006, (("USD", 1.0),)),
    Partner("IR", 0.004, (("USD", 0.6), ("EUR", 0.4))),
    Partner("BY", 0.004, (("RUB", 0.7), ("USD", 0.3)), hub=True),
)

PARTNERS_BY_COUNTRY: Final[dict[str, Partner]] = {p.country: p for p in PARTNERS}

#: Tariff preferences by country of origin: (code on the declaration, share of the
#: full rate paid). CIS FTA (ST-1 certificate) and EAEU goods: free; the EAEU-Vietnam
#: FTA: free (simplified, most lines); the EAEU scheme of preferences: developing
#: countries pay 75 %, least developed 0 %. The codes are readable stand-ins for the
#: EAEU box-36 preference codes.
PREFERENCES: Final[dict[str, tuple[str, Decimal]]] = {
    "UZ": ("FTA-CIS", Decimal(0)),
    "TJ": ("FTA-CIS", Decimal(0)),
    "KZ": ("EAEU", Decimal(0)),
    "RU": ("EAEU", Decimal(0)),
    "BY": ("EAEU", Decimal(0)),
    "VN": ("FTA-VN", Decimal(0)),
    "IN": ("GSP-DC", Decimal("0.75")),
    "PK": ("GSP-DC", Decimal("0.75")),
    "EG": ("GSP-DC", Decimal("0.75")),
    "LK": ("GSP-DC", Decimal("0.75")),
    "BD": ("GSP-LDC", Decimal(0)),
}


# --------------------------------------------------------------------------- goods


@dataclass(frozen=True, slots=True)
class Origin:
    """A country goods of one code come from, how often, and at what typical price."""

    country: str
    weight: float
    #: typical price in USD per supplementary unit (per kg when the goods have none)
    usd: float


@dataclass(frozen=True, slots=True)
class Goods:
    """A 10-digit national tariff line of the demo world and how it trades."""

    hs_code: str
    description: str
    line: GoodsLine
    #: frequency within its goods line
    weight: float
    #: ad valorem import duty, percent (EAEU CCT-like; specific rates as an equivalent)
    duty_rate: Decimal
    #: supplementary unit (OKEI code) or None when the goods are counted in kg
    unit: str | None
    #: net mass per supplementary unit (1 when counted in kg)
    kg_per_unit: float
    origins: tuple[Origin, ...]
    #: lognormal sigma of the unit price around the typical price
    price_sigma: float
    #: median quantity per goods item (units, or kg) and its lognormal sigma
    quantity: tuple[float, float]
    #: lower-duty code that misclassification fraud declares these goods under
    misdeclared_as: str | None = None
    #: low-value bulk goods a smuggler can hide other goods in
    cover: bool = False
    #: subject to EAEU technical regulations (a declaration of conformity, 01191)
    conformity: bool = False


def _goods(
    hs_code: str,
    line: GoodsLine,
    description: str,
    *,
    weight: float,
    duty: str | int,
    unit: str | None = None,
    kg: float = 1.0,
    sigma: float,
    qty: tuple[float, float],
    origins: tuple[tuple[str, float, float], ...],
    misdeclared_as: str | None = None,
    cover: bool = False,
    conformity: bool = False,
) -> Goods:
    return Goods(
        hs_code=hs_code,
        description=description,
        line=line,
        weight=weight,
        duty_rate=Decimal(duty),
        unit=unit,
        kg_per_unit=kg,
        origins=tuple(Origin(country, share, usd) for country, share, usd in origins),
        price_sigma=sigma,
        quantity=qty,
        misdeclared_as=misdeclared_as,
        cover=cover,
        conformity=conformity,
    )


# Codes follow the EAEU CN FEA structure (the 6-digit subheadings are real, the national
# 4 digits approximate). Duty rates approximate the EAEU Common Customs Tariff; where the
# tariff sets a specific rate (used cars in EUR per cm3, sugar in USD per tonne, beer in
# EUR per litre) an approximate ad valorem equivalent is used. Prices are rough public
# market levels in USD per supplementary unit, or per kg (demo figures, not reference
# prices); `kg` is the net mass per unit; `qty` the median quantity per goods item and
# its lognormal sigma; `sigma` the lognormal spread of the unit price.
# fmt: off
GOODS: Final[tuple[Goods, ...]] = (
    # cars: new 15 %, used at a specific rate (equivalent here), electric 0 %
    _goods("8703231940", "cars", "passenger car, new, petrol, 1500-1800 cm3",
           weight=0.30, duty=15, unit=PIECES, kg=1300, sigma=0.25, qty=(1, 0.6),
           origins=(("CN", 0.40, 14500), ("KR", 0.20, 17500), ("JP", 0.12, 21000),
                    ("DE", 0.10, 27000), ("US", 0.08, 23000), ("UZ", 0.10, 12000)),
           misdeclared_as="8703800002", conformity=True),
    _goods("8703231981", "cars", "passenger car, new, petrol, 1800-3000 cm3",
           weight=0.22, duty=15, unit=PIECES, kg=1600, sigma=0.3, qty=(1, 0.6),
           origins=(("CN", 0.35, 24000), ("KR", 0.20, 27000), ("JP", 0.20, 35000),
                    ("DE", 0.15, 48000), ("US", 0.10, 38000)),
           misdeclared_as="8703800002", conformity=True),
    _goods("8703239081", "cars", "passenger car, used 3-5 years, petrol, 1500-3000 cm3",
           weight=0.22, duty=25, unit=PIECES, kg=1450, sigma=0.35, qty=(1, 0.6),
           origins=(("KR", 0.25, 12000), ("JP", 0.20, 15000), ("DE", 0.20, 18000),
                    ("US", 0.30, 14000), ("CN", 0.05, 11000)),
           conformity=True),
    _goods("8703249090", "cars", "passenger car, used 3-5 years, petrol, over 3000 cm3",
           weight=0.08, duty=30, unit=PIECES, kg=2000, sigma=0.35, qty=(1, 0.5),
           origins=(("US", 0.45, 22000), ("DE", 0.25, 30000), ("JP", 0.30, 28000)),
           conformity=True),
    _goods("8703409001", "cars", "passenger car, new, hybrid petrol-electric, not plug-in",
           weight=0.08, duty=15, unit=PIECES, kg=1550, sigma=0.25, qty=(1, 0.6),
           origins=(("CN", 0.45, 22000), ("JP", 0.35, 30000), ("KR", 0.20, 26000)),
           misdeclared_as="8703800002", conformity=True),
    _goods("8703800002", "cars", "passenger car, new, electric motor only",
           weight=0.10, duty=0, unit=PIECES, kg=1900, sigma=0.3, qty=(1, 0.6),
           origins=(("CN", 0.70, 25000), ("US", 0.10, 40000), ("DE", 0.10, 50000),
                    ("KR", 0.10, 33000)),
           conformity=True),
    # phones and network equipment: 0 % (Information Technology Agreement)
    _goods("8517130000", "phones", "smartphones",
           weight=0.75, duty=0, unit=PIECES, kg=0.32, sigma=0.5, qty=(150, 1.0),
           origins=(("CN", 0.70, 140), ("VN", 0.15, 320), ("IN", 0.10, 160), ("KR", 0.05, 450)),
           conformity=True),
    _goods("8517620009", "phones", "network equipment (routers, switches, modems)",
           weight=0.25, duty=0, unit=PIECES, kg=0.6, sigma=0.6, qty=(80, 1.0),
           origins=(("CN", 0.85, 45), ("VN", 0.05, 60), ("US", 0.05, 180), ("KR", 0.05, 80)),
           conformity=True),
    # footwear: 10 %, parts 5 %
    _goods("6403999800", "footwear", "footwear with leather uppers",
           weight=0.30, duty=10, unit=PAIRS, kg=0.9, sigma=0.45, qty=(500, 0.9),
           origins=(("CN", 0.55, 12), ("TR", 0.20, 24), ("VN", 0.12, 18), ("IT", 0.05, 65),
                    ("IN", 0.08, 13)),
           misdeclared_as="6406109000", conformity=True),
    _goods("6404199000", "footwear", "footwear with textile uppers (sneakers)",
           weight=0.35, duty=10, unit=PAIRS, kg=0.7, sigma=0.45, qty=(600, 0.9),
           origins=(("CN", 0.60, 6), ("VN", 0.20, 11), ("TR", 0.10, 9), ("IN", 0.05, 6.5),
                    ("BD", 0.05, 5)),
           misdeclared_as="6406109000", conformity=True),
    _goods("6402999800", "footwear", "footwear with rubber or plastic soles and uppers",
           weight=0.25, duty=10, unit=PAIRS, kg=0.55, sigma=0.4, qty=(800, 0.9),
           origins=(("CN", 0.70, 3), ("TR", 0.20, 5), ("VN", 0.10, 4)),
           conformity=True),
    _goods("6406109000", "footwear", "uppers and parts of uppers of footwear",
           weight=0.10, duty=5, sigma=0.4, qty=(400, 0.9),
           origins=(("CN", 0.80, 4.5), ("TR", 0.20, 6))),
    # garments (chapters 61-62): 10 %, worn clothing 5 %
    _goods("6109100000", "garments", "T-shirts, knitted, of cotton",
           weight=0.25, duty=10, unit=PIECES, kg=0.18, sigma=0.45, qty=(1500, 1.0),
           origins=(("CN", 0.60, 1.9), ("TR", 0.15, 4.2), ("UZ", 0.10, 2.6), ("BD", 0.10, 1.5),
                    ("IN", 0.05, 2.1)),
           misdeclared_as="6309000000", conformity=True),
    _goods("6110201000", "garments", "jerseys and pullovers, knitted, of cotton",
           weight=0.20, duty=10, unit=PIECES, kg=0.35, sigma=0.45, qty=(800, 1.0),
           origins=(("CN", 0.60, 4.2), ("TR", 0.20, 9), ("UZ", 0.10, 5), ("BD", 0.10, 3.2)),
           misdeclared_as="6309000000", conformity=True),
    _goods("6204623100", "garments", "women's trousers of cotton denim",
           weight=0.20, duty=10, unit=PIECES, kg=0.6, sigma=0.45, qty=(700, 1.0),
           origins=(("CN", 0.60, 5), ("TR", 0.20, 10), ("UZ", 0.10, 6), ("BD", 0.10, 4)),
           misdeclared_as="6309000000", conformity=True),
    _goods("6203423100", "garments", "men's trousers of cotton denim",
           weight=0.15, duty=10, unit=PIECES, kg=0.7, sigma=0.45, qty=(700, 1.0),
           origins=(("CN", 0.60, 5.5), ("TR", 0.20, 11), ("BD", 0.20, 4.5)),
           conformity=True),
    _goods("6201400000", "garments", "men's anoraks and jackets of man-made fibres",
           weight=0.10, duty=10, unit=PIECES, kg=1.1, sigma=0.45, qty=(400, 1.0),
           origins=(("CN", 0.80, 16), ("TR", 0.20, 32)),
           conformity=True),
    _goods("6309000000", "garments", "worn clothing and other worn articles",
           weight=0.10, duty=5, sigma=0.35, qty=(12000, 0.5),
           origins=(("US", 0.30, 0.9), ("DE", 0.25, 0.8), ("GB", 0.20, 0.85), ("KR", 0.15, 0.7),
                    ("CN", 0.10, 0.6))),
    # food and drink
    _goods("0808108000", "food", "fresh apples",
           weight=0.30, duty=10, sigma=0.25, qty=(18000, 0.3),
           origins=(("CN", 0.40, 0.55), ("UZ", 0.20, 0.45), ("IR", 0.15, 0.50), ("PL", 0.15, 0.60),
                    ("TR", 0.10, 0.65)),
           cover=True),
    _goods("0805102200", "food", "fresh oranges",
           weight=0.12, duty=5, sigma=0.25, qty=(15000, 0.3),
           origins=(("TR", 0.40, 0.70), ("EG", 0.30, 0.55), ("PK", 0.15, 0.50),
                    ("CN", 0.15, 0.80))),
    _goods("1701991000", "food", "white cane or beet sugar",
           weight=0.12, duty=40, sigma=0.15, qty=(20000, 0.2),
           origins=(("IN", 0.30, 0.52), ("BR", 0.35, 0.50), ("PK", 0.10, 0.55), ("KZ", 0.25, 0.60)),
           misdeclared_as="1701140000", cover=True),
    _goods("1701140000", "food", "raw cane sugar for refining",
           weight=0.02, duty=25, sigma=0.15, qty=(20000, 0.2),
           origins=(("BR", 0.70, 0.42), ("IN", 0.30, 0.44))),
    _goods("2203000100", "food", "malt beer in containers up to 10 l",
           weight=0.14, duty=10, unit=LITRES, kg=1.05, sigma=0.3, qty=(15000, 0.4),
           origins=(("DE", 0.25, 1.4), ("CN", 0.15, 0.8), ("TR", 0.15, 1.0), ("KZ", 0.35, 0.9),
                    ("KR", 0.10, 1.1)),
           misdeclared_as="2202910000", conformity=True),
    _goods("2202910000", "food", "non-alcoholic beer",
           weight=0.03, duty=5, unit=LITRES, kg=1.05, sigma=0.3, qty=(10000, 0.4),
           origins=(("DE", 0.50, 1.2), ("TR", 0.20, 0.9), ("KZ", 0.30, 0.8)),
           conformity=True),
    _goods("0902300000", "food", "black tea in packings up to 3 kg",
           weight=0.12, duty=0, sigma=0.35, qty=(2000, 0.8),
           origins=(("IN", 0.40, 4.5), ("CN", 0.30, 3.5), ("LK", 0.30, 5.0))),
    # tyres: 10 %
    _goods("4011100003", "tyres", "new pneumatic tyres for passenger cars",
           weight=0.75, duty=10, unit=PIECES, kg=9, sigma=0.3, qty=(200, 0.8),
           origins=(("CN", 0.55, 32), ("KR", 0.12, 58), ("JP", 0.08, 78), ("TR", 0.12, 42),
                    ("DE", 0.05, 90), ("VN", 0.08, 38)),
           conformity=True),
    _goods("4011201000", "tyres", "new pneumatic tyres for buses and lorries",
           weight=0.25, duty=10, unit=PIECES, kg=55, sigma=0.3, qty=(60, 0.8),
           origins=(("CN", 0.70, 140), ("TR", 0.15, 190), ("JP", 0.10, 310), ("KR", 0.05, 240)),
           conformity=True),
    # tobacco: a 30 % equivalent (excise is not modelled)
    _goods("2402209000", "cigarettes", "cigarettes containing tobacco",
           weight=0.85, duty=30, unit=THOUSAND_PIECES, kg=0.9, sigma=0.3, qty=(400, 0.8),
           origins=(("AE", 0.30, 11), ("TR", 0.20, 16), ("CN", 0.20, 9), ("KR", 0.15, 22),
                    ("DE", 0.05, 30), ("UZ", 0.10, 10))),
    _goods("2403199000", "cigarettes", "smoking tobacco",
           weight=0.15, duty=30, sigma=0.35, qty=(800, 0.8),
           origins=(("AE", 0.30, 12), ("TR", 0.30, 14), ("IN", 0.20, 6), ("CN", 0.20, 8))),
    # medicines: 0 %
    _goods("3004900002", "medicines", "medicaments in measured doses, other",
           weight=0.60, duty=0, sigma=0.5, qty=(300, 1.0),
           origins=(("IN", 0.35, 22), ("CN", 0.15, 18), ("DE", 0.15, 110), ("TR", 0.15, 35),
                    ("KR", 0.10, 55), ("US", 0.05, 150), ("PL", 0.05, 60))),
    _goods("3004200002", "medicines", "antibiotics in measured doses",
           weight=0.25, duty=0, sigma=0.5, qty=(200, 1.0),
           origins=(("IN", 0.50, 28), ("CN", 0.30, 22), ("DE", 0.10, 95), ("TR", 0.10, 40))),
    _goods("3002150000", "medicines", "immunological products in measured doses",
           weight=0.15, duty=0, sigma=0.5, qty=(40, 1.0),
           origins=(("DE", 0.30, 600), ("US", 0.20, 900), ("IN", 0.30, 250), ("KR", 0.20, 400))),
    # general cargo (the fillers of mixed consignments)
    _goods("8471300000", "general", "portable computers (laptops)",
           weight=0.08, duty=0, unit=PIECES, kg=2.2, sigma=0.4, qty=(40, 1.0),
           origins=(("CN", 0.85, 380), ("VN", 0.10, 450), ("US", 0.05, 900)),
           conformity=True),
    _goods("3304990000", "general", "beauty and skin-care preparations",
           weight=0.08, duty="6.5", sigma=0.5, qty=(500, 1.0),
           origins=(("CN", 0.30, 8), ("KR", 0.30, 18), ("TR", 0.15, 10), ("DE", 0.10, 25),
                    ("FR", 0.10, 35), ("IN", 0.05, 7)),
           conformity=True),
    _goods("9403609000", "general", "wooden furniture",
           weight=0.07, duty=10, unit=PIECES, kg=28, sigma=0.45, qty=(40, 0.9),
           origins=(("CN", 0.60, 55), ("TR", 0.20, 110), ("IT", 0.05, 450), ("PL", 0.05, 120),
                    ("UZ", 0.10, 50)),
           misdeclared_as="9403919000", cover=True, conformity=True),
    _goods("9403919000", "general", "parts of furniture, of wood",
           weight=0.02, duty=5, sigma=0.4, qty=(2000, 0.8),
           origins=(("CN", 0.80, 1.6), ("TR", 0.20, 2.2))),
    _goods("7308909809", "general", "structures and parts of structures of steel",
           weight=0.07, duty=10, sigma=0.3, qty=(8000, 0.6),
           origins=(("CN", 0.60, 1.2), ("TR", 0.15, 1.6), ("KZ", 0.15, 1.0), ("DE", 0.10, 3.0)),
           misdeclared_as="7216330000", cover=True),
    _goods("7216330000", "general", "H-sections of iron or non-alloy steel, hot-rolled",
           weight=0.03, duty=5, sigma=0.2, qty=(15000, 0.5),
           origins=(("CN", 0.60, 0.75), ("KZ", 0.25, 0.70), ("TR", 0.15, 0.80)),
           cover=True),
    _goods("8418102001", "general", "household combined refrigerator-freezers",
           weight=0.06, duty=10, unit=PIECES, kg=62, sigma=0.3, qty=(60, 0.7),
           origins=(("CN", 0.50, 230), ("TR", 0.25, 310), ("KR", 0.10, 480), ("UZ", 0.10, 210),
                    ("DE", 0.05, 650)),
           misdeclared_as="8418990009", cover=True, conformity=True),
    _goods("8418990009", "general", "parts of refrigerating equipment",
           weight=0.01, duty=5, sigma=0.4, qty=(1500, 0.8),
           origins=(("CN", 0.90, 3.5), ("TR", 0.10, 4.5))),
    _goods("6907219000", "general", "ceramic tiles, water absorption up to 0.5 %",
           weight=0.07, duty=12, unit=SQUARE_METRES, kg=20, sigma=0.3, qty=(1200, 0.5),
           origins=(("CN", 0.40, 6.5), ("TR", 0.20, 9.5), ("IN", 0.15, 5.5), ("UZ", 0.10, 5.5),
                    ("IR", 0.10, 5.0), ("ES", 0.05, 15)),
           misdeclared_as="6810199000", cover=True),
    _goods("6810199000", "general", "tiles and flagstones of cement or concrete",
           weight=0.01, duty=5, unit=SQUARE_METRES, kg=30, sigma=0.3, qty=(1200, 0.5),
           origins=(("CN", 0.50, 3.0), ("KZ", 0.50, 2.5)),
           cover=True),
    _goods("3920102500", "general", "polyethylene film",
           weight=0.07, duty="6.5", sigma=0.25, qty=(5000, 0.8),
           origins=(("CN", 0.50, 1.6), ("KR", 0.15, 1.9), ("TR", 0.10, 1.8), ("KZ", 0.10, 1.5),
                    ("IR", 0.15, 1.4)),
           cover=True),
    _goods("9503009909", "general", "toys",
           weight=0.07, duty="7.5", sigma=0.45, qty=(1500, 1.0),
           origins=(("CN", 0.95, 3.5), ("TR", 0.05, 5.0)),
           conformity=True),
    _goods("8708299009", "general", "parts and accessories of car bodies",
           weight=0.08, duty=5, sigma=0.5, qty=(800, 1.0),
           origins=(("CN", 0.50, 4.0), ("JP", 0.15, 9.0), ("KR", 0.15, 7.0), ("DE", 0.10, 12.0),
                    ("TR", 0.10, 6.0))),
    _goods("8528720000", "general", "television receivers, colour",
           weight=0.05, duty=10, unit=PIECES, kg=12, sigma=0.4, qty=(100, 0.9),
           origins=(("CN", 0.70, 180), ("KR", 0.20, 320), ("TR", 0.10, 200)),
           conformity=True),
    # exports of Kyrgyz goods (no export duty)
    _goods("0713339000", "export", "dried kidney beans",
           weight=0.30, duty=0, sigma=0.2, qty=(20000, 0.3), origins=(("KG", 1.0, 0.95),)),
    _goods("0813100000", "export", "dried apricots",
           weight=0.10, duty=0, sigma=0.3, qty=(10000, 0.5), origins=(("KG", 1.0, 2.8),)),
    _goods("0802320000", "export", "walnuts, shelled",
           weight=0.10, duty=0, sigma=0.3, qty=(5000, 0.6), origins=(("KG", 1.0, 5.5),)),
    _goods("2616900000", "export", "precious-metal ores and concentrates",
           weight=0.10, duty=0, sigma=0.4, qty=(60000, 0.3), origins=(("KG", 1.0, 3.0),)),
    _goods("2701129000", "export", "bituminous coal",
           weight=0.15, duty=0, sigma=0.2, qty=(60000, 0.2), origins=(("KG", 1.0, 0.07),)),
    _goods("6104630000", "export", "women's trousers, knitted, of synthetic fibres",
           weight=0.25, duty=0, unit=PIECES, kg=0.4, sigma=0.35, qty=(2000, 0.8),
           origins=(("KG", 1.0, 4.5),)),
)
# fmt: on

GOODS_BY_CODE: Final[dict[str, Goods]] = {goods.hs_code: goods for goods in GOODS}

#: Goods lines of importers (share of importers) and how many goods items a
#: declaration of each line carries (count -> weight). Invented for the demo.
IMPORTER_LINES: Final[tuple[tuple[GoodsLine, float], ...]] = (
    ("general", 0.38),
    ("garments", 0.14),
    ("cars", 0.10),
    ("footwear", 0.08),
    ("food", 0.08),
    ("phones", 0.07),
    ("tyres", 0.06),
    ("medicines", 0.06),
    ("cigarettes", 0.03),
)

ITEM_COUNTS: Final[dict[GoodsLine, tuple[tuple[int, float], ...]]] = {
    "cars": ((1, 0.7), (2, 0.2), (3, 0.1)),
    "phones": ((1, 0.5), (2, 0.25), (3, 0.15), (4, 0.1)),
    "footwear": ((1, 0.35), (2, 0.25), (3, 0.15), (4, 0.1), (5, 0.1), (6, 0.05)),
    "garments": tuple((n, 1.0 / n) for n in range(1, 9)),
    "food": ((1, 0.85), (2, 0.15)),
    "tyres": ((1, 0.6), (2, 0.3), (3, 0.1)),
    "cigarettes": ((1, 0.8), (2, 0.2)),
    "medicines": tuple((n, 1.0 / n) for n in range(1, 9)),
    "general": tuple((n, 1.0 / n) for n in range(1, 9)),
    "export": ((1, 0.85), (2, 0.15)),
}

#: Makes and models that go into descriptions, by goods line and origin.
BRANDS: Final[dict[tuple[GoodsLine, str], tuple[str, ...]]] = {
    ("cars", "CN"): ("CHERY", "GEELY", "HAVAL", "BYD", "CHANGAN"),
    ("cars", "KR"): ("HYUNDAI", "KIA"),
    ("cars", "JP"): ("TOYOTA", "LEXUS", "HONDA", "NISSAN"),
    ("cars", "DE"): ("BMW", "MERCEDES-BENZ", "VOLKSWAGEN", "AUDI"),
    ("cars", "US"): ("FORD", "CHEVROLET", "TESLA", "JEEP"),
    ("cars", "UZ"): ("CHEVROLET",),
    ("phones", "CN"): ("XIAOMI", "HONOR", "TECNO", "APPLE"),
    ("phones", "VN"): ("SAMSUNG",),
    ("phones", "KR"): ("SAMSUNG",),
    ("phones", "IN"): ("SAMSUNG", "XIAOMI"),
}


@dataclass(frozen=True, slots=True)
class ConcealedGoods:
    """Goods smuggled inside a consignment of other goods (the truth of a concealment)."""

    hs_code: str
    description: str
    unit: str | None
    quantity: Decimal
    net_mass_kg: Decimal
    value_kgs: Decimal
    duty_rate: Decimal


@dataclass(frozen=True, slots=True)
class Contraband:
    """A kind of goods smugglers hide, with its typical size per consignment."""

    hs_code: str
    description: str
    unit: str | None
    usd: float
    kg_per_unit: float
    quantity: tuple[float, float]
    duty_rate: Decimal
    weight: float


# What is found in concealment cases at Central Asian borders, from press reports of
# seizures (cigarettes without excise stamps, tramadol, counterfeit phones, fireworks).
CONTRABAND: Final[tuple[Contraband, ...]] = (
    Contraband(
        "2402209000",
        "cigarettes without EAEU excise stamps",
        THOUSAND_PIECES,
        9.0,
        0.9,
        (200.0, 0.6),
        Decimal(30),
        0.45,
    ),
    Contraband(
        "3004900002",
        "unregistered medicines containing tramadol",
        None,
        40.0,
        1.0,
        (30.0, 0.8),
        Decimal(0),
        0.2,
    ),
    Contraband(
        "8517130000",
        "counterfeit smartphones",
        PIECES,
        60.0,
        0.32,
        (300.0, 0.7),
        Decimal(0),
        0.2,
    ),
    Contraband(
        "3604100000",
        "fireworks without a conformity certificate",
        None,
        5.0,
        1.0,
        (300.0, 0.6),
        Decimal(5),
        0.15,
    ),
)


# --------------------------------------------------------------------------- traders


@dataclass(frozen=True, slots=True)
class Trader:
    """A Kyrgyz importer, exporter or customs broker (declarant)."""

    tin: str
    name: str
    role: TraderRole
    honesty: Honesty
    registered_on: date
    #: the office the trader mostly declares at
    office: str
    #: the goods the trader deals in (None for brokers)
    line: GoodsLine | None
    #: relative volume of declarations
    activity: float


@dataclass(frozen=True, slots=True)
class TraderBook:
    """All traders of a demo world."""

    importers: tuple[Trader, ...]
    brokers: tuple[Trader, ...]
    exporters: tuple[Trader, ...]
    #: foreign sellers and buyers by country: name-like identifiers
    foreign: Mapping[str, tuple[str, ...]]

    def by_tin(self) -> dict[str, Trader]:
        """Every Kyrgyz trader by TIN."""
        return {t.tin: t for t in (*self.importers, *self.brokers, *self.exporters)}


#: How many traders of each kind the world holds (invented for the demo).
IMPORTER_COUNT: Final = 800
BROKER_COUNT: Final = 40
EXPORTER_COUNT: Final = 80
FOREIGN_PER_COUNTRY: Final = 40

#: Honesty of importers: most are honest, a few are chronic offenders, and some are
#: new companies (registered in the last months; "fly-by-night" firms are among them).
IMPORTER_HONESTY: Final[tuple[tuple[Honesty, float], ...]] = (
    ("honest", 0.62),
    ("average", 0.25),
    ("new", 0.08),
    ("offender", 0.05),
)
BROKER_HONESTY: Final[tuple[tuple[Honesty, float], ...]] = (
    ("honest", 0.8),
    ("average", 0.15),
    ("offender", 0.05),
)
EXPORTER_HONESTY: Final[tuple[tuple[Honesty, float], ...]] = (("honest", 0.8), ("average", 0.2))

_KG_WORDS: Final = (
    "Ak-Tilek", "Ala-Too", "Tengir", "Manas", "Bereke", "Nur", "Altyn", "Asia", "Jibek Jolu",
    "Tian-Shan", "Issyk-Kul", "Sary-Chelek", "Tulpar", "Kut", "Ordo", "Emir", "Kelechek",
    "Yntymak", "Baktyluu", "Aman", "Darkhan", "Sunkar", "Ak-Bata", "Kench", "Belek", "Ayana",
    "Kyial", "Jash", "Erkin", "Meken", "Bakyt", "Aigul", "Chynar", "Kok-Jar", "Arstan",
    "Temir", "Bulak", "Sapat", "Ishenim", "Orient",
)  # fmt: skip
_LINE_SUFFIXES: Final[dict[GoodsLine | None, tuple[str, ...]]] = {
    "cars": ("Motors", "Auto", "Avto Import"),
    "phones": ("Mobile", "Telecom", "Digital"),
    "footwear": ("Shoes", "Obuv", "Step"),
    "garments": ("Textile", "Fashion", "Kiyim"),
    "food": ("Food", "Agro", "Fruit"),
    "tyres": ("Shina", "Tyre Center", "Wheel"),
    "cigarettes": ("Tobacco", "Distribution"),
    "medicines": ("Pharm", "Med", "Farm"),
    "general": ("Trade", "Import", "Group", "Company", "Stroi", "Market"),
    "export": ("Agro Export", "Mining", "Export", "Tekstil"),
    None: ("Customs Broker", "Broker Service", "Logistics", "Terminal"),
}
_SURNAMES: Final = (
    "Asanov", "Usenov", "Toktogulov", "Abdyldaev", "Mamatov", "Sadykov", "Jumabaev",
    "Kasymov", "Osmonov", "Bakirov", "Sultanov", "Ismailov", "Abdrakhmanov", "Turdubaev",
)  # fmt: skip
_FIRST_NAMES: Final = (
    "Talant", "Nurlan", "Aibek", "Bakyt", "Azamat", "Ulan", "Aida", "Gulnara", "Cholpon",
    "Nazgul", "Ermek", "Dilshod", "Jyldyz", "Kanat",
)  # fmt: skip

_CITIES: Final[dict[str, tuple[str, ...]]] = {
    "CN": ("YIWU", "GUANGZHOU", "SHENZHEN", "URUMQI", "KASHGAR", "NINGBO", "SHANGHAI", "TIANJIN"),
    "KZ": ("ALMATY", "ASTANA", "SHYMKENT", "TARAZ", "KARAGANDA"),
    "RU": ("MOSCOW", "NOVOSIBIRSK", "YEKATERINBURG", "KAZAN", "OMSK"),
    "TR": ("ISTANBUL", "BURSA", "IZMIR", "ANKARA", "GAZIANTEP", "DENIZLI"),
    "UZ": ("TASHKENT", "ANDIJAN", "FERGANA", "NAMANGAN", "SAMARKAND"),
    "DE": ("HAMBURG", "BREMEN", "MUNICH", "STUTTGART", "BERLIN", "DUISBURG"),
    "US": ("NEWARK", "HOUSTON", "MIAMI", "LOSANGELES", "CHICAGO"),
    "KR": ("SEOUL", "BUSAN", "INCHEON", "ULSAN"),
    "AE": ("DUBAI", "SHARJAH", "JEBELALI", "AJMAN"),
    "IN": ("MUMBAI", "DELHI", "AHMEDABAD", "CHENNAI", "HYDERABAD"),
    "JP": ("TOKYO", "OSAKA", "YOKOHAMA", "NAGOYA"),
    "IT": ("MILAN", "BOLOGNA", "VERONA", "NAPLES"),
    "PL": ("WARSAW", "LODZ", "POZNAN", "GDANSK"),
    "VN": ("HANOI", "HAIPHONG", "HOCHIMINH"),
    "IR": ("TEHRAN", "TABRIZ", "MASHHAD"),
    "BY": ("MINSK", "BREST", "GOMEL"),
    "TJ": ("DUSHANBE", "KHUJAND"),
    "AF": ("KABUL", "MAZARISHARIF", "KUNDUZ"),
    "TM": ("ASHGABAT", "MARY"),
}
_FOREIGN_WORDS: Final = (
    "GOLDEN", "SILK", "GREAT", "EAST", "ORIENT", "UNITED", "GLOBAL", "STAR", "NEW", "BRIGHT",
    "SUN", "GREEN", "ROYAL", "ALPHA", "PRIME", "PACIFIC", "CENTRAL", "EURO", "ASIA", "UNION",
)  # fmt: skip
_FOREIGN_SUFFIXES: Final = (
    "TRADING", "IMPEX", "INDUSTRIAL", "LOGISTICS", "MANUFACTURING", "COMMERCE", "GROUP", "INTL",
)  # fmt: skip


_T = TypeVar("_T")


def pick(rng: random.Random, table: tuple[tuple[_T, float], ...]) -> _T:
    """One value of a (value, weight) table, drawn with ``rng``."""
    values = [value for value, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(values, weights=weights)[0]


def _kg_tin(rng: random.Random, day: date, first: str, used: set[str]) -> str:
    # Kyrgyz TIN style: 14 digits, a leading 0 for legal entities (1/2 for persons by
    # sex), the registration or birth date as ddmmyyyy, then a 5-digit serial.
    while True:
        tin = f"{first}{day:%d%m%Y}{rng.randrange(10000, 100000)}"
        if tin not in used:
            used.add(tin)
            return tin


def _kg_trader(
    rng: random.Random,
    role: TraderRole,
    honesty: Honesty,
    end: date,
    office: str,
    line: GoodsLine | None,
    used: set[str],
) -> Trader:
    if honesty == "new":
        registered = end - timedelta(days=rng.randint(30, 240))
    elif honesty == "offender":
        registered = end - timedelta(days=rng.randint(365, 3650))
    else:
        registered = end - timedelta(days=rng.randint(2 * 365, 25 * 365))
    if role == "importer" and rng.random() < 0.25:
        # an individual entrepreneur: the TIN carries the birth date, not the registration
        born = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
        tin = _kg_tin(rng, born, rng.choice("12"), used)
        name = f"IP {rng.choice(_SURNAMES)} {rng.choice(_FIRST_NAMES)}"
    else:
        tin = _kg_tin(rng, registered, "0", used)
        name = f'OsOO "{rng.choice(_KG_WORDS)} {rng.choice(_LINE_SUFFIXES[line])}"'
    activity = min(rng.paretovariate(1.3), 40.0)
    return Trader(tin, name, role, honesty, registered, office, line, activity)


def _foreign_ids(rng: random.Random, country: str, count: int) -> tuple[str, ...]:
    cities = _CITIES.get(country, ("CITY",))
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        parts = (
            country,
            rng.choice(cities),
            rng.choice(_FOREIGN_WORDS),
            rng.choice(_FOREIGN_SUFFIXES),
        )
        name = "-".join(parts)[:40].rstrip("-")
        if name not in seen:
            seen.add(name)
            names.append(name)
    return tuple(names)


def foreign_countries() -> tuple[str, ...]:
    """Every country a foreign seller or buyer of the demo world can be in, sorted."""
    countries = {p.country for p in PARTNERS}
    countries |= {origin.country for goods in GOODS for origin in goods.origins}
    for office in OFFICES:
        countries |= {country for country, _ in office.exports_to}
        countries |= {route[1] for route in office.transit}
    countries.discard("KG")
    return tuple(sorted(countries))


def build_traders(seed: int, end: date) -> TraderBook:
    """The importers, brokers, exporters and foreign companies of one world.

    Depends only on the seed and the last day of the world, not on how many
    declarations are generated, so that a bigger world has the same companies.
    """
    rng = random.Random(f"corridor-demo/{seed}/traders")
    used: set[str] = set()
    import_offices = tuple((o.code, o.share * dict(o.flows).get("IM", 0.0)) for o in OFFICES)
    export_offices = tuple(
        (o.code, o.share * dict(o.flows).get("EX", 0.0)) for o in OFFICES if o.exports_to
    )
    all_offices = tuple((o.code, o.share) for o in OFFICES)
    importers: list[Trader] = []
    for _ in range(IMPORTER_COUNT):
        honesty = pick(rng, IMPORTER_HONESTY)
        office = pick(rng, import_offices)
        allowed = OFFICES_BY_CODE[office].lines
        lines = tuple(
            (line, weight) for line, weight in IMPORTER_LINES if allowed is None or line in allowed
        )
        importers.append(_kg_trader(rng, "importer", honesty, end, office, pick(rng, lines), used))
    brokers = tuple(
        _kg_trader(
            rng, "broker", pick(rng, BROKER_HONESTY), end, pick(rng, all_offices), None, used
        )
        for _ in range(BROKER_COUNT)
    )
    exporters = tuple(
        _kg_trader(
            rng,
            "exporter",
            pick(rng, EXPORTER_HONESTY),
            end,
            pick(rng, export_offices),
            "export",
            used,
        )
        for _ in range(EXPORTER_COUNT)
    )
    foreign = {
        country: _foreign_ids(
            random.Random(f"corridor-demo/{seed}/foreign/{country}"), country, FOREIGN_PER_COUNTRY
        )
        for country in foreign_countries()
    }
    return TraderBook(tuple(importers), brokers, exporters, foreign)


# --------------------------------------------------------------------------- exchange rates


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """The official rate of one currency on one day: som (KGS) per unit."""

    date: date
    currency: str
    kgs_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class CurrencyLevel:
    """Where a currency's rate hovers and how much it moves per working day."""

    code: str
    #: KGS per unit around which the demo rate moves (approximate NBKR levels, 2025)
    kgs: float
    #: standard deviation of the daily log change
    daily_sigma: float
    #: daily pull back towards the level (mean reversion) so the series stays realistic
    reversion: float


# Levels approximate NBKR official rates in 2025; the volatility is a demo choice. The
# dirham is pegged to the dollar (3.6725 AED per USD) and derived from it.
CURRENCIES: Final[tuple[CurrencyLevel, ...]] = (
    CurrencyLevel("USD", 87.4, 0.0015, 0.01),
    CurrencyLevel("EUR", 97.5, 0.003, 0.01),
    CurrencyLevel("CNY", 12.1, 0.003, 0.01),
    CurrencyLevel("RUB", 1.0, 0.007, 0.01),
    CurrencyLevel("KZT", 0.175, 0.003, 0.01),
    CurrencyLevel("TRY", 2.4, 0.006, 0.006),
    CurrencyLevel("UZS", 0.0068, 0.003, 0.01),
    CurrencyLevel("KRW", 0.062, 0.005, 0.01),
    CurrencyLevel("INR", 1.02, 0.003, 0.01),
)
AED_PER_USD: Final = 3.6725
RATE_CURRENCIES: Final[tuple[str, ...]] = (*(c.code for c in CURRENCIES), "AED")

#: The series starts here, so that a day's rate does not depend on the window asked for.
RATES_EPOCH: Final = date(2015, 1, 1)


def _rate_decimal(value: float) -> Decimal:
    # NBKR quotes 4 decimals; currencies worth less than a som get 6 to keep 4 digits.
    return Decimal(f"{value:.4f}") if value >= 1 else Decimal(f"{value:.6f}")


def exchange_rates(start: date, end: date, seed: int) -> list[ExchangeRate]:
    """A deterministic daily series of KGS per unit of each currency, ``start``..``end``.

    A mean-reverting random walk in log space around approximate real levels, seeded
    by ``seed`` and walked from ``RATES_EPOCH`` so that a day's rate is the same
    whatever window is asked for. The rate moves on working days only; Saturday and
    Sunday keep Friday's rate, as official rates do. Sorted by date, then currency.
    """
    if start < RATES_EPOCH:
        raise ValueError(f"exchange rates start on {RATES_EPOCH.isoformat()}, not {start}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = (end - RATES_EPOCH).days + 1
    first = (start - RATES_EPOCH).days
    series: dict[str, list[float]] = {}
    for currency in CURRENCIES:
        rng = random.Random(f"corridor-demo/{seed}/fx/{currency.code}")
        deviation = 0.0
        values: list[float] = []
        day = RATES_EPOCH
        for index in range(days):
            if index and day.weekday() < 5:
                deviation += -currency.reversion * deviation + rng.gauss(0.0, currency.daily_sigma)
            if index >= first:
                values.append(currency.kgs * math.exp(deviation))
            day += timedelta(days=1)
        series[currency.code] = values
    series["AED"] = [usd / AED_PER_USD for usd in series["USD"]]
    rates: list[ExchangeRate] = []
    for offset in range(days - first):
        day = start + timedelta(days=offset)
        for code in RATE_CURRENCIES:
            rates.append(ExchangeRate(day, code, _rate_decimal(series[code][offset])))
    return rates
