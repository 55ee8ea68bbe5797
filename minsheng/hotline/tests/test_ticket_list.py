"""The ticket list at scale: number look-ups, word search bounded to a month, category subtrees, capped counts."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import login
from minsheng.hotline import selectors
from minsheng.hotline.models import Category

from .factories import BEIJING, TicketFactory

pytestmark = pytest.mark.django_db


def _numbers(user, **filters):
    return sorted(t.number for t in selectors.ticket_list(user=user, **filters))


def test_number_words_and_category_filters(users):
    staff = users["staff"]
    heating = Category.objects.create(name="供暖测试", level=1)
    radiator = Category.objects.create(name="暖气不热", level=2, parent=heating)
    valve = Category.objects.create(name="阀门", level=3, parent=radiator)
    other = Category.objects.create(name="噪音", level=1)
    october = dt.datetime(2025, 10, 8, 9, 0, tzinfo=BEIJING)
    TicketFactory(number="B2025110001", category=valve, text="暖气不热，阀门坏了")
    TicketFactory(number="B2025110002", category=radiator, text="楼上装修噪音")
    TicketFactory(number="B2025100003", category=other, text="暖气不热", received_at=october)
    # A number: that ticket only, even if the number appears in a text.
    assert _numbers(staff, q="B2025110001") == ["B2025110001"]
    # Words with no month: the latest month only; with a month, that month.
    assert _numbers(staff, q="暖气不热") == ["B2025110001"]
    assert _numbers(staff, q="暖气不热", month=dt.date(2025, 10, 1)) == ["B2025100003"]
    # A category means it and everything below it.
    assert _numbers(staff, category=heating.pk) == ["B2025110001", "B2025110002"]
    assert _numbers(staff, category=radiator.pk) == ["B2025110001", "B2025110002"]
    assert _numbers(staff, category=valve.pk) == ["B2025110001"]
    assert sorted(selectors.category_subtree(heating.pk)) == sorted([heating.pk, radiator.pk, valve.pk])
    assert selectors.ticket_years() == [2025]


def test_the_list_counts_up_to_its_limit(client, users, monkeypatch):
    monkeypatch.setattr(selectors, "TICKET_COUNT_LIMIT", 3)
    for _ in range(5):
        TicketFactory()
    login(client, users["staff"])
    page = client.get("/hotline/tickets/").context["page"]
    assert (page.count, page.more, len(page.results)) == (3, True, 3)
    assert 'data-testid="ticket-count">3+<' in client.get("/hotline/tickets/").content.decode()
    body = client.get("/api/hotline/tickets").json()
    assert (body["count"], body["more"]) == (3, True)
    monkeypatch.setattr(selectors, "TICKET_COUNT_LIMIT", 5)
    page = client.get("/hotline/tickets/").context["page"]
    assert (page.count, page.more) == (5, False)
