from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .frozen import PublishedRevisionError


class DisclosurePDFQuerySet(models.QuerySet["DisclosurePDF"]):
    def ready(self) -> "DisclosurePDFQuerySet":
        return self.exclude(sha256="")

    def update(self, **kwargs):
        if self.ready().exists():
            raise PublishedRevisionError(str(DisclosurePDF._meta.verbose_name))
        return super().update(**kwargs)

    def delete(self):
        if self.ready().exists():
            raise PublishedRevisionError(str(DisclosurePDF._meta.verbose_name))
        return super().delete()


class DisclosurePDF(models.Model):
    """The statutory PDF of a published revision, rendered once and kept in storage.

    The row is made first, empty, by the one worker that renders (disclosures/pdf.py):
    a claim others wait on. Once its file and SHA-256 are set it never changes again.
    """

    disclosure = models.OneToOneField(
        "Disclosure", verbose_name=_("部门预算公开"), on_delete=models.PROTECT, related_name="pdf"
    )
    file = models.FileField(_("文件"), upload_to="disclosures/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("字节数"), default=0)
    claimed_at = models.DateTimeField(_("开始生成时间"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = DisclosurePDFQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开文件（PDF）")
        verbose_name_plural = _("公开文件（PDF）")
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="disclosure_pdf_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disclosure} {self.sha256[:12]}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk).ready().exists():
            raise PublishedRevisionError(str(self._meta.verbose_name))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_ready or type(self).objects.filter(pk=self.pk).ready().exists():
            raise PublishedRevisionError(str(self._meta.verbose_name))
        return super().delete(*args, **kwargs)

    @property
    def is_ready(self) -> bool:
        return bool(self.sha256)
