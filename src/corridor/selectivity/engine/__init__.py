"""The selectivity engine: which controls a declaration gets, and why.

Pure code (the standard library, :mod:`corridor.rules` and the fact names of
:mod:`corridor.declarations.facts`): plain data in, plain data out, so the same
engine runs in a request, a backtest or a batch job.

Use::

    profile_set = compile_profile_set(specs, measures=catalogue, lists=lists,
                                      list_versions=versions, schema=fact_schema(),
                                      version="2026-11-27T10:00:00Z#42")
    decision = assess(declaration, profile_set, parameters=office_parameters,
                      secret=selection_secret, at=now, zone=ZoneInfo("Asia/Bishkek"))
    store(decision.to_json())

Semantics
---------
**Profiles.** A profile is *tested* on a declaration when the declaration's
flow, office and procedure are in its scope (an empty scope set means all) and
the day of ``at`` in the installation's time zone (``zone``: a profile valid from
1 December starts at midnight there, not at midnight UTC) lies within
``valid_from``/``valid_to`` (inclusive; ``None`` is open). Its criteria are
evaluated on every goods item row (a header fact reads the same on each row);
it *matches* when at least one item matches. The hit records the matching item
numbers and the plain-words explanation of the first.

**Selection.** A matching profile draws ``d = draw(secret, key, code,
str(version))`` and is *selected* when ``d < selection_rate / 100`` (compared
exactly, not in floating point). A match that is not selected is still a hit,
with ``selected`` false: the log of "matched, not selected".

**Exemptions (simplified procedures).** A profile exempting low-risk traders,
on a declaration whose trader category is ``"low"``, or exempting AEO holders,
on a declaration of an AEO, has an *exempt* trader: only its mandatory
measures apply, and a profile without mandatory measures selects nothing (the
hit says ``exempt``). A ``target`` profile (intelligence on one operator or
consignment) is never exempt, whatever its flags: a trader's good record does
not outweigh a specific warning. Random control is never exempted: it is the
control group that tells whether targeting beats chance.

**Random control.** For each channel (red, yellow, blue) with a rate in the
office parameters, ``draw(secret, key, "random", channel) < rate / 100``
applies :data:`RANDOM_MEASURES` ``[channel]`` as a mandatory measure whose
source is random. When the parameters set ``expected_floor`` and the caller
gives ``observed_red_rate`` below it, the red random rate becomes
``max(rate, expected_floor - observed_red_rate)``; the draw records both rates.
For a low-risk trader the rate is then multiplied by the parameters'
``low_risk_multiplier``, for an AEO holder by ``aeo_multiplier`` (the smaller
of the two when both apply; each from 0 to 1, 1 changes nothing). The draw
records the rate it was compared with (``rate``), the office's configured rate
(``configured_rate``) and the ``multiplier`` (None when none applied), so the
control group stays interpretable: every random selection carries its known
selection probability, and a hit rate of random control is estimated either
over the draws made at the configured rate only, or over all draws weighted
by ``1 / rate`` (inverse probability weighting).

**Simplified procedures recorded.** When the trader's status changed anything
(a profile's optional measures dropped by an exemption, or a random rate
lowered by a multiplier), the decision carries a :class:`Simplification`: the
category and AEO status used, each exempted profile with the measures it would
otherwise have applied, each lowered random rate with the draw, and the channel
the declaration would have had if the status had been ignored
(``channel_without``). Otherwise ``Decision.simplified`` is None.

**Measures and channel.** Measures are merged by code (mandatory when any
source says so), each listing its sources (profile code and version, or
random). The channel is the most severe channel of the measures applied:
red (3) > yellow (2) > blue (1) > green (0); green when none applies. A measure
whose channel is ``"none"`` (102 oral questioning) is listed but never changes
the channel. The channel comes from measures only, never from a label.

**Draws.** ``HMAC-SHA256(secret, "\\x1f".join(parts).encode("utf-8"))``; the
first 8 bytes of the digest as a big-endian unsigned integer ``u``, and
``draw = floor(u / 2**11) / 2**53``: the top 53 bits of ``u`` over ``2**53``, a
double exactly (never rounded, so it stays below 1). A profile's parts are the
declaration key (``"number/version"``), the profile code and its version in
decimal; a random channel's are the key, ``"random"`` and the channel. No
global random state: the same secret, declaration, profile set and time give
the same decision, which can be replayed and audited; without the secret no
one can predict it.

**The index.** Each profile gets at most one *guard*, a necessary condition
the index can look up, chosen as the most selective (by a rough, fixed
estimate) of:

- a top-level ``and`` operand of its criterion (or the whole criterion) of the
  form ``field = "x"``, ``field in [..]``, ``field startswith [..]``,
  ``in_list("NAME")`` or ``in_list("NAME", field)`` on a one-key list (looked up
  by entry, or by prefix for prefix lists such as HS codes);
- ``field < n``, ``<=``, ``>``, ``>=`` a number (looked up in sorted limits
  widened by more than the criteria language's rounding of the row's value);
- an ``or`` whose branches all guard the same field the same way (their union);
- its scope of flows, offices or procedures.

A row the guard does not let through cannot match, so ``assess`` tests a
profile only on the rows its guard lets through, and not at all when there are
none; profiles without any guard are always tested. Then the *residual* (the
criterion's other ``and`` operands; the guard's own operand too unless the
lookup is exactly that condition) is evaluated: each distinct operand at most
once per row, an operand reading only header facts on one row for all, and
profiles with equal residuals together. The guarantee, checked by a property
test over random profiles and declarations: the decision is identical with
``use_index=False``, which tests every profile in scope on every row with its
whole criterion.

**Reasons.** A hit's reason is what :func:`corridor.rules.explain` says of the
criterion on the first matching item (for a top-level ``and``, the reasons of
each operand in turn). Operand explanations are remembered by the values they
read (bounded): guards see the same HS codes, origins and traders again and
again. The memory changes only speed, never a word of a reason.

**Problems.** A profile that cannot be compiled (syntax, unknown fact, a
deleted list, an unknown measure, a rate outside 0-100, an empty validity
window) is left out of the set and reported in ``ProfileSet.problems``; it never
stops the others. With ``strict=True``, :func:`compile_profile_set` raises
:class:`ProfileSetError` instead, naming each profile version and its problem.

Modules
-------
:mod:`~corridor.selectivity.engine.specs` (what the engine is given: measures,
profile versions, office parameters, declarations, scopes),
:mod:`~corridor.selectivity.engine.catalogue` (the seeded measures catalogue as
data), :mod:`~corridor.selectivity.engine.draws` (draws and rates),
:mod:`~corridor.selectivity.engine.index` (guards and the index),
:mod:`~corridor.selectivity.engine.compiled` (compiling a ``ProfileSet``),
:mod:`~corridor.selectivity.engine.decision` (the decision and its JSON) and
:mod:`~corridor.selectivity.engine.assessment` (``assess``). Import from the
package: its ``__all__`` is the engine's interface.
"""

