"""Trader register use cases: refresh the register and history, recategorise, override a
category, record AEO certificates and post-entry audit findings, read them.

The register, names seen and history are derived data, rebuilt whole by each
refresh (one transaction: readers see the old data or the new, never half). The
computed categories are rebuilt by each recategorisation; each *change* of a
trader's category is kept (``trader_category_changes``) with the score and its
components, so an analyst sees why. Overrides, AEO certificates and audit
findings are facts people record; every change of them is journalled.

Selectivity reads :func:`effective_status` at each assessment (one query): the
category in force on the decision day (an override while it is valid, else the
computed category; None for a trader never scored) and whether an AEO
certificate has effect that day (valid and not ended). Expiry needs no job:
both are computed at the date asked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

import polars as pl

from corridor.config import customs_day
from corridor.db.tables import (
    AeoCertificateRow,
    TraderFindingRow,
    TraderOverrideRow,
    TraderScoreRow,
    TraderScoringRunRow,
)
from corridor.db.uow import UnitOfWork
from corridor.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from corridor.journal import service as journal_service
from corridor.reference.codes import DISCREPANCY_TYPES
from corridor.traders import repository, scoring
from corridor.traders.schemas import (
    MAX_PAGE,
    REGISTER_ROLES,
    TRADER_ROLES,
    AeoRead,
    AeoSet,
    Category,
    CategoryChangeRead,
    FindingRead,
    HistoryRefreshRead,
    OverrideCreate,
    OverrideRead,
    ReasonIn,
    RecategoriseRead,
    RegisterRefreshRead,
    ScoreRead,
    TraderHistoryRead,
    TraderNameRead,
    TraderPage,
    TraderRead,
    TraderRole,
    TraderSummary,
)

#: Category changes shown with a trader.
CHANGES_SHOWN = 50


class TraderStatus(NamedTuple):
    """What selectivity reads of a trader on a day."""

    category: Category | None
    aeo: bool


class TraderHistoryCounts(NamedTuple):
    """What selectivity reads of a trader's history (see :class:`TraderHistoryRead`);
    an importer's goods items priced and under half the price (None for a declarant)."""

    first_seen: date | None
    declarations: int
    inspections: int
    discrepancies: int
    priced_items: int | None = None
    underpriced_items: int | None = None


class AssessedTraders(NamedTuple):
    """What one assessment reads of its traders: the answering trader's status on the
    day, the history of the trader whose record the facts carry and the declarant's
    history as declarant (each None when history does not know it, or was refreshed
    after the declaration's registration)."""

    status: TraderStatus
    history: TraderHistoryCounts | None
    declarant: TraderHistoryCounts | None = None


# =========================================================================== refresh


def refresh(*, uow: UnitOfWork, actor: str) -> RegisterRefreshRead:
    """Rebuild the register (traders, roles, activity, names seen) and trader history from
    declarations and inspection acts, and journal it once (no commit)."""
    now = uow.now
    history = _rebuild_history(uow, now)
    activity = repository.activity(uow.session, offences_since=now)
    repository.replace_register(uow.session, _register(activity, now))
    names = repository.names(uow.session)
    repository.replace_names(uow.session, names)
    result = RegisterRefreshRead(
        traders=activity.height, names=len(names), history=history, refreshed_at=now
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_register.refresh",
        object_type="trader_register",
        object_id="all",
        after={
            "traders": result.traders,
            "names": result.names,
            "history_importers": history.importers,
            "history_declarants": history.declarants,
        },
        at=now,
    )
    return result


def refresh_history(*, uow: UnitOfWork, actor: str) -> HistoryRefreshRead:
    """Rebuild every trader's history (importers and declarants) by SQL aggregation over
    declarations and current inspection acts, and journal it (no commit)."""
    now = uow.now
    result = _rebuild_history(uow, now)
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_history.refresh",
        object_type="trader_history",
        object_id="all",
        after={"importers": result.importers, "declarants": result.declarants},
        at=now,
    )
    return result


def _rebuild_history(uow: UnitOfWork, now: datetime) -> HistoryRefreshRead:
    counts: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for role in TRADER_ROLES:
        found = repository.aggregate(uow.session, role, as_of=now)
        counts[role] = len(found)
        rows.extend({**row, "refreshed_at": now} for row in found)
    repository.replace_all(uow.session, rows)
    return HistoryRefreshRead(
        importers=counts["importer"], declarants=counts["declarant"], refreshed_at=now
    )


