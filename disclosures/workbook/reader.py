"""Reading a statutory workbook back into a disclosure's rows and forms.

Sheets are found by the title printed in them, not by their names; columns by the header
texts above them, as the table specs define them; the project forms' sheets, in workbook
order, give the projects' order (the project list groups them by unit). What real
workbooks contain is forgiven: blank rows and columns, merged cells, full-width characters
and spaces, code and name in one cell or two, numbers stored as text, thousands
separators, amounts in 元. Numbers are not forgiven: a cell that should hold an amount and
does not is a problem, named by sheet and cell. Nothing here touches the database but the
catalogue lookups.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation

from disclosures import money, subjects
from disclosures.models import (
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Project,
    ProjectIndicator,
    SummaryItem,
    TableKey,
)
from disclosures.models.tables import TABLE_MODELS
from disclosures.specs import LAYOUTS, SPECS
from disclosures.specs.base import ListSource, RenderedTable
from disclosures.specs.forms import LIST_AMOUNTS

from .cells import NotAnAmount, amount, clean, normal, shown
from .grid import Grid, Line
from .opening import Opened
from .problems import Problems
from .writer import CATEGORY_HEADER, CODE_HEADER, EXPLANATION_PREFIX

I = SummaryItem  # noqa: E741
ECONOMIC_TABLES = {TableKey.GENERAL_BASIC, TableKey.OFFICE_RUNNING}
DEPARTMENT_FORM_TITLE = "部门整体支出绩效目标表"
PROJECT_FORM_TITLE = "项目支出绩效目标表"
PROJECT_LIST_TITLE = "项目支出绩效目标表（含转移支付项目）"
TOTAL_LABELS = {"总计", "合计"}
# Names a 类 had before the catalogue renamed it, as older templates still print them.
FORMER_CLASS_NAMES = {"文化体育与传媒支出": "207", "医疗卫生与计划生育支出": "210"}

_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+(?:、|[.．](?!\d)))\s*"
)
_CODE_IN_NAME = re.compile(
    r"^\s*[\[【［]?(\d{3}(?:\d{2}){0,2})(?!\d)[\]】］]?\s*[-－—、.．:：]?\s*(.*)$", re.S
)
_PREFIXES = re.compile(r"^(?:编制部门|编制单位|部门名称|单位名称|部门|单位)\s*[：:]\s*")
# On normal() text: a cell that is only the unit ("单位:万元", "金额单位:元", "(单位:万元)"),
# and the unit inside another cell ("部门名称:…单位:万元", a title ending "(单位:元)").
_UNIT_CELL = re.compile(r"^\(?(?:金额)?单位:([^:()]{0,5}?元)\)?$")
_UNIT_WITHIN = re.compile(r"\(?(?:金额)?单位\s*:\s*([^\s:()]{0,5}?元)(?![\u4e00-\u9fff])\)?")
# A code column's header: 科目编码, 功能分类科目编码, 科目代码, 科目编号.
CODE_HEADERS = (CODE_HEADER, "编码", "代码", "编号")
# Lines under a table that end its body, as 备注 does: notes and the signatures.
NOTE_STARTS = (
    "备注", "注:", "说明:", normal(EXPLANATION_PREFIX), "单位负责人", "财务负责人", "负责人:",
    "制表人", "制表:", "填报人", "填表人", "审核人", "审核:", "复核人", "经办人",
    "联系电话", "联系人", "制表日期", "填报日期", "编制日期",
)  # fmt: skip
_INDICATOR = re.compile(
    r"(\d+)、(.*?)；(.*?)；(.*?)；实施周期指标值[:：](.*?)；年度指标值[:：](.*?)。(?=\d+、|\s*$)",
    re.S,
)
_CODED = re.compile(r"^(\d+)-(.*)$", re.S)


@dataclass
class Content:
    """What a workbook holds: the rows of each table and the performance forms, unsaved."""

    rows: dict[str, list[Any]] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)
    department_form: DepartmentPerformanceForm | None = None
    department_indicators: list[DepartmentIndicator] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    project_indicators: dict[int, list[ProjectIndicator]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def strip_numbering(text: str) -> str:
    return _NUMBERING.sub("", text, count=1)


def split_code(text: str) -> tuple[str, str]:
    """ "2010101 行政运行", "[30201]办公费" → (code, name); a plain name → ("", name)."""
    match = _CODE_IN_NAME.match(text)
    if match and match.group(2).strip():
        return match.group(1), match.group(2).strip()
    return "", text


def _without_prefix(text: str) -> str:
    return _PREFIXES.sub("", clean(text))


def _money_unit(text: str) -> str | None:
    """The unit a caption states ("单位：万元", "金额单位：人民币元"), or None."""
    found = _UNIT_WITHIN.search(text)
    return found.group(1).removeprefix("人民币") if found else None


def _one_line(text: str) -> str:
    """A name or sentence wrapped by hand inside its cell, joined again (Chinese needs no
    space where the line broke)."""
    return re.sub(r"\s*\n\s*", "", text)


def _is_code_header(text: str) -> bool:
    return text.endswith(CODE_HEADERS)


def _code(text: str) -> str:
    """A subject code as typed: "201 01 01", "[2010101]", "２０１" → "2010101"."""
    return re.sub(r"[\[\]【】()]", "", normal(text))


def spec_table(key: str) -> RenderedTable:
    spec = SPECS[key]
    return RenderedTable(key, str(spec.title), "", header=spec.header_cells())


# Finding the sheets --------------------------------------------------------------------


def _titles(layout: tuple[str, ...]) -> dict[str, str]:
    """Normalised title → what it names (a table key, or a form)."""
    with translation.override("zh-hans"):
        titles = {normal(TableKey(key).label): key for key in layout}
    titles[normal(DEPARTMENT_FORM_TITLE)] = "department_form"
    titles[normal(PROJECT_FORM_TITLE)] = "project_form"
    titles[normal(PROJECT_LIST_TITLE)] = "project_list"
    return titles


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


class Reader:
    def __init__(self, opened: Opened, disclosure: Disclosure):
        self.opened = opened
        self.disclosure = disclosure
        self.department = disclosure.department
        self.year = disclosure.fiscal_year
        self.layout = LAYOUTS[disclosure.layout]
        self.problems = Problems()
        self.content = Content()
        self.units = {normal(unit.name): unit for unit in self.department.units.all()}
        self._catalogues: dict[str, dict[str, str]] = {}

    # Whole workbook ---------------------------------------------------------------------

    def read(self) -> Content:
        titles = _titles(self.layout)
        found: dict[str, list[Grid]] = {}
        for grid in self.opened.grids:
            if not grid.lines:
                continue
            what = identify(grid, titles)
            if what is None:
                self.content.warnings.append(
                    f"工作表“{grid.title}”不是公开表或绩效目标表，已忽略。"
                )
                continue
            self._formulas(grid.title)
            found.setdefault(what, []).append(grid)
        for what, grids in found.items():
            if what != "project_form" and len(grids) > 1:
                names = "”“".join(grid.title for grid in grids)
                self.problems.add(
                    f"“{self._name(what)}”出现了 {len(grids)} 次：工作表“{names}”。只能有一张。"
                )
        for key in self.layout:
            if key not in found:
                self.problems.add(f"缺少“{self._name(key)}”：工作簿中没有标题为它的工作表。")
        self.problems.raise_if_any()
        for key in self.layout:
            self.read_table(key, found[key][0])
        if "department_form" in found:
            self.read_department_form(found["department_form"][0])
        forms = [self.read_project_form(grid) for grid in found.get("project_form", [])]
        listed = self.read_project_list(found["project_list"][0]) if "project_list" in found else []
        self.problems.raise_if_any()
        self.merge_projects(forms, listed)
        self.check_lengths([grid for grids in found.values() for grid in grids])
        self.problems.raise_if_any()
        return self.content

    def check_lengths(self, grids: list[Grid]) -> None:
        """Text longer than its field holds (a note pasted into a name, say) is refused here,
        naming its cell, rather than by the database when the import is applied."""
        content = self.content
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
                    self.problems.add(
                        f"{name}“{shown(value)}”有 {len(value)} 个字，超过上限 {limit} 个字。",
                        *_locate(grids, value),
                    )

    def _name(self, what: str) -> str:
        names = {
            "department_form": DEPARTMENT_FORM_TITLE,
            "project_list": PROJECT_LIST_TITLE,
            "project_form": PROJECT_FORM_TITLE,
        }
        if what in names:
            return names[what]
        with translation.override("zh-hans"):
            return str(TableKey(what).label)

    def _formulas(self, title: str) -> None:
        cells = self.opened.formulas.get(title)
        if not cells:
            return
        missing = self.opened.uncached.get(title, [])
        if missing:
            self.problems.add(
                "公式没有保存计算结果（文件可能由其他程序生成）。请在 Excel 中打开、保存后再导入。",
                title,
                "、".join(missing[:5]),
            )
        shown = "、".join(cells[:5]) + ("等" if len(cells) > 5 else "")
        self.content.warnings.append(
            f"工作表“{title}”有 {len(cells)} 个公式单元格（{shown}），已按 Excel 保存的计算结果导入。"
        )

    # The head of a statutory table ------------------------------------------------------

    def head(self, grid: Grid) -> tuple[int, bool]:
        """Reads the captions between the title and the header: the unit (单位：万元 or 元,
        alone in a cell or within the department's or the title's) and the department,
        which must be the one imported into. Returns the index of the first line after
        them and whether amounts are in 元."""
        units: dict[str, str] = {}  # unit → the cell that says so
        after = 1
        for li, line in enumerate(grid.lines[:4]):
            if li and _is_note(line):
                continue
            alone = [i for i in _once(line) if _UNIT_CELL.match(line.normal(i))]
            for i in _once(line):
                text = line.normal(i)
                where = grid.where(line, i)
                within = _UNIT_WITHIN.search(text)
                if within:
                    unit = _money_unit(text)
                    if unit not in ("万元", "元"):
                        self.problems.add(f"金额单位“{unit}”无法识别，应为万元或元。", grid.title,
                                          where)  # fmt: skip
                    units.setdefault(unit, where)
                if i in alone:
                    after = max(after, li + 1)
                    continue
                caption = line.text(i)
                if within:  # "部门名称：…　单位：万元" names the department too
                    caption = _UNIT_WITHIN.sub("", unicodedata.normalize("NFKC", caption)).strip()
                prefixed = bool(_PREFIXES.match(unicodedata.normalize("NFKC", caption)))
                # the department: named as such, or beside a cell that is only the unit
                if li and (prefixed or alone):
                    self.check_caption(grid, caption, where)
                    after = max(after, li + 1)
        if "万元" in units and "元" in units:
            self.problems.add(
                f"金额单位前后不一：单元格 {units['万元']} 为万元，单元格 {units['元']} 为元。",
                grid.title,
            )
        if not units:
            self.content.warnings.append(f"工作表“{grid.title}”没有“单位：万元”一行，按万元导入。")
        return after, "元" in units and "万元" not in units

    def check_department(self, grid: Grid, line: Line, index: int) -> None:
        self.check_caption(grid, line.text(index), grid.where(line, index))

    def check_caption(self, grid: Grid, caption: str, where: str) -> None:
        named = _without_prefix(caption)
        if normal(named) and normal(named) != normal(self.department.name):
            self.problems.add(
                f"表中部门“{named}”与导入的部门“{self.department.name}”不一致。", grid.title, where
            )

    def amount_at(self, grid: Grid, line: Line, index: int | None, *, yuan: bool) -> Decimal:
        if index is None:
            return money.ZERO
        try:
            return amount(line.values[index], yuan=yuan)
        except NotAnAmount as error:
            self.problems.add(str(error), grid.title, grid.where(line, index))
            return money.ZERO

    def body(self, grid: Grid, start: int, key: str) -> tuple[list[Line], list[Line]]:
        """The lines of a table's body (up to 备注) and the lines after it."""
        for li in range(start, len(grid.lines)):
            if grid.lines[li].first_text() in TOTAL_LABELS:
                break
        else:
            self.problems.add(
                f"未找到“总计”行：{self._name(key)}的数据应从“总计”行开始。", grid.title
            )
            return [], []
        end = li
        while end < len(grid.lines) and not _is_note(grid.lines[end]):
            end += 1
        return grid.lines[li:end], grid.lines[end:]

    def explanation(self, key: str, tail: list[Line]) -> None:
        for line in tail:
            text = "".join(dict.fromkeys(line.text(i) for i in line.filled))  # merged: repeated
            for prefix in (EXPLANATION_PREFIX, "说明：", "说明:"):
                if text.startswith(prefix) and text[len(prefix) :].strip():
                    self.content.explanations[key] = text[len(prefix) :].strip()
                    return

    # Tables ------------------------------------------------------------------------------

    def read_table(self, key: str, grid: Grid) -> None:
        if isinstance(SPECS[key].source, ListSource):
            self.read_list_table(key, grid)
        else:
            self.read_summary_table(key, grid)

    def header_paths(self, grid: Grid, header: list[Line]) -> list[list[str]]:
        """Per kept column, the distinct header texts above it, top down."""
        paths = []
        for ci in range(len(grid.columns)):
            path: list[str] = []
            for line in header:
                text = line.normal(ci)
                if text == "小计":  # as some templates head the 合计 column
                    text = "合计"
                if (
                    text
                    and not text.isdigit()
                    and text != "栏次"
                    and (not path or path[-1] != text)
                ):
                    path.append(text)
            paths.append(path)
        return paths

    def read_list_table(self, key: str, grid: Grid) -> None:
        spec = SPECS[key]
        start, yuan = self.head(grid)
        body, tail = self.body(grid, start, key)
        if not body:
            return
        header = [
            line for line in grid.lines[start : grid.lines.index(body[0])] if not _is_note(line)
        ]
        paths = self.header_paths(grid, header)
        leaves = [
            [normal(part) for part in label.split("/") if part]
            for label in spec_table(key).leaf_labels
        ]
        columns: dict[str, int] = {}
        code_column = next(
            (ci for ci, path in enumerate(paths) if path and _is_code_header(path[-1])), None
        )
        for column, leaf in zip(spec.source.columns, leaves, strict=True):
            if not column.attr or column.attr == "code":
                continue
            ci = _match_column(leaf, paths, taken=set(columns.values()) | {code_column})
            if ci is None:
                if column.numeric:
                    self.problems.add(f"缺少“{'/'.join(leaf)}”列（按表头文字查找）。", grid.title)
                    continue
                ci = _first_text_column(body, exclude={code_column})
            columns[column.attr] = ci
        if "name" not in columns and "label" not in columns:
            self.problems.add("找不到科目或单位名称所在的列。", grid.title)
            return
        model = TABLE_MODELS[key]
        rows = []
        for position, line in enumerate(body, start=1):
            values = {
                attr: self.amount_at(grid, line, ci, yuan=yuan)
                for attr, ci in columns.items()
                if attr not in ("name", "label")
            }
            code = ""
            if position == 1:  # 总计, however spaced
                rows.append(model(position=1, **{"label" if "label" in columns else "name": "总计"},
                                  **values))  # fmt: skip
            elif "label" in columns:
                rows.append(model(position=position, label=line.text(columns["label"]), **values))
            else:
                code = _code(line.text(code_column)) if code_column is not None else ""
                printed_code, name = split_code(line.text(columns["name"]))  # [30201]办公费
                rows.append(
                    model(position=position, code=code or printed_code, name=name, **values)
                )
            rows[-1]._cell = grid.where(line, columns.get("name", columns.get("label")))
            # a wrong code is shown where it was typed: its own column, or with the name
            rows[-1]._code_cell = grid.where(line, code_column) if code else rows[-1]._cell
        if "label" in columns:
            self.assign_units(key, grid, body, rows, columns["label"])
        else:
            self.assign_codes(key, grid, rows)
        self.content.rows[key] = rows
        self.explanation(key, tail)

    def assign_units(self, key: str, grid: Grid, body: list[Line], rows: list, column: int) -> None:
        """总计, then the department's subtotal, then its units (the statutory order)."""
        rows[0].kind = "total"
        for index, (row, line) in enumerate(zip(rows[1:], body[1:], strict=True), start=1):
            name = normal(row.label)
            is_department = index == 1 and (
                len(rows) > 2 or (name == normal(self.department.name) and name not in self.units)
            )
            if is_department:
                row.kind = "department"
            elif name in self.units:
                row.kind, row.unit = "unit", self.units[name]
            else:
                self.problems.add(
                    f"“{row.label}”不是本部门的预算单位。", grid.title, grid.where(line, column)
                )
        seen: dict[int, str] = {}
        for row, line in zip(rows, body, strict=True):
            if row.kind == "unit":
                if row.unit.pk in seen:
                    self.problems.add(f"单位“{row.label}”出现两次（另见 {seen[row.unit.pk]}）。", grid.title,
                                      grid.where(line, column))  # fmt: skip
                seen[row.unit.pk] = grid.where(line, column)

    def catalogue(self, key: str) -> dict[str, str]:
        kind = "economic" if key in ECONOMIC_TABLES else "function"
        if kind not in self._catalogues:
            model = EconomicSubject if kind == "economic" else FunctionSubject
            self._catalogues[kind] = model.objects.names(self.year)
        return self._catalogues[kind]

    def assign_codes(self, key: str, grid: Grid, rows: list) -> None:
        """Codes given are checked against the year's catalogue; a name without a code is
        looked up there, under the 类 and 款 above it."""
        names = self.catalogue(key)
        kind = "经济分类" if key in ECONOMIC_TABLES else "支出功能分类"
        by_name: dict[str, list[str]] = {}
        for code, name in names.items():
            by_name.setdefault(normal(name), []).append(code)
        context: list[str] = []
        seen: dict[str, str] = {}
        valid = subjects.is_economic_code if key in ECONOMIC_TABLES else subjects.is_function_code
        for row in rows[1:]:
            if not row.code:
                row.code = _resolve(by_name.get(normal(row.name), []), context)
                if not row.code:
                    self.problems.add(f"科目“{row.name}”不在 {self.year} 年{kind}科目中，且没有科目编码。",
                                      grid.title, row._cell)  # fmt: skip
                    continue
            elif not valid(row.code) or row.code not in names:
                self.problems.add(
                    f"科目编码 {row.code} 不在 {self.year} 年{kind}科目中。",
                    grid.title,
                    row._code_cell,
                )
                continue
            if row.code in seen:
                self.problems.add(
                    f"科目 {row.code} 出现两次（另见 {seen[row.code]}）。", grid.title, row._cell
                )
            seen[row.code] = row._cell
            context = [*subjects.ancestors(row.code), row.code]

    def read_summary_table(self, key: str, grid: Grid) -> None:
        spec = SPECS[key]
        start, yuan = self.head(grid)
        lines = grid.lines[start:]
        header_end = max(
            (
                li
                for li, line in enumerate(lines)
                if any(line.normal(i) == "项目" for i in line.filled)
            ),
            default=None,
        )
        if header_end is None:
            self.problems.add("找不到表头（“项目”列）。", grid.title)
            return
        header = lines[header_end]
        labels = [i for i in header.filled if header.normal(i) == "项目"]
        pairs = []
        for index, label in enumerate(labels):
            limit = labels[index + 1] if index + 1 < len(labels) else len(grid.columns)
            amounts = [
                i
                for i in header.filled
                if label < i < limit and not _is_code_header(header.normal(i))
            ]
            pairs.append((label, amounts[0] if amounts else None))
        sides = ["income", "expense"] if spec.source.two_sided else ["income"]
        if len(pairs) < len(sides) or any(a is None for _l, a in pairs[: len(sides)]):
            self.problems.add(
                "表头应为“项目、预算数”" + ("左右两栏" if len(sides) == 2 else "") + "。",
                grid.title,
            )
            return
        code_column = next((i for i in header.filled if _is_code_header(header.normal(i))), None)
        body = []
        for line in lines[header_end + 1 :]:
            if _is_note(line):
                break
            body.append(line)
        model = TABLE_MODELS[key]
        rows: list = []
        for side, (label_ci, amount_ci) in zip(sides, pairs, strict=False):
            seen: dict[tuple, str] = {}
            for line in body:
                text = line.text(label_ci)
                if not text:
                    continue
                label = strip_numbering(text).strip()
                code = (
                    _code(line.text(code_column))
                    if code_column is not None and side == sides[-1]
                    else ""
                )
                item, code = self.summary_item(key, side, label, code)
                where = grid.where(line, label_ci)
                if item is None:
                    self.problems.add(f"无法识别的项目“{text}”。", grid.title, where)
                    continue
                if (item, code) in seen:
                    self.problems.add(
                        f"“{text}”与 {seen[(item, code)]} 是同一项目，重复。", grid.title, where
                    )
                seen[(item, code)] = where
                row = model(
                    position=len(rows) + 1,
                    item=item,
                    subject_code=code,
                    label=label,
                    amount=self.amount_at(grid, line, amount_ci, yuan=yuan),
                )
                if spec.source.two_sided:
                    row.side = side
                rows.append(row)
        self.content.rows[key] = rows
        self.explanation(key, lines[header_end + 1 + len(body) :])

    def summary_item(self, key: str, side: str, label: str, code: str) -> tuple[str | None, str]:
        text = normal(label)
        if "本年" in text:
            return I.CURRENT_TOTAL, ""
        if side == "income":
            for words, item in INCOME_WORDS:
                if any(word in text for word in words):
                    return item, ""
            if "总计" in text or text.endswith("合计"):
                return I.GRAND_TOTAL, ""
            return None, ""
        if "结转下年" in text:
            return I.CARRY_TO_NEXT, ""
        if "总计" in text or text.endswith("合计"):
            return I.GRAND_TOTAL, ""
        classes = {
            c: n for c, n in self.catalogue(TableKey.DEPARTMENT_EXPENSE).items() if len(c) == 3
        }
        if not code:
            code, rest = split_code(label)
            if code:
                text = normal(rest)
        if not code:
            code = next((c for c, n in classes.items() if normal(n) == text), "")
            code = code or FORMER_CLASS_NAMES.get(text, "")
        if code not in classes:
            return None, ""
        return I.FUNCTION_CLASS, code

    # Performance forms -------------------------------------------------------------------

    def value_of(self, grid: Grid, label: str, *, required=True, start: int = 0):
        found = grid.find(label, start=start)
        if found is None:
            if required:
                self.problems.add(f"找不到“{label}”。", grid.title)
            return None, None, None
        value, ci = grid.right_of(*found)
        return value, grid.lines[found[0]], ci

    def form_amount(self, grid: Grid, label: str, *, start: int = 0, yuan=False) -> Decimal:
        _value, line, ci = self.value_of(grid, label, start=start)
        if line is None or ci is None:
            return money.ZERO
        return self.amount_at(grid, line, ci, yuan=yuan)

    def indicators(self, grid: Grid, model, target: str, target_label: str) -> list:
        found = grid.find("一级指标")
        if found is None:
            return []
        li, _ci = found
        header = grid.lines[li]
        positions = {}
        for label in ("一级指标", "二级指标", "三级指标", target_label):
            ci = next((i for i in header.filled if header.normal(i) == normal(label)), None)
            if ci is None:
                self.problems.add(f"绩效指标表头缺少“{label}”。", grid.title, f"第 {header.row} 行")
                return []
            positions[label] = ci
        result = []
        level1 = level2 = ""
        for line in grid.lines[li + 1 :]:
            if _is_note(line):  # 备注, 审核人：… under the table
                break
            level3 = line.text(positions["三级指标"])
            if not level3 and not line.text(positions[target_label]):
                continue
            # a 一级/二级 written once over the rows below it, without merging the cells
            level1 = line.text(positions["一级指标"]) or level1
            level2 = line.text(positions["二级指标"]) or level2
            result.append(
                model(
                    position=len(result) + 1,
                    level1=level1,
                    level2=level2,
                    level3=level3,
                    **{target: line.text(positions[target_label])},
                )
            )
        return result

    def texts_of(self, grid: Grid, label: str) -> str:
        """Everything written right of a label, over the rows its (merged) label spans:
        总体目标 in one cell, in several cells, or one goal per row."""
        found = grid.find(label)
        if found is None:
            self.problems.add(f"找不到“{label}”。", grid.title)
            return ""
        li, ci = found
        texts: list[str] = []
        while li < len(grid.lines) and grid.lines[li].normal(ci) == normal(label):
            line = grid.lines[li]
            for i in _once(line):
                if i > ci and line.normal(i) != normal(label) and line.text(i) not in texts:
                    texts.append(line.text(i))
            li += 1
        return "\n".join(texts)

    def read_department_form(self, grid: Grid) -> None:
        _name, line, ci = self.value_of(grid, "部门（单位）名称", required=False)
        if line is not None and ci is not None:
            self.check_department(grid, line, ci)
        # 预算情况（万元）, as printed; a form in 元 says 预算情况（元）
        yuan = grid.find("预算情况（元）") is not None
        self.content.department_form = DepartmentPerformanceForm(
            goals=self.texts_of(grid, "总体目标"),
            **{
                attr: self.form_amount(grid, label, yuan=yuan)
                for attr, label in (
                    ("personnel", "人员经费"),
                    ("running", "公用经费"),
                    ("basic_total", "合计"),
                    ("project", "项目支出"),
                    ("current_appropriation", "当年财政拨款"),
                    ("carried_forward", "上年结转资金"),
                    ("other_funds", "其他资金"),
                    ("income_total", "收入预算合计"),
                    ("expense_total", "支出预算合计"),
                )
            },
        )
        self.content.department_indicators = self.indicators(
            grid, DepartmentIndicator, "target", "指标值"
        )

    def read_project_form(self, grid: Grid) -> dict[str, Any]:
        name, _line, _ci = self.value_of(grid, "项目名称")
        supervisor, _line, _ci = self.value_of(grid, "主管部门及代码", required=False)
        implementer, _line, _ci = self.value_of(grid, "实施单位", required=False)
        figures = {}
        for attr, label in (
            ("total", "年度资金总额："),
            ("current_appropriation", "其中：当年财政拨款"),
            ("carried_forward", "上年结转资金"),
            ("other", "其他资金"),
        ):
            value, line, ci = self.value_of(grid, label)
            figures[attr] = (value, line, ci)
        return {
            "grid": grid,
            "name": _one_line(clean(name)),
            "supervisor": clean(supervisor),
            "implementer": clean(implementer),
            "goal": self.texts_of(grid, "总体目标"),
            "figures": figures,
            "indicators": self.indicators(grid, ProjectIndicator, "annual_target", "指标值"),
        }

    def read_project_list(self, grid: Grid) -> list[dict[str, Any]]:
        found = grid.find("项目名称（资金使用单位）")
        if found is None:
            self.problems.add("找不到表头“项目名称（资金使用单位）”。", grid.title)
            return []
        li, name_ci = found
        header = grid.lines[li]
        for i in _once(header):
            if normal(header.values[i]).startswith("部门名称"):
                self.check_department(grid, header, i)
        for line in grid.lines[1:li]:
            for i in _once(line):
                if normal(line.values[i]).startswith("部门名称"):
                    self.check_department(grid, line, i)
        units = {
            unit: grid.where(line, i)
            for line in grid.lines[:li]
            for i in _once(line)
            if (unit := _money_unit(line.normal(i)))
        }
        for unit, where in units.items():
            if unit not in ("万元", "元"):
                self.problems.add(f"金额单位“{unit}”无法识别，应为万元或元。", grid.title, where)
        if "万元" in units and "元" in units:
            self.problems.add(f"金额单位前后不一：单元格 {units['万元']} 为万元，单元格 {units['元']} 为元。",
                              grid.title)  # fmt: skip
        yuan = "元" in units and "万元" not in units
        at = {normal(header.values[i]): i for i in header.filled}
        amount_columns = [at.get(normal(label)) for label, _value in LIST_AMOUNTS]
        goal_ci, indicator_ci = at.get("绩效目标"), at.get("绩效指标")
        category_ci = at.get(CATEGORY_HEADER)
        if None in amount_columns or goal_ci is None or indicator_ci is None:
            self.problems.add("项目清单表头应为：项目名称、总计、财政拨款、财政专户拨款、其他资金、绩效目标、绩效指标。",
                              grid.title, f"第 {header.row} 行")  # fmt: skip
            return []
        unit, listed = None, []
        department = normal(self.department.name)
        for line in grid.lines[li + 1 :]:
            if _is_note(line):  # 备注, 审核人：… under the list
                break
            name = _one_line(line.text(name_ci))
            if not name or normal(name).rstrip(":") in TOTAL_LABELS:
                continue
            goal, sentences = line.text(goal_ci), line.text(indicator_ci)
            # one line of the table once more, as the paper wraps it: the sentences' words
            sentences = _one_line(sentences).replace(";", "；")
            heading = normal(strip_numbering(name)).removesuffix("(本级)")  # 一、某某单位（本级）
            if not goal and not sentences and (heading in self.units or heading == department):
                unit = self.units.get(heading)
                continue
            if not goal and not sentences and not any(line.text(ci) for ci in amount_columns):
                self.problems.add(f"“{name}”只有名称，没有金额、绩效目标和绩效指标；如是上一行名称的续行，"
                                  "请写在同一单元格中。", grid.title, grid.where(line, name_ci))  # fmt: skip
                continue
            name = strip_numbering(name).strip()  # 1、某某项目
            amounts = [self.amount_at(grid, line, ci, yuan=yuan) for ci in amount_columns]
            indicators = []
            for match in _INDICATOR.finditer(sentences):
                l1_code, l1 = _coded(match.group(2))
                l2_code, l2 = _coded(match.group(3))
                indicators.append(
                    ProjectIndicator(
                        position=len(indicators) + 1,
                        level1_code=l1_code,
                        level1=l1,
                        level2_code=l2_code,
                        level2=l2,
                        level3=match.group(4).strip(),
                        period_target=match.group(5).strip(),
                        annual_target=match.group(6).strip(),
                    )
                )
            if indicators and len(indicators) != sentences.count("年度指标值"):
                self.problems.add(f"绩效指标有 {sentences.count('年度指标值')} 条，只识别出 {len(indicators)} 条；"
                                  "每条应为“序号、一级指标；二级指标；三级指标；实施周期指标值:…；年度指标值:…。”",
                                  grid.title, grid.where(line, indicator_ci))  # fmt: skip
            if sentences and not indicators:
                self.problems.add("绩效指标的格式无法识别，应为“1、一级指标；二级指标；三级指标；实施周期指标值:…；年度指标值:…。”",
                                  grid.title, grid.where(line, indicator_ci))  # fmt: skip
            category = line.text(category_ci) if category_ci is not None else ""
            listed.append(
                {
                    "name": name,
                    "where": grid.where(line, name_ci),
                    "unit": unit,
                    "amounts": amounts,
                    "goal": goal,
                    "indicators": indicators,
                    "category": _category(category),
                }
            )
        return listed

    def merge_projects(self, forms: list[dict[str, Any]], listed: list[dict[str, Any]]) -> None:
        """Projects from their forms (seed 004) and from the list (seed 000): the list adds
        财政专户拨款, indicator codes and 实施周期 targets; the forms add 上年结转 and 主管部门."""
        by_name = {normal(entry["name"]): entry for entry in listed}
        if len(by_name) < len(listed):
            self.problems.add("项目清单中有重名项目。")
        seen: set[str] = set()
        order = forms or listed
        for position, entry in enumerate(order, start=1):
            key = normal(entry["name"])
            if key in seen:
                self.problems.add(
                    f"项目“{entry['name']}”出现两次。", entry.get("grid", Grid("", [], [])).title
                )
                continue
            seen.add(key)
            form = entry if forms else None
            row = by_name.get(key)
            if forms and listed and row is None:
                self.problems.add(
                    f"项目“{entry['name']}”有绩效目标表，但不在项目清单中。", entry["grid"].title
                )
                continue
            project = Project(position=position, name=entry["name"], goal=entry["goal"])
            indicators = entry["indicators"]
            if row is not None:
                total, appropriation, special, other = row["amounts"]
                project.unit, project.category = row["unit"], row["category"]
                project.total, project.current_appropriation = total, appropriation
                project.special_account = special
                project.other_funds = other
                if not form:
                    indicators = row["indicators"]
                elif len(row["indicators"]) == len(indicators):
                    for mine, theirs in zip(indicators, row["indicators"], strict=True):
                        mine.level1_code, mine.level2_code = theirs.level1_code, theirs.level2_code
                        mine.period_target = theirs.period_target
            if form:
                self.apply_form_figures(project, form, row)
                project.supervisor = form["supervisor"]
                implementer = normal(form["implementer"])
                if implementer in self.units:
                    project.unit = self.units[implementer]
                elif implementer and implementer != normal(self.department.name):
                    self.problems.add(
                        f"实施单位“{form['implementer']}”不是本部门的预算单位。", form["grid"].title
                    )
            self.content.projects.append(project)
            self.content.project_indicators[position] = indicators
        for entry in listed:
            if forms and normal(entry["name"]) not in seen:
                self.problems.add(
                    f"项目“{entry['name']}”在项目清单中，但没有它的绩效目标表。",
                    cell=entry["where"],
                )

    def apply_form_figures(self, project: Project, form: dict[str, Any], row: dict | None) -> None:
        """A form's figures in 万元, or in 元 where they are the list's ×10000 (seed 004)."""
        grid = form["grid"]
        raw = {}
        for attr, (_value, line, ci) in form["figures"].items():
            raw[attr] = (
                self.amount_at(grid, line, ci, yuan=False) if line is not None else money.ZERO
            )
        yuan = (
            row is not None
            and raw["total"] != row["amounts"][0]
            and raw["total"] == money.wan_to_yuan(row["amounts"][0])
        )
        if yuan:
            project.figures_unit = Project.FiguresUnit.YUAN
            raw = {attr: money.yuan_to_wan(value) for attr, value in raw.items()}
        project.carried_forward = raw["carried_forward"]
        if row is None:
            project.total, project.current_appropriation = (
                raw["total"],
                raw["current_appropriation"],
            )
            project.other_funds = raw["other"]
            return
        # The list's 其他资金 is other + 上年结转; the form's is other + 财政专户.
        project.other_funds = row["amounts"][3] - project.carried_forward
        for attr, listed_value in (
            ("total", row["amounts"][0]),
            ("current_appropriation", row["amounts"][1]),
        ):
            if raw[attr] != listed_value:
                self.problems.add(
                    f"项目“{project.name}”的{ {'total': '年度资金总额', 'current_appropriation': '当年财政拨款'}[attr] }"
                    f"在绩效目标表中为 {money.format_plain(raw[attr])}，在项目清单中为 {money.format_plain(listed_value)}，不一致。",
                    grid.title,
                )
        if project.other_funds < 0 or raw["other"] != project.other_funds + project.special_account:
            self.problems.add(f"项目“{project.name}”的其他资金与项目清单不一致。", grid.title)
            project.other_funds = max(project.other_funds, money.ZERO)


