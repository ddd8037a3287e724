"""The public site: what citizens read, search, compare and download; only published
revisions; a fixed number of queries per page; cached until something is published."""

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from disclosures import money
from disclosures.fixtures.generate import RandomSource, generated_facts, save_generated
from disclosures.models import (
    BudgetApproval,
    ComparisonItem,
    Department,
    Disclosure,
    Project,
    Region,
)
from disclosures.rendering.exports import neutralise
from disclosures.workflow import approve, publish, submit

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"


@pytest.fixture
def linxia():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def user(name: str):
    return get_user_model().objects.get(username=name)


def published_generated(
    seed: int, region: Region | None = None, project_name: str = "", approved_on=None, **sizes
) -> Disclosure:
    """A generated, consistent disclosure, published (optionally in a given region)."""
    disclosure = save_generated(generated_facts(RandomSource(seed), **sizes))
    if region is not None:
        Department.objects.filter(pk=disclosure.department_id).update(region=region)
    if project_name:
        Project.objects.filter(disclosure=disclosure).update(
            name=Concat(Value(project_name), F("name"))
        )
    Disclosure.objects.filter(pk=disclosure.pk).update(
        status=Disclosure.Status.PUBLISHED, published_at=timezone.now()
    )
    if approved_on is not None:
        BudgetApproval.objects.create(
            department_id=disclosure.department_id,
            fiscal_year=disclosure.fiscal_year,
            approved_on=approved_on,
        )
    return Disclosure.objects.select_related("department__region").get(pk=disclosure.pk)


# Pages ---------------------------------------------------------------------------------


def test_home_has_search_years_regions_recent_and_timeliness(client, linxia):
    html = page(client, "/")
    assert 'role="search"' in html and 'name="q"' in html
    assert reverse("disclosures:region-year", args=["622901", 2024]) in html
    assert "临夏市" in html and "增城区" in html
    assert LINXIA in html and ZENGCHENG in html
    assert linxia.current_url in html
    # Neither seed says when it was approved: the portal says it cannot judge, not "0 on time".
    assert "2024年按时公开情况" in html
    assert "已有 2 个部门公开" in html
    assert "尚无部门同时记录批复日期和公开日期" in html


def test_timeliness_counts_publication_within_twenty_days_of_approval(client):
    # Published today: on time when approved 3 days ago, late when approved 25 days ago.
    published_generated(7, approved_on=timezone.localdate() - timedelta(days=3))
    published_generated(8, approved_on=timezone.localdate() - timedelta(days=25))
    html = page(client, "/")
    assert "在记录了批复日期的 2 个部门中，1 个在批复后 20 日内公开。" in html


def test_region_year_lists_departments_with_status_and_date(client, linxia):
    region = linxia.department.region
    unpublished = Department.objects.create(region=region, name="临夏市测试局")
    Disclosure.objects.create(department=unpublished, fiscal_year=2024)
    BudgetApproval.objects.create(
        department=unpublished,
        fiscal_year=2024,
        approved_on=timezone.localdate() - timedelta(days=60),
    )
    html = page(client, reverse("disclosures:region-year", args=[region.code, 2024]))
    assert LINXIA in html and linxia.current_url in html and "已公开" in html
    assert "临夏市测试局" in html and "逾期未公开" in html  # a draft 60 days after 批复
    assert "草稿" not in html  # drafts are nobody's business: only "not published"
    assert ZENGCHENG not in html


def test_department_page_lists_every_year_and_revision_with_correction_notes(client, clean_draft):
    department = clean_draft.department
    submit(clean_draft, user("linxia_clerk"))
    approve(clean_draft, user("reviewer"))
    publish(clean_draft, user("publisher"))
    html = page(client, department.get_absolute_url())
    assert "2024年" in html
    assert reverse("disclosures:revision", args=[department.pk, 2024, 1]) in html
    assert reverse("disclosures:revision", args=[department.pk, 2024, 2]) in html
    assert "更正说明：测试用更正" in html
    assert html.index("第2版") < html.index("第1版")  # newest first, marked current
    assert "现行版本" in html and "已被更正" in html