def _register(activity: pl.DataFrame, now: datetime) -> pl.DataFrame:
    """The register's rows from the traders' activity (roles as JSON text)."""
    key = sum(
        (pl.col(role).cast(pl.Int64) * (1 << bit) for bit, role in enumerate(REGISTER_ROLES)),
        start=pl.lit(0, dtype=pl.Int64),
    )
    texts = {
        mask: json.dumps([role for bit, role in enumerate(REGISTER_ROLES) if mask >> bit & 1])
        for mask in range(1 << len(REGISTER_ROLES))
    }
    return activity.select(
        "tin",
        key.replace_strict(texts, return_dtype=pl.String).alias("roles"),
        "declarations",
        "first_seen",
        "last_seen",
        pl.lit(now, dtype=pl.Datetime("us", "UTC")).alias("refreshed_at"),
    )


def history_of(*, uow: UnitOfWork, tin: str, role: TraderRole) -> TraderHistoryRead | None:
    """The history of one trader in one role, or None when history does not know it
    (never seen in that role as of the last refresh, or never refreshed)."""
    row = repository.history(uow.session, tin, role)
    return None if row is None else TraderHistoryRead.model_validate(row)


def for_assessment(
    *,
    uow: UnitOfWork,
    tin: str,
    on: date,
    history_tin: str,
    history_role: TraderRole,
    declarant: str,
    registered_at: datetime,
) -> AssessedTraders:
    """The status on ``on`` of ``tin`` (as :func:`effective_status`), the history of
    ``history_tin`` in ``history_role`` and of ``declarant`` as declarant (as
    :func:`history_of`): one query, on the path of every submission.

    History is read as of the declaration's registration (``registered_at``): a refresh
    counts only declarations registered and acts recorded before it, so its figures are
    used when it was made at or before the registration; a history refreshed later
    (a declaration assessed after the next refresh, or registered in the past) would
    count what came after, and is not read (None: the facts are missing)."""
    read = repository.assessment(
        uow.session,
        tin=tin,
        on=on,
        history_tin=history_tin,
        history_role=history_role,
        declarant=declarant,
    )
    status = _status(read.computed, read.override, read.aeo)
    return AssessedTraders(
        status,
        _counts_before(read.history, registered_at),
        _counts_before(read.declarant, registered_at),
    )


def _counts_before(
    history: repository.HistoryRead | None, registered_at: datetime
) -> TraderHistoryCounts | None:
    if history is None or history.refreshed_at > registered_at:
        return None
    return TraderHistoryCounts(
        first_seen=history.first_seen,
        declarations=history.declarations,
        inspections=history.inspections,
        discrepancies=history.discrepancies,
        priced_items=history.priced_items,
        underpriced_items=history.underpriced_items,
    )


# =========================================================================== categories


def recategorise(
    *,
    uow: UnitOfWork,
    actor: str,
    as_of: date | None = None,
    rules: scoring.ScoringRules = scoring.RULES,
) -> RecategoriseRead:
    """Score every trader from its history (one SQL aggregation, then Polars), store the
    scores and categories with their components, the register's activity figures, and
    a change row for each trader whose computed category changed (or was computed for
    the first time); journal the run once with its counts (no commit)."""
    now = uow.now
    as_of = as_of or customs_day(now)
    activity = repository.activity(uow.session, offences_since=_years_before(as_of, rules))
    p0 = scoring.population_rate(activity)
    scored = scoring.score(activity, as_of=as_of, p0=p0, rules=rules)
    repository.replace_register(uow.session, _register(activity, now))
    changes = _store_scores(uow, scored, actor=actor, now=now, tins=None)
    counts = scored["category"].value_counts()
    by_category = dict(zip(counts["category"].to_list(), counts["count"].to_list(), strict=True))
    run = TraderScoringRunRow(
        at=now,
        as_of=as_of,
        actor=actor,
        population_rate=p0,
        traders=scored.height,
        low=by_category.get("low", 0),
        medium=by_category.get("medium", 0),
        high=by_category.get("high", 0),
        changes=changes,
    )
    repository.add(uow.session, run)
    result = RecategoriseRead.model_validate(run)
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_categories.recompute",
        object_type="trader_categories",
        object_id=str(run.id),
        after=result.model_dump(mode="json", exclude={"id", "at", "actor"}),
        at=now,
    )
    return result


