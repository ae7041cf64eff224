"""Declaration use cases: store (idempotent, versioned), ingest in bulk, read, list.

None of them commits: the edge that runs a use case does.

Idempotency and versions. A declaration is keyed by (number, version):

* re-sending identical content under a stored key returns the stored version;
* different content under a stored key is a conflict (HTTP 409), never an overwrite;
* an amendment is the next version; a version that would leave a gap is a conflict;
* earlier versions stay readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from corridor.db.tables import DeclarationRow
from corridor.db.uow import UnitOfWork
from corridor.declarations import repository
from corridor.declarations.repository import ROW_INDEX, ListFilters, StoredKey
from corridor.declarations.schemas import (
    DeclarationCreate,
    DeclarationPage,
    DeclarationRead,
    DeclarationSummary,
    GoodsItemRead,
    canonical_value,
)
from corridor.errors import N_, DeclarationConflict, FieldError, InvalidInput, NotFound
from corridor.paging import id_cursor

MAX_PAGE = 500
#: Tries of a submission; the second already sees what the concurrent winner stored.
STORE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """A known truth about a declaration (dataset label or planted demo fraud)."""

    source: str
    fraud: bool
    critical_fraud: int | None = None
    pattern: str | None = None
    item_no: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Submission:
    """The result of submitting one declaration version."""

    declaration: DeclarationRead
    created: bool


@dataclass(slots=True)
class IngestResult:
    """What happened to each declaration of a bulk batch, by its index in the batch."""

    created: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    #: For created declarations (same order as ``created``): what was stored, as read back.
    stored: list[DeclarationRead] = field(default_factory=list)


def store(
    *,
    uow: UnitOfWork,
    declaration_in: DeclarationCreate,
    source: str,
    retry: bool = False,
) -> Submission:
    """Store one declaration version, or find the identical stored one (no commit).

    A first version is nearly always new: it is inserted at once and the unique key says
    otherwise (one query fewer on the busiest path), unless ``retry``: the caller runs the
    use case again after a unique key refused it, so the stored versions are looked at
    first. Raises DeclarationConflict for different content under a stored key or a
    version gap; lets the unique key's IntegrityError out, for the caller to roll back and
    retry (:meth:`corridor.db.uow.UnitOfWork.retrying`, with :data:`STORE_ATTEMPTS` and
    :func:`stored_concurrently`): identical content is then "already stored", different
    content a conflict.
    """
    optimistic = not retry and declaration_in.version == 1
    result = ingest(
        uow=uow, declarations=[declaration_in], source=source, look_first=not optimistic
    )
    if result.conflicts:
        raise DeclarationConflict(result.conflicts[0][1])
    if result.created:
        return Submission(result.stored[0], created=True)
    stored = get(uow=uow, number=declaration_in.number, version=declaration_in.version)
    return Submission(stored, created=False)


def stored_concurrently(declaration_in: DeclarationCreate) -> DeclarationConflict:
    """The answer when every attempt of :func:`store` lost its race to a unique key."""
    return DeclarationConflict(
        N_(
            "declaration %(number)s version %(version)s is being stored concurrently; retry",
            number=declaration_in.number,
            version=declaration_in.version,
        )
    )


def classify(session: Session, keys: Sequence[tuple[str, int, str]]) -> IngestResult:
    """Decide for each (number, version, content hash) of a batch: create, unchanged, conflict."""
    stored = repository.stored_versions(session, (number for number, _, _ in keys))
    # What is known per number as the batch proceeds: stored versions, then this batch's.
    known: dict[str, dict[int, str]] = {
        number: {key.version: key.content_hash for key in versions}
        for number, versions in stored.items()
    }
    result = IngestResult()
    for index, (number, version, content_hash) in enumerate(keys):
        versions = known.setdefault(number, {})
        problem = _version_problem(number, version, content_hash, versions, stored)
        if problem == "unchanged":
            result.unchanged.append(index)
        elif problem is not None:
            result.conflicts.append((index, problem))
        else:
            versions[version] = content_hash
            result.created.append(index)
    return result


def ingest(
    *,
    uow: UnitOfWork,
    declarations: Sequence[DeclarationCreate],
    source: str,
    truths: Sequence[GroundTruth | None] | None = None,
    look_first: bool = True,
) -> IngestResult:
    """Store a batch of validated declarations in the current transaction (no commit).

    Each is created, found unchanged, or refused as a conflict; ``truths`` (same
    length) records ground truth beside the created ones. With ``look_first=False``
    every declaration is inserted without looking at the stored versions, for a caller
    that catches the IntegrityError a stored key raises (and then looks).
    """
    session = uow.session
    hashes = [d.content_hash() for d in declarations]
    if look_first:
        result = classify(
            session, [(d.number, d.version, h) for d, h in zip(declarations, hashes, strict=True)]
        )
    else:
        result = IngestResult(created=list(range(len(declarations))))
    received_at = uow.now
    headers: list[dict[str, Any]] = []
    items: list[list[dict[str, Any]]] = []
    for index in result.created:
        declaration = declarations[index]
        header, goods = _rows(declaration, hashes[index], source, received_at)
        headers.append(header)
        items.append(goods)
    ids = repository.insert_declarations(session, headers, items)
    # What was just stored, as a read would return it. The values were validated on the
    # way in, so the read models are constructed without validating them again.
    result.stored = [
        DeclarationRead.model_construct(
            **{name: header[name] for name in DeclarationRead.model_fields if name in header},
            id=row_id,
            items=[GoodsItemRead.model_construct(**item) for item in goods],
            # Versions are gapless, so a new version n has 1..n stored.
            versions=list(range(1, header["version"] + 1)),
        )
        for row_id, header, goods in zip(ids, headers, items, strict=True)
    ]
    created_truths = [truths[index] if truths is not None else None for index in result.created]
    repository.insert_ground_truth(
        session,
        [
            {
                "declaration_id": row_id,
                "source": truth.source,
                "fraud": truth.fraud,
                "critical_fraud": truth.critical_fraud,
                "pattern": truth.pattern,
                "item_no": truth.item_no,
                "detail": truth.detail,
            }
            for row_id, truth in zip(ids, created_truths, strict=True)
            if truth is not None
        ],
    )
    return result


def ingest_validated(
    *,
    uow: UnitOfWork,
    headers: pl.DataFrame,
    items: pl.DataFrame,
    source: str,
    truths: pl.DataFrame | None = None,
) -> IngestResult:
    """Store declarations validated column-wise (``bulk.validate_rows``); no commit.

    Indexes in the result are positions in ``headers``.
    """
    session = uow.session
    keys = headers.select("number", "version", "content_hash").rows()
    result = classify(session, keys)
    if result.created:
        created = headers[ROW_INDEX].gather(result.created).implode()
        repository.insert_validated(
            session,
            headers.filter(pl.col(ROW_INDEX).is_in(created)),
            items.filter(pl.col(ROW_INDEX).is_in(created)),
            None if truths is None else truths.filter(pl.col(ROW_INDEX).is_in(created)),
            source=source,
            received_at=uow.now,
        )
    return result


def _version_problem(
    number: str,
    version: int,
    content_hash: str,
    versions: dict[int, str],
    stored: dict[str, list[StoredKey]],
) -> str | None:
    """None when the version may be created, "unchanged", or the reason for a conflict."""
    if version in versions:
        if versions[version] == content_hash:
            return "unchanged"
        following = max(versions) + 1
        if any(key.version == version for key in stored.get(number, [])):
            return N_(
                "declaration %(number)s version %(version)s is already stored with different "
                "content; send the amendment as version %(following)s",
                number=number,
                version=version,
                following=following,
            )
        return N_(
            "declaration %(number)s version %(version)s appears earlier in this batch with "
            "different content; send the amendment as version %(following)s",
            number=number,
            version=version,
            following=following,
        )
    expected = max(versions, default=0) + 1
    if version != expected:
        latest = max(versions, default=None)
        if latest:
            return N_(
                "declaration %(number)s version %(version)s would leave a gap: the latest "
                "stored version is %(latest)s, so the next version must be %(expected)s",
                number=number,
                version=version,
                latest=latest,
                expected=expected,
            )
        return N_(
            "declaration %(number)s version %(version)s would leave a gap: no version is "
            "stored, so the next version must be %(expected)s",
            number=number,
            version=version,
            expected=expected,
        )
    return None


def _rows(
    declaration: DeclarationCreate, content_hash: str, source: str, received_at: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values = [item.customs_value for item in declaration.items]
    total = None
    if all(value is not None for value in values):
        total = sum((value for value in values if value is not None), Decimal(0))
    header = {
        "number": declaration.number,
        "version": declaration.version,
        "content_hash": content_hash,
        "flow": declaration.flow,
        "procedure": declaration.procedure,
        "office": declaration.office,
        "registered_at": declaration.registered_at,
        "declarant": declaration.declarant,
        "importer": declaration.importer,
        "exporter": declaration.exporter,
        "exporter_country": declaration.exporter_country,
        "dispatch_country": declaration.dispatch_country,
        "destination_country": declaration.destination_country,
        "transport_mode": declaration.transport_mode,
        "vehicle_id": declaration.vehicle_id,
        "containers": list(declaration.containers),
        "incoterms": declaration.incoterms,
        "currency": declaration.currency,
        "documents": list(declaration.documents),
        "attributes": _json_ready(declaration.attributes),
        "item_count": len(declaration.items),
        "total_customs_value": total,
        "source": source,
        "received_at": received_at,
    }
    goods = [
        {
            "item_no": item.item_no,
            "hs_code": item.hs_code,
            "description": item.description,
            "origin": item.origin,
            "preference": item.preference,
            "net_mass_kg": item.net_mass_kg,
            "gross_mass_kg": item.gross_mass_kg,
            "supplementary_qty": item.supplementary_qty,
            "supplementary_unit": item.supplementary_unit,
            "invoice_value": item.invoice_value,
            "customs_value": item.customs_value,
            "duty_rate": item.duty_rate,
            "duties": item.duties,
            "attributes": _json_ready(item.attributes),
        }
        for item in declaration.items
    ]
    return header, goods


def _json_ready(attributes: dict[str, Any]) -> dict[str, str | None]:
    """Attribute values as stored: their canonical text (the bulk path stores the same)."""
    return {name: canonical_value(value) for name, value in sorted(attributes.items())}


def get(
    *,
    uow: UnitOfWork,
    number: str,
    version: int | None = None,
    scope: frozenset[str] | None = None,
) -> DeclarationRead:
    """A stored declaration version, the latest when ``version`` is None.

    ``scope``: the offices the caller may see (None: all); a declaration of
    another office is reported not stored, so that its existence does not leak.
    Raises NotFound naming what was asked for.
    """
    row = repository.get_version(uow.session, number, version)
    if row is None or (scope is not None and row.office not in scope):
        raise NotFound(
            N_("declaration %(number)s is not stored", number=number)
            if version is None
            else N_(
                "declaration %(number)s version %(version)s is not stored",
                number=number,
                version=version,
            )
        )
    return _read(uow, row)


def _read(uow: UnitOfWork, row: DeclarationRow) -> DeclarationRead:
    items = [
        GoodsItemRead.model_validate(item, from_attributes=True)
        for item in repository.items_of(uow.session, row.id)
    ]
    return DeclarationRead.model_validate(
        {
            **{c: getattr(row, c) for c in ("id", *repository.HEADER_COLUMNS)},
            "items": items,
            "versions": repository.versions_of(uow.session, row.number),
        }
    )


def list_declarations(
    *, uow: UnitOfWork, filters: ListFilters, cursor: str | None, limit: int
) -> DeclarationPage:
    """A page of stored declaration versions, newest first.

    Raises InvalidInput for a malformed cursor or limit.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            N_("invalid page size"),
            [FieldError(("limit",), N_("must be between 1 and %(most)s", most=MAX_PAGE))],
        )
    before_id = id_cursor(cursor)
    rows = repository.list_page(uow.session, filters, before_id=before_id, limit=limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    return DeclarationPage(
        items=[DeclarationSummary.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=str(rows[-1].id) if has_more and rows else None,
    )


def count(*, uow: UnitOfWork) -> int:
    """How many declaration versions are stored."""
    return repository.count(uow.session)
