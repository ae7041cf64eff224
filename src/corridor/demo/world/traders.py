"""The traders of the demo world: Kyrgyz importers, brokers, exporters, foreign companies."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal, TypeVar

from corridor.demo.world.goods import GOODS, IMPORTER_LINES, GoodsLine
from corridor.demo.world.places import OFFICES, OFFICES_BY_CODE, PARTNERS

Honesty = Literal["honest", "average", "new", "offender"]
TraderRole = Literal["importer", "broker", "exporter"]


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
