"""A plain admin over the reference data and disclosures.

The clerks' admin (entry laid out like the document, workflow, permissions) is its own
piece of work; this one lets staff see what is stored and open the preview.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from disclosures import workflow
from disclosures.checks import Facts, check_disclosure, run_checks
from disclosures.checks.acknowledge import acknowledge
from disclosures.checks.anchors import anchor
from disclosures.history import changes
from disclosures.models import (
    Department,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    Passage,
    Region,
    TableExplanation,
    Unit,
    WorkflowEvent,
)
from disclosures.roles import may_edit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]


class UnitInline(admin.TabularInline):
    model = Unit
    fk_name = "department"
    extra = 0
    fields = ["position", "name", "code", "parent", "is_headquarters"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "code"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [UnitInline]


@admin.register(FunctionSubject, EconomicSubject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year"]
    list_filter = ["year"]
    search_fields = ["code", "name"]


def is_published(disclosure: Disclosure | None) -> bool:
    return disclosure is not None and disclosure.status == Disclosure.Status.PUBLISHED


class ReadOnlyWhenPublished:
    """A published revision is read-only here too (the model layer refuses writes anyway)."""

    def has_change_permission(self, request, obj=None):
        return not is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_published(obj) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if isinstance(self, admin.options.InlineModelAdmin):
            return not is_published(obj) and super().has_add_permission(request, obj)
        return super().has_add_permission(request)


class PassageInline(ReadOnlyWhenPublished, admin.StackedInline):
    model = Passage
    extra = 0


class TableExplanationInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = TableExplanation
    extra = 0


class DisclosureForm(forms.ModelForm):
    """Carries the edit version it was loaded with: saving a stale form is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Disclosure
        # Status, revision and publication time change only through the workflow.
        fields = [
            "department",
            "fiscal_year",
            "kind",
            "layout",
            "approved_on",
            "signed_on",
            "amounts_rounded",
            "correction_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = (
                Disclosure.objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            loaded = cleaned.get("loaded_version")
            if loaded is None or loaded != current:
                raise forms.ValidationError(
                    _(
                        "保存被拒绝：您打开此页后，别人已修改并保存了这份部门预算公开。为免覆盖他人的修改，"
                        "本次内容未保存；请重新打开此页，在最新内容上再作修改。"
                    ),
                    code="stale",
                )
        return cleaned


class OverdueFilter(admin.SimpleListFilter):
    title = _("逾期（批复后 20 日内未公开）")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("逾期"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyWhenPublished, SimpleHistoryAdmin):
    form = DisclosureForm
    list_display = [
        "department",
        "fiscal_year",
        "kind",
        "revision",
        "status",
        "preview",
        "row_changes",
    ]
    list_filter = [
        "fiscal_year",
        ("department__region", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
        "status",
        "kind",
        OverdueFilter,
    ]
    search_fields = ["department__name"]
    list_select_related = ["department"]
    readonly_fields = [
        "status",
        "revision",
        "published_at",
        "created_at",
        "updated_at",
        "row_changes",
    ]
    fieldsets = [
        (None, {"fields": ["department", "fiscal_year", "kind", "revision", "status", "layout"]}),
        (_("日期"), {"fields": ["approved_on", "signed_on", "published_at"]}),
        (_("说明"), {"fields": ["amounts_rounded", "correction_note", "loaded_version"]}),
        (_("记录"), {"fields": ["created_at", "updated_at", "row_changes"]}),
    ]
    inlines = [PassageInline, TableExplanationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department" and not request.user.is_superuser:
            kwargs["queryset"] = Department.objects.filter(clerks=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_edit(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def _visible_or_404(self, request, object_id) -> None:
        """Outside a clerk's departments a disclosure does not exist (404), rather than
        Django's redirect to the index."""
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        disclosure = self.get_object(request, object_id)
        steps = workflow.available_steps(disclosure, request.user) if disclosure else []
        findings = []
        if disclosure is not None:
            facts = Facts.of(Disclosure.objects.with_contents().get(pk=disclosure.pk))
            preview = reverse("disclosures:staff-preview", args=[disclosure.pk])
            findings = [
                {"finding": f, "link": f"{preview}#{anchor(f, facts)}"} for f in run_checks(facts)
            ]
        extra_context = {
            **(extra_context or {}),
            "findings": findings,
            "may_acknowledge": disclosure is not None
            and disclosure.status != Disclosure.Status.PUBLISHED
            and request.user.has_perm("disclosures.add_findingacknowledgement"),
            "workflow_steps": [
                {
                    "action": step,
                    "label": WorkflowEvent.Action(step).label,
                    "needs_reason": step
                    in (WorkflowEvent.Action.RETURN, WorkflowEvent.Action.CORRECT),
                }
                for step in steps
            ],
            "workflow_events": disclosure.events.select_related("user") if disclosure else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.version = (obj.version or 0) + 1
        super().save_model(request, obj, form, change)

    @admin.display(description=_("预览"))
    def preview(self, obj: Disclosure) -> str:
        url = reverse("disclosures:staff-preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("预览"))

    @admin.display(description=_("变更历史"))
    def row_changes(self, obj: Disclosure) -> str:
        if obj.pk is None:
            return ""
        url = reverse("admin:disclosures_disclosure_changes", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("全部变更"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/changes/",
                self.admin_site.admin_view(self.changes_view),
                name="disclosures_disclosure_changes",
            ),
            path(
                "<int:pk>/acknowledge/",
                self.admin_site.admin_view(self.acknowledge_view),
                name="disclosures_disclosure_acknowledge",
            ),
            path(
                "<int:pk>/workflow/<str:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="disclosures_disclosure_workflow",
            ),
            *super().get_urls(),
        ]

    def changes_view(self, request, pk: int):
        """Every change to the disclosure and to every one of its rows, newest first."""
        disclosure = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, disclosure):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": disclosure,
            "title": _("变更历史：%(disclosure)s") % {"disclosure": disclosure},
            "changes": changes(disclosure),
        }
        return TemplateResponse(request, "admin/disclosures/disclosure/changes.html", context)

    def workflow_view(self, request, pk: int, action: str):
        """One workflow step, posted from the change page's buttons; the rules live in
        disclosures/workflow.py."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        disclosure = get_object_or_404(self.get_queryset(request), pk=pk)
        change_url = reverse("admin:disclosures_disclosure_change", args=[disclosure.pk])
        reason = request.POST.get("reason", "")
        steps = {
            "submit": lambda: workflow.submit(disclosure, request.user),
            "approve": lambda: workflow.approve(disclosure, request.user),
            "return": lambda: workflow.return_to_draft(disclosure, request.user, reason),
            "publish": lambda: workflow.publish(disclosure, request.user),
            "correct": lambda: workflow.correct(disclosure, request.user, reason),
        }
        if action not in steps:
            raise Http404
        try:
            result = steps[action]()
        except workflow.WorkflowError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(
            request, _("已完成：%(step)s。") % {"step": WorkflowEvent.Action(action).label}
        )
        return HttpResponseRedirect(
            reverse("admin:disclosures_disclosure_change", args=[result.pk])
        )

    def acknowledge_view(self, request, pk: int):
        """Acknowledge one warning of the checks panel with a written reason."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        disclosure = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.has_perm("disclosures.add_findingacknowledgement"):
            raise PermissionDenied
        key = (request.POST.get("code"), request.POST.get("table"), request.POST.get("location"))
        found = [
            f
            for f in check_disclosure(Disclosure.objects.with_contents().get(pk=pk))
            if f.key == key
        ]
        change_url = reverse("admin:disclosures_disclosure_change", args=[pk])
        if not found:
            self.message_user(request, _("该检查结果已不存在，无需确认。"), messages.WARNING)
            return HttpResponseRedirect(change_url)
        try:
            acknowledge(disclosure, found[0], request.POST.get("reason", ""), request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("已确认该警告。"))
        return HttpResponseRedirect(change_url)
