"""Selectivity use cases: submit-and-assess, read a decision, re-route.

A decision is written once per declaration version, in the same transaction as
the declaration, and never changed; a re-route is a new record pointing to it.

What an assessment reads besides the declaration: the worker's snapshot (profile
set, office parameters and the reference prices in force, all in memory), the
trader's history, in one query: the importer's, or the declarant's when the
declaration names no importer (:mod:`corridor.traders`), and the trader's status
on the day of the decision, in one more: the category in force and whether an AEO
certificate has effect, of the trader answering for the declaration (the importer
of an import, the exporter of an export, else the declarant). The trader facts of a
trader history does not know (never seen in that role, or history never refreshed)
are missing, as is the category of a trader never scored. The status feeds the
simplified procedures of the engine (exemptions, lower random rates), which the
decision records (``simplified``).
Reference prices (``ref_price``, ``value_ratio``) are looked up for imports only:
they are computed from imports. The decision records the price version it read
(``price_version``: None when it read none).

**Risk-scoring models.** When a model version is active for the declaration's flow
(held in the worker's snapshot, loaded once), it scores the fact rows once built: each
item's calibrated probability becomes that item's ``model_score`` fact (six decimal
places), so criteria read it per item, and the declaration's ``model_score`` is the
highest item's (the core's aggregation). The decision records the version (``model``:
name, version, the SHA-256's first 12 digits, the score and the item scores) and, when
a profile reading ``model_score`` matched, the top reasons of the highest item in words
with their contributions to the log-odds (``item``, ``reasons``: LightGBM's
contributions cost a millisecond or more, so only the decisions the model took part in
pay for them). Versions shadowing the flow are scored and recorded (``shadow_models``)
but never feed the criteria. A version that failed to load or fails to score leaves the
score missing (``model_score >= 0.8`` then does not match, as with any missing fact;
profiles that do not read it select as without a model), the failure is logged and
counted (:attr:`ProfileSetHolder.model_failures`, shown by the health answer) and the
decision records it (``model.error``). Only readers cleared for the reasons see these
records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from corridor.accounts.roles import Action, Principal
from corridor.config import customs_day, customs_zone
from corridor.db.tables import DecisionRow, RerouteRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import service as declarations_service
from corridor.declarations.facts import TraderFacts
from corridor.declarations.schemas import DeclarationCreate, DeclarationRead
from corridor.errors import N_, Conflict, FieldError, InvalidInput, Message, NotFound
from corridor.journal import service as journal_service
from corridor.profiles import service as profiles_service
from corridor.selectivity import repository
from corridor.selectivity.engine import DeclarationFacts, ProfileHit, ProfileSet, assess
from corridor.selectivity.schemas import (
    REROUTE_REASONS,
    DecisionRead,
    DeclarationAssessed,
    RerouteIn,
    RerouteRead,
)
from corridor.selectivity.snapshot import FlowModels, ProfileSetHolder, ServedModel
from corridor.traders import service as traders_service
from corridor.traders.schemas import TraderRole

#: Tries of a submission (see :func:`submit`).
SUBMIT_ATTEMPTS = declarations_service.STORE_ATTEMPTS


def submit(
    *,
    uow: UnitOfWork,
    declaration_in: DeclarationCreate,
    holder: ProfileSetHolder,
    secret: bytes,
    source: str = "api",
    now: datetime | None = None,
    retry: bool = False,
) -> tuple[DeclarationAssessed, bool]:
    """Store a declaration version, then assess it, in the caller's transaction (no
    commit); return both and whether the version was new. Identical content returns the
    stored pair (a stored version without a decision, as an import leaves it, is assessed).

    ``now`` is the time of the assessment (default: the clock); its day in the
    installation's time zone decides which profiles and trader statuses are in force.
    The unique keys of declarations and decisions settle races: the edge runs this with
    :meth:`corridor.db.uow.UnitOfWork.retrying` (:data:`SUBMIT_ATTEMPTS`,
    ``declarations_service.stored_concurrently``), which commits, and passes ``retry``
    on a second run so the declaration's stored versions are looked at first.
    """
    submission = declarations_service.store(
        uow=uow, declaration_in=declaration_in, source=source, retry=retry
    )
    declaration = submission.declaration
    # A new version has no decision yet; a stored one may (imports may not).
    existing = None if submission.created else repository.decision_for(uow.session, declaration.id)
    row = existing or _assess_and_store(uow, declaration, holder, secret, now)
    assessed = DeclarationAssessed.model_construct(
        **dict(declaration),
        decision=_decision_read(uow, row, declaration, fresh=submission.created),
    )
    return assessed, submission.created


def assess_stored(
    *,
    uow: UnitOfWork,
    declaration: DeclarationRead,
    holder: ProfileSetHolder,
    secret: bytes,
    now: datetime | None = None,
) -> DecisionRow:
    """Assess a stored declaration version that has no decision yet (no commit); ``now``
    as in :func:`submit`."""
    existing = repository.decision_for(uow.session, declaration.id)
    if existing is not None:
        return existing
    return _assess_and_store(uow, declaration, holder, secret, now)


def _assess_and_store(
    uow: UnitOfWork,
    declaration: DeclarationRead,
    holder: ProfileSetHolder,
    secret: bytes,
    now: datetime | None,
) -> DecisionRow:
    current = holder.current(uow)
    header = declaration.model_dump(exclude={"items"})
    items = [item.model_dump() for item in declaration.items]
    book = current.price_book if declaration.flow == "IM" else None
    price_version = None if book is None else book.version
    now = (now or uow.now).astimezone(UTC)
    trader = _trader_facts(uow, declaration, customs_day(now))
    # One header and one trader record: the scope, the rows and the trader's status agree.
    facts = DeclarationFacts.of(
        f"{declaration.number}/{declaration.version}",
        header,
        items,
        trader=trader,
        item_extras=None if book is None else book.item_extras(items),
        attributes=current.attributes,
    )
    models = current.models_of(declaration.flow)
    scored: dict[str, Any] = {}
    if models.active is not None or models.shadows:
        facts, scored = _score(facts, models, holder)
    parameters = current.parameters_of(declaration.office, declaration.flow)
    observed = None
    if parameters is not None and parameters.expected_floor is not None:
        observed = holder.observed_red_rate(uow, declaration.office, declaration.flow)
    decision = assess(
        facts,
        current.profile_set,
        parameters=parameters,
        secret=secret,
        at=now,
        zone=customs_zone(),
        observed_red_rate=observed,
    )
    if "score" in scored.get("model", {}) and models.active is not None:
        _explain(scored["model"], models.active, facts, decision.hits, current.profile_set, holder)
    # The engine's decision stays as it made it; the price version is the caller's record.
    detail = {**decision.to_json(), "price_version": price_version, **scored}
    row = DecisionRow(
        declaration_id=declaration.id,
        channel=decision.channel,
        engine_version=decision.engine_version,
        profile_set_version=decision.profile_set_version,
        assessed_at=now,
        selected_by_profile=any(hit.selected for hit in decision.hits),
        selected_at_random=any(draw.selected for draw in decision.random),
        price_version=price_version,
        detail=detail,
    )
    # One hit row per matching profile (at most one per profile version), for statistics.
    hits = {
        (hit.code, hit.version): {
            "profile_code": hit.code,
            "profile_version": hit.version,
            "selected": hit.selected,
            "exempt": hit.exempt,
        }
        for hit in decision.hits
    }
    repository.insert_decision(uow.session, row, list(hits.values()))
    return row


#: Reasons a decision records of the active model's score.
MODEL_REASONS = 5


def _score(
    facts: DeclarationFacts, models: FlowModels, holder: ProfileSetHolder
) -> tuple[DeclarationFacts, dict[str, Any]]:
    """The facts with the active model's item scores, and what the decision records of the
    models (``model``, ``shadow_models``): see the module docstring."""
    recorded: dict[str, Any] = {}
    if models.active is not None:
        record, items = _run(models.active, facts, holder)
        recorded["model"] = record
        if items is not None:
            rows = tuple(
                {**row, "model_score": score} for row, score in zip(facts.rows, items, strict=True)
            )
            facts = replace(facts, rows=rows)
    if models.shadows:
        recorded["shadow_models"] = [_run(shadow, facts, holder)[0] for shadow in models.shadows]
    return facts, recorded


def _run(
    served: ServedModel, facts: DeclarationFacts, holder: ProfileSetHolder
) -> tuple[dict[str, Any], list[Decimal] | None]:
    """One version's record and item scores (None when it failed: logged and counted)."""
    record: dict[str, Any] = served.record()
    if served.model is None:
        return {**record, "error": served.error}, None
    try:
        found = served.model.score_declaration(facts.rows)
        if not all(math.isfinite(s) and 0 <= s <= 1 for s in found.items):
            raise ValueError(f"scores out of range: {found.items!r}")
    except Exception as exc:  # any failure: assessed without the score
        holder.failed(served.label, "score", exc)
        return {**record, "error": f"score: {type(exc).__name__}"}, None
    items = [Decimal(f"{s:.6f}") for s in found.items]
    return {**record, "score": str(max(items)), "items": [str(s) for s in items]}, items


