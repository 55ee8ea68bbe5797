"""Job runners of the hotline app: ticket import and category back-fill."""

from __future__ import annotations

from typing import Any

from minsheng.core.jobs import JobRunner, register

from . import importing, services


@register
class TicketImportRunner(JobRunner):
    """Import a CSV or Excel file of tickets (params: path, source, filename); resumable from its checkpoint."""

    kind = "hotline.import"
    title = "导入12345工单"

    def run(self) -> dict[str, Any]:
        ctx = importing.RunContext(job=self.job, progress=self.progress, log=self.log, state=self.job.state)
        return importing.run_import(ctx)


@register
class ClassifyMissingRunner(JobRunner):
    """Give a category to tickets that have none, with the registered text classifier."""

    kind = "hotline.classify_missing"
    title = "12345工单自动分类"

    def run(self) -> dict[str, Any]:
        done = services.ticket_classify_missing(progress=lambda d, t: self.progress(d, t))
        self.log(f"classified {done} tickets")
        return {"classified": done}
