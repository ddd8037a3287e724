"""The statutory workbook (.xlsx): export in the printed layout, and import back.

- `workbook_bytes(disclosure)`: one sheet per table and performance form, ready to print;
- `plan_import(data, department=…, year=…)`: read, compare with the draft, run the checks;
- `apply_import(plan)`: replace the draft's tables and forms in one transaction.

Every refusal is a WorkbookError whose problems name the sheet and cell, in Chinese.
"""

from .importer import Plan, apply_import, plan_import
from .problems import Problem, WorkbookError
from .writer import workbook_bytes

__all__ = ["Plan", "Problem", "WorkbookError", "apply_import", "plan_import", "workbook_bytes"]
