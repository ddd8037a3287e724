"""Staff: the year's catalogues (CatalogueYear), kept by the finance bureau.

The list shows each year's catalogues, whether complete, and how many entries they hold,
with a link to export each; everybody who may view them reads and exports them. Their
keepers (roles.keeps_catalogues: superusers and a province's administrators, for the
catalogues are one per year for every region) mark a catalogue complete, upload the
Ministry's file (a preview of what it adds, renames and re-flags, and, when asked, removes;
then a confirmation) and copy last year's catalogues to a new year.
The work is catalogue_io's, the same functions the import_catalogue, export_catalogue and
copy_catalogue commands call.

Between the preview and the confirmation the uploaded file's bytes wait in the session
(a catalogue file is small; the session is stored on the server), so what is applied is
exactly the file previewed; applying compares it with the catalogue again, inside the
transaction.
"""

import base64
import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from disclosures import catalogue_io, roles
from disclosures.models import CatalogueKind, CatalogueYear, EconomicSubject, FunctionSubject
from disclosures.rendering.downloads import attachment

SESSION_KEY = "catalogue-uploads"
MAX_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
YEARS = {"min_value": 2000, "max_value": 2100}


def may_manage(request: HttpRequest) -> bool:
    """Uploading, copying, marking complete and editing subjects: the catalogues' keepers."""
    return roles.keeps_catalogues(request.user)


def entry_count(model) -> Subquery:
    return Subquery(
        model.objects.filter(year=OuterRef("year"))
        .values("year")
        .annotate(count=Count("pk"))
        .values("count"),
        output_field=IntegerField(),
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("目录"), choices=CatalogueKind.choices)
    year = forms.IntegerField(label=_("年度"), **YEARS)
    file = forms.FileField(
        label=_("科目文件（.csv 或 .xlsx）"),
        help_text=_(
            "列为“科目编码、科目名称”，或“类、款、项、科目名称”；支出功能分类可另有"
            "“所属预算”“基本支出”列。CSV 可为 UTF-8 或 GBK 编码。"
        ),
    )
    remove = forms.BooleanField(
        label=_("删除文件中没有的科目"),
        required=False,
        help_text=_("不勾选时文件中没有的科目保留不变；勾选后预览逐条列出将删除的科目"),
    )
    complete = forms.BooleanField(
        label=_("导入后标记目录完整"), required=False, help_text=_("不勾选时保持原状")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件大小超过上限 %(limit)d MB。") % {"limit": MAX_BYTES // 1024 // 1024}
            )
        return upload


class CopyForm(forms.Form):
    from_year = forms.IntegerField(label=_("从年度"), **YEARS)
    to_year = forms.IntegerField(label=_("复制为年度"), **YEARS)
    kind = forms.ChoiceField(
        label=_("目录"),
        choices=[("", _("两种目录")), *CatalogueKind.choices],
        required=False,
    )


