"""The consistency checks (勾稽关系) of DESIGN.md §6, and the completeness checks.

Each is a small function of a disclosure's Facts, registered with a stable code. The
checks within a table compare stored figures with the sum rules disclosures/derive.py
builds from the table's spec; the rest (between tables, the forms, the catalogue, units
of money, completeness) are written here. Every finding names its cell by keys (Cell);
its table is named and numbered by the disclosure's layout.
"""

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from disclosures.derive import FORM_SUMS, PROJECT_SUMS, form_sums
from disclosures.facts import ZERO, Facts
from disclosures.models import (
    NO_REASON,
    ComparisonItem,
    Passage,
    Project,
    SummaryItem,
    TableKey,
    UnitRow,
)
from disclosures.models.tables import summary_key
from disclosures.specs import SPECS, Shape
from disclosures.subjects import missing_message

from .registry import Cell, Finding, Severity, compare, figure, finding, register

ERROR, WARNING = Severity.ERROR, Severity.WARNING
T = TableKey
I = SummaryItem  # noqa: E741


def column(row: Any, field: str) -> str:
    return f"“{row._meta.get_field(field).verbose_name}”列"


def where(row: Any) -> str:
    """“人大事务”（20101）行, “总计”行, “临夏市…办公室”行."""
    code = getattr(row, "code", "")
    name = getattr(row, "name", None) or getattr(row, "label", "")
    return f"“{name}”（{code}）行" if code else f"“{name}”行"


def at(facts: Facts, key: str, row: Any, field: str = "") -> dict[str, Any]:
    """The table, location and cell of a finding about `row` (and one of its columns)."""
    return {
        "table": facts.table_name(key),
        "location": where(row) + (column(row, field) if field else ""),
        "cell": Cell(key, row.key, field),
    }


def published(facts: Facts, *keys: str) -> bool:
    return all(facts.publishes(key) for key in keys)


# 1–3. Within a table: what derive computes from the spec ---------------------------------


def structure(facts: Facts, kind: str) -> Iterator[Finding]:
    """Each stored figure against its parts, by the sum rules of disclosures/derive.py."""
    for key in facts.layout:
        for rule in facts.sums(key):
            if rule.kind == kind:
                yield from compare(
                    facts,
                    **at(facts, key, rule.row, rule.column if kind != "total" else ""),
                    expected=rule.figures,
                    found=rule.found,
                    rule=rule.rule,
                )


@register("ROW_SUM", ERROR, "行内合计等于各分项之和")
def row_sums(facts: Facts) -> Iterator[Finding]:
    yield from structure(facts, "row")


@register(
    "COLUMN_SUM", ERROR, "上级科目等于下级科目之和，上级单位等于下属单位之和，总计等于各类之和"
)
def column_sums(facts: Facts) -> Iterator[Finding]:
    yield from structure(facts, "column")


@register("SUMMARY_TOTALS", ERROR, "收支总体情况表：本年合计等于各项之和，总计等于合计加结转")
def summary_totals(facts: Facts) -> Iterator[Finding]:
    yield from structure(facts, "total")


@register("UNIT_HIERARCHY", ERROR, "按单位列示的表：总计在前，部门为其所属单位的小计")
def unit_hierarchy(facts: Facts) -> Iterator[Finding]:
    for key in facts.layout_of_shape(Shape.UNITS):
        rows = facts.table(key)
        if not rows:
            continue
        table = facts.table_name(key)
        kinds = [row.kind for row in rows]
        if kinds[0] != UnitRow.Kind.TOTAL:
            yield finding(
                table,
                "第1行",
                f"{table}第1行应为“总计”行，实为{where(rows[0])}。",
                cell=Cell(key, rows[0].key),
            )
        if UnitRow.Kind.DEPARTMENT in kinds:
            position = kinds.index(UnitRow.Kind.DEPARTMENT)
            department = rows[position]
            if UnitRow.Kind.UNIT in kinds[:position]:
                yield finding(
                    **at(facts, key, department),
                    message=f"{table}部门行{where(department)}应列在其所属单位之上，作为各单位的小计，"
                    "而不是与单位并列。",
                )
            if department.label != facts.department_name:
                yield finding(
                    **at(facts, key, department, "label") | {"location": where(department)},
                    message=f"{table}部门行名称应为“{facts.department_name}”，实为“{department.label}”。",
                    expected=facts.department_name,
                    found=department.label,
                )
        own_units = {unit.pk for unit in facts.units}
        order = {
            row.unit_id: index for index, row in enumerate(rows) if row.kind == UnitRow.Kind.UNIT
        }
        for index, row in enumerate(rows):
            parent = row.unit.parent_id if row.kind == UnitRow.Kind.UNIT else None
            if parent in order and order[parent] > index:
                yield finding(
                    **at(facts, key, row),
                    message=f"{table}{where(row)}应列在其上级单位之下（上级单位是它的小计）。",
                )
            if row.kind == UnitRow.Kind.UNIT and row.unit_id not in own_units:
                yield finding(
                    **at(facts, key, row),
                    message=f"{table}{where(row)}的单位不属于“{facts.department_name}”。",
                )


