"""Every door, every role: each URL pattern of the project and of the admin site (the
views django-simple-history, django-import-export, django-axes and django-tasks-db add
included), resolved with the demo's real ids, for anonymous, each clerk (of the draft's
department and of another), reviewer, publisher and superuser, GET and POST.

The patterns are read from the URL resolver, so a door added later that nobody classified
fails `test_every_url_pattern_is_classified`. README.md states the matrix as a table.

The object of every door is the Linxia correction draft (or a row of it, its department,
its region): the Linxia clerk's own, the Zengcheng clerk's other department's.
POSTs are empty and rolled back: the matrix asks who is let in, not what a form does.
"""

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from disclosures import workflow
from disclosures.models import (
    BudgetApproval,
    CatalogueYear,
    Department,
    Disclosure,
    FunctionSubject,
    TableKey,
)

PERSONAS = ("anonymous", "linxia_clerk", "zengcheng_clerk", "reviewer", "publisher", "admin")
LINXIA = "临夏市人民代表大会常务委员会办公室"

# What each persona gets, GET then POST, in PERSONAS' order. "login" is the redirect to
# the admin's login page, "302" any other redirect. Every door class below is one kind
# of door; DOORS says which URL names belong to it.
MATRIX = {
    # Public pages: everyone reads them, nobody posts to them.
    "public": "200 405 | 200 405 | 200 405 | 200 405 | 200 405 | 200 405",
    # Final accounts' pages: the demo has none published, so none are found.
    "public-none": "404 405 | 404 405 | 404 405 | 404 405 | 404 405 | 404 405",
    # The language switch is a GET link that redirects back.
    "language": "302 405 | 302 405 | 302 405 | 302 405 | 302 405 | 302 405",
    # Staff pages of one draft: its department's clerk and the staff who see every
    # department; another department's clerk finds nothing.
    "staff-draft": "login 405 | 200 405 | 404 405 | 200 405 | 200 405 | 200 405",
    # The workbook upload: for those who edit drafts (clerks, superusers). An empty POST
    # is the form again, with its errors.
    "workbook-import": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    # A department's workbook to fill in for a year: for those who may edit its drafts
    # (roles.editable_departments); everyone else finds nothing.
    "workbook-template": "login 405 | 200 405 | 404 405 | 404 405 | 404 405 | 200 405",
    # A new account's set-password link (a wrong one says so) and the page after it.
    "password-set": "200 200 | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "password-set-done": "200 405 | 200 405 | 200 405 | 200 405 | 200 405 | 200 405",
    # The roster page (upload, preview, confirm), its export and blank template: superusers
    # and region administrators (tests/test_roster_admin.py); an empty POST is the form again.
    "roster": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "roster-export": "login login | 403 405 | 403 405 | 403 405 | 403 405 | 200 405",
    "roster-template": "login login | 403 405 | 403 405 | 403 405 | 403 405 | 200 405",
    # The admin's own pages.
    "admin-login": "200 200 | 302 200 | 302 200 | 302 200 | 302 200 | 302 200",
    "admin-logout": "302 302 | 405 200 | 405 200 | 405 200 | 405 200 | 405 200",
    "admin-index": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "admin-password": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "admin-password-done": "login login | 200 405 | 200 405 | 200 405 | 200 405 | 200 405",
    "admin-jsi18n": "login login | 200 405 | 200 405 | 200 405 | 200 405 | 200 405",
    "admin-app-list": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "admin-catch-all": "login login | 404 404 | 404 404 | 404 404 | 404 404 | 404 404",
    # View on site: a redirect to the public page of what one may see.
    "admin-view-on-site": "login login | 302 302 | 404 404 | 302 302 | 302 302 | 302 302",
    # Autocomplete has no field configured: refused to all.
    "admin-autocomplete": "login login | 403 405 | 403 405 | 403 405 | 403 405 | 403 405",
    # The disclosure: the list, its add page, the draft's pages.
    "disclosure-changelist": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "disclosure-add": "login login | 200 200 | 200 200 | 403 403 | 403 403 | 200 200",
    "disclosure-change": "login login | 200 200 | 404 404 | 200 403 | 200 403 | 200 200",
    "disclosure-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    "disclosure-delete": "login login | 200 200 | 404 404 | 403 403 | 403 403 | 200 200",
    "disclosure-history": "login login | 200 200 | 404 404 | 200 200 | 200 200 | 200 200",
    # The history is for reading only: a POST of a past state is refused to everyone.
    "disclosure-history-record": "login login | 200 405 | 404 405 | 200 405 | 200 405 | 200 405",
    "disclosure-changes": "login login | 200 200 | 404 404 | 200 200 | 200 200 | 200 200",
    "disclosure-acknowledge": "login login | 405 302 | 405 404 | 405 302 | 405 403 | 405 302",
    # A clerk's submit of a draft with errors is refused with a message (302 back).
    "disclosure-workflow": "login login | 405 302 | 405 404 | 405 403 | 405 403 | 405 302",
    # A part of the draft on its own page (project, department form): editable by its
    # clerk, read by the staff who see everything, never added here.
    "part-changelist": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "part-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 403 403",
    "part-change": "login login | 200 200 | 404 404 | 200 403 | 200 403 | 200 200",
    "part-delete": "login login | 200 200 | 404 404 | 403 403 | 403 403 | 200 200",
    "part-history": "login login | 200 200 | 404 404 | 200 200 | 200 200 | 200 200",
    "part-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    # Rows of a statutory table or indicators: listed for import and export only.
    "rows-changelist": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "rows-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 403 403",
    "rows-change": "login login | 200 403 | 404 404 | 200 403 | 200 403 | 200 403",
    "rows-delete": "login login | 403 403 | 404 404 | 403 403 | 403 403 | 403 403",
    "rows-history": "login login | 200 200 | 404 404 | 200 200 | 200 200 | 200 200",
    "rows-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    # django-import-export: importing writes only drafts one may edit (checked per row);
    # exporting lists what one may see.
    "import": "login login | 200 200 | 200 200 | 403 403 | 403 403 | 200 200",
    "process-import": "login login | 405 200 | 405 200 | 405 403 | 405 403 | 405 200",
    "export": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    # Reference data: read by every role, changed by superusers.
    "reference-changelist": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "reference-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "reference-change": "login login | 200 403 | 200 403 | 200 403 | 200 403 | 200 200",
    "reference-delete": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "reference-history": "login login | 200 200 | 200 200 | 200 200 | 200 200 | 200 200",
    "reference-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    # 批复日期: read by reviewers and publishers in their regions, recorded by region
    # administrators (and superusers); clerks see nothing. History is for reading only.
    "approval-changelist": "login login | 403 403 | 403 403 | 200 200 | 200 200 | 200 200",
    "approval-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "approval-change": "login login | 403 403 | 403 403 | 200 403 | 200 403 | 200 200",
    "approval-delete": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "approval-history": "login login | 403 403 | 403 403 | 200 200 | 200 200 | 200 200",
    "approval-history-record": "login login | 403 405 | 403 405 | 200 405 | 200 405 | 200 405",
    "approval-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    # Recording many at once: one date for many departments, or a file (an empty POST is
    # the form again with its errors).
    "approval-bulk": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "approval-upload": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    # The upload's template (GET only): a row per department the user records for.
    "approval-template": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 405",
    # The catalogues' upload (preview, confirm) and copy pages: superusers and region
    # administrators (roles.administers) only; an empty POST is the form again.
    "catalogue-manage": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    # A catalogue year's change page: only `complete` and `source` are editable, so an
    # empty POST is a valid form (not complete, no source) and saves.
    "catalogue-change": "login login | 200 403 | 200 403 | 200 403 | 200 403 | 200 302",
    # A catalogue's export: every role that reads the catalogues.
    "catalogue-export": "login login | 200 405 | 200 405 | 200 405 | 200 405 | 200 405",
    # Accounts and groups: superusers only.
    "superuser-changelist": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "superuser-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "superuser-change": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "superuser-delete": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "superuser-history": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "superuser-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    "superuser-password": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    # Login records (django-axes): superusers read them and may delete one to lift a
    # lockout; nobody adds or edits them.
    "records-changelist": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "records-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 403 403",
    "records-change": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 302",
    "records-delete": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "records-history": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "records-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
    # Background task results (django-tasks-db): superusers read them, nothing more.
    "tasks-changelist": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "tasks-add": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 403 403",
    "tasks-change": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 403",
    "tasks-delete": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 403 403",
    "tasks-history": "login login | 403 403 | 403 403 | 403 403 | 403 403 | 200 200",
    "tasks-redirect": "login login | 302 302 | 302 302 | 302 302 | 302 302 | 302 302",
}

