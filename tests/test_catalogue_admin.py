"""The catalogues in the admin: who may upload, preview, confirm, copy, mark complete and
export, and what each step changes (nothing before the confirmation)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosures.models import CatalogueYear, EconomicSubject, FunctionSubject, Region

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:disclosures_catalogueyear_upload")
COPY = reverse("admin:disclosures_catalogueyear_copy")
CHANGELIST = reverse("admin:disclosures_catalogueyear_changelist")
EDUCATION = "科目编码,科目名称,所属预算,基本支出\n205,教育支出,,\n20501,教育管理事务,,\n2050101,行政运行,,是\n"


@pytest.fixture
def as_persona(client):
    def login(name):
        client.logout()
        client.force_login(get_user_model().objects.get(username=name))
        return client

    return login


@pytest.fixture
def county_admin(client):
    """A region administrator of 临夏市 only: a county's, who reads the catalogues."""
    user = get_user_model().objects.create_user("linxia_admin", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="region_admin"))
    Region.objects.get(code="622901").staff.add(user)
    client.force_login(user)
    return client


def upload(
    client, text: str, *, year=2030, kind="function", name="c.csv", complete=False, remove=False
):
    data = {
        "kind": kind,
        "year": year,
        "file": SimpleUploadedFile(name, text.encode("utf-8")),
    }
    if complete:
        data["complete"] = "on"
    if remove:
        data["remove"] = "on"
    return client.post(UPLOAD, data)


def entries(year: int) -> list:
    return sorted(FunctionSubject.objects.filter(year=year).values_list("code", "name", "basic"))


@pytest.mark.parametrize("persona", ["admin", "region_admin"])
def test_the_bureau_uploads_previews_and_confirms(as_persona, persona):
    client = as_persona(persona)
    response = upload(client, EDUCATION, complete=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "c.csv：2030 年支出功能分类科目：新增 3 条，改名 0 条，标记变化 0 条，删除 0 条" in html
    assert "2050101 行政运行" in html
    assert "2030 年尚无此目录，导入后新建。" in html
    assert entries(2030) == []  # the preview changes nothing
    token = response.context["token"]
    response = client.post(UPLOAD, {"token": token})
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    assert entries(2030) == [
        ("205", "教育支出", False),
        ("20501", "教育管理事务", False),
        ("2050101", "行政运行", True),
    ]
    year = CatalogueYear.objects.get(kind="function", year=2030)
    assert year.complete and "c.csv" in year.source
    # The same confirmation again finds nothing waiting.
    response = client.post(UPLOAD, {"token": token}, follow=True)
    assert "预览已过期或已导入，请重新上传。" in response.content.decode()


def test_a_bad_file_is_shown_with_its_messages_and_nothing_changes(as_persona):
    client = as_persona("region_admin")
    response = upload(client, "科目编码,科目名称\n205,教育支出\n2050,教育管理事务\n")
    html = response.content.decode()
    assert "文件有 1 处问题，科目目录未改变：" in html
    assert "第 3 行“科目编码”列：2050 不是科目编码（类 3 位、款 5 位、项 7 位）" in html
    assert "token" not in response.context
    assert entries(2030) == [] and not CatalogueYear.objects.filter(year=2030).exists()


def test_a_removal_a_disclosure_refuses_shows_no_confirmation(as_persona, client):
    client = as_persona("admin")
    export = client.get(
        reverse("admin:disclosures_catalogueyear_export", args=[catalogue(2024, "function").pk])
    )
    text = export.content.decode("utf-8-sig")
    without = "".join(line for line in text.splitlines(True) if not line.startswith("2010101,"))
    before = entries(2024)
    response = upload(client, without, year=2024, remove=True)
    html = response.content.decode()
    assert "不能导入，科目目录未改变：" in html
    assert "不能删除科目 2010101：2024 年“临夏市人民代表大会常务委员会办公室" in html
    assert "确认导入" not in html
    assert entries(2024) == before


def catalogue(year: int, kind: str) -> CatalogueYear:
    return CatalogueYear.objects.get(year=year, kind=kind)


@pytest.mark.parametrize("persona", ["linxia_clerk", "reviewer", "publisher"])
def test_others_may_not_upload_copy_or_mark_complete(as_persona, persona):
    client = as_persona(persona)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, EDUCATION).status_code == 403
    assert client.get(COPY).status_code == 403
    assert client.post(COPY, {"from_year": 2024, "to_year": 2025}).status_code == 403
    change = reverse(
        "admin:disclosures_catalogueyear_change", args=[catalogue(2024, "function").pk]
    )
    assert client.post(change, {"complete": "on", "source": "x"}).status_code == 403
    assert entries(2030) == [] and entries(2025) == []
    assert not catalogue(2024, "function").complete
    # They read the list and export it.
    html = client.get(CHANGELIST).content.decode()
    assert "导入科目文件" not in html and "从上年复制" not in html