# 4–8. Between tables --------------------------------------------------------------------


def _class_totals(facts: Facts, key: str, field: str) -> dict[str, Decimal]:
    return {row.code: getattr(row, field) for row in facts.subjects(key) if len(row.code) == 3}


@register(
    "CROSS_TABLE",
    ERROR,
    "表间勾稽：部门收支总表与收入、支出总表；财政拨款收支总表与部门收支总表、各预算支出表；"
    "财政拨款支出表、基本支出表与一般公共预算支出表",
)
def cross_tables(facts: Facts) -> Iterator[Finding]:
    t1, t2, t3, t4 = (
        T.DEPARTMENT_SUMMARY,
        T.DEPARTMENT_INCOME,
        T.DEPARTMENT_EXPENSE,
        T.FISCAL_SUMMARY,
    )
    t5, t6, t7, t10, t11 = (
        T.FISCAL_BY_UNIT,
        T.GENERAL_EXPENSE,
        T.GENERAL_BASIC,
        T.FUND_EXPENSE,
        T.CAPITAL_EXPENSE,
    )

    def against(key, row, field, expected, found, rule):
        return compare(
            facts, **at(facts, key, row, field), expected=expected, found=found, rule=rule
        )

    def missing_class(key, code, amount, rule):
        name = facts.function_names.get(code, code)
        table = facts.table_name(key)
        yield finding(
            table,
            f"支出方“{name}”（{code}）",
            f"{table}支出方缺少“{name}”（{code}）一行，而{rule}为 {figure(amount)} 万元。",
            cell=Cell(key, summary_key("expense", I.FUNCTION_CLASS, code), "amount"),
            expected=figure(amount),
            found="",
        )

    if published(facts, t1, t2):
        for _block, item in SPECS[t2].side_items(None):
            rows = facts.summary(t2, None, item)
            if rows:
                yield from against(
                    t2,
                    rows[0],
                    "",
                    facts.summary_amount(t1, "income", item),
                    rows[0].amount,
                    f"{facts.table_name(t1)}同项",
                )
    if published(facts, t1, t3):
        t3_classes = _class_totals(facts, t3, "total")
        t1_classes = {
            row.subject_code: row for row in facts.summary(t1, "expense", I.FUNCTION_CLASS)
        }
        for code in sorted(set(t1_classes) | set(t3_classes)):
            rule = f"{facts.table_name(t3)}{code}类支出合计"
            if code in t1_classes:
                found = t1_classes[code].amount
                yield from against(
                    t1, t1_classes[code], "", t3_classes.get(code, ZERO), found, rule
                )
            elif t3_classes[code]:
                yield from missing_class(t1, code, t3_classes[code], rule)
    if published(facts, t1, t4):
        for item in (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL):
            rows = facts.summary(t4, "income", item)
            if rows:
                yield from against(
                    t4,
                    rows[0],
                    "",
                    facts.summary_amount(t1, "income", item),
                    rows[0].amount,
                    f"{facts.table_name(t1)}同项收入",
                )
    if published(facts, t4, t6):
        general = _class_totals(facts, t6, "total")
        fund = _class_totals(facts, t10, "amount")
        capital = _class_totals(facts, t11, "amount")
        t4_classes = {
            row.subject_code: row for row in facts.summary(t4, "expense", I.FUNCTION_CLASS)
        }
        for code in sorted(set(t4_classes) | set(general) | set(fund) | set(capital)):
            expected = general.get(code, ZERO) + fund.get(code, ZERO) + capital.get(code, ZERO)
            rule = "、".join(facts.table_number(key) for key in (t6, t10, t11)) + "该类之和"
            if code in t4_classes:
                row = t4_classes[code]
                yield from against(t4, row, "", expected, row.amount, rule)
            elif expected:
                yield from missing_class(t4, code, expected, rule)
    total5 = facts.total_row(t5)
    if published(facts, t5) and total5 is not None:
        for field, key, source, label in (
            ("general_total", t6, "total", "合计"),
            ("general_basic", t6, "basic", "基本支出"),
            ("general_project", t6, "project", "项目支出"),
            ("fund_total", t10, "amount", "总计"),
            ("capital_total", t11, "amount", "总计"),
        ):
            if not published(facts, key):
                continue
            yield from against(
                t5,
                total5,
                field,
                facts.total(key, source),
                getattr(total5, field),
                f"{facts.table_name(key)}总计行“{label}”",
            )
    total7 = facts.total_row(t7)
    if published(facts, t6, t7) and total7 is not None:
        yield from against(
            t7,
            total7,
            "total",
            facts.total(t6, "basic"),
            total7.total,
            f"{facts.table_name(t6)}总计行“基本支出”",
        )


