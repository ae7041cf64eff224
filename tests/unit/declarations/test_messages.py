"""A declaration's validation messages: the English the API has always said, and the
Russian a page says, from one template and its parameters (``corridor.errors.N_``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from corridor.declarations.schemas import DeclarationCreate, declaration_problem
from corridor.web import i18n
from tests.factories import declaration


@pytest.fixture
def russian() -> Iterator[None]:
    i18n.use_language("ru")
    yield
    i18n.use_language("en")


def test_a_procedure_of_another_flow_is_named_with_its_words_translated(russian: None) -> None:
    problem = declaration_problem("EX", "40", None, "SHENZHEN-AUTO-EXPORT")
    assert problem == ("procedure 40 (release for home use) belongs to flow IM (import), not EX")
    assert i18n.localized(problem or "") == (
        "процедура 40 (выпуск для внутреннего потребления) относится к направлению IM "
        "(импорт), а не EX"
    )


def test_a_field_rule_keeps_its_template_through_pydantic(russian: None) -> None:
    with pytest.raises(ValidationError) as caught:
        DeclarationCreate.model_validate(declaration(currency="XYZ"))
    [error] = caught.value.errors()
    assert error["msg"] == "Value error, 'XYZ' is not an ISO 4217 currency code"
    cause = error["ctx"]["error"]
    assert i18n.localized(cause.args[0]) == "'XYZ' — не код валюты по ISO 4217"
