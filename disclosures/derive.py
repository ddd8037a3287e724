"""Derivable figures of a draft, computed from the figures clerks type.

Within each statutory table: a row's 合计 is the sum of its parts; a 类 or 款 row, a unit
with units below it, the department row and the 总计 row are sums of the rows below
them; tables 1, 2 and 4 total their items. The department form and each project total
their parts. Clerks never type these (the admin shows them read-only); agreement between
tables is left to the checks, since each table states its own figures.
"""

from decimal import Decimal

from django.db import transaction

from disclosures import subjects
from disclosures.checks.rules import ECONOMIC_TABLES, FUNCTION_TABLES, ROW_SUMS, UNIT_TABLES
from disclosures.models import Disclosure, SummaryItem, UnitRow
from disclosures.models.tables import INCOME_ITEMS, TABLE_MODELS, money_fields

ZERO = Decimal("0")
I = SummaryItem  # noqa: E741


def derived_fields(key: str) -> set[str]:
    """The columns every row of a table computes from its other columns."""
    return {whole for whole, _parts in ROW_SUMS.get(key, ())}


def _nearest_parent(code: str, present: set[str]) -> str:
    """The closest ancestor code in the table, or "" (the 总计 row) when there is none."""
    for ancestor in reversed(subjects.ancestors(code)):
        if ancestor in present:
            return ancestor
    return ""


def _row_sums(key: str, row) -> None:
    for whole, parts in ROW_SUMS.get(key, ()):
        setattr(row, whole, sum((getattr(row, part) for part in parts), ZERO))


def _subject_table(key: str, rows: list) -> list:
    """Recompute a subject table bottom-up; returns the rows that changed."""
    fields = money_fields(TABLE_MODELS[key])
    by_code = {row.code: row for row in rows}
    children: dict[str, list] = {}
    for row in rows:
        if row.code:
            children.setdefault(_nearest_parent(row.code, set(by_code) - {""}), []).append(row)
    # Deepest first, so a 款 is summed before its 类, and every 类 before 总计.
    order = sorted(
        (r for r in rows if r.code in children or not r.code), key=lambda r: -len(r.code)
    )
    for row in rows:
        _row_sums(key, row)
    for parent in order:
        for field in fields:
            setattr(
                parent, field, sum((getattr(c, field) for c in children.get(parent.code, [])), ZERO)
            )
        _row_sums(key, parent)
    return rows


def _unit_table(key: str, rows: list) -> list:
    fields = money_fields(TABLE_MODELS[key])
    units = [r for r in rows if r.kind == UnitRow.Kind.UNIT]
    listed = {r.unit_id for r in units}
    for row in units:
        _row_sums(key, row)

    def total_of(members, target):
        for field in fields:
            setattr(target, field, sum((getattr(m, field) for m in members), ZERO))

    # Units with units below them, deepest first.
    def depth(row):
        level, unit = 0, row.unit
        while unit.parent_id in listed:
            level += 1
            unit = unit.parent
        return level

    for row in sorted(units, key=depth, reverse=True):
        members = [r for r in units if r.unit.parent_id == row.unit_id]
        if members:
            total_of(members, row)
    top = [r for r in units if r.unit.parent_id not in listed]
    departments = [r for r in rows if r.kind == UnitRow.Kind.DEPARTMENT]
    for department in departments:
        total_of(top, department)
    for total in (r for r in rows if r.kind == UnitRow.Kind.TOTAL):
        total_of(departments or top, total)
    return rows


def _summary_table(key: str, rows: list) -> list:
    """Tables 1, 2 and 4: 本年收入（支出）合计 and 收入（支出）总计 of each side."""
    income_parts = (
        INCOME_ITEMS
        if key != "fiscal_summary"
        else (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL)
    )
    sides = (
        (("income", income_parts, (I.CARRIED_FORWARD, I.PRIOR_SURPLUS)),)
        if key == "department_income"
        else (
            ("income", income_parts, (I.CARRIED_FORWARD, I.PRIOR_SURPLUS)),
            ("expense", (I.FUNCTION_CLASS,), (I.CARRY_TO_NEXT,)),
        )
    )
    for side, parts, carried_items in sides:
        members = [r for r in rows if getattr(r, "side", side) == side]
        current = sum((r.amount for r in members if r.item in parts), ZERO)
        carried = sum((r.amount for r in members if r.item in carried_items), ZERO)
        for row in members:
            if row.item == I.CURRENT_TOTAL:
                row.amount = current
            elif row.item == I.GRAND_TOTAL:
                row.amount = current + carried
    return rows


def derived_rows(key: str, rows: list) -> set[int]:
    """The pks of the rows whose every amount is computed: totals, subtotals, parent
    subjects, units with units below them."""
    if key in (*FUNCTION_TABLES, *ECONOMIC_TABLES):
        codes = {r.code for r in rows if r.code}
        parents = {_nearest_parent(code, codes) for code in codes}
        return {r.pk for r in rows if not r.code or r.code in parents}
    if key in UNIT_TABLES:
        parents = {r.unit.parent_id for r in rows if r.kind == UnitRow.Kind.UNIT}
        return {r.pk for r in rows if r.kind != UnitRow.Kind.UNIT or r.unit_id in parents}
    return {r.pk for r in rows if r.item in (I.CURRENT_TOTAL, I.GRAND_TOTAL)}


@transaction.atomic
def recompute(disclosure: Disclosure) -> None:
    """Recompute and save every derivable figure of a draft (published ones never change)."""
    for key, model in TABLE_MODELS.items():
        rows = model.objects.filter(disclosure=disclosure)
        rows = list(rows.select_related("unit__parent") if key in UNIT_TABLES else rows)
        if not rows:
            continue
        if key in UNIT_TABLES:
            _unit_table(key, rows)
        elif key in (*FUNCTION_TABLES, *ECONOMIC_TABLES):
            _subject_table(key, rows)
        else:
            _summary_table(key, rows)
        fields = (
            money_fields(model)
            if key not in ("department_summary", "department_income", "fiscal_summary")
            else ["amount"]
        )
        model.objects.bulk_update(rows, fields)
    form = getattr(disclosure, "department_form", None)
    if form is not None:
        form.basic_total = form.personnel + form.running
        form.expense_total = form.basic_total + form.project
        form.income_total = form.current_appropriation + form.carried_forward + form.other_funds
        form.save(update_fields=["basic_total", "expense_total", "income_total"])
    for project in disclosure.projects.all():
        project.total = (
            project.current_appropriation
            + project.special_account
            + project.carried_forward
            + project.other_funds
        )
        project.save(update_fields=["total"])
