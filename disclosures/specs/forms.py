"""The performance-target forms, described once and rendered as grids like the tables.

- 部门整体支出绩效目标表 and 项目支出绩效目标表 in seed 004's layout (附件2);
- 项目支出绩效目标表（含转移支付项目）, the one-list-per-department layout of seed 000.

A `FormSpec` says what each form prints: its title, each labelled field (the label as
printed and the model attribute behind it) and its indicator block. The renderers below
place those labels on the page; the workbook reader finds the same labels in a sheet.
Both project layouts render from the same Project and ProjectIndicator records.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.models import Project

from .base import Cell, RenderedTable, Row


@dataclass(frozen=True)
class FormField:
    """A labelled value of a form: the label as printed and the model attribute it shows."""

    label: str
    attr: str
    money: bool = False
    # The field's name in messages, where the printed label carries punctuation (年度资金总额：).
    name: str = ""
    # What the form prints, when it is not the attribute alone.
    value: Callable[[Any], Decimal] | None = None

    def of(self, instance: Any) -> Any:
        return self.value(instance) if self.value else getattr(instance, self.attr)

    @property
    def plain_name(self) -> str:
        return self.name or self.label


@dataclass(frozen=True)
class IndicatorBlock:
    """The 绩效指标 block: 一级, 二级, 三级 and the target column, stored in `target`."""

    target: str
    label: str = "绩效指标"
    levels: tuple[str, str, str] = ("一级指标", "二级指标", "三级指标")
    target_header: str = "指标值"

    @property
    def headers(self) -> tuple[str, ...]:
        return (*self.levels, self.target_header)


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    fields: tuple[FormField, ...]
    indicators: IndicatorBlock | None = None
    # The heading of the block of amounts, which says their unit: 预算情况（万元）.
    money_heading: str = ""

    def field(self, attr: str) -> FormField:
        return next(field for field in self.fields if field.attr == attr)

    def label(self, attr: str) -> str:
        return self.field(attr).label

    @property
    def money_fields(self) -> tuple[FormField, ...]:
        return tuple(field for field in self.fields if field.money)


DEPARTMENT_FORM = FormSpec(
    key="department_form",
    title="部门整体支出绩效目标表",
    fields=(
        # The department is the disclosure's; the reader checks the printed name against it.
        FormField("部门（单位）名称", "department"),
        FormField("总体目标", "goals"),
        FormField("人员经费", "personnel", money=True),
        FormField("公用经费", "running", money=True),
        FormField("合计", "basic_total", money=True),
        FormField("项目支出", "project", money=True),
        FormField("当年财政拨款", "current_appropriation", money=True),
        FormField("上年结转资金", "carried_forward", money=True),
        FormField("其他资金", "other_funds", money=True),
        FormField("收入预算合计", "income_total", money=True),
        FormField("支出预算合计", "expense_total", money=True),
    ),
    indicators=IndicatorBlock(target="target"),
    money_heading="预算情况（万元）",
)

PROJECT_FORM = FormSpec(
    key="project_form",
    title="项目支出绩效目标表",
    fields=(
        FormField("项目名称", "name"),
        FormField("主管部门及代码", "supervisor"),
        FormField("实施单位", "unit"),
        FormField("年度资金总额：", "total", money=True, name="年度资金总额"),
        FormField("其中：当年财政拨款", "current_appropriation", money=True, name="当年财政拨款"),
        FormField("上年结转资金", "carried_forward", money=True),
        # The form's 其他资金 is other money and 财政专户 together.
        FormField(
            "其他资金", "other_funds", money=True, value=lambda p: p.other_funds + p.special_account
        ),
        FormField("总体目标", "goal"),
    ),
    indicators=IndicatorBlock(target="annual_target"),
    money_heading="项目资金（万元）",
)

PROJECT_LIST = FormSpec(
    key="project_list",
    title="项目支出绩效目标表（含转移支付项目）",
    fields=(
        FormField("项目名称（资金使用单位）", "name", name="项目名称"),
        FormField("总计", "total", money=True),
        FormField("财政拨款", "current_appropriation", money=True),
        FormField("财政专户拨款", "special_account", money=True),
        # The list's 其他资金 is other money and 上年结转 together.
        FormField(
            "其他资金", "other_funds", money=True, value=lambda p: p.other_funds + p.carried_forward
        ),
        FormField("绩效目标", "goal"),
        FormField("绩效指标", "indicators"),
    ),
)

FORMS = {spec.key: spec for spec in (DEPARTMENT_FORM, PROJECT_FORM, PROJECT_LIST)}

# The words of the project list's indicator sentences (indicator_sentence).
PERIOD_TARGET = "实施周期指标值"
ANNUAL_TARGET = "年度指标值"


def _figure(amount: Decimal) -> str:
    return money.format_plain(amount, blank_zero=True)


def _figure_cell(amount: Decimal, **spans: int) -> Cell:
    return Cell(_figure(amount), numeric=True, value=amount, **spans)


def _row(*cells: Cell, kind: str = "item") -> Row:
    return Row(tuple(cells), kind)


def indicator_rows(indicators: Sequence[Any], block: IndicatorBlock) -> list[Row]:
    """The 绩效指标 block: a header row, then one row per indicator, 一级 and 二级 merged
    down while they repeat, as the forms print them."""
    level1, level2, level3 = block.levels
    rows = [
        _row(
            Cell(block.label, rowspan=len(indicators) + 1, vertical=True),
            Cell(level1),
            Cell(level2),
            Cell(level3, colspan=2),
            Cell(block.target_header),
        )
    ]

    def run_length(index: int, key) -> int:
        length = 1
        while index + length < len(indicators) and key(indicators[index + length]) == key(
            indicators[index]
        ):
            length += 1
        return length

    for index, indicator in enumerate(indicators):
        cells = []
        previous = indicators[index - 1] if index else None
        if previous is None or previous.level1 != indicator.level1:
            cells.append(Cell(indicator.level1, rowspan=run_length(index, lambda i: i.level1)))
        if previous is None or (previous.level1, previous.level2) != (
            indicator.level1,
            indicator.level2,
        ):
            cells.append(
                Cell(indicator.level2, rowspan=run_length(index, lambda i: (i.level1, i.level2)))
            )
        cells.append(Cell(indicator.level3, colspan=2))
        cells.append(Cell(getattr(indicator, block.target)))
        rows.append(_row(*cells))
    return rows


def department_form(disclosure: Any) -> RenderedTable | None:
    """部门整体支出绩效目标表 (seed 004, 附件2, first page)."""
    form = getattr(disclosure, "department_form", None)
    if form is None:
        return None
    spec = DEPARTMENT_FORM

    def labelled(attr: str, **spans: int) -> tuple[Cell, Cell]:
        field = spec.field(attr)
        return Cell(field.label, **spans), _figure_cell(field.of(form))

    budget = [
        _row(
            Cell(spec.money_heading, rowspan=6, vertical=True),
            Cell("按支出类型分", colspan=2),
            Cell("预算金额"),
            Cell("按来源类型分"),
            Cell("预算金额"),
        ),
        _row(
            Cell("基本支出", rowspan=3),
            *labelled("personnel"),
            *labelled("current_appropriation"),
        ),
        _row(*labelled("running"), *labelled("carried_forward")),
        _row(*labelled("basic_total"), *labelled("other_funds")),
        _row(*labelled("project", colspan=2), *labelled("income_total")),
        _row(*labelled("expense_total", colspan=2), Cell(), Cell()),
    ]
    rows = [
        _row(
            Cell(spec.label("department"), colspan=2),
            Cell(disclosure.department.name, colspan=4),
        ),
        _row(
            Cell(spec.label("goals"), vertical=True),
            Cell("\n".join(form.goal_lines), colspan=5),
        ),
        *budget,
        *indicator_rows(sorted(form.indicators.all(), key=lambda i: i.position), spec.indicators),
    ]
    return RenderedTable(
        key=spec.key,
        title=spec.title,
        heading=spec.title,
        subtitle=f"（{disclosure.fiscal_year}年度）",
        rows=tuple(rows),
    )


def _project_figure(project: Project, amount: Decimal) -> Cell:
    """A project form's figure in the unit its clerk wrote it in (seed 004 wrote 元)."""
    if project.figures_unit == Project.FiguresUnit.YUAN:
        amount = money.wan_to_yuan(amount)
    return _figure_cell(amount, colspan=2)


