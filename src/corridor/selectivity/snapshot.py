"""The active profile set of a worker, swapped atomically when profiles change.

Every change that affects selection (a profile activated, suspended, retired; a
list, measure or office parameter edited; a new reference price version) bumps a
generation counter in the database. A worker polls it (at most every
``poll_seconds``) and, when it moved, compiles a new immutable ``ProfileSet``,
loads the reference prices in force (:class:`~corridor.valuation.book.PriceBook`)
and swaps them in one reference under a lock. A request takes the reference once
and keeps it: requests in flight finish on the set and prices they started with.
The book is loaded again only when the price version moved.

The risk-scoring models in service (the active version of each flow and the versions
shadowing it, :mod:`corridor.scoring.service`) are part of the snapshot too: putting a
version in or out of service bumps the generation, and a version already loaded (same
name, version and SHA-256) is kept, never read again. A version that fails to load (its
bytes altered, an artifact that does not parse) is held with its error: the failure is
logged and counted (:attr:`ProfileSetHolder.model_failures`) and the declarations of its
flow are assessed without its score (see :mod:`corridor.selectivity.service`).

The holder is given the installation's declared attributes (from its settings,
``CORRIDOR_EXTRA_ATTRIBUTES``) once: criteria are compiled against the fact schema
they make, and the snapshot hands them on to whoever builds the fact rows, so the
schema and the rows always know the same attributes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from corridor.db.uow import UnitOfWork
from corridor.declarations.attributes import DEFAULT_REGISTRY, AttributeRegistry
from corridor.declarations.facts import fact_schema
from corridor.declarations.schemas import declared_attributes
from corridor.profiles import service as profiles_service
from corridor.scoring import repository as scoring_repository
from corridor.scoring import service as scoring_service
from corridor.scoring.core import TrainedModel
from corridor.selectivity import repository
from corridor.selectivity.engine import (
    MeasureSpec,
    OfficeParameters,
    ProfileSet,
    ProfileSpec,
    compile_profile_set,
)
from corridor.valuation import service as valuation_service
from corridor.valuation.book import EMPTY_BOOK, PriceBook

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServedModel:
    """A model version in service: loaded, or the reason it could not be (``error``)."""

    name: str
    version: int
    sha256: str
    model: TrainedModel | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        """``NAME vN``, as the registry's journal names a version."""
        return f"{self.name} v{self.version}"

    def record(self) -> dict[str, object]:
        """What a decision records of the version (the SHA-256's first 12 digits)."""
        return {"name": self.name, "version": self.version, "sha256": self.sha256[:12]}


@dataclass(frozen=True, slots=True)
class FlowModels:
    """The models of one flow: the active version (its scores are facts) and shadows."""

    active: ServedModel | None = None
    shadows: tuple[ServedModel, ...] = ()