# Which 款 of table 7 the 三公/会议/培训 columns of table 8 must cover at least.
THREE_PUBLIC_SUBJECTS = (
    ("abroad", "30212"),
    ("reception", "30217"),
    ("vehicle_operation", "30231"),
    ("meeting", "30215"),
    ("training", "30216"),
)


@register(
    "BASIC_COVERAGE",
    ERROR,
    "机关运行经费的基本支出不大于、“三公”经费等不小于基本支出表同科目",
)
def basic_coverage(facts: Facts) -> Iterator[Finding]:
    t7 = facts.by_code(T.GENERAL_BASIC)
    if published(facts, T.OFFICE_RUNNING, T.GENERAL_BASIC):
        table = facts.table_name(T.OFFICE_RUNNING)
        for row in facts.subjects(T.OFFICE_RUNNING):
            limit = t7[row.code].total if row.code in t7 else ZERO
            if row.basic > limit:
                yield finding(
                    **at(facts, T.OFFICE_RUNNING, row, "basic"),
                    message=f"{table}{where(row)}“基本支出”为 {figure(row.basic)}，不应大于"
                    f"{facts.table_name(T.GENERAL_BASIC)}同科目的 {figure(limit)}，超出 {figure(row.basic - limit)} 万元。",
                    expected=f"≤ {figure(limit)}",
                    found=figure(row.basic),
                )
    total8 = facts.total_row(T.THREE_PUBLIC)
    if published(facts, T.THREE_PUBLIC, T.GENERAL_BASIC) and total8 is not None:
        table = facts.table_name(T.THREE_PUBLIC)
        for field, code in THREE_PUBLIC_SUBJECTS:
            floor = t7[code].total if code in t7 else ZERO
            value = getattr(total8, field)
            if value < floor:
                yield finding(
                    **at(facts, T.THREE_PUBLIC, total8, field),
                    message=f"{table}总计行{column(total8, field)}为 {figure(value)}，不应小于"
                    f"{facts.table_name(T.GENERAL_BASIC)}[{code}]{t7[code].name}的基本支出 {figure(floor)}，"
                    f"少 {figure(floor - value)} 万元。",
                    expected=f"≥ {figure(floor)}",
                    found=figure(value),
                )


# 9. Performance forms ----------------------------------------------------------------------

FORM = "部门整体支出绩效目标表"


