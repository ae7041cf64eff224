"""Production refuses unsafe settings and names the culprit."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor.config import Settings, get_settings
from corridor.errors import ConfigurationError

STRONG = "x" * 40


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "CORRIDOR_SECRET_KEY is the development default"),
        ({"secret_key": ""}, "CORRIDOR_SECRET_KEY is empty"),
        ({"secret_key": STRONG}, "CORRIDOR_SELECTION_SECRET is the development default"),
        ({"secret_key": STRONG, "selection_secret": ""}, "CORRIDOR_SELECTION_SECRET is empty"),
        ({"secret_key": "short", "selection_secret": STRONG}, "too short"),
        (
            {"secret_key": STRONG, "selection_secret": STRONG},
            "CORRIDOR_JOURNAL_KEY is the development default",
        ),
        (
            {"secret_key": STRONG, "selection_secret": STRONG, "journal_key": ""},
            "CORRIDOR_JOURNAL_KEY is empty",
        ),
        (
            {"secret_key": STRONG, "selection_secret": STRONG, "journal_key": "short"},
            "CORRIDOR_JOURNAL_KEY is too short",
        ),
        (
            {"secret_key": STRONG, "selection_secret": STRONG, "journal_key": STRONG},
            "CORRIDOR_COOKIE_SECURE is off",
        ),
        (
            {
                "secret_key": STRONG,
                "selection_secret": STRONG,
                "journal_key": STRONG,
                "cookie_secure": True,
                "demo": True,
            },
            "demo world",
        ),
    ],
)
def test_production_refusals(changes: dict[str, object], message: str) -> None:
    settings = Settings(environment="production", **changes)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=message):
        settings.check_production()


def test_production_with_strong_secrets_starts() -> None:
    Settings(
        environment="production",
        secret_key=STRONG,
        selection_secret=STRONG + "y",
        journal_key=STRONG + "z",
        cookie_secure=True,
    ).check_production()


@pytest.mark.parametrize("key", ["", "dev-journal-key-change-me", "short"])
def test_production_refuses_to_use_a_weak_journal_key(key: str) -> None:
    # What every journal writer and verifier asks for, the server or a command.
    settings = Settings(environment="production", journal_key=key)
    with pytest.raises(ConfigurationError, match="CORRIDOR_JOURNAL_KEY"):
        settings.journal_secret()
    assert Settings(environment="production", journal_key=STRONG).journal_secret() == (
        STRONG.encode()
    )
    # Outside production the development default keys the chain (tests, demo).
    assert Settings(journal_key=key).journal_secret() == key.encode()


def test_development_accepts_defaults() -> None:
    Settings(environment="development").check_production()


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("CORRIDOR_ENVIRONMENT", "production")
    settings = Settings()
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.environment == "production"


def test_an_unknown_time_zone_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="timezone") as refused:
        Settings(timezone="Asia/Atlantis")
    assert "IANA" in str(refused.value)
    assert Settings(timezone="Asia/Bishkek").timezone == "Asia/Bishkek"


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("CORRIDOR_TIMEZONE", "Asia/Atlantis", "unknown time zone 'Asia/Atlantis'"),
        ("CORRIDOR_WORKER_STARTUP_TIMEOUT", "2", "greater than or equal to 5"),
    ],
)
def test_a_bad_setting_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError) as refused:
            get_settings()
    finally:
        monkeypatch.delenv(variable)
        get_settings.cache_clear()
    assert f"{variable}: " in refused.value.detail
    assert reason in refused.value.detail


def test_workers_are_given_two_minutes_to_start_by_default() -> None:
    assert Settings().worker_startup_timeout == 120
