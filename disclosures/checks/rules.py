"""The consistency checks (勾稽关系) of DESIGN.md §6, and the completeness checks.

Each is a small function of a disclosure's Facts, registered with a stable code.
"""

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from disclosures import subjects
from disclosures.facts import ZERO, Facts
from disclosures.models import ComparisonItem, Passage, Project, SummaryItem, TableKey, UnitRow
from disclosures.models.tables import INCOME_ITEMS, TABLE_MODELS, money_fields

from .registry import Finding, Severity, compare, figure, finding, register

ERROR, WARNING = Severity.ERROR, Severity.WARNING
T = TableKey
I = SummaryItem  # noqa: E741

FUNCTION_TABLES = (T.DEPARTMENT_EXPENSE, T.GENERAL_EXPENSE, T.FUND_EXPENSE, T.CAPITAL_EXPENSE)
ECONOMIC_TABLES = (T.GENERAL_BASIC, T.OFFICE_RUNNING)
UNIT_TABLES = (T.FISCAL_BY_UNIT, T.THREE_PUBLIC)

# Amount columns of each list table (tables 1, 2 and 4 have one, "amount").
LIST_TABLES = (*FUNCTION_TABLES, *ECONOMIC_TABLES, *UNIT_TABLES)
MONEY = {key: money_fields(TABLE_MODELS[key]) for key in LIST_TABLES}

# Within a row, a 合计 column and its parts.
ROW_SUMS = {
    T.DEPARTMENT_EXPENSE: (("total", ("basic", "project", "carried_forward")),),
    T.GENERAL_EXPENSE: (("total", ("basic", "project")),),
    T.GENERAL_BASIC: (("total", ("personnel", "running")),),
    T.OFFICE_RUNNING: (("total", ("basic", "project")),),
    T.FISCAL_BY_UNIT: (
        ("total", ("general_total", "fund_total", "capital_total")),
        ("general_total", ("general_basic", "general_project")),
        ("fund_total", ("fund_basic", "fund_project")),
        ("capital_total", ("capital_basic", "capital_project")),
    ),
    T.THREE_PUBLIC: (
        ("three_public_total", ("abroad", "reception", "vehicle_purchase", "vehicle_operation")),
    ),
}


def column(row: Any, field: str) -> str:
    return f"“{row._meta.get_field(field).verbose_name}”列"


def where(row: Any) -> str:
    """“人大事务”（20101）行, “总计”行, “临夏市…办公室”行."""
    code = getattr(row, "code", "")
    name = getattr(row, "name", None) or getattr(row, "label", "")
    return f"“{name}”（{code}）行" if code else f"“{name}”行"


def published(facts: Facts, *keys: str) -> bool:
    return all(facts.publishes(key) for key in keys)


# 1. Within a row -------------------------------------------------------------------------


@register("ROW_SUM", ERROR, "行内合计等于各分项之和")
def row_sums(facts: Facts) -> Iterator[Finding]:
    for key, sums in ROW_SUMS.items():
        if not published(facts, key):
            continue
        for row in facts.table(key):
            for whole, parts in sums:
                labels = "＋".join(str(row._meta.get_field(p).verbose_name) for p in parts)
                yield from compare(
                    facts,
                    table=facts.table_name(key),
                    location=where(row) + column(row, whole),
                    expected=[getattr(row, p) for p in parts],
                    found=getattr(row, whole),
                    rule=labels,
                )


# 2. Within a column ----------------------------------------------------------------------


def _nearest_present_ancestor(code: str, present: set[str]) -> str | None:
    for ancestor in reversed(subjects.ancestors(code)):
        if ancestor in present:
            return ancestor
    return None


@register("COLUMN_SUM", ERROR, "上级科目等于下级科目之和，总计等于各类之和")
def column_sums(facts: Facts) -> Iterator[Finding]:
    for key in (*FUNCTION_TABLES, *ECONOMIC_TABLES):
        if not published(facts, key):
            continue
        rows = facts.subjects(key)
        present = {row.code for row in rows}
        children: dict[str | None, list[Any]] = {}
        for row in rows:
            children.setdefault(_nearest_present_ancestor(row.code, present), []).append(row)
        parents = [row for row in rows if row.code in children]
        total = facts.total_row(key)
        if total is not None:
            parents.append(total)
        for parent in parents:
            members = children.get(parent.code or None, [])
            rule = "下级科目之和" if parent.code else "各顶级科目之和"
            for field in MONEY[key]:
                yield from compare(
                    facts,
                    table=facts.table_name(key),
                    location=where(parent) + column(parent, field),
                    expected=[getattr(m, field) for m in members],
                    found=getattr(parent, field),
                    rule=rule,
                )
    for key in UNIT_TABLES:
        if not published(facts, key):
            continue
        yield from _unit_column_sums(facts, key)