@register("DEPARTMENT_FORM", ERROR, "部门整体支出绩效目标表的预算情况自身相符，并与各公开表一致")
def department_form(facts: Facts) -> Iterator[Finding]:
    form = facts.department_form
    if form is None:
        if facts.has_narrative:
            yield finding(
                FORM,
                "“部门整体支出绩效目标表”",
                f"缺少{FORM}：每个部门预算公开须有一张。",
                cell=Cell("department_form"),
            )
        return

    def label(field: str) -> str:
        return f"“{form._meta.get_field(field).verbose_name}”"

    for rule in form_sums(form, FORM_SUMS):
        yield from compare(
            facts,
            table=FORM,
            location=label(rule.column),
            cell=Cell("department_form", "", rule.column),
            expected=rule.figures,
            found=rule.found,
            rule=rule.rule,
        )
    # (the form's field, what it must equal, the rule, the table that states it); a
    # table's figure is compared only when the layout publishes that table.
    comparisons = [
        ("income_total", form.expense_total, "支出预算合计", None),
        ("expense_total", facts.total(T.DEPARTMENT_EXPENSE, "total"), "总计", T.DEPARTMENT_EXPENSE),
        ("project", facts.total(T.DEPARTMENT_EXPENSE, "project"), "项目支出", T.DEPARTMENT_EXPENSE),
        ("personnel", facts.total(T.GENERAL_BASIC, "personnel"), "总计人员经费", T.GENERAL_BASIC),
        ("running", facts.total(T.GENERAL_BASIC, "running"), "总计公用经费", T.GENERAL_BASIC),
        (
            "current_appropriation",
            facts.summary_amount(T.FISCAL_SUMMARY, "income", I.CURRENT_TOTAL),
            "本年收入",
            T.FISCAL_SUMMARY,
        ),
    ]
    for field, expected, rule, table in comparisons:
        if table and not published(facts, table):
            continue
        yield from compare(
            facts,
            table=FORM,
            location=FORM_LABELS.get(field, label(field)),
            cell=Cell("department_form", "", field),
            expected=expected,
            found=getattr(form, field),
            rule=f"{facts.table_name(table)}{rule}" if table else rule,
        )


# How findings name the form's fields whose printed label is shorter than the model's.
FORM_LABELS = {"personnel": "“人员经费”", "running": "“公用经费”"}


def project_table(project: Any) -> str:
    return f"项目支出绩效目标表（{project.name}）"


def project_cell(project: Any, column: str = "", indicator: Any = None) -> Cell:
    row = f"project:{project.position}"
    if indicator is not None:
        row += f":indicator:{indicator.position}"
    return Cell("project_form", row, column)


@register(
    "PROJECT_AMOUNTS", ERROR, "项目资金：总额等于各来源之和；各项目之和等于部门支出总表的项目支出"
)
def project_amounts(facts: Facts) -> Iterator[Finding]:
    for project in facts.projects:
        for rule in form_sums(project, PROJECT_SUMS):
            yield from compare(
                facts,
                table=project_table(project),
                location="“年度资金总额”",
                cell=project_cell(project, rule.column),
                expected=rule.figures,
                found=rule.found,
                rule=rule.rule,
            )
    total = facts.total_row(T.DEPARTMENT_EXPENSE)
    if published(facts, T.DEPARTMENT_EXPENSE) and facts.projects and total is not None:
        yield from compare(
            facts,
            **at(facts, T.DEPARTMENT_EXPENSE, total, "project"),
            expected=[p.total for p in facts.projects],
            found=total.project,
            rule=f"{len(facts.projects)}个项目支出绩效目标表的年度资金总额之和",
        )


@register("PROJECT_FORMS", WARNING, "有项目支出的，须有项目支出绩效目标表")
def project_forms(facts: Facts) -> Iterator[Finding]:
    project_money = facts.total(T.DEPARTMENT_EXPENSE, "project")
    if published(facts, T.DEPARTMENT_EXPENSE) and project_money and not facts.projects:
        table = facts.table_name(T.DEPARTMENT_EXPENSE)
        yield finding(
            "项目支出绩效目标表",
            "“项目支出绩效目标表”",
            f"{table}项目支出为 {figure(project_money)} 万元，但没有任何项目支出绩效目标表。",
            cell=Cell("project_form"),
            expected="至少一张",
            found="0",
        )


@register("MONEY_UNIT", ERROR, "金额单位：绩效目标表表头为万元，金额须以万元填列")
def money_unit(facts: Facts) -> Iterator[Finding]:
    for project in facts.projects:
        if project.figures_unit == Project.FiguresUnit.YUAN:
            printed = f"{project.total * 10000:.0f}"
            yield finding(
                project_table(project),
                "“项目资金（万元）”",
                f"{project_table(project)}表头单位为万元，金额却以元填列：年度资金总额印为 {printed}，"
                f"应为 {figure(project.total)}（万元）。",
                cell=project_cell(project, "figures_unit"),
                expected=figure(project.total),
                found=printed,
            )


