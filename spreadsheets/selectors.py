from django.db.models import QuerySet
from django.http import Http404

from spreadsheets import permissions
from spreadsheets.models import Job


def jobs_for_user(*, user, limit: int = 10) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner=user).order_by("-created_at", "-id")[:limit]


def job_get_for_user(*, user, pk) -> Job:
    """The job, or the same 404 for a missing job and someone else's."""
    try:
        job = Job.objects.get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can_view_job(user, job):
        raise Http404
    return job
