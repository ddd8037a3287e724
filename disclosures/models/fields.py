from decimal import Decimal

from django import forms
from django.db import models
from django.db.models import Q

from disclosures import money


class MoneyFormField(forms.DecimalField):
    """Amounts as clerks type them: 万元 with two decimals."""

    def __init__(self, **kwargs):
        kwargs["max_digits"] = money.MAX_DIGITS - money.DECIMAL_PLACES + 2
        kwargs["decimal_places"] = 2
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "class": "money"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        # Stored amounts carry six decimals; 697.070000 is the two-decimal 697.07.
        value = super().to_python(value)
        if isinstance(value, Decimal) and value == value.quantize(money.CENT):
            value = value.quantize(money.CENT)
        return value

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value == value.quantize(money.CENT):
            return money.format_amount(value)
        return value


class MoneyField(models.DecimalField):
    """An amount in 万元, exact to the 分 (six decimal places), zero by default."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", money.MAX_DIGITS)
        kwargs.setdefault("decimal_places", money.DECIMAL_PLACES)
        kwargs.setdefault("default", Decimal("0"))
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MoneyFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "disclosures.models.fields.MoneyField", args, kwargs


def non_negative(name: str, *fields: str) -> models.CheckConstraint:
    """One named constraint: every listed amount is zero or more (budgets are never negative)."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__gte": 0})
    return models.CheckConstraint(condition=condition, name=name)
