"""The files a published revision is downloaded as, rendered once and kept in storage."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .frozen import PublishedRevisionError


class RenderedFileQuerySet(models.QuerySet):
    def ready(self) -> "RenderedFileQuerySet":
        return self.exclude(sha256="")

    def update(self, **kwargs):
        if self.ready().exists():
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().update(**kwargs)

    def delete(self):
        if self.ready().exists():
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().delete()


class RenderedFile(models.Model):
    """A file of a published revision (disclosures/rendering/stored.py makes it).

    The row is made first, empty, by the one worker that renders: a claim the others
    wait on. Once its file and SHA-256 are set it never changes again.
    """

    extension = ""

    file = models.FileField(_("文件"), upload_to="disclosures/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("字节数"), default=0)
    claimed_at = models.DateTimeField(_("开始生成时间"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = RenderedFileQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="%(app_label)s_%(class)s_sha256_hex",
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


class DisclosurePDF(RenderedFile):
    """The statutory PDF of a published revision."""

    extension = "pdf"

    disclosure = models.OneToOneField(
        "Disclosure", verbose_name=_("部门预算公开"), on_delete=models.PROTECT, related_name="pdf"
    )

    class Meta(RenderedFile.Meta):
        verbose_name = _("公开文件（PDF）")
        verbose_name_plural = _("公开文件（PDF）")


class DisclosureWorkbook(RenderedFile):
    """The statutory workbook (.xlsx) of a published revision."""

    extension = "xlsx"

    disclosure = models.OneToOneField(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.PROTECT,
        related_name="workbook",
    )

    class Meta(RenderedFile.Meta):
        verbose_name = _("公开文件（Excel 工作簿）")
        verbose_name_plural = _("公开文件（Excel 工作簿）")
