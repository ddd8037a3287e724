"""The building blocks of a table spec and of what every renderer receives.

A spec says what a statutory table looks like (header cells with their merges, its
columns) and where its rows come from. `render` turns it into a `RenderedTable`: rows
of `Cell`s holding the exact printed text. HTML, PDF, workbook and JSON renderers all
start from a RenderedTable, so a layout is written once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from disclosures import money
from disclosures.numerals import chinese_number, ordinal

NOTE = "备注：无内容应公开空表并说明情况。"
UNIT_LINE = "单位：万元"


@dataclass(frozen=True)
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    numeric: bool = False
    indent: int = 0
    vertical: bool = False
    # The exact amount behind a numeric cell's printed text (the workbook writes numbers).
    value: Decimal | None = None
    # The HTML id of the row this cell labels (row_id), so findings can link to it.
    anchor: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "colspan": self.colspan, "rowspan": self.rowspan}


def row_id(table_key: str, row_key: str) -> str:
    """The HTML id of a table's row: general_expense--2010101, department_summary--
    expense-function_class-201."""
    return f"{table_key}--{row_key.replace(':', '-')}"


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    kind: str = "item"  # "total" and "subtotal" rows are set apart by renderers
    # The subject code behind the row (its expense side on a two-sided table), which some
    # tables do not print; the workbook keeps it in a hidden 科目编码 column.
    code: str = ""

    @property
    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]


@dataclass(frozen=True)
class RenderedTable:
    """A statutory table or performance form, ready for any renderer."""

    key: str
    title: str
    heading: str
    number: int | None = None
    subtitle: str = ""
    captions: tuple[str, ...] = ()
    header: tuple[tuple[Cell, ...], ...] = ()
    rows: tuple[Row, ...] = ()
    note: str = ""
    note_on_top: bool = False
    landscape: bool = False
    explanation: str = ""

    @property
    def is_empty(self) -> bool:
        return all(row.kind == "total" for row in self.rows)

    @property
    def has_merged_cells(self) -> bool:
        return any(cell.colspan > 1 or cell.rowspan > 1 for row in self.rows for cell in row.cells)

    @property
    def html_header(self) -> list[list[tuple[Cell, str, str]]]:
        """Header rows as (cell, id, scope) for accessible HTML: every header cell gets an id
        so that body cells under merged headers can name them (WCAG technique H43)."""
        return [
            [
                (cell, self._header_id(r, c), "colgroup" if cell.colspan > 1 else "col")
                for cell, c in line
            ]
            for r, line in enumerate(place(self.header))
        ]

    @property
    def html_rows(self) -> list[tuple[Row, list[tuple[Cell, str]]]]:
        """Body rows as (row, [(cell, the ids of the header cells above it)])."""
        above = self._headers_above()
        result = []
        for row, line in zip(self.rows, place(tuple(row.cells for row in self.rows)), strict=True):
            cells = []
            for cell, c in line:
                ids = dict.fromkeys(
                    i for col in range(c, c + cell.colspan) for i, _text in above.get(col, [])
                )
                cells.append((cell, " ".join(ids)))
            result.append((row, cells))
        return result

    def _header_id(self, row: int, column: int) -> str:
        return f"{self.key}-h{row}-{column}"

    def _headers_above(self) -> dict[int, list[tuple[str, str]]]:
        """Per grid column, the labelled header cells above it as (id, text), top down;
        the 1 2 3 numbering row labels nothing."""
        above: dict[int, list[tuple[str, str]]] = {}
        for r, line in enumerate(place(self.header)):
            for cell, c in line:
                if cell.text and not cell.text.isdigit():
                    for column in range(c, c + cell.colspan):
                        above.setdefault(column, []).append((self._header_id(r, c), cell.text))
        return above

    @property
    def leaf_labels(self) -> list[str]:
        """One label per column, the header texts above it joined (for CSV and the like)."""
        above = self._headers_above()
        width = max(leaf_count(self.header), leaf_count(row.cells for row in self.rows))
        return ["/".join(text for _id, text in above.get(c, [])) for c in range(width)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: "rows" are the printed strings; where body cells are merged (the forms),
        "cells" gives the same rows with their spans, so the layout can be rebuilt."""
        document = {
            "number": self.number,
            "key": self.key,
            "title": self.title,
            "heading": self.heading,
            "subtitle": self.subtitle,
            "captions": list(self.captions),
            "header": [[cell.as_dict() for cell in header_row] for header_row in self.header],
            "rows": [row.texts for row in self.rows],
            "note": self.note,
            "explanation": self.explanation,
        }
        if self.has_merged_cells:
            document["cells"] = [[cell.as_dict() for cell in row.cells] for row in self.rows]
        return document


# Columns ------------------------------------------------------------------------------

# A column's value: from the row model and the row's ordinal among item rows (None on
# total rows) to the printed text or an amount.
ValueOf = Callable[[Any, int | None], str | Decimal]


