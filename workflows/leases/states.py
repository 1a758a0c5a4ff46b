"""Lifecycles of a lease request and of a lease (django-fsm-2, protected fields).

Request: draft → reviewing → contract (awaiting the signature) → signed; reviewing → returned →
reviewing; reviewing → withdrawn; reviewing / contract → rejected; reviewing / returned → expired
(the hold lapsed: nobody decided within LEASE_HOLD_WORKING_DAYS). The route inside reviewing and
contract belongs to the viewflow flow.

Lease: active → expired (the end date passed: the timer) or terminated (either side, a reason).
An ended lease never continues silently: its future occurrences leave the calendar.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWING = "reviewing", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    CONTRACT = "contract", _("Awaiting the contract")
    SIGNED = "signed", _("Contract signed")
    REJECTED = "rejected", pgettext_lazy("lease request state", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Hold expired")


OPEN_STATES = (RequestState.REVIEWING, RequestState.CONTRACT)
# States in which a request's occurrences hold the room.
HOLDING_STATES = (RequestState.REVIEWING, RequestState.RETURNED, RequestState.CONTRACT)


class RequestLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=RequestState.DRAFT, choices=RequestState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=RequestState.DRAFT, target=RequestState.REVIEWING)
    def submit(self):
        pass

    @transition(field=state, source=RequestState.RETURNED, target=RequestState.REVIEWING)
    def resubmit(self):
        pass

    @transition(field=state, source=RequestState.REVIEWING, target=RequestState.RETURNED)
    def return_for_revision(self):
        pass

    @transition(field=state, source=RequestState.REVIEWING, target=RequestState.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=RequestState.REVIEWING, target=RequestState.CONTRACT)
    def reviews_passed(self):
        pass

    @transition(field=state, source=RequestState.CONTRACT, target=RequestState.SIGNED)
    def sign(self):
        pass

    @transition(field=state, source=list(OPEN_STATES), target=RequestState.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[RequestState.REVIEWING, RequestState.RETURNED], target=RequestState.EXPIRED)
    def hold_expire(self):
        pass


class LeaseState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("lease state", "Active")
    EXPIRED = "expired", pgettext_lazy("lease state", "Expired")
    TERMINATED = "terminated", _("Terminated early")


class LeaseLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=LeaseState.ACTIVE, choices=LeaseState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=LeaseState.ACTIVE, target=LeaseState.EXPIRED)
    def expire(self):
        pass

    @transition(field=state, source=LeaseState.ACTIVE, target=LeaseState.TERMINATED)
    def terminate(self):
        pass
