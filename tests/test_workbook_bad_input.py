"""Bad workbooks: a corpus of malformed files, each built here from a real export and
refused with a Chinese message naming the sheet and cell, leaving the database as it was;
and fuzzed cell values, where nothing but that refusal ever escapes."""

import copy
import datetime
import io
import os
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook
from workbooks import LINXIA, content_of, exported, find, load, save

from disclosures.management.commands.import_workbook import Command as ImportCommand
from disclosures.models import Disclosure, GeneralExpenseRow
from disclosures.workbook import WorkbookError, apply_import, opening, plan_import

pytestmark = pytest.mark.django_db

SIX = "表六"  # A9 2010101, B9 行政运行, C9 合计 697.07, D9 基本支出 697.07
SIX_XML = "xl/worksheets/sheet6.xml"  # the export writes the sheets in order
PASSWORD = "临夏2024"
CJK = re.compile(r"[\u4e00-\u9fff]")


# Building the corpus ---------------------------------------------------------------------


class Export(bytes):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"<export of {len(self)} bytes>"


@pytest.fixture(scope="module")
def export(django_db_blocker) -> Export:
    """The published Linxia workbook, which the correction draft (linxia_draft) copies:
    imported into the draft unchanged, it changes nothing."""
    with django_db_blocker.unblock():
        return Export(exported(Disclosure.objects.get(department__name=LINXIA, revision=1)))


def edited(data: bytes, edit: Callable[[Workbook], None]) -> bytes:
    book = load(data)
    edit(book)
    return save(book)


def set_cell(sheet: str, cell: str, value, **more) -> Callable[[Workbook], None]:
    """Sets a cell, and any more given by coordinate: set_cell(SIX, "A2", "…", E2=None)."""

    def edit(book: Workbook) -> None:
        for coordinate, new in {cell: value, **more}.items():
            book[sheet][coordinate] = new

    return edit


def rezipped(data: bytes, *, replace: dict[str, bytes] | None = None, add=()) -> bytes:
    """The workbook's zip written again, some members replaced and others added."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(member, replace.get(member.filename, source.read(member.filename)))
        for name, content in add:
            target.writestr(name, content)
    return out.getvalue()


def with_formulas(data: bytes, cells: dict[str, str]) -> bytes:
    """表六 with formulas in these cells: coordinate → the cell's inner XML, as Excel (which
    keeps the value it last computed in <v>) or another program (which may not) writes it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SIX_XML).decode()
    assert "表六、一般公共预算支出情况表" in xml
    for coordinate, inner in cells.items():
        xml, found = re.subn(
            rf'<c r="{coordinate}"([^>]*?)(?:/>|>.*?</c>)',
            lambda match, inner=inner, coordinate=coordinate: (
                f'<c r="{coordinate}"{match.group(1)}>{inner}</c>'
            ),
            xml,
        )
        assert found == 1, coordinate
    return rezipped(data, replace={SIX_XML: xml.encode()})


def encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(PASSWORD, out)
    return out.getvalue()


def in_yuan(sheet: str, *, then: dict[str, object]) -> Callable[[Workbook], None]:
    """A table restated in 元 (the unit line and every amount), then some cells set."""

    def edit(book: Workbook) -> None:
        table = book[sheet]
        find(table, "单位：万元").value = "单位：元"
        for row in table.iter_rows(min_row=6):
            for cell in row[2:]:
                if isinstance(cell.value, int | float):
                    cell.value = round(Decimal(str(cell.value)) * 10000)
        for coordinate, value in then.items():
            table[coordinate] = value

    return edit


# Importing and watching the database -------------------------------------------------------


def snapshot(draft: Disclosure) -> tuple:
    return (
        content_of(draft),
        Disclosure.objects.get(pk=draft.pk).version,
        Disclosure.objects.count(),
    )


def refused(data: bytes, draft: Disclosure, *, kind: str = "budget", filename: str = "") -> str:
    """Attempts the whole import (plan, then apply); returns the refusal, having checked
    that nothing was saved."""
    before = snapshot(draft)
    with pytest.raises(WorkbookError) as error:
        plan = plan_import(
            data, department=draft.department, year=2024, kind=kind, filename=filename
        )
        apply_import(plan)
    assert snapshot(draft) == before
    message = str(error.value)
    assert all(CJK.search(problem.message) for problem in error.value.problems), message
    return message


def total_2010101(draft: Disclosure) -> Decimal:
    return GeneralExpenseRow.objects.get(disclosure=draft, code="2010101").total


# The corpus: one case per kind of bad input ------------------------------------------------