@lru_cache(maxsize=8)
def _reading_model_score(profile_set: ProfileSet) -> frozenset[tuple[str, int]]:
    """The profile versions of a set whose criteria read ``model_score``."""
    return frozenset(
        (p.spec.code, p.spec.version)
        for p in profile_set.profiles
        if any("model_score" in profile_set.conjuncts[c].reads for c in p.conjuncts)
    )


def _explain(
    record: dict[str, Any],
    served: ServedModel,
    facts: DeclarationFacts,
    hits: Sequence[ProfileHit],
    profile_set: ProfileSet,
    holder: ProfileSetHolder,
) -> None:
    """Add the top reasons of the highest-scoring item to ``record`` when a profile reading
    ``model_score`` matched (LightGBM's contributions cost a millisecond or more: the
    decisions the model took part in carry them, the others the scores alone)."""
    reading = _reading_model_score(profile_set)
    if served.model is None or not any((h.code, h.version) in reading for h in hits):
        return
    items = [Decimal(s) for s in record["items"]]
    top = items.index(max(items))
    try:
        why = served.model.explain([facts.rows[top]], top=MODEL_REASONS)
    except Exception as exc:  # the score stands; only the words are missing
        holder.failed(served.label, "explain", exc)
        record["reasons_error"] = type(exc).__name__
        return
    item_no = facts.rows[top].get("item_no")
    record["item"] = None if item_no is None else int(item_no)
    record["reasons"] = [
        {
            "feature": r.feature,
            "text": str(r.text),
            # What says it again in another language (corridor.web.i18n.reason).
            "template": r.text.template,
            "params": {name: _plain(value) for name, value in r.text.params.items()},
            "contribution": round(r.contribution, 4),
        }
        for r in why.reasons
    ]


