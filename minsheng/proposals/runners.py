"""Job runners and tasks of the proposals app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minsheng.core.jobs import JobRunner, register

from .services import handlings_check_deadlines


@register
class DeadlineCheckRunner(JobRunner):
    """The daily deadline run: reminders before due, overdue marking, escalation (idempotent per day)."""

    kind = "proposals.check_deadlines"
    title = "提案办理期限检查"

    def run(self) -> dict[str, Any]:
        day = self.params.get("date")
        counts = handlings_check_deadlines(today=dt.date.fromisoformat(day) if day else None)
        self.log(", ".join(f"{k} {v}" for k, v in counts.items()))
        return counts
