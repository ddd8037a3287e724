from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkflowEvent(models.Model):
    """One step of a disclosure's workflow: who did what, when and why. Append-only."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")
        PUBLISH = "publish", _("公开")
        CORRECT = "correct", _("发起更正")

    disclosure = models.ForeignKey(
        "Disclosure",
        verbose_name=_("部门预算公开"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action)
    from_status = models.CharField(_("原状态"), max_length=10)
    to_status = models.CharField(_("新状态"), max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(
        _("操作人用户名"), max_length=150, blank=True, help_text=_("账号删除后仍留存")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self.username and self.user is not None:
            self.username = self.user.get_username()
        super().save(*args, **kwargs)
