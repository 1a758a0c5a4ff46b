"""Lifecycles of an application and of a partner (django-fsm-2, protected fields).

Application: draft → reviewing → notice (公示) → agreement → signed; reviewing → returned →
reviewing; reviewing → withdrawn; reviewing / notice / agreement → rejected (a review, an upheld
objection). The route inside reviewing, notice and agreement belongs to the viewflow flow.

Partner: active ⇄ suspended; active / suspended → exited (end of term, or either side with a
reason). An exited partner's services leave the catalogue; its history stays.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWING = "reviewing", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    NOTICE = "notice", _("In public notice")
    AGREEMENT = "agreement", _("Awaiting agreement")
    SIGNED = "signed", _("Agreement signed")
    REJECTED = "rejected", pgettext_lazy("application state", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (ApplicationState.REVIEWING, ApplicationState.NOTICE, ApplicationState.AGREEMENT)


class ApplicationLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=ApplicationState.DRAFT, choices=ApplicationState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=ApplicationState.DRAFT, target=ApplicationState.REVIEWING)
    def submit(self):
        pass

    @transition(field=state, source=ApplicationState.RETURNED, target=ApplicationState.REVIEWING)
    def resubmit(self):
        pass

    @transition(field=state, source=ApplicationState.REVIEWING, target=ApplicationState.RETURNED)
    def return_for_revision(self):
        pass

    @transition(field=state, source=ApplicationState.REVIEWING, target=ApplicationState.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=ApplicationState.REVIEWING, target=ApplicationState.NOTICE)
    def open_notice(self):
        pass

    @transition(field=state, source=ApplicationState.NOTICE, target=ApplicationState.AGREEMENT)
    def close_notice(self):
        pass

    @transition(field=state, source=ApplicationState.AGREEMENT, target=ApplicationState.SIGNED)
    def sign(self):
        pass

    @transition(field=state, source=list(OPEN_STATES), target=ApplicationState.REJECTED)
    def reject(self):
        pass


class PartnerState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("partner state", "Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")


class PartnerLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=PartnerState.ACTIVE, choices=PartnerState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=PartnerState.ACTIVE, target=PartnerState.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=state, source=PartnerState.SUSPENDED, target=PartnerState.ACTIVE)
    def resume(self):
        pass

    @transition(field=state, source=[PartnerState.ACTIVE, PartnerState.SUSPENDED], target=PartnerState.EXITED)
    def exit(self):
        pass
