"""Task functions for the worker (Django's Tasks API): they take ids and call the job runner."""

from django.tasks import task


@task()
def run_job(job_id: str) -> str:
    from .jobs import job_run

    return job_run(job_id).status
