"""Use cases: refresh reference prices, read them, set and lift overrides, load the book.

Price versions. Every version is a whole set of prices, written once and never
changed; the newest is in force. Each of these makes one:

* :func:`refresh` computes prices from history (:mod:`corridor.valuation.prices`):
  the goods items of imports, the latest version of each declaration, registered
  in the window asked (UTC days), leaving out every item of a declaration whose
  current inspection act, on whichever version, found a valuation discrepancy;
  then applies the overrides in force that day (active, ``valid_to`` not passed);
* :func:`set_override` copies the version in force with the override's key
  replaced, so the analyst's price applies at once;
* :func:`lift_override` copies it with the key's price computed again from
  history (the window of the version in force, the minimum sample given), or
  without that key when history has too few items for it.

An override past its ``valid_to`` stays in the version in force until the next
refresh, which no longer applies it (refresh daily). Every version records its
history window and counts (``PriceRefreshRow``; an override's version repeats the
figures of the version it derives from), bumps the selectivity generation so
that workers load it with their profile set, and is journalled last:
``price.refresh``, ``price.override``, ``price.override_lift`` (with the reason).

Trader history is refreshed by its own command (``corridor traders
refresh-history``), not here: it should follow inspection results as they come,
while a price version changes decisions and is made on purpose.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from corridor.config import customs_day
from corridor.db.tables import PriceOverrideRow, PriceRefreshRow, ReferencePriceRow
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, Conflict, FieldError, InvalidInput, Message, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import service as profiles_service
from corridor.valuation import prices, repository
from corridor.valuation.book import EMPTY_BOOK, PriceBook, PriceKey, ReferencePrice
from corridor.valuation.schemas import (
    DEFAULT_MIN_SAMPLE,
    MAX_PAGE,
    PriceOverrideApplied,
    PriceOverrideCreate,
    PriceOverrideLift,
    PriceOverrideRead,
    PriceRefreshIn,
    PriceRefreshRead,
    PriceVersionRead,
    ReferencePricePage,
    ReferencePriceRead,
)

__all__ = [
    "DEFAULT_MIN_SAMPLE",
    "current_version",
    "lift_override",
    "list_overrides",
    "list_prices",
    "list_versions",
    "price_book",
    "refresh",
    "set_override",
]


def _key_of(row: PriceOverrideRow | ReferencePriceRow) -> PriceKey:
    return PriceKey(row.hs_code, row.origin, row.basis, row.unit)


# =========================================================================== reading


def current_version(*, uow: UnitOfWork) -> int | None:
    """The price version in force (the newest), or None before the first refresh."""
    return repository.latest_version(uow.session)


def price_book(*, uow: UnitOfWork, version: int | None = None) -> PriceBook:
    """The book of a price version (the one in force unless given) for a worker to hold."""
    version = repository.latest_version(uow.session) if version is None else version
    if version is None:
        return EMPTY_BOOK
    return PriceBook(
        version,
        (
            ReferencePrice(PriceKey(hs, origin, basis, unit), median, low, high)
            for hs, origin, basis, unit, median, low, high in repository.book_rows(
                uow.session, version
            )
        ),
    )


def list_prices(
    *,
    uow: UnitOfWork,
    hs: str | None = None,
    origin: str | None = None,
    version: int | None = None,
    cursor: int | None = None,
    limit: int = 100,
) -> ReferencePricePage:
    """A page of the prices of a version (the one in force unless given): those whose HS
    code starts with ``hs`` and of ``origin`` ("*": the all-origins prices).

    Raises NotFound for a version that does not exist; before the first refresh the page
    is empty and names no version.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            N_("bad page size"),
            [FieldError(("limit",), N_("1 to %(most)s", most=MAX_PAGE))],
        )
    wanted = version if version is not None else repository.latest_version(uow.session)
    if wanted is None:
        return ReferencePricePage(version=None, items=[])
    record = repository.version(uow.session, wanted)
    if record is None:
        raise NotFound(N_("price version %(version)s does not exist", version=wanted))
    rows = repository.prices(
        uow.session,
        wanted,
        hs_prefix=hs,
        origin=None if origin is None else origin.upper(),
        after_id=cursor,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return ReferencePricePage(
        version=PriceVersionRead.model_validate(record),
        items=[ReferencePriceRead.model_validate(row) for row in rows],
        next_cursor=rows[-1].id if more else None,
    )


def list_versions(*, uow: UnitOfWork, limit: int = 20) -> list[PriceVersionRead]:
    """The newest price versions, newest first."""
    return [PriceVersionRead.model_validate(r) for r in repository.versions(uow.session, limit)]


def list_overrides(*, uow: UnitOfWork, active: bool | None = None) -> list[PriceOverrideRead]:
    """Every override (or only the active, or only the lifted ones)."""
    return [
        PriceOverrideRead.model_validate(row)
        for row in repository.overrides(uow.session, active=active)
    ]


# =========================================================================== refresh


def refresh(
    *, uow: UnitOfWork, refresh_in: PriceRefreshIn, actor: str, today: date | None = None
) -> PriceRefreshRead:
    """Compute a new price version from history, apply the overrides in force ``today``
    (UTC), make it the one in force, and journal it (no commit).

    Raises Conflict when another refresh or override made the same version number first.
    """
    today = today or customs_day(uow.now)
    items = repository.history_items(
        uow.session,
        registered_from=_start_of(refresh_in.history_from),
        registered_before=_start_of(refresh_in.history_to, days=1),
    )
    computation = prices.compute(
        items,
        misvalued=repository.misvalued_numbers(uow.session),
        min_sample=refresh_in.min_sample,
    )
    computed = {
        PriceKey(row["hs_code"], row["origin"], row["basis"], row["unit"]): {
            **row,
            "source": "computed",
        }
        for row in computation.prices
    }
    in_force = repository.overrides_in_force(uow.session, today)
    for override in in_force:
        key = _key_of(override)
        computed[key] = _overridden(computed.get(key), override)
    previous = repository.latest_version(uow.session)
    record = _new_version(
        uow,
        previous,
        actor=actor,
        history_from=refresh_in.history_from,
        history_to=refresh_in.history_to,
        items_used=computation.items_used,
        items_excluded=computation.items_excluded,
        prices=len(computed),
    )
    repository.add_prices(uow.session, record.price_version, list(computed.values()))
    profiles_service.selection_changed(uow=uow)
    result = PriceRefreshRead(
        **PriceVersionRead.model_validate(record).model_dump(),
        min_sample=refresh_in.min_sample,
        overrides_applied=len(in_force),
        previous_version=previous,
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="price.refresh",
        object_type="reference_prices",
        object_id=str(record.price_version),
        before=None if previous is None else {"price_version": previous},
        after=result.model_dump(mode="json"),
        at=record.computed_at,
    )
    return result


def _start_of(day: date | None, *, days: int = 0) -> datetime | None:
    """Midnight UTC at the start of ``day`` (plus ``days``): the window's bounds as instants."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days), time(), tzinfo=UTC)


def _overridden(computed: dict[str, Any] | None, override: PriceOverrideRow) -> dict[str, Any]:
    """The override's price in place of history's, keeping history's count and quartiles."""
    return {
        "hs_code": override.hs_code,
        "origin": override.origin,
        "basis": override.basis,
        "unit": override.unit,
        "count": 0 if computed is None else computed["count"],
        "q1": override.median if computed is None else computed["q1"],
        "q3": override.median if computed is None else computed["q3"],
        "median": override.median,
        "low": override.low,
        "high": override.high,
        "source": "override",
    }


def _new_version(
    uow: UnitOfWork,
    previous: int | None,
    *,
    actor: str,
    history_from: date | None,
    history_to: date | None,
    items_used: int,
    items_excluded: int,
    prices: int,
) -> PriceRefreshRow:
    """Claim the next price version number; a concurrent claim of the same one is a Conflict."""
    record = PriceRefreshRow(
        price_version=(previous or 0) + 1,
        computed_at=uow.now,
        computed_by=actor,
        history_from=history_from,
        history_to=history_to,
        items_used=items_used,
        items_excluded=items_excluded,
        prices=prices,
    )
    try:
        repository.add(uow.session, record)
    except IntegrityError:
        raise Conflict(
            N_(
                "price version %(version)s was made by someone else meanwhile; retry",
                version=record.price_version,
            )
        ) from None
    return record


# =========================================================================== overrides


def set_override(
    *,
    uow: UnitOfWork,
    override_in: PriceOverrideCreate,
    actor: str,
    today: date | None = None,
) -> PriceOverrideApplied:
    """Set the analyst's price of one key (replacing an earlier override of the key, active
    or lifted), make a new price version carrying it, and journal both (no commit).

    Raises InvalidInput when ``valid_to`` has passed.
    """
    today = today or customs_day(uow.now)
    if override_in.valid_to is not None and override_in.valid_to < today:
        raise InvalidInput(
            N_("the override would never apply"),
            [
                FieldError(
                    ("valid_to",),
                    N_("must not be before today (%(today)s)", today=today.isoformat()),
                )
            ],
        )
    key = PriceKey(override_in.hs_code, override_in.origin, override_in.basis, override_in.unit)
    now = uow.now
    row = repository.override_for(uow.session, key)
    before = None if row is None else _override_state(row)
    if row is None:
        row = PriceOverrideRow(**key._asdict())
        uow.session.add(row)
    row.median, row.low, row.high = override_in.median, override_in.low, override_in.high
    row.reason, row.valid_to, row.active = override_in.reason, override_in.valid_to, True
    row.created_by, row.created_at = actor, now
    try:
        uow.session.flush()
    except IntegrityError:
        raise Conflict(
            N_("an override of %(key)s was set meanwhile; retry", key=_describe(key))
        ) from None
    previous = repository.latest_version(uow.session)
    current = None if previous is None else repository.price(uow.session, previous, key)
    price = _overridden(None if current is None else _statistics(current), row)
    record = _derive_version(uow, previous, key, price, actor=actor)
    profiles_service.selection_changed(uow=uow)
    applied = PriceOverrideApplied(
        **PriceOverrideRead.model_validate(row).model_dump(), price_version=record.price_version
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="price.override",
        object_type="reference_price_override",
        object_id=str(row.id),
        before=before,
        after={**_override_state(row), "price_version": record.price_version},
        at=now,
    )
    return applied


def lift_override(
    *,
    uow: UnitOfWork,
    override_id: int,
    lift_in: PriceOverrideLift,
    actor: str,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> PriceOverrideApplied:
    """Lift an override: a new price version gives its key history's price again
    (computed over the window of the version in force; none if fewer than ``min_sample``
    items), journalled with the reason (no commit).

    Raises NotFound for an unknown override, Conflict for one already lifted.
    """
    row = repository.override(uow.session, override_id)
    if row is None:
        raise NotFound(
            N_("reference price override %(override)s does not exist", override=override_id)
        )
    if not row.active:
        raise Conflict(
            N_("reference price override %(override)s is already lifted", override=override_id)
        )
    before = _override_state(row)
    row.active = False
    uow.session.flush()
    key = _key_of(row)
    previous = repository.latest_version(uow.session)
    price = None if previous is None else _recomputed(uow, previous, key, min_sample)
    record = _derive_version(uow, previous, key, price, actor=actor)
    profiles_service.selection_changed(uow=uow)
    applied = PriceOverrideApplied(
        **PriceOverrideRead.model_validate(row).model_dump(), price_version=record.price_version
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="price.override_lift",
        object_type="reference_price_override",
        object_id=str(row.id),
        before=before,
        after={
            **_override_state(row),
            "reason": lift_in.reason,
            "override_reason": row.reason,
            "price_version": record.price_version,
        },
    )
    return applied


def _recomputed(
    uow: UnitOfWork, version: int, key: PriceKey, min_sample: int
) -> dict[str, Any] | None:
    """History's price of one key over the window of ``version``, or None."""
    record = repository.version(uow.session, version)
    assert record is not None  # the newest version has its record: both are written together
    items = repository.history_items(
        uow.session,
        registered_from=_start_of(record.history_from),
        registered_before=_start_of(record.history_to, days=1),
        hs_prefix=key.hs_code,
    )
    if key.origin != "*":
        items = items.filter(items["origin"] == key.origin)
    computation = prices.compute(
        items, misvalued=repository.misvalued_numbers(uow.session), min_sample=min_sample
    )
    for row in computation.prices:
        if PriceKey(row["hs_code"], row["origin"], row["basis"], row["unit"]) == key:
            return {**row, "source": "computed"}
    return None


def _derive_version(
    uow: UnitOfWork,
    previous: int | None,
    key: PriceKey,
    price: dict[str, Any] | None,
    *,
    actor: str,
) -> PriceRefreshRow:
    """A new version: every price of ``previous`` but ``key``'s, which becomes ``price``
    (or goes); its record repeats the history figures of ``previous``."""
    base = None if previous is None else repository.version(uow.session, previous)
    kept = 0
    if previous is not None:
        kept = repository.count_prices(uow.session, previous, leave_out=key)
    record = _new_version(
        uow,
        previous,
        actor=actor,
        history_from=None if base is None else base.history_from,
        history_to=None if base is None else base.history_to,
        items_used=0 if base is None else base.items_used,
        items_excluded=0 if base is None else base.items_excluded,
        prices=kept + (price is not None),
    )
    if previous is not None:
        repository.copy_prices(uow.session, previous, record.price_version, leave_out=key)
    if price is not None:
        repository.add_prices(uow.session, record.price_version, [price])
    return record


def _statistics(row: ReferencePriceRow) -> dict[str, Any]:
    return {"count": row.count, "q1": row.q1, "q3": row.q3}


def _override_state(row: PriceOverrideRow) -> dict[str, Any]:
    return {
        "hs_code": row.hs_code,
        "origin": row.origin,
        "basis": row.basis,
        "unit": row.unit,
        "median": row.median,
        "low": row.low,
        "high": row.high,
        "reason": row.reason,
        "valid_to": row.valid_to,
        "active": row.active,
    }


def _describe(key: PriceKey) -> Message:
    if key.unit:
        return N_(
            "HS %(hs)s origin %(origin)s per %(basis)s %(unit)s",
            hs=key.hs_code,
            origin=key.origin,
            basis=key.basis,
            unit=key.unit,
        )
    return N_(
        "HS %(hs)s origin %(origin)s per %(basis)s",
        hs=key.hs_code,
        origin=key.origin,
        basis=key.basis,
    )