def test_the_list_shows_entry_counts_and_links_for_the_bureau(as_persona):
    response = as_persona("region_admin").get(CHANGELIST)
    html = response.content.decode()
    functions = FunctionSubject.objects.filter(year=2024).count()
    economics = EconomicSubject.objects.filter(year=2024).count()
    rows = {(c.year, c.kind): c for c in response.context["cl"].result_list}
    assert rows[(2024, "function")].function_entries == functions
    admin = response.context["cl"].model_admin
    assert admin.entries(rows[(2024, "function")]) == functions
    assert admin.entries(rows[(2024, "economic")]) == economics
    assert "导入科目文件" in html and "从上年复制" in html
    assert f'<td class="field-entries">{functions}</td>' in html


def test_the_bureau_marks_a_catalogue_complete(as_persona):
    client = as_persona("region_admin")
    change = reverse(
        "admin:disclosures_catalogueyear_change", args=[catalogue(2024, "function").pk]
    )
    response = client.post(change, {"complete": "on", "source": "已与财政部 2024 年科目核对"})
    assert response.status_code == 302
    year = catalogue(2024, "function")
    assert year.complete and year.source == "已与财政部 2024 年科目核对"


def test_copy_from_last_year_and_refuse_a_second_time(as_persona):
    client = as_persona("region_admin")
    form = client.get(COPY).context["form"]
    assert form.initial == {"from_year": 2024, "to_year": 2025}
    response = client.post(COPY, {"from_year": 2024, "to_year": 2025, "kind": ""}, follow=True)
    html = response.content.decode()
    assert "已把 2024 年支出功能分类科目（" in html and "复制为 2025 年。" in html
    assert entries(2025) == entries(2024)
    response = client.post(COPY, {"from_year": 2024, "to_year": 2025, "kind": "function"})
    html = response.content.decode()
    assert "未复制，科目目录未改变：" in html
    assert "2025 年已有支出功能分类科目目录（" in html


