"""The vehicles of the demo world: licence plates, railway wagons and containers."""

from __future__ import annotations

import random
from typing import Final

from corridor.demo.world import Office

_CONTAINER_OWNERS: Final = ("MSK", "CSN", "TGH", "TCN", "FES", "CAI", "TRH", "SEG", "UET", "BMO")
_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letters(rng: random.Random, count: int, alphabet: str = _LETTERS) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _plate(rng: random.Random, office: Office, dispatch: str) -> str:
    # Licence plates in each country's style, Latin letters; mostly Kyrgyz trucks.
    digits = rng.randint(100, 999)
    if rng.random() < 0.7 or dispatch in ("CN", "KG"):
        return f"{office.plate_region}KG{digits}{_letters(rng, 3)}"
    if dispatch == "KZ":
        return f"{digits}{_letters(rng, 3)}{rng.choice(('01', '02', '05', '17'))}"
    if dispatch == "UZ":
        return f"{rng.choice(('01', '10', '40', '60'))}{_letters(rng, 1)}{digits}{_letters(rng, 2)}"
    if dispatch == "RU":
        letters = "ABEKMHOPCTYX"
        region = rng.choice(("77", "54", "66", "116"))
        return f"{_letters(rng, 1, letters)}{digits}{_letters(rng, 2, letters)}{region}"
    if dispatch == "TR":
        return f"{rng.choice(('34', '16', '35', '06'))}{_letters(rng, 3)}{digits}"
    return f"{office.plate_region}KG{digits}{_letters(rng, 3)}"


def _wagon(rng: random.Random, kind: str) -> str:
    # 8-digit wagon number of the 1520 mm network with its check digit (weights 2,1,...)
    body = kind + "".join(str(rng.randrange(10)) for _ in range(6))
    total = 0
    for position, digit in enumerate(body):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return body + str((10 - total % 10) % 10)


# ISO 6346 letter values: 10 upwards, skipping multiples of 11.
_ISO6346_VALUES: Final[dict[str, int]] = dict(
    zip(_LETTERS, (v for v in range(10, 39) if v % 11 != 0), strict=True)
)


def container_check_digit(code: str) -> int:
    """The ISO 6346 check digit of a 10-character owner code + category + serial."""
    total = 0
    for position, char in enumerate(code[:10]):
        value = int(char) if char.isdigit() else _ISO6346_VALUES[char]
        total += value * 2**position
    return total % 11 % 10


def _container(rng: random.Random) -> str:
    code = f"{rng.choice(_CONTAINER_OWNERS)}U{rng.randrange(1_000_000):06d}"
    return f"{code}{container_check_digit(code)}"