PUBLIC = {
    "home", "search", "region", "region-year", "region-compare", "compliance", "bulk-pdfs",
    "department",
    "department-compare", "disclosure", "revision", "json", "csv", "xlsx", "pdf", "api",
    "api-openapi",
    "api-regions", "api-region", "api-department", "api-disclosures", "api-disclosure",
    "api-table", "api-findings",
}  # fmt: skip
STAFF_DRAFT = {"staff-preview", "staff-preview-pdf", "staff-document", "staff-workbook"}
PARTS = {"project", "departmentperformanceform"}
REFERENCE = {"region", "department", "functionsubject", "economicsubject", "catalogueyear"}
CATALOGUE_VIEWS = {
    "upload": "catalogue-manage",
    "copy": "catalogue-manage",
    "export": "catalogue-export",
}
SUPERUSER_ONLY = {"user", "group"}
RECORDS = {"accessattempt", "accesslog", "accessfailurelog"}
ADMIN_SITE = {
    "index": "admin-index", "login": "admin-login", "logout": "admin-logout",
    "password_change": "admin-password", "password_change_done": "admin-password-done",
    "jsi18n": "admin-jsi18n", "app_list": "admin-app-list", "autocomplete": "admin-autocomplete",
    "view_on_site": "admin-view-on-site",
}  # fmt: skip
MODEL_VIEWS = ("changelist", "add", "change", "delete", "history")