def project_form(disclosure: Any, project: Project) -> RenderedTable:
    """项目支出绩效目标表 for one project (seed 004, 附件2)."""
    spec = PROJECT_FORM
    implementer = project.unit.name if project.unit else disclosure.department.name
    rows = [
        _row(Cell(spec.label("name"), colspan=2), Cell(project.name, colspan=4)),
        _row(
            Cell(spec.label("supervisor"), colspan=2),
            Cell(project.supervisor),
            Cell(spec.label("unit")),
            Cell(implementer, colspan=2),
        ),
    ]
    funds = spec.money_fields
    for index, field in enumerate(funds):
        cells = [Cell(spec.money_heading, colspan=2, rowspan=len(funds))] if index == 0 else []
        cells += [Cell(field.label, colspan=2), _project_figure(project, field.of(project))]
        rows.append(_row(*cells))
    rows.append(
        _row(Cell(spec.label("goal"), colspan=2, vertical=True), Cell(project.goal, colspan=4))
    )
    indicators = sorted(project.indicators.all(), key=lambda i: i.position)
    rows += indicator_rows(indicators, spec.indicators)
    return RenderedTable(
        key=f"{spec.key}_{project.position}",
        title=spec.title,
        heading=spec.title,
        subtitle=f"（{disclosure.fiscal_year}年度）",
        rows=tuple(rows),
    )


