"""The admin for every persona: what each may open and do (200, 403, 404 or a redirect to
the login), stale edits refused, workflow steps from the change page, overdue list."""

import pytest
from admin_forms import admin_form_data
from django.contrib.auth import get_user_model
from django.urls import reverse

from disclosures.models import BudgetApproval, Disclosure

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"
PERSONAS = ("anonymous", "linxia_clerk", "zengcheng_clerk", "reviewer", "publisher", "admin")


@pytest.fixture
def as_persona(client):
    def login(name):
        client.logout()
        if name != "anonymous":
            client.force_login(get_user_model().objects.get(username=name))
        return client

    return login


@pytest.fixture
def published():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


def url(name, *args):
    return reverse(f"admin:disclosures_disclosure_{name}", args=args)


def expect(response, status):
    if status == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == status, response.content[:300]


# persona: (changelist, add, change draft, delete draft, history draft, changes draft)
DRAFT_MATRIX = {
    "anonymous": ("login", "login", "login", "login", "login", "login"),
    "linxia_clerk": (200, 200, 200, 200, 200, 200),
    "zengcheng_clerk": (200, 200, 404, 404, 404, 404),
    "reviewer": (200, 403, 200, 403, 200, 200),
    "publisher": (200, 403, 200, 403, 200, 200),
    "admin": (200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_on_a_draft(as_persona, linxia_draft, persona):
    client = as_persona(persona)
    views = (
        url("changelist"),
        url("add"),
        url("change", linxia_draft.pk),
        url("delete", linxia_draft.pk),
        url("history", linxia_draft.pk),
        url("changes", linxia_draft.pk),
    )
    for view, status in zip(views, DRAFT_MATRIX[persona], strict=True):
        expect(client.get(view), status)


EDITABLE = {"linxia_clerk", "admin"}


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_only_the_departments_clerk_edits_a_draft(as_persona, linxia_draft, persona):
    response = as_persona(persona).get(url("change", linxia_draft.pk))
    if persona == "zengcheng_clerk":
        assert response.status_code == 404
    else:
        assert ('name="_save"' in response.content.decode()) is (persona in EDITABLE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_revision_is_read_only_for_everyone(as_persona, published, persona):
    client = as_persona(persona)
    change = client.get(url("change", published.pk))
    delete = client.get(url("delete", published.pk))
    if persona == "anonymous":
        expect(change, "login")
    elif persona == "zengcheng_clerk":
        expect(change, 404)
        expect(delete, 404)
    else:
        expect(change, 200)
        assert 'name="_save"' not in change.content.decode()
        expect(delete, 403)


def test_a_clerk_lists_only_their_departments(as_persona):
    html = as_persona("zengcheng_clerk").get(url("changelist")).content.decode()
    assert "广州市增城区人民代表大会常务委员会办公室" in html
    assert LINXIA not in html


def change_form_data(client, disclosure, **overrides):
    """The change form as the browser would post it, with some fields changed."""
    html = client.get(url("change", disclosure.pk)).content.decode()
    return {**admin_form_data(html), "_save": "保存", **overrides}


def test_a_stale_form_is_refused_and_changes_nothing(as_persona, linxia_draft):
    client = as_persona("linxia_clerk")
    loaded = change_form_data(client, linxia_draft)  # two people open the same page
    # One saves first.
    first = client.post(
        url("change", linxia_draft.pk), {**loaded, "correction_note": "先保存的更正说明"}
    )
    assert first.status_code == 302, first.content.decode()[:3000]
    # The other's form, loaded before that save, is now stale.
    second = client.post(
        url("change", linxia_draft.pk), {**loaded, "correction_note": "覆盖别人的内容"}
    )
    assert second.status_code == 200
    assert "保存被拒绝：您打开此页后，别人已修改并保存了这份部门预算公开" in second.content.decode()
    assert Disclosure.objects.get(pk=linxia_draft.pk).correction_note == "先保存的更正说明"


def test_workflow_steps_from_the_change_page(as_persona, linxia_draft):
    client = as_persona("linxia_clerk")
    page = client.get(url("change", linxia_draft.pk)).content.decode()
    assert 'value="submit"' in page
    response = client.post(url("workflow", linxia_draft.pk, "submit"), follow=True)
    # The demo content still has its errors: refused, with the reason shown.
    assert "检查发现 8 项错误，不能提交" in response.content.decode()
    assert Disclosure.objects.get(pk=linxia_draft.pk).status == "draft"
    assert (
        as_persona("reviewer").post(url("workflow", linxia_draft.pk, "submit")).status_code == 403
    )
    assert (
        as_persona("zengcheng_clerk").post(url("workflow", linxia_draft.pk, "submit")).status_code
        == 404
    )
    assert (
        as_persona("linxia_clerk").get(url("workflow", linxia_draft.pk, "submit")).status_code
        == 405
    )


def test_overdue_list(as_persona, linxia_draft):
    import datetime

    BudgetApproval.objects.create(
        department=linxia_draft.department, fiscal_year=2024, approved_on=datetime.date(2024, 1, 10)
    )
    html = as_persona("reviewer").get(url("changelist") + "?overdue=yes").content.decode()
    zengcheng = Disclosure.objects.get(department__name__startswith="广州")
    assert url("change", linxia_draft.pk) in html
    assert url("change", zengcheng.pk) not in html


def test_the_checks_panel_links_each_finding_and_takes_acknowledgements(as_persona, linxia_draft):
    client = as_persona("reviewer")
    html = client.get(url("change", linxia_draft.pk)).content.decode()
    # Each finding links to its row's line in the inline (Django names them prefix-index).
    codes = list(
        linxia_draft.generalbasicrow_set.order_by("position").values_list("code", flat=True)
    )
    row_301 = f"generalbasicrow_set-{codes.index('301')}"  # 表七's 301 name
    assert f'href="#{row_301}"' in html and f'id="{row_301}"' in html
    assert 'href="#department_form-group"' in html
    assert 'href="#projects-0"' in html and 'id="projects-0"' in html
    assert html.count('name="reason" required size="40"') == 6  # one form per warning
    response = client.post(
        url("acknowledge", linxia_draft.pk),
        {
            "code": "FIXED_ITEMS",
            "table_key": "fiscal_summary",
            "row_key": "expense:function_class:230",
            "column_key": "amount",
            "reason": "甘肃省表四样式不列转移性支出",
        },
        follow=True,
    )
    assert "已确认该警告" in response.content.decode()
    assert "已确认：甘肃省表四样式不列转移性支出" in response.content.decode()
    refused = client.post(
        url("acknowledge", linxia_draft.pk),
        {
            "code": "CATALOGUE",
            "table_key": "general_basic",
            "row_key": "301",
            "column_key": "name",
            "reason": "x",
        },
        follow=True,
    )
    assert "是错误，不能确认，只能更正" in refused.content.decode()
    assert (
        as_persona("publisher")
        .post(url("acknowledge", linxia_draft.pk), {"reason": "x"})
        .status_code
        == 403
    )


def row_prefix(data, table_set: str, field: str, value: str) -> str:
    """The formset prefix of the row whose `field` has `value` (e.g. code 30101 of 表七)."""
    for name, current in data.items():
        if name.startswith(f"{table_set}-") and name.endswith(f"-{field}") and current == value:
            return name.removesuffix(f"-{field}")
    raise AssertionError(f"no {table_set} row with {field}={value}")


def test_editing_table_seven_recomputes_its_totals_and_the_checks_see_it(as_persona, linxia_draft):
    from decimal import Decimal

    from disclosures.models import GeneralBasicRow

    client = as_persona("linxia_clerk")
    data = change_form_data(client, linxia_draft)
    basic_wage = row_prefix(data, "generalbasicrow_set", "code", "30101")
    total_row = row_prefix(data, "generalbasicrow_set", "code", "")
    assert f"{basic_wage}-total" not in data  # the row's 合计 is computed, not typed
    assert f"{total_row}-personnel" not in data  # so is every figure of 总计
    data[f"{basic_wage}-personnel"] = "271.37"  # was 261.37
    data[f"{total_row}-personnel"] = "1.00"  # a tampered post for a computed cell is ignored
    response = client.post(url("change", linxia_draft.pk), {**data, "_continue": "1"}, follow=True)
    assert response.status_code == 200
    rows = {r.code: r for r in GeneralBasicRow.objects.filter(disclosure=linxia_draft)}
    assert (rows["30101"].total, rows["301"].personnel, rows[""].total, rows[""].personnel) == (
        Decimal("271.37"),
        Decimal("721.79"),
        Decimal("831.07"),
        Decimal("724.75"),
    )
    html = response.content.decode()
    assert "表七（一般公共预算基本支出情况表）“总计”行“合计”列应为 821.07" in html


@pytest.mark.usefixtures("complete_catalogues")
def test_an_unknown_subject_code_is_refused_with_a_message(as_persona, linxia_draft):
    client = as_persona("linxia_clerk")
    data = change_form_data(client, linxia_draft)
    row = row_prefix(data, "generalexpenserow_set", "code", "2010199")
    data[f"{row}-code"] = "2010198"
    response = client.post(url("change", linxia_draft.pk), data)
    assert response.status_code == 200
    assert "科目编码 2010198 不在 2024 年支出功能分类科目中。" in response.content.decode()


# persona: (project page, department form page, regions, departments, function subjects)
PARTS_MATRIX = {
    "anonymous": ("login", "login", "login", "login", "login"),
    "linxia_clerk": (200, 200, 200, 200, 200),
    "zengcheng_clerk": (404, 404, 200, 200, 200),
    "reviewer": (200, 200, 200, 200, 200),
    "publisher": (200, 200, 200, 200, 200),
    "admin": (200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_on_the_other_admin_pages(as_persona, linxia_draft, persona):
    project = linxia_draft.projects.first()
    views = (
        reverse("admin:disclosures_project_change", args=[project.pk]),
        reverse(
            "admin:disclosures_departmentperformanceform_change",
            args=[linxia_draft.department_form.pk],
        ),
        reverse("admin:disclosures_region_changelist"),
        reverse("admin:disclosures_department_changelist"),
        reverse("admin:disclosures_functionsubject_changelist"),
    )
    client = as_persona(persona)
    for view, status in zip(views, PARTS_MATRIX[persona], strict=True):
        expect(client.get(view), status)
    # Only the department's clerk edits the draft's projects.
    if persona in ("linxia_clerk", "reviewer", "publisher"):
        editable = 'name="_save"' in client.get(views[0]).content.decode()
        assert editable is (persona == "linxia_clerk")
