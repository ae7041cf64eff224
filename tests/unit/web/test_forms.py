"""Form errors: pydantic's complaints become each field's message, in the user's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from corridor.web import i18n
from corridor.web.pages import FormErrors


class RateForm(BaseModel):
    office: str = Field(max_length=5)
    rate: Decimal = Field(ge=0, le=100)
    note: str

    @field_validator("office")
    @classmethod
    def _upper(cls, value: str) -> str:
        if value != value.upper():
            raise ValueError("office codes are written in capitals")
        return value


def errors_of(values: dict[str, object]) -> FormErrors:
    with pytest.raises(ValidationError) as refused:
        RateForm.model_validate(values)
    return FormErrors.of_validation(refused.value)


def test_each_field_gets_its_message() -> None:
    errors = errors_of({"office": "kgbsk", "rate": "150"})
    assert errors == {
        "office": "office codes are written in capitals",
        "rate": "Must be at most 100.",
        "note": "This field is required.",
    }
    assert errors_of({"office": "KGBSKX", "rate": "many", "note": ""}) == {
        "office": "At most 5 characters.",
        "rate": "Enter a number.",
    }


def test_the_messages_follow_the_language() -> None:
    i18n.use_language("ru")
    try:
        errors = errors_of({"office": "KGBSK", "rate": "-1"})
    finally:
        i18n.use_language("en")
    assert errors == {"rate": "Не менее 0.", "note": "Обязательное поле."}
