"""The Content-Security-Policy in Debian's chromium: public pages, the admin and the admin
pages that django-import-export and django-simple-history add load and run without one
violation (chromium reports each on the console)."""

from playwright.sync_api import ConsoleMessage, Page

from disclosures.models import Disclosure
from tests.conftest import clerk_page
from tests.test_browser_admin import pytestmark  # noqa: F401 - chromium, transactional

LINXIA = "临夏市人民代表大会常务委员会办公室"


def watch_for_violations(page: Page) -> list[str]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def visit(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_public_pages_have_no_csp_violations(demo_loaded, browser, live_server):
    published = Disclosure.objects.get(department__name=LINXIA, revision=1)
    page = browser.new_page(locale="zh-CN")
    violations = watch_for_violations(page)

    visit(page, f"{live_server.url}/")
    visit(page, f"{live_server.url}/departments/{published.department_id}/2024/")
    assert page.locator("svg.chart").count() == 3
    # The stylesheet applied: the header's accent rule is there.
    header = "getComputedStyle(document.querySelector('.site-header')).borderBottomWidth"
    assert page.evaluate(header) == "3px"
    visit(page, f"{live_server.url}/search/?q=临夏")

    assert violations == []


def test_admin_pages_have_no_csp_violations(demo_loaded, browser, live_server, linxia_draft):
    login = browser.new_page(locale="zh-CN")
    login_violations = watch_for_violations(login)
    visit(login, f"{live_server.url}/admin/login/")
    assert login_violations == []

    page = clerk_page(browser, live_server)
    violations = watch_for_violations(page)
    admin = f"{live_server.url}/admin/disclosures"

    visit(page, f"{admin}/disclosure/{linxia_draft.pk}/change/")
    # The admin's scripts ran: its jQuery is there and the inlines have their add links.
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery === 'function'")
    assert page.locator(".add-row a").count() > 0
    # The workflow and checks panels are styled by the stylesheet, not by attributes.
    panels = "getComputedStyle(document.querySelector('.disclosure-panels')).display"
    assert page.evaluate(panels) == "grid"
    record = linxia_draft.history.latest("history_date").history_id
    visit(page, f"{admin}/disclosure/{linxia_draft.pk}/history/{record}/")  # a past state
    visit(page, f"{admin}/disclosure/{linxia_draft.pk}/changes/")
    visit(page, f"{live_server.url}/staff/import-workbook/")
    visit(page, f"{admin}/project/{linxia_draft.projects.first().pk}/change/")
    visit(page, f"{admin}/departmentperformanceform/{linxia_draft.department_form.pk}/change/")
    visit(page, f"{admin}/disclosure/")
    visit(page, f"{admin}/disclosure/{linxia_draft.pk}/history/")  # django-simple-history
    visit(page, f"{admin}/project/")
    visit(page, f"{admin}/project/export/")  # django-import-export
    visit(page, f"{admin}/project/import/")
    visit(page, f"{live_server.url}/staff/disclosures/{linxia_draft.pk}/preview/")

    assert violations == []
