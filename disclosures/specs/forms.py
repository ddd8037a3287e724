"""The performance-target forms, rendered as grids like the statutory tables.

- 部门整体支出绩效目标表 and 项目支出绩效目标表 in seed 004's layout (附件2);
- 项目支出绩效目标表（含转移支付项目）, the one-list-per-department layout of seed 000.

Both project layouts render from the same Project and ProjectIndicator records.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.models import Project

from .base import Cell, RenderedTable, Row

FORM_WIDTH = 6


def _figure(amount: Decimal) -> str:
    return money.format_plain(amount, blank_zero=True)


def _figure_cell(amount: Decimal, **spans: int) -> Cell:
    return Cell(_figure(amount), numeric=True, value=amount, **spans)


def _row(*cells: Cell, kind: str = "item") -> Row:
    return Row(tuple(cells), kind)


def indicator_rows(
    indicators: Sequence[Any], target: str, label: str, *, target_header: str = "指标值"
) -> list[Row]:
    """The 绩效指标 block: a header row, then one row per indicator, 一级 and 二级 merged
    down while they repeat, as the forms print them."""
    rows = [
        _row(
            Cell(label, rowspan=len(indicators) + 1, vertical=True),
            Cell("一级指标"),
            Cell("二级指标"),
            Cell("三级指标", colspan=2),
            Cell(target_header),
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
        cells.append(Cell(getattr(indicator, target)))
        rows.append(_row(*cells))
    return rows


def department_form(disclosure: Any) -> RenderedTable | None:
    """部门整体支出绩效目标表 (seed 004, 附件2, first page)."""
    form = getattr(disclosure, "department_form", None)
    if form is None:
        return None
    budget = [
        _row(
            Cell("预算情况（万元）", rowspan=6, vertical=True),
            Cell("按支出类型分", colspan=2),
            Cell("预算金额"),
            Cell("按来源类型分"),
            Cell("预算金额"),
        ),
        _row(
            Cell("基本支出", rowspan=3),
            Cell("人员经费"),
            _figure_cell(form.personnel),
            Cell("当年财政拨款"),
            _figure_cell(form.current_appropriation),
        ),
        _row(
            Cell("公用经费"),
            _figure_cell(form.running),
            Cell("上年结转资金"),
            _figure_cell(form.carried_forward),
        ),
        _row(
            Cell("合计"),
            _figure_cell(form.basic_total),
            Cell("其他资金"),
            _figure_cell(form.other_funds),
        ),
        _row(
            Cell("项目支出", colspan=2),
            _figure_cell(form.project),
            Cell("收入预算合计"),
            _figure_cell(form.income_total),
        ),
        _row(
            Cell("支出预算合计", colspan=2),
            _figure_cell(form.expense_total),
            Cell(),
            Cell(),
        ),
    ]
    rows = [
        _row(Cell("部门（单位）名称", colspan=2), Cell(disclosure.department.name, colspan=4)),
        _row(Cell("总体目标", vertical=True), Cell("\n".join(form.goal_lines), colspan=5)),
        *budget,
        *indicator_rows(
            sorted(form.indicators.all(), key=lambda i: i.position), "target", "绩效指标"
        ),
    ]
    return RenderedTable(
        key="department_form",
        title="部门整体支出绩效目标表",
        heading="部门整体支出绩效目标表",
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
    implementer = project.unit.name if project.unit else disclosure.department.name
    funds = [
        ("年度资金总额：", project.total),
        ("其中：当年财政拨款", project.current_appropriation),
        ("上年结转资金", project.carried_forward),
        ("其他资金", project.other_funds + project.special_account),
    ]
    rows = [
        _row(Cell("项目名称", colspan=2), Cell(project.name, colspan=4)),
        _row(
            Cell("主管部门及代码", colspan=2),
            Cell(project.supervisor),
            Cell("实施单位"),
            Cell(implementer, colspan=2),
        ),
    ]
    for index, (label, value) in enumerate(funds):
        cells = [Cell("项目资金（万元）", colspan=2, rowspan=len(funds))] if index == 0 else []
        cells += [
            Cell(label, colspan=2),
            _project_figure(project, value),
        ]
        rows.append(_row(*cells))
    rows.append(_row(Cell("总体目标", colspan=2, vertical=True), Cell(project.goal, colspan=4)))
    indicators = sorted(project.indicators.all(), key=lambda i: i.position)
    rows += indicator_rows(indicators, "annual_target", "绩效指标")
    return RenderedTable(
        key=f"project_form_{project.position}",
        title="项目支出绩效目标表",
        heading="项目支出绩效目标表",
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
        f"实施周期指标值:{indicator.period_target}；年度指标值:{indicator.annual_target}。"
    )


LIST_AMOUNTS = (
    ("总计", lambda p: p.total),
    ("财政拨款", lambda p: p.current_appropriation),
    ("财政专户拨款", lambda p: p.special_account),
    ("其他资金", lambda p: p.other_funds + p.carried_forward),
)


def _amount_cells(projects: Iterable[Project]) -> list[Cell]:
    projects = list(projects)
    sums = [money.total(value(p) for p in projects) for _label, value in LIST_AMOUNTS]
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
    header = (
        tuple(
            Cell(text)
            for text in (
                "项目名称（资金使用单位）",
                *(label for label, _ in LIST_AMOUNTS),
                "绩效目标",
                "绩效指标",
            )
        ),
    )
    title = f"{department}{disclosure.fiscal_year}年项目支出绩效目标表（含转移支付项目）"
    return RenderedTable(
        key="project_list",
        title=title,
        heading=title,
        captions=(f"部门名称：{department}", "单位：万元"),
        header=header,
        rows=tuple(rows),
        landscape=True,
    )
