"""Importing a statutory workbook into a draft: plan (read, compare, check), then apply.

A plan changes nothing; it says which rows the import adds, changes and removes, and
what the checks find on the result, so a clerk can look before confirming. Applying
runs in one transaction and saves the draft as every draft is saved (disclosures/drafts.py):
the draft's tables, explanations and performance forms are replaced together or not at
all. Passages, last year's figures, procurement and assets are not in the workbook and
stay as they are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from disclosures import drafts, money
from disclosures.checks import Facts, Finding, run_checks
from disclosures.models import (
    Department,
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Layout,
    Project,
    ProjectIndicator,
    TableExplanation,
    TableKey,
)
from disclosures.models.tables import TABLE_MODELS, money_fields
from disclosures.specs import LAYOUTS, SPECS

from .opening import open_workbook
from .problems import Problem, WorkbookError
from .reader import Content, identify, read_workbook, titles

PROJECT_FIELDS = (
    "unit_id", "category", "supervisor", "total", "current_appropriation", "special_account",
    "carried_forward", "other_funds", "figures_unit", "goal",
)  # fmt: skip
FORM_FIELDS = (
    "goals", "personnel", "running", "basic_total", "project", "current_appropriation",
    "carried_forward", "other_funds", "income_total", "expense_total",
)  # fmt: skip
INDICATOR_FIELDS = ("level1_code", "level1", "level2_code", "level2", "level3")


@dataclass
class TableChange:
    name: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class Plan:
    department: Department
    fiscal_year: int
    kind: str
    target: Disclosure | None  # the draft replaced; None creates revision 1
    disclosure: Disclosure  # the draft as it will be (unsaved when new)
    content: Content
    changes: list[TableChange]
    findings: list[Finding]
    version: int | None

    @property
    def warnings(self) -> list[str]:
        return self.content.warnings

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def summary(self) -> str:
        added = sum(len(c.added) for c in self.changes)
        changed = sum(len(c.changed) for c in self.changes)
        removed = sum(len(c.removed) for c in self.changes)
        return f"新增 {added} 行，修改 {changed} 行，删除 {removed} 行"


def target_draft(department: Department, year: int, kind: str) -> Disclosure | None:
    """The draft an import replaces, None to create one; refuses when the newest revision
    is under review or published (a correction starts from the admin)."""
    newest = (
        Disclosure.objects.with_contents()
        .filter(department=department, fiscal_year=year, kind=kind)
        .order_by("-revision")
        .first()
    )
    if newest is None or newest.status == Disclosure.Status.DRAFT:
        return newest
    state = newest.get_status_display()
    if newest.status == Disclosure.Status.PUBLISHED:
        hint = "如需更正，请先在管理后台发起更正，再导入到更正草稿。"
    else:
        hint = "请先由审核人退回为草稿，再导入。"
    raise WorkbookError(
        Problem(f"{department.name} {year} 年第 {newest.revision} 版{state}，不能导入。{hint}")
    )


def _layout_of(opened) -> str:
    """A new draft's layout: the eleven tables, or only the project list (seed 000)."""
    gansu = titles(LAYOUTS[Layout.GANSU])
    for grid in opened.grids:
        if identify(grid, gansu) in SPECS:
            return Layout.GANSU
    return Layout.PERFORMANCE_ONLY


def plan_import(
    data: bytes, *, department: Department, year: int, kind: str = "budget", filename: str = ""
) -> Plan:
    opened = open_workbook(data, filename)
    target = target_draft(department, year, kind)
    disclosure = target or Disclosure(
        department=department, fiscal_year=year, kind=kind, layout=_layout_of(opened)
    )
    content = read_workbook(opened, disclosure)
    facts = _facts(disclosure, target)
    old_rows = facts.rows  # _with_content replaces the dict, so these stay the draft's
    _with_content(facts, content)
    return Plan(
        department=department,
        fiscal_year=year,
        kind=kind,
        target=target,
        disclosure=disclosure,
        content=content,
        changes=compare(target, old_rows, content),
        findings=run_checks(facts),
        version=target.version if target else None,
    )


def _facts(disclosure: Disclosure, target: Disclosure | None) -> Facts:
    """The draft as it is before the import (an empty one when the import creates it)."""
    if target is not None:
        return Facts.of(target)
    year = disclosure.fiscal_year
    return Facts(
        disclosure=disclosure,
        department_name=disclosure.department.name,
        units=list(disclosure.department.units.all()),
        rows={},
        department_form=None,
        department_indicators=[],
        projects=[],
        project_indicators={},
        key_projects={},
        passages={},
        explanations={},
        prior_year={},
        reasons={},
        procurement=None,
        assets=None,
        function_names=FunctionSubject.objects.names(year),
        economic_names=EconomicSubject.objects.names(year),
    )


