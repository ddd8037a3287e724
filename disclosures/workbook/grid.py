"""A sheet as the importer sees it: values with merged cells filled in, blank rows and
columns gone, and every value still traceable to its cell for messages."""

from dataclasses import dataclass

from openpyxl.utils import get_column_letter, range_boundaries

from .cells import clean, normal
from .problems import Problem, WorkbookError


@dataclass
class Line:
    row: int  # the sheet's row number
    values: list  # one per kept column

    def text(self, index: int) -> str:
        return clean(self.values[index]) if index < len(self.values) else ""

    def normal(self, index: int) -> str:
        return normal(self.values[index]) if index < len(self.values) else ""

    @property
    def filled(self) -> list[int]:
        return [i for i, value in enumerate(self.values) if clean(value)]

    def first_text(self) -> str:
        filled = self.filled
        return normal(self.values[filled[0]]) if filled else ""


@dataclass
class Grid:
    title: str
    columns: list[int]  # the sheet's column numbers kept
    lines: list[Line]

    def where(self, line: Line, index: int) -> str:
        return f"{get_column_letter(self.columns[index])}{line.row}"

    def find(self, label: str, *, start: int = 0) -> tuple[int, int] | None:
        """The first (line, column) index whose text equals the label (compared normalised)."""
        wanted = normal(label)
        for li in range(start, len(self.lines)):
            for ci, value in enumerate(self.lines[li].values):
                if normal(value) == wanted:
                    return li, ci
        return None

    def right_of(self, li: int, ci: int):
        """The value in the cell after a label (past the label's own merged span), with its index."""
        line = self.lines[li]
        label = line.normal(ci)
        k = ci + 1
        while k < len(line.values) and line.normal(k) == label:
            k += 1
        if k >= len(line.values):
            return None, None
        return line.values[k], k


# Filling merged cells costs their area: refuse a sheet whose merges cover far more cells
# than any statutory table has (overlapping full-sheet merges would be a CPU bomb).
MAX_MERGED_AREA = 2_000_000


def read_grid(title: str, rows: list[list], merged: list[str]) -> Grid:
    """Rows of values (as openpyxl streams them) and the merged ranges, as a Grid."""
    area = 0
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row > len(rows):
            continue
        max_row = min(max_row, len(rows))
        max_col = min(max_col, max((len(line) for line in rows), default=0))
        area += max(max_row - min_row + 1, 0) * max(max_col - min_col + 1, 0)
        if area > MAX_MERGED_AREA:
            raise WorkbookError(Problem("合并单元格过多，不像是公开表。", title))
        line = rows[min_row - 1]
        value = line[min_col - 1] if min_col - 1 < len(line) else None
        for r in range(min_row, max_row + 1):
            line = rows[r - 1]
            for c in range(min_col, min(max_col, len(line)) + 1):
                line[c - 1] = value
    width = max((len(line) for line in rows), default=0)
    kept = [c for c in range(width) if any(c < len(line) and clean(line[c]) for line in rows)]
    lines = [
        Line(r + 1, [line[c] if c < len(line) else None for c in kept])
        for r, line in enumerate(rows)
        if any(clean(value) for value in line)
    ]
    return Grid(title, [c + 1 for c in kept], lines)
