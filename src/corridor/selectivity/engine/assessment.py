"""Assessing one declaration against a profile set (the rules are in the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from corridor.selectivity.engine.compiled import CompiledProfile, Conjunct, ProfileSet
from corridor.selectivity.engine.decision import (
    AppliedMeasure,
    Decision,
    ExemptedProfile,
    LoweredRate,
    MeasureSource,
    ProfileHit,
    RandomDraw,
    Simplification,
)
from corridor.selectivity.engine.draws import draw, selects
from corridor.selectivity.engine.specs import (
    ENGINE_VERSION,
    RANDOM_MEASURES,
    SEVERITY,
    Channel,
    DeclarationFacts,
    MeasureSpec,
    OfficeParameters,
    RandomChannel,
    Row,
    _check_percent,
)

_RANDOM_CHANNELS: Final[tuple[RandomChannel, ...]] = ("red", "yellow", "blue")


def assess(
    declaration: DeclarationFacts,
    profile_set: ProfileSet,
    *,
    parameters: OfficeParameters | None = None,
    secret: bytes,
    at: datetime,
    zone: tzinfo,
    observed_red_rate: Decimal | None = None,
    use_index: bool = True,
) -> Decision:
    """Decide the controls of one declaration (see the package docstring for the rules).

    ``parameters`` are the random-control rates of the declaration's office and
    flow (None: no random control). ``at`` is the aware time of the assessment;
    validity windows compare with its day in ``zone``, the installation's time zone
    (the caller's setting: the engine reads none). ``use_index=False`` tests every
    profile on every row: the same decision, slower (for tests and benchmarks).
    """
    if not secret:
        raise ValueError("the selection secret is empty")
    if at.utcoffset() is None:
        raise ValueError("the assessment time must carry a time zone")
    if observed_red_rate is not None:
        _check_percent(observed_red_rate, "observed red rate")
    # "Today" is the customs day where the declaration is lodged, not the UTC day.
    rows, today = declaration.rows, at.astimezone(zone).date()
    if use_index:
        found = _indexed_matches(declaration, profile_set)
    else:
        found = _all_matches(declaration, profile_set, today)
    hits: list[ProfileHit] = []
    applied: list[tuple[MeasureSpec, bool, MeasureSource]] = []
    # What would apply if the trader's status were ignored (no exemption, full rates).
    unsimplified: list[tuple[MeasureSpec, bool, MeasureSource]] = []
    exempted: list[ExemptedProfile] = []
    for position, mask in found:
        profile = profile_set.profiles[position]
        if not profile.scope.covers(declaration, today):
            continue
        matched = [i for i in range(len(rows)) if mask >> i & 1]
        hit, hit_measures, full = _hit(profile, matched, declaration, profile_set, secret)
        hits.append(hit)
        source = MeasureSource(hit.code, hit.version)
        applied.extend((spec, mandatory, source) for spec, mandatory in hit_measures)
        unsimplified.extend((spec, mandatory, source) for spec, mandatory in full)
        if len(full) > len(hit_measures):
            kept = {spec.code for spec, _ in hit_measures}
            dropped = tuple(spec.code for spec, _ in full if spec.code not in kept)
            exempted.append(ExemptedProfile(hit.code, hit.version, dropped))
    multiplier = _multiplier(parameters, declaration)
    draws, full_rates = _random_draws(
        parameters, declaration.key, secret, observed_red_rate, multiplier
    )
    lowered: list[LoweredRate] = []
    for random_draw, full_rate in zip(draws, full_rates, strict=True):
        code = RANDOM_MEASURES[random_draw.channel]
        spec = profile_set.measures.get(code) or MeasureSpec(code, code, random_draw.channel)
        if random_draw.selected:
            applied.append((spec, True, MeasureSource()))
        at_full_rate = selects(random_draw.draw, full_rate)
        if at_full_rate:
            unsimplified.append((spec, True, MeasureSource()))
        if random_draw.multiplier is not None:
            lowered.append(
                LoweredRate(
                    random_draw.channel,
                    full_rate,
                    random_draw.multiplier,
                    random_draw.rate,
                    random_draw.draw,
                    at_full_rate,
                )
            )
    measures = _merge(applied)
    channel = _channel(measures)
    simplified = None
    if exempted or lowered:
        simplified = Simplification(
            trader_category=declaration.trader_category,
            aeo=declaration.aeo,
            exempted=tuple(exempted),
            lowered=tuple(lowered),
            channel_without=_channel(_merge(unsimplified)),
        )
    return Decision(
        declaration_key=declaration.key,
        channel=channel,
        hits=tuple(hits),
        random=draws,
        measures=measures,
        engine_version=ENGINE_VERSION,
        profile_set_version=profile_set.version,
        list_versions=_list_versions(profile_set, declaration, today),
        assessed_at=at,
        trader_category=declaration.trader_category,
        aeo=declaration.aeo,
        model_score=_model_score(rows),
        simplified=simplified,
    )


def _channel(measures: Sequence[AppliedMeasure]) -> Channel:
    """The most severe channel of the measures (green when none has a channel)."""
    severities = [SEVERITY[m.channel] for m in measures if m.channel != "none"]
    channels: tuple[Channel, ...] = ("green", "blue", "yellow", "red")
    return channels[max(severities, default=0)]


def _multiplier(parameters: OfficeParameters | None, declaration: DeclarationFacts) -> Decimal:
    """The multiplier of the random rates for the declaration's trader (1: none applies)."""
    if parameters is None:
        return Decimal(1)
    found = [Decimal(1)]
    if declaration.trader_category == "low":
        found.append(parameters.low_risk_multiplier)
    if declaration.aeo is True:
        found.append(parameters.aeo_multiplier)
    return min(found)


def _indexed_matches(
    declaration: DeclarationFacts, profile_set: ProfileSet
) -> list[tuple[int, int]]:
    """(profile position, rows matched) of the profiles whose criteria match, by position.

    Only the rows each profile's guard let through are tested, and profiles
    sharing a residual (the conjuncts left after the guard) are tested together.
    """
    candidates = profile_set.index.candidates(declaration)
    residual_of = profile_set.residual_of
    wanted: dict[int, int] = {}  # residual id -> rows some profile wants it tested on
    for position, mask in candidates.items():
        residual = residual_of[position]
        wanted[residual] = wanted.get(residual, 0) | mask
    holding = _Evaluation(declaration.rows, profile_set.conjuncts).holding
    residuals = profile_set.residuals
    # Most residuals hold on no row: keep the few that do, then the profiles reading them.
    held = {
        residual: rows
        for residual, mask in wanted.items()
        if (rows := holding(residuals[residual], mask))
    }
    if not held:
        return []
    return sorted(
        (position, rows)
        for position, mask in candidates.items()
        if (rows := mask & held.get(residual_of[position], 0))
    )


def _all_matches(
    declaration: DeclarationFacts, profile_set: ProfileSet, today: date
) -> list[tuple[int, int]]:
    """The same as :func:`_indexed_matches`, testing every profile in scope on every row."""
    found = []
    for position, profile in enumerate(profile_set.profiles):
        if profile.scope.covers(declaration, today):
            rows = sum(1 << i for i, row in enumerate(declaration.rows) if profile.matches(row))
            if rows:
                found.append((position, rows))
    return found


class _Evaluation:
    """The rows of one declaration, with what is known of them so far.

    Row sets are bit masks (bit i: row i); each conjunct is evaluated at most
    once per row, and a conjunct reading only header facts on one row for all.
    """

    def __init__(self, rows: Sequence[Row], conjuncts: Sequence[Conjunct]) -> None:
        self.rows, self.conjuncts = rows, conjuncts
        self.every_row = (1 << len(rows)) - 1
        self.known: dict[int, tuple[int, int]] = {}  # conjunct -> (rows tested, rows true)

    def holding(self, conjuncts: tuple[int, ...], mask: int) -> int:
        """The rows of ``mask`` on which every one of ``conjuncts`` holds."""
        known, rows = self.known, self.rows
        for position in conjuncts:
            seen = known.get(position)
            if seen is None:
                tested = true = 0
            else:
                tested, true = seen
            todo = mask & ~tested
            if todo:
                conjunct = self.conjuncts[position]
                if conjunct.per_declaration:
                    tested = self.every_row
                    true = tested if conjunct.holds(rows[(todo & -todo).bit_length() - 1]) else 0
                else:
                    holds = conjunct.holds
                    tested |= todo
                    while todo:
                        bit = todo & -todo
                        if holds(rows[bit.bit_length() - 1]):
                            true |= bit
                        todo ^= bit
                known[position] = (tested, true)
            mask &= true
            if not mask:
                break
        return mask


def _hit(
    profile: CompiledProfile,
    matched: list[int],
    declaration: DeclarationFacts,
    profile_set: ProfileSet,
    secret: bytes,
) -> tuple[ProfileHit, tuple[tuple[MeasureSpec, bool], ...], tuple[tuple[MeasureSpec, bool], ...]]:
    """The hit of a matching profile, the measures it applies (empty unless selected), and
    those it would apply if the trader's status were ignored."""
    spec, rows = profile.spec, declaration.rows
    # A target profile is never exempt: intelligence on one operator outweighs a record.
    exempt = spec.kind != "target" and (
        (spec.exempt_low_risk and declaration.trader_category == "low")
        or (spec.exempt_aeo and declaration.aeo is True)
    )
    value = draw(secret, declaration.key, spec.code, str(spec.version))
    drawn = value < profile.threshold
    full = profile.measures if drawn else ()
    measures = tuple(m for m in profile.measures if m[1] or not exempt)
    selected = drawn and (bool(measures) or not exempt)
    if not selected:
        measures = ()
    first = rows[matched[0]]
    reasons = profile_set.reasons
    reason = "; ".join(
        text for position in profile.conjuncts for text in reasons.of(position, first)
    )
    hit = ProfileHit(
        code=spec.code,
        version=spec.version,
        title=spec.title,
        kind=spec.kind,
        risk_area=spec.risk_area,
        matched_items=tuple(_item_no(rows[i], i) for i in matched),
        reason=reason,
        draw=value,
        selection_rate=spec.selection_rate,
        selected=selected,
        exempt=exempt,
        measures=tuple(m.code for m, _ in measures),
        officer_instructions=spec.officer_instructions,
    )
    return hit, measures, full


def _item_no(row: Row, position: int) -> int:
    """The item number of a row (its position, counted from 1, if the row has none)."""
    value = row.get("item_no")
    if type(value) is int:
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return position + 1


def _random_draws(
    parameters: OfficeParameters | None,
    key: str,
    secret: bytes,
    observed_red_rate: Decimal | None,
    multiplier: Decimal,
) -> tuple[tuple[RandomDraw, ...], tuple[Decimal, ...]]:
    """The random-control draws, and the rate of each before the trader's multiplier."""
    if parameters is None:
        return (), ()
    draws, full_rates = [], []
    for channel in _RANDOM_CHANNELS:
        configured = parameters.random_rates.get(channel)
        rate = configured
        floor = parameters.expected_floor
        if (
            channel == "red"
            and floor is not None
            and observed_red_rate is not None
            and observed_red_rate < floor
        ):
            rate = max(configured or Decimal(0), floor - observed_red_rate)
        if rate is None:
            continue
        value = draw(secret, key, "random", channel)
        full_rates.append(rate)
        applied = None
        if multiplier != 1 and rate != 0:
            rate, applied = rate * multiplier, multiplier
        draws.append(RandomDraw(channel, rate, value, selects(value, rate), configured, applied))
    return tuple(draws), tuple(full_rates)


def _merge(
    applied: Sequence[tuple[MeasureSpec, bool, MeasureSource]],
) -> tuple[AppliedMeasure, ...]:
    """One measure per code, mandatory if any source says so, most severe first."""
    by_code: dict[str, tuple[MeasureSpec, bool, list[MeasureSource]]] = {}
    for spec, mandatory, source in applied:
        known = by_code.get(spec.code)
        if known is None:
            by_code[spec.code] = (spec, mandatory, [source])
        else:
            by_code[spec.code] = (known[0], known[1] or mandatory, [*known[2], source])
    merged = [
        AppliedMeasure(spec.code, spec.name, spec.channel, mandatory, tuple(sources))
        for spec, mandatory, sources in by_code.values()
    ]
    return tuple(sorted(merged, key=lambda m: (-SEVERITY.get(m.channel, -1), m.code)))


def _list_versions(
    profile_set: ProfileSet, declaration: DeclarationFacts, today: date
) -> Mapping[str, int]:
    """Versions of the lists read by every profile in force for the declaration.

    Independent of the index: a profile the index skipped was still decided by
    its lists' contents.
    """
    names: set[str] = set()
    for scope, lists in profile_set.index.list_reads:
        if scope.covers(declaration, today):
            names |= lists
    versions = profile_set.list_versions
    return MappingProxyType({name: versions[name] for name in sorted(names) if name in versions})


def _model_score(rows: Sequence[Row]) -> Decimal | None:
    """The highest model score of the items, if any item has one."""
    scores = [
        Decimal(score)
        for row in rows
        if type(score := row.get("model_score")) is int
        or (isinstance(score, Decimal) and score.is_finite())
    ]
    return max(scores, default=None)
