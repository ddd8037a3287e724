"""The statutory workbook: one sheet per table and per performance form, laid out like
the printed document and ready to print.

Every sheet is drawn from the same RenderedTable the page and the PDF print, so the
workbook shows exactly what the paper shows. Amounts are written as numbers (the exact
stored amount, shown with two decimals); blank cells stay blank. What a table does not
print but an import needs to give back the same disclosure (the subject code of a
table that prints names only, a project's category) sits in a hidden column outside the
print area.
"""

import io
import math
import unicodedata
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from disclosures.models import Disclosure
from disclosures.numerals import chinese_number
from disclosures.rendering.exports import FORMULA_STARTS
from disclosures.specs import RenderedTable, performance_forms, statutory_tables
from disclosures.specs.base import Cell, leaf_count, place

CODE_HEADER = "科目编码"
CATEGORY_HEADER = "项目类别"
EXPLANATION_PREFIX = "空表说明："
DEPARTMENT_FORM_SHEET = "部门整体支出绩效目标表"
PROJECT_LIST_SHEET = "项目支出绩效目标表（汇总）"

BODY_FONT = Font(name="宋体", size=10)
BOLD_FONT = Font(name="宋体", size=10, bold=True)
TITLE_FONT = Font(name="黑体", size=16, bold=True)
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
AMOUNT_FORMAT = "0.00"
A4 = "9"
LINE_HEIGHT = 13.5  # points per line of 10-point text
DEFAULT_HEIGHT = 15


def project_sheet_name(position: int) -> str:
    return f"项目{position}"


def table_sheet_name(number: int) -> str:
    return f"表{chinese_number(number)}"


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: two for a CJK character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def put(sheet: Worksheet, row: int, column: int, value, *, font=BODY_FONT, align=None):
    """Write one cell. Text is always text: a text that starts like a formula (= + - @)
    is stored as a string with Excel's quote prefix, so it can never run as one."""
    target = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        target.value = value
        if value.startswith(FORMULA_STARTS):
            target.data_type = "s"
            target.quotePrefix = True
    else:
        target.value = value
    target.font = font
    if align is not None:
        target.alignment = align
    return target


def merge(sheet: Worksheet, row: int, column: int, rowspan: int, colspan: int) -> None:
    if rowspan > 1 or colspan > 1:
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rowspan - 1,
            end_column=column + colspan - 1,
        )


def grid_border(sheet: Worksheet, first: int, last: int, width: int) -> None:
    for line in sheet.iter_rows(min_row=first, max_row=last, max_col=width):
        for cell in line:
            cell.border = GRID


