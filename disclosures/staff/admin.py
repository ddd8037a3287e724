"""The staff's admin: the reference data, and each disclosure laid out like its document.

A disclosure's change page holds every statutory table as an inline (derived cells shown
but not typed), the performance forms, the checks panel with its acknowledgements and
the workflow buttons; projects and the department form have pages of their own, and
every kind of row can be exported and imported as a flat file. Who may see and change
what is asked of roles.py; every save goes through disclosures/drafts.py (lock, access,
subject codes, derived cells, edit version); the admin only adds what a page needs: the
edit version a page was loaded with, and each code's error beside its field.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_permission_codename
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from disclosures import derive, drafts, roles, workflow
from disclosures.checks import Facts, run_checks
from disclosures.checks.acknowledge import acknowledge_key
from disclosures.checks.anchors import admin_anchor
from disclosures.models import (
    AssetHoldings,
    ChangeReason,
    Department,
    DepartmentIndicator,
    DepartmentPerformanceForm,
    Disclosure,
    EconomicSubject,
    FunctionSubject,
    KeyProject,
    Layout,
    Passage,
    PriorYearFigure,
    ProcurementBudget,
    Project,
    ProjectIndicator,
    Region,
    TableExplanation,
    TableKey,
    Unit,
    WorkflowEvent,
)
from disclosures.models.tables import TABLE_MODELS, money_fields
from disclosures.roles import keeps_catalogues, managed_regions, may_edit
from disclosures.specs import LAYOUTS
from disclosures.staff.history import changes
from disclosures.staff.newyear import start_budget_year
from disclosures.staff.resources import RESOURCES, ExcelCSV, FileReadError
from disclosures.staff.roster import roster_urls
from disclosures.subjects import Catalogue


@admin.register(EconomicSubject)
class SubjectAdmin(admin.ModelAdmin):
    """A catalogue's subjects. The catalogues are one per year for every region, so only
    their keepers (roles.keeps_catalogues) add, change and delete subjects (the bulk
    delete action too, which Django offers only with the delete permission); everybody
    who may view them reads them."""

    list_display = ["code", "name", "year"]
    list_filter = ["year"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request) -> bool:
        return keeps_catalogues(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return keeps_catalogues(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return keeps_catalogues(request.user) and super().has_delete_permission(request, obj)


@admin.register(FunctionSubject)
class FunctionSubjectAdmin(SubjectAdmin):
    """With the flags the checks read: which budget a subject belongs to, and whether it
    carries basic spending only (行政运行)."""

    list_display = ["code", "name", "year", "budget", "basic"]
    list_filter = ["year", "budget", "basic"]


def is_published(disclosure: Disclosure | None) -> bool:
    return disclosure is not None and disclosure.status == Disclosure.Status.PUBLISHED


class ScopedChoices:
    """A form's foreign keys offer only what the user may edit (scoped_choices)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **scoped_choices(db_field, request, kwargs)
        )


class HiddenOutsideScope:
    """Outside what the user may see (the admin's get_queryset, scoped by roles.py) an
    object does not exist: 404 on its pages, rather than Django's redirect to the index."""

    def visible_or_404(self, request, object_id):
        found = self.get_object(request, object_id)
        if found is None:
            raise Http404
        return found

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)


def keeps_roster_in_part(request) -> bool:
    """A region administrator keeps the roster of their regions only; superusers keep all
    of it, and the other roles read it whole as before."""
    return roles.administers(request.user) and not roles.sees_every_department(request.user)


