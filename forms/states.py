"""Lifecycle of a form version: draft → published → retired.

Only a draft's schema may change. Publishing is done by services.version_publish, which retires
the definition's previously published version in the same transaction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class VersionLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=VersionState.DRAFT, choices=VersionState.choices, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=VersionState.DRAFT, target=VersionState.PUBLISHED)
    def publish(self):
        pass

    @transition(field=state, source=VersionState.PUBLISHED, target=VersionState.RETIRED)
    def retire(self):
        pass

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT
