"""What an attacker with a clerk's password tried (issue 13), each as it was done: the
history revert, another department's draft, moving rows, previews, lost updates, changing
what is published, rendering a PDF twice, a second disclosure for a year, lost authors."""

import datetime
import threading
from decimal import Decimal

import pytest
from admin_forms import admin_form_data
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from disclosures import workflow
from disclosures.models import (
    Department,
    DepartmentPerformanceForm,
    Disclosure,
    DisclosurePDF,
    DisclosureWorkbook,
    Project,
    Unit,
    WorkflowEvent,
)
from disclosures.models.frozen import PublishedRevisionError, RowMoveError, WorkflowFieldError
from disclosures.rendering.pdf import store_pdf
from disclosures.rendering.stored import FileNotReady
from disclosures.workbook import workbook_bytes

LINXIA = "临夏市人民代表大会常务委员会办公室"
ZENGCHENG = "广州市增城区人民代表大会常务委员会办公室"


def user(name):
    return get_user_model().objects.get(username=name)


def logged_in(client, name):
    client.force_login(user(name))
    return client


def published(name=LINXIA):
    return Disclosure.objects.get(department__name=name, revision=1)


def at_once(*calls):
    """Run each call in its own thread (its own database connection), released together;
    their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        try:
            start.wait()
            results[index] = calls[index]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def history_url(disclosure, record):
    return reverse(
        "admin:disclosures_disclosure_simple_history", args=[disclosure.pk, record.history_id]
    )


# 1, 2: the history revert page ---------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_cannot_approve_their_own_draft_by_reverting_history(client, clean_draft):
    clerk, reviewer = user("linxia_clerk"), user("reviewer")
    workflow.submit(clean_draft, clerk)
    workflow.approve(clean_draft, reviewer)
    workflow.return_to_draft(clean_draft, reviewer, "请补充部门职责")
    approved = clean_draft.history.filter(status="approved").latest("history_date")
    events = WorkflowEvent.objects.filter(disclosure=clean_draft).count()

    logged_in(client, "linxia_clerk")
    page = client.get(history_url(clean_draft, approved))
    assert page.status_code == 200  # a past state, to read
    assert 'name="_save"' not in page.content.decode()
    form = admin_form_data(page.content.decode())
    response = client.post(history_url(clean_draft, approved), form)

    assert response.status_code == 405
    clean_draft.refresh_from_db()
    assert clean_draft.status == Disclosure.Status.DRAFT
    assert WorkflowEvent.objects.filter(disclosure=clean_draft).count() == events


@pytest.mark.django_db
def test_another_departments_clerk_cannot_read_or_take_over_a_draft_by_its_history(
    client, linxia_draft
):
    record = linxia_draft.history.latest("history_date")
    zengcheng = Department.objects.get(name=ZENGCHENG)
    logged_in(client, "zengcheng_clerk")

    assert client.get(history_url(linxia_draft, record)).status_code == 404
    assert client.get(reverse("admin:disclosures_disclosure_history", args=[linxia_draft.pk]))
    response = client.post(
        history_url(linxia_draft, record),
        {"department": zengcheng.pk, "fiscal_year": 2024, "kind": "budget", "layout": "gansu-11"},
    )
    assert response.status_code in (404, 405)
    linxia_draft.refresh_from_db()
    assert linxia_draft.department.name == LINXIA


@pytest.mark.django_db
def test_a_history_page_of_a_record_of_another_disclosure_is_not_found(client, linxia_draft):
    other = published(ZENGCHENG).history.latest("history_date")
    logged_in(client, "admin")
    assert client.get(history_url(linxia_draft, other)).status_code == 404
    url = f"/admin/disclosures/disclosure/{linxia_draft.pk}/history/not-a-number/"
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_workflow_fields_change_only_through_the_workflow(linxia_draft):
    linxia_draft.status = Disclosure.Status.APPROVED
    with pytest.raises(WorkflowFieldError):
        linxia_draft.save()
    linxia_draft.refresh_from_db()
    linxia_draft.department = Department.objects.get(name=ZENGCHENG)
    with pytest.raises(WorkflowFieldError):
        linxia_draft.save()


@pytest.mark.django_db
def test_the_disclosure_page_does_not_offer_to_change_department_year_or_kind(client, linxia_draft):
    logged_in(client, "linxia_clerk")
    url = reverse("admin:disclosures_disclosure_change", args=[linxia_draft.pk])
    form = admin_form_data(client.get(url).content.decode())
    assert not {"department", "fiscal_year", "kind"} & set(form)
    form.update(department=Department.objects.get(name=ZENGCHENG).pk, fiscal_year="2030")
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    linxia_draft.refresh_from_db()
    assert (linxia_draft.department.name, linxia_draft.fiscal_year) == (LINXIA, 2024)


# 3: pages of a project and of the department form ------------------------------------


@pytest.fixture
def zengcheng_draft(db):
    return workflow.correct(published(ZENGCHENG), user("publisher"), "测试用更正")


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["project", "departmentperformanceform"])
def test_a_part_cannot_be_moved_to_another_disclosure(client, linxia_draft, zengcheng_draft, model):
    part = linxia_draft.projects.first() if model == "project" else linxia_draft.department_form
    logged_in(client, "linxia_clerk")
    url = reverse(f"admin:disclosures_{model}_change", args=[part.pk])
    page = client.get(url).content.decode()
    form = admin_form_data(page, f"{model}_form")
    assert "disclosure" not in form  # shown, not offered
    for target in (zengcheng_draft, published(ZENGCHENG)):
        form["disclosure"] = target.pk
        client.post(url, form)
        part.refresh_from_db()
        assert part.disclosure_id == linxia_draft.pk
    assert client.get(reverse(f"admin:disclosures_{model}_add")).status_code == 403


@pytest.mark.django_db
def test_the_model_refuses_to_move_a_row_out_of_or_into_a_published_revision(
    linxia_draft, zengcheng_draft
):
    project = published().projects.first()
    project.disclosure = linxia_draft
    with pytest.raises(PublishedRevisionError):
        project.save()

    draft_project = linxia_draft.projects.first()
    draft_project.disclosure = published(ZENGCHENG)
    with pytest.raises(PublishedRevisionError):
        draft_project.save()
    draft_project.disclosure = zengcheng_draft
    with pytest.raises(RowMoveError):
        draft_project.save()
    with pytest.raises(PublishedRevisionError):
        Project.objects.filter(pk=draft_project.pk).update(disclosure=published(ZENGCHENG))


@pytest.mark.django_db
def test_unit_choices_are_the_clerks_departments_only(client, linxia_draft):
    logged_in(client, "linxia_clerk")
    project = linxia_draft.projects.first()
    page = client.get(reverse("admin:disclosures_project_change", args=[project.pk]))
    html = page.content.decode()
    zengcheng_units = Unit.objects.filter(department__name=ZENGCHENG)
    assert zengcheng_units.exists()
    assert f'<option value="{project.unit_id}" selected>' in html
    for unit in zengcheng_units:
        assert f'<option value="{unit.pk}"' not in html


# 4: staff previews -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "disclosures:staff-preview",
        "disclosures:staff-document",
        "disclosures:staff-workbook",
        "disclosures:staff-preview-pdf",
    ],
)
def test_staff_previews_keep_to_the_clerks_departments(client, linxia_draft, name):
    url = reverse(name, args=[linxia_draft.pk])
    assert logged_in(client, "zengcheng_clerk").get(url).status_code == 404
    if name != "disclosures:staff-preview-pdf":  # the PDF renders for seconds: once is enough
        assert logged_in(client, "linxia_clerk").get(url).status_code == 200


# 5: two clerks saving the same page at the same moment --------------------------------


@pytest.mark.django_db(transaction=True)
def test_of_two_simultaneous_saves_one_wins_and_the_other_is_told(demo_loaded):
    if connection.vendor != "postgresql":
        # The test database of SQLite is in memory, shared between threads by a cache
        # whose locks do not wait; a file database queues writers (settings.py).
        pytest.skip("threads need PostgreSQL's test database")
    draft = workflow.correct(published(), user("publisher"), "并发测试")
    url = reverse("admin:disclosures_disclosure_change", args=[draft.pk])
    clients = [logged_in(Client(), "linxia_clerk"), logged_in(Client(), "admin")]
    forms = [admin_form_data(c.get(url).content.decode()) for c in clients]
    forms[0]["correction_note"] = "甲的修改"
    forms[1]["correction_note"] = "乙的修改"
    responses = at_once(
        lambda: clients[0].post(url, forms[0]), lambda: clients[1].post(url, forms[1])
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 302]
    loser = next(r for r in responses if r.status_code == 200)
    assert "别人已修改并保存了这份部门预算公开" in loser.content.decode()
    winner = responses.index(next(r for r in responses if r.status_code == 302))
    draft.refresh_from_db()
    assert draft.correction_note == forms[winner]["correction_note"]
    assert draft.version == 1


# 6: what is published never changes ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", [DisclosurePDF, DisclosureWorkbook])
def test_a_published_file_cannot_be_deleted_or_replaced(model):
    stored = model.objects.get(disclosure=published())
    with pytest.raises(PublishedRevisionError):
        stored.delete()
    with pytest.raises(PublishedRevisionError):
        model.objects.filter(pk=stored.pk).delete()
    with pytest.raises(PublishedRevisionError):
        model.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    stored.sha256 = "0" * 64
    with pytest.raises(PublishedRevisionError):
        stored.save()


@pytest.mark.django_db
def test_renaming_a_department_or_unit_changes_nothing_published(client, linxia_draft):
    revision = published()
    page_before = client.get(revision.get_absolute_url()).content.decode()
    workbook_before = workbook_bytes(Disclosure.objects.with_contents().get(pk=revision.pk))
    json_url = revision.json_url
    json_before = client.get(json_url).json()

    department = revision.department
    department.name = "临夏市人大常委会办公室（新名）"
    department.save()
    unit = department.units.first()
    unit.name = "改名后的单位"
    unit.save()
    revision.department.region.name = "改名后的区划"
    revision.department.region.save()
    cache.clear()  # the pages cached before the rename, within this test

    assert workbook_bytes(Disclosure.objects.with_contents().get(pk=revision.pk)) == (
        workbook_before
    )
    assert client.get(json_url).json() == json_before
    listed = client.get("/api/disclosures/", {"department": department.pk}).json()
    assert {item["department"]["name"] for item in listed["results"]} == {LINXIA}
    page_after = client.get(revision.get_absolute_url()).content.decode()
    assert "<h1" in page_after and LINXIA in page_after.split("<h1", 1)[1][:400]
    assert page_after.count(LINXIA) == page_before.count(LINXIA)
    # A draft prints the names as they are now.
    draft = Disclosure.objects.with_contents().get(pk=linxia_draft.pk)
    assert draft.department.name == "临夏市人大常委会办公室（新名）"


@pytest.mark.django_db
def test_publishing_records_the_names_it_prints(clean_draft):
    workflow.submit(clean_draft, user("linxia_clerk"))
    workflow.approve(clean_draft, user("reviewer"))
    workflow.publish(clean_draft, user("publisher"))
    clean_draft.refresh_from_db()
    assert clean_draft.printed_names["department"] == LINXIA
    assert clean_draft.printed_names["region_full"].endswith("临夏市")
    assert set(clean_draft.printed_names["units"]) == {
        str(pk) for pk in clean_draft.department.units.values_list("pk", flat=True)
    }


# 10: a PDF is rendered by exactly one worker ---------------------------------------------


@pytest.fixture
def published_without_pdf(clean_draft, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    workflow.submit(clean_draft, user("linxia_clerk"))
    workflow.approve(clean_draft, user("reviewer"))
    workflow.publish(clean_draft, user("publisher"))
    assert not DisclosurePDF.objects.filter(disclosure=clean_draft).exists()
    return clean_draft


@pytest.mark.django_db
def test_a_pdf_being_rendered_elsewhere_is_a_503_with_retry_after(client, published_without_pdf):
    DisclosurePDF.objects.create(disclosure=published_without_pdf, claimed_at=timezone.now())
    response = client.get(reverse("disclosures:pdf", args=[published_without_pdf.pk]))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "正在生成" in response.content.decode()


@pytest.mark.django_db
def test_a_claim_left_by_a_dead_worker_is_taken_over(client, published_without_pdf):
    DisclosurePDF.objects.create(disclosure=published_without_pdf, claimed_at=timezone.now())
    DisclosurePDF.objects.filter(disclosure=published_without_pdf).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    response = client.get(reverse("disclosures:pdf", args=[published_without_pdf.pk]))
    assert response.status_code == 200
    stored = DisclosurePDF.objects.get(disclosure=published_without_pdf)
    assert stored.is_ready and response["ETag"] == f'"{stored.sha256}"'


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_render_the_pdf_once(demo_loaded, settings):
    if connection.vendor != "postgresql":
        pytest.skip("threads need PostgreSQL's test database")
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    draft = workflow.correct(published(), user("publisher"), "并发生成")
    from disclosures.models import GeneralBasicRow

    form = DepartmentPerformanceForm.objects.get(disclosure=draft)
    form.basic_total = Decimal("821.07")
    form.save()
    Project.objects.filter(disclosure=draft).update(figures_unit="wan")
    GeneralBasicRow.objects.filter(disclosure=draft, name="工作福利支出").update(
        name="工资福利支出"
    )
    draft.fiscalsummaryrow_set.filter(label="文化体育与传媒支出").update(
        label="文化旅游体育与传媒支出"
    )
    workflow.submit(draft, user("linxia_clerk"))
    workflow.approve(draft, user("reviewer"))
    workflow.publish(draft, user("publisher"))

    def fetch():
        try:
            return store_pdf(draft.pk).sha256
        except FileNotReady:
            return "busy"

    outcomes = at_once(fetch, fetch)

    stored = DisclosurePDF.objects.get(disclosure=draft)
    assert stored.is_ready
    assert sorted(outcomes, key=str) in (
        sorted([stored.sha256, "busy"], key=str),
        [stored.sha256, stored.sha256],
    )
    folder = stored.file.storage.path(f"disclosures/{draft.pk}")
    import os

    assert len(os.listdir(folder)) == 1


# 13: a second disclosure for a year ------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_disclosure_for_a_year_that_has_one_is_a_form_error(client):
    logged_in(client, "linxia_clerk")
    department = Department.objects.get(name=LINXIA)
    page = client.get(reverse("admin:disclosures_disclosure_add")).content.decode()
    form = admin_form_data(page)
    form.update(department=department.pk, fiscal_year="2024", kind="budget")
    response = client.post(reverse("admin:disclosures_disclosure_add"), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2024 年已有部门预算（第 1 版，已公开），不能再新建" in html
    assert "发起更正" in html
    assert Disclosure.objects.filter(department=department).count() == 1


@pytest.mark.django_db
def test_a_clerk_can_only_add_disclosures_for_their_departments(client):
    logged_in(client, "linxia_clerk")
    html = client.get(reverse("admin:disclosures_disclosure_add")).content.decode()
    zengcheng = Department.objects.get(name=ZENGCHENG)
    assert f'<option value="{Department.objects.get(name=LINXIA).pk}"' in html
    assert f'<option value="{zengcheng.pk}"' not in html


# 14: audit that keeps its author ---------------------------------------------------------


@pytest.mark.django_db
def test_events_and_history_keep_their_authors_when_an_account_is_deleted(clean_draft):
    clerk = user("linxia_clerk")
    form = DepartmentPerformanceForm.objects.get(disclosure=clean_draft)
    form._history_user = clerk
    form.goals = form.goals + "\n补充目标"
    form.save()
    workflow.submit(clean_draft, clerk)
    clerk.delete()

    event = WorkflowEvent.objects.get(disclosure=clean_draft, action="submit")
    assert event.user is None and event.username == "linxia_clerk"
    record = form.history.latest("history_date")
    assert record.history_user is None and record.history_username == "linxia_clerk"
    from disclosures.staff.history import changes

    assert any(change.user == "linxia_clerk" for change in changes(clean_draft))


@pytest.mark.django_db
def test_the_demo_publications_have_their_workflow_events():
    for name in (LINXIA, ZENGCHENG):
        event = WorkflowEvent.objects.get(disclosure=published(name))
        assert (event.action, event.to_status, event.username) == (
            "publish",
            "published",
            "load_demo",
        )


def test_the_sqlite_connection_queues_writers():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# The second wall: PostgreSQL's triggers refuse what the model layer would -----------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE disclosures_passage SET text = 'x' WHERE disclosure_id = {published}",
        "DELETE FROM disclosures_passage WHERE disclosure_id = {published}",
        "UPDATE disclosures_projectindicator SET level3 = 'x' WHERE project_id IN "
        "(SELECT id FROM disclosures_project WHERE disclosure_id = {published})",
        "UPDATE disclosures_departmentindicator SET level3 = 'x' WHERE form_id IN "
        "(SELECT id FROM disclosures_departmentperformanceform WHERE disclosure_id = {published})",
        "UPDATE disclosures_project SET disclosure_id = {draft} WHERE disclosure_id = {published}",
        "UPDATE disclosures_project SET disclosure_id = {published} WHERE disclosure_id = {draft}",
        "INSERT INTO disclosures_passage (disclosure_id, section, text) "
        "VALUES ({published}, 'x', 'x')",
        "UPDATE disclosures_disclosure SET status = 'draft' WHERE id = {published}",
        "DELETE FROM disclosures_disclosure WHERE id = {published}",
        "UPDATE disclosures_disclosurepdf SET sha256 = repeat('0', 64) "
        "WHERE disclosure_id = {published}",
        "DELETE FROM disclosures_disclosureworkbook WHERE disclosure_id = {published}",
    ],
)
def test_postgresql_refuses_changes_to_published_revisions_from_any_query(linxia_draft, statement):
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    from django.db import IntegrityError, transaction

    sql = statement.format(published=published().pk, draft=linxia_draft.pk)
    with pytest.raises(IntegrityError, match="已"), transaction.atomic():
        connection.cursor().execute(sql)


@pytest.mark.django_db
def test_postgresql_lets_drafts_change(linxia_draft):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disclosures_passage SET text = text || '。' WHERE disclosure_id = %s",
            [linxia_draft.pk],
        )
        assert cursor.rowcount > 0


@pytest.mark.django_db
def test_a_refused_csrf_token_is_explained_in_chinese(linxia_draft):
    client = Client(enforce_csrf_checks=True)
    logged_in(client, "linxia_clerk")
    url = reverse("admin:disclosures_disclosure_change", args=[linxia_draft.pk])
    response = client.post(url, {"correction_note": "无令牌"})
    assert response.status_code == 403
    assert "表单已失效" in response.content.decode()
    linxia_draft.refresh_from_db()
    assert linxia_draft.correction_note == "测试用更正"


@pytest.mark.django_db
def test_a_refused_nul_byte_carries_the_security_headers(client):
    response = client.get("/search/?q=%00")
    assert response.status_code == 400
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


# The edit version covers every page of a disclosure -----------------------------------------


def open_page(client, url, form_id):
    return admin_form_data(client.get(url).content.decode(), form_id)


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["project", "departmentperformanceform"])
def test_saving_a_part_makes_the_disclosure_page_opened_before_it_stale(client, linxia_draft, part):
    other = logged_in(Client(), "admin")
    disclosure_url = reverse("admin:disclosures_disclosure_change", args=[linxia_draft.pk])
    stale_disclosure_page = open_page(other, disclosure_url, "disclosure_form")

    obj = linxia_draft.projects.first() if part == "project" else linxia_draft.department_form
    part_url = reverse(f"admin:disclosures_{part}_change", args=[obj.pk])
    logged_in(client, "linxia_clerk")
    form = open_page(client, part_url, f"{part}_form")
    form["goals" if part != "project" else "name"] = "甲在分页上改的"
    assert client.post(part_url, form).status_code == 302

    response = other.post(disclosure_url, stale_disclosure_page)
    assert response.status_code == 200
    assert "别人已修改并保存了这份部门预算公开" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, "goals" if part != "project" else "name") == "甲在分页上改的"


@pytest.mark.django_db
def test_a_part_page_opened_before_the_disclosure_was_saved_is_stale(client, linxia_draft):
    project = linxia_draft.projects.first()
    part_url = reverse("admin:disclosures_project_change", args=[project.pk])
    logged_in(client, "linxia_clerk")
    stale_part_page = open_page(client, part_url, "project_form")

    other = logged_in(Client(), "admin")
    disclosure_url = reverse("admin:disclosures_disclosure_change", args=[linxia_draft.pk])
    page = open_page(other, disclosure_url, "disclosure_form")
    page["projects-0-name"] = "乙在总页上改的"
    assert other.post(disclosure_url, page).status_code == 302

    stale_part_page["goal"] = "甲的旧页面"
    response = client.post(part_url, stale_part_page)
    assert response.status_code == 200
    assert "别人已修改并保存了这份部门预算公开" in response.content.decode()
    project.refresh_from_db()
    assert project.name == "乙在总页上改的"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "query", "status"),
    [
        ("projectindicator", "?disclosure__id__exact=3", 400),
        ("departmentindicator", "?disclosure=3", 400),
        ("project", "?nonsense=1", 400),
        ("project", "?disclosure__id__exact=3", 200),
    ],
)
def test_an_export_with_a_filter_it_does_not_know_is_a_400(client, model, query, status):
    logged_in(client, "zengcheng_clerk")
    url = reverse(f"admin:disclosures_{model}_export") + query
    assert client.get(url).status_code == status
    assert client.post(url, {"format": "0", "resource": "0"}).status_code == status
