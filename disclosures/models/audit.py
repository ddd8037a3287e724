"""The author of every historical record, kept as text beside the foreign key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoricalAudit(models.Model):
    """A base of every historical model (django-simple-history's `bases`).

    `history_user` is a foreign key that becomes NULL when the account is deleted; the
    username stays. It is filled from the user the record is made with, which both of
    simple-history's ways of writing records (one save, bulk_history_create) pass to the
    constructor.
    """

    history_username = models.CharField(_("操作人用户名"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        user = kwargs.get("history_user")
        if user is not None and not kwargs.get("history_username"):
            kwargs["history_username"] = user.get_username()
        super().__init__(*args, **kwargs)
