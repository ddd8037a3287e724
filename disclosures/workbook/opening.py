"""Opening an uploaded workbook safely: what it is, how big it is, and nothing inside it
runs. Every refusal says why in Chinese; a refused file is never parsed further."""

import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from openpyxl.workbook.workbook import Workbook

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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass
class Opened:
    """The workbook's cached values, and the cells whose value Excel computed."""

    book: Workbook
    formulas: dict[str, list[str]] = field(default_factory=dict)  # sheet title -> cells


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
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only, rich_text=False)
    except WorkbookError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _refuse(f"工作簿无法读取，可能已损坏（{type(error).__name__}）。") from error


def open_workbook(data: bytes, filename: str = "") -> Opened:
    """Check the file, then load it with Excel's cached values. Formula cells are listed so
    the importer can warn that it used the values Excel last computed."""
    archive = _check_container(data, filename)
    book = _load(data, data_only=True)
    if len(book.worksheets) > MAX_SHEETS:
        raise _refuse(f"工作簿有 {len(book.worksheets)} 张工作表，超过上限 {MAX_SHEETS} 张。")
    for sheet in book.worksheets:
        if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
            raise WorkbookError(
                Problem(
                    f"工作表过大（{sheet.max_row} 行 × {sheet.max_column} 列），"
                    f"上限为 {MAX_ROWS} 行 × {MAX_COLUMNS} 列。",
                    sheet.title,
                )
            )
    opened = Opened(book)
    if _has_formulas(archive):
        formulas = _load(data, data_only=False)
        for sheet in formulas.worksheets:
            cells = [
                cell.coordinate
                for row in sheet.iter_rows()
                for cell in row
                if cell.data_type == "f"
            ]
            if cells:
                opened.formulas[sheet.title] = cells
    return opened