@register("FORM_FIELDS", WARNING, "项目支出绩效目标表的主管部门及代码须填写")
def form_fields(facts: Facts) -> Iterator[Finding]:
    # Only layouts that print seed 004's one-form-per-project layout show this field.
    if not facts.has_narrative:
        return
    for project in facts.projects:
        if not project.supervisor.strip():
            table = project_table(project)
            yield finding(
                table,
                "“主管部门及代码”",
                f"{table}“主管部门及代码”未填写。",
                cell=project_cell(project, "supervisor"),
            )


LEVEL1_REQUIRED = ("产出指标", "效益指标", "满意度指标")


@register("INDICATORS", WARNING, "每个项目都有产出、效益和满意度指标")
def indicator_completeness(facts: Facts) -> Iterator[Finding]:
    for project in facts.projects:
        levels = {
            indicator.level1 for indicator in facts.project_indicators.get(project.position, [])
        }
        missing = [level for level in LEVEL1_REQUIRED if level not in levels]
        if missing:
            yield finding(
                project_table(project),
                "“绩效指标”",
                f"{project_table(project)}缺少{'、'.join(missing)}。",
                cell=project_cell(project, "level1"),
                expected="、".join(LEVEL1_REQUIRED),
                found="、".join(sorted(levels)) or "无",
            )


@register("INDICATOR_BLANK", ERROR, "绩效指标的三级指标和指标值不能为空")
def indicator_blank(facts: Facts) -> Iterator[Finding]:
    forms = [(FORM, facts.department_indicators, ("level3", "target"), None)]
    forms += [
        (
            project_table(p),
            facts.project_indicators.get(p.position, []),
            ("level3", "annual_target"),
            p,
        )
        for p in facts.projects
    ]
    for table, indicators, fields, project in forms:
        # Where a form states both targets for some indicators, it must for all of them.
        if any(getattr(i, "period_target", "").strip() for i in indicators):
            fields = (*fields, "period_target")
        for indicator in indicators:
            for field in fields:
                if not getattr(indicator, field).strip():
                    label = indicator._meta.get_field(field).verbose_name
                    location = f"第{indicator.position}项指标“{label}”"
                    yield finding(
                        table,
                        location,
                        f"{table}{location}为空。",
                        cell=indicator_cell(project, indicator, field),
                    )


def indicator_cell(project: Any, indicator: Any, field: str) -> Cell:
    """An indicator's cell on the department form (project None) or a project's form."""
    if project is None:
        return Cell("department_form", f"indicator:{indicator.position}", field)
    return project_cell(project, field, indicator)


# 10. The catalogue -------------------------------------------------------------------------


def _subject_rows(facts: Facts) -> Iterator[tuple[str, Any, str, str, dict[str, str]]]:
    """(table key, row, code, printed name, catalogue) for every row naming a subject: the
    subject tables first, then the function 类 of the summary tables."""
    catalogues = {"function": facts.function_names, "economic": facts.economic_names}
    for key in facts.layout:
        if SPECS[key].catalogue:
            for row in facts.subjects(key):
                yield key, row, row.code, row.name, catalogues[SPECS[key].catalogue]
    for key in facts.layout_of_shape(Shape.SUMMARY):
        for row in facts.summary(key, "expense", I.FUNCTION_CLASS):
            yield key, row, row.subject_code, row.label, facts.function_names


def _complete(facts: Facts, kind: str) -> bool:
    """Whether a code outside the year's catalogue of `kind` is an error (the catalogue
    is complete) rather than a warning; Facts built from names alone count as complete."""
    catalogue = facts.catalogues.get(kind)
    return catalogue is None or catalogue.complete


def _kind(key: str) -> str:
    return SPECS[key].catalogue or "function"  # summary tables' 类 rows are function codes