NO_MODELS = FlowModels()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one assessment uses, taken together: the profile set, the office parameters,
    the reference prices and the declared attributes the profile set was compiled with."""

    profile_set: ProfileSet
    parameters: Mapping[tuple[str, str], OfficeParameters]
    price_book: PriceBook = EMPTY_BOOK
    attributes: AttributeRegistry = DEFAULT_REGISTRY
    models: Mapping[str, FlowModels] = field(default_factory=dict)

    def models_of(self, flow: str) -> FlowModels:
        """The models in service for a flow (none: :data:`NO_MODELS`)."""
        return self.models.get(flow, NO_MODELS)

    def parameters_of(self, office: str, flow: str) -> OfficeParameters | None:
        """The selectivity parameters of an office and flow, if set."""
        return self.parameters.get((office, flow))


class ProfileSetHolder:
    """Holds the current snapshot and rebuilds it when the generation moves.

    ``attributes`` are the installation's declared attributes (the application passes
    ``declared_attributes(settings)``); by default the process's settings'.
    """

    def __init__(
        self,
        *,
        poll_seconds: float = 1.0,
        observed_ttl_seconds: float = 60.0,
        attributes: AttributeRegistry | None = None,
    ) -> None:
        self.attributes = declared_attributes() if attributes is None else attributes
        self._poll_seconds = poll_seconds
        self._observed_ttl = observed_ttl_seconds
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._generation: int | None = None
        self._checked_at = 0.0
        self._observed: dict[tuple[str, str], tuple[float, Decimal | None]] = {}
        self._served: dict[tuple[str, int, str], ServedModel] = {}
        #: Model versions that failed to load or to score, since the worker started.
        self.model_failures = 0
        self._failures_lock = threading.Lock()

    def current(self, uow: UnitOfWork) -> Snapshot:
        """The snapshot to assess with; rebuilt first if profiles or parameters changed."""
        now = time.monotonic()
        current = self._snapshot
        if current is not None and now - self._checked_at < self._poll_seconds:
            return current
        generation = repository.generation(uow.session)
        self._checked_at = now
        if current is not None and generation == self._generation:
            return current
        with self._lock:
            if self._snapshot is None or generation != self._generation:
                # One object for all three, swapped in one assignment: never new
                # parameters or prices with an old profile set.
                self._snapshot = Snapshot(
                    build(uow, generation, attributes=self.attributes),
                    office_parameters(uow),
                    self._price_book(uow),
                    self.attributes,
                    self._models(uow),
                )
                self._generation = generation
            return self._snapshot

    @property
    def held(self) -> Snapshot | None:
        """The snapshot held now, without looking at the database (None before the first)."""
        return self._snapshot

    def warm(self, uow: UnitOfWork) -> None:
        """Build the snapshot now (at a worker's start-up); the next request still looks
        at the generation, so a change made meanwhile is not missed."""
        self.current(uow)
        self._checked_at = 0.0

    def _price_book(self, uow: UnitOfWork) -> PriceBook:
        """The book of the price version in force; the one held if that has not moved."""
        held = self._snapshot.price_book if self._snapshot is not None else EMPTY_BOOK
        version = valuation_service.current_version(uow=uow)
        if held.version == version:
            return held
        return valuation_service.price_book(uow=uow, version=version)

    def _models(self, uow: UnitOfWork) -> dict[str, FlowModels]:
        """The versions in service by flow, each loaded once (kept while name, version and
        SHA-256 stay the same); a version that fails to load is held with its error."""
        active: dict[str, ServedModel] = {}
        shadows: dict[str, list[ServedModel]] = {}
        served: dict[tuple[str, int, str], ServedModel] = {}
        for status in ("active", "shadow"):
            for row in scoring_repository.versions(uow.session, status=status):
                key = (row.name, row.version, row.sha256)
                model = self._served.get(key) or self._load(uow, row.name, row.version, row.sha256)
                served[key] = model
                if status == "active":
                    active[row.flow] = model
                else:
                    shadows.setdefault(row.flow, []).append(model)
        self._served = served
        return {
            flow: FlowModels(active.get(flow), tuple(shadows.get(flow, ())))
            for flow in sorted(active.keys() | shadows.keys())
        }

    def _load(self, uow: UnitOfWork, name: str, version: int, sha256: str) -> ServedModel:
        try:
            _, model = scoring_service.load_model(uow=uow, name=name, version=version)
        except Exception as exc:  # any failure: the flow is assessed without the score
            self.failed(f"{name} v{version}", "load", exc)
            return ServedModel(name, version, sha256, error=f"load: {type(exc).__name__}")
        return ServedModel(name, version, sha256, model=model)

    def failed(self, label: str, step: str, exc: BaseException) -> None:
        """Log and count a model's failure to ``step`` (load or score)."""
        with self._failures_lock:
            self.model_failures += 1
        _log.error("risk-scoring model %s failed to %s: %r", label, step, exc, exc_info=exc)

    def observed_red_rate(self, uow: UnitOfWork, office: str, flow: str) -> Decimal | None:
        """The recent red share of an office and flow, recomputed at most once a minute."""
        now = time.monotonic()
        cached = self._observed.get((office, flow))
        if cached is not None and now - cached[0] < self._observed_ttl:
            return cached[1]
        rate = repository.recent_red_rate(uow.session, office, flow, FLOOR_WINDOW)
        self._observed[(office, flow)] = (now, rate)
        return rate


#: Decisions of an office and flow looked at for the expected-rate floor.
FLOOR_WINDOW = 500


def office_parameters(uow: UnitOfWork) -> dict[tuple[str, str], OfficeParameters]:
    """Every office's random control rates, floor and multipliers, by (office, flow)."""
    return {
        (row.office, row.flow): OfficeParameters(
            office=row.office,
            flow=row.flow,
            random_rates={
                "red": row.random_red,
                "yellow": row.random_yellow,
                "blue": row.random_blue,
            },
            expected_floor=row.expected_floor,
            low_risk_multiplier=row.low_risk_multiplier,
            aeo_multiplier=row.aeo_multiplier,
        )
        for row in profiles_service.list_office_parameters(uow=uow)
    }


def build(
    uow: UnitOfWork, generation: int, *, attributes: AttributeRegistry = DEFAULT_REGISTRY
) -> ProfileSet:
    """Compile the active profile versions, measures and current lists into a ProfileSet,
    against the facts of the core schema and the declared ``attributes``."""
    rows = profiles_service.active_versions(uow=uow)
    specs = [
        ProfileSpec(
            code=row.code,
            version=row.version,
            title=row.title,
            kind=row.kind,
            risk_area=row.risk_area,
            criteria=row.criteria,
            measures=tuple((m["code"], bool(m.get("mandatory", True))) for m in row.measures),
            selection_rate=row.selection_rate,
            offices=frozenset(row.offices),
            flows=frozenset(row.flows),
            procedures=frozenset(row.procedures),
            exempt_low_risk=row.exempt_low_risk,
            exempt_aeo=row.exempt_aeo,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            officer_instructions=row.officer_instructions,
        )
        for row in rows
    ]
    measures = {
        m.code: MeasureSpec(code=m.code, name=m.name, channel=m.channel)
        for m in profiles_service.list_measures(uow=uow)
    }
    lists = profiles_service.named_lists(uow=uow, confidential=True)
    list_versions = profiles_service.list_versions(uow=uow)
    fingerprint = hashlib.sha256(
        repr(
            (
                sorted((s.code, s.version) for s in specs),
                sorted(list_versions.items()),
                sorted((m.code, m.channel) for m in measures.values()),
            )
        ).encode()
    ).hexdigest()[:16]
    return compile_profile_set(
        specs,
        measures=measures,
        lists=lists,
        list_versions=list_versions,
        schema=fact_schema(attributes),
        version=f"g{generation}-{fingerprint}",
    )