from __future__ import annotations

from corridor.selectivity.engine.assessment import assess
from corridor.selectivity.engine.catalogue import DEFAULT_MEASURES
from corridor.selectivity.engine.compiled import (
    CompiledProfile,
    Conjunct,
    ProfileProblem,
    ProfileSet,
    ProfileSetError,
    Reasons,
    compile_profile_set,
)
from corridor.selectivity.engine.decision import (
    DECISION_FORMAT,
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
from corridor.selectivity.engine.index import Guard, GuardKind, ProfileIndex
from corridor.selectivity.engine.specs import (
    ENGINE_VERSION,
    RANDOM_MEASURES,
    SEVERITY,
    Channel,
    DeclarationFacts,
    MeasureChannel,
    MeasureSpec,
    OfficeParameters,
    ProfileSpec,
    RandomChannel,
    Scope,
)

__all__ = [
    "DECISION_FORMAT",
    "DEFAULT_MEASURES",
    "ENGINE_VERSION",
    "RANDOM_MEASURES",
    "SEVERITY",
    "AppliedMeasure",
    "Channel",
    "CompiledProfile",
    "Conjunct",
    "Decision",
    "DeclarationFacts",
    "ExemptedProfile",
    "Guard",
    "GuardKind",
    "LoweredRate",
    "MeasureChannel",
    "MeasureSource",
    "MeasureSpec",
    "OfficeParameters",
    "ProfileHit",
    "ProfileIndex",
    "ProfileProblem",
    "ProfileSet",
    "ProfileSetError",
    "ProfileSpec",
    "RandomChannel",
    "RandomDraw",
    "Reasons",
    "Scope",
    "Simplification",
    "assess",
    "compile_profile_set",
    "draw",
    "selects",
]
