"""The performance forms of seed 004: the department-wide form and one form per project,
each value found right of its label as the FormSpec prints it."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.models import DepartmentIndicator, DepartmentPerformanceForm, ProjectIndicator
from disclosures.specs.forms import DEPARTMENT_FORM, PROJECT_FORM, IndicatorBlock

from ..cells import clean, normal
from ..grid import Grid, Line
from .reading import Reading
from .text import is_note, once, one_line


@dataclass(frozen=True)
class Spot:
    """The cell right of a label: the label's line, and the cell's index (None when the
    line ends at the label)."""

    line: Line
    index: int | None

    @property
    def value(self) -> Any:
        return None if self.index is None else self.line.values[self.index]


@dataclass(frozen=True)
class DepartmentForm:
    form: DepartmentPerformanceForm
    indicators: list[DepartmentIndicator]


@dataclass(frozen=True)
class ProjectForm:
    """A project's form as read; its figures are read when it meets the project list,
    which says whether they are in 元."""

    grid: Grid
    name: str
    supervisor: str
    implementer: str
    goal: str
    figures: dict[str, Spot | None]  # by the form's money fields
    indicators: list[ProjectIndicator]


def find(reading: Reading, grid: Grid, label: str, *, required: bool = True) -> Spot | None:
    found = grid.find(label)
    if found is None:
        if required:
            reading.problems.add(f"找不到“{label}”。", grid.title)
        return None
    _value, index = grid.right_of(*found)
    return Spot(grid.lines[found[0]], index)


def text_at(spot: Spot | None) -> str:
    return clean(spot.value) if spot else ""


def amount_at(reading: Reading, grid: Grid, spot: Spot | None, *, yuan: bool) -> Decimal:
    if spot is None:
        return money.ZERO
    return reading.amount(grid, spot.line, spot.index, yuan=yuan)


def texts(reading: Reading, grid: Grid, label: str) -> str:
    """Everything written right of a label, over the rows its (merged) label spans:
    总体目标 in one cell, in several cells, or one goal per row."""
    found = grid.find(label)
    if found is None:
        reading.problems.add(f"找不到“{label}”。", grid.title)
        return ""
    li, ci = found
    written: list[str] = []
    while li < len(grid.lines) and grid.lines[li].normal(ci) == normal(label):
        line = grid.lines[li]
        for i in once(line):
            if i > ci and line.normal(i) != normal(label) and line.text(i) not in written:
                written.append(line.text(i))
        li += 1
    return "\n".join(written)


def indicators(reading: Reading, grid: Grid, model: type, block: IndicatorBlock) -> list[Any]:
    """The 绩效指标 block's rows; a 一级 or 二级 written once over the rows below it."""
    found = grid.find(block.levels[0])
    if found is None:
        return []
    header = grid.lines[found[0]]
    columns = []
    for label in block.headers:
        ci = next((i for i in header.filled if header.normal(i) == normal(label)), None)
        if ci is None:
            reading.problems.add(f"绩效指标表头缺少“{label}”。", grid.title, f"第 {header.row} 行")
            return []
        columns.append(ci)
    level1_ci, level2_ci, level3_ci, target_ci = columns
    result = []
    level1 = level2 = ""
    for line in grid.lines[found[0] + 1 :]:
        if is_note(line):  # 备注, 审核人：… under the table
            break
        level3, target = line.text(level3_ci), line.text(target_ci)
        if not level3 and not target:
            continue
        level1 = line.text(level1_ci) or level1
        level2 = line.text(level2_ci) or level2
        texts = {"level1": level1, "level2": level2, "level3": level3, block.target: target}
        result.append(model(position=len(result) + 1, **texts))
    return result


def read_department_form(reading: Reading, grid: Grid) -> DepartmentForm:
    spec = DEPARTMENT_FORM
    named = find(reading, grid, spec.label("department"), required=False)
    if named is not None and named.index is not None:
        reading.check_department(grid, named.line, named.index)
    # 预算情况（万元）, as printed; a form in 元 says 预算情况（元）
    yuan = grid.find(spec.money_heading.replace("万元", "元")) is not None
    goals = texts(reading, grid, spec.label("goals"))
    figures = {
        field.attr: amount_at(reading, grid, find(reading, grid, field.label), yuan=yuan)
        for field in spec.money_fields
    }
    return DepartmentForm(
        DepartmentPerformanceForm(goals=goals, **figures),
        indicators(reading, grid, DepartmentIndicator, spec.indicators),
    )


def read_project_form(reading: Reading, grid: Grid) -> ProjectForm:
    spec = PROJECT_FORM
    name = find(reading, grid, spec.label("name"))
    supervisor = find(reading, grid, spec.label("supervisor"), required=False)
    implementer = find(reading, grid, spec.label("unit"), required=False)
    figures = {field.attr: find(reading, grid, field.label) for field in spec.money_fields}
    return ProjectForm(
        grid=grid,
        name=one_line(text_at(name)),
        supervisor=text_at(supervisor),
        implementer=text_at(implementer),
        goal=texts(reading, grid, spec.label("goal")),
        figures=figures,
        indicators=indicators(reading, grid, ProjectIndicator, spec.indicators),
    )
