"""A service's message (``corridor.errors.N_``): English wherever a ``str`` goes, its
template and parameters kept for the pages that say it in another language."""

from __future__ import annotations

import json
import pickle

from corridor.errors import N_, Conflict, FieldError, Message


def test_a_message_is_its_english_text() -> None:
    text = N_("audit plan %(plan)s is %(state)s", plan=7, state="draft")
    assert text == "audit plan 7 is draft"
    assert json.dumps({"detail": text}) == '{"detail": "audit plan 7 is draft"}'
    assert Conflict(text).detail == "audit plan 7 is draft"
    assert FieldError(("tin",), text) == FieldError(("tin",), "audit plan 7 is draft")
    assert N_("100% sure") == "100% sure"  # no parameters: the template is the text


def test_a_message_is_said_in_another_language_with_its_parameters() -> None:
    russian = {
        "audit case %(case)s is %(state)s: %(what)s": "проверка %(case)s (%(state)s): %(what)s",
        "its scope is no longer changed": "состав больше не меняется",
    }
    text = N_(
        "audit case %(case)s is %(state)s: %(what)s",
        case="PCA-1",
        state="completed",
        what=N_("its scope is no longer changed"),
    )
    assert text == "audit case PCA-1 is completed: its scope is no longer changed"
    said = text.rendered(lambda msgid: russian.get(msgid, msgid))
    assert said == "проверка PCA-1 (completed): состав больше не меняется"
    # A translation that does not fit the parameters gives the English text.
    assert text.rendered(lambda msgid: "%(other)s") == text


def test_a_message_survives_a_copy_between_processes() -> None:
    text = N_("alert %(alert)s does not exist", alert=3)
    copied = pickle.loads(pickle.dumps(text))
    assert isinstance(copied, Message)
    assert (copied, copied.template, dict(copied.params)) == (
        text,
        "alert %(alert)s does not exist",
        {"alert": 3},
    )
