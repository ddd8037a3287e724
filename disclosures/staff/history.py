"""Every change to every row of a disclosure, by whom and when (django-simple-history)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.models import Disclosure
from disclosures.models.frozen import FrozenWhenPublished

CHANGE_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


def shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return money.format_amount(value)
    return "—" if value in (None, "") else str(value)


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    kind: str
    what: str
    row: str
    fields: list[tuple[str, Any, Any]]


def _history_models() -> list[tuple[type, str]]:
    """(model, lookup to its disclosure) for every model whose rows make up a disclosure."""
    models = {}
    for relation in Disclosure._meta.related_objects:
        model = relation.related_model
        if issubclass(model, FrozenWhenPublished):
            models[model] = model.disclosure_lookup
            for nested in model._meta.related_objects:
                if issubclass(nested.related_model, FrozenWhenPublished):
                    models[nested.related_model] = nested.related_model.disclosure_lookup
    return list(models.items())


def changes(disclosure: Disclosure) -> list[Change]:
    """The disclosure's own changes and its rows', newest first."""
    records = list(disclosure.history.all())
    for model, lookup in _history_models():
        field = f"{lookup}_id" if "__" not in lookup else lookup
        records += model.history.filter(**{field: disclosure.pk})
    # Each record's previous version is the one before it in the same history, already
    # fetched: no query per record (simple-history's prev_record would make one each).
    previous_of = {}
    last = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (type(record), record.id)
        previous_of[(type(record), record.history_id)] = last.get(key)
        last[key] = record
    result = []
    for record in records:
        previous = previous_of[(type(record), record.history_id)]
        fields = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            fields = [
                (
                    str(record.instance_type._meta.get_field(c.field).verbose_name),
                    shown(c.old),
                    shown(c.new),
                )
                for c in delta.changes
            ]
        result.append(
            Change(
                at=record.history_date,
                user=record.history_username,
                kind=CHANGE_TYPES.get(record.history_type, record.history_type),
                what=str(record.instance_type._meta.verbose_name),
                row=str(record),
                fields=fields,
            )
        )
    return sorted(result, key=lambda change: change.at, reverse=True)
