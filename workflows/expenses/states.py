"""Lifecycle of an expense request (django-fsm-2, protected field, optimistic concurrency).

draft → pending → approved → paid; pending → returned → pending; pending → rejected;
pending → withdrawn. The route inside "pending" belongs to the viewflow flow.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class ExpenseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAID = "paid", _("Paid")


FINISHED_STATES = (ExpenseState.REJECTED, ExpenseState.WITHDRAWN, ExpenseState.PAID)


class ExpenseLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=ExpenseState.DRAFT, choices=ExpenseState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=ExpenseState.DRAFT, target=ExpenseState.PENDING)
    def submit(self):
        pass

    @transition(field=state, source=ExpenseState.RETURNED, target=ExpenseState.PENDING)
    def resubmit(self):
        pass

    @transition(field=state, source=ExpenseState.PENDING, target=ExpenseState.RETURNED)
    def return_for_revision(self):
        pass

    @transition(field=state, source=ExpenseState.PENDING, target=ExpenseState.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=ExpenseState.PENDING, target=ExpenseState.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=ExpenseState.PENDING, target=ExpenseState.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=ExpenseState.APPROVED, target=ExpenseState.PAID)
    def mark_paid(self):
        pass
