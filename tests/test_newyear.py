"""Starting a budget year (disclosures/newyear.py): start_year, export_template, the
Region changelist's action and the template download on the workbook import page."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from disclosures.checks import run_checks
from disclosures.facts import Facts
from disclosures.models import (
    CatalogueYear,
    Department,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Passage,
    PriorYearFigure,
    Region,
    Unit,
)
from disclosures.newyear import YearRefused, may_start, start_year
from disclosures.specs import LAYOUTS, SPECS, Shape
from disclosures.workbook import workbook_bytes

pytestmark = pytest.mark.django_db
LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
MISSING = "2025 年的科目目录尚未载入：请导入，或从 2024 年复制"
IMPORT = reverse("disclosures:workbook-import")
REGIONS = reverse("admin:disclosures_region_changelist")


@pytest.fixture
def catalogue_2025(db):
    """2024's catalogues copied to 2025, as the bureau's copy would (another module's job)."""
    for model in (FunctionSubject, EconomicSubject):
        rows = list(model.objects.filter(year=2024))
        for row in rows:
            row.pk, row.year = None, 2025
        model.objects.bulk_create(rows)
    for catalogue in CatalogueYear.objects.filter(year=2024):
        catalogue.pk, catalogue.year = None, 2025
        catalogue.save()


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("start_year", *args, stdout=out)
    return out.getvalue()


def published_2024() -> Disclosure:
    return Disclosure.objects.with_contents().get(
        department__name=LINXIA, fiscal_year=2024, revision=1
    )


def draft_2025(name: str = LINXIA) -> Disclosure:
    return Disclosure.objects.with_contents().get(department__name=name, fiscal_year=2025)


def table_rows(disclosure: Disclosure, key: str) -> list:
    rows = getattr(disclosure, SPECS[key].source.accessor).all()
    return sorted(rows, key=lambda row: row.position)


def structure(disclosure: Disclosure) -> dict[str, list[str]]:
    """Each table's row keys in printed order: items, subject codes, units."""
    return {
        key: [row.key for row in table_rows(disclosure, key)] for key in LAYOUTS[disclosure.layout]
    }


def codes(disclosure: Disclosure, key: str) -> list[str]:
    return [row.code for row in table_rows(disclosure, key)]


def amounts(disclosure: Disclosure) -> set[Decimal]:
    return {
        getattr(row, column)
        for key in LAYOUTS[disclosure.layout]
        for row in table_rows(disclosure, key)
        for column in SPECS[key].money
    }


def region_admin_of(code: str, username: str = "guangdong_admin"):
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="region_admin"))
    Region.objects.get(code=code).staff.add(user)
    return user


# start_year --------------------------------------------------------------------------------


def test_start_year_gives_linxia_a_draft_of_last_years_structure(catalogue_2025):
    FunctionSubject.objects.filter(year=2025, code="2010101").update(name="行政运行（新）")
    printed = run("--region", "620000", "--year", "2025")

    draft = draft_2025()
    last = published_2024()
    assert (draft.status, draft.revision, draft.layout) == ("draft", 1, last.layout)
    assert f"{LINXIA}（临夏市）：已建 2025 年草稿（第 1 版）" in printed
    assert "上年数取自已公开的 2024 年第 1 版" in printed
    # Last year's codes, in last year's order, named as the 2025 catalogue names them.
    for key, spec in SPECS.items():
        if spec.shape == Shape.SUBJECTS:
            assert codes(draft, key) == codes(last, key), key
    names = {row.code: row.name for row in table_rows(draft, "general_expense")}
    assert names["2010101"] == "行政运行（新）"
    # Seed 004 misprints 301 as 工作福利支出; the draft names it as the catalogue does.
    assert {row.code: row.name for row in table_rows(draft, "general_basic")}["301"] == (
        "工资福利支出"
    )
    # The department's units under 总计 and the department, as last year.
    for key in ("fiscal_by_unit", "three_public"):
        assert structure(draft)[key] == structure(last)[key]
    # Nothing filled in: every amount zero, and the checks say the tables are empty.
    assert amounts(draft) == {Decimal("0")}
    findings = run_checks(Facts.of(draft))
    assert "general_expense" in {f.cell.table for f in findings if f.code == "EMPTY_TABLE"}
    assert not [f for f in findings if f.code in ("FIXED_ITEMS", "CATALOGUE")]


