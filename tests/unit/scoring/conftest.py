"""Shared fixtures of the scoring core's tests: synthetic labelled rows, a small model."""

from __future__ import annotations

import polars as pl
import pytest

from corridor.scoring.core import TrainedModel, train
from tests.scoring_data import QUICK, synthetic


@pytest.fixture(scope="session")
def labelled() -> pl.DataFrame:
    return synthetic()


@pytest.fixture(scope="session")
def model(labelled: pl.DataFrame) -> TrainedModel:
    return train(labelled, options=QUICK)
