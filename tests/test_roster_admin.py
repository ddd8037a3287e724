"""The roster in the admin: the upload with its preview and confirmation, the export and
the template, who reaches them, and the Region and Department admins kept within a region
administrator's regions."""

import io
import re
import shutil

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from disclosures.models import Department, Region, Unit
from tests.conftest import CHROMIUM

pytestmark = pytest.mark.django_db

User = get_user_model()
ROSTER = reverse("admin:disclosures_region_roster")
HEADER = "区划代码,区划名称,上级区划代码,部门名称,单位名称,账号,姓名,邮箱,角色"
NEW = (
    "623000,新区,620000,,,,,,",
    "623000,,,新区财政局,新区财政局,,,,",
    "623000,,,新区财政局,,xinqu_clerk,王小明,wxm@example.cn,财务人员",
)


def upload(*lines: str, name: str = "花名册.csv") -> SimpleUploadedFile:
    data = ("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8-sig")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def only_in_guangdong() -> None:
    User.objects.get(username="region_admin").assigned_regions.set(
        Region.objects.filter(code="440000")
    )


def counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        Department.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        Department.clerks.through.objects.count(),
    )


def test_a_region_administrator_uploads_previews_and_confirms():
    client = logged_in("region_admin")
    before = counts()
    preview = client.post(ROSTER, {"file": upload(*NEW)})
    page = preview.content.decode()
    assert (
        "3 行：新增区划 1 个，新增部门 1 个，新增单位 1 个，新增账号 1 个，新增角色分配 1 项。"
        in page
    )
    assert "新增账号 xinqu_clerk（王小明，wxm@example.cn）" in page
    assert counts() == before  # nothing yet
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    done = client.post(ROSTER, {"token": token})
    page = done.content.decode()
    assert done.status_code == 200
    assert "已导入：新增区划 1 个" in page
    assert "已发送至 wxm@example.cn" in page
    assert "http://testserver/staff/set-password/" in page
    assert Department.objects.get(name="新区财政局").clerks.get().username == "xinqu_clerk"
    assert len(mail.outbox) == 1 and "http://testserver/staff/set-password/" in mail.outbox[0].body

    again = client.post(ROSTER, {"token": token}, follow=True)  # confirmed once only
    assert "预览已过期或已导入，请重新上传。" in again.content.decode()


def test_an_upload_with_problems_lists_them_and_changes_nothing():
    before = counts()
    response = logged_in("region_admin").post(ROSTER, {"file": upload("629901,新区,629900,,,,,,")})
    page = response.content.decode()
    assert "花名册有 1 处问题，未导入任何内容" in page
    assert "第 2 行“上级区划代码”列：上级区划 629900 既不在本文件中，也不在系统中" in page
    assert counts() == before


def test_a_region_administrator_is_refused_regions_outside_theirs():
    only_in_guangdong()
    response = logged_in("region_admin").post(ROSTER, {"file": upload(*NEW)})
    assert "您无权维护区划 623000" in response.content.decode()
    assert not Region.objects.filter(code="623000").exists()