def _with_content(facts: Facts, content: Content) -> None:
    """The draft as it will be after the import, for the checks."""
    facts.rows = {key: content.rows.get(key, []) for key in SPECS}
    facts.explanations = dict(content.explanations)
    if content.department_form is not None:
        facts.department_form = content.department_form
        facts.department_indicators = content.department_indicators
    if content.projects:
        kept = {p.name: facts.key_projects.get(p.position) for p in facts.projects}
        facts.projects = content.projects
        facts.project_indicators = content.project_indicators
        facts.key_projects = {
            p.position: kept[p.name] for p in content.projects if kept.get(p.name) is not None
        }
    facts.acknowledgements = {}


# Comparing ---------------------------------------------------------------------------------


def _row_key(row: Any) -> tuple:
    """What identifies a row across two versions of its table."""
    if hasattr(row, "item"):
        return (getattr(row, "side", ""), row.item, row.subject_code)
    if hasattr(row, "kind"):
        return (row.kind, row.unit.name if row.kind == "unit" else "")
    return (row.code,)


def _row_name(row: Any) -> str:
    if hasattr(row, "item"):
        side = {"income": "收入：", "expense": "支出："}.get(getattr(row, "side", ""), "")
        return side + row.label
    if hasattr(row, "kind"):
        return row.label
    return f"{row.code} {row.name}".strip()


def _money(value: Decimal) -> str:
    return money.format_plain(value, blank_zero=False)


def _differences(old: Any, new: Any, fields: tuple[str, ...], labels: dict[str, str]) -> list[str]:
    result = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            if isinstance(before, Decimal):
                before, after = _money(before), _money(after)
            result.append(f"{labels.get(name, name)} {before or '（空）'} → {after or '（空）'}")
    return result


def _labels(model) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.fields} | {"unit_id": "实施单位"}


def compare(
    target: Disclosure | None, old_rows: dict[str, list], content: Content
) -> list[TableChange]:
    changes = []
    for key in SPECS:
        if key not in content.rows and not old_rows.get(key):
            continue
        model = TABLE_MODELS[key]
        fields = (*(("label",) if hasattr(model, "item") or hasattr(model, "kind") else ("name",)),
                  *money_fields(model))  # fmt: skip
        change = _compare_rows(
            str(TableKey(key).label), old_rows.get(key, []), content.rows.get(key, []),
            _row_key, _row_name, fields, _labels(model),
        )  # fmt: skip
        changes.append(change)
    old_projects = sorted(target.projects.all(), key=lambda p: p.position) if target else []
    if content.projects:
        change = _compare_rows(
            "项目", old_projects, content.projects, lambda p: (p.name,), lambda p: p.name,
            PROJECT_FIELDS, _labels(Project),
        )  # fmt: skip
        old_indicators = {p.name: list(p.indicators.all()) for p in old_projects}
        for project in content.projects:
            if project.name in old_indicators:
                new = content.project_indicators.get(project.position, [])
                old = old_indicators[project.name]
                if [_indicator(i) for i in old] != [_indicator(i) for i in new]:
                    change.changed.append(f"{project.name}：绩效指标 {len(old)} 项 → {len(new)} 项")
        changes.append(change)
    form = getattr(target, "department_form", None) if target else None
    if content.department_form is not None:
        change = TableChange("部门整体支出绩效目标表")
        if form is None:
            change.added.append("部门整体支出绩效目标表")
        else:
            change.changed += _differences(form, content.department_form, FORM_FIELDS,
                                           _labels(type(form)))  # fmt: skip
            old = [_indicator(i) for i in form.indicators.all()]
            new = [_indicator(i) for i in content.department_indicators]
            if old != new:
                change.changed.append(f"绩效指标 {len(old)} 项 → {len(new)} 项")
        changes.append(change)
    return changes


def _indicator(indicator: Any) -> tuple:
    target = getattr(indicator, "target", None)
    if target is None:
        target = (indicator.period_target, indicator.annual_target)
    return (*(getattr(indicator, f) for f in INDICATOR_FIELDS), target)


def _compare_rows(name, old, new, key, describe, fields, labels) -> TableChange:
    change = TableChange(name)
    before = {key(row): row for row in old}
    after = {key(row): row for row in new}
    for k, row in after.items():
        if k not in before:
            change.added.append(describe(row))
        else:
            differences = _differences(before[k], row, fields, labels)
            if differences:
                change.changed.append(f"{describe(row)}：" + "；".join(differences))
    change.removed = [describe(row) for k, row in before.items() if k not in after]
    return change


# Applying ----------------------------------------------------------------------------------


def apply_import(plan: Plan, user=None) -> Disclosure:
    """Write the plan in one transaction, as `user` (None for the import command); refuses
    if the draft changed since it was planned, or the user may not edit it."""
    with transaction.atomic():
        disclosure = _draft_as_planned(plan)
        try:
            # The workbook's totals are stored as printed, as the preview checked them.
            with drafts.editing(disclosure, user, recompute=False) as draft:
                draft.wrote(_replace(disclosure, plan.content))
        except drafts.DraftRefused as refused:
            raise WorkbookError(Problem(str(refused))) from None
    return disclosure