class RosterScope:
    """Within a region administrator's regions (roles.managed_regions): the rows listed and
    changed, and the choices of regions, units and accounts their forms offer."""

    region_lookup = "pk"

    def get_queryset(self, request):
        found = super().get_queryset(request)
        if keeps_roster_in_part(request):
            found = found.filter(**{f"{self.region_lookup}__in": managed_regions(request.user)})
        return found

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if keeps_roster_in_part(request):
            managed = managed_regions(request.user)
            if db_field.related_model is Region:
                kwargs["queryset"] = managed
                kwargs["required"] = True  # a region with no parent would be outside them
            elif db_field.related_model is Unit:
                kwargs["queryset"] = Unit.objects.filter(department__region__in=managed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if keeps_roster_in_part(request):
            kwargs["queryset"] = roles.accounts_in_scope(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        """Accounts the form could not offer (working elsewhere too) stay assigned."""
        kept = {}
        if change and keeps_roster_in_part(request):
            offered = roles.accounts_in_scope(request.user)
            for name in ("staff", "clerks"):
                if name in form.fields:
                    kept[name] = list(getattr(form.instance, name).exclude(pk__in=offered))
        super().save_related(request, form, formsets, change)
        for name, accounts in kept.items():
            getattr(form.instance, name).add(*accounts)


class AccountsByRole:
    """The accounts field of a region (审核、公开和管理人员) or a department (财务人员) offers
    only accounts holding its roles; assigned accounts without them, which the form does
    not offer, stay assigned when the page is saved."""

    accounts_field: str
    account_roles: tuple[str, ...]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == self.accounts_field:
            held = field.queryset.filter(groups__name__in=self.account_roles)
            field.queryset = field.queryset.filter(pk__in=held)
        return field

    def save_related(self, request, form, formsets, change):
        kept = []
        if change and self.accounts_field in form.fields:
            assigned = getattr(form.instance, self.accounts_field)
            kept = list(assigned.exclude(groups__name__in=self.account_roles))
        super().save_related(request, form, formsets, change)
        getattr(form.instance, self.accounts_field).add(*kept)


@admin.register(Region)
class RegionAdmin(AccountsByRole, RosterScope, HiddenOutsideScope, admin.ModelAdmin):
    accounts_field, account_roles = "staff", roles.REGION_ROLES
    actions = [start_budget_year]
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]

    def get_urls(self):
        return [*roster_urls(self.admin_site), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        """A region administrator's own top region stays where it is: its parent is not
        theirs to choose."""
        fixed = super().get_readonly_fields(request, obj)
        if obj is None or not keeps_roster_in_part(request):
            return fixed
        if managed_regions(request.user).filter(pk=obj.parent_id).exists():
            return fixed
        return [*fixed, "parent"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"roster_allowed": roles.administers(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class UnitInline(RosterScope, admin.TabularInline):
    model = Unit
    fk_name = "department"
    extra = 0
    fields = ["position", "name", "code", "parent", "is_headquarters"]
    region_lookup = "department__region"


@admin.register(Department)
class DepartmentAdmin(AccountsByRole, RosterScope, HiddenOutsideScope, admin.ModelAdmin):
    accounts_field, account_roles = "clerks", (roles.CLERK,)
    list_display = ["name", "region", "code"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    inlines = [UnitInline]
    region_lookup = "region"


class ReadOnlyWhenPublished(ScopedChoices):
    """A published revision is read-only here too (the model layer refuses writes anyway),
    and a draft's foreign keys offer only what the user may edit."""

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


class EditVersionForm(forms.ModelForm):
    """Carries the edit version of the disclosure it edits (or belongs to) as the page was
    loaded: saving a stale page is refused, whichever page of the disclosure was saved in
    between (its own, a project's, the department form's: each raises the version).

    The disclosure's row stays locked until the page's transaction ends (the admin saves
    in one), so of two simultaneous saves the second reads the first one's version and is
    refused here. SQLite has no row locks; its writes queue instead (settings.py)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def edited_disclosure_id(self) -> int | None:
        return self.instance.disclosure_id_now()

    def stored_version(self, lock: bool = False) -> int | None:
        stored = Disclosure.objects.filter(pk=self.edited_disclosure_id())
        if lock:
            stored = stored.select_for_update()
        return stored.values_list("version", flat=True).first()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.stored_version()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        loaded = cleaned.get("loaded_version")
        if loaded is None or loaded != self.stored_version(lock=True):
            raise forms.ValidationError(
                _(
                    "保存被拒绝：您打开此页后，别人已修改并保存了这份部门预算公开。为免覆盖他人的修改，"
                    "本次内容未保存；请重新打开此页，在最新内容上再作修改。"
                ),
                code="stale",
            )
        return cleaned


class DisclosureForm(EditVersionForm):
    class Meta:
        model = Disclosure
        # Status, revision and publication time change only through the workflow.
        fields = [
            "department",
            "fiscal_year",
            "kind",
            "layout",
            "signed_on",
            "amounts_rounded",
            "correction_note",
        ]

    def edited_disclosure_id(self) -> int | None:
        return self.instance.pk

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            self._refuse_a_second_disclosure(cleaned)
        return cleaned

    def _refuse_a_second_disclosure(self, cleaned) -> None:
        department, year = cleaned.get("department"), cleaned.get("fiscal_year")
        kind = cleaned.get("kind") or Disclosure.Kind.BUDGET
        if department is None or year is None:
            return
        existing = (
            Disclosure.objects.filter(department=department, fiscal_year=year, kind=kind)
            .order_by("-revision")
            .first()
        )
        if existing is not None:
            hint = (
                _("如需修改已公开的内容，请由公开管理员发起更正。")
                if existing.status == Disclosure.Status.PUBLISHED
                else _("请打开那一份，在其上修改。")
            )
            raise forms.ValidationError(
                _(
                    "%(department)s %(year)s 年已有%(kind)s（第 %(revision)s 版，%(status)s），不能再新建。"
                )
                % {
                    "department": department,
                    "year": year,
                    "kind": existing.get_kind_display(),
                    "revision": existing.revision,
                    "status": existing.get_status_display(),
                }
                + str(hint),
                code="duplicate",
            )


class OverdueFilter(admin.SimpleListFilter):
    title = _("逾期（批复后 20 日内未公开）")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("逾期"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


def scoped_choices(db_field, request, kwargs: dict) -> dict:
    """The choices of a form's foreign key, within what the user may edit: drafts of
    their departments, and those departments' units."""
    model = db_field.related_model
    if model is Disclosure:
        kwargs["queryset"] = roles.disclosures_for(request.user, roles.Action.EDIT)
    elif model is Unit:
        kwargs["queryset"] = Unit.objects.filter(
            department__in=roles.editable_departments(request.user)
        )
    elif model is Department:
        kwargs["queryset"] = roles.editable_departments(request.user)
    return kwargs


# The statutory tables as inlines, in printed order, columns from the models the specs
# read. Derivable cells (合计 columns, subtotal and 总计 rows) are shown but disabled:
# saving the disclosure computes them (disclosures/drafts.py).

IDENTITY_FIELDS = {
    "subject": ["position", "code", "name"],
    "unit": ["position", "kind", "unit", "label"],
    "summary": ["position", "item", "subject_code", "label"],
    "two_sided": ["position", "side", "item", "subject_code", "label"],
}


class TableRowForm(forms.ModelForm):
    """A row of a statutory table: a subject code outside the year's catalogue is refused
    beside its field (drafts.py would refuse it too, but for the whole page), and the
    official name is filled in when left blank."""

    def __init__(self, *args, catalogue: Catalogue | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue

    def clean(self):
        cleaned = super().clean()
        field = drafts.code_field(self._meta.model)
        code = cleaned.get(field) if field else None
        if not code or self.catalogue is None:
            return cleaned
        problem = self.catalogue.problem(code)
        if problem:
            self.add_error(field, problem)
        elif "name" in self.fields and not cleaned.get("name"):
            cleaned["name"] = self.instance.name = self.catalogue.name(code)
        return cleaned


class TableRowFormSet(forms.BaseInlineFormSet):
    """The rows of one statutory table; their codes are judged by the catalogue of the
    disclosure's year (on the add page, the year just entered)."""

    table_key = ""

    @cached_property
    def catalogue(self) -> Catalogue | None:
        year = self.instance.fiscal_year
        if year is None or drafts.code_field(self.model) is None:
            return None
        return Catalogue.of(drafts.catalogue_kind(self.model), year)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "catalogue": self.catalogue}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = [form.instance for form in self.forms if form.instance.pk]
        computed_rows = derive.derived_rows(self.table_key, rows)
        amounts = money_fields(self.model)
        for form in self.forms:
            derived = derive.derived_fields(self.table_key)
            if form.instance.pk in computed_rows:
                derived = set(amounts)
            for name in derived & set(form.fields):
                form.fields[name].disabled = True
                form.fields[name].help_text = _("自动计算")


def catalogue_choices(kind: str, year: int) -> list[tuple[str, str]]:
    """A catalogue's codes and names, for the change page's lists of suggestions."""
    return sorted(Catalogue.of(kind, year).names.items())


def saved_rows(formsets) -> list[models.Model]:
    """The rows a save of the page added or changed (after save_related's formsets saved)."""
    return [
        row
        for formset in formsets
        for row in (*formset.new_objects, *(obj for obj, _fields in formset.changed_objects))
    ]


def table_inline(key: str) -> type[admin.TabularInline]:
    model = TABLE_MODELS[key]
    names = {field.name for field in model._meta.fields}
    if "side" in names:
        kind = "two_sided"
    elif "item" in names:
        kind = "summary"
    elif "unit" in names:
        kind = "unit"
    else:
        kind = "subject"
    catalogue_kind = drafts.catalogue_kind(model)
    attrs = {
        "model": model,
        "extra": 0,
        "fields": [*IDENTITY_FIELDS[kind], *money_fields(model)],
        "form": TableRowForm,
        "formset": type(f"{model.__name__}FormSet", (TableRowFormSet,), {"table_key": key}),
        "verbose_name_plural": TableKey(key).label,
        "template": "admin/edit_inline/tabular.html",
    }
    inline = type(f"{model.__name__}Inline", (ReadOnlyWhenPublished, admin.TabularInline), attrs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = admin.TabularInline.formfield_for_dbfield(self, db_field, request, **kwargs)
        if db_field.name in ("code", "subject_code") and field is not None:
            field.widget.attrs.update({"list": f"{catalogue_kind}-subjects", "size": 8})
        return field

    inline.formfield_for_dbfield = formfield_for_dbfield
    return inline


TABLE_INLINES = [table_inline(key) for key in LAYOUTS[Layout.GANSU]]


class PriorYearFigureInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = PriorYearFigure
    extra = 0


class ChangeReasonInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = ChangeReason
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}
    }


class ProcurementInline(ReadOnlyWhenPublished, admin.StackedInline):
    model = ProcurementBudget


class AssetsInline(ReadOnlyWhenPublished, admin.StackedInline):
    model = AssetHoldings


class DepartmentFormInline(ReadOnlyWhenPublished, admin.StackedInline):
    model = DepartmentPerformanceForm
    readonly_fields = ["basic_total", "expense_total", "income_total", "indicators_link"]

    @admin.display(description=_("绩效指标"))
    def indicators_link(self, obj) -> str:
        if not obj.pk:
            return ""
        url = reverse("admin:disclosures_departmentperformanceform_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("编辑绩效指标"))


class ProjectInline(ReadOnlyWhenPublished, admin.TabularInline):
    model = Project
    extra = 0
    fields = [
        "position", "name", "category", "unit", "current_appropriation", "special_account",
        "carried_forward", "other_funds", "total", "figures_unit", "indicators_link",
    ]  # fmt: skip
    readonly_fields = ["total", "indicators_link"]

    @admin.display(description=_("绩效目标与指标"))
    def indicators_link(self, obj) -> str:
        if not obj.pk:
            return ""
        url = reverse("admin:disclosures_project_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("编辑"))


@admin.register(Disclosure)
class DisclosureAdmin(HiddenOutsideScope, ReadOnlyWhenPublished, SimpleHistoryAdmin):
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
        "approval",
        "created_at",
        "updated_at",
        "row_changes",
    ]
    fieldsets = [
        (None, {"fields": ["department", "fiscal_year", "kind", "revision", "status", "layout"]}),
        (_("日期"), {"fields": ["approval", "signed_on", "published_at"]}),
        (_("说明"), {"fields": ["amounts_rounded", "correction_note", "loaded_version"]}),
        (_("记录"), {"fields": ["created_at", "updated_at", "row_changes"]}),
    ]

    class Media:
        css = {"all": ["css/admin-disclosure.css"]}

    inlines = [
        PassageInline,
        PriorYearFigureInline,
        ChangeReasonInline,
        ProcurementInline,
        AssetsInline,
        *TABLE_INLINES,
        TableExplanationInline,
        DepartmentFormInline,
        ProjectInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Which disclosure this is changes only through the workflow.
            readonly += ["department", "fiscal_year", "kind"]
        return readonly

    def has_view_permission(self, request, obj=None):
        if obj is not None and not roles.may(request.user, roles.Action.VIEW, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not may_edit(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_edit(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past state, to read. django-simple-history would save a POST of this page
        over the disclosure, workflow status included: the history is for reading only
        (SIMPLE_HISTORY_REVERT_DISABLED hides its button, this refuses its POST)."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        disclosure = self.visible_or_404(request, object_id)
        if (
            not str(version_id).isdigit()
            or not disclosure.history.filter(history_id=version_id).exists()
        ):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        disclosure = self.visible_or_404(request, object_id)
        facts = Facts.of(Disclosure.objects.with_contents().get(pk=disclosure.pk))
        extra_context = {
            **(extra_context or {}),
            "findings": [
                {"finding": f, "link": f"#{admin_anchor(f.cell, facts)}"} for f in run_checks(facts)
            ],
            "may_acknowledge": roles.may(request.user, roles.Action.ACKNOWLEDGE, disclosure),
            "workflow_steps": [
                {
                    "action": step,
                    "label": WorkflowEvent.Action(step).label,
                    "needs_reason": step
                    in (WorkflowEvent.Action.RETURN, WorkflowEvent.Action.CORRECT),
                }
                for step in workflow.available_steps(disclosure, request.user)
            ],
            "workflow_events": disclosure.events.all(),
            "function_subjects": catalogue_choices("function", disclosure.fiscal_year),
            "economic_subjects": catalogue_choices("economic", disclosure.fiscal_year),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        with drafts.editing(form.instance, request.user) as draft:
            super().save_related(request, form, formsets, change)
            draft.wrote(saved_rows(formsets))

    @admin.display(description=_("预览"))
    def preview(self, obj: Disclosure) -> str:
        url = reverse("disclosures:staff-preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("预览"))

    @admin.display(description=_("批复日期"))
    def approval(self, obj: Disclosure) -> str:
        if obj.pk and obj.approved_on:
            return obj.approved_on.strftime("%Y-%m-%d")
        return _("未记录（由财政局管理员登记）")

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
        try:
            result = workflow.take_step(
                disclosure, request.user, action, request.POST.get("reason", "")
            )
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
        if not roles.may(request.user, roles.Action.ACKNOWLEDGE, disclosure):
            raise PermissionDenied
        key = tuple(
            request.POST.get(name, "") for name in ("code", "table_key", "row_key", "column_key")
        )
        try:
            acknowledge_key(disclosure, key, request.POST.get("reason", ""), request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("已确认该警告。"))
        return HttpResponseRedirect(reverse("admin:disclosures_disclosure_change", args=[pk]))


# The performance forms' indicators, one level below the disclosure.


class DisclosurePartAdmin(HiddenOutsideScope, ScopedChoices, admin.ModelAdmin):
    """A part of a disclosure edited on its own page: same scope, freeze and edit version
    as the disclosure it belongs to, which it can never leave (its disclosure is read-only
    here; parts are added on the disclosure's page)."""

    form = EditVersionForm

    class Media:
        css = {"all": ["css/admin-disclosure.css"]}

    def _disclosure(self, obj):
        return obj.disclosure if obj is not None else None

    def get_queryset(self, request):
        visible = Disclosure.objects.for_user(request.user)
        lookup = self.model.disclosure_lookup
        return super().get_queryset(request).filter(**{f"{lookup}__in": visible})

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if "disclosure" in {field.name for field in self.model._meta.fields}:
            readonly.append("disclosure")
        return readonly

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        disclosure = self._disclosure(obj)
        if disclosure is not None and not may_edit(request.user, disclosure):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )

    def has_module_permission(self, request):
        return False  # reached from the disclosure's page, not the index

    def save_related(self, request, form, formsets, change):
        # The disclosure's other pages, opened before this save, are stale after it.
        disclosure = Disclosure.objects.get(pk=form.instance.disclosure_id_now())
        with drafts.editing(disclosure, request.user) as draft:
            super().save_related(request, form, formsets, change)
            draft.wrote(saved_rows(formsets))


class FlatImportExport(ImportExportMixin):
    """Import and export buttons on the changelist: every row of the list as one CSV or
    XLSX file, named by natural keys (disclosures/staff/resources.py), and back. Exports take
    the changelist's scope and filters; imports write only drafts the user may edit."""

    formats = [CSV, XLSX]
    # Every column, always: a file without its keys could not be imported again.
    export_form_class = ExportForm
    # With a byte order mark, so that Excel reads the Chinese of a CSV file.
    to_encoding = "utf-8-sig"
    # CSV files are read as bytes and their encoding found (ExcelCSV): UTF-8 or GBK.
    from_encoding = None

    def get_import_formats(self):
        return [ExcelCSV, XLSX]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileReadError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_resource_classes(self, request):
        return [RESOURCES[self.model]]

    def get_export_queryset(self, request):
        # The list page turns a filter it does not know into ?e=1; the export would fail.
        try:
            return super().get_export_queryset(request)
        except IncorrectLookupParameters:
            raise BadRequest("unknown filter") from None

    def has_import_permission(self, request):
        codename = get_permission_codename("change", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_module_permission(self, request):
        return request.user.has_module_perms(self.opts.app_label)


class RowsAdmin(FlatImportExport, DisclosurePartAdmin):
    """One kind of row across the disclosures the user may see, for import and export;
    rows are edited on their disclosure's page, so they are read-only here."""

    def get_list_display(self, request):
        return [self.model.disclosure_lookup, "position", "__str__", *money_fields(self.model)]

    def get_list_filter(self, request):
        lookup = self.model.disclosure_lookup
        return [(lookup, admin.RelatedOnlyFieldListFilter), f"{lookup}__fiscal_year"]

    def get_list_select_related(self, request):
        return [f"{self.model.disclosure_lookup}__department"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register([*TABLE_MODELS.values(), DepartmentIndicator, ProjectIndicator], RowsAdmin)


class EditableWithItsDisclosure:
    """An inline under a part of a disclosure: editable exactly when the disclosure is."""

    def has_change_permission(self, request, obj=None):
        return obj is None or may_edit(request.user, obj.disclosure)

    has_add_permission = has_delete_permission = has_change_permission


class DepartmentIndicatorInline(EditableWithItsDisclosure, admin.TabularInline):
    model = DepartmentIndicator
    extra = 0


@admin.register(DepartmentPerformanceForm)
class DepartmentPerformanceFormAdmin(FlatImportExport, DisclosurePartAdmin):
    readonly_fields = ["basic_total", "expense_total", "income_total"]
    inlines = [DepartmentIndicatorInline]


class ProjectIndicatorInline(EditableWithItsDisclosure, admin.TabularInline):
    model = ProjectIndicator
    extra = 0


class KeyProjectInline(EditableWithItsDisclosure, admin.StackedInline):
    model = KeyProject


@admin.register(Project)
class ProjectAdmin(FlatImportExport, DisclosurePartAdmin):
    readonly_fields = ["total"]
    inlines = [ProjectIndicatorInline, KeyProjectInline]


from disclosures.staff import approvals as _approvals  # noqa: E402, F401 - registers the 批复日期 admin
from disclosures.staff import catalogues  # noqa: E402, F401  (registers CatalogueYear)
