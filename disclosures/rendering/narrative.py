"""The explanatory text (情况说明), computed from the data plus the clerk's passages.

Every figure — totals, shares, year-on-year changes and their percentages, counts of
projects and indicators — comes from the tables and forms; clerks write only what the
data cannot know (duties, structure, reasons for changes, other matters). The structure
follows seed 004 (DESIGN.md §5). A percentage change is (this year − last year) ÷ last
year; a share is part ÷ whole; both are rounded half up to two decimals.
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import translation

from disclosures import money
from disclosures.facts import ZERO, Facts
from disclosures.models import NO_REASON, ComparisonItem, Passage, Project, SummaryItem, TableKey
from disclosures.models.tables import INCOME_ITEMS
from disclosures.numerals import chinese_number

C = ComparisonItem
S = Passage.Section
T = TableKey


class Heading(str):
    """A heading of the text: still a plain string in JSON, with a level for layouts
    (0 the title, 1 一、…, 2 （一）…)."""

    level: int

    def __new__(cls, text: str, level: int) -> "Heading":
        heading = super().__new__(cls, text)
        heading.level = level
        return heading


def wan(amount: Decimal) -> str:
    """990.07, 169, 0 — figures in the text drop trailing zeros, as seed 004 prints them."""
    return money.format_plain(amount, blank_zero=False)


def percent(part: Decimal, whole: Decimal) -> str:
    """12.35, 43.31, 0 — a share of nothing is 0."""
    value = money.percent(part, whole)
    return money.format_plain(value, blank_zero=False) if value is not None else "0"


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def listing(names: Iterable[str]) -> str:
    return "、".join(names)


class Narrative:
    """Builds the paragraphs of one disclosure's 情况说明."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.year = facts.disclosure.fiscal_year
        self.last_year = self.year - 1

    # Helpers ----------------------------------------------------------------------------

    def passage(self, section: str) -> list[str]:
        return lines(self.facts.passages.get(section, ""))

    def table_numbers(self, *keys: str) -> str:
        numbers = [str(self.facts.layout.index(k) + 1) for k in keys if k in self.facts.layout]
        return "、".join(numbers)

    def change(self, item: str, code: str = "") -> str:
        """比2023年预算减少198.6万元，下降19.48%，下降的主要原因是…"""
        current = self.facts.current(item, code)
        prior = self.facts.prior(item, code)
        if prior is None:
            return f"{self.last_year}年预算数未填列，无法比较"
        difference = current - prior
        if difference == ZERO:
            return f"与{self.last_year}年预算持平"
        more = difference > ZERO
        direction, trend = ("增加", "增长") if more else ("减少", "下降")
        text = f"比{self.last_year}年预算{direction}{wan(abs(difference))}万元"
        if prior == ZERO:
            text += "（上年预算为零，不计算增减比例）"
        else:
            text += f"，{trend}{percent(abs(difference), prior)}%"
        reason = self.facts.reasons.get((item, code), "").strip().rstrip("。；;")
        if reason not in NO_REASON:
            text += f"，{trend}的主要原因是{reason}"
        return text

    def income(self, item: str) -> Decimal:
        return self.facts.summary_amount(T.DEPARTMENT_SUMMARY, "income", item)

    # Sections ---------------------------------------------------------------------------

    def paragraphs(self) -> list[str]:
        if not self.facts.has_narrative:
            return []
        return [
            Heading(self.facts.department_name, 0),
            Heading(f"{self.year}年部门预算公开情况说明", 0),
            *self.preface(),
            *self.duties_and_structure(),
            *self.overview(),
            *self.general_budget(),
            *self.three_public(),
            *self.office_running(),
            *self.procurement(),
            *self.assets(),
            *self.other_matters(),
            *self.performance(),
            *self.glossary(),
            *self.signature(),
        ]

    def preface(self) -> Iterator[str]:
        yield Heading("前言", 1)
        yield from self.passage(S.PREFACE)

    def duties_and_structure(self) -> Iterator[str]:
        yield Heading("一、部门职责", 1)
        yield from self.passage(S.DUTIES)
        yield Heading("二、机构设置情况", 1)
        yield Heading("（一）机关内设机构", 2)
        yield from self.passage(S.INTERNAL_BODIES)
        yield Heading("（二）参照公务员法管理单位", 2)
        yield from self.passage(S.CIVIL_SERVICE_UNITS)
        yield Heading("（三）直属事业单位", 2)
        yield from self.passage(S.AFFILIATED_UNITS)

    def overview(self) -> Iterator[str]:
        facts = self.facts
        grand_total = facts.summary_amount(T.DEPARTMENT_SUMMARY, "income", SummaryItem.GRAND_TOTAL)
        incomes = [
            row.label
            for row in facts.table(T.DEPARTMENT_SUMMARY)
            if row.side == "income" and row.item in INCOME_ITEMS and row.amount
        ]
        expenses = [
            facts.function_names.get(row.subject_code, row.label)
            for row in facts.summary(T.DEPARTMENT_SUMMARY, "expense", SummaryItem.FUNCTION_CLASS)
            if row.amount
        ]
        yield Heading("三、部门收支总体情况", 1)
        yield f"按照预算管理有关规定，{self.year}年部门收支包括机关预算和直属单位预算在内的汇总情况。"
        yield (
            f"{self.year}年部门收支总预算{wan(grand_total)}万元。按照综合预算的原则，单位所有收入和支出均纳入"
            f"部门预算管理。收入包括：{listing(incomes) or '无'}；支出包括：{listing(expenses) or '无'}。"
        )
        general = self.income(SummaryItem.GENERAL_BUDGET)
        fund = self.income(SummaryItem.GOVERNMENT_FUND)
        carried = self.income(SummaryItem.CARRIED_FORWARD) + self.income(SummaryItem.PRIOR_SURPLUS)
        other = grand_total - general - fund - carried
        parts = [
            ("一般公共预算收入", general),
            ("政府性基金预算收入", fund),
            ("上年结转收入", carried),
            ("其他收入", other),
        ]
        yield Heading("（一）收入预算", 2)
        yield (
            f"{self.year}年收入预算{wan(grand_total)}万元（详见部门预算公开表"
            f"{self.table_numbers(T.DEPARTMENT_SUMMARY, T.DEPARTMENT_INCOME)}）。包括："
            + "；".join(f"{label}{wan(x)}万元，占{percent(x, grand_total)}%" for label, x in parts)
            + "。"
        )
        total = facts.total(T.DEPARTMENT_EXPENSE, "total")
        parts = [
            ("基本支出", facts.total(T.DEPARTMENT_EXPENSE, "basic")),
            ("项目支出", facts.total(T.DEPARTMENT_EXPENSE, "project")),
            ("上年结转", facts.total(T.DEPARTMENT_EXPENSE, "carried_forward")),
        ]
        yield Heading("（二）支出预算", 2)
        yield (
            f"{self.year}年支出预算{wan(total)}万元（详见部门预算公开表{self.table_numbers(T.DEPARTMENT_EXPENSE)}）。"
            "其中："
            + "；".join(f"{label}{wan(x)}万元，占{percent(x, total)}%" for label, x in parts)
            + "。"
        )

    def general_budget(self) -> Iterator[str]:
        facts = self.facts
        classes = [row for row in facts.subjects(T.GENERAL_EXPENSE) if len(row.code) == 3]
        yield Heading("四、一般公共预算情况", 1)
        included = "、".join(
            f"{facts.function_names.get(r.code, r.name)}{wan(r.total)}万元" for r in classes
        )
        yield (
            f"{self.year}年一般公共预算当年支出{wan(facts.total(T.GENERAL_EXPENSE, 'total'))}万元"
            + (f"，包括：{included}" if included else "")
            + "。具体安排情况如下（详见部门预算公开表"
            + self.table_numbers(
                T.FISCAL_SUMMARY, T.FISCAL_BY_UNIT, T.GENERAL_EXPENSE, T.GENERAL_BASIC
            )
            + "）："
        )
        yield Heading("（一）基本支出", 2)
        yield f"{self.year}年基本支出{wan(facts.current(C.BASIC))}万元，{self.change(C.BASIC)}。"
        economic = [row for row in facts.subjects(T.GENERAL_BASIC) if len(row.code) == 5]
        personnel = [facts.economic_names.get(r.code, r.name) for r in economic if r.personnel]
        running = [facts.economic_names.get(r.code, r.name) for r in economic if r.running]
        yield (
            f"其中：人员经费支出{wan(facts.total(T.GENERAL_BASIC, 'personnel'))}万元，"
            f"主要包括：{listing(personnel) or '无'}。"
        )
        yield (
            f"公用经费支出{wan(facts.total(T.GENERAL_BASIC, 'running'))}万元，主要包括：{listing(running) or '无'}。"
        )
        yield Heading("（二）项目支出", 2)
        yield (
            f"{self.year}年一般公共预算财政拨款项目支出预算{wan(facts.current(C.PROJECT))}万元，"
            f"{self.change(C.PROJECT)}。"
        )
        yield from self.project_categories()
        yield Heading("（三）支出功能分类说明", 2)
        for number, code in enumerate(facts.compared_classes(), start=1):
            name = facts.function_names.get(code, code)
            yield (
                f"{number}.{name}{self.year}年预算数为{wan(facts.current(C.FUNCTION_CLASS, code))}万元，"
                f"{self.change(C.FUNCTION_CLASS, code)}。"
            )

    def project_categories(self) -> Iterator[str]:
        by_category: dict[str, list[str]] = {value: [] for value in Project.Category.values}
        for project in self.facts.projects:
            by_category.setdefault(project.category or Project.Category.OTHER, []).append(
                project.name
            )
        for category, verb in (
            (Project.Category.DEVELOPMENT, "项目是"),
            (Project.Category.OPERATION, "项目是"),
            (Project.Category.OTHER, "主要是"),
        ):
            names = by_category[category]
            text = f"{Project.Category(category).label}{len(names)}个"
            if names:
                text += (
                    "，"
                    + verb
                    + listing(
                        f"项目{n}是{name}" if len(names) > 1 else name
                        for n, name in enumerate(names, 1)
                    )
                )
            yield text + "。"

    def three_public(self) -> Iterator[str]:
        facts = self.facts
        yield Heading("五、部门一般公共预算财政拨款“三公”经费、培训费、会议费等情况", 1)
        yield Heading("（一）“三公”经费情况说明", 2)
        yield f"“三公”经费预算{wan(facts.current(C.THREE_PUBLIC))}万元，{self.change(C.THREE_PUBLIC)}。"
        yield f"1.因公出国（境）费用{wan(facts.current(C.ABROAD))}万元，{self.change(C.ABROAD)}。"
        yield f"2.公务接待费{wan(facts.current(C.RECEPTION))}万元，{self.change(C.RECEPTION)}。"
        yield (
            f"3.公务用车购置及运行维护费{wan(facts.current(C.VEHICLES))}万元（其中：公务用车购置"
            f"{wan(facts.current(C.VEHICLE_PURCHASE))}万元，公务用车运行维护费"
            f"{wan(facts.current(C.VEHICLE_OPERATION))}万元），{self.change(C.VEHICLES)}。"
        )
        yield Heading("（二）培训费预算情况说明", 2)
        yield f"培训费{wan(facts.current(C.TRAINING))}万元，{self.change(C.TRAINING)}。"
        yield Heading("（三）会议费预算情况说明", 2)
        yield f"会议费{wan(facts.current(C.MEETING))}万元，{self.change(C.MEETING)}。"

    def office_running(self) -> Iterator[str]:
        yield Heading("六、一般公共预算财政拨款机关运行经费情况", 1)
        yield f"机关运行经费{wan(self.facts.current(C.OFFICE_RUNNING))}万元，{self.change(C.OFFICE_RUNNING)}。"

    def procurement(self) -> Iterator[str]:
        budget = self.facts.procurement
        yield Heading("七、政府采购安排情况", 1)
        if budget is None:
            yield f"{self.year}年，本部门未安排政府采购预算。"
            return
        yield (
            f"{self.year}年，部门政府采购预算总额{wan(budget.total)}万元，其中：政府采购货物预算"
            f"{wan(budget.goods)}万元，政府采购工程预算{wan(budget.works)}万元，政府采购服务预算"
            f"{wan(budget.services)}万元。"
        )
        yield (
            f"{self.year}年，部门面向中小企业预留政府采购项目预算金额{wan(budget.sme_reserved)}万元，"
            f"其中：小微企业预留政府采购项目预算金额{wan(budget.micro_reserved)}万元。"
        )

    def assets(self) -> Iterator[str]:
        held = self.facts.assets
        yield Heading("八、国有资产占用情况", 1)
        if held is None:
            yield "本部门未填列国有资产占用情况。"
            return
        yield (
            f"上年末固定资产金额为{wan(held.fixed_assets)}万元。其中：办公用房"
            f"{money.format_plain(held.office_space_area, blank_zero=False)}平方米，价值"
            f"{wan(held.office_space_value)}万元。预算部门共有公务用车{held.vehicle_count}辆，价值"
            f"{wan(held.vehicle_value)}万元。单价20万元以上的设备价值{wan(held.large_equipment_value)}万元。"
            f"{self.year}年拟采购固定资产{wan(held.planned_purchases)}万元。"
        )

    def budget_table_paragraph(self, key: str, title: str) -> Iterator[str]:
        facts = self.facts
        total = facts.total(key, "amount")
        if total == ZERO:
            yield facts.explanations.get(key) or f"未安排预算，{title}为空表。"
            return
        classes = [row for row in facts.subjects(key) if len(row.code) == 3]
        yield (
            f"{self.year}年{title.removesuffix('情况表')}{wan(total)}万元，包括："
            + "、".join(
                f"{facts.function_names.get(r.code, r.name)}{wan(r.amount)}万元" for r in classes
            )
            + f"（详见部门预算公开表{self.table_numbers(key)}）。"
        )

    def other_matters(self) -> Iterator[str]:
        facts = self.facts
        yield Heading("九、其他重要事项情况说明", 1)
        yield Heading("（一）政府性基金预算支出情况", 2)
        yield from self.budget_table_paragraph(T.FUND_EXPENSE, "政府性基金预算支出情况表")
        yield Heading("（二）非税收入情况", 2)
        yield from self.passage(S.NON_TAX_INCOME)
        yield Heading("（三）重点项目情况", 2)
        key_projects = [p for p in facts.projects if p.position in facts.key_projects]
        if not key_projects:
            yield "本部门无重点项目。"
        for project in key_projects:
            key = facts.key_projects[project.position]
            yield f"项目名称：{project.name}"
            yield f"1、项目概况：{key.overview}"
            yield f"2、立项依据：{key.basis}"
            yield f"3、实施主体：{key.implementer}。"
            yield f"4、实施周期：{date(key.start_date)}至{date(key.end_date)}。"
            yield f"5、实施计划：{key.plan}"
            yield f"6、年度预算安排：{wan(project.total)}万元"
            yield f"7、预期总体目标：{key.expected_goal}"
        yield Heading("（四）国有资本经营预算支出情况", 2)
        yield from self.budget_table_paragraph(T.CAPITAL_EXPENSE, "国有资本经营预算支出情况表")
        yield from self.passage(S.OTHER_MATTERS)

    def performance(self) -> Iterator[str]:
        facts = self.facts
        yield Heading("十、预算绩效管理情况", 1)
        yield Heading(f"（一）{self.last_year}年预算绩效管理工作情况", 2)
        yield from self.passage(S.PERFORMANCE_REVIEW)
        yield Heading(f"（二）{self.year}年绩效目标编制情况", 2)
        project_indicators = [
            i for p in facts.projects for i in facts.project_indicators.get(p.position, [])
        ]
        yield (
            f"{self.year}年，纳入部门预算绩效目标管理的项目{len(facts.projects)}个。其中，部门整体支出绩效目标"
            f"{indicator_summary(facts.department_indicators, [facts.department_indicators])}；项目支出绩效目标"
            f"{indicator_summary(project_indicators, [facts.project_indicators.get(p.position, []) for p in facts.projects])}。"
        )
        yield from self.passage(S.PERFORMANCE_TARGETS)

    def glossary(self) -> Iterator[str]:
        yield Heading("十一、名词解释", 1)
        yield from self.passage(S.GLOSSARY)

    def signature(self) -> Iterator[str]:
        facts = self.facts
        yield facts.department_name
        if facts.disclosure.signed_on:
            yield date(facts.disclosure.signed_on)
        yield f"附件：1. {facts.department_name}{self.year}年部门预算公开表"
        yield f"2. {facts.department_name}{self.year}年部门整体支出绩效目标及预算项目绩效目标表"


def date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def indicator_summary(indicators: list, groups: list[list]) -> str:
    """围绕部门管理、履职效果、能力建设三个维度，设置二级指标6个、三级指标6个.

    二级指标 are counted once per form for each distinct (一级, 二级) pair; 三级 one per row.
    """
    dimensions: list[str] = []
    for indicator in indicators:
        if indicator.level1 not in dimensions:
            dimensions.append(indicator.level1)
    second = sum(len({(i.level1, i.level2) for i in group}) for group in groups)
    if not indicators:
        return "未设置绩效指标"
    return (
        f"围绕{listing(dimensions)}{chinese_number(len(dimensions))}个维度，"
        f"设置二级指标{second}个、三级指标{len(indicators)}个"
    )


@translation.override("zh-hans")  # the document's text names tables by their Chinese titles
def narrative(facts: Facts) -> list[str]:
    """The 情况说明 as paragraphs (headings are paragraphs of their own)."""
    return Narrative(facts).paragraphs()