@register("CATALOGUE", ERROR, "科目编码在当年政府收支分类科目中，名称与官方名称一致")
def catalogue(facts: Facts) -> Iterator[Finding]:
    year = facts.disclosure.fiscal_year
    missing = [c for c in facts.catalogues.values() if not c.loaded]
    if missing or (not facts.function_names and not facts.economic_names):
        yield finding(
            "政府收支分类科目",
            f"{year} 年",
            missing[0].missing if missing else missing_message(year, None),
            cell=Cell("catalogue"),
        )
        return
    for key, row, code, name, names in _subject_rows(facts):
        table = facts.table_name(key)
        location = f"“{name}”（{code}）行"
        field = "code" if hasattr(row, "code") else "subject_code"
        if code not in names:
            if _complete(facts, _kind(key)):
                yield finding(
                    table,
                    location,
                    f"{table}{location}：科目编码 {code} 不在 {year} 年政府收支分类科目中。",
                    cell=Cell(key, row.key, field),
                    found=code,
                )
        elif names[code] != name:
            yield finding(
                table,
                location,
                f"{table}{location}：科目名称应为“{names[code]}”（{year} 年政府收支分类科目），实为“{name}”。",
                cell=Cell(key, row.key, "name" if field == "code" else "label"),
                expected=names[code],
                found=name,
            )


@register("CATALOGUE_INCOMPLETE", WARNING, "科目编码不在尚未完整的当年科目目录中，须由财政局补入")
def catalogue_incomplete(facts: Facts) -> Iterator[Finding]:
    """A well-formed code the year's incomplete catalogue lacks: saved under the name the
    clerk gave, until the bureau adds it (or finds it is not a subject of the year)."""
    for key, row, code, name, _names in _subject_rows(facts):
        catalogue = facts.catalogues.get(_kind(key))
        if catalogue is None or not catalogue.unknown(code):
            continue
        table = facts.table_name(key)
        location = f"“{name}”（{code}）行"
        field = "code" if hasattr(row, "code") else "subject_code"
        yield finding(
            table,
            location,
            f"{table}{location}：{catalogue.warning(code)}",
            cell=Cell(key, row.key, field),
            found=code,
        )


# 13. Meaning of the classification: what the catalogue's flags allow ---------------------

# The function-subject tables of the 一般公共预算 alone; table 3 (部门支出) holds every budget.
GENERAL_BUDGET_TABLES = (T.GENERAL_EXPENSE,)
# The function-subject tables with a 项目支出 column.
PROJECT_TABLES = (T.DEPARTMENT_EXPENSE, T.GENERAL_EXPENSE)
BUDGET_NAMES = {"fund": "政府性基金预算", "capital": "国有资本经营预算"}


@register("BUDGET_OF_SUBJECT", WARNING, "一般公共预算表中不列政府性基金、国有资本经营预算科目")
def budget_of_subject(facts: Facts) -> Iterator[Finding]:
    catalogue = facts.catalogues.get("function")
    if catalogue is None:
        return
    for key in GENERAL_BUDGET_TABLES:
        if not facts.publishes(key):
            continue
        for row in facts.subjects(key):
            budget = catalogue.budgets.get(row.code, "general")
            if budget in BUDGET_NAMES:
                table = facts.table_name(key)
                location = where(row)
                yield finding(
                    table,
                    location,
                    f"{table}{location}：科目 {row.code} 属于{BUDGET_NAMES[budget]}"
                    f"（{facts.disclosure.fiscal_year} 年科目目录），不应列入一般公共预算表。",
                    cell=Cell(key, row.key, "code"),
                    found=row.code,
                )


@register("PROJECT_ON_BASIC", WARNING, "只列基本支出的科目（如行政运行）不列项目支出")
def project_on_basic(facts: Facts) -> Iterator[Finding]:
    catalogue = facts.catalogues.get("function")
    if catalogue is None:
        return
    for key in PROJECT_TABLES:
        if not facts.publishes(key):
            continue
        for row in facts.subjects(key):
            if row.code in catalogue.basic and row.project:
                table = facts.table_name(key)
                location = where(row) + column(row, "project")
                yield finding(
                    table,
                    location,
                    f"{table}{location}：“{catalogue.name(row.code)}”（{row.code}）只列基本支出，"
                    f"却列了项目支出 {figure(row.project)} 万元。",
                    cell=Cell(key, row.key, "project"),
                    found=figure(row.project),
                )


