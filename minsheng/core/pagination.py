"""One way to page a queryset, for the API and the pages: a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE_SIZE = 200


@dataclass
class PageOf:
    count: int
    page: int
    page_size: int
    results: list[Any]

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(qs: QuerySet, *, page: int = 1, page_size: int = 50) -> PageOf:
    """Slice `qs` to one page; `page` and `page_size` are clamped to sensible bounds."""
    page_size = max(1, min(int(page_size or 50), MAX_PAGE_SIZE))
    count = qs.count()
    last = max(1, -(-count // page_size))
    page = max(1, min(int(page or 1), last))
    start = (page - 1) * page_size
    return PageOf(count=count, page=page, page_size=page_size, results=list(qs[start:start + page_size]))
