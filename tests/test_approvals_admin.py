"""The 批复日期 admin: who reads and records which departments' dates, the bulk page and
the file upload, and every bad input refused in Chinese with nothing changed."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosures import approvals
from disclosures.models import BudgetApproval, Department, Region

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"
BULK = reverse("admin:disclosures_budgetapproval_bulk")
UPLOAD = reverse("admin:disclosures_budgetapproval_upload")
CHANGELIST = reverse("admin:disclosures_budgetapproval_changelist")
HEADER = "部门名称,年度,批复日期\n"


def user(name: str):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def gansu_admin():
    """A region administrator of 甘肃省 alone: 增城区 is outside their regions."""
    found = get_user_model().objects.create_user("gansu_admin", is_staff=True)
    found.groups.add(Group.objects.get(name="region_admin"))
    found.assigned_regions.add(Region.objects.get(code="620000"))
    return found


@pytest.fixture
def login(client):
    def as_user(who):
        client.force_login(user(who) if isinstance(who, str) else who)
        return client

    return as_user


def department(name: str) -> Department:
    return Department.objects.get(name=name)


def snapshot() -> list[tuple]:
    return list(
        BudgetApproval.objects.order_by("pk").values_list(
            "department_id", "fiscal_year", "approved_on", "recorded_by_id"
        )
    )


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def upload(client, content: bytes, name: str = "批复日期.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(UPLOAD, {"file": file})


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Who sees and records what --------------------------------------------------------------


def test_a_region_admin_lists_only_their_regions_dates(login, gansu_admin):
    for name in (LINXIA, ZENGCHENG):
        BudgetApproval.objects.create(
            department=department(name), fiscal_year=2024, approved_on=datetime.date(2024, 2, 1)
        )
    html = login(gansu_admin).get(CHANGELIST).content.decode()
    assert LINXIA in html and ZENGCHENG not in html
    assert "批量登记批复日期" in html and "上传批复日期" in html
    html = login("reviewer").get(CHANGELIST).content.decode()
    assert LINXIA in html and ZENGCHENG in html
    assert "批量登记批复日期" not in html  # reviewers read, do not record
    assert login("linxia_clerk").get(CHANGELIST).status_code == 403


def test_the_list_filters_by_year_and_region(login, gansu_admin):
    BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2023, approved_on=datetime.date(2023, 2, 1)
    )
    BudgetApproval.objects.create(
        department=department(ZENGCHENG), fiscal_year=2024, approved_on=datetime.date(2024, 2, 1)
    )
    client = login("admin")
    assert ZENGCHENG not in client.get(CHANGELIST + "?fiscal_year=2023").content.decode()
    guangdong = Region.objects.get(code="440000")
    html = client.get(CHANGELIST + f"?region={guangdong.pk}").content.decode()
    assert ZENGCHENG in html and LINXIA not in html  # 增城区 is below 广东省


def test_a_region_admin_cannot_add_a_date_for_a_department_outside_their_regions(
    login, gansu_admin
):
    before = snapshot()
    response = login(gansu_admin).post(
        reverse("admin:disclosures_budgetapproval_add"),
        {
            "department": department(ZENGCHENG).pk,
            "fiscal_year": 2024,
            "kind": "budget",
            "approved_on": "2024-02-01",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert snapshot() == before
    with pytest.raises(PermissionDenied):
        approvals.record(
            gansu_admin, [approvals.Entry(department(ZENGCHENG), 2024, datetime.date(2024, 2, 1))]
        )
    assert snapshot() == before


def test_a_region_admin_cannot_change_a_date_outside_their_regions(login, gansu_admin):
    outside = BudgetApproval.objects.create(
        department=department(ZENGCHENG), fiscal_year=2024, approved_on=datetime.date(2024, 2, 1)
    )
    url = reverse("admin:disclosures_budgetapproval_change", args=[outside.pk])
    client = login(gansu_admin)
    assert client.post(url, {"approved_on": "2024-01-01"}).status_code == 404
    assert client.get(url).status_code == 404  # outside their regions it does not exist
    outside.refresh_from_db()
    assert outside.approved_on == datetime.date(2024, 2, 1)


def test_the_add_page_records_who_and_refuses_a_future_date(login, gansu_admin):
    client = login(gansu_admin)
    data = {"department": department(LINXIA).pk, "fiscal_year": 2024, "kind": "budget"}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("admin:disclosures_budgetapproval_add"),
        {**data, "approved_on": tomorrow.isoformat()},
    )
    assert "批复日期不能是将来的日期" in response.content.decode()
    assert not BudgetApproval.objects.exists()
    client.post(
        reverse("admin:disclosures_budgetapproval_add"), {**data, "approved_on": "2024-02-01"}
    )
    approval = BudgetApproval.objects.get()
    assert approval.recorded_by == gansu_admin and approval.history.count() == 1


def test_a_reviewer_reads_but_cannot_record(login):
    approval = BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2024, approved_on=datetime.date(2024, 2, 1)
    )
    client = login("reviewer")
    url = reverse("admin:disclosures_budgetapproval_change", args=[approval.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"approved_on": "2024-01-01"}).status_code == 403
    assert client.get(BULK).status_code == 403
    assert client.post(BULK, bulk_data([department(LINXIA)])).status_code == 403
    assert upload(client, (HEADER + f"{LINXIA},2024,2024-01-01\n").encode()).status_code == 403
    approval.refresh_from_db()
    assert approval.approved_on == datetime.date(2024, 2, 1)


def test_history_is_kept_and_read_only(login):
    approval = BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2024, approved_on=datetime.date(2024, 2, 1)
    )
    record = approval.history.get()
    url = reverse(
        "admin:disclosures_budgetapproval_simple_history", args=[approval.pk, record.history_id]
    )
    client = login("admin")
    assert client.get(url).status_code == 200
    assert client.post(url, {"approved_on": "2024-01-01"}).status_code == 405
    assert login("zengcheng_clerk").get(url).status_code == 403


# The bulk page --------------------------------------------------------------------------


def bulk_data(departments, approved_on="2024-02-20", year=2024) -> dict:
    return {
        "fiscal_year": year,
        "approved_on": approved_on,
        "departments": [d.pk for d in departments],
    }


def test_the_bulk_page_lists_the_regions_departments_with_their_dates(login, gansu_admin):
    extra = Department.objects.create(region=Region.objects.get(code="622901"), name="临夏市财政局")
    BudgetApproval.objects.create(
        department=extra, fiscal_year=2024, approved_on=datetime.date(2024, 2, 3)
    )
    html = login(gansu_admin).get(BULK + "?year=2024").content.decode()
    assert LINXIA in html and "临夏市财政局" in html and "2024-02-03" in html
    assert ZENGCHENG not in html
    assert "未记录" in html  # Linxia has none
    guangdong = Region.objects.get(code="440000")
    html = login("admin").get(BULK + f"?year=2024&region={guangdong.pk}").content.decode()
    assert ZENGCHENG in html and LINXIA not in html


def test_bulk_entry_records_one_date_for_many_departments_in_one_go(login, gansu_admin):
    extra = Department.objects.create(region=Region.objects.get(code="622901"), name="临夏市财政局")
    BudgetApproval.objects.create(
        department=extra, fiscal_year=2024, approved_on=datetime.date(2024, 2, 3)
    )
    response = login(gansu_admin).post(BULK, bulk_data([department(LINXIA), extra]))
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    recorded = {a.department.name: a for a in BudgetApproval.objects.filter(fiscal_year=2024)}
    assert set(recorded) == {LINXIA, "临夏市财政局"}
    assert {a.approved_on for a in recorded.values()} == {datetime.date(2024, 2, 20)}
    assert {a.recorded_by for a in recorded.values()} == {gansu_admin}
    assert recorded["临夏市财政局"].history.count() == 2  # the earlier date is kept


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"approved_on": "2099-01-01"}, "批复日期不能是将来的日期"),
        ({"approved_on": "2024-02-30"}, "批复日期"),
        ({"fiscal_year": "1999"}, "2000"),
        ({"departments": []}, "请至少选择一个部门"),
        ({"departments": ["abc"]}, "不是部门编号"),
    ],
)
def test_bulk_entry_refuses_bad_input_and_changes_nothing(login, gansu_admin, change, message):
    before = snapshot()
    response = login(gansu_admin).post(BULK, {**bulk_data([department(LINXIA)]), **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_bulk_entry_refuses_a_department_outside_the_users_regions(login, gansu_admin):
    before = snapshot()
    response = login(gansu_admin).post(BULK, bulk_data([department(LINXIA), department(ZENGCHENG)]))
    assert response.status_code == 200
    assert "不在您管理的地区内" in response.content.decode()
    assert snapshot() == before  # not even Linxia: all or nothing


# The file upload ------------------------------------------------------------------------


def test_upload_previews_then_applies_every_row(login, gansu_admin):
    extra = Department.objects.create(region=Region.objects.get(code="622901"), name="临夏市财政局")
    client = login(gansu_admin)
    content = HEADER + f"{LINXIA},2024,2024/2/6\n临夏市财政局,2024年,2024年2月7日\n"
    response = upload(client, content.encode("gb18030"))  # as Excel saves CSV on Chinese Windows
    html = response.content.decode()
    assert response.status_code == 200 and "预览" in html
    assert "2024-02-06" in html and "2024-02-07" in html
    assert not BudgetApproval.objects.exists()  # a preview changes nothing
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(UPLOAD, {"token": token})
    assert response.status_code == 302
    assert dict(BudgetApproval.objects.values_list("department__name", "approved_on")) == {
        LINXIA: datetime.date(2024, 2, 6),
        extra.name: datetime.date(2024, 2, 7),
    }
    assert set(BudgetApproval.objects.values_list("recorded_by", flat=True)) == {gansu_admin.pk}


def test_upload_reads_an_xlsx_with_date_cells_and_region_codes(login):
    content = xlsx(
        [
            ["区划代码", "部门名称", "年度", "批复日期"],
            ["440118", ZENGCHENG, 2024, datetime.date(2024, 3, 1)],  # read as a datetime
            ["622901", LINXIA, "2024", "2024-02-26"],
        ]
    )
    client = login("admin")
    html = upload(client, content, "批复日期.xlsx").content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(UPLOAD, {"token": token})
    assert dict(BudgetApproval.objects.values_list("department__name", "approved_on")) == {
        ZENGCHENG: datetime.date(2024, 3, 1),
        LINXIA: datetime.date(2024, 2, 26),
    }


def test_a_tampered_preview_is_refused(login, gansu_admin):
    client = login(gansu_admin)
    token = approvals.sign([approvals.Entry(department(LINXIA), 2024, datetime.date(2024, 2, 1))])
    response = client.post(UPLOAD, {"token": token[:-2] + "xx"})
    assert "预览已失效" in response.content.decode()
    # A genuine token of a department outside the user's regions is refused too.
    outside = approvals.sign(
        [approvals.Entry(department(ZENGCHENG), 2024, datetime.date(2024, 2, 1))]
    )
    assert "不在您管理的地区内" in client.post(UPLOAD, {"token": outside}).content.decode()
    assert not BudgetApproval.objects.exists()


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            "不存在的局,2024,2024-02-01\n",
            ["第 2 行“部门名称”列（A 列）：没有名为“不存在的局”的部门。"],
        ),
        (
            f"{ZENGCHENG},2024,2024-02-01\n",
            [f"第 2 行“部门名称”列（A 列）：“{ZENGCHENG}”（增城区）不在您管理的地区内"],
        ),
        (
            f"{LINXIA},2024,2024-13-01\n",
            ["第 2 行“批复日期”列（C 列）：无法识别日期“2024-13-01”"],
        ),
        (
            f"{LINXIA},2024,二〇二四年二月\n",
            ["第 2 行“批复日期”列（C 列）：无法识别日期“二〇二四年二月”"],
        ),
        (f"{LINXIA},2024,2099-01-01\n", ["第 2 行“批复日期”列（C 列）：2099-01-01 晚于今天"]),
        (
            f"{LINXIA},24,2024-01-01\n",
            ["第 2 行“年度”列（B 列）：“24”不是 2000 至 2100 之间的年份"],
        ),
        (
            f"{LINXIA},2024,2024-02-01\n{LINXIA},2024,2024-02-01\n{LINXIA},2024,2024-02-03\n",
            [
                "第 4 行“批复日期”列（C 列）：与第 2 行是同一部门同一年度，但批复日期不同（2024-02-01 与 2024-02-03）"
            ],
        ),
        (
            f",2024,2024-02-01\n{LINXIA},2024,2024-02-30\n",
            [
                "第 2 行“部门名称”列（A 列）：部门名称为空",
                "第 3 行“批复日期”列（C 列）：无法识别日期",
            ],
        ),
    ],
)
def test_upload_names_each_bad_row_and_column_and_changes_nothing(
    login, gansu_admin, rows, messages
):
    BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2024, approved_on=datetime.date(2024, 1, 5)
    )
    before = snapshot()
    html = upload(login(gansu_admin), (HEADER + rows).encode()).content.decode()
    assert "文件未登记，数据库未作任何改动" in html
    for message in messages:
        assert message in html
    assert 'name="token"' not in html
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "所提交的是空文件"),
        (b"\n,,\n", "a.csv", "文件中没有内容"),
        ("部门,年度,批复日期\nx,2024,2024-01-01\n".encode(), "a.csv", "缺少列：部门名称"),
        (HEADER.encode(), "a.csv", "只有表头，没有数据行"),
        (b"\xff\xfe\x00\x00binary", "a.csv", "无法读取文件"),
        (b"not a workbook", "a.xlsx", "文件不是 Excel 工作簿"),
    ],
)
def test_upload_refuses_a_file_it_cannot_read(login, gansu_admin, content, name, message):
    html = upload(login(gansu_admin), content, name).content.decode()
    assert message in html
    assert not BudgetApproval.objects.exists()


def test_upload_asks_for_a_region_code_when_a_name_repeats(login):
    Department.objects.create(region=Region.objects.get(code="440118"), name=LINXIA)
    html = upload(login("admin"), (HEADER + f"{LINXIA},2024,2024-02-01\n").encode())
    assert "请加“区划代码”列" in html.content.decode()
    assert not BudgetApproval.objects.exists()


# What the finance bureau's trial found ---------------------------------------------------

TEMPLATE = reverse("admin:disclosures_budgetapproval_template")


def test_the_bulk_pages_year_box_shows_the_year_listed(login, gansu_admin):
    client = login(gansu_admin)
    # No year asked: the season's, the newest year with a disclosure (the demo's 2024).
    html = client.get(BULK).content.decode()
    assert 'name="year" value="2024"' in html and "2024年各部门" in html
    html = client.get(BULK + "?year=2025").content.decode()
    assert 'name="year" value="2025"' in html and "2025年各部门" in html
    html = client.get(BULK + "?year=abc").content.decode()
    assert 'name="year" value="2024"' in html and "2024年各部门" in html
    # A 批复日期 of a later year makes that the season.
    BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2025, approved_on=days_ago(1)
    )
    assert 'name="year" value="2025"' in client.get(BULK).content.decode()


def test_the_bulk_date_sits_right_above_the_list_it_applies_to(login, gansu_admin):
    html = login(gansu_admin).get(BULK + "?year=2024").content.decode()
    legend = html.index("为下列勾选的部门登记 2024 年批复日期")
    assert html.index("列出部门") < legend < html.index('name="approved_on"') < html.index(LINXIA)
    # The list is inside the fieldset the legend names.
    assert html.index("<table", legend) < html.index("</fieldset>", legend)


def test_recording_in_bulk_shows_at_once_on_the_cached_public_page(login, gansu_admin):
    public = Client()
    compliance = reverse("disclosures:compliance", args=["622901", 2024])
    assert public.get(compliance)["X-Cache"] == "miss"
    assert public.get(compliance)["X-Cache"] == "hit"
    login(gansu_admin).post(BULK, bulk_data([department(LINXIA)], approved_on="2024-02-20"))
    fresh = public.get(compliance)
    assert fresh["X-Cache"] == "miss" and "2024-02-20" in fresh.content.decode()


def test_the_upload_page_offers_a_template_of_the_users_departments(login, gansu_admin):
    BudgetApproval.objects.create(
        department=department(LINXIA), fiscal_year=2024, approved_on=datetime.date(2024, 2, 3)
    )
    extra = Department.objects.create(region=Region.objects.get(code="622901"), name="临夏市财政局")
    client = login(gansu_admin)
    assert TEMPLATE in client.get(UPLOAD).content.decode()
    response = client.get(TEMPLATE + "?year=2024&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["部门名称", "区划代码", "年度", "批复日期"]
    assert [LINXIA, "622901", "2024", "2024-02-03"] in rows
    assert [extra.name, "622901", "2024", ""] in rows
    assert ZENGCHENG not in response.content.decode("utf-8-sig")  # outside their regions
    response = client.get(TEMPLATE + "?year=2024")  # Excel by default
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == ["部门名称", "区划代码", "年度", "批复日期"]
    assert [LINXIA, "622901", 2024, "2024-02-03"] in [
        [cell.value for cell in row] for row in sheet.iter_rows(min_row=2)
    ]
    # Filled in and uploaded back: rows left blank are not recorded.
    sheet.cell(
        row=[c.value for c in sheet["A"]].index(extra.name) + 1, column=4
    ).value = "2024-02-09"
    out = io.BytesIO()
    sheet.parent.save(out)
    html = upload(client, out.getvalue(), "批复日期-2024.xlsx").content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(UPLOAD, {"token": token})
    assert dict(BudgetApproval.objects.values_list("department__name", "approved_on")) == {
        LINXIA: datetime.date(2024, 2, 3),
        extra.name: datetime.date(2024, 2, 9),
    }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_name_that_starts_like_a_formula_goes_out_as_text_and_back(login, gansu_admin, fmt):
    odd = Department.objects.create(region=Region.objects.get(code="622901"), name="+1+2部门")
    client = login(gansu_admin)
    response = client.get(f"{TEMPLATE}?year=2024&format={fmt}")
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [cell for row in book.active.iter_rows() for cell in row]
        assert not [cell for cell in cells if cell.data_type == "f"]
        row = next(cell.row for cell in cells if cell.value == odd.name)
        book.active.cell(row=row, column=4).value = "2024-02-09"
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        text = response.content.decode("utf-8-sig")
        assert f"'{odd.name},622901,2024," in text
        data = text.replace(
            f"'{odd.name},622901,2024,", f"'{odd.name},622901,2024,2024-02-09"
        ).encode()
    html = upload(client, data, f"批复日期.{fmt}").content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(UPLOAD, {"token": token})
    assert BudgetApproval.objects.get(department=odd).approved_on == datetime.date(2024, 2, 9)


def test_a_template_uploaded_with_no_date_filled_in_is_refused(login, gansu_admin):
    html = upload(login(gansu_admin), (HEADER + f"{LINXIA},2024,\n").encode()).content.decode()
    assert "文件中没有填写批复日期的行" in html
    assert not BudgetApproval.objects.exists()


def test_the_template_is_for_region_administrators_only(login):
    assert login("reviewer").get(TEMPLATE).status_code == 403


def test_recording_one_in_the_admin_shows_at_once_on_the_cached_public_page(login):
    public = Client()
    compliance = reverse("disclosures:compliance", args=["622901", 2024])
    public.get(compliance)
    assert public.get(compliance)["X-Cache"] == "hit"
    response = login("admin").post(
        reverse("admin:disclosures_budgetapproval_add"),
        {
            "department": department(LINXIA).pk,
            "fiscal_year": 2024,
            "kind": "budget",
            "approved_on": "2024-02-21",
        },
    )
    assert response.status_code == 302
    assert "2024-02-21" in public.get(compliance).content.decode()
    approval = BudgetApproval.objects.get()
    login("admin").post(
        reverse("admin:disclosures_budgetapproval_delete", args=[approval.pk]), {"post": "yes"}
    )
    assert not BudgetApproval.objects.exists()
    assert "2024-02-21" not in public.get(compliance).content.decode()