@dataclass(frozen=True)
class Door:
    name: str  # namespaced URL name, or the route for unnamed patterns
    route: str

    @property
    def model(self) -> str | None:
        found = re.match(r"admin/(\w+)/(\w+)/", self.route)
        return found.group(2) if found else None


def doors() -> list[Door]:
    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}".strip(":")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                route = prefix + str(pattern.pattern)
                name = ":".join(filter(None, (namespace, pattern.name))) if pattern.name else route
                yield Door(name, route)

    return list(walk(get_resolver().url_patterns))


def door_class(door: Door) -> str | None:
    """Which class of MATRIX this door belongs to; None for a door nobody classified."""
    namespace, _, name = door.name.rpartition(":")
    if namespace == "disclosures":
        if name in PUBLIC:
            return "public"
        if name.startswith("final-"):
            return "public-none"
        if name in STAFF_DRAFT:
            return "staff-draft"
        doors = (
            "language",
            "workbook-import",
            "workbook-template",
            "password-set",
            "password-set-done",
        )
        return name if name in doors else None
    if namespace == "admin" and name in ADMIN_SITE:
        return ADMIN_SITE[name]
    if door.name == "admin-view-on-site":  # the portal's, in front of the admin's
        return "admin-view-on-site"
    if door.route == "admin/(?P<url>.*)$":
        return "admin-catch-all"
    model = door.model
    if model is None:
        return None
    if namespace != "admin":  # unnamed: <path:object_id>/ redirects to the change page
        view = "redirect"
    else:
        view = name.removeprefix(door.route.split("/")[1] + "_").removeprefix(model + "_")
    if model == "region" and view.startswith("roster"):
        return view.replace("_", "-")
    if model == "disclosure":
        special = {"simple_history": "history-record"}
        return f"disclosure-{special.get(view, view)}"
    if model == "budgetapproval":
        return f"approval-{view.replace('simple_history', 'history-record')}"
    if model == "catalogueyear" and view in CATALOGUE_VIEWS:
        return CATALOGUE_VIEWS[view]
    if model == "catalogueyear" and view == "change":
        return "catalogue-change"
    if view in ("import", "process_import"):
        return view.replace("_", "-")
    if view == "export":
        return "export"
    if model == "user" and view == "password_change":
        return "superuser-password"
    if view not in (*MODEL_VIEWS, "redirect"):
        return None
    if model in PARTS:
        return f"part-{view}"
    if model in REFERENCE:
        return f"reference-{view}"
    if model in SUPERUSER_ONLY:
        return f"superuser-{view}"
    if model in RECORDS:
        return f"records-{view}"
    if model == "dbtaskresult":
        return f"tasks-{view}"
    if door.route.startswith("admin/disclosures/"):
        return f"rows-{view}"
    return None


def test_every_url_pattern_is_classified():
    unclassified = [door.name for door in doors() if door_class(door) not in MATRIX]
    assert not unclassified, f"doors nobody classified: {unclassified}"


@dataclass
class DemoObjects:
    draft: Disclosure
    published: Disclosure
    department: Department
    rows: dict
    approval: BudgetApproval


