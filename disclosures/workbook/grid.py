"""A sheet as the importer sees it: values with merged cells filled in, blank rows and
columns gone, and every value still traceable to its cell for messages."""

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .cells import clean, normal


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


def read_grid(sheet: Worksheet) -> Grid:
    rows = [list(values) for values in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = (
            rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
        )
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            line = rows[r - 1]
            for c in range(merged.min_col, merged.max_col + 1):
                if c - 1 < len(line):
                    line[c - 1] = value
    width = max((len(line) for line in rows), default=0)
    kept = [c for c in range(width) if any(c < len(line) and clean(line[c]) for line in rows)]
    lines = [
        Line(r + 1, [line[c] if c < len(line) else None for c in kept])
        for r, line in enumerate(rows)
        if any(clean(value) for value in line)
    ]
    return Grid(sheet.title, [c + 1 for c in kept], lines)
