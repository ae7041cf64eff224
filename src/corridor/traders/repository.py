"""Queries over the trader register and trader history. Never commits."""

from __future__ import annotations

import functools
import io
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import polars as pl
from sqlalchemy import (
    Date,
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from corridor.config import customs_day_end
from corridor.db.tables import (
    AeoCertificateRow,
    DeclarationRow,
    InspectionActRow,
    TraderCategoryChangeRow,
    TraderFindingRow,
    TraderHistoryRow,
    TraderNameRow,
    TraderOverrideRow,
    TraderRow,
    TraderScoreRow,
    TraderScoringRunRow,
)
from corridor.traders.prices import priced_items
from corridor.traders.scoring import SERIOUS_TYPES

#: Additional duties are summed in millionths (the columns' scale) on SQLite, which would
#: otherwise add decimal text as binary floats; exact for any act below 9 × 10⁹ som.
_MICRO = 1_000_000

#: The roles of the register, and the declaration field naming the trader in each: the
#: importer of an import, the exporter of an export, the declarant of any declaration.
#: (The other party of an import or export is a foreign company, not a taxpayer here;
#: no declaration field names the carrier.)
REGISTER_ROLES = ("importer", "exporter", "declarant")
#: Header attributes that may carry the name of each party (declared by installations
#: whose declarations carry names); read by :func:`names`.
NAME_ATTRIBUTES = {role: f"{role}_name" for role in REGISTER_ROLES}


# =========================================================================== history


def history(session: Session, tin: str, role: str) -> TraderHistoryRow | None:
    """The history of one trader in one role (one query by primary key)."""
    return session.get(TraderHistoryRow, (tin, role))


def histories(session: Session, tin: str) -> list[TraderHistoryRow]:
    """The history of one trader in every role it has one."""
    query = select(TraderHistoryRow).where(TraderHistoryRow.tin == tin)
    return list(session.scalars(query.order_by(TraderHistoryRow.role)))


def aggregate(session: Session, role: str, *, as_of: datetime) -> list[dict[str, Any]]:
    """History of every trader in ``role`` (``importer`` or ``declarant``) as of ``as_of``,
    aggregated in SQL from the declarations registered before it and their current
    inspection acts recorded before it; one dict per TIN (no ``refreshed_at``). An
    importer's row also counts its goods items priced against the reference prices
    computed before ``as_of`` (:func:`priced_items`); a declarant's has None there."""
    declaration, act = DeclarationRow, InspectionActRow
    tin = declaration.importer if role == "importer" else declaration.declarant
    found = act.outcome == "discrepancy"
    if session.get_bind().dialect.name == "sqlite":
        duties: Any = func.sum(
            cast(func.round(cast(act.additional_duties, Float) * _MICRO), Integer)
        )
    else:
        duties = func.sum(act.additional_duties)
    query = (
        select(
            tin,
            func.count(distinct(declaration.number)),
            func.count(distinct(case((act.id.is_not(None), declaration.number)))),
            func.count(distinct(case((found, declaration.number)))),
            duties,
            func.min(declaration.registered_at),
            func.max(declaration.registered_at),
            func.max(act.inspected_at),
            func.max(case((found, act.inspected_at))),
        )
        .select_from(declaration)
        # At most one current act per declaration version: the join adds no rows.
        .outerjoin(
            act,
            (act.declaration_id == declaration.id)
            & act.current.is_(True)
            & (act.recorded_at < as_of),
        )
        .where(tin.is_not(None), declaration.registered_at < as_of)
        .group_by(tin)
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    importers = role == "importer"
    priced = priced_items(session, as_of=as_of) if importers else {}
    rows = []
    for name, declared, inspected, discrepant, due, first, last, checked, caught in session.execute(
        query
    ):
        if due is None:
            due = Decimal(0)
        elif sqlite:
            due = Decimal(int(due)) / _MICRO
        rows.append(
            {
                "tin": name,
                "role": role,
                "declarations": int(declared),
                "inspections": int(inspected),
                "discrepancies": int(discrepant),
                "additional_duties": Decimal(due),
                "first_seen": _day(first),
                "last_seen": _day(last),
                "last_inspection": _day(checked),
                "last_discrepancy": _day(caught),
                "priced_items": priced.get(name, (0, 0))[0] if importers else None,
                "underpriced_items": priced.get(name, (0, 0))[1] if importers else None,
            }
        )
    return rows


def replace_all(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the whole history with ``rows`` (in the caller's transaction)."""
    session.execute(delete(TraderHistoryRow))
    if rows:
        session.execute(insert(TraderHistoryRow), list(rows))


# =========================================================================== activity


def _parties(tins: Collection[str] | None) -> Any:
    """Every (trader, declaration) pair, over the latest version of each declaration: the
    importer of an import, the exporter of an export and the declarant of any
    declaration, each trader once per declaration (a declarant who is also the importer
    or exporter is one row with both roles), with the roles as 0/1 columns
    ``as_importer``, ``as_exporter``, ``as_declarant``."""
    d, later = DeclarationRow, aliased(DeclarationRow)
    # "version > 1" is implied; said, it lets the database look among amendments only.
    latest = ~exists().where(later.number == d.number, later.version > d.version, later.version > 1)
    columns = (d.number, d.registered_at, d.total_customs_value)
    one, zero = literal(1), literal(0)

    def also_declarant(field: Any) -> Any:
        return case((d.declarant == field, 1), else_=0)

    branches = []
    for field, flow, roles in (
        (d.importer, "IM", (one, zero, also_declarant(d.importer))),
        (d.exporter, "EX", (zero, one, also_declarant(d.exporter))),
        (d.declarant, None, (zero, zero, one)),
    ):
        conditions: list[ColumnElement[bool]] = [field.is_not(None), latest]
        if flow is not None:
            conditions.append(d.flow == flow)
        else:
            conditions += [
                not_(and_(d.flow == "IM", func.coalesce(d.importer, "") == d.declarant)),
                not_(and_(d.flow == "EX", func.coalesce(d.exporter, "") == d.declarant)),
            ]
        if tins is not None:
            conditions.append(field.in_(list(tins)))
        flags = (
            roles[0].label("as_importer"),
            roles[1].label("as_exporter"),
            roles[2].label("as_declarant"),
        )
        branches.append(select(field.label("tin"), *flags, *columns).where(*conditions))
    return union_all(*branches).subquery("parties")


def _inspected(offences_since: datetime) -> Any:
    """What the current inspection acts of each declaration (any version) found, by
    declaration number: inspected (1), a discrepancy, a serious one, additional duties,
    an offence case since ``offences_since``."""
    act, d = InspectionActRow, DeclarationRow
    types = cast(act.discrepancy_types, String)
    found = act.outcome == "discrepancy"
    serious = and_(
        found,
        or_(act.seizure.is_(True), *(types.like(f'%"{kind}"%') for kind in SERIOUS_TYPES)),
    )
    offence = and_(act.offence_case.is_not(None), act.inspected_at >= offences_since)

    def flag(condition: ColumnElement[bool]) -> Any:
        return func.max(case((condition, 1), else_=0))

    # The number looked up per act (acts are few): the plan starts from the acts.
    number = select(d.number).where(d.id == act.declaration_id).scalar_subquery().label("number")
    return (
        select(
            number,
            flag(found).label("discrepant"),
            flag(serious).label("serious"),
            func.sum(cast(act.additional_duties, Float)).label("duties"),
            flag(offence).label("offence"),
        )
        .where(act.current.is_(True))
        .group_by(number)
        .subquery("inspected")
    )


def activity(
    session: Session, *, offences_since: datetime, tins: Collection[str] | None = None
) -> pl.DataFrame:
    """What history says of every trader (or of ``tins``), one row per TIN, in SQL: the
    columns of :data:`~corridor.traders.scoring.ACTIVITY_SCHEMA` plus ``last_seen`` and
    the roles seen (``importer``, ``exporter``, ``declarant``: booleans).

    One aggregation per trader over the latest version of each declaration it was a
    party to, joined by number with what the current inspection acts of any of its
    versions found (so that a declaration counts once, however often amended); then the
    post-entry audit findings per trader, joined in Polars.
    """
    if session.get_bind().dialect.name == "postgresql" and tins is None:
        # One big aggregation in the transaction: compiling it (JIT) costs more than it
        # saves, and the per-trader groups fit in memory instead of spilling to disk.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    p = _parties(tins).c
    inspected = _inspected(offences_since)
    i = inspected.c
    day = _utc_day(session)
    query = (
        select(
            p.tin,
            func.count(),
            day(func.min(p.registered_at)),
            day(func.max(p.registered_at)),
            func.coalesce(func.sum(cast(p.total_customs_value, Float)), 0.0),
            func.count(i.number),
            func.coalesce(func.sum(i.discrepant), 0),
            func.coalesce(func.sum(i.serious), 0),
            func.coalesce(func.sum(i.duties), 0.0),
            func.coalesce(func.sum(i.offence), 0),
            func.max(p.as_importer),
            func.max(p.as_exporter),
            func.max(p.as_declarant),
        )
        .select_from(p.tin.table)
        .outerjoin(inspected, i.number == p.number)
        .group_by(p.tin)
    )
    types = {
        "tin": pl.String(),
        "declarations": pl.Int64(),
        "first_seen": pl.String(),
        "last_seen": pl.String(),
        "declared_value": pl.Float64(),
        "inspections": pl.Int64(),
        "discrepancies": pl.Int64(),
        "serious": pl.Int64(),
        "additional_duties": pl.Float64(),
        "offences": pl.Int64(),
        "importer": pl.Int64(),
        "exporter": pl.Int64(),
        "declarant": pl.Int64(),
    }
    # Built from the driver's rows as they come: the conversions are Polars' (columnar).
    frame = pl.DataFrame(
        [tuple(row) for row in session.execute(query)], schema=types, orient="row"
    ).with_columns(
        pl.col("first_seen", "last_seen").str.to_date("%Y-%m-%d"),
        pl.col("importer", "exporter", "declarant").cast(pl.Boolean),
    )
    audits = _audits(session, tins)
    frame = frame.join(audits, on="tin", how="left").with_columns(
        pl.col(name).fill_null(0) for name in ("audits", "audit_findings", "audit_serious")
    )
    return frame.with_columns(pl.col("audit_amount").fill_null(0.0))


def _audits(session: Session, tins: Collection[str] | None) -> pl.DataFrame:
    """Post-entry audits per trader: recorded, with findings, serious, amount found."""
    finding = TraderFindingRow
    query = select(
        finding.tin,
        finding.discrepancy_types,
        finding.additional_duties,
        finding.penalties,
    )
    if tins is not None:
        query = query.where(finding.tin.in_(list(tins)))
    found: dict[str, list[float]] = {}
    for tin, types, duties, penalties in session.execute(query):
        amount = float(duties + penalties)
        figures = found.setdefault(tin, [0, 0, 0, 0.0])
        figures[0] += 1
        figures[1] += bool(types) or amount > 0
        figures[2] += bool(set(types) & SERIOUS_TYPES)
        figures[3] += amount
    return pl.DataFrame(
        [(tin, int(a), int(f), int(s), amount) for tin, (a, f, s, amount) in found.items()],
        schema={
            "tin": pl.String(),
            "audits": pl.Int64(),
            "audit_findings": pl.Int64(),
            "audit_serious": pl.Int64(),
            "audit_amount": pl.Float64(),
        },
        orient="row",
    )


def _utc_day(session: Session) -> Any:
    """A function turning an aggregated instant into its UTC day as text (YYYY-MM-DD):
    SQLite keeps instants as UTC text, PostgreSQL converts them."""
    if session.get_bind().dialect.name == "sqlite":
        return lambda moment: func.substr(moment, 1, 10)
    return lambda moment: func.to_char(func.timezone("UTC", moment), "YYYY-MM-DD")


def names(session: Session) -> list[dict[str, Any]]:
    """The names each trader was declared under (header attributes ``importer_name``,
    ``exporter_name``, ``declarant_name`` where declarations carry them), with the first
    and last day seen and the declarations carrying each."""
    d = DeclarationRow
    branches = []
    for role, field, flow in (
        ("importer", d.importer, "IM"),
        ("exporter", d.exporter, "EX"),
        ("declarant", d.declarant, None),
    ):
        name = d.attributes[NAME_ATTRIBUTES[role]].as_string()
        conditions = [field.is_not(None), name.is_not(None), name != ""]
        if flow is not None:
            conditions.append(d.flow == flow)
        branches.append(
            select(field.label("tin"), name.label("name"), d.number, d.registered_at).where(
                *conditions
            )
        )
    seen = union_all(*branches).subquery("named")
    query = select(
        seen.c.tin,
        seen.c.name,
        func.min(seen.c.registered_at),
        func.max(seen.c.registered_at),
        func.count(distinct(seen.c.number)),
    ).group_by(seen.c.tin, seen.c.name)
    return [
        {
            "tin": tin,
            "name": name[:200],
            "first_seen": _day(first),
            "last_seen": _day(last),
            "declarations": int(count),
        }
        for tin, name, first, last, count in session.execute(query)
    ]


# =========================================================================== writes


def replace_register(session: Session, register: pl.DataFrame) -> None:
    """Replace the register with ``register`` (tin, roles, declarations, first_seen,
    last_seen, refreshed_at)."""
    session.execute(delete(TraderRow))
    _bulk_insert(session, TraderRow.__tablename__, register)


def replace_names(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Replace every trader's names seen."""
    session.execute(delete(TraderNameRow))
    if rows:
        session.execute(insert(TraderNameRow), list(rows))


def replace_scores(session: Session, scores: pl.DataFrame, *, tins: Collection[str] | None) -> None:
    """Replace the computed scores (of every trader, or only of ``tins``) with ``scores``
    (the columns of the table)."""
    query = delete(TraderScoreRow)
    if tins is not None:
        query = query.where(TraderScoreRow.tin.in_(list(tins)))
    session.execute(query)
    _bulk_insert(session, TraderScoreRow.__tablename__, scores)


def add_changes(session: Session, changes: pl.DataFrame) -> None:
    """Append category changes (tin, from_category, to_category, score, components, source,
    reason, actor, at)."""
    _bulk_insert(session, TraderCategoryChangeRow.__tablename__, changes)


def add(session: Session, row: Any) -> None:
    """Add one row and flush (its id is known after)."""
    session.add(row)
    session.flush()


def _bulk_insert(session: Session, table: str, frame: pl.DataFrame) -> None:
    """Insert a frame's rows (named as the table's columns; JSON columns hold JSON text,
    times are UTC datetimes): COPY on PostgreSQL, one executemany on SQLite."""
    if frame.is_empty():
        return
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        assert raw is not None
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, datetime_format="%Y-%m-%dT%H:%M:%S%.fZ")
        statement = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(buffer.getvalue())
        return
    # SQLite: the values as the column types store them (UTC times as naive text, dates as
    # ISO text, JSON as its text), written by the driver in one executemany.
    plain = frame.with_columns(
        pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
        for name, kind in frame.schema.items()
        if isinstance(kind, pl.Datetime)
    ).with_columns(
        pl.col(name).dt.strftime("%Y-%m-%d")
        for name, kind in frame.schema.items()
        if isinstance(kind, pl.Date)
    )
    marks = ", ".join("?" for _ in plain.columns)
    statement = f"INSERT INTO {table} ({', '.join(plain.columns)}) VALUES ({marks})"
    session.connection().exec_driver_sql(statement, list(plain.iter_rows()))


# =========================================================================== reads


def trader(session: Session, tin: str) -> TraderRow | None:
    """The register's row of one trader."""
    return session.get(TraderRow, tin)


def score(session: Session, tin: str) -> TraderScoreRow | None:
    """The computed score of one trader."""
    return session.get(TraderScoreRow, tin)


def computed_categories(session: Session, tins: Collection[str] | None = None) -> pl.DataFrame:
    """The computed category of every scored trader (or of ``tins``): tin, before."""
    query = select(TraderScoreRow.tin, TraderScoreRow.category)
    if tins is not None:
        query = query.where(TraderScoreRow.tin.in_(list(tins)))
    return pl.DataFrame(
        session.execute(query).all(),
        schema={"tin": pl.String(), "before": pl.String()},
        orient="row",
    )


def names_of(session: Session, tins: Collection[str]) -> list[TraderNameRow]:
    """The names seen of some traders, most recently seen first."""
    if not tins:
        return []
    query = (
        select(TraderNameRow)
        .where(TraderNameRow.tin.in_(list(tins)))
        .order_by(TraderNameRow.tin, TraderNameRow.last_seen.desc(), TraderNameRow.name)
    )
    return list(session.scalars(query))


def last_run(session: Session) -> TraderScoringRunRow | None:
    """The latest recategorisation."""
    query = select(TraderScoringRunRow).order_by(TraderScoringRunRow.id.desc()).limit(1)
    return session.scalars(query).first()


def _next_day(on: date) -> datetime:
    """The first instant (UTC) after the day ``on`` in the installation's time zone."""
    return customs_day_end(on)


def override_in_force(on: date) -> ColumnElement[bool]:
    """Whether an override applies on the day ``on``: set by then, not lifted by then,
    valid until that day or later."""
    return _override_in_force(on, _next_day(on))


def _override_in_force(on: Any, after: Any) -> ColumnElement[bool]:
    # ``on`` the day and ``after`` the first instant after it: values or bound parameters.
    row = TraderOverrideRow
    return and_(
        row.created_at < after,
        row.valid_until >= on,
        or_(row.lifted_at.is_(None), row.lifted_at >= after),
    )


def certificate_in_force(on: date) -> ColumnElement[bool]:
    """Whether an AEO certificate has effect on the day ``on``: within its validity and not
    ended by then."""
    return _certificate_in_force(on, _next_day(on))


def _certificate_in_force(on: Any, after: Any) -> ColumnElement[bool]:
    row = AeoCertificateRow
    return and_(
        row.valid_from <= on,
        row.valid_to >= on,
        or_(row.ended_at.is_(None), row.ended_at >= after),
    )


class HistoryRead(NamedTuple):
    """One trader's history in one role as the assessment reads it (a row of
    ``trader_history``)."""

    declarations: int
    inspections: int
    discrepancies: int
    first_seen: date | None
    priced_items: int | None
    underpriced_items: int | None
    refreshed_at: datetime


class AssessmentRead(NamedTuple):
    """What one assessment reads of its traders (see :func:`assessment`)."""

    computed: str | None  # the category computed for the answering trader
    override: str | None  # the override category in force, if any
    aeo: bool  # an AEO certificate of the answering trader in force
    history: HistoryRead | None  # the history of ``history_tin`` in ``history_role``
    declarant: HistoryRead | None  # the declarant's history as declarant


#: The columns of :class:`HistoryRead`, in order.
_HISTORY_COLUMNS = HistoryRead._fields


@functools.cache
def _assessment_query() -> Select[Any]:
    # Built once (constructing it costs more CPU than running it): every submission of the
    # clearance system runs it.
    tin, on = bindparam("tin", type_=String()), bindparam("on", type_=Date())
    after = bindparam("after", type_=TraderOverrideRow.created_at.type)
    override, certificate, history = TraderOverrideRow, AeoCertificateRow, TraderHistoryRow
    override_category = (
        select(override.category)
        .where(override.tin == tin, _override_in_force(on, after))
        .order_by(override.id.desc())
        .limit(1)
    )
    aeo = exists().where(certificate.tin == tin, _certificate_in_force(on, after))
    # Both histories by primary key, joined to a one-row anchor: missing rows are nulls.
    party, declarant = aliased(history, name="party"), aliased(history, name="declarant")
    anchor = select(literal(1).label("one")).subquery("anchor")
    return (
        select(
            select(TraderScoreRow.category).where(TraderScoreRow.tin == tin).scalar_subquery(),
            override_category.scalar_subquery(),
            aeo,
            *(getattr(party, name) for name in ("tin", *_HISTORY_COLUMNS)),
            *(getattr(declarant, name) for name in ("tin", *_HISTORY_COLUMNS)),
        )
        .select_from(anchor)
        .outerjoin(
            party,
            and_(
                party.tin == bindparam("history_tin", type_=String()),
                party.role == bindparam("history_role", type_=String()),
            ),
        )
        .outerjoin(
            declarant,
            and_(
                declarant.tin == bindparam("declarant", type_=String()),
                declarant.role == "declarant",
            ),
        )
    )


def assessment(
    session: Session,
    *,
    tin: str,
    on: date,
    history_tin: str,
    history_role: str,
    declarant: str,
) -> AssessmentRead:
    """In one query: the status on ``on`` of the trader answering for a declaration
    (``tin``: computed category, override in force, AEO certificate in force, as
    :func:`status`), the history of ``history_tin`` in ``history_role`` and the history
    of ``declarant`` as declarant (each None when history does not know it)."""
    row = session.execute(
        _assessment_query(),
        {
            "tin": tin,
            "on": on,
            "after": _next_day(on),
            "history_tin": history_tin,
            "history_role": history_role,
            "declarant": declarant,
        },
    ).one()
    width = 1 + len(_HISTORY_COLUMNS)
    party, of_declarant = row[3 : 3 + width], row[3 + width : 3 + 2 * width]
    return AssessmentRead(
        row[0], row[1], bool(row[2]), _history_read(party), _history_read(of_declarant)
    )


def _history_read(columns: Sequence[Any]) -> HistoryRead | None:
    # A history row's key first: null when the row does not exist.
    if columns[0] is None:
        return None
    return HistoryRead(*columns[1:])


def status(session: Session, tin: str, on: date) -> tuple[str | None, str | None, bool]:
    """(computed category, override category in force, an AEO certificate in force) of one
    trader on a day, in one query."""
    computed = select(TraderScoreRow.category).where(TraderScoreRow.tin == tin)
    override = (
        select(TraderOverrideRow.category)
        .where(TraderOverrideRow.tin == tin, override_in_force(on))
        .order_by(TraderOverrideRow.id.desc())
        .limit(1)
    )
    aeo = exists().where(AeoCertificateRow.tin == tin, certificate_in_force(on))
    row = session.execute(select(computed.scalar_subquery(), override.scalar_subquery(), aeo)).one()
    return row[0], row[1], bool(row[2])


def overrides(session: Session, tin: str) -> list[TraderOverrideRow]:
    """Every override of a trader, newest first."""
    query = select(TraderOverrideRow).where(TraderOverrideRow.tin == tin)
    return list(session.scalars(query.order_by(TraderOverrideRow.id.desc())))


def open_overrides(session: Session, tin: str, today: date) -> list[TraderOverrideRow]:
    """The overrides of a trader not lifted and not expired by ``today``."""
    query = select(TraderOverrideRow).where(
        TraderOverrideRow.tin == tin,
        TraderOverrideRow.lifted_at.is_(None),
        TraderOverrideRow.valid_until >= today,
    )
    return list(session.scalars(query.order_by(TraderOverrideRow.id)))


def certificates(session: Session, tin: str) -> list[AeoCertificateRow]:
    """Every AEO certificate of a trader, newest first."""
    query = select(AeoCertificateRow).where(AeoCertificateRow.tin == tin)
    return list(session.scalars(query.order_by(AeoCertificateRow.id.desc())))


def certificate(session: Session, number: str) -> AeoCertificateRow | None:
    """An AEO certificate by its number."""
    query = select(AeoCertificateRow).where(AeoCertificateRow.certificate == number)
    return session.scalars(query).first()


def changes(session: Session, tin: str, limit: int) -> list[TraderCategoryChangeRow]:
    """A trader's latest category changes, newest first."""
    query = (
        select(TraderCategoryChangeRow)
        .where(TraderCategoryChangeRow.tin == tin)
        .order_by(TraderCategoryChangeRow.at.desc(), TraderCategoryChangeRow.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def findings(session: Session, tin: str) -> list[TraderFindingRow]:
    """A trader's post-entry audit findings, latest first."""
    query = select(TraderFindingRow).where(TraderFindingRow.tin == tin)
    return list(session.scalars(query.order_by(TraderFindingRow.found_at.desc())))


def finding(session: Session, tin: str, case_ref: str) -> TraderFindingRow | None:
    """The finding of one audit case about a trader."""
    query = select(TraderFindingRow).where(
        TraderFindingRow.tin == tin, TraderFindingRow.case_ref == case_ref
    )
    return session.scalars(query).first()


def search(
    session: Session,
    *,
    on: date,
    category: str | None,
    role: str | None,
    aeo: bool | None,
    text: str | None,
    after: str | None,
    limit: int,
) -> list[tuple[TraderRow, TraderScoreRow | None, str | None, bool]]:
    """A page of the register by TIN (keyset: TINs after ``after``), filtered; each trader
    with its computed score, the override category in force and whether it holds an AEO
    certificate in force on ``on``."""
    override = (
        select(TraderOverrideRow.tin, func.max(TraderOverrideRow.category).label("category"))
        .where(override_in_force(on))
        .group_by(TraderOverrideRow.tin)
        .subquery("override")
    )
    aeo_in_force = (
        exists().where(AeoCertificateRow.tin == TraderRow.tin, certificate_in_force(on))
    ).label("aeo")
    effective = func.coalesce(override.c.category, TraderScoreRow.category)
    query = (
        select(TraderRow, TraderScoreRow, override.c.category, aeo_in_force)
        .outerjoin(TraderScoreRow, TraderScoreRow.tin == TraderRow.tin)
        .outerjoin(override, override.c.tin == TraderRow.tin)
    )
    if category is not None:
        query = query.where(effective == category)
    if role is not None:
        query = query.where(cast(TraderRow.roles, String).like(f'%"{role}"%'))
    if aeo is not None:
        held = exists().where(AeoCertificateRow.tin == TraderRow.tin, certificate_in_force(on))
        query = query.where(held if aeo else ~held)
    if text:
        pattern = "%" + text.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        named = exists().where(
            TraderNameRow.tin == TraderRow.tin, func.lower(TraderNameRow.name).like(pattern)
        )
        query = query.where(or_(TraderRow.tin.startswith(text, autoescape=True), named))
    if after is not None:
        query = query.where(TraderRow.tin > after)
    rows = session.execute(query.order_by(TraderRow.tin).limit(limit))
    return [(row[0], row[1], row[2], bool(row[3])) for row in rows]


def _day(moment: datetime | date | str | None) -> date | None:
    """The UTC day of an instant (aggregates may come back naive on SQLite: UTC)."""
    if moment is None:
        return None
    if isinstance(moment, str):  # an aggregate SQLite returned untyped
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()
