"""The shared action history of every approval process.

One table for all process kinds: a row names its process by (`process_kind`, `process_id`), so
"done by me" and the urge rate limit work across kinds without a join per process.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """The one action vocabulary (design notes §2) plus what the engine does by itself."""

    SUBMIT = "submit", _("Submitted")
    RESUBMIT = "resubmit", _("Resubmitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    RETURN = "return", _("Returned for revision")
    WITHDRAW = "withdraw", _("Withdrawn")
    TRANSFER = "transfer", _("Transferred")
    URGE = "urge", _("Urged")
    COMMENT = "comment", _("Commented")
    CC = "cc", _("Copied to")
    # Engine rows: what the route did by itself, so the timeline explains every step.
    AUTO_PASS = "auto_pass", _("Passed automatically")
    REASSIGN = "reassign", _("Sent to another role")
    RECUSE = "recuse", _("Excluded from the vote")
    STEP_PASSED = "step_passed", _("Step passed")
    STEP_FAILED = "step_failed", _("Step failed")
    PAY = "pay", _("Paid")


# Decisions a person makes on a task; "done by me" and "has anyone decided yet" use these.
HUMAN_DECISIONS = (Action.APPROVE, Action.REJECT, Action.RETURN)


class HistoryEntry(models.Model):
    process_kind = models.CharField(_("process kind"), max_length=40)
    process_id = models.BigIntegerField(_("process id"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_history",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    state_before = models.CharField(_("state before"), max_length=20, blank=True)
    state_after = models.CharField(_("state after"), max_length=20, blank=True)
    step = models.CharField(_("step"), max_length=40, blank=True)
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    round = models.PositiveIntegerField(_("round"), default=1)
    form_version = models.PositiveIntegerField(_("form version"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"), null=True, blank=True)
    # Typed by the writer (who it was transferred to, vote tallies, ...); shown, never queried.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        indexes = [
            # the timeline of one request, and the urge rate limit (last urge of a request)
            models.Index(fields=["process_kind", "process_id", "action", "created_at"], name="history_process_action"),
            # "done by me" (已办)
            models.Index(fields=["actor", "action", "created_at"], name="history_actor_action"),
        ]

    def __str__(self):
        return f"{self.process_kind}#{self.process_id} {self.action}"

    def save(self, *args, **kwargs):
        # History is append-only: a correction is a new row, never an edit.
        if self.pk is not None:
            raise ValidationError(_("History entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History entries cannot be deleted."))
