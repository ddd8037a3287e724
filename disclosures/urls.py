from django.urls import path

from . import views

app_name = "disclosures"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/disclosures/<int:pk>/preview/", views.staff_preview, name="staff-preview"),
    path("staff/disclosures/<int:pk>/document.json", views.staff_document, name="staff-document"),
]
