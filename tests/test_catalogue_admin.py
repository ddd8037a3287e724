"""The catalogues in the admin: who may upload, preview, confirm, copy, mark complete and
export, and what each step changes (nothing before the confirmation)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosures.models import CatalogueYear, EconomicSubject, FunctionSubject

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


def upload(client, text: str, *, year=2030, kind="function", name="c.csv", complete=False):
    data = {
        "kind": kind,
        "year": year,
        "file": SimpleUploadedFile(name, text.encode("utf-8")),
    }
    if complete:
        data["complete"] = "on"
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
    response = upload(client, without, year=2024)
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