def _draft_as_planned(plan: Plan) -> Disclosure:
    """The draft the plan replaces, locked, still as the preview saw it; or, when the plan
    creates the disclosure, the new draft."""
    if plan.target is None:
        if Disclosure.objects.filter(
            department=plan.department, fiscal_year=plan.fiscal_year, kind=plan.kind
        ).exists():
            raise WorkbookError(Problem("导入期间已有人创建了这份公开，请重新上传预览。"))
        plan.disclosure.save()
        return plan.disclosure
    disclosure = Disclosure.objects.select_for_update().get(pk=plan.target.pk)
    if disclosure.status != Disclosure.Status.DRAFT or disclosure.version != plan.version:
        raise WorkbookError(Problem("预览之后草稿已被修改或提交，请重新上传预览。"))
    return disclosure


IMPORT_REASON = "从 Excel 工作簿导入"


def _replace(disclosure: Disclosure, content: Content) -> list:
    """Bring the draft's rows to the workbook's, leaving the history an edit would leave;
    returns the statutory tables' rows, as written.

    A row the workbook also has (by the key the preview compares on) is updated in place,
    so its history shows what changed; only rows that differ are written. Each write is
    recorded in bulk (simple-history's bulk_*_with_history), by the user of the request,
    and a removed row by simple-history's delete signal.
    """
    when = timezone.now()
    written = []
    for key, rows in content.rows.items():
        model = TABLE_MODELS[key]
        for row in rows:
            row.disclosure = disclosure
        stored = model.objects.filter(disclosure=disclosure)
        if any(field.name == "unit" for field in model._meta.fields):
            stored = stored.select_related("unit")  # _row_key reads the unit's name
        written += _write(model, stored, rows, _row_key, when)
    explanations = [
        TableExplanation(disclosure=disclosure, table=key, text=text)
        for key, text in content.explanations.items()
    ]
    tables = {*content.rows, *content.explanations}
    stored = TableExplanation.objects.filter(disclosure=disclosure, table__in=tables)
    _write(TableExplanation, stored, explanations, lambda e: e.table, when)
    if content.department_form is not None:
        form = content.department_form
        form.disclosure = disclosure
        stored = DepartmentPerformanceForm.objects.filter(disclosure=disclosure)
        _write(DepartmentPerformanceForm, stored, [form], lambda f: f.disclosure_id, when)
        for indicator in content.department_indicators:
            indicator.form = form
        stored = DepartmentIndicator.objects.filter(form=form)
        indicators = content.department_indicators
        _write(DepartmentIndicator, stored, indicators, lambda i: i.position, when)
    if content.projects:
        # A project keeps its row, its indicators' rows and its key project description
        # (重点项目情况, not in the workbook) when the workbook has a project of its name.
        for project in content.projects:
            project.disclosure = disclosure
        stored = Project.objects.filter(disclosure=disclosure)
        projects = _write(Project, stored, content.projects, lambda p: p.name, when)
        indicators = []
        for project in projects:
            for indicator in content.project_indicators.get(project.position, []):
                indicator.project = project
                indicators.append(indicator)
        stored = ProjectIndicator.objects.filter(project__disclosure=disclosure)
        _write(ProjectIndicator, stored, indicators, lambda i: (i.project_id, i.position), when)
    return written


def _write(model, stored, rows: list, key: Callable[[Any], Any], when) -> list:
    """Make the rows of `stored` (a queryset) the given unsaved `rows`: a stored row with a
    new row's key takes its values and keeps its id, the other stored rows are removed and
    the other new rows added. Returns `rows`, saved."""
    unmatched: dict[Any, list] = {}
    for row in stored:
        unmatched.setdefault(key(row), []).append(row)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    changed, moved, added, names = [], [], [], set()
    for row in rows:
        same_key = unmatched.get(key(row))
        if not same_key:
            added.append(row)
            continue
        kept = same_key.pop(0)
        row.pk = kept.pk
        differs = {f.name for f in fields if getattr(kept, f.attname) != getattr(row, f.attname)}
        if differs:
            changed.append(row)
            names |= differs
        if "position" in differs:
            moved.append(row)
    removed = [row.pk for rest in unmatched.values() for row in rest]
    if removed:
        model.objects.filter(pk__in=removed).delete()
    history = {"default_date": when, "default_change_reason": IMPORT_REASON}
    if moved:
        _step_aside(model, moved, stored)
    if changed:
        bulk_update_with_history(changed, model, sorted(names), **history)
    if added:
        created = bulk_create_with_history(added, model, **history)
        for row, saved in zip(added, created, strict=True):
            row.pk = saved.pk
    return rows


def _step_aside(model, moved: list, stored) -> None:
    """Positions are unique and checked row by row, also within one UPDATE: rows that swap
    or shift places first move past every position in use, then to their own."""
    used = [*stored.values_list("position", flat=True), *(row.position for row in moved)]
    final = [row.position for row in moved]
    for free, row in enumerate(moved, start=max(used) + 1):
        row.position = free
    model.objects.bulk_update(moved, ["position"])
    for row, position in zip(moved, final, strict=True):
        row.position = position
