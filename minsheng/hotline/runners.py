"""Job runners of the hotline app: ticket import, cache warming after it, and category back-fill."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from minsheng.core.jobs import JobRunner, job_create, register

from . import importing, selectors, services
from .models import Ticket


@register
class TicketImportRunner(JobRunner):
    """Import a CSV or Excel file of tickets (params: path, source, filename); resumable from its checkpoint."""

    kind = "hotline.import"
    title = "导入12345工单"

    def run(self) -> dict[str, Any]:
        ctx = importing.RunContext(job=self.job, progress=self.progress, log=self.log, state=self.job.state)
        result = importing.run_import(ctx)
        if result.get("imported"):  # new data: compute the pages' first figures before anyone asks
            job_create(kind=WarmCachesRunner.kind, key=f"hotline-warm:{self.job.pk}", params={"after": str(self.job.pk)})
        return result


@register
class WarmCachesRunner(JobRunner):
    """After an import: the rates, ranking and candidates figures the pages show first, into the cache (their
    keys include the time the import finished, so it waits for that first)."""

    kind = "hotline.warm_caches"
    title = "12345统计预计算"

    def run(self) -> dict[str, Any]:
        from minsheng.core.models import Job

        after = self.params.get("after")
        for _ in range(120):  # the import job is marked finished just after its runner returns
            if not after or Job.objects.filter(pk=after).exclude(finished_at=None).exists():
                break
            time.sleep(0.5)
        if connection.vendor == "postgresql":
            # Fresh statistics for the new tickets before the first queries over them (0.2–0.4 s: a sample
            # of 30,000 rows, whatever the table's size). Done here rather than inside the import, which is
            # over once its rows are committed.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
            self.log("statistics refreshed (ANALYZE)")
        done = selectors.warm_caches(progress=lambda d, t: self.progress(d, t))
        self.log("warmed: " + ", ".join(done))
        return {"warmed": len(done)}


@register
class ClassifyMissingRunner(JobRunner):
    """Give a category to tickets that have none, with the registered text classifier."""

    kind = "hotline.classify_missing"
    title = "12345工单自动分类"

    def run(self) -> dict[str, Any]:
        done = services.ticket_classify_missing(progress=lambda d, t: self.progress(d, t))
        self.log(f"classified {done} tickets")
        return {"classified": done}
