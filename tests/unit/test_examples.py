"""The property tests' profiles: CI tries every count in full, the everyday run fewer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.examples import examples


@pytest.fixture
def restored() -> Iterator[None]:
    """Put the run's profile back after the test loads another."""
    loaded = settings.default
    yield
    settings.register_profile("restored", loaded)
    settings.load_profile("restored")


def test_ci_tries_every_named_count_in_full(restored: None) -> None:
    settings.load_profile("ci")
    assert settings.default.max_examples == 100
    assert [examples(n) for n in (2000, 150, 60, 1)] == [2000, 150, 60, 1]


def test_the_everyday_run_tries_a_quarter(restored: None) -> None:
    settings.load_profile("dev")
    assert settings.default.max_examples == 25
    assert [examples(n) for n in (2000, 150, 60, 1)] == [500, 37, 15, 1]
