"""Jobs: a database row (`core.Job`) plus a runner class.

A runner subclasses `JobRunner`, sets `kind`, and implements `run()`, reporting progress with
`self.progress(done, total)`, writing lines with `self.log()`, and saving a checkpoint with
`self.checkpoint(**state)` so that a re-run after a crash resumes from `self.state` instead of repeating
work. The worker runs it through Django's Tasks API (`core.tasks.run_job`); the CLI runs the very same
runner in the foreground with a progress bar (`job_run(job_id, on_progress=...)`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import errors
from .choices import JobStatus
from .models import Job, User

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Job], None]

# A running job whose heartbeat is older than this is taken to have died with its worker.
STALE_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5


class JobRunner:
    """Base class of every long piece of work. Subclasses set `kind` and implement `run()`."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    # How often progress is written to the database at most (seconds); the CLI callback sees every call.
    save_every: ClassVar[float] = 0.5

    def __init__(self, job: Job, on_progress: ProgressCallback | None = None) -> None:
        self.job = job
        self.on_progress = on_progress
        self._last_save = 0.0

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    @property
    def state(self) -> dict[str, Any]:
        return self.job.state

    def run(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.job.progress_done = max(0, int(done))
        if total is not None:
            self.job.progress_total = int(total)
        now = time.monotonic()
        if force or now - self._last_save >= self.save_every:
            self._last_save = now
            self.job.heartbeat_at = timezone.now()
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=self.job.progress_done, progress_total=self.job.progress_total,
                heartbeat_at=self.job.heartbeat_at,
            )
        if self.on_progress:
            self.on_progress(self.job)

    def log(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.job.log += f"[{stamp}] {line}\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log)

    def checkpoint(self, **state: Any) -> None:
        """Save resumable state; call it right after committing the work the state describes."""
        self.job.state.update(state)
        self.job.heartbeat_at = timezone.now()
        Job.objects.filter(pk=self.job.pk).update(state=self.job.state, heartbeat_at=self.job.heartbeat_at)


REGISTRY: dict[str, type[JobRunner]] = {}


def register(cls: type[JobRunner]) -> type[JobRunner]:
    """Class decorator: make a runner available under its `kind`."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    REGISTRY[cls.kind] = cls
    return cls


def job_create(*, kind: str, params: dict[str, Any] | None = None, actor: User | None = None, key: str | None = None,
               title: str = "", enqueue: bool = True) -> Job:
    """Create a job (or return the existing one with the same `key`) and, by default, queue it for the
    worker after commit."""
    if kind not in REGISTRY:
        raise errors.Invalid(_("Unknown job kind %(kind)s.") % {"kind": kind}, code=errors.UNKNOWN_JOB_KIND,
                             fields={"kind": "unknown"})
    if key:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    job = Job.objects.create(
        kind=kind, key=key or None, params=params or {}, created_by=actor if actor and actor.is_authenticated else None,
        title=(title or REGISTRY[kind].title or kind)[:200],
    )
    if enqueue:
        job_enqueue(job=job)
    return job


def job_enqueue(*, job: Job) -> None:
    from .services import after_commit
    from .tasks import run_job

    job_id = str(job.pk)
    after_commit(lambda: run_job.enqueue(job_id))


def _claim(job_id: str, *, takeover_stale: bool) -> Job | None:
    """Move the job to RUNNING if nobody else holds it. Returns None when it is not ours to run."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise errors.NotFound(_("No such job."))
        runnable = job.status in (JobStatus.QUEUED, JobStatus.FAILED)
        stale = job.status == JobStatus.RUNNING and (
            job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER
        )
        if not (runnable or (takeover_stale and stale)):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            raise errors.Invalid(_("This job has failed %(n)s times and will not be retried.") % {"n": job.attempts},
                                 code=errors.JOB_NOT_RUNNABLE)
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "error"])
        return job


def job_run(job_id: str, *, on_progress: ProgressCallback | None = None, takeover_stale: bool = True) -> Job:
    """Run a job with its runner, in this process. Idempotent: a finished job is returned as it is, and a
    failed or dead one resumes from its checkpoint."""
    job = _claim(str(job_id), takeover_stale=takeover_stale)
    if job is None:
        return Job.objects.get(pk=job_id)
    runner_cls = REGISTRY.get(job.kind)
    if runner_cls is None:
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=f"unknown job kind {job.kind}")
        job.refresh_from_db()
        return job
    runner = runner_cls(job, on_progress=on_progress)
    try:
        result = runner.run() or {}
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job, not lost
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.error = f"{type(exc).__name__}: {exc}"
        job.log += traceback.format_exc(limit=8)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "log", "finished_at", "progress_done", "progress_total", "state"])
        return job
    job.status = JobStatus.SUCCEEDED
    job.result = result
    job.finished_at = timezone.now()
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    job.save(update_fields=["status", "result", "finished_at", "progress_done", "progress_total", "state"])
    if on_progress:
        on_progress(job)
    return job


def job_cancel(*, actor: User, job: Job) -> Job:
    if not actor.has_perm("core.manage_job", job):
        raise errors.Forbidden(_("You may not cancel this job."))
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now()
    )
    if not updated:
        raise errors.InvalidTransition(_("Only a queued job can be cancelled."), code=errors.JOB_NOT_RUNNABLE)
    job.refresh_from_db()
    return job
