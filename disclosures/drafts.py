"""Saving a draft: the one way the admin, the workbook import and the flat import write.

Each door writes rows in its own way (the admin's formsets, a workbook replacing the
tables, a file of rows), but what must hold around a write is the same for all of them,
so it is said once, here:

- the disclosure's row stays locked until the writer's transaction ends, so two saves of
  one draft queue instead of interleaving (SQLite has no row locks; its writes queue);
- only a draft is written to, and only by a user who may edit it (roles.py decides);
- every subject code written is in its table's catalogue for the year (subjects.Catalogue);
- the derived cells (合计 columns, subtotals, 总计) are computed again (derive.recompute)
  where the writer could not type them: the admin shows them disabled. A file (workbook
  or flat) carries every figure, totals included, and is stored as printed: the checks
  say where it does not add up, as the preview the clerk confirmed said;
- the edit version goes up, so a page or a workbook preview from before the save is
  refused as stale.

`editing()` is the shape to use; `open_draft()` and `Draft.save()` are its two halves,
for a door whose framework writes rows between its own hooks (django-import-export),
inside the transaction the framework holds: a refusal after rows were written undoes them.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from disclosures import derive, roles
from disclosures.models import Disclosure
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import SPECS
from disclosures.subjects import Catalogue

TABLE_KEYS = {model: key for key, model in TABLE_MODELS.items()}
# A subject table's rows name their subject by `code`; a summary table's 类 rows by
# `subject_code`.
CODE_FIELDS = ("code", "subject_code")


class DraftRefused(PermissionDenied):
    """The disclosure may not be written to; the reason is in the clerk's words."""


def refusal(disclosure: Disclosure, user) -> str | None:
    """Why `user` may not write to `disclosure` now, or None if they may. Without a user
    (a management command: whoever runs it is trusted) only the status is asked."""
    if not roles.status_allows(roles.Action.EDIT, disclosure):
        if disclosure.status == Disclosure.Status.PUBLISHED:
            return f"“{disclosure}”已公开，不能修改；如需更正，请先发起更正，再导入到更正稿。"
        return f"“{disclosure}”{disclosure.get_status_display()}，只有草稿可以修改。"
    if user is not None and not roles.permitted(user, roles.Action.EDIT, disclosure):
        return f"您无权修改“{disclosure}”。"
    return None


@dataclass
class Draft:
    """A draft opened for writing: locked and allowed. The caller writes rows, says which
    (`wrote`), and saves."""

    disclosure: Disclosure
    recompute: bool = True
    written: list[models.Model] = field(default_factory=list)

    def wrote(self, rows: Iterable[models.Model]) -> None:
        """Rows the caller saved; their subject codes are checked on `save`."""
        self.written.extend(rows)

    def save(self) -> None:
        """Refuse an unknown subject code, recompute the derived cells, bump the version."""
        check_codes(self.disclosure.fiscal_year, self.written)
        if self.recompute:
            derive.recompute(self.disclosure)
        # Through the model, whose save refuses to touch a published revision; the row is
        # locked since open_draft, so nobody bumps it in between. The new version alone is
        # no change to show in 变更历史, so it leaves no history record.
        stored = Disclosure.objects.get(pk=self.disclosure.pk)
        stored.version += 1
        stored.skip_history_when_saving = True
        stored.save(update_fields=["version", "updated_at"])
        self.disclosure.version = stored.version


def open_draft(disclosure: Disclosure, user, *, recompute: bool = True) -> Draft:
    """Lock the disclosure's row and refuse (DraftRefused) unless `user` may write to it;
    inside a transaction, which the lock lasts for. `recompute=False` for a writer that
    carries every figure, derived ones too (a file)."""
    locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    reason = refusal(locked, user)
    if reason is not None:
        raise DraftRefused(reason)
    return Draft(disclosure, recompute)


@contextmanager
def editing(disclosure: Disclosure, user, *, recompute: bool = True) -> Iterator[Draft]:
    """Write to a draft, all or nothing:

        with editing(disclosure, request.user) as draft:
            ... save rows ...
            draft.wrote(rows)

    If the block raises, or the save refuses a code, what the block wrote is undone."""
    with transaction.atomic():
        draft = open_draft(disclosure, user, recompute=recompute)
        yield draft
        draft.save()


# Subject codes -------------------------------------------------------------------------


def catalogue_kind(model: type[models.Model]) -> str:
    """The catalogue a statutory table's subject codes come from: its spec's. The summary
    tables (1, 2 and 4) name none, but the code of their 支出功能分类（类） rows is a
    function 类."""
    return SPECS[TABLE_KEYS[model]].catalogue or "function"


def code_field(model: type[models.Model]) -> str | None:
    """The field holding a row's subject code; None for rows that have none."""
    if model not in TABLE_KEYS:
        return None
    names = {f.name for f in model._meta.fields}
    return next((name for name in CODE_FIELDS if name in names), None)


def check_codes(year: int, rows: Iterable[models.Model]) -> None:
    """Refuse (ValidationError) if a row names a subject its catalogue for `year` refuses
    (subjects.Catalogue.problem); each message names the table, the row's 行次 and the
    column. A year without the catalogue is said once."""
    catalogues: dict[str, Catalogue] = {}
    problems = []
    for row in rows:
        name = code_field(type(row))
        code = getattr(row, name) if name else ""
        if not code:
            continue  # not a table row, or its 总计 / a fixed item
        kind = catalogue_kind(type(row))
        if kind not in catalogues:
            catalogues[kind] = Catalogue.of(kind, year)
        catalogue = catalogues[kind]
        if not catalogue.loaded:
            raise ValidationError(catalogue.missing)  # one message, not one per row
        problem = catalogue.problem(code)
        if problem:
            meta = type(row)._meta
            column = meta.get_field(name).verbose_name
            problems.append(f"{meta.verbose_name_plural}第 {row.position} 行，{column}：{problem}")
    if problems:
        raise ValidationError(problems)
