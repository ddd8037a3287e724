"""Published revisions never change: saving or deleting any of their rows raises.

Enforced here, in the model layer, for every way Django writes: Model.save() and
delete(), and QuerySet.update(), delete() and bulk_create(). A correction is a new
revision (disclosures/workflow.py), never an edit.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from .audit import HistoricalAudit


class PublishedRevisionError(Exception):
    """An attempt to change a published revision."""

    def __init__(self, what: str = "") -> None:
        super().__init__(
            f"已公开的版本不能修改或删除{('：' + what) if what else ''}；如需更正，请发布更正版本。"
        )


class WorkflowFieldError(Exception):
    """An attempt to change a disclosure's status, revision, department, year or kind
    other than through the workflow."""

    def __init__(self, what: str = "") -> None:
        super().__init__(
            f"{what}的状态、版本、部门、年度和类别只能由流程操作（提交、审核、公开、更正）改变。"
        )


class RowMoveError(Exception):
    """An attempt to move a row of one disclosure into another."""

    def __init__(self, what: str = "") -> None:
        super().__init__(f"{what}属于一份部门预算公开，不能移到另一份。")


PUBLISHED = "published"


def _published(disclosure_ids) -> bool:
    from .disclosure import Disclosure

    ids = {pk for pk in disclosure_ids if pk is not None}
    return bool(ids) and Disclosure.objects.filter(pk__in=ids, status=PUBLISHED).exists()


def _disclosure_id_of(model, value):
    """The disclosure id of the row a foreign key names (a Disclosure, a Project, …, or
    their primary key), for a write that points rows at it."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return value.pk if model is None else value.disclosure_id_now()
    if model is None:
        return value
    return (
        model._base_manager.filter(pk=value).values_list(model.disclosure_lookup, flat=True).first()
    )


class FrozenQuerySet(models.QuerySet):
    """Refuses bulk writes that would touch rows of a published revision, or move rows
    into one."""

    def _touches_published(self, **kwargs) -> bool:
        lookup = self.model.disclosure_lookup
        field = f"{lookup}__status" if lookup else "status"
        if self.filter(**{field: PUBLISHED}).exists():
            return True
        first = lookup.split("__")[0]
        if first in kwargs or f"{first}_id" in kwargs:
            value = kwargs.get(first, kwargs.get(f"{first}_id"))
            related = self.model._meta.get_field(first).related_model
            owner = None if "__" not in lookup else related
            return _published([_disclosure_id_of(owner, value)])
        return False

    def update(self, **kwargs):
        if self._touches_published(**kwargs):
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if _published(obj.disclosure_id_now() for obj in objs):
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        stored = self.filter(pk__in=[obj.pk for obj in objs])
        if stored._touches_published() or _published(obj.disclosure_id_now() for obj in objs):
            raise PublishedRevisionError(str(self.model._meta.verbose_name))
        return super().bulk_update(objs, fields, *args, **kwargs)


class FrozenWhenPublished(models.Model):
    """A row that belongs to a disclosure revision: frozen once that revision is published.

    `disclosure_lookup` is the path from the row to its Disclosure ("disclosure",
    "project__disclosure", …). A write is judged by the row as stored (it may not leave a
    published revision) and as it would be written (it may not join one).
    """

    disclosure_lookup = "disclosure"

    objects = FrozenQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, bases=[HistoricalAudit])

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_published()
        return super().delete(*args, **kwargs)

    def disclosure_id_now(self):
        """The id of the disclosure this row belongs to, as it is in memory."""
        target = self
        steps = self.disclosure_lookup.split("__")
        for step in steps[:-1]:
            target = getattr(target, step)
            if target is None:
                return None
        return getattr(target, f"{steps[-1]}_id")

    def disclosure_id_stored(self):
        """The id of the disclosure the stored row belongs to (None for a new row)."""
        if self.pk is None:
            return None
        return (
            type(self)
            ._base_manager.filter(pk=self.pk)
            .values_list(self.disclosure_lookup, flat=True)
            .first()
        )

    def refuse_if_published(self) -> None:
        now, stored = self.disclosure_id_now(), self.disclosure_id_stored()
        if _published((now, stored)):
            raise PublishedRevisionError(str(self._meta.verbose_name))
        if stored is not None and now != stored:
            raise RowMoveError(str(self._meta.verbose_name))
