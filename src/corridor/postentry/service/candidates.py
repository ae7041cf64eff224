"""Audit candidates: the releases of a unit's offices in a period, ranked by risk and
expected recovery, each with its reasons (:mod:`corridor.postentry.ranking`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from corridor.config import customs_day
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, FieldError, InvalidInput
from corridor.postentry import ranking, repository
from corridor.postentry.schemas import (
    MAX_CANDIDATES,
    AuditPeriod,
    CandidateOrder,
    CandidateRanking,
    CandidateRead,
    CandidateReason,
    PopulationRates,
    period_problems,
)
from corridor.postentry.service._common import unit_offices
from corridor.traders import service as traders_service
from corridor.valuation import service as valuation_service
from corridor.valuation.book import PriceBook, value_ratio

#: The days the ranking covers when no period is asked for (ending today).
DEFAULT_DAYS = 90


def audit_period(
    date_from: date | None,
    date_to: date | None,
    *,
    today: date,
    location: tuple[str, ...] = (),
) -> AuditPeriod:
    """The period asked for (both days included); without one, the last
    :data:`DEFAULT_DAYS` customs days up to ``today`` (the edge's customs day).
    InvalidInput names ``from`` or ``to`` (after ``location``: the API says ``("query",)``)."""
    last = date_to or today
    first = date_from or last - timedelta(days=DEFAULT_DAYS - 1)
    problems = period_problems(first, last, names=("from", "to"))
    if problems:
        raise InvalidInput(
            N_("invalid period"), [FieldError((*location, *e.loc), e.msg) for e in problems]
        )
    return AuditPeriod(first, last)


def rank_candidates(
    *,
    uow: UnitOfWork,
    unit: str,
    period: AuditPeriod,
    scope: frozenset[str] | None = None,
    order: CandidateOrder = "risk",
    limit: int = 100,
    on: date | None = None,
) -> CandidateRanking:
    """The importers released green or blue in ``period`` at the unit's offices, ranked by
    risk and expected recovery, each with its reasons (:mod:`corridor.postentry.ranking`).
    ``on``: the day whose compliance categories count (default: today)."""
    if not 1 <= limit <= MAX_CANDIDATES:
        raise InvalidInput(
            N_("invalid limit"),
            [FieldError(("limit",), N_("must be between 1 and %(most)s", most=MAX_CANDIDATES))],
        )
    offices = unit_offices(uow=uow, unit=unit, scope=scope)
    ranked, book = ranked_releases(
        uow, period=period, offices=offices, order=order, on=on or customs_day(uow.now)
    )
    frame = ranked.candidates
    population = ranked.population
    return CandidateRanking(
        unit=unit,
        offices=None if offices is None else sorted(offices),
        period_from=period.first_day,
        period_to=period.last_day,
        order=order,
        total=frame.height,
        population=PopulationRates(
            discrepancy_rate=population["discrepancies"] or 0.0,
            undervalued_share=population["undervalued"] or 0.0,
            mass_gap_share=population["mass_gap"] or 0.0,
            model_score=population["model_score"],
        ),
        price_version=book.version,
        candidates=[candidate_read(row) for row in frame.head(limit).iter_rows(named=True)],
    )


def ranked_releases(
    uow: UnitOfWork,
    *,
    period: AuditPeriod,
    offices: frozenset[str] | None,
    order: CandidateOrder,
    on: date,
) -> tuple[ranking.Ranked, PriceBook]:
    """The ranking of the releases of ``offices`` in ``period``, and the prices it used."""
    released = repository.released_items(
        uow.session, start=period.start, end=period.end, offices=offices
    )
    book = valuation_service.price_book(uow=uow)
    items = pl.DataFrame(
        [_item_row(item, book) for item in released],
        schema=ranking.ITEM_COLUMNS,
        orient="row",
    )
    tins = set(items["tin"].to_list())
    ranked = ranking.rank(items, _traders(uow, tins, on), order=order)
    return ranked, book


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _item_row(item: repository.ReleasedItem, book: PriceBook) -> tuple[Any, ...]:
    """One goods item as the ranking reads it, with its value ratio (the lookup the
    engine makes: :meth:`corridor.valuation.book.PriceBook.lookup`)."""
    ratio: Decimal | None = None
    if len(book):
        price = book.lookup(
            hs_code=item.hs_code,
            origin=item.origin,
            unit=item.supplementary_unit,
            supplementary_qty=item.supplementary_qty,
            net_mass_kg=item.net_mass_kg,
        )
        if price is not None:
            quantity = item.supplementary_qty if price.key.basis == "unit" else item.net_mass_kg
            ratio = value_ratio(item.customs_value, quantity, price.median)
    try:
        score = None if item.model_score is None else float(item.model_score)
    except ValueError:
        score = None
    return (
        item.declaration_id,
        item.tin,
        item.channel,
        _number(item.customs_value),
        _number(item.duties),
        _number(item.duty_rate),
        _number(ratio),
        _number(item.gross_mass_kg),
        _number(item.net_mass_kg),
        score,
    )


def _traders(uow: UnitOfWork, tins: Collection[str], on: date) -> pl.DataFrame:
    """History, audits and the category in force of each trader of ``tins``."""
    history = {
        tin: (inspected, found)
        for tin, inspected, found in repository.importer_history(uow.session)
        if tin in tins
    }
    audits = {tin: (done, found) for tin, done, found in repository.audit_counts(uow.session)}
    rows = []
    for tin in sorted(tins):
        inspected, found = history.get(tin, (0, 0))
        done, hits = audits.get(tin, (0, 0))
        status = traders_service.effective_status(uow=uow, tin=tin, on=on)
        rows.append((tin, inspected, found, done, hits, status.category))
    return pl.DataFrame(rows, schema=ranking.TRADER_COLUMNS, orient="row")


def candidate_read(row: dict[str, Any]) -> CandidateRead:
    """A row of the ranking as a candidate (amounts in som and tiyin, with its reasons)."""
    return CandidateRead(
        rank=row["rank"],
        tin=row["tin"],
        risk_score=round(row["risk_score"], 4),
        risk_points=round(row["risk_points"], 4),
        expected_recovery=_money(row["expected_recovery"]),
        declarations=row["declarations"],
        value_released=_money(row["value_released"]),
        duties_released=_money(row["duties_released"]),
        category=row["category"],
        components={name: round(row[f"points_{name}"], 4) for name in ranking.COMPONENTS},
        reasons=[CandidateReason.model_validate(r) for r in ranking.reasons_of(row)],
    )


def _money(value: float) -> Decimal:
    """A float sum as an amount of som and tiyin (cents), written without trailing zeros."""
    amount = Decimal(str(round(value, 2))) + 0
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
