"""Queue entry points (django-tasks). The task only carries the job id; the Job row has the rest."""

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from spreadsheets.services import job_run

    job_run(job_id=job_id)