SIDE_LABELS = {"income": "收入方", "expense": "支出方", None: ""}


@register("FIXED_ITEMS", WARNING, "收支总体情况表列出全部固定项目（为零也列示）")
def fixed_items(facts: Facts) -> Iterator[Finding]:
    classes = sorted(code for code in facts.function_names if len(code) == 3)
    for key in facts.layout_of_shape(Shape.SUMMARY):
        present = {row.key for row in facts.table(key)}
        table = facts.table_name(key)
        for side, item, code in SPECS[key].fixed_items(classes):
            row_key = summary_key(side, item, code)
            if row_key not in present:
                name = facts.function_names[code] if code else SummaryItem(item).label
                yield finding(
                    table,
                    f"{SIDE_LABELS[side]}“{name}”",
                    f"{table}{SIDE_LABELS[side]}缺少“{name}”一行：本表应列出全部项目，金额为零也应列示。",
                    cell=Cell(key, row_key, "amount"),
                    expected=str(name),
                )


# 11. Completeness ------------------------------------------------------------------------

# 【待更新】 marks a passage start_year copied from last year (disclosures/newyear.py).
PLACEHOLDER = re.compile(r"待(?:单位)?(?:补充|更新)|[Xx×＊*]{3,}")


def _texts(facts: Facts) -> Iterator[tuple[str, str, str, Cell]]:
    """(table, location, text, cell) of everything written in words."""
    for section, text in facts.passages.items():
        yield "情况说明", f"“{Passage.Section(section).label}”", text, Cell("narrative", section)
    for key, text in facts.explanations.items():
        yield facts.table_name(key), "“空表说明”", text, Cell(key, "", "explanation")
    for (item, code), text in facts.reasons.items():
        location = f"“{ComparisonItem(item).label}{code}”增减原因"
        yield "情况说明", location, text, Cell("narrative", comparison_key(item, code), "reason")
    if facts.department_form is not None:
        yield FORM, "“总体目标”", facts.department_form.goals, Cell("department_form", "", "goals")
    for indicator in facts.department_indicators:
        for field in ("level1", "level2", "level3", "target"):
            yield (
                FORM,
                f"第{indicator.position}项指标“{indicator._meta.get_field(field).verbose_name}”",
                getattr(indicator, field),
                indicator_cell(None, indicator, field),
            )
    for project in facts.projects:
        table = project_table(project)
        yield table, "“项目名称”", project.name, project_cell(project, "name")
        yield table, "“总体目标”", project.goal, project_cell(project, "goal")
        for indicator in facts.project_indicators.get(project.position, []):
            for field in ("level1", "level2", "level3", "period_target", "annual_target"):
                label = indicator._meta.get_field(field).verbose_name
                yield (
                    table,
                    f"第{indicator.position}项指标“{label}”",
                    getattr(indicator, field),
                    indicator_cell(project, indicator, field),
                )
        key_project = facts.key_projects.get(project.position)
        if key_project is not None:
            for field in ("overview", "basis", "implementer", "plan", "expected_goal"):
                label = key_project._meta.get_field(field).verbose_name
                yield (
                    f"重点项目情况（{project.name}）",
                    f"“{label}”",
                    getattr(key_project, field),
                    Cell("key_project", f"project:{project.position}", field),
                )


def comparison_key(item: str, code: str = "") -> str:
    """The narrative's row for a year-on-year item: three_public, function_class:201."""
    return f"{item}:{code}" if code else str(item)


@register("PLACEHOLDER", ERROR, "不得有占位文字（待单位补充、待补充、待更新、XXX 等）")
def placeholders(facts: Facts) -> Iterator[Finding]:
    for table, location, text, cell in _texts(facts):
        match = PLACEHOLDER.search(text or "")
        if match:
            yield finding(
                table,
                location,
                f"{table}{location}含占位文字“{match.group(0)}”，须填写实际内容。",
                cell=cell,
                found=match.group(0),
            )


def is_empty(facts: Facts, key: str) -> bool:
    money = SPECS[key].money
    return all(getattr(row, field) == ZERO for row in facts.table(key) for field in money)