def _years_before(day: date, rules: scoring.ScoringRules) -> datetime:
    """The start (UTC) of the window of offence cases that count on ``day`` (the first
    day of the calendar when the window reaches back before it)."""
    if day.year - rules.offence_years < date.min.year:
        return datetime.combine(date.min, time(), tzinfo=UTC)
    try:
        start = day.replace(year=day.year - rules.offence_years)
    except ValueError:  # 29 February
        start = day.replace(year=day.year - rules.offence_years, day=28)
    return datetime.combine(start, time(), tzinfo=UTC)


def _store_scores(
    uow: UnitOfWork, scored: pl.DataFrame, *, actor: str, now: datetime, tins: list[str] | None
) -> int:
    """Replace the scores of the traders scored, and record each change of category;
    returns the number of changes."""
    timestamp = pl.lit(now, dtype=pl.Datetime("us", "UTC"))
    before = repository.computed_categories(uow.session, tins)
    changed = scored.join(before, on="tin", how="left").filter(
        pl.col("before").is_null() | (pl.col("before") != pl.col("category"))
    )
    repository.replace_scores(
        uow.session,
        scored.with_columns(
            pl.col("held_back").list.join(","), timestamp.alias("computed_at")
        ).select("tin", "category", "score", *scoring.COMPONENTS, "computed_at"),
        tins=tins,
    )
    repository.add_changes(
        uow.session,
        changed.select(
            "tin",
            pl.col("before").alias("from_category"),
            pl.col("category").alias("to_category"),
            "score",
            pl.struct(*scoring.COMPONENTS).struct.json_encode().alias("components"),
            pl.lit("computed").alias("source"),
            pl.lit("").alias("reason"),
            pl.lit(actor).alias("actor"),
            timestamp.alias("at"),
        ),
    )
    return changed.height


def _rescore(uow: UnitOfWork, tin: str, *, actor: str, now: datetime) -> None:
    """Score one trader again at once (against the population rate of the last run), so
    that a new finding shows in its category before the next run. Nothing happens before
    the first run, or for a trader without declarations."""
    last = repository.last_run(uow.session)
    if last is None:
        return
    rules = scoring.RULES
    activity = repository.activity(
        uow.session, offences_since=_years_before(customs_day(now), rules), tins=[tin]
    )
    if activity.is_empty():
        return
    scored = scoring.score(activity, as_of=customs_day(now), p0=last.population_rate, rules=rules)
    _store_scores(uow, scored, actor=actor, now=now, tins=[tin])


def last_run(*, uow: UnitOfWork) -> RecategoriseRead | None:
    """The latest recategorisation, if any."""
    run = repository.last_run(uow.session)
    return None if run is None else RecategoriseRead.model_validate(run)


def effective_status(*, uow: UnitOfWork, tin: str, on: date) -> TraderStatus:
    """The category in force on ``on`` (an override valid that day, else the computed one;
    None for a trader never scored) and whether an AEO certificate has effect that day.
    One query."""
    return _status(*repository.status(uow.session, tin, on))


def _status(computed: str | None, override: str | None, aeo: bool) -> TraderStatus:
    """The category in force: an override's, else the computed one (None if unknown)."""
    category = override or computed
    return TraderStatus(category if category in scoring.CATEGORIES else None, aeo)


# =========================================================================== reading