def test_disclosure_page_shows_narrative_tables_forms_charts_checks_and_downloads(client, linxia):
    html = page(client, linxia.current_url)
    for number in "一二三四五六七八九十":
        assert f"表{number}、" in html
    assert "表十一、国有资本经营预算支出情况表" in html
    table_six = html[html.index('id="general_expense"') : html.index('id="general_basic"')]
    assert "行政运行" in table_six and ">697.07<" in table_six
    assert "2024年部门预算公开情况说明" in html  # the computed narrative
    assert "比2023年预算减少198.6万元，下降19.48%" in html
    assert "部门整体支出绩效目标表" in html
    assert all(f'id="project_form_{n}"' in html for n in range(1, 6))
    assert html.count('<svg class="chart"') == 3 and 'role="img"' in html
    assert "2024年支出按功能分类（类）" in html and "“三公”经费历年预算" in html
    # The checks report: the seed's real mistakes, stated in Chinese.
    assert "8 个错误，6 个警告" in html
    assert "821.07" in html[html.index('id="findings"') :]
    # Downloads: the PDF with its SHA-256, JSON, CSV per table.
    assert linxia.pdf.sha256 in html and linxia.pdf_url in html
    assert linxia.json_url in html
    assert linxia.public_url("csv", revision=1, key="general_expense") in html
    # Revision history.
    assert 'id="revisions"' in html and "（本页）" in html


def test_key_figures_compare_with_last_year_as_the_text_states_it(client, linxia):
    html = page(client, linxia.current_url)
    overview = html[html.index('id="overview"') : html.index('id="narrative"')]
    assert "821.07" in overview and "上年 1019.67，-19.48%" in overview
    assert "112.54" in overview and "上年 78.53，+43.31%" in overview


def test_performance_only_layout_shows_the_project_list_without_tables(client):
    zengcheng = Disclosure.objects.get(department__name=ZENGCHENG)
    html = page(client, zengcheng.current_url)
    assert 'id="project_list"' in html
    assert "表一、" not in html and '<svg class="chart"' not in html


# Only published revisions are public ------------------------------------------------------