class SheetWriter:
    """Lays one RenderedTable out on a sheet, top to bottom."""

    def __init__(self, sheet: Worksheet, table: RenderedTable, *, amount_format: str):
        self.sheet = sheet
        self.table = table
        self.amount_format = amount_format
        self.width = max(leaf_count(table.header), leaf_count(row.cells for row in table.rows), 2)
        self.row = 1
        self.widths = [0] * self.width
        self.texts: list[tuple[int, int, Cell]] = []  # for row heights, once widths are known

    def full_width_line(
        self, text: str, *, font=BODY_FONT, height=None, wrap=False, center=False
    ) -> None:
        align = Alignment(horizontal="left", vertical="center", wrap_text=wrap)
        if font is TITLE_FONT or center:
            align = Alignment(horizontal="center", vertical="center", wrap_text=True)
        put(self.sheet, self.row, 1, text, font=font, align=align)
        merge(self.sheet, self.row, 1, 1, self.width)
        if height:
            self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def captions(self) -> None:
        left, *rest = self.table.captions
        put(self.sheet, self.row, 1, left, align=Alignment(horizontal="left"))
        if self.width > 2:
            merge(self.sheet, self.row, 1, 1, self.width - 1)
        for text in rest:
            put(self.sheet, self.row, self.width, text, align=Alignment(horizontal="right"))
        self.row += 1

    def grid(self, lines: Iterable[Iterable[Cell]], *, header: bool) -> tuple[int, int]:
        lines = tuple(tuple(line) for line in lines)
        first = self.row
        for line in place(lines):
            for cell, c in line:
                self.cell(cell, self.row, c + 1, header=header)
            self.row += 1
        return first, self.row - 1

    def cell(self, cell: Cell, row: int, column: int, *, header: bool) -> None:
        if cell.numeric:
            value = None if cell.text == "" else cell.value
            if isinstance(value, Decimal) and cell.text:
                target = put(self.sheet, row, column, value, align=Alignment(horizontal="right"))
                target.number_format = self.amount_format
            else:
                put(self.sheet, row, column, None)
        else:
            align = Alignment(
                horizontal="center" if header or cell.vertical else "left",
                vertical="center",
                wrap_text=True,
                indent=cell.indent * 2,
                text_rotation=255 if cell.vertical else 0,
            )
            put(self.sheet, row, column, cell.text, font=BOLD_FONT if header else BODY_FONT,
                align=align)  # fmt: skip
        merge(self.sheet, row, column, cell.rowspan, cell.colspan)
        if cell.text and not cell.numeric:
            self.texts.append((row, column, cell))
        if cell.colspan == 1 and not cell.vertical:
            longest = max((display_width(line) for line in cell.text.splitlines()), default=0)
            self.widths[column - 1] = max(
                self.widths[column - 1], longest + 2 * cell.indent + 2, 12 if cell.numeric else 0
            )

    def hidden_column(self, header: str, first_body: int, values: list[str]) -> None:
        """A column past the print area, hidden, that only the importer reads."""
        column = self.width + 1
        put(self.sheet, first_body - 1, column, header, font=BOLD_FONT)
        for offset, value in enumerate(values):
            if value:
                put(self.sheet, first_body + offset, column, value)
        self.sheet.column_dimensions[get_column_letter(column)].hidden = True

    def row_heights(self, widths: list[float]) -> None:
        """Tall enough for wrapped text (merged cells included, which Excel never fits by
        itself) and for text set vertically."""
        needed: dict[int, float] = {}
        for row, column, cell in self.texts:
            if cell.vertical:
                height = LINE_HEIGHT * len(cell.text)
            else:
                room = max(sum(widths[column - 1 : column - 1 + cell.colspan]) - 1, 1)
                lines = sum(
                    max(1, math.ceil(display_width(line) / room)) for line in cell.text.splitlines()
                )
                height = LINE_HEIGHT * lines + 3
            for r in range(row, row + cell.rowspan):
                needed[r] = max(needed.get(r, 0), height / cell.rowspan)
        for r, height in needed.items():
            if height > DEFAULT_HEIGHT:
                self.sheet.row_dimensions[r].height = round(height, 1)

    def finish(self, *, header_rows: tuple[int, int] | None, last_row: int) -> None:
        sheet = self.sheet
        widths = [min(max(width, 6), 60) for width in self.widths]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.row_heights(widths)
        sheet.print_area = f"A1:{get_column_letter(self.width)}{last_row}"
        if header_rows:
            sheet.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
            sheet.freeze_panes = f"A{header_rows[1] + 1}"
        setup = sheet.page_setup
        setup.orientation = "landscape" if self.table.landscape else "portrait"
        setup.paperSize = A4
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_table(sheet: Worksheet, table: RenderedTable) -> None:
    """A statutory table: heading, department and 单位：万元, header, rows, 备注."""
    writer = SheetWriter(sheet, table, amount_format=AMOUNT_FORMAT)
    writer.full_width_line(table.heading, font=TITLE_FONT, height=30)
    writer.captions()
    if table.note_on_top:
        writer.full_width_line(table.note)
    header = writer.grid(table.header, header=True)
    first_body, last_body = writer.grid((row.cells for row in table.rows), header=False)
    grid_border(sheet, header[0], last_body, writer.width)
    if not table.note_on_top:
        writer.full_width_line(table.note)
    if table.explanation:
        writer.full_width_line(EXPLANATION_PREFIX + table.explanation, wrap=True)
    codes = [row.code for row in table.rows]
    if any(codes) and not any(label.endswith(CODE_HEADER) for label in table.leaf_labels):
        writer.hidden_column(CODE_HEADER, first_body, codes)
    writer.finish(header_rows=header, last_row=writer.row - 1)


