"""The parts of a statutory table around its figures: the captions above the header (the
department and the unit of money), the header's column texts, the body that starts at
总计 and the notes under it."""

from dataclasses import dataclass

from disclosures.specs.synonyms import (
    EXPLANATION_PREFIXES,
    HEADER_SYNONYMS,
    IGNORED_HEADERS,
    TOTAL_LABELS,
)

from ..grid import Grid, Line
from ..writer import EXPLANATION_PREFIX
from .reading import Reading
from .text import has_prefix, is_note, is_unit_cell, money_unit, once, without_unit

UNITS = ("万元", "元")


@dataclass(frozen=True)
class Head:
    start: int  # the first line after the captions
    yuan: bool  # whether the sheet's amounts are in 元


@dataclass(frozen=True)
class Body:
    lines: list[Line]  # from 总计 down to the notes
    tail: list[Line]  # the notes and signatures under it


class Units:
    """The units of money a sheet states, each with the first cell that states it."""

    def __init__(self, reading: Reading, grid: Grid):
        self.reading, self.grid = reading, grid
        self.cells: dict[str, str] = {}

    def note(self, text: str, where: str) -> bool:
        """Records the unit within a cell's normal() text; whether there was one."""
        unit = money_unit(text)
        if unit is None:
            return False
        if unit not in UNITS:
            self.reading.problems.add(
                f"金额单位“{unit}”无法识别，应为万元或元。", self.grid.title, where
            )
        self.cells.setdefault(unit, where)
        return True

    @property
    def yuan(self) -> bool:
        """Whether amounts are in 元; units that disagree are a problem."""
        if all(unit in self.cells for unit in UNITS):
            self.reading.problems.add(
                f"金额单位前后不一：单元格 {self.cells['万元']} 为万元，"
                f"单元格 {self.cells['元']} 为元。",
                self.grid.title,
            )
        return "元" in self.cells and "万元" not in self.cells


def read_head(reading: Reading, grid: Grid) -> Head:
    """Reads the captions between the title and the header: the unit (单位：万元 or 元,
    alone in a cell or within the department's or the title's) and the department,
    which must be the one imported into."""
    units = Units(reading, grid)
    after = 1
    for li, line in enumerate(grid.lines[:4]):
        if li and is_note(line):
            continue
        alone = [i for i in once(line) if is_unit_cell(line.normal(i))]
        for i in once(line):
            where = grid.where(line, i)
            within = units.note(line.normal(i), where)
            if i in alone:
                after = max(after, li + 1)
                continue
            caption = line.text(i)
            if within:  # "部门名称：…　单位：万元" names the department too
                caption = without_unit(caption)
            # the department: named as such, or beside a cell that is only the unit
            if li and (has_prefix(caption) or alone):
                reading.check_caption(grid, caption, where)
                after = max(after, li + 1)
    yuan = units.yuan
    if not units.cells:
        reading.warnings.append(f"工作表“{grid.title}”没有“单位：万元”一行，按万元导入。")
    return Head(after, yuan)


def read_body(reading: Reading, grid: Grid, start: int, name: str) -> Body | None:
    """The lines of a table's body, from 总计 to the notes, and the lines after it."""
    first = next(
        (li for li in range(start, len(grid.lines)) if grid.lines[li].first_text() in TOTAL_LABELS),
        None,
    )
    if first is None:
        reading.problems.add(f"未找到“总计”行：{name}的数据应从“总计”行开始。", grid.title)
        return None
    end = first
    while end < len(grid.lines) and not is_note(grid.lines[end]):
        end += 1
    return Body(grid.lines[first:end], grid.lines[end:])


def explanation(tail: list[Line]) -> str:
    """The 空表说明 under a table, or ""."""
    for line in tail:
        text = "".join(dict.fromkeys(line.text(i) for i in line.filled))  # merged: repeated
        for prefix in (EXPLANATION_PREFIX, *EXPLANATION_PREFIXES):
            if text.startswith(prefix) and text[len(prefix) :].strip():
                return text[len(prefix) :].strip()
    return ""


def header_paths(header: list[Line], width: int) -> list[list[str]]:
    """Per kept column, the distinct header texts above it, top down."""
    paths = []
    for ci in range(width):
        path: list[str] = []
        for line in header:
            text = HEADER_SYNONYMS.get(line.normal(ci), line.normal(ci))
            labels = text and not text.isdigit() and text not in IGNORED_HEADERS
            if labels and (not path or path[-1] != text):
                path.append(text)
        paths.append(path)
    return paths


def match_column(leaf: list[str], paths: list[list[str]], taken: set) -> int | None:
    """The column whose header texts are the leaf's, or else one whose texts contain the
    leaf's: the only one, or the first when the leaf has several texts to go by."""
    free = [ci for ci, path in enumerate(paths) if ci not in taken]
    exact = [ci for ci in free if paths[ci] == leaf]
    if exact:
        return exact[0]
    loose = [
        ci
        for ci in free
        if paths[ci]
        and all(any(part in text or text in part for text in paths[ci]) for part in leaf)
    ]
    if len(loose) == 1 or (loose and len(leaf) > 1):
        return loose[0]
    return None