def test_drafts_are_404_to_the_public_everywhere(client, linxia_draft):
    department = linxia_draft.department
    revision_two = [department.pk, 2024, 2]
    for url in (
        reverse("disclosures:revision", args=revision_two),
        reverse("disclosures:json", args=revision_two),
        reverse("disclosures:csv", args=[*revision_two, "general_expense"]),
        reverse("disclosures:pdf", args=[linxia_draft.pk]),
        reverse("disclosures:api-disclosure", args=[linxia_draft.pk]),
        reverse("disclosures:api-table", args=[linxia_draft.pk, "general_expense"]),
        reverse("disclosures:api-findings", args=[linxia_draft.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The year's page still shows the published revision, and nothing of the draft.
    html = page(client, reverse("disclosures:disclosure", args=[department.pk, 2024]))
    assert "第1版" in html and "测试用更正" not in html
    api = client.get(reverse("disclosures:api-department", args=[department.pk])).json()
    assert [d["revision"] for d in api["disclosures"]] == [1]


def test_a_department_with_nothing_published_has_no_public_page(client):
    department = Department.objects.create(
        region=Region.objects.get(code="622901"), name="未公开局"
    )
    Disclosure.objects.create(department=department, fiscal_year=2024)
    assert client.get(department.get_absolute_url()).status_code == 404
    assert client.get(f"/departments/{department.pk}/2024/").status_code == 404
    assert client.get(f"/departments/{department.pk}/compare/").status_code == 404


# Search --------------------------------------------------------------------------------


def search_hits(client, query: str) -> list[tuple[str, str]]:
    """Each result of a search as (its title, its whole card), from the results list only:
    the search box above it echoes the query whatever was found."""
    html = page(client, f"/search/?q={query}")
    results = re.search(r'<ol class="search-results">(.*?)</ol>', html, re.S).group(1)
    cards = re.findall(r'<li class="card">(.*?)</li>', results, re.S)
    return [(re.search(r"<strong>(.*?)</strong>", card).group(1), card) for card in cards]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("临夏", [LINXIA]),
        ("人大", ["临夏市人大预算联网监督系统（省集中模式）建设", "2024 年度人大代表履职补助"]),
        ("联网监督", ["临夏市人大预算联网监督系统（省集中模式）建设", "预算联网监督系统运维项目"]),
    ],
)
def test_search_finds_chinese_substrings(client, query, expected):
    hits = search_hits(client, query)
    titles = [title for title, _card in hits]
    for text in expected:
        assert any(text in title for title in titles), (text, titles)
    for title, card in hits:  # each hit matches: in its title, or in the goal text marked
        assert query in title or f"<mark>{query}</mark>" in card, card


def test_search_finds_goal_text_and_links_to_the_form(client, linxia):
    html = page(client, "/search/?q=三级联络站")  # only in a Zengcheng goal
    assert "<mark>三级联络站</mark>" in html
    assert "#project_list" in html
    linxia_hit = page(client, "/search/?q=省集中模式")
    assert f"{linxia.current_url}#project_form_" in linxia_hit


def test_search_never_shows_drafts_or_superseded_revisions(client, linxia_draft):
    Project.objects.filter(disclosure=linxia_draft, position=1).update(name="草稿独有的项目名")
    assert "草稿独有的项目名" not in page(client, "/search/?q=草稿独有")
    assert "没有找到" in page(client, "/search/?q=草稿独有")
    assert "找到" not in page(client, "/search/?q=")


# Comparison ----------------------------------------------------------------------------


def test_year_on_year_comparison_uses_the_text_for_last_year(client, linxia):
    html = page(client, reverse("disclosures:department-compare", args=[linxia.department_id]))
    assert "2023年" in html and "2024年" in html
    basic = re.search(r"基本支出</th>(.*?)</tr>", html, re.S).group(1)
    assert "1019.67" in basic and "821.07" in basic and "-19.48%" in basic
    assert "取自2024年情况说明所述上年数" in html


def test_percentages_round_half_up_on_the_comparison_page_and_in_the_text(client, clean_draft):
    """四舍五入, as budget documents print it, in every place: 112.54 against 272 is
    −58.625 %, printed 58.63 (rounding half to even would print 58.62), as 12.345 % is 12.35."""
    assert money.percent(Decimal("24.69"), Decimal("200")) == Decimal("12.35")
    clean_draft.prior_year_figures.filter(item=ComparisonItem.OFFICE_RUNNING).update(
        amount=Decimal("272")
    )
    submit(clean_draft, user("linxia_clerk"))
    approve(clean_draft, user("reviewer"))
    publish(clean_draft, user("publisher"))
    compare = page(
        client, reverse("disclosures:department-compare", args=[clean_draft.department_id])
    )
    office_running = re.search(r"机关运行经费</th>(.*?)</tr>", compare, re.S).group(1)
    assert "272.00" in office_running and "-58.63%" in office_running
    html = page(client, clean_draft.current_url)
    text = html[html.index('id="narrative"') :]
    assert "机关运行经费112.54万元，比2023年预算减少159.46万元，下降58.63%" in text


def test_region_comparison_sorts_by_any_column(client, linxia):
    region = linxia.department.region
    small = published_generated(3, region, units=1, projects=1)
    large = published_generated(4, region, units=4, projects=6)
    url = reverse("disclosures:region-compare", args=[region.code, 2024])

    def order(query: str) -> list[str]:
        html = page(client, f"{url}?{query}")
        return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)

    names = {linxia.department.name, small.department.name, large.department.name}
    assert set(order("sort=total")) == names
    for key in ("total", "three_public", "office_running", "basic_share"):
        from disclosures.site.queries import region_figures

        figures = {
            f.disclosure.department.name: getattr(f, key) for f in region_figures(region, 2024)
        }
        descending = order(f"sort={key}&order=desc")
        assert [figures[n] for n in descending] == sorted(figures.values(), reverse=True)
        assert len(set(figures.values())) == 3, figures  # no ties: one right order
        assert order(f"sort={key}&order=asc") == list(reversed(descending))
    html = page(client, f"{url}?sort=three_public&order=asc")
    assert 'aria-sort="ascending"' in html
    assert "sort=three_public&amp;order=desc" in html  # the header offers the other order


# Downloads -----------------------------------------------------------------------------