def _plain(value: object) -> object:
    """A reason's parameter as JSON keeps it: a number as a plain float, a code as text."""
    return float(value) if isinstance(value, float) else value


def _trader_facts(uow: UnitOfWork, declaration: DeclarationRead, on: date) -> TraderFacts:
    """The importer's history (the declarant's without an importer), the declarant's
    history as declarant, both as of the declaration's registration, and the answering
    trader's status on ``on`` as facts: one query."""
    history_role: TraderRole = "declarant"
    history_tin = declaration.declarant
    if declaration.importer is not None:
        history_tin, history_role = declaration.importer, "importer"
    answering = {"IM": declaration.importer, "EX": declaration.exporter}.get(declaration.flow)
    status, history, declarant = traders_service.for_assessment(
        uow=uow,
        tin=answering or declaration.declarant,
        on=on,
        history_tin=history_tin,
        history_role=history_role,
        declarant=declaration.declarant,
        registered_at=declaration.registered_at,
    )
    facts = TraderFacts(category=status.category, aeo=status.aeo)
    if history is not None:
        facts = replace(
            facts,
            first_seen=history.first_seen,
            declarations=history.declarations,
            inspections=history.inspections,
            discrepancies=history.discrepancies,
            priced_items=history.priced_items,
            underpriced_items=history.underpriced_items,
        )
    if declarant is not None:
        facts = replace(
            facts,
            declarant_declarations=declarant.declarations,
            declarant_inspections=declarant.inspections,
            declarant_discrepancies=declarant.discrepancies,
        )
    return facts


