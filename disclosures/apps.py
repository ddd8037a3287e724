from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("部门预算公开")
    default_auto_field = "django.db.models.BigAutoField"
