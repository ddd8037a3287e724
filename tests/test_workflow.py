"""The workflow: every transition and every refusal; published revisions never change;
a correction is a new revision."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from disclosures.models import (
    ChangeReason,
    DepartmentPerformanceForm,
    Disclosure,
    GeneralExpenseRow,
    Passage,
    Project,
    ProjectIndicator,
    WorkflowEvent,
)
from disclosures.models.frozen import PublishedRevisionError
from disclosures.workflow import WorkflowError, approve, correct, publish, return_to_draft, submit

pytestmark = pytest.mark.django_db

LINXIA = "临夏市人民代表大会常务委员会办公室"


def user(name):
    return get_user_model().objects.get(username=name)


# Published revisions are frozen -------------------------------------------------------


@pytest.fixture
def published():
    return Disclosure.objects.get(department__name=LINXIA, revision=1)


def test_a_published_revision_cannot_be_saved_or_deleted(published):
    published.correction_note = "悄悄改"
    with pytest.raises(PublishedRevisionError, match="已公开的版本不能修改或删除"):
        published.save()
    with pytest.raises(PublishedRevisionError):
        published.delete()
    with pytest.raises(PublishedRevisionError):
        Disclosure.objects.filter(pk=published.pk).update(signed_on=None)
    with pytest.raises(PublishedRevisionError):
        Disclosure.objects.filter(pk=published.pk).delete()


def test_no_row_of_a_published_revision_can_change(published):
    row = GeneralExpenseRow.objects.get(disclosure=published, code="2010101")
    row.total = Decimal("1")
    with pytest.raises(PublishedRevisionError):
        row.save()
    with pytest.raises(PublishedRevisionError):
        row.delete()
    with pytest.raises(PublishedRevisionError):
        GeneralExpenseRow.objects.filter(disclosure=published).update(total=0)
    with pytest.raises(PublishedRevisionError):
        GeneralExpenseRow.objects.filter(disclosure=published).delete()
    with pytest.raises(PublishedRevisionError):
        GeneralExpenseRow.objects.bulk_create(
            [GeneralExpenseRow(disclosure=published, position=99, code="221", name="x")]
        )
    with pytest.raises(PublishedRevisionError):
        Passage.objects.create(disclosure=published, section="other_matters", text="补一句")
    indicator = ProjectIndicator.objects.filter(project__disclosure=published).first()
    indicator.annual_target = "100%"
    with pytest.raises(PublishedRevisionError):
        indicator.save()
    key = Project.objects.get(disclosure=published, name="2024 年度人大会议经费").key_description
    with pytest.raises(PublishedRevisionError):
        key.delete()
    assert GeneralExpenseRow.objects.get(pk=row.pk).total == Decimal("697.07")


# Transitions ----------------------------------------------------------------------------


def test_the_whole_way_to_publication(clean_draft):
    submit(clean_draft, user("linxia_clerk"))
    assert clean_draft.status == "submitted"
    approve(clean_draft, user("reviewer"))
    assert clean_draft.status == "approved"
    publish(clean_draft, user("publisher"))
    assert clean_draft.status == "published"
    assert clean_draft.published_at is not None
    events = list(
        clean_draft.events.values_list("action", "from_status", "to_status", "user__username")
    )
    assert events == [
        ("correct", "published", "draft", "publisher"),
        ("submit", "draft", "submitted", "linxia_clerk"),
        ("approve", "submitted", "approved", "reviewer"),
        ("publish", "approved", "published", "publisher"),
    ]
    # The correction now supersedes revision 1, which stays as it was.
    first, second = Disclosure.objects.filter(department__name=LINXIA).order_by("revision")
    assert (first.revision, first.status, second.revision, second.correction_note) == (
        1,
        "published",
        2,
        "测试用更正",
    )
    assert DepartmentPerformanceForm.objects.get(disclosure=first).basic_total == Decimal("721.07")


def test_return_to_draft_needs_a_reason_and_is_recorded(clean_draft):
    submit(clean_draft, user("linxia_clerk"))
    with pytest.raises(WorkflowError, match="退回须写明理由"):
        return_to_draft(clean_draft, user("reviewer"), " ")
    return_to_draft(clean_draft, user("reviewer"), "表九办公费与说明不一致")
    assert clean_draft.status == "draft"
    event = clean_draft.events.last()
    assert (event.action, event.reason, event.user.username) == (
        "return",
        "表九办公费与说明不一致",
        "reviewer",
    )


def test_submission_is_refused_while_errors_remain(linxia_draft):
    with pytest.raises(
        WorkflowError,
        match="检查发现 8 项错误，不能提交。前 5 项：部门整体支出绩效目标表“基本支出 合计”应为 821\\.07",
    ):
        submit(linxia_draft, user("linxia_clerk"))
    assert Disclosure.objects.get(pk=linxia_draft.pk).status == "draft"


def test_publication_is_refused_when_an_error_appears_after_approval(clean_draft):
    submit(clean_draft, user("linxia_clerk"))
    approve(clean_draft, user("reviewer"))
    # Nobody may edit an approved revision through the workflow, but a direct write could.
    Disclosure.objects.filter(pk=clean_draft.pk).update(status="draft")
    ChangeReason.objects.filter(disclosure=clean_draft, item="training").delete()
    Disclosure.objects.filter(pk=clean_draft.pk).update(status="approved")
    with pytest.raises(WorkflowError, match="不能公开"):
        publish(clean_draft, user("publisher"))


@pytest.mark.parametrize(
    ("action", "username"),
    [
        (submit, "reviewer"),
        (submit, "zengcheng_clerk"),
        (approve, "linxia_clerk"),
        (approve, "publisher"),
        (publish, "reviewer"),
        (publish, "linxia_clerk"),
    ],
)
def test_each_role_does_only_its_own_step(clean_draft, action, username):
    # Bring the draft to the state the action needs, as the right people would.
    if action is not submit:
        submit(clean_draft, user("linxia_clerk"))
    if action is publish:
        approve(clean_draft, user("reviewer"))
    with pytest.raises(PermissionDenied):
        action(clean_draft, user(username))


def test_steps_out_of_order_are_refused(clean_draft):
    with pytest.raises(WorkflowError, match="当前状态为“草稿”，不能审核通过"):
        approve(clean_draft, user("reviewer"))
    with pytest.raises(WorkflowError, match="不能公开"):
        publish(clean_draft, user("publisher"))
    with pytest.raises(WorkflowError, match="尚未公开"):
        correct(clean_draft, user("publisher"), "更正")


def test_a_correction_copies_every_row(published):
    draft = correct(published, user("publisher"), "更正表七科目名称")
    assert (draft.revision, draft.status, draft.correction_note) == (2, "draft", "更正表七科目名称")
    for relation in Disclosure._meta.related_objects:
        if relation.one_to_many and relation.related_model is not WorkflowEvent:
            accessor = relation.get_accessor_name()
            assert getattr(draft, accessor).count() == getattr(published, accessor).count(), (
                accessor
            )
    assert ProjectIndicator.objects.filter(project__disclosure=draft).count() == 26
    assert draft.department_form.indicators.count() == 6
    assert Project.objects.get(disclosure=draft, name="2024 年度人大会议经费").key_description.plan
    with pytest.raises(WorkflowError, match="须写明更正说明"):
        correct(published, user("publisher"), "")


def test_demo_accounts_and_their_roles():
    linxia_clerk = user("linxia_clerk")
    assert linxia_clerk.check_password("demo-pass-2024")
    assert list(linxia_clerk.assigned_departments.values_list("name", flat=True)) == [LINXIA]
    assert linxia_clerk.has_perm("disclosures.submit_disclosure")
    assert not linxia_clerk.has_perm("disclosures.publish_disclosure")
    assert user("reviewer").has_perm("disclosures.review_disclosure")
    assert not user("reviewer").has_perm("disclosures.change_generalexpenserow")
    assert user("publisher").has_perm("disclosures.publish_disclosure")
    assert user("admin").is_superuser


def test_every_change_to_a_row_is_recorded_and_shown(
    client, clean_draft, django_assert_max_num_queries
):
    clerk = user("linxia_clerk")
    row = GeneralExpenseRow.objects.get(disclosure=clean_draft, code="2010101")
    row.total = Decimal("700.00")
    row._history_user = clerk
    row.save()
    record = row.history.first()
    assert (record.history_type, record.history_user, record.total) == (
        "~",
        clerk,
        Decimal("700.00"),
    )
    client.force_login(user("admin"))
    from django.urls import reverse

    # One query per history table, however many rows and changes: about 160 records here.
    with django_assert_max_num_queries(40):
        page = client.get(reverse("admin:disclosures_disclosure_changes", args=[clean_draft.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "linxia_clerk" in html
    assert "合计：697.07 → 700.00" in html