def get_trader(*, uow: UnitOfWork, tin: str, on: date | None = None) -> TraderRead:
    """Everything the register knows of one trader, as of ``on`` (default: today)."""
    on = on or customs_day(uow.now)
    row = repository.trader(uow.session, tin)
    if row is None:
        raise NotFound(N_("the register knows no trader %(tin)s", tin=tin))
    score = repository.score(uow.session, tin)
    overrides = [_override_read(o, on) for o in repository.overrides(uow.session, tin)]
    certificates = [_aeo_read(c, on) for c in repository.certificates(uow.session, tin)]
    override = next((o for o in overrides if o.in_force), None)
    computed = None if score is None else score.category
    category = override.category if override is not None else computed
    return TraderRead(
        tin=row.tin,
        roles=row.roles,
        declarations=row.declarations,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        refreshed_at=row.refreshed_at,
        names=[TraderNameRead.model_validate(n) for n in repository.names_of(uow.session, [tin])],
        category=category,
        category_source=None if category is None else "override" if override else "computed",
        score=None if score is None else _score_read(score),
        override=override,
        overrides=overrides,
        aeo=next((c for c in certificates if c.in_force), None),
        certificates=certificates,
        history=[
            TraderHistoryRead.model_validate(h) for h in repository.histories(uow.session, tin)
        ],
        changes=[
            CategoryChangeRead.model_validate(c)
            for c in repository.changes(uow.session, tin, CHANGES_SHOWN)
        ],
        findings=[FindingRead.model_validate(f) for f in repository.findings(uow.session, tin)],
    )


