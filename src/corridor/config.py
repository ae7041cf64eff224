"""Settings, read from the environment (prefix ``CORRIDOR_``) or a ``.env`` file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from corridor.errors import ConfigurationError

DEFAULT_SECRET_KEY = "dev-secret-key-change-me"
DEFAULT_SELECTION_SECRET = "dev-selection-secret-change-me"
DEFAULT_DATABASE_URL = "sqlite:///var/corridor.db"
#: Development only: production refuses it (``check_production``, ``journal_secret``).
DEFAULT_JOURNAL_KEY = "dev-journal-key-change-me"


class Settings(BaseSettings):
    """Everything an installation configures. Secrets never have a safe default."""

    model_config = SettingsConfigDict(
        env_prefix="CORRIDOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; postgresql+psycopg://… in production",
    )
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="signs sessions and tokens")
    selection_secret: str = Field(
        default=DEFAULT_SELECTION_SECRET,
        description="keys the HMAC behind random selections; never disclosed to traders",
    )
    # The journal key: HMAC-SHA256 key of the journal's hash chain and of its checkpoints.
    # Read from the environment only, never stored in the database, so that someone who
    # can write the database cannot recompute the chain. The default is for development
    # and tests; production refuses it.
    journal_key: str = Field(
        default=DEFAULT_JOURNAL_KEY,
        description="keys the journal's hash chain and signs its checkpoints; never in the "
        "database",
    )

    def journal_secret(self) -> bytes:
        """The journal key as bytes; ConfigurationError in production when it is the
        development default, empty or shorter than 32 characters (so that no command, not
        only the server, writes a production journal under a known key)."""
        if self.environment == "production" and (
            not self.journal_key
            or self.journal_key == DEFAULT_JOURNAL_KEY
            or len(self.journal_key) < 32
        ):
            raise ConfigurationError(
                "CORRIDOR_JOURNAL_KEY is empty, the development default or shorter than 32 "
                "characters; set a long random value before running in production"
            )
        return self.journal_key.encode()

    environment: Literal["development", "production"] = "development"
    demo: bool = Field(default=False, description="the installation holds a demo world")
    import_batch_size: int = Field(default=2000, ge=1, le=100_000)
    session_hours: float = Field(default=12, gt=0, le=24 * 7, description="browser session life")
    cookie_secure: bool = Field(
        default=False, description="send the session cookie over HTTPS only (production: on)"
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="failed sign-ins in a row before the lockout"
    )
    login_lockout_minutes: float = Field(default=15, gt=0, le=24 * 60)
    login_address_failures: int = Field(
        default=20, ge=1, description="failed sign-ins per minute from one address before 429"
    )
    api_token_max_days: int = Field(default=365, ge=1, le=3650)
    max_request_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="larger request bodies get 413"
    )
    timezone: str = Field(
        default="Asia/Bishkek",
        description="the installation's time zone: its days are the 'today' of every rule "
        "(profile validity, expiry, certificates, alerts), and times on the web pages are "
        "shown in it",
    )
    token_cache_seconds: float = Field(
        default=5,
        ge=0,
        le=300,
        description="each worker remembers an API token's principal this long (0: never)",
    )
    gc_freeze: bool = Field(
        default=True,
        description="after a worker's start-up, keep its long-lived objects out of the "
        "garbage collector's full passes (short pauses under load)",
    )
    worker_startup_timeout: int = Field(
        default=120,
        ge=5,
        le=3600,
        description="seconds `corridor serve --workers N` waits for a worker to answer its "
        "health check (a starting worker imports the application on a busy host) before "
        "killing and replacing it",
    )
    extra_attributes: str = Field(
        default="",
        description="the installation's extra declaration attributes, beyond the built-in "
        'ones: a JSON list of {"name", "type", "level", "description"} (type string, '
        "number, boolean or date; level header or item); criteria read them as facts",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name, e.g. Asia/Bishkek)"
            ) from exc
        return value

    def check_production(self) -> None:
        """Refuse to run in production with a default or empty secret, naming it."""
        if self.environment != "production":
            return
        for name, default in (
            ("CORRIDOR_SECRET_KEY", DEFAULT_SECRET_KEY),
            ("CORRIDOR_SELECTION_SECRET", DEFAULT_SELECTION_SECRET),
            ("CORRIDOR_JOURNAL_KEY", DEFAULT_JOURNAL_KEY),
        ):
            value = getattr(self, name.removeprefix("CORRIDOR_").lower())
            if not value or value == default:
                raise ConfigurationError(
                    f"{name} is {'empty' if not value else 'the development default'}; "
                    "set a long random value before running in production"
                )
            if len(value) < 32:
                raise ConfigurationError(
                    f"{name} is too short for production ({len(value)} characters, need >= 32)"
                )
        if not self.cookie_secure:
            raise ConfigurationError(
                "CORRIDOR_COOKIE_SECURE is off: in production session cookies go over HTTPS only"
            )
        if self.demo:
            raise ConfigurationError("CORRIDOR_DEMO is set: a demo world is refused in production")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. A bad value is a ConfigurationError naming the
    variable and the reason (not a traceback)."""
    try:
        return Settings()
    except ValidationError as exc:
        reasons = "; ".join(
            f"CORRIDOR_{'_'.join(str(part) for part in error['loc']).upper()}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise ConfigurationError(f"invalid setting: {reasons}") from None


# --------------------------------------------------------------------------- the customs day
# "Today" in every rule (profile validity and expiry, trader certificates and overrides,
# alerts) is the day in the installation's zone: in Bishkek (UTC+6) 1 December begins at
# 18:00 UTC on 30 November. Stored times stay UTC; only the judgment of the day is local.


@lru_cache(maxsize=1)
def customs_zone() -> ZoneInfo:
    """The installation's time zone (``CORRIDOR_TIMEZONE``), read once per process.

    Read on its own, not through :func:`get_settings`: a use case asking for the day must
    not fix the settings a command reads afterwards."""
    return ZoneInfo(Settings().timezone)


def wall_clock() -> datetime:
    """The moment, in UTC, from the wall clock: read once by a unit of work when it is
    entered (``UnitOfWork.now``) and by the edges that need the time outside one. Use
    cases take their unit of work's moment instead (``tests/unit/test_one_clock.py``)."""
    return datetime.now(UTC)


def customs_day(moment: datetime) -> date:
    """The day an aware instant falls on in the installation's time zone."""
    if moment.utcoffset() is None:
        raise ValueError("a customs day needs an aware time")
    return moment.astimezone(customs_zone()).date()


def customs_day_start(day: date) -> datetime:
    """The first instant (UTC) of a day in the installation's time zone."""
    return datetime.combine(day, time(), customs_zone()).astimezone(UTC)


def customs_day_end(day: date) -> datetime:
    """The first instant (UTC) after a day in the installation's time zone."""
    return customs_day_start(day + timedelta(days=1))