@pytest.fixture
def demo(db):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult

    published = Disclosure.objects.get(department__name=LINXIA, revision=1)
    publisher = get_user_model().objects.get(username="publisher")
    draft = workflow.correct(published, publisher, "权限矩阵")
    rows = {"disclosure": draft.pk, "project": draft.projects.first().pk}
    rows["departmentperformanceform"] = draft.department_form.pk
    for relation in Disclosure._meta.related_objects:
        model = relation.related_model
        first = model.objects.filter(disclosure=draft).first() if relation.one_to_many else None
        if first is not None:
            rows[model._meta.model_name] = first.pk
    rows["departmentindicator"] = draft.department_form.indicators.first().pk
    rows["projectindicator"] = draft.projects.first().indicators.first().pk
    rows["region"] = published.department.region.pk
    rows["department"] = published.department.pk
    approval = BudgetApproval.objects.create(
        department=published.department, fiscal_year=2024, approved_on=date(2024, 2, 20)
    )
    rows["budgetapproval"] = approval.pk
    rows["functionsubject"] = FunctionSubject.objects.first().pk
    rows["economicsubject"] = 1
    rows["catalogueyear"] = CatalogueYear.objects.get(year=2024, kind="function").pk
    rows["user"] = get_user_model().objects.get(username="linxia_clerk").pk
    rows["group"] = Group.objects.get(name="clerk").pk
    attempt = {"ip_address": "203.0.113.9", "username": "x", "user_agent": "t"}
    rows["accessattempt"] = AccessAttempt.objects.create(**attempt, failures_since_start=1).pk
    rows["accesslog"] = AccessLog.objects.create(**attempt).pk
    rows["accessfailurelog"] = AccessFailureLog.objects.create(**attempt, locked_out=False).pk
    rows["dbtaskresult"] = DBTaskResult.objects.create(
        args_kwargs={}, task_path="disclosures.tasks.render_published_files",
        backend_name="default", run_after=timezone.now(),
    ).pk  # fmt: skip
    return DemoObjects(draft, published, published.department, rows, approval)


def concrete_url(door: Door, demo: DemoObjects) -> str:
    """The door's address with the demo's ids in it."""
    name = door.name.rpartition(":")[2]
    route = door.route
    if door.route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if name == "app_list":
        return "/admin/disclosures/"
    if name.endswith("_simple_history"):
        found = demo.approval if door.model == "budgetapproval" else demo.draft
        record = found.history.latest("history_date")
        return f"/admin/disclosures/{door.model}/{found.pk}/history/{record.history_id}/"
    if name in ("view_on_site", "admin-view-on-site"):
        content_type = ContentType.objects.get_for_model(Disclosure)
        return f"/admin/r/{content_type.pk}/{demo.draft.pk}/"
    pk = demo.department.pk
    if name in ("pdf", "api-disclosure", "api-table", "api-findings"):
        pk = demo.published.pk
    elif name.startswith("staff-") or name.startswith("disclosures_disclosure_"):
        pk = demo.draft.pk
    values = {
        "<int:pk>": pk,
        "<int:year>": 2024,
        "<int:revision>": 1,
        "<str:key>": TableKey.GENERAL_EXPENSE.value,
        "<str:code>": "en" if name == "language" else demo.department.region.code,
        "<str:region_code>": demo.department.region.code,
        "<str:action>": "submit",
        "<path:object_id>": demo.rows.get(door.model, 1),
        "<id>": demo.rows.get(door.model, 1),
        "<uidb64>": "MQ",
        "<token>": "no-such-token",
    }
    for placeholder, value in values.items():
        route = route.replace(placeholder, str(value))
    assert "<" not in route and "(" not in route, route
    return "/" + route


def outcome(response) -> str:
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    return str(response.status_code)


def expected(door_kind: str, persona: str) -> tuple[str, str]:
    cells = [cell.split() for cell in MATRIX[door_kind].split("|")]
    return tuple(cells[PERSONAS.index(persona)])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_route_by_role_matrix(client, demo, persona, settings):
    settings.AXES_ENABLED = False  # logging in is what test_login.py tests
    # Task results are read through the backend that made them: production's.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    if persona != "anonymous":
        client.force_login(get_user_model().objects.get(username=persona))
    wrong = []
    for door in doors():
        kind = door_class(door)
        url = concrete_url(door, demo)
        got = []
        for method in ("get", "post"):
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            got.append(outcome(response))
        if tuple(got) != expected(kind, persona):
            wrong.append(
                f"{kind:28} {url}: {' '.join(got)}, expected {' '.join(expected(kind, persona))}"
            )
        if persona != "anonymous" and not client.session.get("_auth_user_id"):
            client.force_login(get_user_model().objects.get(username=persona))  # after logout
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def test_every_admin_of_a_disclosures_rows_goes_through_the_rule():
    """A model admin registered later for a disclosure's rows must scope its queryset and
    permissions as these do (disclosures/staff/admin.py, disclosures/roles.py)."""
    from django.contrib import admin

    from disclosures.models.frozen import FrozenWhenPublished
    from disclosures.staff.admin import DisclosureAdmin, DisclosurePartAdmin

    for model, model_admin in admin.site._registry.items():
        if model is Disclosure or issubclass(model, FrozenWhenPublished):
            assert isinstance(model_admin, DisclosureAdmin | DisclosurePartAdmin), model
