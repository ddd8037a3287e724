"""The admin of 批复日期 (BudgetApproval): the list, one record at a time, and the two ways
a bureau records many at once: one date for a set of departments, or a spreadsheet.

A region administrator records for the departments of their regions; reviewers and
publishers read their regions' dates; superusers do everything; clerks see nothing. Each
of these answers comes from roles.py through disclosures/approvals.py.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from disclosures import approvals, roles
from disclosures.models import BudgetApproval, Region
from disclosures.rendering.downloads import attachment
from disclosures.site.compliance import FIRST_YEAR, LAST_YEAR

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]


def not_in_future(day):
    if day is not None and day > timezone.localdate():
        raise ValidationError(approvals.future_date_message(day))
    return day


class RegionFilter(admin.SimpleListFilter):
    """The regions the user acts in; a region shows its departments and those below."""

    title = _("行政区划")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = roles.managed_regions(request.user).order_by("code")
        return [(str(region.pk), f"{region.code} {region.name}") for region in regions]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        return queryset.filter(department__region__in=roles.regions_below([int(self.value())]))


class ApprovalForm(forms.ModelForm):
    class Meta:
        model = BudgetApproval
        fields = ["department", "fiscal_year", "kind", "approved_on"]

    def clean_approved_on(self):
        return not_in_future(self.cleaned_data.get("approved_on"))


@admin.register(BudgetApproval)
class BudgetApprovalAdmin(SimpleHistoryAdmin):
    form = ApprovalForm
    list_display = ["department", "region", "fiscal_year", "approved_on", "recorded_by"]
    list_filter = ["fiscal_year", RegionFilter]
    list_select_related = ["department__region", "recorded_by"]
    search_fields = ["department__name"]
    readonly_fields = ["recorded_by", "recorded_at"]
    change_list_template = "admin/approvals/change_list.html"

    @admin.display(description=_("行政区划"), ordering="department__region__code")
    def region(self, obj: BudgetApproval) -> str:
        return obj.department.region.name

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(department__in=approvals.readable_departments(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = approvals.recordable_departments(request.user).select_related(
                "region"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _reads(self, request, obj) -> bool:
        if not approvals.reads_approvals(request.user):
            return False
        readable = approvals.readable_departments(request.user)
        return obj is None or readable.filter(pk=obj.department_id).exists()

    def _records(self, request, obj) -> bool:
        region = obj.department.region if obj is not None else None
        return roles.administers(request.user, region)

    def has_module_permission(self, request):
        return approvals.reads_approvals(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._reads(request, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._records(request, None) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._records(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._records(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def _visible_or_404(self, request, object_id) -> None:
        """Refused to those who read no 批复日期 at all; outside one's regions a date does
        not exist (404, rather than the admin's redirect to its index)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if self.get_object(request, object_id) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past state, to read: a POST would save it back, past the bulk pages' checks."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = self.get_object(request, object_id)
        if approval is None or not str(version_id).isdigit():
            raise Http404
        if not approval.history.filter(history_id=version_id).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_urls(self):
        return [
            path(
                "bulk/",
                self.admin_site.admin_view(self.bulk_view),
                name="disclosures_budgetapproval_bulk",
            ),
            path(
                "template/",
                self.admin_site.admin_view(self.template_view),
                name="disclosures_budgetapproval_template",
            ),
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="disclosures_budgetapproval_upload",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "has_view_permission": True,
        }

    def _recorded(self, request, entries: list[approvals.Entry], changed: int):
        self.message_user(
            request,
            _("已登记 %(count)s 个部门的批复日期（其余 %(same)s 个与已登记的相同）。")
            % {"count": changed, "same": len(entries) - changed},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:disclosures_budgetapproval_changelist"))

    def bulk_view(self, request):
        """批量登记批复日期: one date for the chosen departments of one year."""
        if not roles.administers(request.user):
            raise PermissionDenied
        departments = approvals.recordable_departments(request.user).select_related("region")
        choice = BulkFilter.of(request.GET, user=request.user)
        year, region = choice.year_and_region()
        listed = departments
        if region is not None:
            listed = listed.filter(region__in=roles.regions_below([region.pk]))
        form = BulkForm(
            request.POST or None, departments=departments, initial={"fiscal_year": year}
        )
        if request.method == "POST" and form.is_valid():
            entries = approvals.entries_for(
                form.cleaned_data["departments"],
                form.cleaned_data["fiscal_year"],
                form.cleaned_data["approved_on"],
            )
            try:
                changed = approvals.record(request.user, entries)
            except (PermissionDenied, ValidationError) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                return self._recorded(request, entries, changed)
        recorded = approvals.recorded_dates(listed, year)
        chosen = {str(pk) for pk in form["departments"].value() or []}
        rows = [(d, recorded.get(d.pk), str(d.pk) in chosen) for d in listed]
        context = {
            **self._context(request, _("批量登记批复日期")),
            "form": form,
            "choice": choice,
            "rows": rows,
            "year": year,
        }
        return TemplateResponse(request, "admin/approvals/bulk.html", context)

    def upload_view(self, request):
        """A CSV or XLSX of 部门名称 (with 区划代码 where names repeat), 年度 and 批复日期:
        previewed, then applied all together."""
        if not roles.administers(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        preview, problems, token = None, [], ""
        if request.method == "POST" and "token" in request.POST:
            try:
                entries = approvals.unsign(request.POST["token"])
                changed = approvals.record(request.user, entries)
            except (PermissionDenied, ValidationError) as error:
                problems = getattr(error, "messages", [str(error)])
            else:
                return self._recorded(request, entries, changed)
        elif request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = approvals.read_file(request.user, upload.read(), upload.name)
            except ValidationError as error:
                problems = error.messages
            else:
                token = approvals.sign(preview)
        context = {
            **self._context(request, _("上传批复日期（CSV 或 Excel）")),
            "form": form,
            "preview": preview,
            "problems": problems,
            "token": token,
            "template": TemplateChoice.of(request.GET),
        }
        return TemplateResponse(request, "admin/approvals/upload.html", context)

    def template_view(self, request):
        """The upload's template: a row per department the user records for, with the
        year asked for and the date recorded now; CSV or XLSX."""
        if not roles.administers(request.user):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        choice = TemplateChoice.of(request.GET)
        year, kind = choice.cleaned_data["year"], choice.cleaned_data["format"]
        rows = approvals.template_rows(request.user, year)
        filename = f"批复日期-{year}.{kind}"
        if kind == "xlsx":
            return HttpResponse(
                approvals.template_xlsx(rows),
                content_type=XLSX,
                headers={"Content-Disposition": attachment(filename)},
            )
        return HttpResponse(
            approvals.template_csv(rows),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(filename)},
        )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TemplateChoice(forms.Form):
    """Which year and format the upload's template is for (a GET form); without a valid
    year, the season's (approvals.season_year)."""

    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    format = forms.ChoiceField(
        label=_("格式"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], required=False
    )

    @classmethod
    def of(cls, query) -> "TemplateChoice":
        data = {"year": query.get("year", ""), "format": query.get("format", "")}
        choice = cls(data)
        if not choice.is_valid():
            choice = cls({**data, "year": approvals.season_year(), "format": "xlsx"})
            choice.is_valid()
        choice.cleaned_data["format"] = choice.cleaned_data["format"] or "xlsx"
        return choice


class BulkFilter(forms.Form):
    """Which year and region the bulk page lists (a GET form). The year box always shows
    the year listed: the one asked for, or the season's (approvals.season_year)."""

    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    region = forms.ModelChoiceField(
        label=_("行政区划"), queryset=Region.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = roles.managed_regions(user).order_by("code")
        self.fields["region"].empty_label = _("全部")

    @classmethod
    def of(cls, query, *, user) -> "BulkFilter":
        """The filter as asked; a missing or bad year replaced by the season's, so that
        the box shows the year the list is of."""
        choice = cls(query, user=user)
        if not choice.is_valid() and "year" in choice.errors:
            data = query.copy()
            data["year"] = str(approvals.season_year())
            choice = cls(data, user=user)
        return choice

    def year_and_region(self) -> tuple[int, Region | None]:
        if self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["region"]
        return int(self.data["year"]), None


class BulkForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    approved_on = forms.DateField(
        label=_("批复日期"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_in_future],
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("部门"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一个部门。"),
            "invalid_choice": _(
                "所选部门（编号 %(value)s）不在您管理的地区内，不能登记其批复日期。"
            ),
            "invalid_pk_value": _("“%(pk)s”不是部门编号。"),
        },
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_(
            "CSV 或 .xlsx，第一行为表头：部门名称、年度、批复日期；部门名称在多个地区重复时加“区划代码”列。"
            "日期可写 2024-02-26、2024/2/26 或 2024年2月26日；未填写批复日期的行不登记。"
        ),
    )
