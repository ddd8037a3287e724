"""The statutory PDF, read back with pypdf: every title, figure and heading is there, the
fonts are embedded, the bytes never change, and a download never renders."""

import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from disclosures.models import Disclosure, DisclosurePDF
from disclosures.rendering import pdf as pdf_module

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


@pytest.fixture
def linxia():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


@pytest.fixture
def stored(linxia):
    return DisclosurePDF.objects.get(disclosure=linxia)


@pytest.fixture
def reader(stored):
    return PdfReader(io.BytesIO(stored.file.open("rb").read()))


def squashed_text(reader) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def dump(capsys):
    call_command("dump_disclosure", "--department", LINXIA, "--year", "2024")
    return json.loads(capsys.readouterr().out)


def test_every_table_title_figure_and_heading_is_in_the_pdf(reader, dump):
    text = squashed_text(reader)
    for table in dump["tables"]:
        assert table["heading"] in text
        for row in table["rows"]:
            for cell in row:
                assert re.sub(r"\s+", "", cell) in text, (table["heading"], cell)
    for heading in (
        "前言",
        "一、部门职责",
        "四、一般公共预算情况",
        "九、其他重要事项情况说明",
        "十一、名词解释",
    ):
        assert heading in text
    for paragraph in dump["narrative"]:
        assert re.sub(r"\s+", "", paragraph) in text
    assert "部门整体支出绩效目标表" in text
    assert text.count("项目支出绩效目标表") >= 5


def test_the_charts_of_the_public_page_close_the_pdf(reader):
    last = re.sub(r"\s+", "", reader.pages[-1].extract_text())
    assert "附：图示" in last
    for label in (
        "2024年支出按功能分类（类）",
        "一般公共服务支出",
        "866.07",
        "基本支出821.07万元（82.93%）",
    ):
        assert label in last
    assert "2023年" in last and "2024年" in last  # 三公 over the years


def test_pages_are_numbered_and_wide_tables_are_landscape(reader):
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    # 6 pages of text, 11 tables on a page each, the department form, 5 project forms,
    # and the page of charts after the document.
    assert total == 24
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in text
    for number, text in enumerate(pages):
        box = reader.pages[number].mediabox
        landscape = box.width > box.height
        wide = "表五、" in text or "表八、" in text
        assert landscape is wide, (number + 1, text[:40])


def test_fonts_are_embedded_and_none_is_type3(reader):
    seen = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            assert font["/Subtype"] != "/Type3"
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert any("Serif-CJK-SC" in name for name in seen)
    assert any("Sans-CJK-SC" in name for name in seen)


def test_the_same_revision_gives_the_same_bytes(linxia, stored):
    first = pdf_module.render_pdf(Disclosure.objects.with_contents().get(pk=linxia.pk))
    second = pdf_module.render_pdf(Disclosure.objects.with_contents().get(pk=linxia.pk))
    assert first == second
    assert hashlib.sha256(first).hexdigest() == stored.sha256


@pytest.fixture
def render_count(monkeypatch):
    calls = []
    real = pdf_module.render_pdf

    def counting(disclosure):
        calls.append(disclosure.pk)
        return real(disclosure)

    monkeypatch.setattr(pdf_module, "render_pdf", counting)
    return calls


def test_downloading_twice_renders_nothing(client, linxia, stored, render_count):
    url = reverse("disclosures:pdf", args=[linxia.pk])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert render_count == []
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''"
        "2024%E5%B9%B4%E4%B8%B4%E5%A4%8F%E5%B8%82%E4%BA%BA%E6%B0%91%E4%BB%A3%E8%A1%A8%E5%A4%A7%E4%BC%9A"
        "%E5%B8%B8%E5%8A%A1%E5%A7%94%E5%91%98%E4%BC%9A%E5%8A%9E%E5%85%AC%E5%AE%A4%E9%83%A8%E9%97%A8%E9%A2%84%E7%AE%97.pdf"
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{stored.sha256}"').status_code == 304