INCOME_WORDS = (
    (("上年结转",), I.CARRIED_FORWARD),
    (("上年结余",), I.PRIOR_SURPLUS),
    (("一般公共预算",), I.GENERAL_BUDGET),
    (("政府性基金",), I.GOVERNMENT_FUND),
    (("国有资本",), I.STATE_CAPITAL),
    (("教育专户", "财政专户"), I.EDUCATION_ACCOUNT),
    (("上级补助",), I.SUPERIOR_SUBSIDY),
    (("附属单位",), I.SUBORDINATE_REMITTANCE),
    (("经营收入",), I.OPERATING),
    (("事业收入",), I.BUSINESS),
    (("其他收入",), I.OTHER),
)


def _is_note(line: Line) -> bool:
    return line.first_text().startswith(NOTE_STARTS)


def _locate(grids: list[Grid], text: str) -> tuple[str, str]:
    """The sheet and cell a text was read from: the first cell that contains it."""
    for grid in grids:
        for line in grid.lines:
            for index in range(len(line.values)):
                if text in line.text(index):
                    return grid.title, grid.where(line, index)
    return "", ""


def _once(line: Line) -> list[int]:
    """The filled cells, a merged range once: read_grid repeats its value in each column."""
    return [i for i in line.filled if i == 0 or line.values[i - 1] != line.values[i]]


