"""Public URLs are permanent: a department, a year, a revision each have their own."""

from django.urls import include, path

from .site import api
from .site import views as public
from .staff import newyear, roster, workbook
from .staff import views as staff

app_name = "disclosures"


def revision_urls(kind: str) -> list:
    """A disclosure's pages and downloads, for one kind (budget or final accounts)."""
    k = {"kind": kind}
    prefix = "" if kind == "budget" else f"{kind}-"
    return [
        path("", public.disclosure, k, name=f"{prefix}disclosure"),
        path("r<int:revision>/", public.disclosure, k, name=f"{prefix}revision"),
        path("r<int:revision>/json/", public.disclosure_json, k, name=f"{prefix}json"),
        path("r<int:revision>/csv/<str:key>/", public.table_csv_download, k, name=f"{prefix}csv"),
        path("r<int:revision>/xlsx/", public.workbook_download, k, name=f"{prefix}xlsx"),
    ]


urlpatterns = [
    path("", public.home, name="home"),
    path("search/", public.search, name="search"),
    path("language/<str:code>/", public.switch_language, name="language"),
    path("regions/<str:code>/", public.region, name="region"),
    path("regions/<str:code>/<int:year>/", public.region_year, name="region-year"),
    path(
        "regions/<str:code>/<int:year>/compliance/",
        public.region_compliance,
        name="compliance",
    ),
    path("regions/<str:code>/<int:year>/compare/", public.region_compare, name="region-compare"),
    path("regions/<str:region_code>/<int:year>/pdfs.zip", staff.bulk_pdfs, name="bulk-pdfs"),
    path("departments/<int:pk>/", public.department, name="department"),
    path("departments/<int:pk>/compare/", public.department_compare, name="department-compare"),
    path("departments/<int:pk>/<int:year>/", include(revision_urls("budget"))),
    path("departments/<int:pk>/<int:year>/final/", include(revision_urls("final"))),
    path("disclosures/<int:pk>/pdf/", staff.disclosure_pdf, name="pdf"),
    path("api/", api.index, name="api"),
    path("api/openapi.json", api.openapi, name="api-openapi"),
    path("api/regions/", api.regions, name="api-regions"),
    path("api/regions/<str:code>/", api.region, name="api-region"),
    path("api/departments/<int:pk>/", api.department, name="api-department"),
    path("api/disclosures/", api.disclosures, name="api-disclosures"),
    path("api/disclosures/<int:pk>/", api.disclosure, name="api-disclosure"),
    path("api/disclosures/<int:pk>/tables/<str:key>/", api.table, name="api-table"),
    path("api/disclosures/<int:pk>/findings/", api.findings, name="api-findings"),
    path("staff/disclosures/<int:pk>/preview/", staff.staff_preview, name="staff-preview"),
    path(
        "staff/disclosures/<int:pk>/preview.pdf", staff.staff_preview_pdf, name="staff-preview-pdf"
    ),
    path("staff/disclosures/<int:pk>/document.json", staff.staff_document, name="staff-document"),
    path(
        "staff/disclosures/<int:pk>/workbook.xlsx", workbook.staff_workbook, name="staff-workbook"
    ),
    path("staff/import-workbook/", workbook.workbook_import, name="workbook-import"),
    path(
        "staff/departments/<int:pk>/<int:year>/template.xlsx",
        newyear.workbook_template,
        name="workbook-template",
    ),
    path(
        "staff/set-password/<uidb64>/<token>/",
        roster.SetPasswordView.as_view(),
        name="password-set",
    ),
    path(
        "staff/set-password/done/", roster.SetPasswordDoneView.as_view(), name="password-set-done"
    ),
]
