"""Staff: download any revision as a workbook; upload a workbook, preview, confirm.

The upload is planned twice: once to show the preview, once more on confirmation from
the same stored file, so what is saved is exactly what was checked and the draft cannot
have changed in between (the plan carries the draft's edit version).
"""

import datetime
import hashlib
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from disclosures.models import Department, Disclosure
from disclosures.rendering.downloads import attachment
from disclosures.roles import editable_departments
from disclosures.site.views import XLSX
from disclosures.staff.newyear import template_links, template_year
from disclosures.workbook import Problem, WorkbookError, apply_import, plan_import, workbook_of
from disclosures.workbook.opening import MAX_BYTES

SESSION_KEY = "workbook-imports"
UPLOADS = "workbook-imports"
# An upload waits this long for its confirmation; older ones are removed.
PENDING_FOR = datetime.timedelta(days=1)


class UploadForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=Disclosure.Kind.choices)
    file = forms.FileField(label=_("工作簿（.xlsx）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = editable_departments(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件大小超过上限 %(limit)d MB。") % {"limit": MAX_BYTES // 1024 // 1024}
            )
        return upload


@require_GET
@staff_member_required
def staff_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """Any revision the staff member may see, drafts included."""
    disclosure = get_object_or_404(Disclosure.objects.for_user(request.user).with_contents(), pk=pk)
    prefix = "" if disclosure.status == Disclosure.Status.PUBLISHED else "草稿-"
    return HttpResponse(
        workbook_of(disclosure),
        content_type=XLSX,
        headers={"Content-Disposition": attachment(f"{prefix}{disclosure.file_stem}.xlsx")},
    )


@staff_member_required
def workbook_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    initial = {"year": request.GET.get("year"), "department": request.GET.get("department"),
               "kind": request.GET.get("kind", Disclosure.Kind.BUDGET)}  # fmt: skip
    form = UploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        options = {
            "department": form.cleaned_data["department"],
            "year": form.cleaned_data["year"],
            "kind": form.cleaned_data["kind"],
        }
        try:
            plan = plan_import(data, filename=form.cleaned_data["file"].name, **options)
        except WorkbookError as error:
            problems = [str(problem) for problem in error.problems]
        else:
            forget_stale_uploads()
            token = secrets.token_urlsafe(16)
            path = default_storage.save(f"{UPLOADS}/{token}.xlsx", ContentFile(data))
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "department": options["department"].pk,
                "year": options["year"],
                "kind": options["kind"],
                "version": plan.version,
                "filename": form.cleaned_data["file"].name,
            }
            request.session[SESSION_KEY] = pending
            return render(
                request, "disclosures/workbook_preview.html", _context(request, plan, token)
            )
    return render(
        request,
        "disclosures/workbook_import.html",
        {
            **admin.site.each_context(request),  # the admin's header, navigation and theme
            "form": form,
            "problems": problems,
            "templates": template_links(request.user, template_year(request.GET.get("year"))),
            "title": _("导入 Excel 工作簿"),
        },
    )


def forget_stale_uploads(folder: str = UPLOADS) -> None:
    """Uploads previewed but never confirmed (in this folder of the storage) are deleted
    after a day: the workbook's and the roster's."""
    try:
        _folders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - PENDING_FOR
    for name in names:
        path = f"{folder}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _context(request: HttpRequest, plan, token: str) -> dict:
    return {
        **admin.site.each_context(request),
        "plan": plan,
        "token": token,
        "changes": [change for change in plan.changes if change.any],
        "title": _("导入预览"),
    }


def _confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(request.POST["token"], None)
    request.session[SESSION_KEY] = pending
    if entry is None or not default_storage.exists(entry["path"]):  # or removed as stale
        messages.error(request, _("预览已过期或已导入，请重新上传。"))
        return redirect("disclosures:workbook-import")
    department = get_object_or_404(editable_departments(request.user), pk=entry["department"])
    with default_storage.open(entry["path"], "rb") as stored:
        data = stored.read()
    default_storage.delete(entry["path"])
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise PermissionDenied("the stored upload changed")
    try:
        plan = plan_import(
            data,
            department=department,
            year=entry["year"],
            kind=entry["kind"],
            filename=entry["filename"],
        )
        if plan.version != entry["version"]:
            raise WorkbookError(Problem("预览之后草稿已被修改，请重新上传预览。"))
        disclosure = apply_import(plan, user=request.user)
    except WorkbookError as error:
        messages.error(request, "；".join(str(p) for p in error.problems))
        return redirect("disclosures:workbook-import")
    messages.success(
        request,
        _("已导入：%(what)s。%(summary)s。") % {"what": disclosure, "summary": plan.summary()},
    )
    return redirect(reverse("admin:disclosures_disclosure_change", args=[disclosure.pk]))
