"""One clock: use cases take their moment from the unit of work, never from the wall clock.

The wall clock is read by :func:`corridor.config.wall_clock` alone, which a unit of work
calls once when it is entered (``UnitOfWork.now``), and by the edges. A service or a
repository that read the clock itself would stamp one use case with several instants
and could not be run at a given moment by a test or a batch.
"""

from __future__ import annotations

import ast
from pathlib import Path

import corridor

SOURCE = Path(corridor.__file__).parent

#: Calls that read the wall clock: (the object, the attribute).
CLOCK_READS = frozenset(
    {
        ("datetime", "now"),
        ("datetime", "utcnow"),
        ("datetime", "today"),
        ("date", "today"),
        ("time", "time"),
    }
)

#: Modules that face the outside (HTTP, pages, the terminal, the application's start) and
#: the demo's loaders: they run use cases and may read the clock. ``time.monotonic`` (an
#: interval, not a moment) is not a clock read here.
EDGE_NAMES = frozenset({"api.py", "cli.py", "web.py", "app.py"})
EDGE_PREFIXES = ("web_",)
EDGE_DIRECTORIES = ("web", "demo", "db/migrations")

#: Where the wall clock itself is read, once: the function everyone else goes through.
CLOCK_MODULE = "config.py"

#: Where ``wall_clock()`` may be called besides the edges, and why.
WALL_CLOCK_CALLERS = {
    # A unit of work reads it once when entered: its ``now`` is the use case's moment.
    "db/uow.py",
    # File imports are batch edges: they own their units of work, and judge every row of
    # the file against the moment the batch started.
    "declarations/importers.py",
    "inspections/importers.py",
    # Request bodies validated by FastAPI at the edge carry no validation context; the
    # models then ask the clock for the edge (a context's "now" wins: imports pass one).
    "declarations/schemas.py",
    "inspections/schemas.py",
    "traders/schemas.py",
    # ``postentry.service.today()``: on the package's face for edges (and tests) without a
    # unit of work; no use case calls it (they use ``customs_day(uow.now)``).
    "postentry/service/_common.py",
}


def _is_edge(relative: Path) -> bool:
    name = relative.name
    text = relative.as_posix()
    return (
        name in EDGE_NAMES
        or name.startswith(EDGE_PREFIXES)
        or any(text.startswith(f"{directory}/") for directory in EDGE_DIRECTORIES)
    )


def _dotted(node: ast.expr) -> tuple[str, ...]:
    """``datetime.datetime.now`` as ("datetime", "datetime", "now"); () for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return ()


def _reads(tree: ast.AST) -> list[tuple[int, str]]:
    """The clock reads and ``wall_clock()`` calls of a module: (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = _dotted(node.func)
        if len(dotted) >= 2 and dotted[-2:] in CLOCK_READS:
            found.append((node.lineno, ".".join(dotted[-2:])))
        elif dotted and dotted[-1] == "wall_clock":
            found.append((node.lineno, "wall_clock"))
    return found


def _offences() -> list[str]:
    offences: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE)
        if _is_edge(relative):
            continue
        text = relative.as_posix()
        for line, what in _reads(ast.parse(path.read_text(encoding="utf-8"))):
            if what == "wall_clock" and text in WALL_CLOCK_CALLERS:
                continue
            if what != "wall_clock" and text == CLOCK_MODULE:
                continue
            offences.append(f"{text}:{line}: {what}()")
    return offences


def test_services_and_repositories_take_the_time_from_the_unit_of_work() -> None:
    offences = _offences()
    assert not offences, (
        "the wall clock is read outside the edges; take uow.now (or a `now` argument):\n"
        + "\n".join(offences)
    )


def test_the_scan_sees_each_form_of_a_clock_read() -> None:
    source = (
        "datetime.now(UTC)\ndatetime.datetime.utcnow()\ndate.today()\n"
        "time.time()\nwall_clock()\nuow.now\ntime.monotonic()\n"
    )
    assert [what for _, what in _reads(ast.parse(source))] == [
        "datetime.now",
        "datetime.utcnow",
        "date.today",
        "time.time",
        "wall_clock",
    ]


def test_the_allowed_modules_exist() -> None:
    # A moved module must take its allowance along, not leave a stale line behind.
    for text in (*WALL_CLOCK_CALLERS, CLOCK_MODULE):
        assert (SOURCE / text).is_file(), text
