from django.db import models
from django.utils.translation import gettext_lazy as _


class DisclosurePDF(models.Model):
    """The statutory PDF of a published revision, rendered once and kept in storage."""

    disclosure = models.OneToOneField(
        "Disclosure", verbose_name=_("部门预算公开"), on_delete=models.PROTECT, related_name="pdf"
    )
    file = models.FileField(_("文件"), upload_to="disclosures/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("字节数"))
    rendered_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公开文件（PDF）")
        verbose_name_plural = _("公开文件（PDF）")

    def __str__(self) -> str:
        return f"{self.disclosure} {self.sha256[:12]}"
