"""A plain admin over the reference data and disclosures.

The clerks' admin (entry laid out like the document, workflow, permissions) is its own
piece of work; this one lets staff see what is stored and open the preview.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

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
)


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


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyWhenPublished, SimpleHistoryAdmin):
    list_display = [
        "department",
        "fiscal_year",
        "kind",
        "revision",
        "status",
        "preview",
        "row_changes",
    ]
    list_filter = ["fiscal_year", "status", "kind", "department__region"]
    search_fields = ["department__name"]
    list_select_related = ["department"]
    readonly_fields = ["created_at", "updated_at", "row_changes"]
    inlines = [PassageInline, TableExplanationInline]

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
            *super().get_urls(),
        ]

    def changes_view(self, request, pk: int):
        """Every change to the disclosure and to every one of its rows, newest first."""
        disclosure = get_object_or_404(Disclosure, pk=pk)
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
