"""The profiles' error messages: the English the API has always said, the Russian a page
says, built from one template and its parameters (``corridor.errors.N_``)."""

from __future__ import annotations

import pytest

from corridor.errors import Message
from corridor.profiles.service.profiles import _NEEDS, _STATUS_WORDS, ACTIONS
from corridor.web import i18n


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_refused_step_says_which_states_it_needs(action: str) -> None:
    allowed, _target = ACTIONS[action]
    assert _NEEDS[action] == f"{action} needs it {' or '.join(allowed)}"


def test_a_refused_step_is_said_in_russian_with_the_state_translated() -> None:
    message = Message(
        "profile %(code)s v%(version)s is %(status)s; %(needs)s",
        code="VAL-01",
        version=3,
        status=_STATUS_WORDS["draft"],
        needs=_NEEDS["approve"],
    )
    assert message == "profile VAL-01 v3 is draft; approve needs it submitted"
    i18n.use_language("ru")
    try:
        assert i18n.localized(message) == (
            "профиль риска VAL-01, версия 3, в состоянии «черновик»: "
            "утвердить можно только версию, направленную на утверждение"
        )
    finally:
        i18n.use_language("en")
    assert i18n.localized(message) == message