def test_publishing_renders_once_and_keeps_the_file(
    clean_draft, render_count, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from disclosures.workflow import approve, publish, submit

    users = get_user_model().objects
    submit(clean_draft, users.get(username="linxia_clerk"))
    approve(clean_draft, users.get(username="reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        publish(clean_draft, users.get(username="publisher"))
    assert render_count == [clean_draft.pk]
    stored = DisclosurePDF.objects.get(disclosure=clean_draft)
    assert hashlib.sha256(stored.file.open("rb").read()).hexdigest() == stored.sha256


def test_drafts_are_not_public_and_staff_preview_them(client, clean_draft):
    assert client.get(reverse("disclosures:pdf", args=[clean_draft.pk])).status_code == 404
    preview = reverse("disclosures:staff-preview-pdf", args=[clean_draft.pk])
    assert client.get(preview).status_code == 302  # to the login
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="linxia_clerk"))
    response = client.get(preview)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    client.force_login(get_user_model().objects.get(username="zengcheng_clerk"))
    assert client.get(preview).status_code == 404


def test_render_pdf_command(tmp_path, stored):
    out = tmp_path / "linxia.pdf"
    printed = io.StringIO()
    call_command(
        "render_pdf", "--department", LINXIA, "--year", "2024", "-o", str(out), stdout=printed
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() == stored.sha256
    assert stored.sha256 in printed.getvalue()


def test_bulk_zip_of_a_region_and_year_with_a_manifest(client, stored):
    import csv
    import zipfile

    response = client.get(reverse("disclosures:bulk-pdfs", args=["620000", 2024]))  # 甘肃省
    assert response.status_code == 200
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    name = "临夏市/2024年临夏市人民代表大会常务委员会办公室部门预算.pdf"
    assert archive.namelist() == [name, "manifest.csv"]
    assert hashlib.sha256(archive.read(name)).hexdigest() == stored.sha256
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0] == ["文件", "地区", "部门", "年度", "类别", "版本", "公开时间", "SHA-256"]
    assert manifest[1][2:6] == [LINXIA, "2024", "部门预算", "1"]
    assert manifest[1][7] == stored.sha256
    assert client.get(reverse("disclosures:bulk-pdfs", args=["440000", 2023])).status_code == 200


def test_the_project_list_is_an_option(linxia):
    with_list = pdf_module.render_pdf(
        Disclosure.objects.with_contents().get(pk=linxia.pk), project_list=True
    )
    text = squashed_text(PdfReader(io.BytesIO(with_list)))
    assert "2024年项目支出绩效目标表（含转移支付项目）" in text


def test_benchmark_command_prints_time_memory_and_pages():
    out = io.StringIO()
    call_command("benchmark_pdf", "--repeat", "1", "--units", "2", "--projects", "3", stdout=out)
    report = out.getvalue()
    assert re.search(
        r"临夏市人民代表大会常务委员会办公室 2024年部门预算（第1版）：[\d.]+ s（中位数），Python 内存峰值 [\d.]+ MiB，\d+ 页",
        report,
    )
    assert "随机生成部门（2 个单位，3 个项目）" in report
    assert Disclosure.objects.filter(department__region__code="000000").count() == 0  # rolled back


def test_a_table_over_several_pages_repeats_its_header_and_keeps_rows_whole():
    from disclosures.fixtures.generate import RandomSource, generated_facts, save_generated

    disclosure = save_generated(generated_facts(RandomSource(7), units=40, projects=2))
    reader = PdfReader(
        io.BytesIO(pdf_module.render_pdf(Disclosure.objects.with_contents().get(pk=disclosure.pk)))
    )
    pages = [page.extract_text() for page in reader.pages]
    table_five = [
        text
        for text in pages
        if "所属单位" in text and "国有资本经营预算支出" in text and "会议费" not in text
    ]
    assert len(table_five) >= 2, "表五 of 40 units spans more than one page"
    assert sum("表五、财政拨款支出表" in text for text in table_five) == 1
    for text in table_five:  # every page of it starts with the header again
        assert "单位名称" in text and "一般公共预算支出" in text
    # No row is split: each unit's name and figures are on one page.
    for n in range(2, 41):
        holding = [text for text in table_five if re.search(rf"所属单位{n}(?!\d)", text)]
        assert len(holding) == 1, n
