"""The reference tables of the demo world: offices, partners, goods, traders, exchange rates.

Every figure is approximate public knowledge about Kyrgyz foreign trade (National
Statistical Committee and NBKR publications, the EAEU Common Customs Tariff, press
reports on the border crossings), rounded and simplified for a demo. None of it is
an official figure; where a number is invented for the demo, the comment says so.

Pure data and seeded draws, one room a subject: ``goods`` (units, tariff lines,
importers' lines, contraband), ``places`` (offices, holidays, document kinds,
partners, preferences), ``traders`` (the book of traders, built from a seed) and
``rates`` (the daily exchange rates). Import from the package: its ``__all__`` is
the interface.
"""

from corridor.demo.world.goods import (
    BRANDS,
    CONTRABAND,
    GOODS,
    GOODS_BY_CODE,
    IMPORTER_LINES,
    ITEM_COUNTS,
    LITRES,
    PAIRS,
    PIECES,
    SQUARE_METRES,
    THOUSAND_PIECES,
    UNIT_NAMES,
    ConcealedGoods,
    Contraband,
    Goods,
    GoodsLine,
    Origin,
)
from corridor.demo.world.places import (
    DOCUMENT_KINDS,
    OFFICES,
    OFFICES_BY_CODE,
    PARTNERS,
    PARTNERS_BY_COUNTRY,
    PREFERENCES,
    PUBLIC_HOLIDAYS,
    Office,
    Partner,
)
from corridor.demo.world.rates import (
    AED_PER_USD,
    CURRENCIES,
    RATE_CURRENCIES,
    RATES_EPOCH,
    CurrencyLevel,
    ExchangeRate,
    exchange_rates,
)
from corridor.demo.world.traders import (
    BROKER_COUNT,
    BROKER_HONESTY,
    EXPORTER_COUNT,
    EXPORTER_HONESTY,
    FOREIGN_PER_COUNTRY,
    IMPORTER_COUNT,
    IMPORTER_HONESTY,
    Honesty,
    Trader,
    TraderBook,
    TraderRole,
    build_traders,
    foreign_countries,
    pick,
)

__all__ = [
    "AED_PER_USD",
    "BRANDS",
    "BROKER_COUNT",
    "BROKER_HONESTY",
    "CONTRABAND",
    "CURRENCIES",
    "DOCUMENT_KINDS",
    "EXPORTER_COUNT",
    "EXPORTER_HONESTY",
    "FOREIGN_PER_COUNTRY",
    "GOODS",
    "GOODS_BY_CODE",
    "IMPORTER_COUNT",
    "IMPORTER_HONESTY",
    "IMPORTER_LINES",
    "ITEM_COUNTS",
    "LITRES",
    "OFFICES",
    "OFFICES_BY_CODE",
    "PAIRS",
    "PARTNERS",
    "PARTNERS_BY_COUNTRY",
    "PIECES",
    "PREFERENCES",
    "PUBLIC_HOLIDAYS",
    "RATES_EPOCH",
    "RATE_CURRENCIES",
    "SQUARE_METRES",
    "THOUSAND_PIECES",
    "UNIT_NAMES",
    "ConcealedGoods",
    "Contraband",
    "CurrencyLevel",
    "ExchangeRate",
    "Goods",
    "GoodsLine",
    "Honesty",
    "Office",
    "Origin",
    "Partner",
    "Trader",
    "TraderBook",
    "TraderRole",
    "build_traders",
    "exchange_rates",
    "foreign_countries",
    "pick",
]