def _coded(code: str, name: str) -> str:
    return f"{code}-{name}" if code else name


def indicator_sentence(number: int, indicator: Any) -> str:
    """1、1-产出指标；11-数量指标；发放率；实施周期指标值:按月发放；年度指标值:保障聘员工资福利支出。"""
    return (
        f"{number}、{_coded(indicator.level1_code, indicator.level1)}；"
        f"{_coded(indicator.level2_code, indicator.level2)}；{indicator.level3}；"
        f"{PERIOD_TARGET}:{indicator.period_target}；{ANNUAL_TARGET}:{indicator.annual_target}。"
    )


def _amount_cells(projects: Iterable[Project]) -> list[Cell]:
    projects = list(projects)
    sums = [money.total(field.of(p) for p in projects) for field in PROJECT_LIST.money_fields]
    return [Cell(money.format_amount(sum_), numeric=True, value=sum_) for sum_ in sums]


def project_list(disclosure: Any) -> RenderedTable | None:
    """项目支出绩效目标表（含转移支付项目）: every project in one list (seed 000)."""
    projects = sorted(disclosure.projects.all(), key=lambda p: p.position)
    if not projects:
        return None
    department = disclosure.department.name
    groups: dict[str, list[Project]] = {}
    for project in projects:
        groups.setdefault(project.unit.name if project.unit else department, []).append(project)

    rows = [Row((Cell("合计"), *_amount_cells(projects), Cell(), Cell()), "total")]
    for unit_name, members in groups.items():
        rows.append(Row((Cell(unit_name), *_amount_cells(members), Cell(), Cell()), "subtotal"))
        for project in members:
            indicators = sorted(project.indicators.all(), key=lambda i: i.position)
            rows.append(
                Row(
                    (
                        Cell(project.name, indent=1),
                        *_amount_cells([project]),
                        Cell(project.goal),
                        Cell(
                            "".join(indicator_sentence(n, i) for n, i in enumerate(indicators, 1))
                        ),
                    )
                )
            )
    header = (tuple(Cell(field.label) for field in PROJECT_LIST.fields),)
    title = f"{department}{disclosure.fiscal_year}年{PROJECT_LIST.title}"
    return RenderedTable(
        key=PROJECT_LIST.key,
        title=title,
        heading=title,
        captions=(f"部门名称：{department}", "单位：万元"),
        header=header,
        rows=tuple(rows),
        landscape=True,
    )
