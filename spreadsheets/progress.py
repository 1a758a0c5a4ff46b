"""The one place job progress is recorded and pushed to the browser.

It updates the row (the truth the job API serves) and, after commit, sends a best-effort message
to the owner's channel group `user.<id>`:

    {"type": "job.progress", "job": <id>, "progress": <0-100>, "state": "queued|running|done|failed"}

When the notifications area's `notify(...)` lands, this function is where the two meet.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from spreadsheets.models import Job

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def progress_message(*, job_id: int, progress: int, state: str) -> dict:
    return {"type": "job.progress", "job": job_id, "progress": progress, "state": state}


def _push(owner_id: int, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(owner_id), message)
    except Exception:  # the push is best effort: the row is the truth, the page can poll it
        logger.warning("Could not push job progress to user %s", owner_id, exc_info=True)


def job_report(job: Job, *, progress: int | None = None) -> None:
    """Record `progress` (if given) on the job row and push the job's state after commit."""
    if progress is not None:
        progress = max(0, min(100, int(progress)))
        job.progress = progress
    with transaction.atomic():
        if progress is not None:
            Job.objects.filter(pk=job.pk).update(progress=progress)
        message = progress_message(job_id=job.pk, progress=job.progress, state=job.state)
        owner_id = job.owner_id
        transaction.on_commit(lambda: _push(owner_id, message))


class ProgressCounter:
    """Turns "n of total rows" into whole-percent reports, at most one per percent step."""

    def __init__(self, job: Job | None, total: int, *, start: int = 0, end: int = 100):
        self.job = job
        self.total = max(total, 1)
        self.start, self.end = start, end
        self._last = -1

    def __call__(self, done: int) -> None:
        if self.job is None:
            return
        percent = self.start + (self.end - self.start) * min(done, self.total) // self.total
        if percent != self._last:
            self._last = percent
            job_report(self.job, progress=percent)