def list_traders(
    *,
    uow: UnitOfWork,
    category: Category | None = None,
    role: str | None = None,
    aeo: bool | None = None,
    text: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
    on: date | None = None,
) -> TraderPage:
    """A page of the register by TIN: filtered by the category in force, a role, AEO status
    (on ``on``, default today), and a text found at the start of the TIN or in a name."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            N_("invalid limit"), [FieldError(("limit",), N_("from 1 to %(most)s", most=MAX_PAGE))]
        )
    found = repository.search(
        uow.session,
        on=on or customs_day(uow.now),
        category=category,
        role=role,
        aeo=aeo,
        text=text or None,
        after=cursor,
        limit=limit + 1,
    )
    page = found[:limit]
    names: dict[str, list[str]] = {}
    for named in repository.names_of(uow.session, [row.tin for row, *_ in page]):
        names.setdefault(named.tin, []).append(named.name)
    items = [
        TraderSummary(
            tin=row.tin,
            names=names.get(row.tin, []),
            roles=row.roles,
            declarations=row.declarations,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            category=override or (None if score is None else score.category),
            computed_category=None if score is None else score.category,
            score=None if score is None else score.score,
            overridden=override is not None,
            aeo=holds,
        )
        for row, score, override, holds in page
    ]
    next_cursor = page[-1][0].tin if len(found) > limit else None
    return TraderPage(items=items, next_cursor=next_cursor)


def _score_read(row: TraderScoreRow) -> ScoreRead:
    return ScoreRead(
        category=row.category,
        score=row.score,
        components=scoring.components({name: getattr(row, name) for name in scoring.COMPONENTS}),
        computed_at=row.computed_at,
    )


def _override_in_force(row: TraderOverrideRow, on: date) -> bool:
    """As :func:`repository.override_in_force`, for a row in hand."""
    return customs_day(row.created_at) <= on <= row.valid_until and (
        row.lifted_at is None or customs_day(row.lifted_at) > on
    )


def _certificate_in_force(row: AeoCertificateRow, on: date) -> bool:
    """As :func:`repository.certificate_in_force`, for a row in hand."""
    return row.valid_from <= on <= row.valid_to and (
        row.ended_at is None or customs_day(row.ended_at) > on
    )


def _override_read(row: TraderOverrideRow, on: date) -> OverrideRead:
    return OverrideRead.model_validate(row).model_copy(
        update={"in_force": _override_in_force(row, on)}
    )


def _aeo_read(row: AeoCertificateRow, on: date) -> AeoRead:
    return AeoRead.model_validate(row).model_copy(
        update={"in_force": _certificate_in_force(row, on)}
    )


def _known(uow: UnitOfWork, tin: str) -> None:
    if repository.trader(uow.session, tin) is None:
        raise NotFound(N_("the register knows no trader %(tin)s", tin=tin))


# =========================================================================== overrides


def set_override(
    *, uow: UnitOfWork, tin: str, override_in: OverrideCreate, actor: str
) -> OverrideRead:
    """Put a trader in a category by hand, with a reason, until a day (inclusive); it
    replaces an override in force. Recorded as a category change and journalled."""
    _known(uow, tin)
    now = uow.now
    before = effective_status(uow=uow, tin=tin, on=customs_day(now)).category
    replaced = repository.open_overrides(uow.session, tin, customs_day(now))
    for old in replaced:
        old.lifted_by, old.lifted_at = actor, now
        old.lift_reason = "replaced by a new override"
    row = TraderOverrideRow(
        tin=tin,
        category=override_in.category,
        reason=override_in.reason,
        valid_until=override_in.valid_until,
        created_by=actor,
        created_at=now,
    )
    repository.add(uow.session, row)
    _change(
        uow,
        tin,
        before,
        row.category,
        reason=row.reason,
        detail={"override": row.id, "valid_until": row.valid_until.isoformat()},
        actor=actor,
        at=now,
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_category.override",
        object_type="trader",
        object_id=tin,
        before={"category": before, "replaced_overrides": [old.id for old in replaced]},
        after={
            "override": row.id,
            "category": row.category,
            "reason": row.reason,
            "valid_until": row.valid_until,
        },
        at=now,
    )
    return _override_read(row, customs_day(now))


def lift_override(*, uow: UnitOfWork, tin: str, lift_in: ReasonIn, actor: str) -> OverrideRead:
    """Lift the override in force before it expires (the computed category applies again);
    recorded as a category change and journalled."""
    _known(uow, tin)
    now = uow.now
    found = repository.open_overrides(uow.session, tin, customs_day(now))
    if not found:
        raise Conflict(N_("trader %(tin)s has no override in force", tin=tin))
    row = found[-1]
    row.lifted_by, row.lifted_at, row.lift_reason = actor, now, lift_in.reason
    uow.session.flush()
    after = effective_status(uow=uow, tin=tin, on=customs_day(now)).category
    _change(
        uow,
        tin,
        row.category,
        after,
        reason=lift_in.reason,
        detail={"override": row.id, "lifted": True},
        actor=actor,
        at=now,
    )
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_category.lift_override",
        object_type="trader",
        object_id=tin,
        before={"override": row.id, "category": row.category},
        after={"category": after, "reason": lift_in.reason},
        at=now,
    )
    return _override_read(row, customs_day(now))


def _change(
    uow: UnitOfWork,
    tin: str,
    before: str | None,
    after: str | None,
    *,
    reason: str,
    detail: dict[str, Any],
    actor: str,
    at: datetime,
) -> None:
    """Record a change of the category in force made by hand (source ``override``)."""
    repository.add_changes(
        uow.session,
        pl.DataFrame(
            [
                {
                    "tin": tin,
                    "from_category": before,
                    "to_category": after,
                    "score": None,
                    "components": json.dumps(detail),
                    "source": "override",
                    "reason": reason,
                    "actor": actor,
                    "at": at,
                }
            ],
            schema={
                "tin": pl.String(),
                "from_category": pl.String(),
                "to_category": pl.String(),
                "score": pl.Float64(),
                "components": pl.String(),
                "source": pl.String(),
                "reason": pl.String(),
                "actor": pl.String(),
                "at": pl.Datetime("us", "UTC"),
            },
        ),
    )


# =========================================================================== AEO


def set_aeo(*, uow: UnitOfWork, tin: str, aeo_in: AeoSet, actor: str) -> AeoRead:
    """Record a trader's AEO certificate (or correct the type and validity of the one
    recorded under that number); a new certificate ends the trader's earlier ones.
    Journalled. It has effect from ``valid_from`` to ``valid_to``, checked at each
    decision's date."""
    _known(uow, tin)
    now = uow.now
    existing = repository.certificate(uow.session, aeo_in.certificate)
    if existing is not None and existing.tin != tin:
        raise Conflict(
            N_(
                "AEO certificate %(certificate)s is recorded for another trader",
                certificate=aeo_in.certificate,
            )
        )
    if existing is not None and existing.ended_at is not None:
        raise Conflict(
            N_(
                "AEO certificate %(certificate)s was ended; record a new number",
                certificate=aeo_in.certificate,
            )
        )
    ended: list[int] = []
    if existing is None:
        for old in repository.certificates(uow.session, tin):
            if old.ended_at is None:
                old.ended_by, old.ended_at = actor, now
                old.end_reason = f"replaced by certificate {aeo_in.certificate}"
                ended.append(old.id)
        row = AeoCertificateRow(
            tin=tin,
            certificate=aeo_in.certificate,
            kind=aeo_in.kind,
            valid_from=aeo_in.valid_from,
            valid_to=aeo_in.valid_to,
            recorded_by=actor,
            recorded_at=now,
        )
        before = None
    else:
        row = existing
        before = _certificate_state(row)
        row.kind, row.valid_from, row.valid_to = aeo_in.kind, aeo_in.valid_from, aeo_in.valid_to
    repository.add(uow.session, row)
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_aeo.set",
        object_type="trader",
        object_id=tin,
        before=before if before is not None else {"ended_certificates": ended},
        after=_certificate_state(row),
        at=now,
    )
    return _aeo_read(row, customs_day(now))


