"""The admin's doors to a new budget year: the Region changelist's action that starts it,
and the blank workbook a department downloads from the workbook import page. Both ask
roles.py and leave the work to disclosures/newyear.py."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from disclosures import newyear, roles
from disclosures.models import Disclosure, FunctionSubject
from disclosures.rendering.downloads import attachment
from disclosures.site.views import XLSX

# A message lists this many departments at most; the command lists them all.
LISTED = 20


class StartYearForm(forms.Form):
    year = forms.IntegerField(label=_("新年度"), min_value=2000, max_value=2100)
    from_year = forms.IntegerField(
        label=_("沿用年度"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("沿用哪一年的科目、单位和情况说明；留空为新年度的上一年"),
    )


def next_year(regions) -> int:
    """The year after the newest disclosure of these regions; else next calendar year."""
    below = roles.regions_below([region.pk for region in regions])
    newest = Disclosure.objects.filter(department__region__in=below).aggregate(Max("fiscal_year"))[
        "fiscal_year__max"
    ]
    return (newest or timezone.localdate().year) + 1


@admin.action(description=_("开始新年度预算编制"))
def start_budget_year(modeladmin, request: HttpRequest, queryset):
    """Ask for the year on a page of its own, then start it in the selected regions."""
    regions = list(queryset)
    refused = [region.name for region in regions if not newyear.may_start(request.user, region)]
    if refused:
        messages.error(
            request,
            _("您无权为“%(regions)s”开始新年度预算编制：只有超级用户和该区划的财政局管理员可以。")
            % {"regions": "、".join(refused)},
        )
        return None
    form = StartYearForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        year = form.cleaned_data["year"]
        results = newyear.start_year(
            regions, year, from_year=form.cleaned_data["from_year"], user=request.user
        )
        report(request, year, results)
        return None
    if not form.is_bound:
        form = StartYearForm(initial={"year": next_year(regions)})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("开始新年度预算编制"),
        "opts": modeladmin.model._meta,
        "regions": regions,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/disclosures/region/start_year.html", context)


def report(request: HttpRequest, year: int, results: list[newyear.Started]) -> None:
    created = [r for r in results if r.disclosure is not None]
    skipped = [r for r in results if r.disclosure is None]
    level = messages.SUCCESS if created else messages.WARNING
    messages.add_message(
        request,
        level,
        _("%(year)s 年：新建草稿 %(created)d 份，跳过 %(skipped)d 个部门。")
        % {"year": year, "created": len(created), "skipped": len(skipped)},
    )
    # One reason shared by every skipped department (no catalogue for the year) is said once.
    reasons = {result.skipped for result in skipped}
    if len(skipped) > 1 and len(reasons) == 1:
        messages.warning(request, next(iter(reasons)))
        skipped = []
    for result in [*created, *skipped][:LISTED]:
        messages.info(request, result.describe())


def template_year(asked: str | None) -> int | None:
    """The year asked for (?year=), or None: each department's own (template_links)."""
    if asked and asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    return None


def template_links(user, year: int | None = None) -> list[dict]:
    """One download per department the user may edit (roles.editable_departments): for
    the year asked, else the year of the department's newest draft (what its clerk is
    working on), else the newest year whose catalogue is loaded."""
    departments = roles.editable_departments(user).select_related("region")
    drafting = dict(
        Disclosure.objects.filter(department__in=departments, status=Disclosure.Status.DRAFT)
        .values("department")
        .annotate(year=Max("fiscal_year"))
        .values_list("department", "year")
    )
    newest = FunctionSubject.objects.aggregate(Max("year"))["year__max"]
    fallback = newest or timezone.localdate().year
    links = []
    for department in departments.order_by("region__code", "name"):
        chosen = year or drafting.get(department.pk, fallback)
        url = reverse("disclosures:workbook-template", args=[department.pk, chosen])
        links.append({"department": department, "year": chosen, "url": url})
    return links


@require_GET
@staff_member_required
def workbook_template(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The workbook a department fills in for a year (newyear.template_workbook)."""
    if not 2000 <= year <= 2100:
        raise Http404("no such year")
    department = get_object_or_404(roles.editable_departments(request.user), pk=pk)
    try:
        data = newyear.template_workbook(department, year)
    except newyear.YearRefused as refused:
        messages.error(request, str(refused))
        return redirect(f"{reverse('disclosures:workbook-import')}?year={year}")
    filename = f"{year}年{department.name}部门预算公开表（待填写）.xlsx"
    return HttpResponse(
        data, content_type=XLSX, headers={"Content-Disposition": attachment(filename)}
    )
