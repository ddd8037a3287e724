"""Flat import and export of every kind of row (disclosures/staff/resources.py) and the admin's
buttons for it: CSV and XLSX files read back with csv and openpyxl, round trips into a
draft, bad files refused with a Chinese message and nothing saved, published revisions and
other departments' disclosures out of reach."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape
from import_export.formats.base_formats import CSV, XLSX

from disclosures.models import Disclosure, GeneralExpenseRow, Project
from disclosures.staff.resources import RESOURCES, MoneyWidget

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
TABLE_6 = GeneralExpenseRow


@pytest.fixture
def published():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


def user(name: str):
    return get_user_model().objects.get(username=name)


def rows_of(model, disclosure: Disclosure):
    return model.objects.filter(**{model.disclosure_lookup: disclosure})


def export(model, disclosure: Disclosure, file_format) -> str | bytes:
    """As the admin exports: numbers stay numbers in a binary format."""
    dataset = RESOURCES[model]().export(
        queryset=rows_of(model, disclosure), force_native_type=file_format.is_binary()
    )
    return file_format.export_data(dataset)


def import_(model, data: str | bytes, file_format, **kwargs):
    return RESOURCES[model]().import_data(file_format.create_dataset(data), **kwargs)


def csv_rows(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data)))


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def contents(disclosure: Disclosure) -> dict[str, list[tuple]]:
    """Every value of every row the resources write, by model: to see that nothing changed."""
    return {
        model.__name__: list(
            rows_of(model, disclosure)
            .order_by("pk")
            .values_list(*(f.attname for f in model._meta.concrete_fields))
        )
        for model in RESOURCES
    }


def messages(result) -> list[str]:
    found = [str(error.error) for row in result.error_rows for error in row.errors]
    found += [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        found += [message for errors in row.error_dict.values() for message in errors]
    return found


# Export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_every_kind_of_row_exports_under_chinese_headers_with_natural_keys(published, model):
    dataset = RESOURCES[model]().export(queryset=rows_of(model, published))
    headers = dataset.headers
    assert headers[:5] == ["行政区划代码", "部门名称", "年度", "类别", "版本"]
    assert len(set(headers)) == len(headers)
    assert all(not header.isascii() for header in headers)  # no id, no field names
    assert dataset.height == rows_of(model, published).count() > 0
    assert dataset[0][:5] == ("622901", LINXIA, "2024", "部门预算", "1")


def test_table_6_exports_to_csv(published):
    rows = csv_rows(export(TABLE_6, published, CSV()))
    row = next(row for row in rows if row["科目编码"] == "2010101")
    assert (row["科目名称"], row["合计"], row["基本支出"], row["项目支出"]) == (
        "行政运行",
        "697.07",
        "697.07",
        "0.00",
    )
    assert [row["行次"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]


def test_table_6_exports_to_xlsx_with_codes_as_text_and_amounts_as_numbers(published):
    sheet = openpyxl.load_workbook(io.BytesIO(export(TABLE_6, published, XLSX()))).active
    headers = [cell.value for cell in sheet[1]]
    row = next(
        dict(zip(headers, cells, strict=True))
        for cells in sheet.iter_rows(min_row=2)
        if cells[headers.index("科目编码")].value == "2010101"
    )
    assert row["科目名称"].value == "行政运行"
    assert row["合计"].data_type == "n"
    assert Decimal(str(row["合计"].value)) == Decimal("697.07")
    assert row["年度"].value == 2024


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        (697.07, "697.07"),  # a number cell: the float nearest 697.07
        (866.0699999999999, "866.07"),  # a sum Excel computed, with binary noise
        (75, "75"),
        ("697.07", "697.07"),
        (None, "0"),
        ("", "0"),
    ],
)
def test_an_amount_cell_reads_as_the_exact_decimal(cell, amount):
    read = MoneyWidget().clean(cell)
    assert isinstance(read, Decimal)
    assert read == Decimal(amount)


# Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", [CSV(), XLSX()], ids=["csv", "xlsx"])
def test_export_then_import_into_the_draft_changes_nothing(linxia_draft, file_format):
    before = contents(linxia_draft)
    for model in RESOURCES:
        result = import_(model, export(model, linxia_draft, file_format), file_format)
        assert messages(result) == []
        assert result.totals["skip"] == rows_of(model, linxia_draft).count()
    assert contents(linxia_draft) == before
    assert Disclosure.objects.get(pk=linxia_draft.pk).version == linxia_draft.version


@pytest.mark.parametrize("file_format", [CSV(), XLSX()], ids=["csv", "xlsx"])
def test_text_that_looks_like_a_formula_is_exported_inert_and_imported_back(
    linxia_draft, file_format
):
    name = '=HYPERLINK("http://evil.example","点我")'
    Project.objects.filter(disclosure=linxia_draft, position=1).update(name=name)
    data = export(Project, linxia_draft, file_format)
    if isinstance(data, str):
        assert f"'{name}" in data.replace('""', '"')
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
        assert not any(cell.data_type == "f" for cell in cells)
        assert any(cell.value == f"'{name}" for cell in cells)
    result = import_(Project, data, file_format)
    assert messages(result) == []
    assert Project.objects.get(disclosure=linxia_draft, position=1).name == name


def test_the_published_figures_import_into_the_correction_draft_unchanged(published, linxia_draft):
    before = contents(linxia_draft)
    rows = csv_rows(export(TABLE_6, published, CSV()))
    for row in rows:
        row["版本"] = str(linxia_draft.revision)
    result = import_(TABLE_6, to_csv(rows), CSV())
    assert messages(result) == []
    assert contents(linxia_draft) == before


def test_an_amount_changed_in_a_csv_file_is_imported(linxia_draft):
    rows = csv_rows(export(TABLE_6, linxia_draft, CSV()))
    row = next(row for row in rows if row["科目编码"] == "2010101")
    row["合计"] = row["基本支出"] = "700.50"
    result = import_(TABLE_6, to_csv(rows), CSV())
    assert messages(result) == []
    assert result.totals["update"] == 1
    imported = rows_of(TABLE_6, linxia_draft).get(code="2010101")
    assert (imported.total, imported.basic) == (Decimal("700.50"), Decimal("700.50"))
    # A change page opened before the import would overwrite it: it is stale now.
    assert Disclosure.objects.get(pk=linxia_draft.pk).version == linxia_draft.version + 1


def test_an_amount_changed_in_an_xlsx_number_cell_is_imported_exactly(linxia_draft):
    book = openpyxl.load_workbook(io.BytesIO(export(TABLE_6, linxia_draft, XLSX())))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[headers.index("科目编码")].value == "2010101":
            cells[headers.index("合计")].value = 697.08
    saved = io.BytesIO()
    book.save(saved)
    result = import_(TABLE_6, saved.getvalue(), XLSX())
    assert messages(result) == []
    assert rows_of(TABLE_6, linxia_draft).get(code="2010101").total == Decimal("697.08")


# Bad files: a Chinese message, and nothing saved -----------------------------------------


BAD_CELLS = {
    "unknown subject code": (
        "科目编码",
        "2010198",
        "科目编码：科目编码 2010198 不在 2024 年支出功能分类科目中",
    ),
    "negative amount": ("合计", "-1.00", "合计：金额 -1.00 为负数，预算金额不能为负"),
    "over-precise amount": (
        "合计",
        "697.0700001",
        "合计：金额 697.0700001 万元超过六位小数（精确到分以下）",
    ),
    "not an amount": ("合计", "六百", "合计：“六百”不是金额"),
    "unknown department": (
        "部门名称",
        "临夏市不存在的部门",
        "部门名称：行政区划 622901 下没有部门“临夏市不存在的部门”",
    ),
    "unknown revision": ("版本", "9", f"部门名称：“{LINXIA}”没有 2024 年部门预算第 9 版"),
    "revision not a number": ("版本", "二", "部门名称：版本“二”不是整数"),
}


@pytest.mark.usefixtures("complete_catalogues")
@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS.values(), ids=BAD_CELLS)
def test_a_bad_cell_is_refused_with_its_line_and_nothing_is_saved(
    linxia_draft, column, value, message
):
    before = contents(linxia_draft)
    rows = csv_rows(export(TABLE_6, linxia_draft, CSV()))
    rows[0]["合计"] = "1.00"  # a good change on line 2, to be rolled back with the rest
    line, bad = next((n, row) for n, row in enumerate(rows, 2) if row["科目编码"] == "2010101")
    bad[column] = value
    result = import_(TABLE_6, to_csv(rows), CSV())
    assert result.has_validation_errors()
    assert messages(result) == [f"文件第 {line} 行，{message}。"]
    assert contents(linxia_draft) == before


def test_a_file_without_the_key_columns_is_refused(linxia_draft):
    rows = [
        {key: value for key, value in row.items() if key != "版本"}
        for row in csv_rows(export(TABLE_6, linxia_draft, CSV()))
    ]
    result = import_(TABLE_6, to_csv(rows), CSV())
    assert messages(result) == ["文件缺少列：版本。"]


def test_an_unknown_unit_is_refused(linxia_draft):
    from disclosures.models import FiscalByUnitRow

    rows = csv_rows(export(FiscalByUnitRow, linxia_draft, CSV()))
    line, row = next((n, row) for n, row in enumerate(rows, 2) if row["单位"])
    row["单位"] = "不存在的单位"
    result = import_(FiscalByUnitRow, to_csv(rows), CSV())
    assert messages(result) == [
        f"文件第 {line} 行，单位：部门“{LINXIA}”没有预算单位“不存在的单位”。"
    ]


def test_a_published_revision_is_never_imported_into(published):
    before = contents(published)
    rows = csv_rows(export(TABLE_6, published, CSV()))
    rows[0]["合计"] = "1.00"
    result = import_(TABLE_6, to_csv(rows), CSV())
    assert result.has_validation_errors()
    refusal = f"“{published}”已公开，不能修改；如需更正，请先发起更正，再导入到更正稿。"
    assert set(messages(result)) == {
        f"文件第 {line} 行，部门名称：{refusal}" for line in range(2, len(rows) + 2)
    }
    assert contents(published) == before


def test_a_submitted_revision_is_not_imported_into(linxia_draft):
    Disclosure.objects.filter(pk=linxia_draft.pk).update(status=Disclosure.Status.SUBMITTED)
    result = import_(TABLE_6, export(TABLE_6, linxia_draft, CSV()), CSV())
    assert "已提交，只有草稿可以修改" in messages(result)[0]


def test_a_clerk_imports_only_into_their_own_departments_drafts(linxia_draft):
    data = csv_rows(export(TABLE_6, linxia_draft, CSV()))
    data[0]["合计"] = "1.00"
    outsider = import_(TABLE_6, to_csv(data), CSV(), user=user("zengcheng_clerk"))
    assert (
        messages(outsider)[0] == f"文件第 2 行，部门名称：“{LINXIA}”没有 2024 年部门预算第 2 版。"
    )
    reviewer = import_(TABLE_6, to_csv(data), CSV(), user=user("reviewer"))
    assert messages(reviewer)[0] == f"文件第 2 行，部门名称：您无权修改“{linxia_draft}”。"
    assert rows_of(TABLE_6, linxia_draft).get(position=1).total != Decimal("1.00")
    clerk = import_(TABLE_6, to_csv(data), CSV(), user=user("linxia_clerk"))
    assert messages(clerk) == []
    assert rows_of(TABLE_6, linxia_draft).get(position=1).total == Decimal("1.00")


def test_indicators_are_keyed_by_their_project_name(linxia_draft):
    from disclosures.models import ProjectIndicator

    rows = csv_rows(export(ProjectIndicator, linxia_draft, CSV()))
    rows[0]["年度指标值"] = "700 元"
    rows[1]["项目"] = "没有这个项目"
    result = import_(ProjectIndicator, to_csv(rows), CSV())
    assert messages(result) == [f"文件第 3 行，项目：“{linxia_draft}”没有项目“没有这个项目”。"]
    del rows[1]
    assert messages(import_(ProjectIndicator, to_csv(rows), CSV())) == []
    project = linxia_draft.projects.get(name=rows[0]["项目"])
    assert project.indicators.get(position=rows[0]["序号"]).annual_target == "700 元"


# The admin's buttons ---------------------------------------------------------------------


def admin_url(model, name: str) -> str:
    return reverse(f"admin:disclosures_{model._meta.model_name}_{name}")


@pytest.mark.parametrize(
    ("persona", "buttons"),
    [
        ("admin", {"import", "export"}),
        ("linxia_clerk", {"import", "export"}),
        ("reviewer", {"export"}),
    ],
)
def test_the_changelist_shows_the_buttons_the_user_may_use(client, persona, buttons):
    client.force_login(user(persona))
    html = client.get(admin_url(TABLE_6, "changelist")).content.decode()
    assert "2010101 行政运行" in html
    shown = {name for name in ("import", "export") if f"{admin_url(TABLE_6, name)}" in html}
    assert shown == buttons


@pytest.mark.parametrize("model", RESOURCES, ids=lambda model: model.__name__)
def test_every_kind_of_row_has_its_changelist_with_both_buttons(client, published, model):
    client.force_login(user("admin"))
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert admin_url(model, "import") in html and admin_url(model, "export") in html
    assert escape(str(rows_of(model, published).first())) in html
    assert client.get(admin_url(model, "export")).status_code == 200


def test_the_admin_exports_the_filtered_rows_as_xlsx(
    client, published, django_assert_max_num_queries
):
    client.force_login(user("admin"))
    export_url = f"{admin_url(TABLE_6, 'export')}?disclosure__id__exact={published.pk}"
    form = client.get(export_url).content.decode()
    assert '<option value="0">csv</option>' in form and '<option value="1">xlsx</option>' in form
    with django_assert_max_num_queries(8):
        response = client.post(export_url, {"format": "1", "resource": "0"})
    assert response["Content-Type"] == XLSX.CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["行政区划代码", "部门名称", "年度", "类别", "版本"]
    assert len(values) - 1 == rows_of(TABLE_6, published).count()
    assert {row[1] for row in values[1:]} == {LINXIA}
    assert ["622901", LINXIA, 2024, "部门预算", 1, 4, "2010101", "行政运行", 697.07] in [
        row[:9] for row in values
    ]


@pytest.mark.parametrize(
    ("persona", "departments"),
    [("zengcheng_clerk", {ZENGCHENG}), ("reviewer", {LINXIA, ZENGCHENG})],
)
def test_an_export_holds_the_rows_the_user_may_see(client, persona, departments):
    client.force_login(user(persona))
    response = client.post(admin_url(Project, "export"), {"format": "0", "resource": "0"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff行政区划代码,部门名称")  # Excel reads UTF-8 with its mark
    rows = csv_rows(text.removeprefix("\ufeff"))
    assert {row["部门名称"] for row in rows} == departments
    assert len(rows) == Project.objects.filter(disclosure__department__name__in=departments).count()


def upload(client, persona: str, rows: list[dict[str, str]], encoding="utf-8-sig"):
    """Post rows to the import page as a CSV file saved by Excel (UTF-8 with its mark)."""
    return upload_file(client, persona, to_csv(rows).encode(encoding))


def upload_file(client, persona: str, data: bytes):
    file = io.BytesIO(data)
    file.name = "表六.csv"
    client.force_login(user(persona))
    return client.post(
        admin_url(TABLE_6, "import"), {"format": "0", "resource": "0", "import_file": file}
    )


# Excel saves "CSV UTF-8" with its byte order mark, and "CSV (逗号分隔)" on Chinese Windows in GBK.
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_clerk_imports_a_csv_file_through_the_admin(client, linxia_draft, encoding):
    rows = csv_rows(export(TABLE_6, linxia_draft, CSV()))
    next(row for row in rows if row["科目编码"] == "2010101")["合计"] = "700.00"
    html = upload(client, "linxia_clerk", rows, encoding).content.decode()
    # A preview first; nothing is saved until the clerk confirms.
    assert rows_of(TABLE_6, linxia_draft).get(code="2010101").total == Decimal("697.07")
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert set(confirm) >= {"import_file_name", "original_file_name", "format", "resource"}
    response = client.post(admin_url(TABLE_6, "process_import"), confirm)
    assert response.status_code == 302
    assert rows_of(TABLE_6, linxia_draft).get(code="2010101").total == Decimal("700.00")


def test_a_file_in_another_encoding_is_refused_in_words(client, linxia_draft):
    rows = csv_rows(export(TABLE_6, linxia_draft, CSV()))
    html = upload(client, "linxia_clerk", rows, "utf-16").content.decode()
    assert "无法读取文件：它不是 UTF-8 或 GBK 编码的 CSV 文本文件。" in html
    assert 'name="import_file_name"' not in html


def test_the_admin_shows_why_an_import_is_refused(client, published):
    html = upload(client, "admin", csv_rows(export(TABLE_6, published, CSV()))).content.decode()
    assert "已公开，不能修改；如需更正，请先发起更正，再导入到更正稿。" in html
    assert 'name="import_file_name"' not in html  # no confirm button