def end_aeo(*, uow: UnitOfWork, tin: str, end_in: ReasonIn, actor: str) -> AeoRead:
    """End a trader's AEO certificate (withdrawn or suspended) before its validity runs
    out; it has no effect from today. Journalled."""
    _known(uow, tin)
    now = uow.now
    current = [c for c in repository.certificates(uow.session, tin) if c.ended_at is None]
    if not current:
        raise Conflict(N_("trader %(tin)s holds no AEO certificate that was not ended", tin=tin))
    row = current[0]
    before = _certificate_state(row)
    row.ended_by, row.ended_at, row.end_reason = actor, now, end_in.reason
    uow.session.flush()
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_aeo.end",
        object_type="trader",
        object_id=tin,
        before=before,
        after={**_certificate_state(row), "end_reason": end_in.reason},
        at=now,
    )
    return _aeo_read(row, customs_day(now))


def _certificate_state(row: AeoCertificateRow) -> dict[str, Any]:
    return {
        "certificate": row.certificate,
        "kind": row.kind,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "ended_at": row.ended_at,
    }


# =========================================================================== post-entry


def record_audit_finding(
    *,
    uow: UnitOfWork,
    tin: str,
    case_ref: str,
    discrepancy_types: Sequence[str],
    additional_duties: Decimal,
    penalties: Decimal,
    found_at: datetime,
    actor: str,
) -> FindingRead:
    """Record what a completed post-entry audit case found of a trader (the only way into
    ``trader_findings``; recording the same case again replaces its finding). An audit
    counts as a control in the trader's score, a finding (a discrepancy type, duties or
    a penalty) as a discrepancy; the trader is scored again at once (against the last
    run's population rate), so its category follows. Journalled; no commit."""
    problems = [
        FieldError(
            ("discrepancy_types", index),
            N_("unknown discrepancy type %(value)s", value=repr(kind)),
        )
        for index, kind in enumerate(discrepancy_types)
        if kind not in DISCREPANCY_TYPES
    ]
    for name, amount in (("additional_duties", additional_duties), ("penalties", penalties)):
        if not amount.is_finite() or amount < 0:
            problems.append(FieldError((name,), N_("must be a finite amount of at least 0")))
    if not tin or not case_ref:
        problems.append(FieldError(("tin" if not tin else "case_ref",), N_("must not be empty")))
    if found_at.tzinfo is None:
        problems.append(FieldError(("found_at",), N_("must carry a time zone")))
    if problems:
        raise InvalidInput(N_("invalid audit finding"), problems)
    now = uow.now
    row = repository.finding(uow.session, tin, case_ref)
    before = None if row is None else _finding_state(row)
    if row is None:
        row = TraderFindingRow(tin=tin, case_ref=case_ref)
    row.discrepancy_types = sorted(set(discrepancy_types))
    row.additional_duties, row.penalties = additional_duties, penalties
    row.found_at, row.recorded_by, row.recorded_at = found_at, actor, now
    repository.add(uow.session, row)
    journal_service.record(
        uow.session,
        actor=actor,
        action="trader_finding.record",
        object_type="trader",
        object_id=tin,
        before=before,
        after=_finding_state(row),
        at=now,
    )
    _rescore(uow, tin, actor=actor, now=now)
    return FindingRead.model_validate(row)


def _finding_state(row: TraderFindingRow) -> dict[str, Any]:
    return {
        "case_ref": row.case_ref,
        "discrepancy_types": list(row.discrepancy_types),
        "additional_duties": row.additional_duties,
        "penalties": row.penalties,
        "found_at": row.found_at,
    }
