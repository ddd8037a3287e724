"""The workbook on the public site, and its upload in the admin: preview, then confirm."""

import hashlib
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from workbooks import LINXIA, exported, find, load, save

from disclosures.models import Disclosure, GeneralExpenseRow

pytestmark = pytest.mark.django_db
IMPORT = reverse("disclosures:workbook-import")


def clerk(client, name="linxia_clerk"):
    client.force_login(get_user_model().objects.get(username=name))
    return client


def upload(client, data: bytes, disclosure: Disclosure, name="linxia.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        IMPORT,
        {
            "department": disclosure.department_id,
            "year": disclosure.fiscal_year,
            "kind": disclosure.kind,
            "file": SimpleUploadedFile(name, data),
        },
    )


def edited(disclosure: Disclosure, amount) -> bytes:
    book = load(exported(disclosure))
    six = book["表六"]
    six.cell(find(six, "2010101").row, 3).value = amount
    return save(book)


def total(disclosure) -> Decimal:
    return GeneralExpenseRow.objects.get(disclosure=disclosure, code="2010101").total


def test_public_workbook_download_is_the_published_revision(client):
    published = Disclosure.objects.get(department__name=LINXIA, kind="budget", revision=1)
    page = client.get(published.current_url)
    assert published.workbook_url in page.content.decode()
    response = client.get(published.workbook_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''2024" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith(".xlsx")
    content = b"".join(response.streaming_content)
    # The file stored at publication, its SHA-256 on the page and in the ETag.
    sha256 = hashlib.sha256(content).hexdigest()
    assert response["ETag"] == f'"{sha256}"'
    assert sha256 == published.workbook.sha256
    assert sha256 in client.get(published.current_url).content.decode()
    assert client.get(published.workbook_url, HTTP_IF_NONE_MATCH=f'"{sha256}"').status_code == 304
    six = load(content)["表六"]
    assert six.cell(find(six, "2010101").row, 3).value == pytest.approx(697.07)
    api = client.get(f"/api/disclosures/{published.pk}/").json()
    assert api["xlsx_url"] == f"http://testserver{published.workbook_url}"


def test_drafts_have_no_public_workbook(client, linxia_draft):
    assert client.get(linxia_draft.workbook_url).status_code == 404
    staff = clerk(client).get(reverse("disclosures:staff-workbook", args=[linxia_draft.pk]))
    assert staff.status_code == 200
    assert quote("草稿-2024年") in staff["Content-Disposition"]


def test_upload_previews_then_confirm_saves(client, linxia_draft):
    clerk(client)
    preview = upload(client, edited(linxia_draft, 700), linxia_draft)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "2010101 行政运行：合计 697.07 → 700" in text
    assert "新增 0 行，修改 1 行，删除 0 行" in text
    assert "导入后的检查结果" in text and "错误" in text
    # inside the admin: its header and navigation, not Django's defaults
    assert "部门预算公开平台" in text and 'id="nav-sidebar"' in text
    assert total(linxia_draft) == Decimal("697.07")  # the preview saved nothing
    token = preview.context["token"]
    confirmed = client.post(IMPORT, {"token": token})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse(
        "admin:disclosures_disclosure_change", args=[linxia_draft.pk]
    )
    assert total(linxia_draft) == 700
    again = client.post(IMPORT, {"token": token})  # a token works once
    assert again.status_code == 302 and total(linxia_draft) == 700


def test_a_bad_workbook_lists_its_problems_and_saves_nothing(client, linxia_draft):
    clerk(client)
    response = upload(client, edited(linxia_draft, "九百"), linxia_draft)
    text = response.content.decode()
    assert "工作簿有 1 处问题，未导入任何内容" in text
    assert "工作表“表六”，单元格 C9：“九百”不是金额" in text
    assert total(linxia_draft) == Decimal("697.07")
    response = upload(client, b"%PDF-1.7 not a workbook", linxia_draft, name="a.pdf")
    assert "文件不是 Excel 工作簿（.xlsx）" in response.content.decode()


def test_confirm_refuses_when_the_draft_changed_after_the_preview(client, linxia_draft):
    clerk(client)
    token = upload(client, edited(linxia_draft, 700), linxia_draft).context["token"]
    Disclosure.objects.filter(pk=linxia_draft.pk).update(version=linxia_draft.version + 5)
    response = client.post(IMPORT, {"token": token}, follow=True)
    assert "草稿已被修改" in response.content.decode()
    assert total(linxia_draft) == Decimal("697.07")


def test_a_clerk_cannot_import_for_another_department(client, linxia_draft):
    clerk(client, "zengcheng_clerk")
    response = upload(client, edited(linxia_draft, 700), linxia_draft)
    assert response.status_code == 200 and "department" in response.context["form"].errors
    assert total(linxia_draft) == Decimal("697.07")


def test_the_admin_offers_the_workbook(client, linxia_draft):
    clerk(client)
    page = client.get(reverse("admin:disclosures_disclosure_change", args=[linxia_draft.pk]))
    text = page.content.decode()
    assert reverse("disclosures:staff-workbook", args=[linxia_draft.pk]) in text
    assert f"{IMPORT}?department={linxia_draft.department_id}" in text
    listing = client.get(reverse("admin:disclosures_disclosure_changelist"))
    assert IMPORT in listing.content.decode()


def test_uploads_never_confirmed_are_removed_after_a_day(client, linxia_draft, settings):
    import os
    import time

    from django.core.files.storage import default_storage

    clerk(client)
    first = upload(client, edited(linxia_draft, 700), linxia_draft).context["token"]
    path = default_storage.path(f"workbook-imports/{first}.xlsx")
    assert os.path.exists(path)
    old = time.time() - 2 * 24 * 3600
    os.utime(path, (old, old))
    upload(client, edited(linxia_draft, 701), linxia_draft)
    assert not os.path.exists(path)
