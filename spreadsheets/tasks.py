"""Queue entry points (django-tasks). The task only carries the job id; the Job row has the rest.

Services never import this module (it imports them): `SpreadsheetsConfig.ready()` registers
`run_job` with `services.job_task_register`, and `services._job_enqueue` queues it from there.
"""

from django_tasks import task

from spreadsheets.services import job_run


@task()
def run_job(job_id: int) -> None:
    job_run(job_id=job_id)
