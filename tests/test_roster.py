"""The roster: import_roster and export_roster on real files (CSV bytes in UTF-8 and GBK,
openpyxl workbooks), the set-password link a new account follows, and every bad input
refused in Chinese with nothing changed."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from disclosures.models import Department, Disclosure, Region, Unit
from disclosures.models.reference import misplaced, region_prefix
from disclosures.roles import accounts_in_scope
from disclosures.roster import (
    COLUMNS,
    RosterError,
    plan_roster,
    roster_csv,
    roster_rows,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
HEADER = "区划代码,区划名称,上级区划代码,部门名称,单位名称,账号,姓名,邮箱,角色"
ENGLISH = "region_code,region_name,parent_region_code,department,unit,username,full_name,email,role"
SITE = "http://testserver"
PASSWORD = "xinqu-budget-2025!"
# The "done when": a new region, three departments with their units, a clerk of two.
NEW_REGION = (
    "623000,新区,620000,,,,,,",
    "623000,,,新区财政局,新区财政局,,,,",
    "623000,,,新区财政局,新区财政局国库支付中心,,,,",
    "623000,,,新区教育局,新区教育局,,,,",
    "623000,,,新区教育局,新区第一中学,,,,",
    "623000,,,新区卫生健康委员会,新区卫生健康委员会,,,,",
    "623000,,,新区财政局,,xinqu_clerk,王小明,wxm@example.cn,财务人员",
    "623000,,,新区教育局,,xinqu_clerk,王小明,wxm@example.cn,财务人员",
)


def roster(*lines: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def import_roster(tmp_path, data: bytes, *args: str, name: str = "花名册.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_roster", str(path), "--site-url", SITE, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "clerks": Department.clerks.through.objects.count(),
        "staff": Region.staff.through.objects.count(),
        "groups": User.groups.through.objects.count(),
        "names": hash(tuple(Region.objects.values_list("code", "name", "parent__code"))),
        "accounts": hash(tuple(User.objects.values_list("username", "first_name", "email"))),
    }


def refused(tmp_path, data: bytes, *args: str, name: str = "花名册.csv") -> str:
    """The import fails, says why, and changes nothing."""
    before = counts()
    with pytest.raises(CommandError) as error:
        import_roster(tmp_path, data, *args, name=name)
    assert counts() == before
    assert "花名册有错误，未导入任何内容" in str(error.value)
    return str(error.value)


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The case, end to end.


def test_a_new_region_departments_units_and_clerk_then_the_clerk_sets_a_password(tmp_path):
    output = import_roster(tmp_path, roster(*NEW_REGION))

    region = Region.objects.get(code="623000")
    assert (region.name, region.parent.code) == ("新区", "620000")
    departments = Department.objects.filter(region=region)
    assert sorted(departments.values_list("name", flat=True)) == [
        "新区卫生健康委员会",
        "新区教育局",
        "新区财政局",
    ]
    finance = departments.get(name="新区财政局")
    assert list(finance.units.values_list("name", "is_headquarters", "position")) == [
        ("新区财政局", True, 1),
        ("新区财政局国库支付中心", False, 2),
    ]
    clerk = User.objects.get(username="xinqu_clerk")
    assert (clerk.get_full_name(), clerk.email, clerk.is_staff) == (
        "王小明",
        "wxm@example.cn",
        True,
    )
    assert not clerk.has_usable_password()
    assert list(clerk.groups.values_list("name", flat=True)) == ["clerk"]
    assert sorted(clerk.assigned_departments.values_list("name", flat=True)) == [
        "新区教育局",
        "新区财政局",
    ]
    assert "新增区划 623000 新区（上级 620000）" in output
    assert "已导入：新增区划 1 个，新增部门 3 个，新增单位 5 个，新增账号 1 个" in output

    # The link: e-mailed in Chinese, and printed for a bureau without mail.
    [message] = mail.outbox
    assert message.to == ["wxm@example.cn"]
    assert message.subject == "部门预算公开平台：请设置您的登录密码"
    assert "王小明，您好" in message.body and "7 天内" in message.body
    link = re.search(r"http://testserver(/staff/set-password/\S+/)", message.body).group(1)
    assert f"{SITE}{link}" in output
    assert "xinqu_clerk（王小明）：已发送至 wxm@example.cn" in output

    # The clerk follows it, sets a password, logs in and sees only their departments.
    client = Client()
    page = client.get(link, follow=True)
    assert "请为账号 xinqu_clerk 设置登录密码" in page.content.decode()
    assert 'style="' not in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        follow=True,
    )
    assert "密码已设置" in done.content.decode()
    assert client.get(link, follow=True).context["validlink"] is False  # used once only

    Disclosure.objects.create(department=finance, fiscal_year=2025)
    Disclosure.objects.create(department=departments.get(name="新区教育局"), fiscal_year=2025)
    browser = Client()
    login = browser.post(
        reverse("admin:login"),
        {"username": "xinqu_clerk", "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="198.51.100.20",
    )
    assert login.status_code == 302 and login["Location"] == reverse("admin:index")
    listing = browser.get(reverse("admin:disclosures_disclosure_changelist"))
    shown = {d.department.name for d in listing.context["cl"].result_list}
    assert shown == {"新区财政局", "新区教育局"}
    assert Disclosure.objects.exclude(department__region=region).exists()  # others hidden


def test_importing_again_changes_nothing_and_sends_no_mail_once_the_password_is_set(tmp_path):
    import_roster(tmp_path, roster(*NEW_REGION))
    clerk = User.objects.get(username="xinqu_clerk")
    clerk.set_password(PASSWORD)
    clerk.save()
    mail.outbox.clear()
    before = counts()
    output = import_roster(tmp_path, roster(*NEW_REGION, *NEW_REGION))  # duplicates harmless
    assert counts() == before
    assert "已导入：没有变化。" in output
    assert not mail.outbox


def test_an_account_that_never_set_its_password_gets_a_new_link(tmp_path):
    import_roster(tmp_path, roster(*NEW_REGION))
    mail.outbox.clear()
    output = import_roster(tmp_path, roster(*NEW_REGION))
    assert "已导入：没有变化。" in output
    assert len(mail.outbox) == 1 and "xinqu_clerk" in output


def test_dry_run_previews_and_changes_nothing(tmp_path):
    before = counts()
    output = import_roster(tmp_path, roster(*NEW_REGION), "--dry-run")
    assert counts() == before and not mail.outbox
    assert "新增部门 623000 新区教育局" in output
    assert "新增单位 623000 新区财政局 / 新区财政局国库支付中心" in output
    assert "新增账号 xinqu_clerk（王小明，wxm@example.cn）" in output
    assert "账号 xinqu_clerk 负责部门 623000 新区财政局" in output
    assert output.rstrip().endswith("预览完毕，未保存（--dry-run）。")


# Reading: encodings, formats, headers.


def test_gbk_csv_english_header_and_any_row_order(tmp_path):
    lines = (
        "623001,新区东街道,623000,,,,,,",  # its parent comes later
        "623000,新区,620000,,,,,,",
        "623000,,,,,xinqu_reviewer,李审核,lsh@example.cn,reviewer",
        "623001,,,,,xinqu_admin,赵管理,zgl@example.cn,region_admin",
    )
    import_roster(tmp_path, roster(*lines, header=ENGLISH, encoding="gbk"))
    assert Region.objects.get(code="623001").parent.code == "623000"
    reviewer = User.objects.get(username="xinqu_reviewer")
    assert reviewer.get_full_name() == "李审核"
    assert list(reviewer.assigned_regions.values_list("code", flat=True)) == ["623000"]
    assert list(reviewer.groups.values_list("name", flat=True)) == ["reviewer"]
    assert User.objects.get(username="xinqu_admin").has_perm("disclosures.manage_roster")


def test_an_xlsx_with_columns_in_another_order_and_codes_as_numbers(tmp_path):
    header = [c.label for c in reversed(COLUMNS)]
    rows = [header, [None, None, None, None, None, "新区财政局", 620000, "新区", 623000]]
    import_roster(tmp_path, xlsx(rows), name="roster.xlsx")
    assert Department.objects.get(name="新区财政局").region.code == "623000"


def test_an_existing_account_is_updated_and_gains_the_assignment_never_loses_one(tmp_path):
    clerk = User.objects.get(username="linxia_clerk")
    before = set(clerk.assigned_departments.values_list("pk", flat=True))
    output = import_roster(
        tmp_path, roster("622901,,,临夏市财政局,,linxia_clerk,马会计,ma@example.cn,财务人员")
    )
    clerk.refresh_from_db()
    assert (clerk.get_full_name(), clerk.email) == ("马会计", "ma@example.cn")
    assert clerk.has_usable_password()
    assert before < set(clerk.assigned_departments.values_list("pk", flat=True))
    assert (
        "修改账号 linxia_clerk：姓名 （空） → 马会计，邮箱 linxia_clerk@example.invalid → ma@example.cn"
        in output
    )
    assert not mail.outbox  # an account with a password gets no link


def test_a_region_is_renamed_and_moved_as_the_file_says(tmp_path):
    import_roster(tmp_path, roster("623000,新区,620000,,,,,,", "623001,东街道,623000,,,,,,"))
    output = import_roster(tmp_path, roster("623001,东街道办事处,620000,,,,,,"))
    region = Region.objects.get(code="623001")
    assert (region.name, region.parent.code) == ("东街道办事处", "620000")
    assert "区划 623001 改名：东街道 → 东街道办事处" in output
    assert "区划 623001 改变上级：623000 → 620000" in output


def test_a_region_code_must_sit_under_its_parents_code(tmp_path):
    """A county administrator re-coded its county 440119 (a Guangdong code) under 临夏州."""
    before = counts()
    with pytest.raises(CommandError) as refused:
        import_roster(tmp_path, roster("440119,和政县,622900,,,,,,", "622925,和政县,622900,,,,,,"))
    assert str(refused.value).splitlines()[1:] == [
        "第 2 行“上级区划代码”列：区划 440119 不能在 622900 之下：下级区划的代码应以 6229 开头。"
    ]
    assert counts() == before


def test_region_prefixes_follow_the_division_code():
    assert [region_prefix(code) for code in ("620000", "622900", "622925", "622925001")] == [
        "62",
        "6229",
        "622925",
        "622925001",
    ]
    assert misplaced("622925001", "622925") is None and misplaced("440118", "440100") is None
    assert misplaced("622925", "622925") is not None
    region = Region(code="440119", name="和政县", parent=Region.objects.get(code="622900"))
    with pytest.raises(ValidationError) as refused:
        region.clean()
    assert "下级区划的代码应以 6229 开头" in str(refused.value)


# Every bad input: a Chinese message naming row and column, nothing changed.


def test_a_missing_and_an_unknown_column(tmp_path):
    message = refused(
        tmp_path, roster("623000,新区,620000,,,,,,", header=HEADER.replace("角色", "备注"))
    )
    assert "第 1 行：第 9 列的列名“备注”不是花名册的列。" in message
    assert "第 1 行：表头缺少列：角色。" in message


def test_a_column_twice_and_content_without_a_column(tmp_path):
    message = refused(tmp_path, roster("623000,新区,620000,,,,,,,,多余", header=HEADER + ",角色"))
    assert "第 1 行：列“角色”出现了两次。" in message


def test_content_outside_the_header(tmp_path):
    message = refused(tmp_path, roster("623000,新区,620000,,,,,,,多余"))
    assert "第 2 行：第 10 列没有列名却有内容“多余”。" in message


def test_an_empty_file_and_one_that_is_not_text(tmp_path):
    assert "文件是空的" in refused(tmp_path, b"")
    assert "不是 UTF-8 或 GBK 编码" in refused(tmp_path, b"\xff\xfe\x00\x00\x81")
    assert "旧版 Excel 文件（.xls）" in refused(
        tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, name="x.xls"
    )


@pytest.mark.parametrize(
    ("code", "column"),
    [
        ("62300", "区划代码"),
        ("6230001", "区划代码"),
        ("62300a", "区划代码"),
        ("６２３０００", "区划代码"),
    ],
)
def test_a_region_code_of_the_wrong_format(tmp_path, code, column):
    message = refused(tmp_path, roster(f"{code},新区,620000,,,,,,"))
    assert f"第 2 行“{column}”列：区划代码“{code}”格式不对：应为 6、9 或 12 位数字" in message


def test_a_parent_code_of_the_wrong_format_and_a_blank_code(tmp_path):
    message = refused(tmp_path, roster("623000,新区,62000,,,,,,", ",,,新区财政局,,,,,"))
    assert "第 2 行“上级区划代码”列：上级区划代码“62000”格式不对" in message
    assert "第 3 行“区划代码”列：区划代码不能为空：每行都须写明所属区划。" in message


def test_a_parent_nobody_knows(tmp_path):
    message = refused(tmp_path, roster("623000,新区,629900,,,,,,"))
    assert (
        "第 2 行“上级区划代码”列：上级区划 629900 既不在本文件中，也不在系统中：请先增加一行写明它的代码和名称。"
        in message
    )


def test_a_new_region_without_a_name(tmp_path):
    message = refused(tmp_path, roster("623000,,620000,新区财政局,,,,,"))
    assert "第 2 行“区划名称”列：区划 623000 尚未建立，请填写区划名称。" in message


def test_a_loop_within_the_file(tmp_path):
    message = refused(tmp_path, roster("623000,甲,623001,,,,,,", "623001,乙,623000,,,,,,"))
    assert "第 2 行“上级区划代码”列：区划的上下级形成了循环：623000 → 623001 → 623000。" in message
    assert "第 3 行“上级区划代码”列：区划的上下级形成了循环：623001 → 623000 → 623001。" in message


def test_a_loop_through_the_database(tmp_path):
    message = refused(tmp_path, roster("620000,甘肃省,622901,,,,,,"))
    assert "区划的上下级形成了循环：620000 → 622901 → 622900 → 620000。" in message


def test_a_region_that_is_its_own_parent(tmp_path):
    message = refused(tmp_path, roster("623000,新区,623000,,,,,,"))
    assert "第 2 行“上级区划代码”列：上级区划不能是本区划。" in message


def test_one_code_with_two_names_or_two_parents(tmp_path):
    message = refused(tmp_path, roster("623000,新区,620000,,,,,,", "623000,新城区,622900,,,,,,"))
    assert "第 3 行“区划名称”列：区划 623000 的名称在第 2 行为“新区”，此处为“新城区”" in message
    assert (
        "第 3 行“上级区划代码”列：区划 623000 的上级区划在第 2 行为“620000”，此处为“622900”"
        in message
    )


def test_an_unknown_role(tmp_path):
    message = refused(tmp_path, roster("622901,,,临夏市财政局,,li,李,li@example.cn,会计"))
    assert (
        "第 2 行“角色”列：角色“会计”不存在：应为 财务人员、审核人、公开管理员、财政局管理员"
        "（英文为 clerk、reviewer、publisher、region_admin）。"
    ) in message


def test_a_person_without_a_username_or_a_role(tmp_path):
    message = refused(
        tmp_path,
        roster("622901,,,临夏市财政局,,,李会计,li@example.cn,财务人员", "622901,,,,,li,,,"),
    )
    assert "第 2 行“账号”列：填写了姓名、邮箱或角色，须同时填写账号。" in message
    assert (
        "第 3 行“角色”列：请填写账号“li”的角色：财务人员、审核人、公开管理员、财政局管理员。"
        in message
    )


def test_a_clerk_without_a_department_and_a_reviewer_with_one(tmp_path):
    message = refused(
        tmp_path,
        roster("622901,,,,,li,李,,财务人员", "622901,,,临夏市财政局,,wang,王,,审核人"),
    )
    assert "第 2 行“部门名称”列：财务人员按部门分配：请填写其负责的部门名称。" in message
    assert (
        "第 3 行“部门名称”列：审核人按区划分配，负责本区划及下级区划：此行不填部门名称" in message
    )


def test_a_unit_without_its_department(tmp_path):
    message = refused(tmp_path, roster("622901,,,,临夏市某中心,,,,"))
    assert "第 2 行“部门名称”列：填写了单位名称，须同时填写其所属部门的名称。" in message


def test_a_bad_email_and_a_bad_username(tmp_path):
    message = refused(
        tmp_path,
        roster(
            "622901,,,临夏市财政局,,li,李,not-an-address,财务人员",
            "622901,,,临夏市财政局,,li si,李四,,财务人员",
        ),
    )
    assert "第 2 行“邮箱”列：邮箱“not-an-address”格式不对。" in message
    assert "第 3 行“账号”列：账号“li si”只能由字母、数字和 @ . + - _ 组成，不能有空格。" in message


def test_one_account_with_two_names(tmp_path):
    message = refused(
        tmp_path,
        roster(
            "622901,,,临夏市财政局,,li,李一,,财务人员",
            "622901,,,临夏市教育局,,li,李二,,财务人员",
        ),
    )
    assert "第 3 行“姓名”列：账号 li 的姓名在第 2 行为“李一”，此处为“李二”" in message


def test_too_long_a_name(tmp_path):
    message = refused(tmp_path, roster(f"623000,{'长' * 101},620000,,,,,,"))
    assert "第 2 行“区划名称”列：内容超过 100 个字符，请缩短。" in message


def test_every_problem_is_listed_at_once_with_english_column_names(tmp_path):
    message = refused(
        tmp_path, roster("62300,x,,,,,,,", "622901,,,,,li,,,accountant", header=ENGLISH)
    )
    assert "第 2 行“region_code”列：区划代码“62300”格式不对" in message
    assert "第 3 行“role”列：角色“accountant”不存在" in message


def test_a_missing_user_and_file(tmp_path):
    with pytest.raises(CommandError, match="找不到账号：nobody"):
        import_roster(tmp_path, roster(*NEW_REGION), "--user", "nobody")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_roster", str(tmp_path / "none.csv"))


# As a user: restricted to what roles.administers() allows.


def test_a_region_administrator_adds_below_their_regions(tmp_path):
    import_roster(tmp_path, roster(*NEW_REGION), "--user", "region_admin")
    assert Region.objects.filter(code="623000").exists()


def test_a_region_administrator_cannot_touch_other_regions(tmp_path):
    admin = User.objects.get(username="region_admin")
    admin.assigned_regions.set(Region.objects.filter(code="440000"))
    message = refused(tmp_path, roster(*NEW_REGION), "--user", "region_admin")
    assert (
        "第 2 行“区划代码”列：您无权维护区划 623000：它不在您负责的区划之内（新区划须在您负责的区划之下）。"
        in message
    )
    message = refused(tmp_path, roster("110000,北京市,,,,,,,"), "--user", "region_admin")
    assert "您无权维护区划 110000" in message


def test_a_region_administrator_cannot_take_over_an_account_elsewhere(tmp_path):
    admin = User.objects.get(username="region_admin")
    admin.assigned_regions.set(Region.objects.filter(code="440000"))
    message = refused(
        tmp_path,
        roster("440118,,,增城区财政局,,linxia_clerk,,evil@example.cn,财务人员"),
        "--user",
        "region_admin",
    )
    assert (
        "第 2 行“账号”列：账号 linxia_clerk 已在您负责的区划以外任职（或是系统管理员），您不能修改它"
        in message
    )
    message = refused(tmp_path, roster("440118,,,,,admin,,,审核人"), "--user", "region_admin")
    assert "账号 admin 已在您负责的区划以外任职（或是系统管理员）" in message


def test_a_clerk_cannot_import_at_all(tmp_path):
    message = refused(tmp_path, roster(*NEW_REGION), "--user", "linxia_clerk")
    assert "账号 linxia_clerk 无权维护花名册：需要财政局管理员角色。" in message


def test_accounts_in_scope_of_a_region_administrator():
    admin = User.objects.get(username="region_admin")
    admin.assigned_regions.set(Region.objects.filter(code="440000"))
    names = set(accounts_in_scope(admin).values_list("username", flat=True))
    assert "zengcheng_clerk" in names and "region_admin" in names
    assert "linxia_clerk" not in names and "admin" not in names


# Export, and the round trip.


def test_export_then_import_changes_nothing(tmp_path):
    import_roster(
        tmp_path,
        roster(
            *NEW_REGION,
            "623001,东街道,623000,,,,,,",
            "623000,,,,,xinqu_publisher,周公开,zgk@example.cn,公开管理员",
            "623000,,,,,xinqu_publisher,周公开,zgk@example.cn,审核人",
        ),
    )
    for name in ("roster.csv", "roster.xlsx"):
        out = tmp_path / name
        call_command("export_roster", "--region", "620000", "-o", str(out), stdout=io.StringIO())
        before = counts()
        output = import_roster(tmp_path, out.read_bytes(), "--dry-run", name=name)
        assert counts() == before
        assert output.splitlines()[0].endswith("行，没有变化。"), output
    exported = (tmp_path / "roster.csv").read_bytes()
    assert exported.startswith("\ufeff区划代码,区划名称,上级区划代码".encode())
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert [
        "623000",
        "新区",
        "620000",
        "新区财政局",
        "新区财政局国库支付中心",
        "",
        "",
        "",
        "",
    ] in rows
    assert [
        "623000",
        "新区",
        "620000",
        "新区财政局",
        "",
        "xinqu_clerk",
        "王小明",
        "wxm@example.cn",
        "财务人员",
    ] in rows
    assert ["623001", "东街道", "623000", "", "", "", "", "", ""] in rows
    assert [
        "623000",
        "新区",
        "620000",
        "",
        "",
        "xinqu_publisher",
        "周公开",
        "zgk@example.cn",
        "审核人",
    ] in rows
    assert [
        "622901",
        "临夏市",
        "622900",
        "临夏市人民代表大会常务委员会办公室",
        "",
        "linxia_clerk",
        "",
        "linxia_clerk@example.invalid",
        "财务人员",
    ] in rows
    assert not any(row[0].startswith("44") for row in rows)  # only the region asked for


def test_the_blank_template_explains_itself(tmp_path):
    out = tmp_path / "template.xlsx"
    call_command("export_roster", "--template", "-o", str(out), stdout=io.StringIO())
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["花名册", "填写说明"]
    assert [c.value for c in book["花名册"][1]] == [c.label for c in COLUMNS]
    assert book["花名册"].max_row == 1
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert "财政局管理员" in notes and "区划代码" in notes
    csv_out = tmp_path / "template.csv"
    call_command("export_roster", "-o", str(csv_out), stdout=io.StringIO())
    assert csv_out.read_bytes() == ("\ufeff" + HEADER + "\r\n").encode()
    with pytest.raises(CommandError, match="找不到区划：999999"):
        call_command("export_roster", "--region", "999999", "-o", str(csv_out))


def test_names_that_start_like_formulas_are_exported_as_text_and_read_back(tmp_path):
    """A county administrator named a department =HYPERLINK(…): the province's export
    must not run it, and importing the export again must change nothing."""
    hostile = '=HYPERLINK(""http://evil.invalid"",""x"")'
    import_roster(
        tmp_path,
        roster(*NEW_REGION, f'623000,,,"{hostile}","+1+2所",,,,', "623001,=1+1镇,623000,,,,,,"),
    )
    name = hostile.replace('""', '"')
    assert Department.objects.filter(name=name).exists()
    xlsx, csv_path = tmp_path / "roster.xlsx", tmp_path / "roster.csv"
    for out in (xlsx, csv_path):
        call_command("export_roster", "--region", "620000", "-o", str(out), stdout=io.StringIO())
    cells = [c for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert {name, "+1+2所", "=1+1镇"} <= {c.value for c in cells}
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert f"'{name}".replace('"', '""') in text and "'=1+1镇" in text and "'+1+2所" in text
    for out in (xlsx, csv_path):
        before = counts()
        output = import_roster(tmp_path, out.read_bytes(), "--dry-run", name=out.name)
        assert counts() == before
        assert output.splitlines()[0].endswith("行，没有变化。"), output


def test_an_exported_file_is_read_back_as_it_was_written():
    region = Region.objects.get(code="622900")
    rows = roster_rows(region)
    plan = plan_roster(roster_csv(rows), "x.csv")
    assert plan.lines() == [] and not plan.any


def test_a_plan_refuses_with_every_problem():
    with pytest.raises(RosterError) as error:
        plan_roster(roster("1,,,,,,,,", "2,,,,,,,,"), "x.csv")
    assert [p.row for p in error.value.problems] == [2, 3]


def test_email_settings_come_from_the_environment():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.MAILERS, settings.DEFAULT_FROM_EMAIL, "
        "settings.PASSWORD_RESET_TIMEOUT]))"
    )

    def read(**env) -> list:
        clean = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("EMAIL_") and k not in ("DEFAULT_FROM_EMAIL", "PASSWORD_LINK_DAYS")
        }
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**clean, "DJANGO_SETTINGS_MODULE": "budgetportal.settings", **env},
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)

    console = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert read() == [{"default": console}, "webmaster@localhost", 7 * 24 * 3600]
    smtp = read(
        EMAIL_HOST="smtp.example.cn", EMAIL_PORT="465", EMAIL_USE_SSL="true",
        EMAIL_HOST_USER="bureau", EMAIL_HOST_PASSWORD="secret",
        DEFAULT_FROM_EMAIL="预算公开 <noreply@example.cn>", PASSWORD_LINK_DAYS="3",
    )  # fmt: skip
    assert smtp == [
        {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "smtp.example.cn", "port": 465, "username": "bureau",
                    "password": "secret", "use_tls": False, "use_ssl": True, "timeout": 30,
                },
            }
        },
        "预算公开 <noreply@example.cn>",
        3 * 24 * 3600,
    ]  # fmt: skip


def test_utf8_without_bom_and_an_empty_workbook(tmp_path):
    import_roster(tmp_path, roster("623000,新区,620000,,,,,,", encoding="utf-8"))
    assert Region.objects.get(code="623000").name == "新区"
    assert "工作簿的第一张工作表是空的，没有表头。" in refused(tmp_path, xlsx([]), name="x.xlsx")


def test_a_region_administrator_cannot_move_a_region_out_of_theirs(tmp_path):
    admin = User.objects.get(username="region_admin")
    admin.assigned_regions.set(Region.objects.filter(code="622900"))
    message = refused(tmp_path, roster("622901,,440100,,,,,,"), "--user", "region_admin")
    assert (
        "第 2 行“上级区划代码”列：您无权把区划移到 440100 之下：它不在您负责的区划之内。" in message
    )


def test_a_mail_that_cannot_be_sent_leaves_the_link_to_hand_over(tmp_path, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nobody listens
        }
    }
    output = import_roster(tmp_path, roster(*NEW_REGION))
    assert User.objects.filter(username="xinqu_clerk").exists()  # imported all the same
    assert "xinqu_clerk（王小明）：邮件发送失败（" in output
    assert "请把链接转交本人" in output and f"{SITE}/staff/set-password/" in output


def test_a_new_county_or_city_without_a_parent_is_refused(tmp_path):
    message = refused(tmp_path, roster("622930,新县,,,,,,,"))
    assert (
        "第 2 行“上级区划代码”列：区划 622930 没有填写上级区划代码：县级、市级区划须写明上级"
        "（省级区划代码以 0000 结尾）" in message
    )
    # Its would-be parent 622900 exists, but the file must say so.
    refused(tmp_path, roster("622900,临夏回族自治州,,,,,,,", "622930,新县,,,,,,,"))


def test_a_new_province_needs_no_parent(tmp_path):
    output = import_roster(tmp_path, roster("650000,新疆维吾尔自治区,,,,,,,"))
    assert "新增区划 650000 新疆维吾尔自治区（无上级）" in output
    assert Region.objects.get(code="650000").parent is None


def test_without_a_mail_server_the_links_are_printed_not_the_mail(tmp_path, settings, capsys):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    output = import_roster(tmp_path, roster(*NEW_REGION))
    printed = output + capsys.readouterr().out
    assert "Content-Transfer-Encoding" not in printed and "Subject:" not in printed
    line = re.search(
        r"xinqu_clerk（王小明）：未配置邮件服务器（EMAIL_HOST），请把链接转交本人：(\S+)", output
    )
    assert line and line.group(1).startswith(f"{SITE}/staff/set-password/")
    assert not mail.outbox


def test_the_default_site_url_is_announced_once(tmp_path, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    path = tmp_path / "花名册.csv"
    path.write_bytes(roster(*NEW_REGION))
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    output = out.getvalue()
    notice = "链接以 SITE_URL=http://127.0.0.1:8000 生成；正式部署请设置 SITE_URL，或用 --site-url 指定。"
    assert output.splitlines()[0] == notice and output.count("SITE_URL=") == 1
    assert "http://127.0.0.1:8000/staff/set-password/" in output
    assert "SITE_URL=" not in import_roster(tmp_path, roster(*NEW_REGION))  # --site-url given
    settings.SITE_URL = "https://yusuan.example.gov.cn"
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert "SITE_URL=" not in out.getvalue()
    assert "https://yusuan.example.gov.cn/staff/set-password/" in out.getvalue()
