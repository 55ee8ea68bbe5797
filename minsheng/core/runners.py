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