def _unit_column_sums(facts: Facts, key: str) -> Iterator[Finding]:
    rows = facts.table(key)
    unit_rows = [row for row in rows if row.kind == UnitRow.Kind.UNIT]
    listed = {row.unit_id for row in unit_rows}
    groups: list[tuple[Any, list[Any], str]] = []
    for row in unit_rows:
        members = [r for r in unit_rows if r.unit.parent_id == row.unit_id]
        if members:
            groups.append((row, members, "下属单位之和"))
    top_units = [r for r in unit_rows if r.unit.parent_id not in listed]
    departments = [row for row in rows if row.kind == UnitRow.Kind.DEPARTMENT]
    for department in departments:
        groups.append((department, top_units, "所属各单位之和"))
    total = next((row for row in rows if row.kind == UnitRow.Kind.TOTAL), None)
    if total is not None:
        groups.append(
            (total, departments or top_units, "各部门之和" if departments else "各单位之和")
        )
    for whole, members, rule in groups:
        for field in MONEY[key]:
            yield from compare(
                facts,
                table=facts.table_name(key),
                location=where(whole) + column(whole, field),
                expected=[getattr(m, field) for m in members],
                found=getattr(whole, field),
                rule=rule,
            )


@register("UNIT_HIERARCHY", ERROR, "表五、表八：总计在前，部门为其所属单位的小计")
def unit_hierarchy(facts: Facts) -> Iterator[Finding]:
    for key in UNIT_TABLES:
        rows = facts.table(key)
        if not published(facts, key) or not rows:
            continue
        table = facts.table_name(key)
        kinds = [row.kind for row in rows]
        if kinds[0] != UnitRow.Kind.TOTAL:
            yield finding(table, "第1行", f"{table}第1行应为“总计”行，实为{where(rows[0])}。")
        if UnitRow.Kind.DEPARTMENT in kinds:
            position = kinds.index(UnitRow.Kind.DEPARTMENT)
            if UnitRow.Kind.UNIT in kinds[:position]:
                yield finding(
                    table,
                    where(rows[position]),
                    f"{table}部门行{where(rows[position])}应列在其所属单位之上，作为各单位的小计，"
                    "而不是与单位并列。",
                )
            if rows[position].label != facts.department_name:
                yield finding(
                    table,
                    where(rows[position]),
                    f"{table}部门行名称应为“{facts.department_name}”，实为“{rows[position].label}”。",
                    expected=facts.department_name,
                    found=rows[position].label,
                )
        own_units = {unit.pk for unit in facts.units}
        order = {
            row.unit_id: index for index, row in enumerate(rows) if row.kind == UnitRow.Kind.UNIT
        }
        for index, row in enumerate(rows):
            parent = row.unit.parent_id if row.kind == UnitRow.Kind.UNIT else None
            if parent in order and order[parent] > index:
                yield finding(
                    table,
                    where(row),
                    f"{table}{where(row)}应列在其上级单位之下（上级单位是它的小计）。",
                )
            if row.kind == UnitRow.Kind.UNIT and row.unit_id not in own_units:
                yield finding(
                    table, where(row), f"{table}{where(row)}的单位不属于“{facts.department_name}”。"
                )


# 3. Tables 1, 2 and 4: their totals ------------------------------------------------------


