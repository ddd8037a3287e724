"""The statutory workbook (.xlsx): export in the printed layout, and import back.

- `workbook_bytes(disclosure)`: one sheet per table and performance form, ready to print;
- `store_workbook(disclosure_id)`: a published revision's workbook, rendered once and kept
  (`workbook_of(disclosure)` gives it, or a draft's, as bytes);
- `plan_import(data, department=…, year=…)`: read, compare with the draft, run the checks;
- `apply_import(plan)`: replace the draft's tables and forms in one transaction.

Every refusal is a WorkbookError whose problems name the sheet and cell, in Chinese.
"""

from .importer import Plan, apply_import, plan_import
from .problems import Problem, WorkbookError
from .writer import workbook_bytes


def store_workbook(disclosure_id: int):
    """The stored workbook of a published revision, rendered now if nobody has yet."""
    from disclosures.models import DisclosureWorkbook
    from disclosures.rendering.stored import store

    return store(DisclosureWorkbook, disclosure_id, workbook_bytes)


def workbook_of(disclosure) -> bytes:
    """A published revision's workbook as stored at publication; any other's rendered now
    (the disclosure fetched with_contents)."""
    if disclosure.status == disclosure.Status.PUBLISHED:
        with store_workbook(disclosure.pk).file.open("rb") as stored:
            return stored.read()
    return workbook_bytes(disclosure)


__all__ = [
    "Plan",
    "Problem",
    "WorkbookError",
    "apply_import",
    "plan_import",
    "store_workbook",
    "workbook_bytes",
    "workbook_of",
]
