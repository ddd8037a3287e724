from django.urls import path

from . import views

app_name = "disclosures"

urlpatterns = [
    path("", views.home, name="home"),
    path("disclosures/<int:pk>/pdf/", views.disclosure_pdf, name="pdf"),
    path("regions/<str:region_code>/<int:year>/pdfs.zip", views.bulk_pdfs, name="bulk-pdfs"),
    path("staff/disclosures/<int:pk>/preview/", views.staff_preview, name="staff-preview"),
    path(
        "staff/disclosures/<int:pk>/preview.pdf", views.staff_preview_pdf, name="staff-preview-pdf"
    ),
    path("staff/disclosures/<int:pk>/document.json", views.staff_document, name="staff-document"),
]
