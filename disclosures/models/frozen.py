"""Published revisions never change: saving or deleting any of their rows raises.

Enforced here, in the model layer, for every way Django writes: Model.save() and
delete(), and QuerySet.update(), delete() and bulk_create(). A correction is a new
revision (disclosures/workflow.py), never an edit.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class PublishedRevisionError(Exception):
    """An attempt to change a published revision."""

    def __init__(self, what: str = "") -> None:
        super().__init__(
            f"已公开的版本不能修改或删除{('：' + what) if what else ''}；如需更正，请发布更正版本。"
        )


PUBLISHED = "published"


class FrozenQuerySet(models.QuerySet):
    """Refuses bulk writes that would touch rows of a published revision."""

    def _touches_published(self) -> bool:
        lookup = self.model.disclosure_lookup
        field = f"{lookup}__status" if lookup else "status"
        return self.filter(**{field: PUBLISHED}).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refuse_if_published()
        return super().bulk_create(objs, *args, **kwargs)


class FrozenWhenPublished(models.Model):
    """A row that belongs to a disclosure revision: frozen once that revision is published.

    `disclosure_lookup` is the path from the row to its Disclosure ("disclosure",
    "project__disclosure", …).
    """

    disclosure_lookup = "disclosure"

    objects = FrozenQuerySet.as_manager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_published()
        return super().delete(*args, **kwargs)

    def _disclosure_id(self):
        target = self
        for step in self.disclosure_lookup.split("__")[:-1]:
            target = getattr(target, step)
        return getattr(target, f"{self.disclosure_lookup.split('__')[-1]}_id")

    def refuse_if_published(self) -> None:
        from .disclosure import Disclosure

        disclosure_id = self._disclosure_id()
        if disclosure_id and Disclosure.objects.filter(pk=disclosure_id, status=PUBLISHED).exists():
            raise PublishedRevisionError(str(self._meta.verbose_name))
