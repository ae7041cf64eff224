"""The places of the demo world: customs offices, holidays, documents and partners."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from corridor.demo.world.goods import GoodsLine


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
