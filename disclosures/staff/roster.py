"""Staff: the roster page of a finance bureau (upload with a preview, export, the blank
template), and the page where a new account sets its password.

Only superusers and region administrators reach the roster page (roles.administers);
what an upload may touch is checked again by disclosures/roster.py against the user.
The upload is planned twice, as workbook imports are: once for the preview, once more
from the same stored file on confirmation; if the preview would now read differently
(someone changed the roster in between), nothing is saved.
"""

import hashlib
import secrets
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from disclosures import roles
from disclosures.models import Region
from disclosures.rendering.downloads import attachment
from disclosures.roster import (
    RosterError,
    apply_roster,
    link_days,
    mail_server_configured,
    password_links,
    plan_roster,
    roster_file,
    roster_rows,
)
from disclosures.site.views import XLSX
from disclosures.staff.workbook import forget_stale_uploads
from disclosures.workbook.opening import MAX_BYTES

SESSION_KEY = "roster-imports"
UPLOADS = "roster-imports"
CSV = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX, "csv": CSV}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("花名册文件（.xlsx 或 .csv）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件大小超过上限 %(limit)d MB。") % {"limit": MAX_BYTES // 1024 // 1024}
            )
        return upload


def _administrator(request: HttpRequest) -> None:
    if not roles.administers(request.user):
        raise PermissionDenied


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(
        request,
        f"admin/roster/{template}",
        {**admin.site.each_context(request), "opts": Region._meta, **context},
    )


def roster_view(request: HttpRequest) -> HttpResponse:
    """Upload and preview (POST with a file), confirm (POST with a token), or the page."""
    _administrator(request)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            plan = plan_roster(data, upload.name, request.user)
        except RosterError as error:
            problems = [str(problem) for problem in error.problems]
        else:
            token = _keep(request, data, upload.name, plan.lines())
            return _page(
                request,
                "preview.html",
                {
                    "plan": plan,
                    "token": token,
                    "filename": upload.name,
                    "title": _("花名册导入预览"),
                },
            )
    return _page(
        request,
        "roster.html",
        {
            "form": form,
            "problems": problems,
            "regions": _exportable(request.user),
            "title": _("花名册：导入和导出"),
        },
    )


def _exportable(user):
    """The regions whose roster the user may export: the top ones of their scope."""
    managed = roles.managed_regions(user)
    return managed.exclude(parent__in=managed).order_by("code")


def _keep(request: HttpRequest, data: bytes, filename: str, lines: list[str]) -> str:
    """Store the previewed upload out of the public media until it is confirmed."""
    forget_stale_uploads(UPLOADS)
    token = secrets.token_urlsafe(16)
    suffix = ".xlsx" if PurePath(filename).suffix.lower() == ".xlsx" else ".csv"
    path = default_storage.save(f"{UPLOADS}/{token}{suffix}", ContentFile(data))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "path": path,
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": filename,
        "preview": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
    }
    request.session[SESSION_KEY] = pending
    return token


def _confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(request.POST["token"], None)
    request.session[SESSION_KEY] = pending
    if entry is None or not default_storage.exists(entry["path"]):
        messages.error(request, _("预览已过期或已导入，请重新上传。"))
        return redirect("admin:disclosures_region_roster")
    with default_storage.open(entry["path"], "rb") as stored:
        data = stored.read()
    default_storage.delete(entry["path"])
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise PermissionDenied("the stored upload changed")
    try:
        with transaction.atomic():
            plan = plan_roster(data, entry["filename"], request.user)
            preview = hashlib.sha256("\n".join(plan.lines()).encode()).hexdigest()
            if preview != entry["preview"]:
                messages.error(request, _("预览之后花名册已被他人修改，未导入；请重新上传预览。"))
                return redirect("admin:disclosures_region_roster")
            accounts = apply_roster(plan)
    except RosterError as error:
        messages.error(request, "；".join(str(p) for p in error.problems))
        return redirect("admin:disclosures_region_roster")
    links = password_links(accounts, request.build_absolute_uri("/"))
    return _page(
        request,
        "done.html",
        {
            "plan": plan,
            "links": links,
            "days": link_days(),
            "mail_server": mail_server_configured(),
            "title": _("花名册已导入"),
        },
    )


def _format(request: HttpRequest) -> str:
    chosen = request.GET.get("format", "xlsx")
    return chosen if chosen in FORMATS else "xlsx"


@require_GET
def export_view(request: HttpRequest, code: str) -> HttpResponse:
    """The roster of one region the user administers, and everything below it."""
    region = get_object_or_404(Region, code=code)
    if not roles.administers(request.user, region):
        raise PermissionDenied
    extension = _format(request)
    name = f"花名册-{region.code}{region.name}.{extension}"
    return HttpResponse(
        roster_file(roster_rows(region), name),
        content_type=FORMATS[extension],
        headers={"Content-Disposition": attachment(name)},
    )


@require_GET
def template_view(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    extension = _format(request)
    name = f"花名册模板.{extension}"
    return HttpResponse(
        roster_file([], name),
        content_type=FORMATS[extension],
        headers={"Content-Disposition": attachment(name)},
    )


def roster_urls(admin_site) -> list:
    """The roster's pages, for RegionAdmin.get_urls (before its object pages)."""
    from django.urls import path

    return [
        path("roster/", admin_site.admin_view(roster_view), name="disclosures_region_roster"),
        path(
            "roster/export/<str:code>/",
            admin_site.admin_view(export_view),
            name="disclosures_region_roster_export",
        ),
        path(
            "roster/template/",
            admin_site.admin_view(template_view),
            name="disclosures_region_roster_template",
        ),
    ]


def _outside_the_admin(request: HttpRequest, context: dict, title: str) -> dict:
    """The admin's frame for someone who is not in yet: no navigation sidebar (whose empty
    list reads as a permission error) and the page's own title."""
    return {
        **admin.site.each_context(request),
        **context,
        "is_nav_sidebar_enabled": False,
        "has_permission": False,
        "title": title,
    }


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A new account's one-time link (disclosures/roster.py makes it): Django's
    password-reset confirmation, in the admin's frame, said as setting a first password."""

    template_name = "registration/roster_set_password.html"
    success_url = reverse_lazy("disclosures:password-set-done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        title = _("设置密码") if context.get("validlink") else _("链接无效或已过期")
        return _outside_the_admin(self.request, context, title)


class SetPasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/roster_set_password_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return _outside_the_admin(self.request, context, _("密码已设置"))
