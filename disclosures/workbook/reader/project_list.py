"""The project list of seed 000 (项目支出绩效目标表（含转移支付项目）): projects grouped
under their units' headings, each with its amounts, goal and indicator sentences."""

import re
from dataclasses import dataclass
from decimal import Decimal

from disclosures.models import Project, ProjectIndicator, Unit
from disclosures.specs.forms import ANNUAL_TARGET, PERIOD_TARGET, PROJECT_LIST
from disclosures.specs.synonyms import TOTAL_LABELS

from ..cells import normal
from ..grid import Grid, Line
from ..writer import CATEGORY_HEADER
from .head import Units
from .reading import Reading
from .text import is_note, once, one_line, strip_numbering

# 1、1-产出指标；11-数量指标；发放率；实施周期指标值:按月发放；年度指标值:…。
SENTENCE = f"一级指标；二级指标；三级指标；{PERIOD_TARGET}:…；{ANNUAL_TARGET}:…。"
_INDICATOR = re.compile(
    rf"(\d+)、(.*?)；(.*?)；(.*?)；{PERIOD_TARGET}[:：](.*?)；{ANNUAL_TARGET}[:：](.*?)。(?=\d+、|\s*$)",
    re.S,
)
_CODED = re.compile(r"^(\d+)-(.*)$", re.S)


@dataclass(frozen=True)
class ListColumns:
    name: int
    amounts: dict[str, int]  # by the list's money fields
    goal: int
    indicators: int
    category: int | None  # 项目类别, which the portal's own workbook adds


@dataclass(frozen=True)
class ListedProject:
    name: str
    where: str  # its name's cell
    unit: Unit | None  # the unit whose heading it is listed under
    amounts: dict[str, Decimal]  # by the list's money fields
    goal: str
    indicators: list[ProjectIndicator]
    category: str


def list_columns(reading: Reading, grid: Grid, li: int, name: int) -> ListColumns | None:
    header = grid.lines[li]
    at = {normal(header.values[i]): i for i in header.filled}
    spec = PROJECT_LIST
    amounts = {field.attr: at.get(normal(field.label)) for field in spec.money_fields}
    goal, sentences = at.get(normal(spec.label("goal"))), at.get(normal(spec.label("indicators")))
    if None in amounts.values() or goal is None or sentences is None:
        expected = "、".join(field.plain_name for field in spec.fields)
        reading.problems.add(f"项目清单表头应为：{expected}。", grid.title, f"第 {header.row} 行")
        return None
    return ListColumns(name, amounts, goal, sentences, at.get(CATEGORY_HEADER))


def read_project_list(reading: Reading, grid: Grid) -> list[ListedProject]:
    label = PROJECT_LIST.label("name")
    found = grid.find(label)
    if found is None:
        reading.problems.add(f"找不到表头“{label}”。", grid.title)
        return []
    li, name_ci = found
    units = Units(reading, grid)
    for line in (*grid.lines[1:li], grid.lines[li]):
        for i in once(line):
            if normal(line.values[i]).startswith("部门名称"):
                reading.check_department(grid, line, i)
    for line in grid.lines[:li]:
        for i in once(line):
            units.note(line.normal(i), grid.where(line, i))
    yuan = units.yuan
    columns = list_columns(reading, grid, li, name_ci)
    if columns is None:
        return []
    unit, listed = None, []
    department = normal(reading.department.name)
    for line in grid.lines[li + 1 :]:
        if is_note(line):  # 备注, 审核人：… under the list
            break
        name = one_line(line.text(columns.name))
        if not name or normal(name).rstrip(":") in TOTAL_LABELS:
            continue
        goal = line.text(columns.goal)
        # one line of the table once more, as the paper wraps it: the sentences' words
        sentences = one_line(line.text(columns.indicators)).replace(";", "；")
        heading = normal(strip_numbering(name)).removesuffix("(本级)")  # 一、某某单位（本级）
        described = bool(goal or sentences)
        if not described and (heading in reading.units or heading == department):
            unit = reading.units.get(heading)
            continue
        if not described and not any(line.text(ci) for ci in columns.amounts.values()):
            reading.problems.add(
                f"“{name}”只有名称，没有金额、绩效目标和绩效指标；如是上一行名称的续行，"
                "请写在同一单元格中。",
                grid.title,
                grid.where(line, columns.name),
            )
            continue
        amounts = {
            attr: reading.amount(grid, line, ci, yuan=yuan) for attr, ci in columns.amounts.items()
        }
        listed.append(
            ListedProject(
                name=strip_numbering(name).strip(),  # 1、某某项目
                where=grid.where(line, columns.name),
                unit=unit,
                amounts=amounts,
                goal=goal,
                indicators=read_sentences(reading, grid, line, columns.indicators, sentences),
                category=category(line, columns.category),
            )
        )
    return listed


def read_sentences(
    reading: Reading, grid: Grid, line: Line, ci: int, sentences: str
) -> list[ProjectIndicator]:
    """The indicators of a project's 绩效指标 cell, one sentence each."""
    indicators = []
    for match in _INDICATOR.finditer(sentences):
        level1_code, level1 = coded(match.group(2))
        level2_code, level2 = coded(match.group(3))
        indicators.append(
            ProjectIndicator(
                position=len(indicators) + 1,
                level1_code=level1_code,
                level1=level1,
                level2_code=level2_code,
                level2=level2,
                level3=match.group(4).strip(),
                period_target=match.group(5).strip(),
                annual_target=match.group(6).strip(),
            )
        )
    count = sentences.count(ANNUAL_TARGET)
    if indicators and len(indicators) != count:
        reading.problems.add(
            f"绩效指标有 {count} 条，只识别出 {len(indicators)} 条；每条应为“序号、{SENTENCE}”",
            grid.title,
            grid.where(line, ci),
        )
    if sentences and not indicators:
        reading.problems.add(
            f"绩效指标的格式无法识别，应为“1、{SENTENCE}”", grid.title, grid.where(line, ci)
        )
    return indicators


def coded(text: str) -> tuple[str, str]:
    """ "1-产出指标" → ("1", "产出指标"); a name without a code → ("", name)."""
    match = _CODED.match(text.strip())
    if match:
        return match.group(1), match.group(2).strip()
    return "", text.strip()


def category(line: Line, ci: int | None) -> str:
    """The 项目类别 written beside a project, as Project.Category stores it, or ""."""
    wanted = line.normal(ci) if ci is not None else ""
    for value, label in Project.Category.choices:
        if wanted and wanted in (normal(label), value):
            return value
    return ""
