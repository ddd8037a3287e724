"""A plain admin over the reference data and disclosures.

The clerks' admin (entry laid out like the document, workflow, permissions) is its own
piece of work; this one lets staff see what is stored and open the preview.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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


class PassageInline(admin.StackedInline):
    model = Passage
    extra = 0


class TableExplanationInline(admin.TabularInline):
    model = TableExplanation
    extra = 0


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ["department", "fiscal_year", "kind", "revision", "status", "preview"]
    list_filter = ["fiscal_year", "status", "kind", "department__region"]
    search_fields = ["department__name"]
    list_select_related = ["department"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PassageInline, TableExplanationInline]

    @admin.display(description=_("预览"))
    def preview(self, obj: Disclosure) -> str:
        url = reverse("disclosures:staff-preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("预览"))
