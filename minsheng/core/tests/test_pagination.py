"""Paging: clamped bounds, and the ids-first read of large result sets giving the same rows in the same order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.core import pagination
from minsheng.core.models import Unit
from minsheng.core.pagination import paginate
from minsheng.core.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return [UnitFactory(name=f"单位{i}") for i in (3, 1, 4, 5, 9, 2, 6)]


def test_pages_are_clamped(units):
    qs = Unit.objects.order_by("name")
    assert (paginate(qs, page=99, page_size=3).page, paginate(qs, page=0, page_size=3).page) == (3, 1)
    assert paginate(qs, page_size=10_000).page_size == pagination.MAX_PAGE_SIZE


@pytest.mark.parametrize("threshold", [1, 10_000])
def test_ids_first_gives_the_same_page_in_the_same_order(units, monkeypatch, threshold):
    monkeypatch.setattr(pagination, "IDS_FIRST_FROM", threshold)
    qs = Unit.objects.exclude(name="单位4").order_by("-name")
    with CaptureQueriesContext(connection) as ctx:
        page = paginate(qs, page=2, page_size=2)
    assert [u.name for u in page.results] == ["单位5", "单位3"]
    assert (page.count, page.pages, page.has_next, page.has_previous) == (6, 3, True, True)
    assert len(ctx.captured_queries) == (3 if threshold == 1 else 2)  # count, ids, rows — or count, rows
    # Values querysets are paged in one step whatever the size.
    assert paginate(qs.values("name"), page=3, page_size=2).results == [{"name": "单位2"}, {"name": "单位1"}]
