"""The admin for every persona: what each may open and do (200, 403, 404 or a redirect to
the login), stale edits refused, workflow steps from the change page, overdue list."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from disclosures.models import Disclosure

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


def change_form_data(disclosure, **overrides):
    data = {
        "department": disclosure.department_id,
        "fiscal_year": disclosure.fiscal_year,
        "kind": disclosure.kind,
        "layout": disclosure.layout,
        "approved_on": "",
        "signed_on": "2024-02-26",
        "amounts_rounded": "on",
        "correction_note": disclosure.correction_note,
        "loaded_version": disclosure.version,
        "_save": "保存",
    }
    for prefix in ("passages", "table_explanations"):
        count = getattr(disclosure, prefix).count()
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": count,
                f"{prefix}-INITIAL_FORMS": count,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for index, row in enumerate(getattr(disclosure, prefix).order_by("pk")):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-disclosure"] = disclosure.pk
            if prefix == "passages":
                data.update(
                    {f"{prefix}-{index}-section": row.section, f"{prefix}-{index}-text": row.text}
                )
            else:
                data.update(
                    {f"{prefix}-{index}-table": row.table, f"{prefix}-{index}-text": row.text}
                )
    data.update(overrides)
    return data


def test_a_stale_form_is_refused_and_changes_nothing(as_persona, linxia_draft):
    client = as_persona("linxia_clerk")
    loaded = Disclosure.objects.get(pk=linxia_draft.pk)
    # Someone else saves first.
    first = client.post(
        url("change", loaded.pk), change_form_data(loaded, correction_note="先保存的更正说明")
    )
    assert first.status_code == 302
    # The form loaded before that save is now stale.
    second = client.post(
        url("change", loaded.pk), change_form_data(loaded, correction_note="覆盖别人的内容")
    )
    assert second.status_code == 200
    assert "保存被拒绝：您打开此页后，别人已修改并保存了这份部门预算公开" in second.content.decode()
    assert Disclosure.objects.get(pk=loaded.pk).correction_note == "先保存的更正说明"


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

    Disclosure.objects.filter(pk=linxia_draft.pk).update(approved_on=datetime.date(2024, 1, 10))
    html = as_persona("reviewer").get(url("changelist") + "?overdue=yes").content.decode()
    zengcheng = Disclosure.objects.get(department__name__startswith="广州")
    assert url("change", linxia_draft.pk) in html
    assert url("change", zengcheng.pk) not in html


def test_the_checks_panel_links_each_finding_and_takes_acknowledgements(as_persona, linxia_draft):
    client = as_persona("reviewer")
    html = client.get(url("change", linxia_draft.pk)).content.decode()
    preview = reverse("disclosures:staff-preview", args=[linxia_draft.pk])
    assert f'href="{preview}#general_basic"' in html  # 表七's 301 name
    assert f'href="{preview}#department_form"' in html
    assert html.count('name="reason" required size="40"') == 6  # one form per warning
    response = client.post(
        url("acknowledge", linxia_draft.pk),
        {
            "code": "FIXED_ITEMS",
            "table": "表四（财政拨款收支总体情况表）",
            "location": "支出方“转移性支出”",
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
            "table": "表七（一般公共预算基本支出情况表）",
            "location": "“工作福利支出”（301）行",
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