@dataclass(frozen=True)
class Column:
    label: str
    value: ValueOf
    numeric: bool = False
    blank_zero: bool = True
    indent_by_level: bool = False
    attr: str = ""  # the model field the column prints, which the workbook import fills

    def cell(self, row: Any, ordinal_number: int | None) -> Cell:
        value = self.value(row, ordinal_number)
        indent = max(getattr(row, "level", 0) - 1, 0) if self.indent_by_level else 0
        if self.numeric:
            text = money.format_amount(value, blank_zero=self.blank_zero)
            return Cell(text, numeric=True, indent=indent, value=value)
        return Cell(str(value), indent=indent)


def text(label: str, attr: str, *, indent_by_level: bool = False) -> Column:
    return Column(
        label, lambda row, _n: getattr(row, attr), indent_by_level=indent_by_level, attr=attr
    )


def amount(label: str, attr: str, *, blank_zero: bool = True) -> Column:
    return Column(
        label, lambda row, _n: getattr(row, attr), numeric=True, blank_zero=blank_zero, attr=attr
    )


def sequence(label: str = "序号") -> Column:
    """The row's number among item rows (1, 2, …); blank on the total row."""
    return Column(label, lambda _row, n: "" if n is None else str(n))


# Header -------------------------------------------------------------------------------


@dataclass(frozen=True)
class H:
    """A header cell; merges are spans, as in HTML."""

    text: str
    colspan: int = 1
    rowspan: int = 1

    def cell(self) -> Cell:
        return Cell(self.text, self.colspan, self.rowspan)


# Row sources --------------------------------------------------------------------------


def related_rows(disclosure: Any, accessor: str) -> list[Any]:
    """Rows of one table in printed order; uses prefetched rows when there are some."""
    return sorted(getattr(disclosure, accessor).all(), key=lambda row: row.position)


@dataclass(frozen=True)
class ListSource:
    """One printed row per model row, in position order; columns map the cells."""

    accessor: str
    columns: tuple[Column, ...]
    is_total: Callable[[Any], bool] = lambda row: row.is_total

    def rows(self, disclosure: Any, key: str) -> list[Row]:
        result, count = [], 0
        for model_row in related_rows(disclosure, self.accessor):
            total = self.is_total(model_row)
            if not total:
                count += 1
            cells = tuple(
                column.cell(model_row, None if total else count) for column in self.columns
            )
            cells = (replace(cells[0], anchor=row_id(key, model_row.key)), *cells[1:])
            kind = "total" if total else getattr(model_row, "row_kind", "item")
            result.append(Row(cells, kind, code=getattr(model_row, "code", "")))
        return result

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def numbered_columns(self) -> tuple[bool, ...]:
        return tuple(column.numeric for column in self.columns)


@dataclass(frozen=True)
class Block:
    """Items printed together on each side of a summary table, numbered one way.

    numbering: "chinese" (一、, continuing along the side across blocks), "paren"
    (（一）, restarting in each block) or None.
    """

    left: tuple[str, ...]
    right: tuple[str, ...] = ()
    numbering: str | None = None
    # The total item (on the same side) that this block's items add up to: the items of
    # 一、 add to 本年收入合计; 本年收入合计 and the carried items add to 收入总计.
    sums_into: str | None = None
    # (income side, expense side) wording of the rule that makes this block's total item,
    # as findings print it: "各项收入之和".
    rules: tuple[str, ...] = ()
    # Whether the table must print these items even when they are zero (FIXED_ITEMS).
    required: bool = True


@dataclass(frozen=True)
class SummarySource:
    """A fixed-item table (1, 2, 4): label and amount, on one side or two side by side.

    Blocks line up: each block takes as many printed rows as its longer side needs.
    """

    accessor: str
    blocks: tuple[Block, ...]
    two_sided: bool = True

    @property
    def width(self) -> int:
        return 4 if self.two_sided else 2

    @property
    def numbered_columns(self) -> tuple[bool, ...]:
        return (False,) * self.width

    def rows(self, disclosure: Any, key: str) -> list[Row]:
        model_rows = related_rows(disclosure, self.accessor)
        if self.two_sided:
            sides = [
                [row for row in model_rows if row.side == "income"],
                [row for row in model_rows if row.side == "expense"],
            ]
        else:
            sides = [model_rows]
        counters = [0] * len(sides)
        result = []
        for block in self.blocks:
            columns = []
            for index, items in enumerate((block.left, block.right)[: len(sides)]):
                members = [row for row in sides[index] if row.item in items]
                cells = []
                for position, row in enumerate(members, start=1):
                    if block.numbering == "chinese":
                        counters[index] += 1
                        prefix = ordinal(counters[index], "chinese")
                    elif block.numbering == "paren":
                        prefix = ordinal(position, "paren")
                    else:
                        prefix = ""
                    cells.append(
                        (
                            Cell(prefix + row.label, anchor=row_id(key, row.key)),
                            Cell(
                                money.format_amount(row.amount, blank_zero=True),
                                numeric=True,
                                value=row.amount,
                            ),
                        )
                    )
                columns.append(cells)
                codes = [row.subject_code for row in members]
            kind = "item" if block.numbering else "total"
            for line in range(max(len(column) for column in columns)):
                cells = []
                for column in columns:
                    cells.extend(
                        column[line] if line < len(column) else (Cell(), Cell(numeric=True))
                    )
                code = codes[line] if line < len(codes) else ""
                result.append(Row(tuple(cells), kind, code=code))
        return result