def _summary_rules(
    key: str,
) -> tuple[tuple[str | None, str, tuple[tuple[str | None, str], ...], str], ...]:
    """(side, total item, its parts as (side, item), rule) for a summary table."""
    income, expense = ("income", "expense") if key != T.DEPARTMENT_INCOME else (None, None)
    income_parts = (
        INCOME_ITEMS
        if key != T.FISCAL_SUMMARY
        else (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL)
    )
    rules = [
        (income, I.CURRENT_TOTAL, tuple((income, item) for item in income_parts), "各项收入之和"),
        (
            income,
            I.GRAND_TOTAL,
            ((income, I.CURRENT_TOTAL), (income, I.CARRIED_FORWARD), (income, I.PRIOR_SURPLUS)),
            "本年收入合计＋上年结转＋上年结余",
        ),
    ]
    if key != T.DEPARTMENT_INCOME:
        rules += [
            (expense, I.CURRENT_TOTAL, ((expense, I.FUNCTION_CLASS),), "各类支出之和"),
            (
                expense,
                I.GRAND_TOTAL,
                ((expense, I.CURRENT_TOTAL), (expense, I.CARRY_TO_NEXT)),
                "本年支出合计＋结转下年",
            ),
            (expense, I.GRAND_TOTAL, ((income, I.GRAND_TOTAL),), "收入总计"),
        ]
    return tuple(rules)


@register("SUMMARY_TOTALS", ERROR, "表一、表二、表四：合计与总计")
def summary_totals(facts: Facts) -> Iterator[Finding]:
    for key in (T.DEPARTMENT_SUMMARY, T.DEPARTMENT_INCOME, T.FISCAL_SUMMARY):
        if not published(facts, key):
            continue
        for side, item, parts, rule in _summary_rules(key):
            rows = facts.summary(key, side, item)
            if not rows:
                continue
            members = [row for s, i in parts for row in facts.summary(key, s, i)]
            yield from compare(
                facts,
                table=facts.table_name(key),
                location=where(rows[0]),
                expected=[row.amount for row in members],
                found=rows[0].amount,
                rule=rule,
            )


# 4–8. Between tables --------------------------------------------------------------------


def _class_totals(facts: Facts, key: str, field: str) -> dict[str, Decimal]:
    return {row.code: getattr(row, field) for row in facts.subjects(key) if len(row.code) == 3}


