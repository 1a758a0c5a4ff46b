"""The engine's own tables: the shared action history, and the queryable facts of open tasks.

History is one table for all process kinds: a row names its process by (`process_kind`,
`process_id`), so "done by me" and the urge rate limit work across kinds without a join per
process. Its `action` holds any registered code (workflows.approvals.actions), so a new verb
needs no migration.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.approvals import actions


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
    # A registered action code (actions.py); no database choices, so processes add verbs freely.
    action = models.CharField(_("action"), max_length=40)
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

    @property
    def action_label(self) -> str:
        return actions.label(self.action, self.process_kind)


class RouteTask(models.Model):
    """What must be queried about an open task besides viewflow's row: the role queue that
    holds it, and its deadline. Written only for queue steps and steps with a deadline, so a
    plain sequential step costs nothing here."""

    task_id = models.BigIntegerField(_("task"), primary_key=True)
    process_kind = models.CharField(_("process kind"), max_length=40)
    process_id = models.BigIntegerField(_("process id"))
    step = models.CharField(_("step"), max_length=40)
    role = models.CharField(_("role"), max_length=32)
    org_unit_id = models.BigIntegerField(_("org unit"))
    queue = models.BooleanField(_("held by the role queue"), default=False)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date is provisional"), default=False)
    timeout_action = models.CharField(_("action on timeout"), max_length=40, blank=True)
    remind_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    timed_out_at = models.DateTimeField(_("timed out"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("route task")
        verbose_name_plural = _("route tasks")
        indexes = [
            # the inbox: open queue tasks of the (role, org unit) pairs a user holds
            models.Index(fields=["role", "org_unit_id"], condition=Q(queue=True, closed_at__isnull=True),
                         name="routetask_open_queue"),
            # the timer sweep: open tasks past their deadline, and reminders due
            models.Index(fields=["due_at"], condition=Q(closed_at__isnull=True, timed_out_at__isnull=True),
                         name="routetask_due"),
            models.Index(fields=["remind_at"], condition=Q(closed_at__isnull=True), name="routetask_remind"),
        ]

    def __str__(self):
        return f"{self.process_kind}#{self.process_id} {self.step} task {self.task_id}"


class Delegation(models.Model):
    """代理: while the delegator is away, tasks created for them go to the deputy.

    The dates are calendar days in Asia/Shanghai, both included; `ended_at` ends it early. A
    delegator has at most one delegation for any day (services refuse overlaps), and a deputy
    acts only on tasks of a role they hold themselves (the assignment checks it)."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegator"), on_delete=models.PROTECT,
                                  related_name="delegations_given")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("deputy"), on_delete=models.PROTECT,
                               related_name="delegations_taken")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [
            # the assignment's lookup: the delegations of these holders that cover today
            models.Index(fields=["delegator", "starts_on", "ends_on"], condition=Q(ended_at__isnull=True),
                         name="delegation_active"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_in_order"),
            models.CheckConstraint(condition=~Q(deputy=models.F("delegator")), name="delegation_not_to_self"),
        ]

    def __str__(self):
        return f"{self.delegator_id} → {self.deputy_id} {self.starts_on}–{self.ends_on}"