def get_decision(
    *,
    uow: UnitOfWork,
    number: str,
    version: int | None = None,
    scope: frozenset[str] | None = None,
) -> DecisionRead:
    """The decision of a declaration version (the latest unless asked).

    ``scope``: the offices the caller may see (None: all).
    """
    declaration = declarations_service.get(uow=uow, number=number, version=version, scope=scope)
    row = repository.decision_for(uow.session, declaration.id)
    if row is None:
        raise NotFound(_not_assessed(declaration))
    return _decision_read(uow, row, declaration)


def current_channels(*, uow: UnitOfWork, declaration_ids: list[int]) -> dict[int, str]:
    """The channel that applies now (after re-routes) of each declaration version among
    ``declaration_ids`` that was assessed, by declaration id (a listing's page at once)."""
    return repository.current_channels(uow.session, declaration_ids)


def reroute(
    *,
    uow: UnitOfWork,
    number: str,
    version: int | None,
    reroute_in: RerouteIn,
    officer: str,
    scope: frozenset[str] | None = None,
) -> DecisionRead:
    """Record an officer's change of channel against the decision (never an edit), and
    journal it."""
    if reroute_in.reason_code not in REROUTE_REASONS:
        raise InvalidInput(
            N_("unknown reason code"),
            [
                FieldError(
                    ("reason_code",),
                    N_("must be one of %(codes)s", codes=", ".join(sorted(REROUTE_REASONS))),
                )
            ],
        )
    declaration = declarations_service.get(uow=uow, number=number, version=version, scope=scope)
    row = repository.decision_for(uow.session, declaration.id)
    if row is None:
        raise NotFound(_not_assessed(declaration))
    current = _current_channel(uow, row)
    if reroute_in.channel == current:
        raise Conflict(
            N_(
                "the declaration is already in the %(channel)s channel",
                channel=Message(current),  # a channel's name, translated as the pages do
            )
        )
    record = RerouteRow(
        decision_id=row.id,
        from_channel=current,
        to_channel=reroute_in.channel,
        reason_code=reroute_in.reason_code,
        comment=reroute_in.comment,
        officer=officer,
        at=uow.now,
    )
    repository.add(uow.session, record)
    journal_service.record(
        uow.session,
        actor=officer,
        action="decision.reroute",
        object_type="declaration",
        object_id=f"{declaration.number}/{declaration.version}",
        before={"channel": current, "decision": row.id},
        after={
            "channel": reroute_in.channel,
            "reason_code": reroute_in.reason_code,
            "comment": reroute_in.comment,
        },
        at=record.at,
    )
    return _decision_read(uow, row, declaration)


def _current_channel(uow: UnitOfWork, row: DecisionRow) -> str:
    reroutes = repository.reroutes(uow.session, row.id)
    return reroutes[-1].to_channel if reroutes else row.channel


