from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("部门预算公开")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from disclosures.roles import ensure_roles
        from disclosures.staff import admin  # noqa: F401 — registers the admin

        post_migrate.connect(ensure_roles, sender=self)