def test_a_roster_changed_after_the_preview_is_not_imported():
    client = logged_in("region_admin")
    page = client.post(ROSTER, {"file": upload(*NEW)}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    Region.objects.create(
        code="623000", name="别人建的新区", parent=Region.objects.get(code="620000")
    )
    response = client.post(ROSTER, {"token": token}, follow=True)
    assert "预览之后花名册已被他人修改，未导入；请重新上传预览。" in response.content.decode()
    assert not Department.objects.filter(name="新区财政局").exists()


def test_the_export_and_the_template():
    client = logged_in("region_admin")
    response = client.get(
        reverse("admin:disclosures_region_roster_export", args=["622900"]) + "?format=xlsx"
    )
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["花名册"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("区划代码", "区划名称")
    assert ("622901", "临夏市", "622900", "临夏市人民代表大会常务委员会办公室") in [
        r[:4] for r in rows
    ]
    template = client.get(reverse("admin:disclosures_region_roster_template") + "?format=csv")
    assert template.content == ("\ufeff" + HEADER + "\r\n").encode()
    page = client.get(ROSTER).content.decode()
    assert reverse("admin:disclosures_region_roster_export", args=["620000"]) in page
    assert reverse("admin:disclosures_region_roster_export", args=["622900"]) not in page


def test_the_export_of_a_region_outside_theirs_is_refused():
    only_in_guangdong()
    client = logged_in("region_admin")
    url = reverse("admin:disclosures_region_roster_export", args=["622901"])
    assert client.get(url).status_code == 403
    assert (
        client.get(reverse("admin:disclosures_region_roster_export", args=["440118"])).status_code
        == 200
    )


@pytest.mark.parametrize("username", ["linxia_clerk", "reviewer", "publisher"])
def test_the_other_roles_are_refused(username):
    client = logged_in(username)
    assert client.get(ROSTER).status_code == 403
    assert client.post(ROSTER, {"file": upload(*NEW)}).status_code == 403
    assert not Region.objects.filter(code="623000").exists()
    changelist = client.get(reverse("admin:disclosures_region_changelist")).content.decode()
    assert ROSTER not in changelist


def test_the_region_list_links_to_the_roster_for_administrators():
    for username in ("region_admin", "admin"):
        page = logged_in(username).get(reverse("admin:disclosures_region_changelist"))
        assert ROSTER in page.content.decode()


def test_a_region_administrator_sees_and_changes_only_their_regions():
    only_in_guangdong()
    client = logged_in("region_admin")
    listing = client.get(reverse("admin:disclosures_region_changelist"))
    assert {r.code for r in listing.context["cl"].result_list} == {"440000", "440100", "440118"}
    linxia = Region.objects.get(code="622901")
    assert (
        client.get(reverse("admin:disclosures_region_change", args=[linxia.pk])).status_code == 404
    )
    add = client.get(reverse("admin:disclosures_region_add"))
    parents = add.context["adminform"].form.fields["parent"]
    assert set(parents.queryset.values_list("code", flat=True)) == {"440000", "440100", "440118"}
    assert parents.required  # a region without a parent would be outside theirs
    staff = set(
        add.context["adminform"].form.fields["staff"].queryset.values_list("username", flat=True)
    )
    assert "region_admin" in staff  # in Guangdong only, with a region role
    assert "zengcheng_clerk" not in staff  # a clerk of Guangdong: no region role
    assert "linxia_clerk" not in staff and "admin" not in staff

    response = client.post(
        reverse("admin:disclosures_region_add"),
        {"code": "440119", "name": "从化区", "parent": linxia.pk},
    )
    assert response.status_code == 200 and not Region.objects.filter(code="440119").exists()
    parent = Region.objects.get(code="440100")
    client.post(
        reverse("admin:disclosures_region_add"),
        {"code": "440119", "name": "从化区", "parent": parent.pk},
    )
    assert Region.objects.get(code="440119").parent == parent


def test_a_region_administrator_sees_only_their_departments():
    only_in_guangdong()
    client = logged_in("region_admin")
    listing = client.get(reverse("admin:disclosures_department_changelist"))
    assert {d.region.code for d in listing.context["cl"].result_list} == {"440118"}
    linxia = Department.objects.get(region__code="622901")
    url = reverse("admin:disclosures_department_change", args=[linxia.pk])
    assert client.get(url).status_code == 404
    form = client.get(reverse("admin:disclosures_department_add")).context["adminform"].form
    assert set(form.fields["region"].queryset.values_list("code", flat=True)) == {
        "440000",
        "440100",
        "440118",
    }


def test_superusers_and_readers_see_every_region():
    every = Region.objects.count()
    for username in ("admin", "reviewer", "linxia_clerk"):
        listing = logged_in(username).get(reverse("admin:disclosures_region_changelist"))
        assert listing.context["cl"].result_count == every


def test_the_set_password_page_is_the_admins_and_passes_the_csp():
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user("newcomer", "n@example.cn", password=None, is_staff=True)
    url = reverse(
        "disclosures:password-set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    page = Client().get(url, follow=True)
    html = page.content.decode()
    assert "部门预算公开平台" in html  # the admin's header, not Django's
    assert "请为账号 newcomer 设置登录密码" in html
    policy = page["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert 'style="' not in html and "<style" not in html
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script and f'nonce="{nonce}"' in script, script
    bad = Client().get(reverse("disclosures:password-set", args=["MQ", "wrong"]))
    assert "这个设置密码的链接无效" in bad.content.decode()


def test_the_set_password_pages_read_as_a_first_password_not_a_permission_error():
    """An anonymous newcomer sees no admin sidebar (whose empty list says 你没有查看或编辑的
    权限) and headings about setting a first password, not resetting one."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user("newcomer", "n@example.cn", password=None, is_staff=True)
    url = reverse(
        "disclosures:password-set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    client = Client()
    form = client.get(url, follow=True)
    bad = Client().get(reverse("disclosures:password-set", args=["MQ", "wrong"]))
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "newcomer-budget-2025!", "new_password2": "newcomer-budget-2025!"},
        follow=True,
    )
    pages = {"form": form, "bad": bad, "done": done}
    for name, page in pages.items():
        html = page.content.decode()
        assert 'id="nav-sidebar"' not in html, name
        assert "你没有查看或编辑的权限" not in html, name
        assert "密码重置" not in html, name
    assert "<h1>设置密码</h1>" in form.content.decode()
    assert "<title>设置密码" in form.content.decode()
    bad_html = bad.content.decode()
    assert "<h1>链接无效或已过期</h1>" in bad_html
    assert "请联系本级财政局管理员重新导入花名册或重新发送链接" in bad_html
    assert "<h1>密码已设置</h1>" in done.content.decode()


def test_without_a_mail_server_the_roster_page_hands_the_links_over(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    client = logged_in("region_admin")
    preview = client.post(ROSTER, {"file": upload(*NEW)}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    page = client.post(ROSTER, {"token": token}).content.decode()
    assert "未配置邮件服务器（EMAIL_HOST），没有发送邮件" in page
    assert "未配置邮件服务器（EMAIL_HOST），请转交本人" in page
    assert "已发送至" not in page and "http://testserver/staff/set-password/" in page
    assert not mail.outbox


def test_region_staff_are_chosen_among_region_roles_and_clerks_among_clerks():
    for username, offered_elsewhere in (("admin", True), ("region_admin", False)):
        client = logged_in(username)
        if username == "region_admin":
            only_in_guangdong()
        region = Region.objects.get(code="440118")
        form = (
            client.get(reverse("admin:disclosures_region_change", args=[region.pk]))
            .context["adminform"]
            .form
        )
        staff = set(form.fields["staff"].queryset.values_list("username", flat=True))
        assert "region_admin" in staff, username
        assert not staff & {"linxia_clerk", "zengcheng_clerk"}, username
        assert ("reviewer" in staff) is offered_elsewhere, username
        department = Department.objects.get(region__code="440118")
        form = (
            client.get(reverse("admin:disclosures_department_change", args=[department.pk]))
            .context["adminform"]
            .form
        )
        clerks = set(form.fields["clerks"].queryset.values_list("username", flat=True))
        assert "zengcheng_clerk" in clerks, username
        assert ("linxia_clerk" in clerks) is offered_elsewhere, username
        assert not clerks & {"reviewer", "publisher", "region_admin", "admin"}, username


def test_an_assigned_account_the_role_filter_hides_stays_assigned():
    client = logged_in("admin")
    region = Region.objects.get(code="440118")
    region.staff.add(User.objects.get(username="zengcheng_clerk"))  # a clerk, misplaced
    me = User.objects.get(username="region_admin").pk
    client.post(
        reverse("admin:disclosures_region_change", args=[region.pk]),
        {"code": region.code, "name": region.name, "parent": region.parent_id, "staff": [me]},
    )
    assert set(region.staff.values_list("username", flat=True)) == {
        "region_admin",
        "zengcheng_clerk",
    }


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_new_account_sets_its_password_and_the_roster_is_uploaded(
    demo_loaded, browser, live_server, tmp_path
):
    """Chromium reports no CSP violation on the set-password pages and the roster page."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.test_browser_csp import visit, watch_for_violations

    user = User.objects.create_user("newcomer", "n@example.cn", password=None, is_staff=True)
    link = reverse(
        "disclosures:password-set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    page = browser.new_page(locale="zh-CN")
    violations = watch_for_violations(page)
    visit(page, f"{live_server.url}{link}")
    page.fill("#id_new_password1", "newcomer-budget-2025!")
    page.fill("#id_new_password2", "newcomer-budget-2025!")
    page.click("input[type=submit]")
    page.wait_for_url("**/staff/set-password/done/")
    assert "密码已设置" in page.content()
    user.refresh_from_db()
    assert user.check_password("newcomer-budget-2025!")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "region_admin")
    page.fill("#id_password", "demo-pass-2024")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    visit(page, f"{live_server.url}{ROSTER}")
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(upload(*NEW).read())
    page.set_input_files("#id_file", str(roster))
    page.click("input[type=submit].default")
    page.wait_for_selector("input[name=token]", state="attached")
    assert "新增区划 623000 新区（上级 620000）" in page.content()
    page.click("input[type=submit].default")
    page.wait_for_selector("text=设置密码的链接")
    assert Department.objects.filter(name="新区财政局", region__code="623000").exists()
    assert violations == []


def test_a_region_administrator_edits_their_top_region_but_not_its_parent():
    only_in_guangdong()
    client = logged_in("region_admin")
    province = Region.objects.get(code="440000")
    url = reverse("admin:disclosures_region_change", args=[province.pk])
    assert "parent" not in client.get(url).context["adminform"].form.fields
    me = User.objects.get(username="region_admin").pk
    client.post(url, {"code": "440000", "name": "广东省（改）", "staff": [me]})
    province.refresh_from_db()
    assert (province.name, province.parent) == ("广东省（改）", None)
    city = Region.objects.get(code="440100")
    form = (
        client.get(reverse("admin:disclosures_region_change", args=[city.pk]))
        .context["adminform"]
        .form
    )
    assert form.fields["parent"].required


def test_accounts_the_form_cannot_offer_stay_assigned():
    """The demo reviewer works in Gansu too: a Guangdong administrator saving Guangdong
    neither sees nor removes them."""
    only_in_guangdong()
    client = logged_in("region_admin")
    province = Region.objects.get(code="440000")
    url = reverse("admin:disclosures_region_change", args=[province.pk])
    offered = client.get(url).context["adminform"].form.fields["staff"].queryset
    assert not offered.filter(username="reviewer").exists()
    me = User.objects.get(username="region_admin").pk
    client.post(url, {"code": "440000", "name": "广东省", "staff": [me]})
    assert set(province.staff.values_list("username", flat=True)) == {
        "region_admin",
        "reviewer",
        "publisher",
    }