def write_form(sheet: Worksheet, table: RenderedTable) -> None:
    """A performance form: heading, year, then its grid of merged cells."""
    writer = SheetWriter(sheet, table, amount_format="General")
    writer.full_width_line(table.heading, font=TITLE_FONT, height=30)
    writer.full_width_line(table.subtitle, center=True)
    first, last = writer.grid((row.cells for row in table.rows), header=False)
    grid_border(sheet, first, last, writer.width)
    writer.widths = [10, 14, 24, 24, 24, 30][: writer.width]
    writer.finish(header_rows=None, last_row=last)


def write_project_list(sheet: Worksheet, table: RenderedTable, categories: dict[str, str]) -> None:
    """The one-list layout of seed 000, with the projects' categories in a hidden column."""
    writer = SheetWriter(sheet, table, amount_format=AMOUNT_FORMAT)
    writer.full_width_line(table.heading, font=TITLE_FONT, height=30)
    writer.captions()
    header = writer.grid(table.header, header=True)
    first_body, last_body = writer.grid((row.cells for row in table.rows), header=False)
    grid_border(sheet, header[0], last_body, writer.width)
    writer.hidden_column(
        CATEGORY_HEADER,
        first_body,
        [categories.get(row.cells[0].text, "") if row.kind == "item" else "" for row in table.rows],
    )
    writer.widths = [30, 12, 12, 12, 12, 40, 60][: writer.width]
    writer.finish(header_rows=header, last_row=last_body)


@translation.override("zh-hans")
def workbook_bytes(disclosure: Disclosure) -> bytes:
    """The disclosure (fetched with_contents) as a statutory .xlsx."""
    book = Workbook()
    book.remove(book.active)
    for table in statutory_tables(disclosure):
        write_table(book.create_sheet(table_sheet_name(table.number)), table)
    forms = performance_forms(disclosure)
    if forms["department_form"] is not None:
        write_form(book.create_sheet(DEPARTMENT_FORM_SHEET), forms["department_form"])
    projects = sorted(disclosure.projects.all(), key=lambda p: p.position)
    for project, form in zip(projects, forms["project_forms"], strict=True):
        write_form(book.create_sheet(project_sheet_name(project.position)), form)
    if forms["project_list"] is not None:
        categories = {p.name: p.get_category_display() for p in projects if p.category}
        write_project_list(book.create_sheet(PROJECT_LIST_SHEET), forms["project_list"], categories)
    stamp = disclosure.published_at or disclosure.updated_at
    if stamp is not None:
        book.properties.created = book.properties.modified = stamp.replace(tzinfo=None)
    book.properties.creator = "部门预算公开平台"
    book.properties.title = disclosure.file_stem
    out = io.BytesIO()
    # ExcelWriter rather than book.save(), which would stamp the properties with the clock
    ExcelWriter(book, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED)).save()
    return reproducible(out.getvalue(), stamp)


EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def reproducible(data: bytes, stamp: datetime | None) -> bytes:
    """The same bytes for the same revision, so that its SHA-256 means something: openpyxl
    dates every zip member by the clock; here they are dated by the revision instead."""
    when = EARLIEST_ZIP_TIME
    if stamp is not None:
        when = max(timezone.localtime(stamp).timetuple()[:6], EARLIEST_ZIP_TIME)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            dated = zipfile.ZipInfo(member.filename, date_time=when)
            dated.compress_type = zipfile.ZIP_DEFLATED
            dated.external_attr = member.external_attr
            target.writestr(dated, source.read(member))
    return out.getvalue()
