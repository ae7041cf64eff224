"""Web pages of the reference data: named lists, the measures catalogue, office parameters.

Every page calls the service functions the API's routes call, with the same
access rules (:mod:`corridor.profiles.access`): a confidential list exists only
for the intelligence clearance (anyone else gets "not found") and is written
only with the intelligence-write permission. A form that fails validation is
shown again with 422 and each field's message; a refused change (a measure in
use) with 409 and the service's message; nothing is written in either case.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from corridor.accounts import service as accounts_service
from corridor.accounts.roles import Action
from corridor.errors import Conflict, FieldError, InvalidInput, NotFound
from corridor.profiles import access, service
from corridor.profiles.schemas import (
    FlowCode,
    ListName,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    OfficeCode,
    OfficeParametersIn,
    OfficeParametersRead,
    ReferenceListCreate,
    ReferenceListEntries,
    ReferenceListRead,
)
from corridor.web import i18n
from corridor.web.forms import FormState, Refused, attempt, form_state
from corridor.web.i18n import N_
from corridor.web.i18n import gettext as _
from corridor.web.pages import (
    FormErrors,
    Page,
    page,
    redirect,
    render,
    rule_message,
    writing,
)

router = APIRouter(include_in_schema=False)

ListReader = Annotated[Page, Depends(page(Action.LISTS_READ))]
ListDrafter = Annotated[Page, Depends(page(Action.LISTS_WRITE))]
ListWriter = Annotated[Page, writing(Action.LISTS_WRITE)]
MeasureReader = Annotated[Page, Depends(page(Action.REFERENCE_READ))]
MeasureEditor = Annotated[Page, Depends(page(Action.MEASURES_WRITE))]
MeasureWriter = Annotated[Page, writing(Action.MEASURES_WRITE)]
ParameterReader = Annotated[Page, Depends(page(Action.PARAMETERS_READ))]
ParameterWriter = Annotated[Page, writing(Action.PARAMETERS_WRITE)]

#: Entries shown on one page of a list.
ENTRIES_PAGE = 200
#: The most entries a list version holds (ReferenceListEntries refuses more).
MAX_ENTRIES = 200_000

LIST_KINDS: dict[str, str] = {
    "companies": N_("companies"),
    "countries": N_("countries"),
    "hs_prefixes": N_("HS code prefixes"),
    "vehicles": N_("vehicles"),
    "containers": N_("containers"),
    "custom": N_("other (key fields given)"),
}
ENTRY_MODES: dict[str, str] = {
    "add": N_("Add these entries to the list"),
    "remove": N_("Remove these entries from the list"),
    "replace": N_("Replace every entry with these"),
}
#: The comment a new version gets when its author writes none (stored data, not UI text).
_DEFAULT_COMMENTS = {"add": "entries added", "remove": "entries removed", "replace": "replaced"}
MEASURE_CHANNELS: dict[str, str] = {
    "red": N_("red"),
    "yellow": N_("yellow"),
    "blue": N_("blue"),
    "none": N_("no channel (listed only)"),
}
FLOW_NAMES: dict[str, str] = {"IM": N_("import"), "EX": N_("export"), "TR": N_("transit")}
RATE_FIELDS = ("random_red", "random_yellow", "random_blue", "expected_floor")
MULTIPLIER_FIELDS = ("low_risk_multiplier", "aeo_multiplier")


def field_errors(exc: ValidationError) -> list[FieldError]:
    """A Pydantic validation error as the services' field errors (Pydantic's
    "Value error, " prefix of custom messages dropped)."""
    return [FieldError(tuple(error["loc"]), rule_message(error)) for error in exc.errors()]


def _errors_by_field(exc: ValidationError | InvalidInput) -> FormErrors:
    """A refused form's messages by field."""
    return FormErrors.of(field_errors(exc) if isinstance(exc, ValidationError) else exc.errors)


def choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    """(value, label in the user's language) pairs for a select."""
    return [(value, _(label)) for value, label in labels.items()]


def decimal_text(text: str, language: str) -> str:
    """A number as typed in the user's language, as Pydantic reads decimals: spaces
    dropped; a comma is the decimal mark in Russian and groups thousands in English."""
    compact = "".join(text.split())
    if language == "ru":
        return compact.replace(",", ".")
    return compact.replace(",", "")


# =========================================================================== lists


