from decimal import Decimal

from django.db import models
from django.db.models import Q

from disclosures import money


class MoneyField(models.DecimalField):
    """An amount in 万元, exact to the 分 (six decimal places), zero by default."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", money.MAX_DIGITS)
        kwargs.setdefault("decimal_places", money.DECIMAL_PLACES)
        kwargs.setdefault("default", Decimal("0"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "disclosures.models.fields.MoneyField", args, kwargs


def non_negative(name: str, *fields: str) -> models.CheckConstraint:
    """One named constraint: every listed amount is zero or more (budgets are never negative)."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__gte": 0})
    return models.CheckConstraint(condition=condition, name=name)