def test_the_draft_lists_every_fixed_item_of_the_summary_tables(catalogue_2025):
    run("--region", "620000", "--year", "2025")
    draft = draft_2025()
    classes = sorted(c for c in FunctionSubject.objects.names(2025) if len(c) == 3)
    for key in ("department_summary", "department_income", "fiscal_summary"):
        present = set(structure(draft)[key])
        for side, item, code in SPECS[key].fixed_items(classes):
            assert ":".join(p for p in (side, item, code) if p) in present, (key, item, code)
    labels = {row.key: row.label for row in table_rows(draft, "fiscal_summary")}
    # Last year's wording is kept; a 类 takes its catalogue name (seed 004 printed the
    # former 文化体育与传媒支出).
    assert labels["income:grand_total"] == "收 入 总 计"
    assert labels["expense:function_class:207"] == "文化旅游体育与传媒支出"


def test_passages_are_last_years_marked_to_update(catalogue_2025):
    run("--region", "620000", "--year", "2025")
    last = {p.section: p.text for p in published_2024().passages.all()}
    passages = {p.section: p.text for p in Passage.objects.filter(disclosure=draft_2025())}
    assert passages.keys() == last.keys()
    for section, text in passages.items():
        assert text == "【待更新】" + last[section]
    # Until the clerk rewrites each one, the checks refuse to let the draft through.
    unchanged = {f.cell.row for f in run_checks(Facts.of(draft_2025())) if f.code == "PLACEHOLDER"}
    assert unchanged == set(last)


def test_last_years_figures_are_the_published_2024_totals(catalogue_2025):
    printed = run("--region", "620000", "--year", "2025")
    draft = draft_2025()
    last = Facts.of(published_2024(), with_prior=False)
    prior = Facts.of(draft).prior_year
    assert prior == {key: last.current(*key) for key in last.compared_items()}
    assert prior[("basic", "")] == Decimal("821.07")
    assert prior[("function_class", "201")] == Decimal("866.07")
    assert prior[("office_running", "")] == Decimal("112.54")
    # Read from the published revision, not typed in: none would outrank it later.
    assert not PriorYearFigure.objects.filter(disclosure=draft).exists()
    assert f"上年数 {len(prior)} 项" in printed


def test_a_second_run_creates_nothing(catalogue_2025):
    run("--region", "620000", "--year", "2025")
    draft = draft_2025()
    printed = run("--region", "620000", "--year", "2025")
    assert "跳过，已有 2025 年的部门预算公开（第 1 版，草稿）" in printed
    assert "新建草稿 0 份" in printed
    assert Disclosure.objects.filter(fiscal_year=2025).get() == draft


def test_without_a_2025_catalogue_nothing_is_made():
    with pytest.raises(CommandError, match=MISSING):
        run("--region", "620000", "--year", "2025")
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()
    results = start_year([Region.objects.get(code="620000")], 2025)
    assert [r.skipped for r in results] == [MISSING]


def test_half_a_catalogue_says_which_is_missing(catalogue_2025):
    EconomicSubject.objects.filter(year=2025).delete()
    with pytest.raises(CommandError, match="2025 年的科目目录尚未载入（经济分类）"):
        run("--region", "620000", "--year", "2025")
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()


def test_a_code_the_new_catalogue_dropped_is_left_out_and_said(catalogue_2025):
    FunctionSubject.objects.filter(year=2025, code="2010199").delete()
    printed = run("--region", "620000", "--year", "2025")
    draft = draft_2025()
    assert "2010199" not in codes(draft, "general_expense")
    assert "2010104" in codes(draft, "general_expense")
    assert "一般公共预算支出情况表有 1 个科目不在 2025 年目录中，未带入：2010199" in printed


def test_zengcheng_performance_only_is_skipped_and_said(catalogue_2025):
    run("--region", "620000", "--year", "2025")
    assert not Disclosure.objects.filter(department__name=ZENGCHENG, fiscal_year=2025).exists()
    printed = run("--region", "440000", "--year", "2025")
    assert f"{ZENGCHENG}（增城区）：跳过，2024 年的公开样式为“仅项目支出绩效目标表”" in printed
    assert not Disclosure.objects.filter(department__name=ZENGCHENG, fiscal_year=2025).exists()


def test_a_department_without_last_year_gets_the_fixed_items_and_its_units(catalogue_2025):
    department = Department.objects.create(region=Region.objects.get(code="622901"), name="新部门")
    unit = Unit.objects.create(department=department, name="新部门本级", is_headquarters=True)
    printed = run("--region", "622900", "--year", "2025")
    assert "新部门（临夏市）：已建 2025 年草稿（第 1 版）" in printed
    assert "无 2024 年的公开，按 2025 年目录和固定项目新建空白草稿" in printed
    assert "上年数：2024 年尚未公开" in printed
    assert "情况说明待撰写（上年无可沿用的段落）" in printed and "0 段" not in printed
    draft = draft_2025("新部门")
    shape = structure(draft)
    assert shape["general_expense"] == ["total"]
    assert shape["fiscal_by_unit"] == ["total", "department", f"unit:{unit.pk}"]
    assert len(shape["department_summary"]) == 46
    assert not draft.passages.exists()