# Structure -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSum:
    """Within every row: the `whole` column is the sum of the `parts` columns."""

    whole: str
    parts: tuple[str, ...]
    rule: str = ""  # how findings word it; by default the parts' names joined with ＋


class Shape:
    """What a table's rows are, which decides how its columns add up."""

    SUMMARY = "summary"  # fixed items (tables 1, 2, 4): totals of items
    SUBJECTS = "subjects"  # catalogue subjects: 类/款 rows sum the rows below, 总计 the 类
    UNITS = "units"  # budget units: a unit with units below it, the department, 总计


# The spec -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    header: tuple[tuple[H, ...], ...]
    source: ListSource | SummarySource
    numbered: bool = True  # a row of column numbers (1 2 3 …) under the header
    note_on_top: bool = False
    landscape: bool = False
    shape: str = Shape.SUBJECTS
    # The catalogue its subject column names: "function", "economic", or None.
    catalogue: str | None = None
    # Within-row sums; a 合计 column and its parts.
    row_sums: tuple[RowSum, ...] = ()

    @property
    def money(self) -> tuple[str, ...]:
        """The model fields of its amount columns."""
        if isinstance(self.source, SummarySource):
            return ("amount",)
        return tuple(column.attr for column in self.source.columns if column.numeric)

    @property
    def derived_columns(self) -> frozenset[str]:
        """Columns every row computes from its other columns."""
        return frozenset(rule.whole for rule in self.row_sums)

    def sides(self) -> tuple[str | None, ...]:
        """The sides of a summary table: ("income", "expense"), or (None,) for one side."""
        return ("income", "expense") if self.source.two_sided else (None,)

    def side_items(self, side: str | None) -> list[tuple[Block, str]]:
        """(block, item) on one side of a summary table, in printed order."""
        index = 1 if side == "expense" else 0
        return [
            (block, item)
            for block in self.source.blocks
            for item in (block.left, block.right)[index]
        ]

    def fixed_items(self, classes: list[str]) -> list[tuple[str | None, str, str]]:
        """(side, item, subject code) that a summary table prints even when zero: its
        required items, and on the expense side one row per function 类 in `classes`."""
        from disclosures.models import SummaryItem

        result = []
        for side in self.sides():
            for block, item in self.side_items(side):
                if not block.required:
                    continue
                if item == SummaryItem.FUNCTION_CLASS:
                    result += [(side, item, code) for code in classes]
                else:
                    result.append((side, item, ""))
        return result

    def heading(self, number: int | None) -> str:
        return f"表{chinese_number(number)}、{self.title}" if number else str(self.title)

    def header_cells(self) -> tuple[tuple[Cell, ...], ...]:
        rows = tuple(tuple(h.cell() for h in header_row) for header_row in self.header)
        if self.numbered:
            numbers, n = [], 0
            for is_numbered in self.source.numbered_columns:
                if is_numbered:
                    n += 1
                    numbers.append(Cell(str(n)))
                else:
                    numbers.append(Cell())
            rows += (tuple(numbers),)
        return rows

    def render(
        self,
        disclosure: Any,
        *,
        number: int | None = None,
        explanations: dict[str, str] | None = None,
    ) -> RenderedTable:
        return RenderedTable(
            key=str(self.key),
            title=str(self.title),
            heading=self.heading(number),
            number=number,
            captions=(disclosure.department.name, UNIT_LINE),
            header=self.header_cells(),
            rows=tuple(self.source.rows(disclosure, str(self.key))),
            note=NOTE,
            note_on_top=self.note_on_top,
            landscape=self.landscape,
            explanation=(explanations or {}).get(self.key, ""),
        )


def place(rows: Iterable[Iterable[Any]]) -> list[list[tuple[Any, int]]]:
    """Each cell (anything with colspan and rowspan) with the first grid column it takes,
    skipping columns that a cell above still covers with its rowspan."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c, line = 0, []
        for cell in row:
            while (r, c) in taken:
                c += 1
            line.append((cell, c))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        placed.append(line)
    return placed


def leaf_count(rows: Iterable[Iterable[Any]]) -> int:
    """Grid columns that rows of cells (header cells, or a table's body) cover."""
    return max(
        (c + cell.colspan for line in place(rows) for cell, c in line),
        default=0,
    )
