from django.contrib import admin
from django.urls import include, path

from disclosures.staff import views as staff

admin.site.site_header = "部门预算公开平台"
admin.site.site_title = "部门预算公开平台"
admin.site.index_title = "管理"

urlpatterns = [
    # Before the admin's own "view on site", which asks nobody (disclosures/roles.py).
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(staff.view_on_site),
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    path("", include("disclosures.urls")),
]
