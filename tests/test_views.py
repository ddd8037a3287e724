import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from disclosures.models import Department, Disclosure, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def linxia():
    return Disclosure.objects.get(department__name="临夏市人民代表大会常务委员会办公室")


@pytest.fixture
def citizen(client):
    user = get_user_model().objects.create_user("citizen", password="pw-citizen-1")
    client.force_login(user)
    return client


@pytest.fixture
def staff(client):
    """A reviewer: staff who may read every department's disclosures."""
    client.force_login(get_user_model().objects.get(username="reviewer"))
    return client


def test_staff_without_a_role_sees_no_preview(client, linxia):
    user = get_user_model().objects.create_user("staffer", password="pw-staff-1", is_staff=True)
    client.force_login(user)
    for name in ("disclosures:staff-preview", "disclosures:staff-document"):
        assert client.get(reverse(name, args=[linxia.pk])).status_code == 404


def test_home_lists_published_disclosures(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "临夏市人民代表大会常务委员会办公室" in response.content.decode()


@pytest.mark.parametrize("name", ["disclosures:staff-preview", "disclosures:staff-document"])
def test_preview_is_for_staff_only(client, citizen, linxia, name):
    url = reverse(name, args=[linxia.pk])
    for visitor in (client, citizen):
        response = visitor.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_preview_shows_every_table(staff, linxia, django_assert_num_queries):
    # Session, user and the user's permissions (which disclosures they may see: the regions
    # assigned to the reviewer, then one query per level of regions below), then a
    # fixed set: the disclosure with its one-to-ones, one query per related set (eleven
    # tables, passages, projects, workflow events …), the year's two catalogues and the
    # search for last year's published disclosure, whatever its size; then the session's
    # idle expiry is pushed on (a savepoint and an update).
    with django_assert_num_queries(35):
        response = staff.get(reverse("disclosures:staff-preview", args=[linxia.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "表一、部门收支总体情况表",
        "表六、一般公共预算支出情况表",
        "表十一、国有资本经营预算支出情况表",
    ):
        assert heading in html
    assert re.search(
        r'<th id="three_public-h0-\d+" scope="colgroup" colspan="5">“三公”经费</th>', html
    )
    # A figure under merged headers names them all (WCAG H43): 基本支出 under 合计's siblings.
    assert re.search(
        r'<td headers="general_expense-h0-\d+( general_expense-h\d-\d+)*" class="num">697.07</td>',
        html,
    )
    assert "部门整体支出绩效目标表" in html
    assert "空表说明：未安排预算，政府性基金预算支出情况表为空表。" in html


def test_staff_document_is_the_dump(staff, linxia, capsys):
    response = staff.get(reverse("disclosures:staff-document", args=[linxia.pk]))
    call_command("dump_disclosure", "--department", linxia.department.name, "--year", "2024")
    assert json.loads(response.content) == json.loads(capsys.readouterr().out)


def test_dump_disclosure_says_what_is_missing():
    with pytest.raises(CommandError, match="找不到“不存在的部门”2024 年"):
        call_command("dump_disclosure", "--department", "不存在的部门", "--year", "2024")


def test_dump_disclosure_needs_a_region_for_namesakes(linxia, capsys):
    region = Region.objects.create(code="620100", name="兰州市")
    namesake = Department.objects.create(region=region, name=linxia.department.name)
    Disclosure.objects.create(department=namesake, fiscal_year=2024)
    with pytest.raises(CommandError, match="请用 --region 指定"):
        call_command("dump_disclosure", "--department", namesake.name, "--year", "2024")
    call_command(
        "dump_disclosure", "--department", namesake.name, "--year", "2024", "--region", "622901"
    )
    assert json.loads(capsys.readouterr().out)["region_code"] == "622901"


def test_dump_disclosure_prefers_published_and_says_when_it_is_not(linxia, capsys):
    Disclosure.objects.create(department=linxia.department, fiscal_year=2024, revision=2)
    args = ["dump_disclosure", "--department", linxia.department.name, "--year", "2024"]
    call_command(*args)
    assert json.loads(capsys.readouterr().out)["revision"] == 1
    call_command(*args, "--revision", "2")
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "draft"
    assert "尚未公开" in captured.err


def test_admin_shows_a_published_revision_read_only(client, linxia):
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("admin:disclosures_disclosure_change", args=[linxia.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = client.post(
        reverse("admin:disclosures_disclosure_delete", args=[linxia.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Disclosure.objects.filter(pk=linxia.pk).exists()
