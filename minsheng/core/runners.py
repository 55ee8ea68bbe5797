"""Job runners of the core app."""

from __future__ import annotations

from typing import Any

from .jobs import JobRunner, register
from .search import search_rebuild


@register
class SearchRebuildRunner(JobRunner):
    """Rebuild the Chinese search column of every registered source (or of `params["labels"]`)."""

    kind = "core.search_rebuild"
    title = "重建全文检索索引"

    def run(self) -> dict[str, Any]:
        labels = self.params.get("labels") or None
        count = search_rebuild(labels=labels, progress=lambda done, total: self.progress(done, total))
        self.log(f"indexed {count} objects")
        return {"indexed": count}


@register
class NotificationsDigestRunner(JobRunner):
    """The daily digest of `params["date"]` (today by default): for each person with follow or info items
    waiting for it, one notification 今日动态（N 条） that groups them. Idempotent per day; resumes after the
    last person done."""

    kind = "core.notifications_digest"
    title = "每日通知汇总"

    def run(self) -> dict[str, Any]:
        import datetime as dt

        from django.utils import timezone

        from .models import User
        from .selectors import notification_digest_recipients
        from .services import notification_digest_make

        day = dt.date.fromisoformat(self.params["date"]) if self.params.get("date") else timezone.localdate()
        done, digests, items = (self.state.get(k, 0) for k in ("done", "digests", "items"))
        pending = notification_digest_recipients(day=day, after=self.state.get("after", 0))
        total = done + len(pending)
        self.progress(done, total, force=True)
        for user in User.objects.filter(pk__in=pending).order_by("pk").iterator():
            digest = notification_digest_make(recipient=user, day=day)
            if digest is not None:
                digests += 1
                items += digest.items.count()
            done += 1
            self.checkpoint(after=user.pk, done=done, digests=digests, items=items)
            self.progress(done, total)
        self.log(f"{day}: {digests} digests grouping {items} notifications")
        return {"date": day.isoformat(), "digests": digests, "items": items}