@register("EMPTY_TABLE", ERROR, "空表须公开并说明情况")
def empty_tables(facts: Facts) -> Iterator[Finding]:
    for key in facts.layout:
        if (
            SPECS[key].shape != Shape.SUMMARY
            and is_empty(facts, key)
            and not facts.explanations.get(key, "").strip()
        ):
            table = facts.table_name(key)
            yield finding(
                table,
                "“空表说明”",
                f"{table}为空表，须说明情况（如：未安排预算，本表为空表）。",
                cell=Cell(key, "", "explanation"),
            )


REQUIRED_PASSAGES = (
    Passage.Section.PREFACE,
    Passage.Section.DUTIES,
    Passage.Section.INTERNAL_BODIES,
    Passage.Section.CIVIL_SERVICE_UNITS,
    Passage.Section.AFFILIATED_UNITS,
    Passage.Section.NON_TAX_INCOME,
    Passage.Section.PERFORMANCE_REVIEW,
    Passage.Section.GLOSSARY,
)


@register("PASSAGES", ERROR, "情况说明中单位填写的各节不能为空")
def passages(facts: Facts) -> Iterator[Finding]:
    if not facts.has_narrative:
        return
    for section in REQUIRED_PASSAGES:
        if not facts.passages.get(section, "").strip():
            yield finding(
                "情况说明",
                f"“{section.label}”",
                f"情况说明“{section.label}”一节尚未填写。",
                cell=Cell("narrative", section),
            )


def _comparison_label(item: str, code: str, facts: Facts) -> str:
    if item == ComparisonItem.FUNCTION_CLASS:
        return facts.function_names.get(code, code)
    return str(ComparisonItem(item).label)


@register("CHANGE_REASON", ERROR, "与上年相比有增减的，须说明主要原因")
def change_reasons(facts: Facts) -> Iterator[Finding]:
    if not facts.has_narrative:
        return
    for item, code in facts.compared_items():
        prior = facts.prior(item, code)
        if prior is None:
            continue
        change = facts.current(item, code) - prior
        if change != ZERO and facts.reasons.get((item, code), "").strip() in NO_REASON:
            label = _comparison_label(item, code, facts)
            direction = "增加" if change > 0 else "减少"
            yield finding(
                "情况说明",
                f"“{label}”增减原因",
                f"情况说明：{label}较上年{direction} {figure(abs(change))} 万元，须说明{direction}的主要原因。",
                cell=Cell("narrative", comparison_key(item, code), "reason"),
                found=figure(change),
            )


@register("PRIOR_YEAR", WARNING, "与上年比较须有上年数")
def prior_year(facts: Facts) -> Iterator[Finding]:
    if not facts.has_narrative:
        return
    for item, code in facts.compared_items():
        if facts.prior(item, code) is None:
            label = _comparison_label(item, code, facts)
            yield finding(
                "情况说明",
                f"“{label}”上年数",
                f"情况说明：缺少{label}的上年预算数，无法计算增减变化；请填列上年数。",
                cell=Cell("narrative", comparison_key(item, code), "prior_year"),
            )


@register("PROCUREMENT", ERROR, "政府采购：总额等于货物、工程、服务之和；预留金额不超过总额")
def procurement(facts: Facts) -> Iterator[Finding]:
    budget = facts.procurement
    if budget is None:
        return
    table = "政府采购安排情况"
    yield from compare(
        facts,
        table=table,
        location="“政府采购预算总额”",
        cell=Cell("procurement", "", "total"),
        expected=[budget.goods, budget.works, budget.services],
        found=budget.total,
        rule="货物＋工程＋服务",
    )
    for field, smaller, larger, small_label, large_label in (
        (
            "sme_reserved",
            budget.sme_reserved,
            budget.total,
            "面向中小企业预留金额",
            "政府采购预算总额",
        ),
        (
            "micro_reserved",
            budget.micro_reserved,
            budget.sme_reserved,
            "小微企业预留金额",
            "面向中小企业预留金额",
        ),
    ):
        if smaller > larger:
            yield finding(
                table,
                f"“{small_label}”",
                f"{table}：{small_label} {figure(smaller)} 不应大于{large_label} {figure(larger)}。",
                cell=Cell("procurement", "", field),
                expected=f"≤ {figure(larger)}",
                found=figure(smaller),
            )
