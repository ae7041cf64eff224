"""The goods of the demo world: tariff lines, units, importers' lines and contraband.

Prices, duty rates and shares are approximate public figures simplified for a demo
(see the package's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

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
