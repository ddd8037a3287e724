"""The public site: only current published revisions; anything else is 404."""

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from disclosures.models import Department, Disclosure, Region
from disclosures.rendering.downloads import attachment, file_not_ready, stored_file
from disclosures.rendering.dump import disclosure_document
from disclosures.rendering.exports import table_csv
from disclosures.rendering.stored import FileNotReady
from disclosures.site import compliance, queries
from disclosures.site.cache import cached_page
from disclosures.specs import statutory_table
from disclosures.workbook import store_workbook

# What a search box needs; a longer query is searched for its beginning.
SEARCH_LENGTH = 100


@require_GET
@cached_page()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", queries.home())


@require_GET
@cached_page(params=("q",))
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_LENGTH]
    hits = queries.search(query)
    return render(request, "public/search.html", {"query": query, "hits": hits})


@require_GET
@cached_page()
def region(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
    years = queries.region_years(queries.region_and_below(region))
    return render(request, "public/region.html", {"region": region, "years": years})


@require_GET
@cached_page()
def region_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    rows = queries.region_year(region, year, timezone.localdate())
    return render(
        request, "public/region_year.html", {"region": region, "year": year, "rows": rows}
    )


@require_GET
@cached_page(params=("sort", "order", "format"))
def region_compliance(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Whether each department of the region published within 20 days of 批复."""
    region = get_object_or_404(Region, code=code)
    if not compliance.FIRST_YEAR <= year <= compliance.LAST_YEAR:
        raise Http404("no such year")
    sort = request.GET.get("sort", compliance.DEFAULT_SORT)
    sort = sort if sort in compliance.SORT_KEYS else compliance.DEFAULT_SORT
    descending = request.GET.get("order") == "desc"
    report = compliance.report(region, year, timezone.localdate(), sort, descending)
    if request.GET.get("format") == "csv":
        return HttpResponse(
            compliance.csv_bytes(report),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(f"{region.name}-{year}-按时公开情况.csv")},
        )
    columns = [
        {
            "key": key,
            "label": label,
            "sortable": key in compliance.SORT_KEYS,
            # The column sorted now offers the other order; another column starts ascending.
            "next": "desc" if key == sort and not descending else "asc",
            "aria_sort": ("descending" if descending else "ascending") if key == sort else None,
        }
        for key, label in compliance.COLUMNS
    ]
    return render(
        request,
        "public/compliance.html",
        {
            "region": region,
            "year": year,
            "report": report,
            "columns": columns,
            "sort": sort,
            "descending": descending,
        },
    )


@require_GET
@cached_page(params=("sort", "order"))
def region_compare(request: HttpRequest, code: str, year: int) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    sort = request.GET.get("sort", "total")
    descending = request.GET.get("order", "desc") != "asc"
    sort = sort if sort in queries.SORTABLE else "total"
    columns = [
        {
            "key": key,
            "label": label,
            # The column sorted now offers the other order; another column starts high to low.
            "next": "asc" if key == sort and descending else "desc",
            "aria_sort": ("descending" if descending else "ascending") if key == sort else None,
        }
        for key, label in queries.COMPARE_COLUMNS
    ]
    return render(
        request,
        "public/region_compare.html",
        {
            "region": region,
            "year": year,
            "rows": queries.region_figures(region, year, sort, descending),
            "columns": columns,
        },
    )


@require_GET
@cached_page()
def department(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    years = queries.department_years(department)
    if not years:
        raise Http404("no published disclosure")
    return render(request, "public/department.html", {"department": department, "years": years})


@require_GET
@cached_page()
def department_compare(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    series = queries.yearly_figures(department)
    if not series:
        raise Http404("no published disclosure")
    return render(
        request,
        "public/department_compare.html",
        {"department": department, "series": series, "table": queries.year_on_year(series)},
    )


def published_revision(pk: int, year: int, kind: str, revision: int | None) -> Disclosure:
    """The revision asked for, or the current one; 404 unless published."""
    if max(pk, year, revision or 0) > queries.LARGEST_ID:
        raise Http404("no such published revision")
    disclosures = Disclosure.objects.published().filter(department=pk, fiscal_year=year, kind=kind)
    if revision is not None:
        disclosures = disclosures.filter(revision=revision)
    found = disclosures.with_contents().order_by("-revision").first()
    if found is None:
        raise Http404("no such published revision")
    return found


@require_GET
@cached_page()
def disclosure(
    request: HttpRequest, pk: int, year: int, kind: str = "budget", revision: int | None = None
) -> HttpResponse:
    page = queries.disclosure_page(published_revision(pk, year, kind, revision))
    return render(request, "public/disclosure.html", {"page": page, "d": page.disclosure})


@require_GET
@cached_page()
def disclosure_json(
    request: HttpRequest, pk: int, year: int, revision: int, kind: str = "budget"
) -> HttpResponse:
    found = published_revision(pk, year, kind, revision)
    return HttpResponse(
        json.dumps(disclosure_document(found), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{found.file_stem}.json")},
    )


@require_GET
@cached_page()
def table_csv_download(
    request: HttpRequest, pk: int, year: int, revision: int, key: str, kind: str = "budget"
) -> HttpResponse:
    found = published_revision(pk, year, kind, revision)
    table = statutory_table(found, key)
    if table is None:
        raise Http404("no such table")
    filename = f"{found.file_stem}-{table.heading}.csv"
    return HttpResponse(
        table_csv(table),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(filename)},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def workbook_download(
    request: HttpRequest, pk: int, year: int, revision: int, kind: str = "budget"
) -> HttpResponse:
    """The statutory workbook as rendered at publication: every table and form laid out
    as printed, amounts as numbers; the same bytes on every download, never re-rendered."""
    found = published_revision(pk, year, kind, revision)
    try:
        stored = store_workbook(found.pk)
    except FileNotReady as waiting:
        return file_not_ready(request, waiting.retry_after)
    return stored_file(request, stored, f"{found.file_stem}.xlsx", XLSX)


@require_GET
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """A plain link (no form, no CSRF token) so that cached pages can offer it."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("disclosures:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
