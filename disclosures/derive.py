"""Every computed cell of a disclosure, from the structure its table specs declare.

`sums(spec, rows)` lists the sum rules of one table's rows: within a row, a 合计 column
and its parts (spec.row_sums); within a column, a 类 or 款 and the subjects below it, a
unit and the units below it, the department row and the 总计 row; in tables 1, 2 and 4,
本年收入（支出）合计 and 收入（支出）总计 and their items (the spec's blocks). The same
list serves twice: `recompute` evaluates it to fill a draft's computed cells (clerks never
type them), and the structural checks compare each stored figure with its parts, so a
rule is written once. Agreement between tables is left to the checks, since each table
states its own figures.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from disclosures import subjects
from disclosures.models import Disclosure, SummaryItem, UnitRow
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import SPECS, RowSum, Shape, TableSpec

ZERO = Decimal("0")
I = SummaryItem  # noqa: E741

# The performance forms: their totals and the parts they add up.
FORM_SUMS = (
    RowSum("basic_total", ("personnel", "running"), rule="人员经费＋公用经费"),
    RowSum(
        "expense_total", ("personnel", "running", "project"), rule="人员经费＋公用经费＋项目支出"
    ),
    RowSum(
        "income_total",
        ("current_appropriation", "carried_forward", "other_funds"),
        rule="当年财政拨款＋上年结转资金＋其他资金",
    ),
)
PROJECT_SUMS = (
    RowSum(
        "total",
        ("current_appropriation", "special_account", "carried_forward", "other_funds"),
        rule="当年财政拨款＋财政专户拨款＋上年结转资金＋其他资金",
    ),
)


@dataclass(frozen=True)
class Sum:
    """One computed cell: `row`'s `column` is the sum of `parts`, each (row, column).

    kind: "row" (a 合计 column), "column" (a row that totals rows below it) or "total"
    (an item of tables 1, 2, 4). A rule that is `derived` computes its cell; one that is
    not (收入总计 = 支出总计) is an identity only the checks compare. Rules of greater
    `depth` are evaluated first, so a 款 is summed before its 类 and every 类 before 总计.
    """

    row: Any
    column: str
    parts: tuple[tuple[Any, str], ...]
    rule: str
    kind: str
    depth: int = 0
    derived: bool = True

    @property
    def figures(self) -> list[Decimal]:
        return [getattr(row, column) for row, column in self.parts]

    @property
    def found(self) -> Decimal:
        return getattr(self.row, self.column)


def sums(spec: TableSpec, rows: list[Any]) -> list[Sum]:
    """The sum rules of one table's rows (its model rows, in printed order)."""
    by_shape = {Shape.SUBJECTS: _subject_sums, Shape.UNITS: _unit_sums, Shape.SUMMARY: _item_sums}
    return [*_row_sums(spec, rows), *by_shape[spec.shape](spec, rows)]


def form_sums(form: Any, rules: Iterable[RowSum]) -> list[Sum]:
    """The totals of a performance form (or of a project's money) and their parts."""
    return [
        Sum(form, rule.whole, tuple((form, part) for part in rule.parts), rule.rule, "row")
        for rule in rules
    ]


def _row_sums(spec: TableSpec, rows: list[Any]) -> list[Sum]:
    result = []
    for row in rows:
        for rule in spec.row_sums:
            labels = rule.rule or "＋".join(
                str(row._meta.get_field(part).verbose_name) for part in rule.parts
            )
            parts = tuple((row, part) for part in rule.parts)
            result.append(Sum(row, rule.whole, parts, labels, "row", depth=99))
    return result


def _column_sums(
    spec: TableSpec, whole: Any, members: list[Any], rule: str, depth: int
) -> list[Sum]:
    return [
        Sum(whole, field, tuple((m, field) for m in members), rule, "column", depth)
        for field in spec.money
    ]


def nearest_parent(code: str, present: set[str]) -> str:
    """The closest ancestor code in the table, or "" (the 总计 row) when there is none."""
    for ancestor in reversed(subjects.ancestors(code)):
        if ancestor in present:
            return ancestor
    return ""


def _subject_sums(spec: TableSpec, rows: list[Any]) -> list[Sum]:
    """A 类 or 款 is the sum of the nearest subjects below it; 总计, of the top ones."""
    present = {row.code for row in rows if row.code}
    children: dict[str, list[Any]] = {}
    for row in rows:
        if row.code:
            children.setdefault(nearest_parent(row.code, present), []).append(row)
    result = []
    for row in rows:
        if row.code and row.code in children:
            result += _column_sums(spec, row, children[row.code], "下级科目之和", len(row.code))
    for row in rows:
        if row.is_total:
            result += _column_sums(spec, row, children.get("", []), "各顶级科目之和", 0)
    return result