def _match_column(leaf: list[str], paths: list[list[str]], taken: set) -> int | None:
    """The column whose header texts are the leaf's, or (when only one fits) contain its last one."""
    exact = [ci for ci, path in enumerate(paths) if path == leaf and ci not in taken]
    if exact:
        return exact[0]
    loose = [
        ci
        for ci, path in enumerate(paths)
        if ci not in taken
        and path
        and all(any(part in text or text in part for text in path) for part in leaf)
    ]
    return loose[0] if len(loose) == 1 else (loose[0] if loose and len(leaf) > 1 else None)


def _first_text_column(body: list[Line], exclude: set) -> int:
    first = body[0]
    return next(i for i in first.filled if i not in exclude)


def _resolve(candidates: list[str], context: list[str]) -> str:
    """Of the catalogue codes with this name, the one under the nearest 类/款 above."""
    if len(candidates) == 1:
        return candidates[0]
    for parent in reversed(context):
        for code in candidates:
            if subjects.parent_code(code) == parent:
                return code
    top = [code for code in candidates if len(code) == 3]
    return top[0] if len(top) == 1 else ""


def _coded(text: str) -> tuple[str, str]:
    match = _CODED.match(text.strip())
    return (match.group(1), match.group(2).strip()) if match else ("", text.strip())


def _category(text: str) -> str:
    wanted = normal(text)
    for value, label in Project.Category.choices:
        if wanted and wanted in (normal(label), value):
            return value
    return ""


def read_workbook(opened: Opened, disclosure: Disclosure) -> Content:
    """The workbook's content for this disclosure (department, year and layout), or
    WorkbookError listing every problem."""
    return Reader(opened, disclosure).read()
