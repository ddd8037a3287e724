"""Opening an uploaded workbook safely: what it is, how big it is, and nothing inside it
runs. Every refusal says why in Chinese; a refused file is never parsed further."""

import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.workbook.workbook import Workbook

from .grid import Grid, read_grid
from .problems import Problem, WorkbookError

# Limits for one upload. A Linxia workbook is about 40 KB and 1 MB uncompressed; a
# department with 30 units and 200 projects about 0.4 MB and 6 MB.
MAX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed to compressed, per member larger than 1 MB
MAX_MEMBERS = 2000
MAX_SHEETS = 1000
MAX_ROWS = 20000
MAX_COLUMNS = 200

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass
class Opened:
    """Every sheet read once, as a Grid (values Excel last saved, merged cells filled), and
    the cells whose value Excel computed from a formula."""

    grids: list[Grid] = field(default_factory=list)
    formulas: dict[str, list[str]] = field(default_factory=dict)  # sheet title -> cells
    uncached: dict[str, list[str]] = field(default_factory=dict)  # formulas never computed


def _refuse(message: str) -> WorkbookError:
    return WorkbookError(Problem(message))


def _check_container(data: bytes, filename: str) -> zipfile.ZipFile:
    if len(data) > MAX_BYTES:
        raise _refuse(
            f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 {MAX_BYTES // 1024 // 1024} MB。"
        )
    if filename.lower().endswith(".xlsm"):
        raise _refuse(
            "不接受含宏的工作簿（.xlsm）。请在 Excel 中另存为“Excel 工作簿（.xlsx）”后上传。"
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_INFO in data:
            raise _refuse(
                "工作簿已加密（设置了打开密码），无法读取。请取消密码后另存为 .xlsx 上传。"
            )
        raise _refuse("这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后上传。")
    if not data.startswith(b"PK"):
        raise _refuse("文件不是 Excel 工作簿（.xlsx）。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _refuse("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏。") from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise _refuse("文件不是 Excel 工作簿（.xlsx）：压缩包中没有 xl/workbook.xml。")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("工作簿含有宏（VBA），出于安全考虑不予导入。请另存为不含宏的 .xlsx 后上传。")
    if len(members) > MAX_MEMBERS:
        raise _refuse(f"工作簿内部文件 {len(members)} 个，超过上限 {MAX_MEMBERS} 个。")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED:
        raise _refuse(
            f"工作簿解压后 {total / 1024 / 1024:.0f} MB，超过上限 "
            f"{MAX_UNCOMPRESSED // 1024 // 1024} MB（疑似压缩炸弹）。"
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise _refuse(
                f"工作簿内部文件 {member.filename} 压缩比超过 {MAX_RATIO}:1（疑似压缩炸弹）。"
            )
    return archive


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with archive.open(name) as sheet:
                while chunk := sheet.read(1024 * 1024):
                    if b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk:
                        return True
    return False


def _load(data: bytes, *, data_only: bool) -> Workbook:
    """Read-only: cells are streamed and neither styles nor merged cells are bound, which
    is most of openpyxl's time on a workbook of two hundred forms."""
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, rich_text=False
        )
    except WorkbookError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _refuse(f"工作簿无法读取，可能已损坏（{type(error).__name__}）。") from error


def _damaged(error: Exception) -> WorkbookError:
    return _refuse(f"工作簿无法读取，可能已损坏（{type(error).__name__}）。")


def _rows(sheet) -> list[list]:
    """A sheet's values, refusing one too large to be a statutory table."""
    sheet.reset_dimensions()  # the stored dimension may be wrong; read what is there
    rows = []
    for values in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_ROWS or len(values) > MAX_COLUMNS:
            raise WorkbookError(
                Problem(f"工作表过大，上限为 {MAX_ROWS} 行 × {MAX_COLUMNS} 列。", sheet.title)
            )
        rows.append(list(values))
    return rows


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's part in the archive, by title, as the workbook's relationships name
    it: a read-only worksheet lists no merged cells, so _merged reads its XML."""
    parser = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
    parser.parse()
    return {sheet.name: rel.target for sheet, rel in parser.find_sheets()}


def _merged(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    """A sheet's merged ranges, from its XML."""
    if not path:
        return []
    with archive.open(path) as source:
        return [ref.decode() for ref in _MERGE.findall(source.read())]


def _formula_cells(data: bytes) -> dict[str, list[tuple[str, int, int]]]:
    book = _load(data, data_only=False)
    try:
        found = {}
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            cells = [
                (cell.coordinate, cell.row, cell.column)
                for row in sheet.iter_rows()
                for cell in row
                if cell.data_type == "f"
            ]
            if cells:
                found[sheet.title] = cells
        return found
    finally:
        book.close()


def open_workbook(data: bytes, filename: str = "") -> Opened:
    """Check the file, then read every sheet with Excel's cached values. Formula cells are
    listed so the importer can warn that it used the values Excel last computed."""
    archive = _check_container(data, filename)
    try:
        formulas = _formula_cells(data) if _has_formulas(archive) else {}
        book = _load(data, data_only=True)
        parts = _sheet_parts(archive)
    except WorkbookError:
        raise
    except Exception as error:
        raise _damaged(error) from error
    try:
        if len(book.worksheets) > MAX_SHEETS:
            raise _refuse(f"工作簿有 {len(book.worksheets)} 张工作表，超过上限 {MAX_SHEETS} 张。")
        opened = Opened(formulas={t: [c for c, _r, _c in cells] for t, cells in formulas.items()})
        for sheet in book.worksheets:
            try:
                rows = _rows(sheet)
                merged = _merged(archive, parts.get(sheet.title))
            except WorkbookError:
                raise
            except Exception as error:  # a damaged sheet
                raise _damaged(error) from error
            opened.grids.append(read_grid(sheet.title, rows, merged))
            missing = [
                coordinate
                for coordinate, r, c in formulas.get(sheet.title, [])
                if r > len(rows) or c > len(rows[r - 1]) or rows[r - 1][c - 1] is None
            ]
            if missing:
                opened.uncached[sheet.title] = missing
        return opened
    finally:
        book.close()


def first_sheet_rows(data: bytes, filename: str = "") -> list[tuple[int, list]]:
    """The first sheet's non-blank rows, after open_workbook's checks, as (the sheet's row
    number, values by the sheet's columns: blank columns put back so that a column letter
    in a message is the sheet's). For the flat files: roster, catalogue, 批复日期."""
    opened = open_workbook(data, filename)
    if not opened.grids:
        return []
    grid = opened.grids[0]
    width = max(grid.columns, default=0)
    rows = []
    for line in grid.lines:
        values = [None] * width
        for column, value in zip(grid.columns, line.values, strict=True):
            values[column - 1] = value
        rows.append((line.row, values))
    return rows
