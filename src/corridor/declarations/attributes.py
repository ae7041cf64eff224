"""Extra declaration attributes, declared in configuration with a type.

Administrations carry more fields than the core set (payment type, import use,
seller, courier, ...). A declaration keeps them under ``attributes`` on its
header or on a goods item; only declared names are accepted, each value is
checked against its declared type, and criteria and models read them like any
other fact.

The installation declares its own in ``CORRIDOR_EXTRA_ATTRIBUTES`` (a setting, read
through :class:`corridor.config.Settings` like every other); this module only turns
that text into a registry (:func:`load_registry`) and reads no environment itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from corridor.errors import N_, ConfigurationError
from corridor.text import refuse_control_characters

AttributeType = Literal["string", "number", "boolean", "date"]
AttributeLevel = Literal["header", "item"]
AttributeValue = str | Decimal | bool | date


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """A declared extra attribute: its name, value type, level and meaning."""

    name: str
    type: AttributeType
    level: AttributeLevel
    description: str = ""


#: The attributes every installation knows; the public Customs Declaration
#: Dataset import keeps its extra columns under these names.
DEFAULT_ATTRIBUTES: Final[tuple[AttributeSpec, ...]] = (
    AttributeSpec("process_type", "string", "header", "clearance process type"),
    AttributeSpec("import_type", "string", "header", "import type code"),
    AttributeSpec("import_use", "string", "header", "intended use of the goods"),
    AttributeSpec("payment_type", "string", "header", "payment type code"),
    AttributeSpec("seller", "string", "header", "seller identifier"),
    AttributeSpec("courier", "string", "header", "express courier identifier"),
    AttributeSpec("tax_type", "string", "item", "duty/tax type code"),
    AttributeSpec("origin_indicator", "string", "item", "country-of-origin marking indicator"),
)

ENV_VARIABLE: Final = "CORRIDOR_EXTRA_ATTRIBUTES"


@dataclass(frozen=True, slots=True)
class AttributeRegistry:
    """The attributes an installation accepts, by level and name."""

    specs: Mapping[tuple[AttributeLevel, str], AttributeSpec]
    _names: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, specs: tuple[AttributeSpec, ...]) -> AttributeRegistry:
        """Build a registry from specs; later specs override earlier ones of the same name."""
        return cls({(spec.level, spec.name): spec for spec in specs})

    def names(self, level: AttributeLevel) -> tuple[str, ...]:
        """Declared names at one level, sorted."""
        return self._names[level]

    def __post_init__(self) -> None:
        names = {
            level: tuple(sorted(name for (lvl, name) in self.specs if lvl == level))
            for level in ("header", "item")
        }
        object.__setattr__(self, "_names", names)

    def coerce(self, level: AttributeLevel, name: str, value: object) -> AttributeValue:
        """Check one value against its declaration and return it in canonical form.

        Raises ValueError with a message naming the problem.
        """
        spec = self.specs.get((level, name))
        if spec is None:
            known = ", ".join(self.names(level)) or N_("none")
            raise ValueError(
                N_(
                    "unknown header attribute %(name)s (declared: %(known)s)",
                    name=repr(name),
                    known=known,
                )
                if level == "header"
                else N_(
                    "unknown item attribute %(name)s (declared: %(known)s)",
                    name=repr(name),
                    known=known,
                )
            )
        if spec.type == "string":
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise ValueError(N_("attribute %(name)s must be a string", name=repr(name)))
            text = str(value).strip()
            if len(text) > 200:
                raise ValueError(
                    N_("attribute %(name)s is longer than 200 characters", name=repr(name))
                )
            try:
                refuse_control_characters(text)
            except ValueError as exc:
                raise ValueError(
                    N_("attribute %(name)s: %(reason)s", name=repr(name), reason=str(exc))
                ) from None
            return text
        if spec.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise ValueError(N_("attribute %(name)s must be a number", name=repr(name)))
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(
                    N_("attribute %(name)s must be a number", name=repr(name))
                ) from None
            if not number.is_finite():
                raise ValueError(N_("attribute %(name)s must be a finite number", name=repr(name)))
            return (number + 0).normalize()
        if spec.type == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
                return value.lower() in {"true", "1"}
            raise ValueError(N_("attribute %(name)s must be true or false", name=repr(name)))
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(N_("attribute %(name)s must be a date (YYYY-MM-DD)", name=repr(name)))


def load_registry(declared: str = "") -> AttributeRegistry:
    """The default attributes plus those ``declared``: the text of the setting
    ``CORRIDOR_EXTRA_ATTRIBUTES`` (``Settings.extra_attributes``).

    The text is a JSON list of ``{"name", "type", "level", "description"}``; empty declares
    none. Raises ConfigurationError naming the setting and the entry at fault.
    """
    raw = declared.strip()
    specs = list(DEFAULT_ATTRIBUTES)
    if raw:
        try:
            entries = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{ENV_VARIABLE} is not valid JSON: {exc}") from None
        if not isinstance(entries, list):
            raise ConfigurationError(f"{ENV_VARIABLE} must be a JSON list of attributes")
        for position, entry in enumerate(entries):
            specs.append(_spec_from_json(position, entry))
    return AttributeRegistry.of(tuple(specs))


def _spec_from_json(position: int, entry: object) -> AttributeSpec:
    where = f"{ENV_VARIABLE}[{position}]"
    if not isinstance(entry, dict):
        raise ConfigurationError(f"{where} must be an object with name, type and level")
    name, kind = entry.get("name"), entry.get("type")
    level = entry.get("level", "header")
    if not isinstance(name, str) or not name.isidentifier() or not name.islower():
        raise ConfigurationError(f"{where}.name must be a lower-case identifier, got {name!r}")
    if kind not in ("string", "number", "boolean", "date"):
        raise ConfigurationError(
            f"{where}.type must be string, number, boolean or date, got {kind!r}"
        )
    if level not in ("header", "item"):
        raise ConfigurationError(f"{where}.level must be header or item, got {level!r}")
    return AttributeSpec(name, kind, level, str(entry.get("description", "")))


#: The built-in attributes alone: what pure code uses when its caller declares none.
DEFAULT_REGISTRY: Final = AttributeRegistry.of(DEFAULT_ATTRIBUTES)