@admin.register(CatalogueYear)
class CatalogueYearAdmin(admin.ModelAdmin):
    list_display = ["year", "kind", "complete", "entries", "export_links"]
    list_filter = ["kind", "complete"]
    fields = ["kind", "year", "complete", "source", "updated_at"]
    change_list_template = "admin/catalogues/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                function_entries=Coalesce(entry_count(FunctionSubject), Value(0)),
                economic_entries=Coalesce(entry_count(EconomicSubject), Value(0)),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "year", "updated_at"] if obj else ["updated_at"]

    def has_add_permission(self, request) -> bool:
        return may_manage(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_manage(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_manage(request) and super().has_delete_permission(request, obj)

    @admin.display(description=_("科目数"))
    def entries(self, obj: CatalogueYear) -> int:
        if obj.kind == CatalogueKind.FUNCTION:
            return obj.function_entries
        return obj.economic_entries

    @admin.display(description=_("导出"))
    def export_links(self, obj: CatalogueYear) -> str:
        url = reverse("admin:disclosures_catalogueyear_export", args=[obj.pk])
        return format_html('<a href="{}">CSV</a> · <a href="{}?format=xlsx">XLSX</a>', url, url)

    def changelist_view(self, request, extra_context=None):
        extra = {"may_manage": may_manage(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="disclosures_catalogueyear_upload"),
            path("copy/", view(self.copy_view), name="disclosures_catalogueyear_copy"),
            path(
                "<path:object_id>/export/",
                view(self.export_view),
                name="disclosures_catalogueyear_export",
            ),
            *super().get_urls(),
        ]

    def context(self, request, title, **values) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **values,
        }

    # Export -----------------------------------------------------------------------------

    def export_view(self, request, object_id: str) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not object_id.isdigit():
            raise Http404
        catalogue = get_object_or_404(CatalogueYear, pk=object_id)
        suffix = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        name = f"{catalogue.year}年{catalogue.get_kind_display()}.{suffix}"
        return HttpResponse(
            catalogue_io.export(catalogue.kind, catalogue.year, name),
            content_type=CONTENT_TYPES[suffix],
            headers={"Content-Disposition": attachment(name)},
        )

    # Upload, preview, confirm -----------------------------------------------------------

    def upload_view(self, request):
        if not may_manage(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            kind, year = form.cleaned_data["kind"], form.cleaned_data["year"]
            remove = form.cleaned_data["remove"]
            try:
                known = catalogue_io.kept_codes(kind, year, remove)
                entries = catalogue_io.read_file(data, upload.name, kind, known)
                change = catalogue_io.preview(kind, year, entries, remove=remove)
            except catalogue_io.CatalogueError as error:
                problems = error.messages
            else:
                token = secrets.token_urlsafe(16)
                # only the newest preview of a session waits for its confirmation
                request.session[SESSION_KEY] = {
                    token: {
                        "data": base64.b64encode(data).decode("ascii"),
                        "filename": upload.name,
                        "kind": kind,
                        "year": year,
                        "remove": remove,
                        "complete": form.cleaned_data["complete"],
                    }
                }
                title = _("科目目录导入预览")
                context = self.context(
                    request,
                    title,
                    change=change,
                    token=token,
                    filename=upload.name,
                    remove=remove,
                    kept_note=change.kept_note(),
                )
                return TemplateResponse(request, "admin/catalogues/preview.html", context)
        context = self.context(request, _("导入科目目录"), form=form, problems=problems)
        return TemplateResponse(request, "admin/catalogues/upload.html", context)

    def _confirm(self, request) -> HttpResponse:
        pending = request.session.pop(SESSION_KEY, {})
        entry = pending.get(request.POST["token"])
        if entry is None:
            messages.error(request, _("预览已过期或已导入，请重新上传。"))
            return redirect("admin:disclosures_catalogueyear_upload")
        data = base64.b64decode(entry["data"])
        try:
            known = catalogue_io.kept_codes(
                entry["kind"], entry["year"], entry.get("remove", False)
            )
            entries = catalogue_io.read_file(data, entry["filename"], entry["kind"], known)
            change = catalogue_io.apply(
                entry["kind"],
                entry["year"],
                entries,
                complete=entry["complete"],
                source=f"自文件“{entry['filename']}”导入。",
                remove=entry.get("remove", False),
            )
        except catalogue_io.CatalogueError as error:
            messages.error(request, "；".join(error.messages))
            return redirect("admin:disclosures_catalogueyear_upload")
        messages.success(request, _("已导入：%(summary)s。") % {"summary": change.summary()})
        return redirect("admin:disclosures_catalogueyear_changelist")

    # Copy from last year ----------------------------------------------------------------

    def copy_view(self, request):
        if not may_manage(request):
            raise PermissionDenied
        newest = CatalogueYear.objects.order_by("-year").values_list("year", flat=True).first()
        initial = {"from_year": newest, "to_year": newest + 1} if newest else {}
        form = CopyForm(request.POST or None, initial=initial)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                copied = catalogue_io.copy(
                    form.cleaned_data["from_year"],
                    form.cleaned_data["to_year"],
                    [kind] if kind else None,
                    importer=f"“{_('导入科目文件')}”",
                )
            except catalogue_io.CatalogueError as error:
                problems = error.messages
            else:
                for copied_kind, count in copied.items():
                    messages.success(
                        request,
                        _("已把 %(from)d 年%(kind)s（%(count)d 条）复制为 %(to)d 年。")
                        % {
                            "from": form.cleaned_data["from_year"],
                            "to": form.cleaned_data["to_year"],
                            "kind": catalogue_io.kind_label(copied_kind),
                            "count": count,
                        },
                    )
                return redirect("admin:disclosures_catalogueyear_changelist")
        context = self.context(request, _("从上年复制科目目录"), form=form, problems=problems)
        return TemplateResponse(request, "admin/catalogues/copy.html", context)
