"""The demo world: a seeded, realistic flow of Kyrgyz customs declarations with planted fraud.

``generate(declarations=N, seed=S, end=day)`` returns a ``DemoWorld``: N declarations
(``DeclarationCreate``, validated) registered over the ``days`` (default 365) up to
``end``, each paired with a ``FraudLabel`` when fraud was planted in it, plus the
exchange rates and traders of the world. The same arguments give the same world,
byte for byte; nothing depends on the clock or on global random state.

The world (figures approximate public knowledge, see ``corridor.demo.world``)
--------------------------------------------------------------------------------

* Offices: Bishkek (``KGBSK``) and Osh (``KGOSH``) inland clearance, the China road
  posts Torugart (``KGTOR``) and Irkeshtam (``KGIRK``, both closed on weekends), Ak-Jol
  (``KGAKJ``, Kazakhstan), Dostuk (``KGDST``, Uzbekistan), Manas airport (``KGFRU``, air
  and post), the Kant rail terminal (``KGKAN``), Jalal-Abad (``KGJAL``) and Karakol
  (``KGKRK``). Each has its share of the flow, transport modes, partner mix, export
  destinations and transit routes, working days and hours.
* Partners (country of dispatch of imports): China about 45 %, then Kazakhstan, Russia
  (third-country goods routed through the EAEU), Turkey, Uzbekistan, Germany, the US,
  Korea, the UAE, India, and rarely Japan, Italy, Poland, Vietnam, Iran, Belarus.
  Invoices mostly in USD, otherwise in the partner's currency.
* Goods: 10-digit codes for cars (8703, new/used/hybrid/electric), smartphones (8517),
  footwear (6402-6406), garments (61-62, worn clothing 6309), apples, oranges, sugar,
  beer, tea, tyres (4011), cigarettes (2402), medicines (3004, 3002) and general cargo
  (laptops, cosmetics, furniture, steel structures, fridges, tiles, plastics, toys, car
  parts, TVs); exports of beans, apricots, walnuts, ores, coal and garments. Each with
  an EAEU CCT-like duty rate, prices by origin with lognormal spread, unit masses and
  supplementary units (796 pieces, 715 pairs, 798 thousand pieces, 112 litres, 055 m2).
  Tariff preferences: CIS FTA (UZ), EAEU, EAEU-Vietnam FTA, GSP (developing 75 %,
  least developed 0 %).
* Traders: 800 importers (about 62 % honest, 25 % average, 8 % new companies registered
  in the last months, 5 % chronic offenders), 40 customs brokers, 80 exporters, each
  with a 14-digit TIN (``0`` + registration date + serial for companies), a home office
  and a goods line; foreign sellers and buyers have name-like ids (``CN-YIWU-...``).
* Flows: about 82 % imports (procedure 40, some 70/53/51), 10 % exports (10), 8 %
  transit (80). Registration times are Bishkek time (UTC+6), on working days and
  hours, busier in autumn; declaration numbers are ``{office}/{ddmmyy}/{7-digit
  sequence per office and year}``.
* Values: ``invoice_value`` in the invoice currency; ``customs_value`` in KGS is the
  invoice value at the day's rate, plus ``FREIGHT_UPLIFT`` (7 % EXW, 5 % FCA);
  ``duties = customs_value * duty_rate / 100`` (none for transit).
* Exchange rates: ``exchange_rates(start, end, seed)`` gives KGS per unit of USD, EUR,
  CNY, RUB, KZT, TRY, UZS, KRW, INR and AED for every day: a mean-reverting random walk
  around 2025 levels (USD about 87.4), moving on working days only.

Planted fraud (``FRAUD_RATES``, share of all declarations)
-----------------------------------------------------------

=========================  =====  ======================================================
pattern                    rate   what is falsified in one goods item
=========================  =====  ======================================================
undervaluation             4 %    invoice value cut to 30-65 % of the true value
misclassification          2 %    declared under a lower-duty code (hybrid or petrol car
                                  as electric, garments as worn clothing, footwear as
                                  uppers, fridges/furniture as parts, tiles, steel, sugar,
                                  beer as non-alcoholic beer)
false_origin               1.5 %  Chinese, Turkish or Iranian goods routed through
                                  Uzbekistan or Kazakhstan and declared as originating
                                  there, with the FTA-CIS/EAEU preference (duty 0)
quantity_understatement    1.5 %  quantity, net mass and value cut to 40-75 %; the gross
                                  mass stays as weighed
concealment                0.3 %  cigarettes, tramadol, counterfeit phones or fireworks
                                  hidden in bulk low-value goods (the gross mass includes
                                  them in 60 % of cases)
=========================  =====  ======================================================

Exactly ``round(rate * N)`` declarations carry each pattern (one pattern at most per
declaration; fewer only if too few declarations qualify). Only imports for home use
(procedure 40) are falsified, and transit for concealment. Declarations are chosen by
weighted sampling without replacement; a declaration's weight is its importer's factor
(honest 0.3, average 1, new company 3, chronic offender 6) times its broker's
(complicit 2.5) times how well its goods and route suit the pattern: undervaluation is
concentrated in cars, phones, garments and footwear dispatched from China and the UAE;
quantity understatement in cigarettes, phones and footwear at the road posts;
concealment at Irkeshtam, Torugart and Dostuk. In a world of 20,000 declarations
roughly 4 % of honest importers' declarations carry fraud, 14 % of average ones, 30 %
of new companies' and nearly half of chronic offenders'. A risk analyst can find them
with sensible criteria: unit values far below
the usual for the code and origin, value per kg too high for the declared code, KZ/UZ
origin on goods those countries hardly make, gross mass far above net mass, new or
repeatedly caught importers.

Each ``FraudLabel`` names the pattern, the goods item, the discrepancy type an
inspection would record, a plain-language summary, the truth of the item (code,
origin, quantity, net mass, invoice and customs value, duties), the concealed goods,
and the duties evaded. The label is never part of the declaration.
"""

from corridor.demo.generator import (
    BISHKEK,
    DISCREPANCY_TYPES,
    FRAUD_RATES,
    FREIGHT_UPLIFT,
    DemoDeclaration,
    DemoWorld,
    FraudLabel,
    FraudPattern,
    generate,
)
from corridor.demo.world import (
    GOODS,
    OFFICES,
    PARTNERS,
    RATE_CURRENCIES,
    ConcealedGoods,
    ExchangeRate,
    Goods,
    Office,
    Partner,
    Trader,
    TraderBook,
    build_traders,
    exchange_rates,
)

__all__ = [
    "BISHKEK",
    "DISCREPANCY_TYPES",
    "FRAUD_RATES",
    "FREIGHT_UPLIFT",
    "GOODS",
    "OFFICES",
    "PARTNERS",
    "RATE_CURRENCIES",
    "ConcealedGoods",
    "DemoDeclaration",
    "DemoWorld",
    "ExchangeRate",
    "FraudLabel",
    "FraudPattern",
    "Goods",
    "Office",
    "Partner",
    "Trader",
    "TraderBook",
    "build_traders",
    "exchange_rates",
    "generate",
]
