"""The web application's languages: gettext catalogues (Babel) and locale formatting.

Every text a page shows goes through :func:`gettext` (``_`` in templates and in
``web.py`` modules; ``N_`` marks a module-level text translated when shown).
Catalogues are the ``.po`` files under ``locale/<language>/LC_MESSAGES/``, one
per domain package; they are merged and compiled in memory when first used, so
no compiled ``.mo`` file is kept in the repository. A test extracts every
message of the templates and ``web.py`` modules and fails on one without a
Russian translation. The services' error messages are marked with
``corridor.errors.N_`` (the English text keeping its template and parameters);
:func:`localized` says them in the current language.

Adding a language (Kyrgyz, ``ky``): add it to :data:`LANGUAGES` and put its
``.po`` files under ``locale/ky/LC_MESSAGES/``; Babel knows its number and date
formats.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent
from babel.support import Translations

from corridor.errors import Message

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "best_language",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_percent",
    "gettext",
    "language",
    "localized",
    "ngettext",
    "reason",
    "use_language",
]

#: Languages a user may choose (code -> its own name).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
_BABEL_LOCALES = {"en": "en_GB", "ru": "ru_RU", "ky": "ky_KG"}

_current: ContextVar[str] = ContextVar("corridor_language", default=DEFAULT_LANGUAGE)
_zone: ContextVar[tzinfo | None] = ContextVar("corridor_zone", default=None)
_DEFAULT_ZONE = ZoneInfo("Asia/Bishkek")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a module-level text for translation; it is translated where it is shown."""
    return message


@lru_cache(maxsize=8)
def translations(code: str) -> _gettext.NullTranslations:
    """The merged catalogue of a language (every ``.po`` file of its folder)."""
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    if code == DEFAULT_LANGUAGE or not folder.is_dir():
        return _gettext.NullTranslations()
    merged = Catalog(locale=_BABEL_LOCALES.get(code, code))
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=_BABEL_LOCALES.get(code, code))
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string, context=message.context)
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(buffer)


def use_language(code: str, zone: tzinfo | None = None) -> None:
    """Make ``code`` the language of what this request renders (a context variable)."""
    _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    if zone is not None:
        _zone.set(zone)


def language() -> str:
    """The language of the current request."""
    return _current.get()


def best_language(accept_language: str | None) -> str:
    """The first of the browser's preferred languages that we have, else the default."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def localized(text: str) -> str:
    """A text for the user in the current language: a domain error's message
    (:func:`corridor.errors.N_`) translated with its parameters, any other text as
    it is."""
    if isinstance(text, Message):
        return text.rendered(gettext)
    return text


#: How a model reason's parameter is written, by its name (corridor.scoring.core.reasons).
_REASON_FORMATS: dict[str, Callable[[float], str]] = {
    "rate": lambda v: format_percent(v, 0),
    "count": lambda v: format_number(v, 0),
    "number": lambda v: format_number(v, 0),
    "amount": lambda v: format_number(v, 2),
    "contribution": lambda v: ("+" if v >= 0 else "") + format_number(v, 2),
}


def reason(stored: Mapping[str, Any] | Message) -> str:
    """A model's reason (its message, or as a decision stored it: ``text``, ``template``,
    ``params``) in the current language with its numbers written the language's way; the
    English text when the reason has no template (older decisions) or the translation does
    not fit."""
    template: object
    params: object
    if isinstance(stored, Message):
        template, params, text = stored.template, stored.params, str.__str__(stored)
    else:
        template, params, text = stored.get("template"), stored.get("params"), str(stored["text"])
    if language() == "en" or not isinstance(template, str) or not isinstance(params, Mapping):
        return text  # English: the words the decision recorded, exactly
    shown = {
        name: _REASON_FORMATS[name](float(value))
        if name in _REASON_FORMATS and isinstance(value, int | float)
        else value
        for name, value in params.items()
    }
    try:
        return gettext(template) % shown
    except (KeyError, ValueError, TypeError):
        return text


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message for ``count``, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, count)


def _locale() -> Locale:
    code = _current.get()
    return Locale.parse(_BABEL_LOCALES.get(code, code))


def format_number(value: int | float | Decimal | None, digits: int | None = None) -> str:
    """A number as the current locale writes it ("" for a missing value)."""
    if value is None:
        return ""
    if digits is None:
        return _format_decimal(value, locale=_locale())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _format_decimal(value, format=pattern, locale=_locale())


def format_money(value: int | float | Decimal | None) -> str:
    """An amount in national currency, two decimals ("" for a missing value)."""
    return format_number(value, 2)


def format_percent(value: float | Decimal | None, digits: int = 1) -> str:
    """A share (0.123) as a percentage ("12.3 %" in the locale's way)."""
    if value is None:
        return ""
    locale = _locale()
    # The locale's own pattern ("#,##0%", "#,##0\xa0%"), with the asked-for decimals.
    pattern = locale.percent_formats[None].pattern
    if digits:
        pattern = re.sub(r"0(?=[^0#]*%)", "0." + "0" * digits, pattern, count=1)
    return _format_percent(value, format=pattern, locale=locale)


def format_date(value: date | None) -> str:
    """A calendar date, medium length, in the current locale."""
    if value is None:
        return ""
    return _format_date(value, format="medium", locale=_locale())


def format_datetime(value: datetime | None) -> str:
    """A moment in the installation's time zone, short date and time, current locale."""
    if value is None:
        return ""
    return _format_datetime(
        value, format="short", tzinfo=_zone.get() or _DEFAULT_ZONE, locale=_locale()
    )
