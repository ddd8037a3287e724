"""A clerk in Debian's chromium, driven by Playwright: download the draft's workbook from
its admin page, correct a figure in Excel's place (openpyxl), upload it, read the
preview and confirm; the checks panel then shows the result.

Screenshots go to $SCREENSHOT_DIR (default: a temporary folder).
"""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from workbooks import find, load, save

from disclosures.models import GeneralExpenseRow
from tests.conftest import CHROMIUM, clerk_page

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_clerk_downloads_edits_uploads_previews_and_confirms(
    demo_loaded, browser, live_server, linxia_draft, screenshots, tmp_path
):
    page = clerk_page(browser, live_server)

    page.goto(f"{live_server.url}/admin/disclosures/disclosure/{linxia_draft.pk}/change/")
    with page.expect_download() as download:
        page.click("text=导出 Excel 工作簿")
    assert download.value.suggested_filename.endswith("（第2版）.xlsx")
    book = load(Path(download.value.path()).read_bytes())
    six = book["表六"]
    six.cell(find(six, "2010101").row, 3).value = "７００.００"  # typed in full width
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(save(book))

    page.click("text=从 Excel 工作簿导入")
    assert page.input_value("#id_year") == "2024"
    page.set_input_files("#id_file", str(edited))
    page.click("input[value='上传并预览']")
    preview = page.inner_text(".workbook-preview")
    assert "新增 0 行，修改 1 行，删除 0 行" in preview
    assert "修改 2010101 行政运行：合计 697.07 → 700" in preview
    assert "表六（一般公共预算支出情况表）“行政运行”（2010101）行“合计”列应为 697.07" in preview
    page.screenshot(path=str(screenshots / "workbook-preview.png"), full_page=True)
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == Decimal(
        "697.07"
    )

    page.click("input[value='确认导入']")
    page.wait_for_selector(".messagelist")
    assert "已导入" in page.inner_text(".messagelist")
    assert "行政运行" in page.inner_text(".checks-panel")
    assert GeneralExpenseRow.objects.get(disclosure=linxia_draft, code="2010101").total == 700