@router.get("/lists", response_class=HTMLResponse)
def lists(me: ListReader) -> Response:
    """Every named list the user may see (confidential ones only with the clearance)."""
    shown = [
        named
        for named in service.list_lists(uow=me.uow)
        if access.can_see_list(me.principal, named.confidential)
    ]
    return render(me.request, "reference/lists.html", page=me, lists=shown, kinds=LIST_KINDS)


@router.get("/lists/new", response_class=HTMLResponse)
def new_list(me: ListDrafter) -> Response:
    """The form creating a named list."""
    return _new_list_form(me, values={"kind": "companies"}, errors=FormErrors())


def _list_errors(exc: ValidationError | InvalidInput) -> FormErrors:
    """A refused list or entries form: each field's message, an entry's with its line."""
    if isinstance(exc, ValidationError):
        return _entry_errors(field_errors(exc))
    return _entry_errors(exc.errors, exc.detail)


class ListForm(BaseModel):
    """The form creating a named list, as posted (text; a ticked box is non-empty)."""

    name: str = ""
    kind: str = ""
    description: str = ""
    key_fields: str = ""
    prefix_fields: str = ""
    confidential: str = ""
    entries: str = ""


@router.post("/lists", response_class=HTMLResponse)
def create_list(me: ListWriter, form: Annotated[ListForm, Form()]) -> Response:
    """Create a named list with its first entries (one per line, comma-separated values)."""
    values = {**form.model_dump(), "confidential": bool(form.confidential)}

    def create() -> ReferenceListRead:
        draft = ReferenceListCreate.model_validate(
            {
                "name": form.name.strip(),
                "kind": form.kind,
                "description": form.description,
                "key_fields": _names(form.key_fields) or None,
                "prefix_fields": _names(form.prefix_fields) or None,
                "confidential": bool(form.confidential),
            }
        )
        keys = draft.key_fields or []
        lines = _entries_of(form.entries, keys, name=draft.name)
        list_in = ReferenceListCreate.model_validate({**draft.model_dump(), "entries": lines})
        access.check_list_write(me.principal, list_in.confidential, existing=False)
        return service.create_list(uow=me.uow, list_in=list_in, actor=me.principal.username)

    created = attempt(values, create, errors=_list_errors, invalid_input=True, conflict="name")
    if isinstance(created, Refused):
        errors = created.form.get("errors", FormErrors())
        return _new_list_form(me, values, errors, status=created.status)
    return redirect(me.request, f"/lists/{created.name}")


def _new_list_form(
    me: Page, values: dict[str, Any], errors: FormErrors, *, status: int = 200
) -> Response:
    return render(
        me.request,
        "reference/list_new.html",
        page=me,
        status_code=status,
        values=values,
        errors=errors,
        kind_choices=choices(LIST_KINDS),
    )


@router.get("/lists/{name}", response_class=HTMLResponse)
def list_entries(
    me: ListReader,
    name: Annotated[str, Path(max_length=60)],
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[int, Query(ge=0, le=MAX_ENTRIES)] = 0,
) -> Response:
    """A list's entries (the current version unless asked), its versions and, for its
    writers, the forms making a new version."""
    return _list_page(me, name, version=version, q=q, start=start)


@router.post("/lists/{name}", response_class=HTMLResponse)
def change_entries(
    me: ListWriter,
    name: ListName,
    mode: Annotated[str, Form()] = "add",
    entries: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    """A new version of the list: the entries typed added, removed, or replacing all."""
    current = _writable_list(me, name)

    def new_version() -> None:
        if mode not in ENTRY_MODES:
            raise InvalidInput("unknown mode", [FieldError(("mode",), _("Choose what to do."))])
        lines = _entries_of(entries, current.key_fields, name=name)
        typed = ReferenceListEntries.model_validate({"entries": lines, "comment": comment})
        if mode != "replace" and not typed.entries:
            raise InvalidInput("no entries", [FieldError(("entries",), _("Write the entries."))])
        stored = {tuple(entry) for entry in current.entries or []}
        given = {tuple(entry) for entry in typed.entries}
        if mode == "add":
            result = stored | given
        elif mode == "remove":
            if not stored & given:
                message = _("None of these entries is in the list.")
                raise InvalidInput("nothing to remove", [FieldError(("entries",), message)])
            result = stored - given
        else:
            result = given
        if len(result) > MAX_ENTRIES:
            message = _("A list holds at most %(n)s entries.") % {
                "n": i18n.format_number(MAX_ENTRIES)
            }
            raise InvalidInput("too many entries", [FieldError(("entries",), message)])
        service.replace_entries(
            uow=me.uow,
            name=name,
            entries=sorted(result),
            comment=typed.comment or _DEFAULT_COMMENTS[mode],
            actor=me.principal.username,
        )

    values = {"mode": mode, "entries": entries, "comment": comment}
    done = attempt(values, new_version, errors=_list_errors, invalid_input=True, conflict=None)
    if isinstance(done, Refused):
        return _list_page(me, name, status=done.status, entries_form=done.form)
    return redirect(me.request, f"/lists/{name}")


@router.post("/lists/{name}/csv", response_class=HTMLResponse)
def upload_csv(
    me: ListWriter,
    name: ListName,
    file: Annotated[UploadFile | None, File()] = None,
    upload_comment: Annotated[str, Form()] = "",
) -> Response:
    """Bulk upload: a CSV file whose header names the list's key fields becomes the list's
    new version (the same service as the API's CSV upload)."""
    current = _writable_list(me, name)
    form: dict[str, Any] = {"values": {"upload_comment": upload_comment}, "problems": []}
    try:
        raw = file.file.read() if file is not None else b""
        if not raw.strip():
            raise InvalidInput("empty file", [FieldError(("file",), _("The file is empty."))])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            message = _("The file is not UTF-8 text.")
            raise InvalidInput("not UTF-8", [FieldError(("file",), message)]) from None
        rows = service.parse_list_csv(name=name, text=text, key_fields=current.key_fields)
        typed = ReferenceListEntries.model_validate(
            {"entries": rows, "comment": upload_comment or "CSV upload"}
        )
        service.replace_entries(
            uow=me.uow,
            name=name,
            entries=typed.entries,
            comment=typed.comment,
            actor=me.principal.username,
        )
    except (ValidationError, InvalidInput) as exc:
        if isinstance(exc, ValidationError):
            problems, detail = field_errors(exc), _("The file has invalid values.")
        else:
            problems, detail = list(exc.errors), exc.detail
        about_file = [p.msg for p in problems if p.loc[:1] == ("file",)]
        about_comment = [p.msg for p in problems if p.loc[:1] == ("comment",)]
        if about_comment:
            form["errors"] = FormErrors(upload_comment=about_comment[0])
        else:
            form["errors"] = FormErrors(file=about_file[0] if about_file else detail)
        form["problems"] = [
            _where(p, typed=False) for p in problems if p.loc[:1] not in (("file",), ("comment",))
        ]
        return _list_page(me, name, status=422, csv_form=form)
    finally:
        if file is not None:
            file.file.close()
    return redirect(me.request, f"/lists/{name}")


def _writable_list(me: Page, name: str) -> ReferenceListRead:
    """The list as the API checks it before a write: not found if unseen, refused if
    confidential and the user may not write intelligence."""
    current = service.get_list(uow=me.uow, name=name)
    access.check_list_write(me.principal, current.confidential, existing=True)
    return current


def _list_page(
    me: Page,
    name: str,
    *,
    version: int | None = None,
    q: str | None = None,
    start: int = 0,
    status: int = 200,
    entries_form: FormState | None = None,
    csv_form: dict[str, Any] | None = None,
) -> Response:
    named = access.shown_list(me.principal, service.get_list(uow=me.uow, name=name))
    if version is not None and version != named.version:
        # Asked only once the list may be seen: "no version N" would tell that it exists.
        named = service.get_list(uow=me.uow, name=name, version=version)
    history = service.list_history(uow=me.uow, name=name)
    found = named.entries or []
    needle = (q or "").strip().casefold()
    if needle:
        found = [entry for entry in found if any(needle in value.casefold() for value in entry)]
    # Past the end (a stale link after entries were removed): the last page.
    start = min(start, max(0, len(found) - 1) // ENTRIES_PAGE * ENTRIES_PAGE)
    shown = found[start : start + ENTRIES_PAGE]
    filters = {"version": version, "q": q}
    writable = me.can(Action.LISTS_WRITE) and (
        not named.confidential or me.can(Action.INTELLIGENCE_WRITE)
    )
    return render(
        me.request,
        "reference/list.html",
        page=me,
        status_code=status,
        named=named,
        current_version=history[0].version if history else named.version,
        history=history,
        entries=shown,
        matching=len(found),
        start=start,
        filters=filters,
        page_size=ENTRIES_PAGE,
        writable=writable,
        kinds=LIST_KINDS,
        modes=choices(ENTRY_MODES),
        entries_form=entries_form or form_state({"mode": "add"}),
        csv_form=csv_form or {"values": {}, "errors": FormErrors(), "problems": []},
    )


def _names(text: str) -> list[str]:
    """Field names typed separated by commas or spaces."""
    return [part for part in text.replace(",", " ").split() if part]


def _entries_of(text: str, key_fields: Sequence[str], *, name: str) -> list[list[str]]:
    """Entries typed one per line, a list keyed on several fields taking comma-separated
    values in the order of its key fields: read as the CSV upload reads a file."""
    if not text.strip():
        return []
    header = ",".join(key_fields)
    return service.parse_list_csv(name=name, text=f"{header}\n{text}", key_fields=key_fields)


def _entry_errors(errors: Sequence[FieldError], detail: str = "") -> FormErrors:
    """Field errors of a list form, a line's or an entry's problem shown at the entries."""
    found = FormErrors()
    for error in errors:
        head = error.loc[0] if error.loc else "__all__"
        if head == "row" or (head == "entries" and len(error.loc) > 1):
            found.setdefault("entries", _where(error))
        else:
            found.setdefault(str(head), i18n.localized(error.msg))
    if not found and detail:
        found["__all__"] = i18n.localized(detail)
    return found


def _where(error: FieldError, *, typed: bool = True) -> str:
    """A problem of a line of typed entries (``typed``) or of a data row of a CSV file
    (the first row after the header is row 1), said where it is, in the page's language."""
    loc, message = error.loc, i18n.localized(error.msg)
    if len(loc) > 1 and loc[0] == "row":
        if typed:
            return _("line %(line)s: %(message)s") % {"line": loc[1], "message": message}
        return _("row %(row)s: %(message)s") % {"row": loc[1], "message": message}
    if len(loc) > 1 and loc[0] == "entries" and isinstance(loc[1], int):
        return _("entry %(number)s: %(message)s") % {"number": loc[1] + 1, "message": message}
    if loc == ("header",):
        return _("header: %(message)s") % {"message": message}
    return message


# =========================================================================== measures


@router.get("/measures", response_class=HTMLResponse)
def measures(me: MeasureReader) -> Response:
    """The measures catalogue (forms of control), their channels and whether in use."""
    return _measures_page(me, form=form_state({"channel": "red"}))


@router.post("/measures", response_class=HTMLResponse)
def create_measure(
    me: MeasureWriter,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    """Add a measure to the catalogue."""
    values = {"code": code, "name": name, "channel": channel, "description": description}
    done = attempt(
        values,
        lambda: service.create_measure(
            uow=me.uow,
            measure_in=MeasureCreate.model_validate({**values, "code": code.strip().upper()}),
            actor=me.principal.username,
        ),
        errors=_errors_by_field,
        conflict="code",
    )
    if isinstance(done, Refused):
        return _measures_page(me, form=done.form, status=done.status)
    return redirect(me.request, "/measures")


@router.get("/measures/{code}/edit", response_class=HTMLResponse)
def edit_measure(me: MeasureEditor, code: Annotated[str, Path(max_length=40)]) -> Response:
    """The form changing a measure's name, channel or description."""
    measure = _measure(me, code)
    values = measure.model_dump(include={"name", "channel", "description"})
    return _measure_form(me, measure, values, FormErrors())


@router.post("/measures/{code}", response_class=HTMLResponse)
def update_measure(
    me: MeasureWriter,
    code: Annotated[str, Path(max_length=40)],
    name: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    """Change a measure's name, channel or description."""
    measure = _measure(me, code)
    values = {"name": name, "channel": channel, "description": description}
    try:
        measure_in = MeasureUpdate.model_validate(values)
    except ValidationError as exc:
        return _measure_form(me, measure, values, FormErrors.of(field_errors(exc)), status=422)
    service.update_measure(
        uow=me.uow, code=code, measure_in=measure_in, actor=me.principal.username
    )
    return redirect(me.request, "/measures")


@router.post("/measures/{code}/delete", response_class=HTMLResponse)
def delete_measure(me: MeasureWriter, code: Annotated[str, Path(max_length=40)]) -> Response:
    """Remove a measure no profile version uses; one in use is refused with the service's
    message (409) and stays."""
    try:
        service.delete_measure(uow=me.uow, code=code, actor=me.principal.username)
    except Conflict as exc:
        form = form_state({"channel": "red"})
        return _measures_page(me, form=form, status=409, refused=i18n.localized(exc.detail))
    return redirect(me.request, "/measures")


def _measure(me: Page, code: str) -> MeasureRead:
    for measure in service.list_measures(uow=me.uow):
        if measure.code == code:
            return measure
    raise NotFound(f"measure {code} does not exist")


def _measures_page(me: Page, *, form: FormState, status: int = 200, refused: str = "") -> Response:
    return render(
        me.request,
        "reference/measures.html",
        page=me,
        status_code=status,
        measures=service.list_measures(uow=me.uow),
        in_use=service.measures_in_use(uow=me.uow),
        channel_choices=choices(MEASURE_CHANNELS),
        form=form,
        refused=refused,
    )


def _measure_form(
    me: Page, measure: MeasureRead, values: dict[str, Any], errors: FormErrors, *, status: int = 200
) -> Response:
    return render(
        me.request,
        "reference/measure_edit.html",
        page=me,
        status_code=status,
        measure=measure,
        values=values,
        errors=errors,
        channel_choices=choices(MEASURE_CHANNELS),
    )


# =========================================================================== office parameters


@router.get("/parameters", response_class=HTMLResponse)
def parameters(
    me: ParameterReader,
    office: Annotated[str | None, Query(max_length=17, pattern=r"^([A-Za-z0-9]{2,17})?$")] = None,
    flow: Annotated[str | None, Query(pattern=r"^(IM|EX|TR)?$")] = None,
) -> Response:
    """Random control rates and the red floor of every office and flow; for those who may
    set them, the form of the office and flow chosen."""
    chosen = (office or "").upper(), flow or ""
    return _parameters_page(me, chosen=chosen if all(chosen) else None)


class ParametersForm(BaseModel):
    """An office and flow's parameters as posted: numbers as typed in the user's language."""

    random_red: str = ""
    random_yellow: str = ""
    random_blue: str = ""
    expected_floor: str = ""
    low_risk_multiplier: str = ""
    aeo_multiplier: str = ""


@router.post("/parameters/{office}/{flow}", response_class=HTMLResponse)
def set_parameters(
    me: ParameterWriter,
    office: OfficeCode,
    flow: FlowCode,
    form: Annotated[ParametersForm, Form()],
) -> Response:
    """Set the random control rates (percent per channel), floor and the multipliers of the
    random rates for low-risk traders and AEO holders of an office and flow."""
    typed = form.model_dump()
    given = {name: decimal_text(text, me.principal.language) for name, text in typed.items()}
    try:
        parameters_in = OfficeParametersIn.model_validate(
            {
                **{name: given[name] or "0" for name in RATE_FIELDS[:3]},
                "expected_floor": given["expected_floor"] or None,
                **{name: given[name] or "1" for name in MULTIPLIER_FIELDS},
            }
        )
    except ValidationError as exc:
        refused = form_state(typed, _errors_by_field(exc))
        return _parameters_page(me, chosen=(office, flow), form=refused, status=422)
    service.set_office_parameters(
        uow=me.uow, office=office, flow=flow, parameters=parameters_in, actor=me.principal.username
    )
    return redirect(me.request, "/parameters")


def _parameters_page(
    me: Page,
    *,
    chosen: tuple[str, str] | None,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    stored = service.list_office_parameters(uow=me.uow)
    writable = me.can(Action.PARAMETERS_WRITE)
    if chosen is not None and writable and form is None:
        form = form_state(_rates_of(stored, *chosen, me.principal.language))
    offices = {p.office for p in stored}
    if writable:  # the offices of the unit tree, offered when choosing one to set
        offices |= {o for unit in accounts_service.list_units(uow=me.uow) for o in unit.offices}
    return render(
        me.request,
        "reference/parameters.html",
        page=me,
        status_code=status,
        parameters=stored,
        chosen=chosen if writable else None,
        form=form,
        offices=sorted(offices),
        flows=FLOW_NAMES,
    )


def _rates_of(
    stored: Sequence[OfficeParametersRead], office: str, flow: str, language: str
) -> dict[str, str]:
    """The form's values: the stored rates of the office and flow, or none set."""
    for parameters_read in stored:
        if (parameters_read.office, parameters_read.flow) == (office, flow):
            return {
                name: "" if value is None else _typed(value, language)
                for name, value in parameters_read.model_dump(
                    include={*RATE_FIELDS, *MULTIPLIER_FIELDS}
                ).items()
            }
    return (
        dict.fromkeys(RATE_FIELDS[:3], "0")
        | {"expected_floor": ""}
        | dict.fromkeys(MULTIPLIER_FIELDS, "1")
    )


def _typed(value: Decimal, language: str) -> str:
    """A stored rate as the user would type it (every stored decimal kept)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if language == "ru" else text
