"""A form's use case run by a page: the form shown again when it is refused.

Every page that changes something runs its use case through :func:`attempt`: the
result when it succeeds, else :class:`Refused` with the form as typed and each field's
message, and the status to answer with (422 for invalid input, 409 for a conflict with
what is stored). The page renders the form again with that status, which also keeps the
unit of work from being committed (:func:`corridor.web.pages.writing`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError

from corridor.errors import Conflict, InvalidInput
from corridor.web.pages import FormErrors

__all__ = ["FormState", "Refused", "attempt", "field_errors", "filled", "form_state"]

Result = TypeVar("Result")


class FormState(TypedDict, total=False):
    """A form as a page shows it: the values typed and each field's message (templates
    read both with ``.get``, an empty form being ``{}``)."""

    values: Mapping[str, Any]
    errors: FormErrors


def form_state(values: Mapping[str, Any], errors: FormErrors | None = None) -> FormState:
    """A form with ``values`` and ``errors`` (none: a form without messages)."""
    return FormState(values=values, errors=errors if errors is not None else FormErrors())


@dataclass(frozen=True, slots=True)
class Refused:
    """A form its use case refused: the page shows ``form`` again with ``status``."""

    form: FormState
    status: int


def field_errors(exc: ValidationError | InvalidInput) -> FormErrors:
    """The field messages of a model's or a service's refusal."""
    if isinstance(exc, ValidationError):
        return FormErrors.of_validation(exc)
    return FormErrors.of(exc.errors)


def attempt(
    values: Mapping[str, Any],
    use_case: Callable[[], Result],
    *,
    errors: Callable[[ValidationError | InvalidInput], FormErrors] = field_errors,
    invalid_input: bool = False,
    conflict: str | None = "__all__",
    conflict_message: str | None = None,
) -> Result | Refused:
    """Run ``use_case``; its result, or the form with ``values`` refused.

    * A ``ValidationError`` (and an ``InvalidInput`` when ``invalid_input``): 422, the
      messages by field from ``errors``.
    * A ``Conflict`` (unless ``conflict`` is None): 409, its sentence (or the page's own,
      ``conflict_message``) as the message of the field ``conflict`` (``__all__``: the
      form's).

    Other errors go on to the error pages, as they would without the form.
    """
    try:
        return use_case()
    except ValidationError as exc:
        return Refused(form_state(values, errors(exc)), 422)
    except InvalidInput as exc:
        if not invalid_input:
            raise
        return Refused(form_state(values, errors(exc)), 422)
    except Conflict as exc:
        if conflict is None:
            raise
        message = exc.detail if conflict_message is None else conflict_message
        return Refused(form_state(values, FormErrors({conflict: message})), 409)


def filled(form: BaseModel | Mapping[str, str]) -> dict[str, str]:
    """The fields filled in, without their surrounding spaces (an empty field is a field
    left out, so that the model's default or "required" applies)."""
    values = form.model_dump() if isinstance(form, BaseModel) else form
    return {name: text.strip() for name, text in values.items() if text.strip()}