@register(
    "CROSS_TABLE",
    ERROR,
    "表间勾稽：表一与表二、表三；表四与表一、表六、表十、表十一；表五、表七与表六",
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

    def against(key, location, expected, found, rule):
        return compare(
            facts,
            table=facts.table_name(key),
            location=location,
            expected=expected,
            found=found,
            rule=rule,
        )

    def missing_class(key, code, amount, rule):
        name = facts.function_names.get(code, code)
        table = facts.table_name(key)
        yield finding(
            table,
            f"支出方“{name}”（{code}）",
            f"{table}支出方缺少“{name}”（{code}）一行，而{rule}为 {figure(amount)} 万元。",
            expected=figure(amount),
            found="",
        )

    if published(facts, t1, t2):
        for item in (
            *INCOME_ITEMS,
            I.CURRENT_TOTAL,
            I.CARRIED_FORWARD,
            I.PRIOR_SURPLUS,
            I.GRAND_TOTAL,
        ):
            rows = facts.summary(t2, None, item)
            if rows:
                yield from against(
                    t2,
                    where(rows[0]),
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
                    t1, where(t1_classes[code]), t3_classes.get(code, ZERO), found, rule
                )
            elif t3_classes[code]:
                yield from missing_class(t1, code, t3_classes[code], rule)
    if published(facts, t1, t4):
        for item in (I.GENERAL_BUDGET, I.GOVERNMENT_FUND, I.STATE_CAPITAL):
            rows = facts.summary(t4, "income", item)
            if rows:
                yield from against(
                    t4,
                    where(rows[0]),
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
            rule = "表六、表十、表十一该类之和"
            if code in t4_classes:
                yield from against(
                    t4, where(t4_classes[code]), expected, t4_classes[code].amount, rule
                )
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
                where(total5) + column(total5, field),
                facts.total(key, source),
                getattr(total5, field),
                f"{facts.table_name(key)}总计行“{label}”",
            )
    total7 = facts.total_row(t7)
    if published(facts, t6, t7) and total7 is not None:
        yield from against(
            t7,
            where(total7) + column(total7, "total"),
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
    "BASIC_COVERAGE", ERROR, "表八、表九与表七的基本支出：表九基本支出不大于、表八不小于表七同科目"
)
def basic_coverage(facts: Facts) -> Iterator[Finding]:
    t7 = facts.by_code(T.GENERAL_BASIC)
    if published(facts, T.OFFICE_RUNNING, T.GENERAL_BASIC):
        table = facts.table_name(T.OFFICE_RUNNING)
        for row in facts.subjects(T.OFFICE_RUNNING):
            limit = t7[row.code].total if row.code in t7 else ZERO
            if row.basic > limit:
                yield finding(
                    table,
                    where(row) + column(row, "basic"),
                    f"{table}{where(row)}“基本支出”为 {figure(row.basic)}，不应大于"
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
                    table,
                    where(total8) + column(total8, field),
                    f"{table}总计行{column(total8, field)}为 {figure(value)}，不应小于"
                    f"{facts.table_name(T.GENERAL_BASIC)}[{code}]{t7[code].name}的基本支出 {figure(floor)}，"
                    f"少 {figure(floor - value)} 万元。",
                    expected=f"≥ {figure(floor)}",
                    found=figure(value),
                )


# 9. Performance forms ----------------------------------------------------------------------

FORM = "部门整体支出绩效目标表"


@register("DEPARTMENT_FORM", ERROR, "部门整体支出绩效目标表的预算情况与表三、表四、表七一致")
def department_form(facts: Facts) -> Iterator[Finding]:
    form = facts.department_form
    if form is None:
        if facts.has_narrative:
            yield finding(
                FORM, "“部门整体支出绩效目标表”", f"缺少{FORM}：每个部门预算公开须有一张。"
            )
        return

    # (the form's figure, what it must equal: its parts or a table's figure, the rule);
    # a table's figure is compared only when the layout publishes that table.
    comparisons = [
        (
            "基本支出 合计",
            form.basic_total,
            [form.personnel, form.running],
            "人员经费＋公用经费",
            None,
        ),
        (
            "支出预算合计",
            form.expense_total,
            [form.personnel, form.running, form.project],
            "人员经费＋公用经费＋项目支出",
            None,
        ),
        (
            "收入预算合计",
            form.income_total,
            [form.current_appropriation, form.carried_forward, form.other_funds],
            "当年财政拨款＋上年结转资金＋其他资金",
            None,
        ),
        ("收入预算合计", form.income_total, form.expense_total, "支出预算合计", None),
        (
            "支出预算合计",
            form.expense_total,
            facts.total(T.DEPARTMENT_EXPENSE, "total"),
            "总计",
            T.DEPARTMENT_EXPENSE,
        ),
        (
            "项目支出",
            form.project,
            facts.total(T.DEPARTMENT_EXPENSE, "project"),
            "项目支出",
            T.DEPARTMENT_EXPENSE,
        ),
        (
            "人员经费",
            form.personnel,
            facts.total(T.GENERAL_BASIC, "personnel"),
            "总计人员经费",
            T.GENERAL_BASIC,
        ),
        (
            "公用经费",
            form.running,
            facts.total(T.GENERAL_BASIC, "running"),
            "总计公用经费",
            T.GENERAL_BASIC,
        ),
        (
            "当年财政拨款",
            form.current_appropriation,
            facts.summary_amount(T.FISCAL_SUMMARY, "income", I.CURRENT_TOTAL),
            "本年收入",
            T.FISCAL_SUMMARY,
        ),
    ]
    for label, found, expected, rule, table in comparisons:
        if table and not published(facts, table):
            continue
        yield from compare(
            facts,
            table=FORM,
            location=f"“{label}”",
            expected=expected,
            found=found,
            rule=f"{facts.table_name(table)}{rule}" if table else rule,
        )


def project_table(project: Any) -> str:
    return f"项目支出绩效目标表（{project.name}）"


@register("PROJECT_AMOUNTS", ERROR, "项目资金：总额等于各来源之和；各项目之和等于表三项目支出")
def project_amounts(facts: Facts) -> Iterator[Finding]:
    for project in facts.projects:
        yield from compare(
            facts,
            table=project_table(project),
            location="“年度资金总额”",
            expected=[
                project.current_appropriation,
                project.special_account,
                project.carried_forward,
                project.other_funds,
            ],
            found=project.total,
            rule="当年财政拨款＋财政专户拨款＋上年结转资金＋其他资金",
        )
    if published(facts, T.DEPARTMENT_EXPENSE) and facts.projects:
        t3 = facts.table_name(T.DEPARTMENT_EXPENSE)
        yield from compare(
            facts,
            table=t3,
            location="“总计”行“项目支出”列",
            expected=[p.total for p in facts.projects],
            found=facts.total(T.DEPARTMENT_EXPENSE, "project"),
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
            yield finding(table, "“主管部门及代码”", f"{table}“主管部门及代码”未填写。")


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
                expected="、".join(LEVEL1_REQUIRED),
                found="、".join(sorted(levels)) or "无",
            )


@register("INDICATOR_BLANK", ERROR, "绩效指标的三级指标和指标值不能为空")
def indicator_blank(facts: Facts) -> Iterator[Finding]:
    forms = [(FORM, facts.department_indicators, ("level3", "target"))]
    forms += [
        (
            project_table(p),
            facts.project_indicators.get(p.position, []),
            ("level3", "annual_target"),
        )
        for p in facts.projects
    ]
    for table, indicators, fields in forms:
        # Where a form states both targets for some indicators, it must for all of them.
        if any(getattr(i, "period_target", "").strip() for i in indicators):
            fields = (*fields, "period_target")
        for indicator in indicators:
            for field in fields:
                if not getattr(indicator, field).strip():
                    label = indicator._meta.get_field(field).verbose_name
                    location = f"第{indicator.position}项指标“{label}”"
                    yield finding(table, location, f"{table}{location}为空。")


# 10. The catalogue -------------------------------------------------------------------------


def _subject_rows(facts: Facts) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """(table, code, printed name, catalogue) for every row that names a subject."""
    for key in (*FUNCTION_TABLES, *ECONOMIC_TABLES):
        if published(facts, key):
            catalogue = facts.function_names if key in FUNCTION_TABLES else facts.economic_names
            for row in facts.subjects(key):
                yield facts.table_name(key), row.code, row.name, catalogue
    for key in (T.DEPARTMENT_SUMMARY, T.FISCAL_SUMMARY):
        if published(facts, key):
            for row in facts.summary(key, "expense", I.FUNCTION_CLASS):
                yield facts.table_name(key), row.subject_code, row.label, facts.function_names


@register("CATALOGUE", ERROR, "科目编码在当年政府收支分类科目中，名称与官方名称一致")
def catalogue(facts: Facts) -> Iterator[Finding]:
    year = facts.disclosure.fiscal_year
    if not facts.function_names and not facts.economic_names:
        yield finding(
            "政府收支分类科目",
            f"{year} 年",
            f"尚未载入 {year} 年政府收支分类科目，无法核对各表的科目编码和名称；请先载入当年科目。",
        )
        return
    for table, code, name, names in _subject_rows(facts):
        location = f"“{name}”（{code}）行"
        if code not in names:
            yield finding(
                table,
                location,
                f"{table}{location}：科目编码 {code} 不在 {year} 年政府收支分类科目中。",
                found=code,
            )
        elif names[code] != name:
            yield finding(
                table,
                location,
                f"{table}{location}：科目名称应为“{names[code]}”（{year} 年政府收支分类科目），实为“{name}”。",
                expected=names[code],
                found=name,
            )


# Tables 1, 2 and 4 print every item, blank or not.
def _fixed_items(facts: Facts, key: str) -> list[tuple[str | None, str, str]]:
    classes = sorted(code for code in facts.function_names if len(code) == 3)
    if key == T.DEPARTMENT_INCOME:
        return [
            (None, item, "")
            for item in (
                *INCOME_ITEMS,
                I.CURRENT_TOTAL,
                I.CARRIED_FORWARD,
                I.PRIOR_SURPLUS,
                I.GRAND_TOTAL,
            )
        ]
    if key == T.DEPARTMENT_SUMMARY:
        income = [*INCOME_ITEMS, I.CURRENT_TOTAL, I.CARRIED_FORWARD, I.PRIOR_SURPLUS, I.GRAND_TOTAL]
        expense_tail = [I.CURRENT_TOTAL, I.CARRY_TO_NEXT, I.GRAND_TOTAL]
    else:
        income = [
            I.CURRENT_TOTAL,
            I.GENERAL_BUDGET,
            I.GOVERNMENT_FUND,
            I.STATE_CAPITAL,
            I.GRAND_TOTAL,
        ]
        expense_tail = [I.CURRENT_TOTAL, I.GRAND_TOTAL]
    return (
        [("income", item, "") for item in income]
        + [("expense", I.FUNCTION_CLASS, code) for code in classes]
        + [("expense", item, "") for item in expense_tail]
    )


@register("FIXED_ITEMS", WARNING, "表一、表二、表四列出全部固定项目（为零也列示）")
def fixed_items(facts: Facts) -> Iterator[Finding]:
    for key in (T.DEPARTMENT_SUMMARY, T.DEPARTMENT_INCOME, T.FISCAL_SUMMARY):
        if not published(facts, key):
            continue
        present = {
            (getattr(row, "side", None), row.item, row.subject_code) for row in facts.table(key)
        }
        table = facts.table_name(key)
        for side, item, code in _fixed_items(facts, key):
            if (side, item, code) not in present:
                name = facts.function_names[code] if code else SummaryItem(item).label
                side_label = {"income": "收入方", "expense": "支出方", None: ""}[side]
                yield finding(
                    table,
                    f"{side_label}“{name}”",
                    f"{table}{side_label}缺少“{name}”一行：本表应列出全部项目，金额为零也应列示。",
                    expected=str(name),
                )


# 11. Completeness ------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"待(?:单位)?补充|[Xx×＊*]{3,}")


def _texts(facts: Facts) -> Iterator[tuple[str, str, str]]:
    """(table, location, text) of everything written in words."""
    for section, text in facts.passages.items():
        yield "情况说明", f"“{Passage.Section(section).label}”", text
    for key, text in facts.explanations.items():
        yield facts.table_name(key), "“空表说明”", text
    for (item, code), text in facts.reasons.items():
        yield "情况说明", f"“{ComparisonItem(item).label}{code}”增减原因", text
    if facts.department_form is not None:
        yield FORM, "“总体目标”", facts.department_form.goals
    for indicator in facts.department_indicators:
        for field in ("level1", "level2", "level3", "target"):
            yield (
                FORM,
                f"第{indicator.position}项指标“{indicator._meta.get_field(field).verbose_name}”",
                getattr(indicator, field),
            )
    for project in facts.projects:
        table = project_table(project)
        yield table, "“项目名称”", project.name
        yield table, "“总体目标”", project.goal
        for indicator in facts.project_indicators.get(project.position, []):
            for field in ("level1", "level2", "level3", "period_target", "annual_target"):
                label = indicator._meta.get_field(field).verbose_name
                yield table, f"第{indicator.position}项指标“{label}”", getattr(indicator, field)
        key_project = facts.key_projects.get(project.position)
        if key_project is not None:
            for field in ("overview", "basis", "implementer", "plan", "expected_goal"):
                label = key_project._meta.get_field(field).verbose_name
                yield f"重点项目情况（{project.name}）", f"“{label}”", getattr(key_project, field)


@register("PLACEHOLDER", ERROR, "不得有占位文字（待单位补充、待补充、XXX 等）")
def placeholders(facts: Facts) -> Iterator[Finding]:
    for table, location, text in _texts(facts):
        match = PLACEHOLDER.search(text or "")
        if match:
            yield finding(
                table,
                location,
                f"{table}{location}含占位文字“{match.group(0)}”，须填写实际内容。",
                found=match.group(0),
            )


def is_empty(facts: Facts, key: str) -> bool:
    return all(getattr(row, field) == ZERO for row in facts.table(key) for field in MONEY[key])


@register("EMPTY_TABLE", ERROR, "空表须公开并说明情况")
def empty_tables(facts: Facts) -> Iterator[Finding]:
    for key in MONEY:
        if (
            published(facts, key)
            and is_empty(facts, key)
            and not facts.explanations.get(key, "").strip()
        ):
            table = facts.table_name(key)
            yield finding(
                table, "“空表说明”", f"{table}为空表，须说明情况（如：未安排预算，本表为空表）。"
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
                "情况说明", f"“{section.label}”", f"情况说明“{section.label}”一节尚未填写。"
            )


NO_REASON = {"", "无", "无。"}


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
        expected=[budget.goods, budget.works, budget.services],
        found=budget.total,
        rule="货物＋工程＋服务",
    )
    for smaller, larger, small_label, large_label in (
        (budget.sme_reserved, budget.total, "面向中小企业预留金额", "政府采购预算总额"),
        (budget.micro_reserved, budget.sme_reserved, "小微企业预留金额", "面向中小企业预留金额"),
    ):
        if smaller > larger:
            yield finding(
                table,
                f"“{small_label}”",
                f"{table}：{small_label} {figure(smaller)} 不应大于{large_label} {figure(larger)}。",
                expected=f"≤ {figure(larger)}",
                found=figure(smaller),
            )
