"""The lifecycle of a background job: queued → running → done | failed."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobLifecycle(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED, protected=True)

    class Meta:
        abstract = True

    @transition(field=state, source=JobState.QUEUED, target=JobState.RUNNING)
    def start(self) -> None:
        pass

    @transition(field=state, source=JobState.RUNNING, target=JobState.DONE)
    def finish(self) -> None:
        pass

    # A job can fail before it starts (a worker cannot even load it) or while running.
    @transition(field=state, source=[JobState.QUEUED, JobState.RUNNING], target=JobState.FAILED)
    def fail(self) -> None:
        pass