def _decision_read(
    uow: UnitOfWork, row: DecisionRow, declaration: DeclarationRead, *, fresh: bool = False
) -> DecisionRead:
    # A decision made in this request has no re-routes yet: no need to ask.
    reroutes = [] if fresh else repository.reroutes(uow.session, row.id)
    detail = row.detail
    return DecisionRead(
        id=row.id,
        declaration_number=declaration.number,
        declaration_version=declaration.version,
        channel=row.channel,
        current_channel=(reroutes[-1].to_channel if reroutes else row.channel),
        assessed_at=row.assessed_at,
        engine_version=row.engine_version,
        profile_set_version=row.profile_set_version,
        price_version=row.price_version,
        measures=list(detail.get("measures", [])),
        hits=list(detail.get("hits", [])),
        random=list(detail.get("random", [])),
        list_versions=dict(detail.get("list_versions", {})),
        reroutes=[RerouteRead.model_validate(r) for r in reroutes],
        instructions=_instructions(detail.get("hits", [])),
        simplified=detail.get("simplified"),
        model=detail.get("model"),
        shadow_models=list(detail.get("shadow_models", [])),
    )


def _instructions(hits: list[dict[str, Any]]) -> list[str]:
    """The officer instructions of the selecting profiles, each once, in hit order."""
    found = [h.get("officer_instructions", "") for h in hits if h.get("selected")]
    return list(dict.fromkeys(text for text in found if text))


#: What a reader without the intelligence clearance sees of an intelligence profile's hit.
HIDDEN_PROFILE = "(confidential profile)"


def shown_to(decision: DecisionRead, principal: Principal, *, uow: UnitOfWork) -> DecisionRead:
    """The decision as ``principal`` may see it (see :class:`DecisionRead`).

    Without the clearance for reasons: channel, measures and instructions only (no model
    score, version or reasons either). With it
    but without the intelligence clearance, the hits of intelligence profiles (targets,
    and profiles reading a confidential list) keep their outcome and measures but lose
    code, title, kind, risk area and reason (which names list entries), and neither the
    list versions nor the simplification name a confidential list or such a profile."""
    if not principal.can(Action.DECISIONS_REASONS):
        measures = [{k: v for k, v in m.items() if k != "sources"} for m in decision.measures]
        return decision.model_copy(
            update={
                "hits": [],
                "random": [],
                "list_versions": {},
                "measures": measures,
                "simplified": None,
                "model": None,
                "shadow_models": [],
                "restricted": True,
            }
        )
    if principal.can(Action.INTELLIGENCE_READ):
        return decision
    hidden = profiles_service.intelligence(uow=uow)
    secret = {
        (h["code"], h["version"])
        for h in decision.hits
        if (h["code"], h["version"]) in hidden.profiles or h.get("kind") == "target"
    }
    list_versions = {n: v for n, v in decision.list_versions.items() if n not in hidden.lists}
    if not secret:
        return decision.model_copy(update={"list_versions": list_versions})

    def source(s: dict[str, Any]) -> dict[str, Any]:
        if (s.get("code"), s.get("version")) in secret:
            return {**s, "code": HIDDEN_PROFILE, "version": 0}
        return s

    hits = [
        {
            **h,
            "code": HIDDEN_PROFILE,
            "title": HIDDEN_PROFILE,
            "kind": "",
            "risk_area": "",
            "reason": "",
            "version": 0,
        }
        if (h["code"], h["version"]) in secret
        else h
        for h in decision.hits
    ]
    measures = [
        {**m, "sources": [source(s) for s in m.get("sources", [])]} for m in decision.measures
    ]
    simplified = decision.simplified
    if simplified is not None:
        simplified = {
            **simplified,
            "exempted": [source(e) for e in simplified.get("exempted", [])],
        }
    return decision.model_copy(
        update={
            "hits": hits,
            "measures": measures,
            "list_versions": list_versions,
            "simplified": simplified,
        }
    )


def _not_assessed(declaration: DeclarationRead) -> Message:
    return N_(
        "declaration %(number)s version %(version)s was not assessed",
        number=declaration.number,
        version=declaration.version,
    )
