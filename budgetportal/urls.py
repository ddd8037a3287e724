from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "部门预算公开平台"
admin.site.site_title = "部门预算公开平台"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("disclosures.urls")),
]
