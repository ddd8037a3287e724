"""The whole workbook: each sheet identified by its title, each table and form read, the
projects put together, and what holds across sheets checked."""

from django.utils import translation

from disclosures.models import Disclosure
from disclosures.specs import LAYOUTS, SPECS
from disclosures.specs.base import ListSource
from disclosures.specs.forms import FORMS

from ..cells import normal, shown
from ..grid import Grid
from ..opening import Opened
from ..problems import Problem, WorkbookError
from .forms import read_department_form, read_project_form
from .lists import read_list_table
from .project_list import read_project_list
from .projects import merge_projects
from .reading import Content, Reading, Table
from .summaries import read_summary_table


def titles(layout: tuple[str, ...]) -> dict[str, str]:
    """Normalised title → what it names: a table key, or a form's key."""
    with translation.override("zh-hans"):
        found = {normal(SPECS[key].title): key for key in layout}
    found.update({normal(form.title): key for key, form in FORMS.items()})
    return found


def identify(grid: Grid, titles: dict[str, str]) -> str | None:
    """What a sheet holds, from the title in its first lines (the longest title that fits)."""
    for line in grid.lines[:3]:
        texts = list(dict.fromkeys(line.normal(i) for i in line.filled))  # merged cells repeat
        if len(texts) > 2:
            continue
        text = "".join(texts)
        found = [title for title in titles if title in text]
        if found:
            return titles[max(found, key=len)]
    return None


@translation.override("zh-hans")
def name_of(what: str) -> str:
    """A table's or form's title, for messages."""
    if what in FORMS:
        return FORMS[what].title
    return str(SPECS[what].title)


def find_sheets(reading: Reading, opened: Opened, layout: tuple[str, ...]) -> dict[str, list[Grid]]:
    """The sheets of each table and form; others are ignored with a warning. Every table
    of the layout once, every form but the project forms at most once."""
    known = titles(layout)
    found: dict[str, list[Grid]] = {}
    for grid in opened.grids:
        if not grid.lines:
            continue
        what = identify(grid, known)
        if what is None:
            reading.warnings.append(f"工作表“{grid.title}”不是公开表或绩效目标表，已忽略。")
            continue
        note_formulas(reading, opened, grid.title)
        found.setdefault(what, []).append(grid)
    for what, grids in found.items():
        if what != "project_form" and len(grids) > 1:
            names = "”“".join(grid.title for grid in grids)
            reading.problems.add(
                f"“{name_of(what)}”出现了 {len(grids)} 次：工作表“{names}”。只能有一张。"
            )
    for key in layout:
        if key not in found:
            reading.problems.add(f"缺少“{name_of(key)}”：工作簿中没有标题为它的工作表。")
    return found


def note_formulas(reading: Reading, opened: Opened, title: str) -> None:
    """Formulas are read as the values Excel saved; one never computed is a problem."""
    cells = opened.formulas.get(title)
    if not cells:
        return
    missing = opened.uncached.get(title, [])
    if missing:
        reading.problems.add(
            "公式没有保存计算结果（文件可能由其他程序生成）。请在 Excel 中打开、保存后再导入。",
            title,
            "、".join(missing[:5]),
        )
    listed = "、".join(cells[:5]) + ("等" if len(cells) > 5 else "")
    reading.warnings.append(
        f"工作表“{title}”有 {len(cells)} 个公式单元格（{listed}），已按 Excel 保存的计算结果导入。"
    )


def require_catalogues(reading: Reading, layout: tuple[str, ...]) -> None:
    """Without the year's catalogue no subject can be read: one message says so, rather
    than one per row (the summary tables' 类 rows would each be “无法识别”)."""
    kinds = {SPECS[key].catalogue or "function" for key in layout}
    for kind in sorted(kinds):
        catalogue = reading.catalogue(kind)
        if not catalogue.loaded:
            raise WorkbookError(Problem(catalogue.missing))


def read_table(reading: Reading, key: str, grid: Grid) -> Table | None:
    if isinstance(SPECS[key].source, ListSource):
        return read_list_table(reading, key, grid)
    return read_summary_table(reading, key, grid)


def read_workbook(opened: Opened, disclosure: Disclosure) -> Content:
    """The workbook's content for this disclosure (department, year and layout), or
    WorkbookError listing every problem."""
    reading = Reading(disclosure)
    layout = LAYOUTS[disclosure.layout]
    require_catalogues(reading, layout)
    found = find_sheets(reading, opened, layout)
    reading.problems.raise_if_any()
    content = Content()
    for key in layout:
        table = read_table(reading, key, found[key][0])
        if table is None:
            continue
        content.rows[key] = table.rows
        if table.explanation:
            content.explanations[key] = table.explanation
    if "department_form" in found:
        department = read_department_form(reading, found["department_form"][0])
        content.department_form = department.form
        content.department_indicators = department.indicators
    forms = [read_project_form(reading, grid) for grid in found.get("project_form", [])]
    listed = []
    if "project_list" in found:
        listed = read_project_list(reading, found["project_list"][0])
    reading.problems.raise_if_any()
    for read in merge_projects(reading, forms, listed):
        content.projects.append(read.project)
        content.project_indicators[read.project.position] = read.indicators
    check_lengths(reading, content, [grid for grids in found.values() for grid in grids])
    reading.problems.raise_if_any()
    content.warnings = reading.warnings
    return content


def check_lengths(reading: Reading, content: Content, grids: list[Grid]) -> None:
    """Text longer than its field holds (a note pasted into a name, say) is refused here,
    naming its cell, rather than by the database when the import is applied."""
    read = [
        *(row for rows in content.rows.values() for row in rows),
        *([content.department_form] if content.department_form else []),
        *content.department_indicators,
        *content.projects,
        *(i for indicators in content.project_indicators.values() for i in indicators),
    ]
    for instance in read:
        for model_field in instance._meta.concrete_fields:
            value = getattr(instance, model_field.attname)
            limit = model_field.max_length
            if limit and isinstance(value, str) and len(value) > limit:
                with translation.override("zh-hans"):
                    name = str(model_field.verbose_name)
                reading.problems.add(
                    f"{name}“{shown(value)}”有 {len(value)} 个字，超过上限 {limit} 个字。",
                    *locate(grids, value),
                )


def locate(grids: list[Grid], text: str) -> tuple[str, str]:
    """The sheet and cell a text was read from: the first cell that contains it."""
    for grid in grids:
        for line in grid.lines:
            for index in range(len(line.values)):
                if text in line.text(index):
                    return grid.title, grid.where(line, index)
    return "", ""