@pytest.mark.parametrize("persona", ["linxia_clerk", "admin"])
def test_export_as_csv_and_xlsx(as_persona, persona):
    client = as_persona(persona)
    url = reverse("admin:disclosures_catalogueyear_export", args=[catalogue(2024, "economic").pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf\xe7\xa7\x91")  # BOM, then 科目编码
    assert "301,工资福利支出" in response.content.decode("utf-8-sig")
    response = client.get(url + "?format=xlsx")
    assert response.content.startswith(b"PK")
    assert client.get(url.replace(str(catalogue(2024, "economic").pk), "999999")).status_code == 404


def test_the_function_subject_list_shows_and_edits_the_flags(as_persona):
    client = as_persona("region_admin")
    response = client.get(reverse("admin:disclosures_functionsubject_changelist") + "?year=2024")
    html = response.content.decode()
    assert "所属预算" in html and "基本支出科目" in html
    subject = FunctionSubject.objects.get(year=2024, code="2010101")
    change = reverse("admin:disclosures_functionsubject_change", args=[subject.pk])
    data = {"year": 2024, "code": "2010101", "name": "行政运行", "budget": "general", "basic": "on"}
    assert client.post(change, data).status_code == 302
    subject.refresh_from_db()
    assert subject.basic


def subject_urls() -> dict[str, str]:
    subject = FunctionSubject.objects.get(year=2024, code="2010101")
    return {
        "add": reverse("admin:disclosures_functionsubject_add"),
        "change": reverse("admin:disclosures_functionsubject_change", args=[subject.pk]),
        "delete": reverse("admin:disclosures_functionsubject_delete", args=[subject.pk]),
        "list": reverse("admin:disclosures_functionsubject_changelist"),
    }


NEW_SUBJECT = {"year": 2024, "code": "20598", "name": "新款", "budget": "general"}


def test_a_county_administrator_reads_the_catalogues_but_changes_nothing(county_admin):
    """Catalogues are one per year for every province: a county's administrator may not
    upload, copy, mark complete, nor add, change or delete a subject."""
    client = county_admin
    before = (entries(2024), sorted(EconomicSubject.objects.values_list("year", "code", "name")))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, EDUCATION).status_code == 403
    assert client.post(UPLOAD, {"token": "x"}).status_code == 403
    assert client.get(COPY).status_code == 403
    assert client.post(COPY, {"from_year": 2024, "to_year": 2025}).status_code == 403
    year = catalogue(2024, "function")
    change = reverse("admin:disclosures_catalogueyear_change", args=[year.pk])
    response = client.get(change)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert client.post(change, {"complete": "on", "source": "x"}).status_code == 403
    assert not catalogue(2024, "function").complete
    assert catalogue(2024, "function").source == year.source
    urls = subject_urls()
    assert client.get(urls["add"]).status_code == 403
    assert client.post(urls["add"], NEW_SUBJECT).status_code == 403
    data = {"year": 2024, "code": "2010101", "name": "改了", "budget": "fund", "basic": "on"}
    assert client.post(urls["change"], data).status_code == 403
    assert client.post(urls["delete"], {"post": "yes"}).status_code == 403
    pk = FunctionSubject.objects.get(year=2024, code="2010101").pk
    bulk = {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    client.post(urls["list"], bulk)
    economic = EconomicSubject.objects.get(year=2024, code="301")
    economic_url = reverse("admin:disclosures_economicsubject_delete", args=[economic.pk])
    assert client.post(economic_url, {"post": "yes"}).status_code == 403
    assert (
        entries(2024),
        sorted(EconomicSubject.objects.values_list("year", "code", "name")),
    ) == before
    assert not CatalogueYear.objects.filter(year__in=[2025, 2030]).exists()
    # They still read the lists, without the keepers' buttons.
    html = client.get(CHANGELIST).content.decode()
    assert client.get(CHANGELIST).status_code == 200
    assert "导入科目文件" not in html and "从上年复制" not in html
    response = client.get(urls["list"] + "?year=2024")
    assert response.status_code == 200 and "2010101" in response.content.decode()
    assert "delete_selected" not in response.content.decode()


def test_a_provinces_administrator_adds_changes_and_deletes_subjects(as_persona):
    client = as_persona("region_admin")
    urls = subject_urls()
    assert client.post(urls["add"], NEW_SUBJECT).status_code == 302
    assert FunctionSubject.objects.filter(year=2024, code="20598", name="新款").exists()
    added = FunctionSubject.objects.get(year=2024, code="20598")
    delete = reverse("admin:disclosures_functionsubject_delete", args=[added.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not FunctionSubject.objects.filter(year=2024, code="20598").exists()
    response = client.get(urls["list"] + "?year=2024")
    assert "delete_selected" in response.content.decode()


def few_codes() -> str:
    """Five 205 rows of 2024, as a bureau uploaded them, and one new 款."""
    fives = FunctionSubject.objects.filter(year=2024, code__startswith="205").order_by("code")[:5]
    rows = "".join(f"{s.code},{s.name}\n" for s in fives)
    return "科目编码,科目名称\n" + rows + "20598,教育新款\n"


def test_an_upload_of_a_few_codes_keeps_the_rest_unless_removal_is_ticked(as_persona):
    client = as_persona("admin")
    before = entries(2024)
    kept = len(before) - 5
    response = upload(client, few_codes(), year=2024)
    html = response.content.decode()
    assert "新增 1 条，改名 0 条，标记变化 0 条，删除 0 条" in html
    assert (
        f"文件中没有的 {kept} 条科目保留不变；如需删除，请重新上传并勾选“删除文件中没有的科目”。"
        in html
    )
    assert 'class="removed"' not in html
    assert client.post(UPLOAD, {"token": response.context["token"]}).status_code == 302
    after = entries(2024)
    assert set(before) < set(after) and len(after) == len(before) + 1
    # Ticked, the preview lists the removals (here refused: the demo uses some codes).
    response = upload(client, few_codes(), year=2024, remove=True)
    html = response.content.decode()
    assert f"删除 {kept} 条" in html and 'class="removed"' in html
    assert "保留不变" not in html
    assert "不能删除科目 2010101" in html and "确认导入" not in html
    assert entries(2024) == after


def test_a_ticked_removal_removes_on_confirmation(as_persona):
    client = as_persona("admin")
    client.post(UPLOAD, {"token": upload(client, EDUCATION).context["token"]})
    response = upload(client, "科目编码,科目名称\n205,教育支出\n", remove=True)
    html = response.content.decode()
    assert "<li>20501 教育管理事务</li>" in html and "<li>2050101 行政运行</li>" in html
    assert entries(2030)[1:] == [("20501", "教育管理事务", False), ("2050101", "行政运行", True)]
    assert client.post(UPLOAD, {"token": response.context["token"]}).status_code == 302
    assert entries(2030) == [("205", "教育支出", False)]


def test_the_copy_page_names_the_admins_import_not_the_command(as_persona):
    client = as_persona("admin")
    client.post(COPY, {"from_year": 2024, "to_year": 2025, "kind": "economic"})
    html = client.post(COPY, {"from_year": 2024, "to_year": 2025, "kind": "economic"}).content
    html = html.decode()
    assert "如需更新，请用“导入科目文件”。" in html
    assert "import_catalogue" not in html


def test_the_preview_cancels_with_a_button_beside_the_confirmation(as_persona):
    html = upload(as_persona("admin"), EDUCATION).content.decode()
    row = html.split('<div class="submit-row">', 1)[1].split("</div>", 1)[0]
    assert '<input type="submit" class="default" value="确认导入">' in row
    assert f'<a role="button" href="{UPLOAD}" class="button cancel-link">取消</a>' in row
    assert "css/admin-disclosure.css" in html
    css = (Path(settings.BASE_DIR) / "static/css/admin-disclosure.css").read_text()
    rule = css.split(".submit-row a.cancel-link {", 1)[1].split("}", 1)[0]
    assert "height: 0.9375rem;" in rule and "padding: 10px 15px;" in rule
