"""A clerk's day in Debian's chromium, driven by Playwright: log in, change an amount in
表七 of a draft, see the checks panel flag it, fix it, submit.

Screenshots of each step go to $SCREENSHOT_DIR (default: a temporary folder).
"""

import shutil

import pytest

from disclosures.models import Disclosure
from tests.conftest import CHROMIUM, clerk_page

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]
TABLE_SEVEN_FLAG = "表七（一般公共预算基本支出情况表）“总计”行“合计”列应为 821.07"


def test_a_clerk_fixes_table_seven_and_submits(
    demo_loaded, browser, live_server, clean_draft, screenshots
):
    page = clerk_page(browser, live_server)

    page.goto(f"{live_server.url}/admin/disclosures/disclosure/{clean_draft.pk}/change/")
    assert "全部检查通过" in page.inner_text("#checks-heading + *") or "警告" in page.inner_text(
        ".checks-panel"
    )
    assert TABLE_SEVEN_FLAG not in page.content()
    basic_wage = page.locator(
        'tr:has(input[name$="-code"][value="30101"]) input[name$="-personnel"]'
    )
    assert basic_wage.input_value() == "261.37"
    page.screenshot(path=str(screenshots / "1-draft.png"), full_page=False)

    # A typing slip in 表七: 基本工资 261.37 becomes 271.37.
    basic_wage.fill("271.37")
    page.click('input[name="_continue"]')
    panel = page.locator(".checks-panel")
    assert TABLE_SEVEN_FLAG in panel.inner_text()
    assert "错误" in panel.inner_text()
    page.screenshot(path=str(screenshots / "2-flagged.png"), full_page=False)

    # Fixed; the errors are gone and the draft can be submitted.
    page.locator('tr:has(input[name$="-code"][value="30101"]) input[name$="-personnel"]').fill(
        "261.37"
    )
    page.click('input[name="_continue"]')
    assert TABLE_SEVEN_FLAG not in page.locator(".checks-panel").inner_text()
    page.click('button[value="submit"]')
    page.wait_for_selector(".messagelist")
    assert "已完成：提交。" in page.inner_text(".messagelist")
    assert "流程：已提交" in page.inner_text("#workflow-heading")
    page.screenshot(path=str(screenshots / "3-submitted.png"), full_page=False)
    assert Disclosure.objects.get(pk=clean_draft.pk).status == "submitted"


def test_an_unsaved_edit_is_not_lost_to_the_submit_button(
    demo_loaded, browser, live_server, clean_draft
):
    page = clerk_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/disclosures/disclosure/{clean_draft.pk}/change/")
    basic_wage = page.locator(
        'tr:has(input[name$="-code"][value="30101"]) input[name$="-personnel"]'
    )
    basic_wage.fill("271.37")
    page.click('button[value="submit"]')
    note = page.locator(".workflow .unsaved-note")
    assert "此页有未保存的修改" in note.inner_text()
    # Still the same page, the typed figure still there, nothing submitted.
    assert basic_wage.input_value() == "271.37"
    assert Disclosure.objects.get(pk=clean_draft.pk).status == "draft"

    # Saved, the same button submits (the draft's checks then decide).
    basic_wage.fill("261.37")
    page.click('input[name="_continue"]')
    page.click('button[value="submit"]')
    page.wait_for_selector(".messagelist")
    assert Disclosure.objects.get(pk=clean_draft.pk).status == "submitted"