def _unit_sums(spec: TableSpec, rows: list[Any]) -> list[Sum]:
    """A unit with units below it sums them; the department row sums its top units; 总计
    sums the departments (or the units, when no department row is printed)."""
    units = [row for row in rows if row.kind == UnitRow.Kind.UNIT]
    listed = {row.unit_id for row in units}

    def depth(row: Any) -> int:
        level, unit = 0, row.unit
        while unit.parent_id in listed:
            level, unit = level + 1, unit.parent
        return level

    result = []
    for row in units:
        members = [r for r in units if r.unit.parent_id == row.unit_id]
        if members:
            result += _column_sums(spec, row, members, "下属单位之和", 10 + depth(row))
    top = [row for row in units if row.unit.parent_id not in listed]
    departments = [row for row in rows if row.kind == UnitRow.Kind.DEPARTMENT]
    for department in departments:
        result += _column_sums(spec, department, top, "所属各单位之和", 1)
    rule = "各部门之和" if departments else "各单位之和"
    for total in (row for row in rows if row.kind == UnitRow.Kind.TOTAL):
        result += _column_sums(spec, total, departments or top, rule, 0)
    return result


def _item_sums(spec: TableSpec, rows: list[Any]) -> list[Sum]:
    """Tables 1, 2 and 4: each side's 本年收入（支出）合计 adds the items of the blocks
    that sum into it, and 收入（支出）总计 adds 合计 and the carried items; on a two-sided
    table the two 总计 balance."""
    result = []
    grand_totals: dict[str | None, Any] = {}
    for index, side in enumerate(spec.sides()):
        on_side = [row for row in rows if getattr(row, "side", None) == side]
        for depth, total_item in ((1, I.CURRENT_TOTAL), (0, I.GRAND_TOTAL)):
            target = next((row for row in on_side if row.item == total_item), None)
            if target is None:
                continue
            items = spec.side_items(side)
            rule = next(block.rules[index] for block, item in items if item == total_item)
            members = tuple(
                (row, "amount")
                for block, item in items
                if block.sums_into == total_item
                for row in on_side
                if row.item == item
            )
            result.append(Sum(target, "amount", members, rule, "total", depth))
            if total_item == I.GRAND_TOTAL:
                grand_totals[side] = target
    if "income" in grand_totals and "expense" in grand_totals:
        income = ((grand_totals["income"], "amount"),)
        result.append(
            Sum(grand_totals["expense"], "amount", income, "收入总计", "total", -1, False)
        )
    return result


def derived_fields(key: str) -> frozenset[str]:
    """The columns every row of a table computes from its other columns."""
    return SPECS[key].derived_columns


def derived_rows(key: str, rows: list[Any]) -> set[int]:
    """The pks of the rows whose every amount is computed: totals, subtotals, parent
    subjects, units with units below them."""
    return {s.row.pk for s in sums(SPECS[key], rows) if s.kind != "row" and s.derived}


def evaluate(rules: Iterable[Sum]) -> None:
    """Set every derived cell to the sum of its parts, deepest rules first."""
    for rule in sorted((r for r in rules if r.derived), key=lambda r: -r.depth):
        setattr(rule.row, rule.column, sum(rule.figures, ZERO))


@transaction.atomic
def recompute(disclosure: Disclosure) -> None:
    """Recompute and save every derivable figure of a draft (published ones never change)."""
    for key, model in TABLE_MODELS.items():
        spec = SPECS[key]
        rows = model.objects.filter(disclosure=disclosure)
        if spec.shape == Shape.UNITS:
            rows = rows.select_related("unit__parent")
        rows = list(rows)
        if rows:
            evaluate(sums(spec, rows))
            model.objects.bulk_update(rows, spec.money)
    form = getattr(disclosure, "department_form", None)
    if form is not None:
        evaluate(form_sums(form, FORM_SUMS))
        form.save(update_fields=[rule.whole for rule in FORM_SUMS])
    for project in disclosure.projects.all():
        evaluate(form_sums(project, PROJECT_SUMS))
        project.save(update_fields=[rule.whole for rule in PROJECT_SUMS])
