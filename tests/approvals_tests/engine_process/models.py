"""A ticket: the smallest lifecycle object an approval route can run on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from viewflow.workflow.models import Process

from workflows.org.models import Community


class TicketState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Ticket(ConcurrentTransitionMixin, models.Model):
    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitter"), on_delete=models.PROTECT,
                                  related_name="+")
    text = models.TextField(_("text"))
    answer = models.TextField(_("answer"), blank=True)
    # The route snapshot taken at filing (step codes), as a real process fixes it from its rules.
    steps = models.JSONField(_("route"), default=list)
    round = models.PositiveIntegerField(_("round"), default=1)
    process = models.OneToOneField(Process, verbose_name=_("current route"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="engine_ticket")
    state = FSMField(_("state"), default=TicketState.DRAFT, choices=TicketState.choices, protected=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self):
        return f"#{self.pk} {self.text[:30]}"

    @transition(field=state, source=TicketState.DRAFT, target=TicketState.PENDING)
    def submit(self):
        pass

    @transition(field=state, source=TicketState.RETURNED, target=TicketState.PENDING)
    def resubmit(self):
        pass

    @transition(field=state, source=TicketState.PENDING, target=TicketState.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=TicketState.PENDING, target=TicketState.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=TicketState.PENDING, target=TicketState.RETURNED)
    def return_for_revision(self):
        pass

    @transition(field=state, source=TicketState.PENDING, target=TicketState.WITHDRAWN)
    def withdraw(self):
        pass