def test_a_region_admin_of_another_province_cannot_start_gansus_year(catalogue_2025):
    region_admin_of("440000")
    with pytest.raises(CommandError, match="您无权为“甘肃省”开始 2025 年度预算编制"):
        run("--region", "620000", "--year", "2025", "--user", "guangdong_admin")
    with pytest.raises(YearRefused):
        start_year(
            [Region.objects.get(code="620000")],
            2025,
            user=get_user_model().objects.get(username="linxia_clerk"),
        )
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()
    # Gansu's own administrator may.
    assert "已建 2025 年草稿" in run(
        "--region", "620000", "--year", "2025", "--user", "region_admin"
    )
    record = draft_2025().history.earliest("history_date")
    assert record.history_user.username == "region_admin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--region", "999999", "--year", "2025"), "找不到行政区划代码 999999"),
        (("--region", "620000", "--year", "1999"), "年度须在 2000 至 2100 之间"),
        (("--region", "620000", "--year", "2025", "--user", "nobody"), "找不到账号“nobody”"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(catalogue_2025, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()


# export_template ---------------------------------------------------------------------------


def export(tmp_path, *args: str):
    path = tmp_path / "template.xlsx"
    call_command("export_template", *args, "-o", str(path), stdout=io.StringIO())
    return path


def test_a_template_for_a_department_without_a_draft_imports_back(catalogue_2025, tmp_path):
    path = export(tmp_path, "--department", LINXIA, "--year", "2025")
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()  # rendered, not kept
    book = load_workbook(path)
    assert book.sheetnames[:11] == [f"表{n}" for n in "一二三四五六七八九十"] + ["表十一"]
    six = book["表六"]
    found = next(row for row in six.iter_rows() if row[0].value == "2010101")
    assert [cell.value for cell in found[2:5]] == [None, None, None]  # left blank to fill in

    call_command("import_workbook", str(path), department=LINXIA, year=2025, stdout=io.StringIO())
    imported = draft_2025()
    for key, spec in SPECS.items():
        if spec.shape == Shape.SUBJECTS:
            assert codes(imported, key) == codes(published_2024(), key), key
    # The imported draft is the draft start_year makes: same rows, same units.
    template_shape = structure(imported)
    Disclosure.objects.filter(pk=imported.pk).delete()
    run("--region", "622901", "--year", "2025")
    assert structure(draft_2025()) == template_shape


def test_a_template_of_a_year_with_a_draft_is_that_draft(catalogue_2025, tmp_path):
    run("--region", "620000", "--year", "2025")
    path = export(tmp_path, "--department", LINXIA, "--region", "622901", "--year", "2025")
    assert path.read_bytes() == workbook_bytes(draft_2025())


def test_a_template_needs_the_years_catalogue(tmp_path):
    with pytest.raises(CommandError, match=MISSING):
        export(tmp_path, "--department", LINXIA, "--year", "2025")
    assert not (tmp_path / "template.xlsx").exists()


def test_an_ambiguous_department_name_lists_the_regions(catalogue_2025, tmp_path):
    Department.objects.create(region=Region.objects.get(code="440118"), name=LINXIA)
    with pytest.raises(
        CommandError,
        match=r"多个地区都有名为“临夏市人民代表大会常务委员会办公室”的部门（440118、622901）",
    ):
        export(tmp_path, "--department", LINXIA, "--year", "2025")
    with pytest.raises(CommandError, match="找不到部门“无此部门”"):
        export(tmp_path, "--department", "无此部门", "--year", "2025")


# The admin ---------------------------------------------------------------------------------


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def choose(client, *regions: str, **form):
    ids = [Region.objects.get(code=code).pk for code in regions]
    data = {"action": "start_budget_year", "_selected_action": ids, "index": 0, **form}
    return client.post(REGIONS, data)


def test_the_region_action_asks_the_year_then_starts_it(client, catalogue_2025):
    login(client, "admin")
    page = choose(client, "620000")
    assert page.status_code == 200
    assert 'name="year" value="2025"' in page.content.decode()  # the year after 2024
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()

    done = choose(client, "620000", apply="1", year="2025")
    assert done.status_code == 302
    assert draft_2025().status == "draft"
    told = [str(m) for m in get_messages(done.wsgi_request)]
    assert "2025 年：新建草稿 1 份，跳过 0 个部门。" in told


def test_the_region_action_says_a_shared_reason_once(client):
    Department.objects.create(region=Region.objects.get(code="622901"), name="新部门")
    done = choose(login(client, "admin"), "620000", apply="1", year="2026")
    told = [str(m) for m in get_messages(done.wsgi_request)]
    assert told == [
        "2026 年：新建草稿 0 份，跳过 2 个部门。",
        "2026 年的科目目录尚未载入：请导入，或从 2024 年复制",
    ]


def test_the_region_action_refuses_a_bad_year(client, catalogue_2025):
    login(client, "admin")
    page = choose(client, "620000", apply="1", year="20255")
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()


@pytest.mark.parametrize("username", ["guangdong_admin", "linxia_clerk", "reviewer"])
def test_only_the_regions_administrators_may_start_its_year(client, catalogue_2025, username):
    region_admin_of("440000")
    login(client, username)
    response = choose(client, "620000", apply="1", year="2025")
    assert response.status_code == 302
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()


def test_who_may_start_a_regions_year():
    guangdong = region_admin_of("440000")
    users = get_user_model().objects
    gansu, zengcheng = Region.objects.get(code="620000"), Region.objects.get(code="440118")
    assert not may_start(guangdong, gansu)
    assert may_start(guangdong, zengcheng)  # a region below the one assigned
    assert may_start(users.get(username="admin"), gansu)
    assert may_start(users.get(username="region_admin"), gansu)
    assert not may_start(users.get(username="reviewer"), gansu)
    assert not may_start(users.get(username="linxia_clerk"), gansu)


def test_the_import_page_offers_each_editable_departments_template(client, catalogue_2025):
    linxia = Department.objects.get(name=LINXIA)
    url = reverse("disclosures:workbook-template", args=[linxia.pk, 2025])
    page = login(client, "linxia_clerk").get(IMPORT, {"year": "2025"})
    assert url in page.content.decode()
    other = login(client, "zengcheng_clerk").get(IMPORT, {"year": "2025"})
    assert url not in other.content.decode()
    assert client.get(url).status_code == 404

    download = login(client, "linxia_clerk").get(url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''2025" in download["Content-Disposition"]
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "表一"
    assert not Disclosure.objects.filter(fiscal_year=2025).exists()


def test_a_template_without_the_years_catalogue_says_so(client):
    linxia = Department.objects.get(name=LINXIA)
    url = reverse("disclosures:workbook-template", args=[linxia.pk, 2025])
    response = login(client, "linxia_clerk").get(url)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [MISSING]


def test_without_a_year_the_import_page_offers_the_year_each_department_drafts(
    client, catalogue_2025
):
    linxia = Department.objects.get(name=LINXIA)

    def template(year: int) -> str:
        return reverse("disclosures:workbook-template", args=[linxia.pk, year])

    # The newest catalogue while Linxia drafts nothing, then the year of its new draft.
    FunctionSubject.objects.filter(year=2025).update(year=2026)
    assert template(2026) in login(client, "linxia_clerk").get(IMPORT).content.decode()
    FunctionSubject.objects.filter(year=2026).update(year=2025)
    run("--region", "620000", "--year", "2025")
    copy = FunctionSubject.objects.filter(year=2025).values("code", "name")
    FunctionSubject.objects.bulk_create(FunctionSubject(year=2027, **row) for row in copy)
    html = login(client, "linxia_clerk").get(IMPORT).content.decode()
    assert template(2025) in html and template(2027) not in html


def test_the_season_benchmark_prints_each_step_and_leaves_nothing_behind(capsys):
    before = (
        Region.objects.count(),
        Department.objects.count(),
        Disclosure.objects.count(),
        get_user_model().objects.count(),
        FunctionSubject.objects.count(),
    )
    call_command("benchmark_season", "--departments", "2", "--units", "2")
    out = capsys.readouterr().out
    assert "导入花名册（2 个部门 × 2 个单位，2 个账号）" in out
    assert "开始新年度（2 份草稿）" in out and "按时公开情况页（缓存）" in out
    assert "（已回滚，数据库未改变）" in out
    after = (
        Region.objects.count(),
        Department.objects.count(),
        Disclosure.objects.count(),
        get_user_model().objects.count(),
        FunctionSubject.objects.count(),
    )
    assert after == before