def test_table_csv_is_the_printed_table(client, linxia):
    response = client.get(linxia.public_url("csv", revision=1, key="general_expense"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["表六、一般公共预算支出情况表"]
    assert rows[1] == [LINXIA, "单位：万元"]
    assert rows[2][0].startswith("功能分类科目") and "基本支出" in "".join(rows[2])
    assert any(row[:2] == ["2010101", "行政运行"] and "697.07" in row for row in rows)


def test_downloads_are_rendered_once_and_keep_their_file_name(client, linxia):
    url = linxia.public_url("csv", revision=1, key="general_expense")
    first, second = client.get(url), client.get(url)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Type"] == first["Content-Type"]
    assert client.get(f"{url[: -len('general_expense/')]}nope/").status_code == 404


def test_csv_neutralises_formulas():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("@SUM") == "'@SUM"
    assert neutralise("行政运行") == "行政运行"


def test_json_download_is_the_dump(client, linxia, capsys):
    response = client.get(linxia.json_url)
    call_command("dump_disclosure", "--department", LINXIA, "--year", "2024")
    assert json.loads(response.content) == json.loads(capsys.readouterr().out)


def test_every_revision_has_permanent_urls(linxia):
    assert linxia.get_absolute_url() == f"/departments/{linxia.department_id}/2024/r1/"
    assert linxia.current_url == f"/departments/{linxia.department_id}/2024/"
    assert linxia.json_url == f"/departments/{linxia.department_id}/2024/r1/json/"


# The API -------------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_every_example_answers(client):
    from openapi_spec_validator import validate

    schema = client.get("/api/openapi.json").json()
    validate(schema)
    html = page(client, "/api/")
    examples = re.findall(r'示例： <a href="([^"]+)"', html)
    assert len(examples) == len(schema["paths"])
    for example in examples:
        response = client.get(example)
        assert response.status_code == 200, example
        assert response["Content-Type"].startswith("application/json")


def test_api_lists_and_filters_published_disclosures(client, linxia, linxia_draft):
    data = client.get("/api/disclosures/?region=622901&year=2024").json()
    assert data["count"] == 1
    (item,) = data["results"]
    assert item["department"]["name"] == LINXIA and item["revision"] == 1
    assert item["pdf"]["sha256"] == linxia.pdf.sha256
    assert client.get("/api/disclosures/?year=2023").json()["count"] == 0
    assert client.get("/api/disclosures/?year=abc").status_code == 400
    regions = client.get("/api/regions/").json()["regions"]
    assert {"622901", "440118"} <= {r["code"] for r in regions}


def test_api_table_and_findings(client, linxia):
    table = client.get(f"/api/disclosures/{linxia.pk}/tables/general_expense/").json()
    assert table["heading"] == "表六、一般公共预算支出情况表"
    assert ["2010101", "行政运行", "697.07", "697.07", ""] in table["rows"]
    findings = client.get(f"/api/disclosures/{linxia.pk}/findings/").json()["findings"]
    assert sum(f["severity"] == "error" for f in findings) == 8
    assert client.get(f"/api/disclosures/{linxia.pk}/tables/nope/").status_code == 404


# Speed ---------------------------------------------------------------------------------


PAGES = {
    "home": (lambda d: "/", 5),
    "search": (lambda d: "/search/?q=人大", 4),
    "region": (lambda d: f"/regions/{d.department.region.code}/", 4),
    "region-year": (lambda d: f"/regions/{d.department.region.code}/2024/", 6),
    "region-compare": (lambda d: f"/regions/{d.department.region.code}/2024/compare/", 26),
    "department": (lambda d: d.department.get_absolute_url(), 3),
    "department-compare": (lambda d: f"/departments/{d.department_id}/compare/", 25),
    "disclosure": (lambda d: d.current_url, 29),
    "api-disclosures": (lambda d: "/api/disclosures/", 3),
    "api-disclosure": (lambda d: f"/api/disclosures/{d.pk}/", 27),
}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_costs_a_fixed_number_of_queries_whatever_its_size(
    client, django_assert_num_queries, name
):
    url_of, queries = PAGES[name]
    region = Region.objects.create(code="629901", name="测试市")
    small = published_generated(11, region, units=1, projects=1)
    with django_assert_num_queries(queries):
        assert client.get(url_of(small)).status_code == 200
    cache.clear()
    large = published_generated(12, region, "人大项目", units=8, projects=15)  # more hits
    published_generated(13, region, units=5, projects=9)
    with django_assert_num_queries(queries):
        assert client.get(url_of(large)).status_code == 200


def test_published_pages_are_cached_until_the_next_publication(
    client, clean_draft, django_assert_num_queries
):
    url = reverse("disclosures:disclosure", args=[clean_draft.department_id, 2024])
    first = client.get(url)
    assert first["X-Cache"] == "miss" and "第1版" in first.content.decode()
    with django_assert_num_queries(1):  # the publication stamp, nothing else
        second = client.get(url)
    assert second["X-Cache"] == "hit" and second.content == first.content
    submit(clean_draft, user("linxia_clerk"))
    approve(clean_draft, user("reviewer"))
    assert client.get(url)["X-Cache"] == "hit"  # approval publishes nothing
    publish(clean_draft, user("publisher"))
    third = client.get(url)
    assert third["X-Cache"] == "miss"
    assert "第2版" in third.content.decode() and "测试用更正" in third.content.decode()
    assert "已更正" in client.get("/regions/622901/2024/").content.decode()


def test_staff_are_never_served_the_cache(client, linxia):
    assert client.get(linxia.current_url)["X-Cache"] == "miss"  # an anonymous visit fills it
    client.force_login(user("reviewer"))
    response = client.get(linxia.current_url)
    assert response.status_code == 200 and "X-Cache" not in response
    assert 'href="/admin/"' in response.content.decode()


# Language and accessibility ------------------------------------------------------------


def test_chinese_by_default_whatever_the_browser_says(client, linxia):
    html = page(client.__class__(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), linxia.current_url)
    assert '<html lang="zh-Hans">' in html and "表六、一般公共预算支出情况表" in html


def test_english_switch_translates_the_interface_and_table_titles(client, linxia):
    response = client.get(f"/language/en/?next={linxia.current_url}")
    assert response.status_code == 302 and response["Location"] == linxia.current_url
    html = page(client, linxia.current_url)
    assert '<html lang="en">' in html
    assert "Table 6. General public budget expenditure" in html
    assert "Downloads" in html and "Checks" in html
    assert ">Basic expenditure<" in html  # a header cell
    assert "行政运行" in html  # the statutory content stays as published
    client.get("/language/zh-hans/")
    assert "表六、一般公共预算支出情况表" in page(client, linxia.current_url)


def test_language_switch_only_redirects_to_this_site(client):
    response = client.get("/language/en/?next=https://evil.example/")
    assert response["Location"] == "/"


class TableAudit(HTMLParser):
    """Collects what WCAG asks of data tables: captions, th scopes, headers ids."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.headers: list[str] = []
        self.tables = self.captions = 0
        self.th_without_scope = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and "scope" not in attrs:
            self.th_without_scope += 1
        elif tag == "td" and "headers" in attrs:
            self.headers += attrs["headers"].split()


@pytest.mark.parametrize(
    "url",
    [
        lambda d: d.current_url,
        lambda d: f"/regions/{d.department.region.code}/2024/compare/",
        lambda d: f"/departments/{d.department_id}/compare/",
        lambda d: f"/regions/{d.department.region.code}/2024/",
        lambda d: "/api/",
    ],
)
def test_tables_have_captions_scopes_and_headers_that_exist(client, linxia, url):
    audit = TableAudit()
    audit.feed(page(client, url(linxia)))
    assert audit.tables and audit.captions == audit.tables
    assert audit.th_without_scope == 0
    assert set(audit.headers) <= audit.ids


def test_static_files_get_hashed_names_for_whitenoise(tmp_path, settings):
    from django.templatetags.static import static

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    url = static("css/portal.css")
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", url)
    assert (tmp_path / url.removeprefix("/static/")).exists()
    assert (tmp_path / (url.removeprefix("/static/") + ".gz")).exists()


def test_timeliness_says_what_is_missing_when_only_the_approval_is_recorded(client, linxia):
    # The demo's revisions have no publication time: a 批复日期 alone judges nothing, and
    # the sentence must not claim that no 批复日期 is recorded.
    BudgetApproval.objects.create(
        department=linxia.department, fiscal_year=2024, approved_on=timezone.localdate()
    )
    html = page(client, "/")
    assert "尚无部门同时记录批复日期和公开日期，暂不能判断是否在批复后 20 日内公开。" in html
    assert "尚无部门记录批复日期" not in html
