"""A citizen on a phone, in Debian's chromium driven by Playwright: search 临夏, open the
2024 budget, find the eleven tables and 行政运行 697.07 in table 6, compare departments,
download the PDF and check it against the SHA-256 the page shows.

Screenshots at 375 px and 1280 px go to $SCREENSHOT_DIR (default: a temporary folder).
"""

import hashlib
from pathlib import Path

from tests.test_browser_admin import pytestmark  # noqa: F401 - chromium, transactional

LINXIA = "临夏市人民代表大会常务委员会办公室"


def download_beside_its_sha256(page, item: str) -> tuple[bytes, str]:
    """Download the file of a download list item; its bytes are the SHA-256 it shows."""
    shown = page.locator(f".downloads {item} code.sha").inner_text()
    with page.expect_download() as download:
        page.click(f".downloads {item} a")
    content = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == shown
    return content, download.value.suggested_filename


def test_a_citizen_on_a_phone_finds_reads_compares_and_downloads(
    demo_loaded,
    browser,
    live_server,
    screenshots: Path,
):
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", accept_downloads=True
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.screenshot(path=screenshots / "public-home-375.png", full_page=True)

    page.fill("#home-q", "临夏")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "找到" in page.locator(".result-count").inner_text()
    page.screenshot(path=screenshots / "public-search-375.png", full_page=True)
    page.locator(".search-results a", has_text=LINXIA).first.click()

    page.wait_for_selector("#tables")
    assert page.locator("h1").inner_text().replace("\n", " ").startswith(LINXIA)
    assert page.locator("#tables section.statutory-table").count() == 11
    row = page.locator("#general_expense tr", has_text="行政运行")
    assert "697.07" in row.inner_text()
    assert page.locator("svg.chart").count() == 3
    # A wide table scrolls inside its own region, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshots / "public-disclosure-375.png", full_page=True)
    disclosure_url = page.url

    page.click("text=与同地区其他部门比较")
    page.wait_for_url("**/compare/")
    assert LINXIA in page.locator("table.compare").inner_text()
    page.click("table.compare thead >> text=“三公”经费（万元）")
    page.wait_for_url("**sort=three_public**")
    assert page.locator('th[aria-sort="descending"]').count() == 1
    page.screenshot(path=screenshots / "public-compare-375.png", full_page=True)

    page.goto(disclosure_url)
    # Each file is the one kept at publication, its SHA-256 shown beside its link.
    content, name = download_beside_its_sha256(page, ".download-pdf")
    assert content.startswith(b"%PDF")
    assert name == f"2024年{LINXIA}部门预算.pdf"
    content, name = download_beside_its_sha256(page, ".download-xlsx")
    assert content.startswith(b"PK")
    assert name == f"2024年{LINXIA}部门预算.xlsx"

    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.goto(disclosure_url)
    desk.screenshot(path=screenshots / "public-disclosure-1280.png", full_page=True)
    desk.goto(f"{live_server.url}/")
    desk.screenshot(path=screenshots / "public-home-1280.png", full_page=True)
    desk.click("text=English")
    assert desk.locator("html").get_attribute("lang") == "en"
    desk.goto(disclosure_url)
    assert "Table 6. General public budget expenditure" in desk.content()
    desk.screenshot(path=screenshots / "public-disclosure-en-1280.png")
