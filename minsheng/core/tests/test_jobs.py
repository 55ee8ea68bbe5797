"""Jobs: progress, failure, idempotent re-run resuming from the checkpoint, keys, cancel."""

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.core import jobs
from minsheng.core.errors import Forbidden, Invalid, InvalidTransition
from minsheng.core.models import Job, Notification

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@jobs.register
class CountingRunner(jobs.JobRunner):
    """Writes one notification per item; fails once at `fail_at` if asked; resumes from its checkpoint."""

    kind = "test.counting"
    title = "counting"
    save_every = 0

    def run(self):
        from minsheng.core.models import User

        user = User.objects.get(pk=self.params["user"])
        total = self.params["n"]
        start = self.state.get("next", 0)
        for i in range(start, total):
            if i == self.params.get("fail_at") and not self.state.get("failed_once"):
                self.checkpoint(failed_once=True)
                raise RuntimeError(f"disk full at item {i}")
            Notification.objects.create(recipient=user, title=f"item {i}")
            CALLS.append(i)
            self.checkpoint(next=i + 1)
            self.progress(i + 1, total)
        return {"written": total - start}


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def test_job_runs_with_progress_and_result(users):
    seen = []
    job = jobs.job_create(kind="test.counting", params={"user": users["staff"].pk, "n": 4}, enqueue=False)
    job = jobs.job_run(job.pk, on_progress=lambda j: seen.append((j.progress_done, j.progress_total)))
    assert job.status == "succeeded"
    assert job.result == {"written": 4}
    assert (job.progress_done, job.progress_total, job.percent) == (4, 4, 100)
    assert seen[:4] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert Notification.objects.filter(title__startswith="item").count() == 4


def test_failure_is_recorded_and_rerun_resumes_without_duplicates(users):
    job = jobs.job_create(kind="test.counting", params={"user": users["staff"].pk, "n": 5, "fail_at": 3}, enqueue=False)
    job = jobs.job_run(job.pk)
    assert job.status == "failed"
    assert job.error == "RuntimeError: disk full at item 3"
    assert "Traceback" in job.log
    assert job.state["next"] == 3
    job = jobs.job_run(job.pk)
    assert job.status == "succeeded"
    assert job.attempts == 2
    assert job.result == {"written": 2}
    assert CALLS == [0, 1, 2, 3, 4]
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert titles == ["item 0", "item 1", "item 2", "item 3", "item 4"]


def test_finished_job_is_not_run_again(users):
    job = jobs.job_create(kind="test.counting", params={"user": users["staff"].pk, "n": 2}, enqueue=False)
    jobs.job_run(job.pk)
    again = jobs.job_run(job.pk)
    assert again.status == "succeeded"
    assert again.attempts == 1
    assert CALLS == [0, 1]


def test_running_job_is_left_to_its_worker_unless_stale(users):
    job = jobs.job_create(kind="test.counting", params={"user": users["staff"].pk, "n": 1}, enqueue=False)
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now())
    assert jobs.job_run(job.pk).status == "running"
    assert CALLS == []
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs.job_run(job.pk).status == "succeeded"
    assert CALLS == [0]


def test_same_key_returns_the_same_job(users):
    a = jobs.job_create(kind="test.counting", params={"user": 1, "n": 1}, key="import:2026-11.csv", enqueue=False)
    b = jobs.job_create(kind="test.counting", params={"user": 1, "n": 1}, key="import:2026-11.csv", enqueue=False)
    assert a.pk == b.pk
    assert Job.objects.count() == 1


def test_unknown_kind_is_refused():
    with pytest.raises(Invalid) as info:
        jobs.job_create(kind="nope", enqueue=False)
    assert info.value.code == "unknown_job_kind"
    assert Job.objects.count() == 0


def test_enqueue_creates_a_task_after_commit(users, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_create(kind="test.counting", params={"user": users["staff"].pk, "n": 1})
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [str(job.pk)]


def test_cancel_only_queued_and_only_by_allowed(users):
    job = jobs.job_create(kind="test.counting", params={"user": 1, "n": 1}, actor=users["staff"], enqueue=False)
    with pytest.raises(Forbidden):
        jobs.job_cancel(actor=users["member"], job=job)
    assert Job.objects.get(pk=job.pk).status == "queued"
    assert jobs.job_cancel(actor=users["staff"], job=job).status == "cancelled"
    with pytest.raises(InvalidTransition):
        jobs.job_cancel(actor=users["staff"], job=job)
