"""Every text of the web pages has its Russian translation (and nothing else is kept).

The messages are extracted from the templates and the Python modules exactly as
``pybabel extract`` would (Babel's Python extractor, Jinja2's extractor), then
compared with the merged Russian catalogue.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from corridor.web import i18n

SOURCE = Path(i18n.__file__).parents[1]
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted() -> dict[str | tuple[str, ...], str]:
    """msgid (a tuple for plurals) -> where it is first used."""
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), METHODS, options_map=OPTIONS
    ):
        if filename.startswith(("rules/", "db/")):
            continue
        key = message if isinstance(message, str) else tuple(m for m in message if m)
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def russian() -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    """msgid -> translation, over every Russian catalogue file."""
    merged: dict[str | tuple[str, ...], str | tuple[str, ...]] = {}
    for path in sorted((i18n.LOCALE_DIR / "ru" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="ru"):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message.string
    return merged


def test_every_message_is_translated_into_russian() -> None:
    messages = extracted()
    assert len(messages) > 50
    translated = russian()
    missing = [f"{where}: {key!r}" for key, where in messages.items() if key not in translated]
    assert missing == [], "messages without a Russian translation"


def test_translations_keep_the_placeholders() -> None:
    for key, text in russian().items():
        source = key if isinstance(key, str) else key[0]
        wanted = set(PLACEHOLDER.findall(source))
        for form in (text,) if isinstance(text, str) else text:
            assert set(PLACEHOLDER.findall(form)) == wanted, f"{key!r} -> {form!r}"


def test_the_catalogue_keeps_no_message_the_code_no_longer_uses() -> None:
    used = set(extracted())
    unused = [key for key in russian() if key not in used]
    assert unused == []


def test_the_language_of_a_request_decides_the_text_and_the_number_format() -> None:
    i18n.use_language("ru")
    try:
        assert i18n.gettext("Sign out") == "Выйти"
        assert i18n.format_number(1234567.5, 1) == "1\xa0234\xa0567,5"
        assert (
            i18n.ngettext("%(num)d field needs correcting.", "%(num)d fields need correcting.", 5)
            == "Исправьте %(num)d полей."
        )
    finally:
        i18n.use_language("en")
    assert i18n.gettext("Sign out") == "Sign out"
    assert i18n.format_number(1234567.5, 1) == "1,234,567.5"
    assert i18n.best_language("ru-RU,ru;q=0.9") == "ru"
    assert i18n.best_language("de, fr;q=0.5") == "en"


def test_a_message_in_two_catalogues_is_translated_alike() -> None:
    seen: dict[object, tuple[str, object]] = {}
    differing = []
    for path in sorted((i18n.LOCALE_DIR / "ru" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="ru"):
                if not message.id:
                    continue
                known = seen.setdefault(message.id, (path.name, message.string))
                if known[1] != message.string:
                    differing.append(f"{message.id!r}: {known} vs {path.name} {message.string!r}")
    assert differing == []


def test_shares_are_written_as_each_language_writes_them() -> None:
    i18n.use_language("ru")
    try:
        assert i18n.format_percent(0.123) == "12,3\xa0%"
        assert i18n.format_percent(0.005, 2) == "0,50\xa0%"
    finally:
        i18n.use_language("en")
    assert i18n.format_percent(0.123) == "12.3%"
    assert i18n.format_percent(0.5, 0) == "50%"


def domain_messages() -> dict[str, dict[str, str]]:
    """Catalogue name -> the messages the services' errors write with ``corridor.errors.N_``
    (``N_`` in a package's modules other than its web pages) -> where first used."""
    found: dict[str, dict[str, str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), [("**.py", "python")], keywords={"N_": None}
    ):
        parts = Path(filename).parts
        if len(parts) < 2 or parts[0] == "web" or parts[-1].startswith("web"):
            continue
        found.setdefault(f"{parts[0]}.po", {}).setdefault(message, f"{filename}:{lineno}")
    return found


def test_the_services_messages_are_translated_in_their_package_catalogue() -> None:
    """A service's error message (``corridor.errors.N_``) is shown on the pages in the
    user's language: its Russian lives in the catalogue of its package."""
    by_catalogue = domain_messages()
    assert {
        "accounts.po",
        "analytics.po",
        "declarations.po",
        "inspections.po",
        "journal.po",
        "postentry.po",
        "profiles.po",
        "selectivity.po",
        "traders.po",
        "valuation.po",
    } <= set(by_catalogue)
    folder = i18n.LOCALE_DIR / "ru" / "LC_MESSAGES"
    missing = []
    for name, messages in sorted(by_catalogue.items()):
        translated: set[object] = set()
        if (folder / name).is_file():
            with (folder / name).open("rb") as handle:
                translated = {m.id for m in read_po(handle, locale="ru") if m.string}
        missing += [
            f"{name}: {where}: {m!r}" for m, where in messages.items() if m not in translated
        ]
    assert missing == []