NOT_A_WORKBOOK = {
    "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "文件不是 Excel 工作簿（.xlsx）。"),
    "csv": ("科目编码,科目名称,合计\n2010101,行政运行,697.07\n".encode(), "文件不是 Excel 工作簿（.xlsx）。"),
    "empty": (b"", "文件不是 Excel 工作簿（.xlsx）。"),
    "xls": (opening.OLE_MAGIC + bytes(4096), "这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后上传。"),
}  # fmt: skip


@pytest.mark.parametrize("kind", NOT_A_WORKBOOK)
def test_a_file_that_is_not_an_xlsx_is_refused(linxia_draft, kind):
    data, message = NOT_A_WORKBOOK[kind]
    assert refused(data, linxia_draft, filename=f"linxia.{kind}") == message


def test_a_truncated_xlsx_is_refused_as_damaged(linxia_draft, export):
    assert (
        refused(export[: len(export) // 2], linxia_draft)
        == "文件不是有效的 Excel 工作簿（.xlsx），可能已损坏。"
    )


def test_a_zip_that_is_not_a_workbook_is_refused(linxia_draft):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert (
        refused(out.getvalue(), linxia_draft)
        == "文件不是 Excel 工作簿（.xlsx）：压缩包中没有 xl/workbook.xml。"
    )


def test_a_workbook_with_damaged_xml_is_refused(linxia_draft, export):
    data = rezipped(export, replace={"xl/workbook.xml": b"<workbook><sheets>"})
    assert refused(data, linxia_draft).startswith("工作簿无法读取，可能已损坏（")


def test_a_workbook_with_macros_is_refused(linxia_draft, export):
    data = rezipped(export, add=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])
    assert (
        refused(data, linxia_draft)
        == "工作簿含有宏（VBA），出于安全考虑不予导入。请另存为不含宏的 .xlsx 后上传。"
    )


def test_an_xlsm_file_is_refused_by_its_name(linxia_draft, export):
    assert refused(export, linxia_draft, filename="临夏.XLSM") == (
        "不接受含宏的工作簿（.xlsm）。请在 Excel 中另存为“Excel 工作簿（.xlsx）”后上传。"
    )


def test_an_encrypted_workbook_is_refused(linxia_draft, export):
    data = encrypted(export)
    assert data.startswith(opening.OLE_MAGIC)
    assert refused(data, linxia_draft) == (
        "工作簿已加密（设置了打开密码），无法读取。请取消密码后另存为 .xlsx 上传。"
    )


def test_a_file_over_the_size_limit_is_refused(linxia_draft, export, monkeypatch):
    monkeypatch.setattr(opening, "MAX_BYTES", 1024 * 1024)
    picture = os.urandom(3 * 512 * 1024)  # 1.5 MB that no compression shrinks
    data = rezipped(export, add=[("xl/media/image1.png", picture)])
    assert len(data) > 1024 * 1024
    assert refused(data, linxia_draft) == "文件大小 1.5 MB，超过上限 1 MB。"


def test_a_zip_bomb_member_is_refused_by_its_compression_ratio(linxia_draft, export):
    data = rezipped(export, add=[("xl/media/zeros.bin", bytes(8 * 1024 * 1024))])
    assert len(data) < 200 * 1024  # small to upload, 8 MB to read
    assert refused(data, linxia_draft) == (
        "工作簿内部文件 xl/media/zeros.bin 压缩比超过 200:1（疑似压缩炸弹）。"
    )


def test_a_zip_bomb_is_refused_by_its_uncompressed_size(linxia_draft, export, monkeypatch):
    monkeypatch.setattr(opening, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    # members each small enough to pass the ratio check, together over the limit
    members = [(f"xl/media/zeros{i}.bin", bytes(1024 * 1024)) for i in range(3)]
    assert refused(rezipped(export, add=members), linxia_draft) == (
        "工作簿解压后 3 MB，超过上限 2 MB（疑似压缩炸弹）。"
    )


def test_overlapping_merges_are_refused_before_filling_them(linxia_draft, export, monkeypatch):
    """Filling a merged range costs its area; thousands of overlapping sheet-wide merges
    would keep a worker busy for minutes. Their total area is bounded."""
    from disclosures.workbook import grid

    monkeypatch.setattr(grid, "MAX_MERGED_AREA", 500)

    with zipfile.ZipFile(io.BytesIO(export)) as archive:
        xml = archive.read(SIX_XML)
    extra = b"".join(b'<mergeCell ref="A1:E22"/>' for _ in range(20))
    xml = xml.replace(b"</mergeCells>", extra + b"</mergeCells>")
    assert refused(rezipped(export, replace={SIX_XML: xml}), linxia_draft) == (
        "工作表“表六”：合并单元格过多，不像是公开表。"
    )


def test_formulas_are_imported_as_their_cached_values_with_a_warning(linxia_draft, export):
    # Excel kept 700 and 697.07; the formulas themselves would give 3 and 697.07.
    data = with_formulas(
        export,
        {"C9": "<f>SUM(1,2)</f><v>700</v>", "D9": "<f>C9-0</f><v>697.07</v>"},
    )
    plan = plan_import(data, department=linxia_draft.department, year=2024)
    assert "工作表“表六”有 2 个公式单元格（C9、D9），已按 Excel 保存的计算结果导入。" in (
        plan.warnings
    )
    assert [line for change in plan.changes for line in change.changed] == [
        "2010101 行政运行：合计 697.07 → 700"
    ]
    apply_import(plan)
    assert total_2010101(linxia_draft) == 700


def test_a_formula_without_a_cached_value_is_refused(linxia_draft, export):
    data = with_formulas(export, {"C9": "<f>SUM(C10:C13)</f>"})
    assert refused(data, linxia_draft) == (
        "工作表“表六”，单元格 C9：公式没有保存计算结果（文件可能由其他程序生成）。"
        "请在 Excel 中打开、保存后再导入。"
    )


def without_second_level_of_second_indicator(book: Workbook) -> None:
    cell = book["项目支出绩效目标表（汇总）"]["G6"]
    cell.value = cell.value.replace("；数量指标", "", 1)


BAD_CELLS = {
    "text in a number cell": (
        set_cell(SIX, "C9", "六百九十七"),
        "工作表“表六”，单元格 C9：“六百九十七”不是金额",
    ),
    "a date in a number cell": (
        set_cell(SIX, "C9", datetime.date(2024, 1, 1)),
        "工作表“表六”，单元格 C9：“2024-01-01”不是金额",
    ),
    "a negative amount": (
        set_cell(SIX, "C9", -697.07),
        "工作表“表六”，单元格 C9：金额 -697.07 为负数，预算金额不能为负",
    ),
    "a negative amount as text": (
        set_cell(SIX, "D9", "－697.07"),
        "工作表“表六”，单元格 D9：金额 －697.07 为负数，预算金额不能为负",
    ),
    "an amount finer than the 分 in 万元": (
        set_cell(SIX, "C9", 1.0000001),
        "工作表“表六”，单元格 C9：金额 1.0000001 万元超过六位小数（精确到分以下）",
    ),
    "an amount finer than the 分 in 元": (
        in_yuan("表七", then={"C9": 2613700.125}),
        "工作表“表七”，单元格 C9：金额 2613700.125 元精确到分以下（超过两位小数）",
    ),
    "an amount too large to store": (
        set_cell(SIX, "C9", 1e30),
        "工作表“表六”，单元格 C9：金额 1e+30 过大",
    ),
    "an unknown unit": (
        set_cell(SIX, "E2", "单位：千元"),
        "工作表“表六”，单元格 E2：金额单位“千元”无法识别，应为万元或元。",
    ),
    "an unknown unit within the department's cell": (
        set_cell(SIX, "A2", f"{LINXIA}（单位：千元）", E2=None),
        "工作表“表六”，单元格 A2：金额单位“千元”无法识别，应为万元或元。",
    ),
    "units that disagree": (
        set_cell(SIX, "A1", "表六、一般公共预算支出情况表（单位：元）"),
        "工作表“表六”：金额单位前后不一：单元格 E2 为万元，单元格 A1 为元。",
    ),
    "a project name wrapped onto a row of its own": (
        set_cell("项目支出绩效目标表（汇总）", "A11", "（二期）"),
        "工作表“项目支出绩效目标表（汇总）”，单元格 A11：“（二期）”只有名称，没有金额、绩效目标和"
        "绩效指标；如是上一行名称的续行，请写在同一单元格中。",
    ),
    "an indicator sentence that cannot be read": (
        without_second_level_of_second_indicator,
        "工作表“项目支出绩效目标表（汇总）”，单元格 G6：绩效指标有 4 条，只识别出 3 条；每条应为"
        "“序号、一级指标；二级指标；三级指标；实施周期指标值:…；年度指标值:…。”",
    ),
    "an unknown subject code": (
        set_cell(SIX, "A9", "2019999"),
        "工作表“表六”，单元格 A9：科目编码 2019999 不在 2024 年支出功能分类科目中。",
    ),
    "an unknown subject name without a code": (
        lambda book: (set_cell(SIX, "A9", None)(book), set_cell(SIX, "B9", "行政运转")(book)),
        "工作表“表六”，单元格 B9：科目“行政运转”不在 2024 年支出功能分类科目中，且没有科目编码。",
    ),
    "a name longer than the field holds": (
        set_cell("表三", "A8", "行政运行" * 30),
        f"工作表“表三”，单元格 A8：科目名称“{'行政运行' * 10}…”有 120 个字，超过上限 100 个字。",
    ),
    "a missing sheet": (
        lambda book: book.remove(book[SIX]),
        "缺少“一般公共预算支出情况表”：工作簿中没有标题为它的工作表。",
    ),
    "a duplicated sheet": (
        lambda book: book.copy_worksheet(book[SIX]),
        "“一般公共预算支出情况表”出现了 2 次：工作表“表六”“表六 Copy”。只能有一张。",
    ),
    "a department that does not match": (
        set_cell(SIX, "A2", "编制部门：兰州市人民代表大会常务委员会办公室"),
        "工作表“表六”，单元格 A2：表中部门“兰州市人民代表大会常务委员会办公室”"
        f"与导入的部门“{LINXIA}”不一致。",
    ),
    "a department named in a line of its own": (
        set_cell(SIX, "A2", "编制单位：兰州市人民代表大会常务委员会办公室", E2=None),
        "工作表“表六”，单元格 A2：表中部门“兰州市人民代表大会常务委员会办公室”"
        f"与导入的部门“{LINXIA}”不一致。",
    ),
    "a department named with the unit": (
        set_cell(SIX, "A2", "部门名称：兰州市人大办　　单位：万元", E2=None),
        f"工作表“表六”，单元格 A2：表中部门“兰州市人大办”与导入的部门“{LINXIA}”不一致。",
    ),
}


@pytest.mark.usefixtures("complete_catalogues")
@pytest.mark.parametrize("case", BAD_CELLS)
def test_a_bad_cell_or_sheet_is_refused_naming_where_it_is(linxia_draft, export, case):
    edit, message = BAD_CELLS[case]
    assert refused(edited(export, edit), linxia_draft) == message


@pytest.mark.usefixtures("complete_catalogues")
def test_every_problem_is_listed_at_once(linxia_draft, export):
    def edit(book: Workbook) -> None:
        book[SIX]["C9"] = "约七百"
        book[SIX]["D10"] = -1
        book["表七"]["A8"] = "30188"

    assert refused(edited(export, edit), linxia_draft).splitlines() == [
        "工作表“表六”，单元格 C9：“约七百”不是金额",
        "工作表“表六”，单元格 D10：金额 -1 为负数，预算金额不能为负",
        "工作表“表七”，单元格 A8：科目编码 30188 不在 2024 年经济分类科目中。",
    ]


def test_a_refused_import_creates_no_draft(linxia_draft, export):
    data = edited(export, set_cell(SIX, "C9", -1))
    assert refused(data, linxia_draft, kind="final") == (
        "工作表“表六”，单元格 C9：金额 -1 为负数，预算金额不能为负"
    )
    assert not Disclosure.objects.filter(department=linxia_draft.department, kind="final")


def test_a_failure_while_saving_rolls_back_everything(linxia_draft, export, monkeypatch):
    """The rows are written before the draft's version: a failure there undoes them."""
    plan = plan_import(
        edited(export, set_cell(SIX, "C9", 700)), department=linxia_draft.department, year=2024
    )
    before = snapshot(linxia_draft)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Disclosure, "save", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        apply_import(plan)
    assert snapshot(linxia_draft) == before
    assert total_2010101(linxia_draft) == Decimal("697.07")


# The command: the same messages, a non-zero exit status, nothing saved -------------------------

COMMAND_CASES = {
    "encrypted": (encrypted, "工作簿已加密（设置了打开密码）"),
    "negative": (
        lambda data: edited(data, set_cell(SIX, "C9", -697.07)),
        "工作表“表六”，单元格 C9：金额 -697.07 为负数",
    ),
    "missing sheet": (
        lambda data: edited(data, lambda book: book.remove(book[SIX])),
        "缺少“一般公共预算支出情况表”",
    ),
}


def run_import(path, *options) -> None:
    call_command("import_workbook", str(path), "--department", LINXIA, "--year", "2024", *options)


@pytest.mark.parametrize("case", COMMAND_CASES)
def test_import_command_refuses_bad_input_and_saves_nothing(linxia_draft, export, tmp_path, case):
    build, message = COMMAND_CASES[case]
    path = tmp_path / "linxia.xlsx"
    path.write_bytes(build(export))
    before = snapshot(linxia_draft)
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert str(error.value).startswith("导入失败，未保存任何内容：\n")
    assert message in str(error.value)
    assert snapshot(linxia_draft) == before


def test_import_command_exits_with_status_one(linxia_draft, export, tmp_path, capsys, monkeypatch):
    path = tmp_path / "linxia.xlsx"
    path.write_bytes(edited(export, set_cell(SIX, "C9", "六百九十七")))
    # run_from_argv closes the connections when it ends, which would end the test's transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    before = snapshot(linxia_draft)
    with pytest.raises(SystemExit) as exit:
        ImportCommand().run_from_argv(
            ["manage.py", "import_workbook", str(path), "--department", LINXIA, "--year", "2024",
             "--skip-checks"]
        )  # fmt: skip
    assert exit.value.code == 1
    assert "工作表“表六”，单元格 C9：“六百九十七”不是金额" in capsys.readouterr().err
    assert snapshot(linxia_draft) == before


def test_import_command_warns_of_formulas_and_imports_their_values(
    linxia_draft, export, tmp_path, capsys
):
    path = tmp_path / "linxia.xlsx"
    path.write_bytes(with_formulas(export, {"C9": "<f>SUM(1,2)</f><v>700</v>"}))
    run_import(path)
    assert (
        "提示：工作表“表六”有 1 个公式单元格（C9），已按 Excel 保存的计算结果导入。"
        in capsys.readouterr().err
    )
    assert total_2010101(linxia_draft) == 700


# Fuzzing: whatever a cell holds, the import refuses clearly or succeeds -------------------------

SHEETS = [*(f"表{n}" for n in "一二三四五六七八九十"), "表十一", "部门整体支出绩效目标表",
          "项目1", "项目支出绩效目标表（汇总）"]  # fmt: skip
EXCEL_EPOCH = datetime.datetime(1900, 3, 1)  # noqa: DTZ001
DIGITS = "0123456789０１２３４５６７８９,.，．-－+ 　e"
TRICKY = [
    "=SUM(C7:C9)", "=1/0", "+1", "-5", "@SUM(1)", "１２３．４５", "1,234.56", "1,23,4", "六百",
    "—", "－", "合　计", "总计", "本年收入合计", "单位：元", "单位：千元", "2010101 行政运行",
    "2019999", "[30201]办公费", "1e5", "0x1F", "NaN", "Infinity", "  ", "\u3000", "9" * 400,
    "部门：兰州市", "临夏市人民代表大会常务委员会办公室", "备注：", "项目", "科目编码",
]  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1e6).map(lambda x: round(x, 7)),
    # Excel's dates have no time zone; before March 1900 its serial numbers are not dates
    st.datetimes(min_value=EXCEL_EPOCH, max_value=datetime.datetime(9999, 1, 1)),  # noqa: DTZ001
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.text(alphabet=DIGITS, max_size=24),
    # openpyxl cannot write control characters; XML has no place for them
    st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=40),
    st.text(min_size=100, max_size=2000, alphabet="临夏人大办公费行政运行预算一二三"),
    st.sampled_from(TRICKY),
)
CELLS = st.lists(
    st.tuples(st.sampled_from(SHEETS), st.integers(1, 40), st.integers(1, 12), VALUES),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def book(export) -> Workbook:
    """The export loaded once per test; each example undoes its writes."""
    return load(export)


def with_values(book: Workbook, cells: list[tuple]) -> bytes:
    """The workbook with these values written, each into its cell or into the first cell of
    the merged range it is part of; the book is left as it was."""
    saved = []
    for sheet, row, column, value in cells:
        table = book[sheet]
        for merged in table.merged_cells.ranges:
            if (row, column) in merged.cells:
                row, column = merged.min_row, merged.min_col
        cell = table.cell(row, column)
        saved.append((cell, cell.value, copy.copy(cell._style)))
        cell.value = value  # a date sets the number format too
    try:
        return save(book)
    finally:
        for cell, value, style in reversed(saved):
            cell.value, cell._style = value, style


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cells=CELLS)
def test_fuzzed_cells_give_a_clear_refusal_or_an_import(linxia_draft, book, cells):
    data = with_values(book, cells)
    try:
        apply_import(plan_import(data, department=linxia_draft.department, year=2024))
    except WorkbookError as error:
        assert error.problems
        for problem in error.problems:
            assert CJK.search(problem.message), problem
            assert not problem.sheet or problem.sheet in book.sheetnames, problem
