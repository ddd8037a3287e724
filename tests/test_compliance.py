"""The public compliance page: each department's 批复日期, its 20-day deadline and whether
it published in time, judged the same way on the region-year page."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosures.models import BudgetApproval, Department, Disclosure, Region
from disclosures.site.compliance import Status, judge
from tests.test_public import TableAudit

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
DRAFT_SECRET = "草稿里尚未公开的更正说明"


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def department(name: str, region: Region, approved: int | None = None) -> Department:
    """A department, approved `approved` days ago when given."""
    found = Department.objects.create(region=region, name=name)
    if approved is not None:
        BudgetApproval.objects.create(
            department=found, fiscal_year=2024, approved_on=days_ago(approved)
        )
    return found


def published(found: Department, days: int) -> Disclosure:
    return Disclosure.objects.create(
        department=found,
        fiscal_year=2024,
        status=Disclosure.Status.PUBLISHED,
        published_at=noon(days_ago(days)),
    )


@pytest.fixture
def season():
    """临夏市 and a county below it, with one department in each status."""
    linxia = Region.objects.get(code="622901")
    below = Region.objects.create(code="622999", name="临夏测试县", parent=linxia)
    published(department("按时局", linxia, approved=30), days=25)  # 5 days after 批复
    published(department("迟报局", linxia, approved=40), days=10)  # 10 days late
    department("逾期局", below, approved=30)  # 10 days overdue, in the region below
    draft = Disclosure.objects.create(
        department=department("未到期局", linxia, approved=5), fiscal_year=2024
    )
    Disclosure.objects.filter(pk=draft.pk).update(correction_note=DRAFT_SECRET)
    return linxia


def url(code: str = "622901", year: int = 2024, query: str = "") -> str:
    return reverse("disclosures:compliance", args=[code, year]) + query


def row_of(html: str, name: str) -> str:
    start = html.index(f">{name}<")
    return html[start : html.index("</tr>", start)]


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    response = client.get(url(query="?format=csv" + query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_judge_counts_days_from_the_deadline_twenty_days_after_approval():
    today = datetime.date(2024, 3, 31)
    approved = datetime.date(2024, 3, 1)  # deadline 3-21
    assert judge(approved, True, datetime.date(2024, 3, 21), today) == (Status.ON_TIME, 20)
    assert judge(approved, True, datetime.date(2024, 3, 22), today) == (Status.LATE, 1)
    assert judge(approved, False, None, today) == (Status.OVERDUE, 10)
    assert judge(approved, False, None, datetime.date(2024, 3, 21)) == (Status.NOT_DUE, 0)
    assert judge(None, True, datetime.date(2024, 3, 2), today) == (Status.UNDATED, None)
    assert judge(None, False, None, today) == (Status.UNDATED, None)
    # Published without a recorded time: nothing to judge by, but the 批复日期 is there.
    assert judge(approved, True, None, today) == (Status.PUBLISHED_UNDATED, None)


def test_each_department_has_its_status_and_day_count(client, season):
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    on_time = row_of(html, "按时局")
    assert "按时公开" in on_time and "批复后 5 天" in on_time
    assert days_ago(30).isoformat() in on_time and days_ago(10).isoformat() in on_time  # deadline
    assert days_ago(25).isoformat() in on_time  # first publication
    late = row_of(html, "迟报局")
    assert "逾期公开" in late and "晚 10 天" in late
    overdue = row_of(html, "逾期局")
    assert "逾期未公开" in overdue and "逾期 10 天" in overdue and "临夏测试县" in overdue
    not_due = row_of(html, "未到期局")
    assert "未到期" in not_due and "尚余 15 天" in not_due and "未公开" in not_due
    # The demo records no 批复日期 (seed 004's 2024年2月26日 is its 落款日期): 未记录.
    linxia = row_of(html, LINXIA)
    assert "未记录批复日期" in linxia and "未记录" in linxia
    assert "无法判断" in html
    assert ZENGCHENG not in html  # another province


def test_a_drafts_content_and_status_never_show(client, season):
    html = client.get(url()).content.decode()
    assert DRAFT_SECRET not in html and "草稿" not in html and "已提交" not in html
    assert DRAFT_SECRET not in client.get(url(query="?format=csv")).content.decode("utf-8-sig")
    draft = Disclosure.objects.get(department__name="未到期局")
    assert draft.public_url("disclosure") not in html


def test_published_rows_carry_the_checks_of_their_current_revision(client, season):
    rows = {row["部门"]: row for row in csv_rows(client)}
    # The demo's Linxia revision: the 8 errors the public findings list (test_public).
    assert rows[LINXIA]["检查错误数"] == "8"
    assert rows[LINXIA]["部门整体绩效目标表"] == "是"
    assert rows[LINXIA]["空表均有说明"] == "是"
    assert int(rows[LINXIA]["项目绩效目标数"]) > 0
    # An empty published revision: every table empty, none explained, no forms.
    assert rows["按时局"]["空表均有说明"] == "否"
    assert rows["按时局"]["部门整体绩效目标表"] == "否"
    assert rows["按时局"]["项目绩效目标数"] == "0"
    assert rows["逾期局"]["检查错误数"] == ""  # nothing published, nothing checked


def test_region_totals_count_each_status(client, season):
    html = client.get(url()).content.decode()
    totals = html[html.index('id="totals-caption"') : html.index("</table>")]
    overall = totals[totals.rindex("<tr>") :]
    cells = [cell.split("<")[0] for cell in overall.split('<td class="num">')[1:]]
    # In Status order: 逾期未公开, 逾期公开, 未到期, 按时公开, 公开日期未记录,
    # 未记录批复日期; then all.
    assert cells == ["1", "1", "1", "1", "0", "1", "5"]
    county = totals[totals.index("临夏测试县") :]
    county = county[: county.index("</tr>")]
    assert [c.split("<")[0] for c in county.split('<td class="num">')[1:]] == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]


def test_csv_lists_every_department_with_dates_and_neutralised_names(client, season):
    Department.objects.filter(name="逾期局").update(name="=HYPERLINK(1)")
    rows = {row["部门"]: row for row in csv_rows(client)}
    assert set(rows) == {"按时局", "迟报局", "'=HYPERLINK(1)", "未到期局", LINXIA}
    late = rows["迟报局"]
    assert late["批复日期"] == days_ago(40).isoformat()
    assert late["公开期限"] == days_ago(20).isoformat()
    assert late["首次公开日期"] == days_ago(10).isoformat()
    assert (late["状态"], late["逾期/剩余天数"], late["天数说明"]) == (
        "逾期公开",
        "10",
        "晚于公开期限天数",
    )
    assert rows["未到期局"]["天数说明"] == "距公开期限剩余天数"
    assert (rows[LINXIA]["逾期/剩余天数"], rows[LINXIA]["天数说明"]) == ("", "")
    assert rows["'=HYPERLINK(1)"]["状态"] == "逾期未公开"
    assert rows["'=HYPERLINK(1)"]["区划"] == "临夏测试县"
    assert rows[LINXIA]["批复日期"] == "未记录"


def test_sort_by_a_whitelisted_column_and_ignore_any_other(client, season):
    by_days = [row["部门"] for row in csv_rows(client, "&sort=days&order=desc")]
    assert by_days[0] == "未到期局"  # 15 days left
    assert set(by_days[1:3]) == {"迟报局", "逾期局"}  # 10 days each
    assert by_days[3:] == ["按时局", LINXIA]  # 5, then no value last whatever the order
    by_name = [row["部门"] for row in csv_rows(client, "&sort=department")]
    assert by_name == sorted(by_name)
    default = [row["部门"] for row in csv_rows(client)]
    assert default == ["逾期局", "迟报局", "未到期局", "按时局", LINXIA]  # by status
    assert [row["部门"] for row in csv_rows(client, "&sort=pk")] == default
    assert [row["部门"] for row in csv_rows(client, "&sort=__class__")] == default
    html = client.get(url(query="?sort=days&order=desc")).content.decode()
    assert 'aria-sort="descending"' in html


def test_the_list_costs_the_same_queries_whatever_the_number_of_departments(client, season):
    linxia = season

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(query="?sort=department")).status_code == 200
        return len(queries)

    before = count()
    for number in range(12):
        department(f"新增局{number}", linxia, approved=number)
    assert count() == before


def test_unknown_region_or_year_is_404(client):
    assert client.get(url("999999")).status_code == 404
    assert client.get(url(year=9999)).status_code == 404


def test_region_year_page_marks_an_approved_department_without_a_disclosure(client, season):
    html = client.get(reverse("disclosures:region-year", args=["622901", 2024])).content.decode()
    assert "逾期未公开" in row_of(html, "逾期局")  # it has no Disclosure at all
    assert "逾期未公开" not in row_of(html, "未到期局")
    assert url() in html


def test_region_and_home_pages_link_to_the_compliance_page(client):
    assert url() in client.get(reverse("disclosures:region", args=["622901"])).content.decode()
    home = client.get("/").content.decode()
    assert url() in home and url("440118") in home


def test_tables_have_captions_scopes_and_headers_that_exist(client, season):
    audit = TableAudit()
    audit.feed(client.get(url()).content.decode())
    assert audit.tables == 2 and audit.captions == audit.tables
    assert audit.th_without_scope == 0
    assert set(audit.headers) <= audit.ids
    html = client.get(url(query="?sort=days&order=desc")).content.decode()
    assert "?format=csv&amp;sort=days&amp;order=desc" in html


# What the finance bureau's trial found ---------------------------------------------------


def test_a_department_published_without_a_date_but_approved_is_not_undated(client, season):
    # The demo's seeds say nothing of when they were published (published_at NULL).
    linxia = Department.objects.get(name=LINXIA)
    BudgetApproval.objects.create(department=linxia, fiscal_year=2024, approved_on=days_ago(90))
    row = row_of(client.get(url()).content.decode(), LINXIA)
    assert "公开日期未记录" in row and "未记录批复日期" not in row
    assert days_ago(90).isoformat() in row
    rows = {row["部门"]: row for row in csv_rows(client)}
    assert rows[LINXIA]["状态"] == "公开日期未记录"
    assert rows[LINXIA]["批复日期"] == days_ago(90).isoformat()
    # Sorted by status: after the four judged ones, before those without a 批复日期.
    by_status = [row["部门"] for row in csv_rows(client)]
    assert by_status[-1] == LINXIA


def test_status_comes_right_after_the_department_then_the_day_count(client, season):
    html = client.get(url()).content.decode()
    head = html[
        html.index('id="compliance-caption"') : html.index(
            "</thead>", html.index('id="compliance-caption"')
        )
    ]
    labels = ["部门", "状态", "逾期/剩余天数", "批复日期", "公开期限", "首次公开日期", "区划"]
    positions = [head.index(f">{label}") for label in labels]
    assert positions == sorted(positions)
    late = row_of(html, "迟报局")
    assert late.index("逾期公开") < late.index("晚 10 天") < late.index(days_ago(40).isoformat())
    assert f'<td class="nowrap"><time datetime="{days_ago(40).isoformat()}"' in late
    assert '<td class="nowrap">临夏市</td>' in late
    header = next(
        csv.reader(io.StringIO(client.get(url(query="?format=csv")).content.decode("utf-8-sig")))
    )
    assert header[:7] == [
        "部门",
        "状态",
        "逾期/剩余天数",
        "天数说明",
        "批复日期",
        "公开期限",
        "首次公开日期",
    ]


def test_a_past_year_lists_only_departments_that_year_concerns(client, season):
    linxia = season
    # 2025 is the newest year anyone has reached: every department owes it.
    BudgetApproval.objects.create(
        department=Department.objects.get(name="按时局"), fiscal_year=2025, approved_on=days_ago(3)
    )
    department("新设局", linxia)  # created now: nothing for 2024
    names_2024 = {row["部门"] for row in csv_rows(client)}
    assert "新设局" not in names_2024
    assert {"按时局", "迟报局", "逾期局", "未到期局", LINXIA} <= names_2024
    response = client.get(url(year=2025, query="?format=csv"))
    names_2025 = {
        r["部门"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert "新设局" in names_2025 and LINXIA in names_2025
    assert "每年列出当年有预算公开记录或已登记批复日期的部门" in client.get(url()).content.decode()


def test_a_county_that_published_nothing_leads_to_its_compliance_page(client):
    county = Region.objects.create(
        code="622998", name="无公开县", parent=Region.objects.get(code="622901")
    )
    department("欠报局", county, approved=40)
    html = client.get(reverse("disclosures:region", args=[county.code])).content.decode()
    assert url(county.code, 2024) in html
    assert "该地区尚无已公开的部门预算" not in html
    assert "逾期未公开" in row_of(client.get(url(county.code)).content.decode(), "欠报局")
    # A draft gives a year too, never its content.
    drafting = department("起草局", county)
    Disclosure.objects.create(department=drafting, fiscal_year=2023, correction_note=DRAFT_SECRET)
    cache.clear()
    html = client.get(reverse("disclosures:region", args=[county.code])).content.decode()
    assert url(county.code, 2023) in html and DRAFT_SECRET not in html


def test_home_leads_to_each_provinces_compliance_for_the_newest_approved_year(client):
    home = client.get("/").content.decode()
    assert url("620000", 2025) not in home
    BudgetApproval.objects.create(
        department=Department.objects.get(name=LINXIA), fiscal_year=2025, approved_on=days_ago(3)
    )
    home = client.get("/").content.decode()
    assert url("620000", 2025) in home and url("440000", 2025) in home


def test_recording_a_date_shows_at_once_on_cached_pages(client, season):
    first = client.get(url())
    assert first["X-Cache"] == "miss"
    assert client.get(url())["X-Cache"] == "hit"
    linxia = Department.objects.get(name=LINXIA)
    approval = BudgetApproval.objects.create(
        department=linxia, fiscal_year=2024, approved_on=days_ago(77)
    )
    fresh = client.get(url())
    assert fresh["X-Cache"] == "miss" and days_ago(77).isoformat() in fresh.content.decode()
    approval.approved_on = days_ago(66)
    approval.save()
    assert days_ago(66).isoformat() in client.get(url()).content.decode()
    approval.delete()
    assert days_ago(66).isoformat() not in client.get(url()).content.decode()
