"""Services: who may do what, refusals with codes and nothing changed, events, sector coverage and the
three-party figures against a hand-computed fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.core.errors import Conflict, Forbidden, Invalid, InvalidTransition
from minsheng.core.models import Event, Notification
from minsheng.core.tests.factories import SectorFactory, UserFactory
from minsheng.supervision import errors, selectors, services
from minsheng.supervision.models import GroupMembership, ListItem, ProgressUpdate

from .factories import make_world, ticket

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def w():
    return make_world()


def _item(w, **kw):
    return services.list_item_create(actor=w.staff, problem=w.problem, kind=kw.pop("kind", "task"),
                                     text=kw.pop("text", "新建充电桩5000个"), owner=kw.pop("owner", w.lead_unit), **kw)


def test_planning_is_staff_only_and_records_events(w):
    with pytest.raises(Forbidden):
        services.topic_year_create(actor=w.wang.user, year=2026, title="2026年每月一题")
    with pytest.raises(Forbidden):
        services.problem_add(actor=w.lead_handler, topic=w.topic, text="x")
    with pytest.raises(Conflict) as exc:
        services.topic_year_create(actor=w.staff, year=2025, title="重复")
    assert exc.value.code == errors.YEAR_EXISTS
    assert Event.objects.filter(verb="topic_created", target_id=str(w.topic.pk)).exists()
    assert Event.objects.filter(verb="problem_added").count() == 2
    assert Notification.objects.filter(recipient=w.wang.user).exists()  # the convener is told


def test_a_topic_has_at_most_three_problems(w):
    services.problem_add(actor=w.staff, topic=w.topic, text="充电收费不透明")
    with pytest.raises(Invalid) as exc:
        services.problem_add(actor=w.staff, topic=w.topic, text="第四个")
    assert exc.value.code == errors.TOO_MANY_PROBLEMS
    assert w.topic.problems.count() == 3


def test_one_group_per_problem(w):
    with pytest.raises(Conflict) as exc:
        services.group_create(actor=w.staff, problem=w.problem)
    assert exc.value.code == errors.GROUP_EXISTS


def test_member_joins_once_and_may_join_several_groups(w):
    services.group_join(actor=w.li.user, group=w.group)
    with pytest.raises(Conflict) as exc:
        services.group_join(actor=w.li.user, group=w.group)
    assert exc.value.code == errors.ALREADY_IN_GROUP
    group2 = services.group_create(actor=w.staff, problem=w.problem2)
    services.group_join(actor=w.li.user, group=group2)
    assert GroupMembership.objects.filter(member=w.li).count() == 2
    assert GroupMembership.objects.get(group=w.group, member=w.li).joined_via == "volunteer"
    assert Notification.objects.filter(recipient=w.wang.user, title__contains="李秀英").exists()


def test_only_members_sign_up(w):
    with pytest.raises(Forbidden) as exc:
        services.group_join(actor=w.lead_handler, group=w.group)
    assert exc.value.code == errors.NOT_A_MEMBER
    with pytest.raises(Forbidden):
        services.group_invite(actor=w.wang.user, group=w.group, member=w.li)
    services.group_invite(actor=w.staff, group=w.group, member=w.zhao)
    assert GroupMembership.objects.get(group=w.group, member=w.zhao).joined_via == "invited"
    with pytest.raises(Conflict):
        services.group_invite(actor=w.staff, group=w.group, member=w.zhao)


def test_only_the_owner_unit_or_staff_update_an_item(w):
    item = _item(w, due_date=dt.date(2025, 12, 31))
    for outsider in (w.other_handler, w.wang.user, w.leader):
        with pytest.raises(Forbidden) as exc:
            services.list_item_update(actor=outsider, item=item, note="越权更新")
        assert exc.value.code == errors.NOT_ITEM_OWNER
    assert not ProgressUpdate.objects.exists()
    services.list_item_update(actor=w.lead_handler, item=item, note="已建成1200个", evidence="《推进方案》京管发〔2025〕1号")
    item.refresh_from_db()
    assert item.status == "in_progress"
    services.list_item_update(actor=w.staff, item=item, note="全部建成", status="done")
    item.refresh_from_db()
    assert item.status == "done"
    with pytest.raises(InvalidTransition) as exc:
        services.list_item_update(actor=w.lead_handler, item=item, note="再更新")
    assert exc.value.code == errors.ITEM_DONE
    assert list(Event.objects.filter(verb="item_progress").values_list("to_state", flat=True).order_by("id")) == \
        ["in_progress", "done"]


def test_item_validation_and_overdue(w):
    with pytest.raises(Invalid) as exc:
        _item(w, kind="wish")
    assert exc.value.fields == {"kind": "choice"}
    with pytest.raises(Invalid):
        _item(w, text="  ")
    late = _item(w, due_date=dt.date(2020, 1, 1))
    assert late.is_overdue
    assert list(selectors.item_list(w.staff, overdue=True)) == [late]
    assert Notification.objects.filter(recipient=w.lead_handler).exists()


def test_activity_by_group_members_only(w):
    with pytest.raises(Forbidden) as exc:
        services.activity_log(actor=w.li.user, problem=w.problem, kind="research", held_on=dt.date(2025, 5, 8),
                              place="朝阳区某小区")
    assert exc.value.code == errors.NOT_IN_GROUP
    services.group_join(actor=w.li.user, group=w.group)
    act = services.activity_log(actor=w.li.user, problem=w.problem, kind="consultation", held_on=dt.date(2025, 5, 8),
                                place="京华议事厅", at_council_hall=True, participants=[w.wang, w.li], person_count=12)
    assert act.person_count == 12 and act.participants.count() == 2
    with pytest.raises(Invalid):
        services.activity_log(actor=w.li.user, problem=w.problem, kind="research", held_on=dt.date(2025, 5, 8),
                              place="x", participants=[w.wang, w.li], person_count=1)
    default = services.activity_log(actor=w.staff, problem=w.problem, kind="look_back", held_on=dt.date(2025, 11, 8),
                                    place="海淀区", participants=[w.wang])
    assert default.person_count == 1


def test_opinion_by_group_member(w):
    op = services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="speech", title="在月度例会上的发言",
                                 text="建议统一充电设施标准。", meeting_date=dt.date(2025, 6, 20))
    assert op.member == w.wang
    with pytest.raises(Forbidden):
        services.opinion_submit(actor=w.zhao.user, problem=w.problem, kind="opinion", title="t", text="x")
    with pytest.raises(Forbidden):
        services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="opinion", title="t", text="x", member=w.li)
    with pytest.raises(Invalid):
        services.opinion_submit(actor=w.wang.user, problem=w.problem, kind="opinion", title="t", text="")


def test_sector_coverage(w):
    SectorFactory(name="已撤销界别", active=False)
    cov = selectors.sector_coverage(w.topic_year)
    assert [s.name for s in cov.covered] == ["医药卫生界"]  # the convener 王建华
    assert [s.name for s in cov.missing] == ["经济界", "教育界"]
    group2 = services.group_create(actor=w.staff, problem=w.problem2)
    services.group_join(actor=w.li.user, group=group2)
    services.group_invite(actor=w.staff, group=w.group, member=w.zhao)
    cov = selectors.sector_coverage(w.topic_year)
    assert cov.missing == [] and cov.sectors == 3


def test_three_party_volumes_against_hand_computed_fixture(w):
    """Topic month 2025-04, window 2: months 2025-02 … 2025-05. Linked category 城市管理 with its child."""
    t = dt.datetime
    ticket("A1", w.category, t(2025, 2, 3, 9, tzinfo=BJ), unit=w.lead_unit, resolved=False, satisfaction="unsatisfied")
    ticket("A2", w.sub_category, t(2025, 2, 28, 23, 30, tzinfo=BJ), unit=w.lead_unit)  # still February in Beijing
    ticket("A3", w.sub_category, t(2025, 3, 15, 9, tzinfo=BJ), unit=w.lead_unit, resolved=False, satisfaction="basic")
    ticket("A4", w.category, t(2025, 4, 1, 0, 30, tzinfo=BJ), unit=w.lead_unit, summary="小区充电桩太少")
    ticket("A5", w.sub_category, t(2025, 5, 20, 9, tzinfo=BJ), unit=w.lead_unit, summary="充电桩已安装")
    ticket("X1", w.sub_category, t(2025, 1, 20, 9, tzinfo=BJ))  # before the window
    ticket("X2", w.sub_category, t(2025, 6, 1, 9, tzinfo=BJ))  # after the window
    ticket("X3", None, t(2025, 4, 9, 9, tzinfo=BJ))  # no category
    w.topic.refresh_from_db()
    c = selectors.citizens(w.topic, window=2)
    assert [(v.month.isoformat(), v.count, v.after) for v in c.volumes] == [
        ("2025-02-01", 2, False), ("2025-03-01", 1, False), ("2025-04-01", 1, True), ("2025-05-01", 1, True)]
    assert (c.before_total, c.after_total) == (3, 2)
    assert c.change_pct == "-33.3%"  # 1.5 a month before, 1.0 after
    # Resolution over revisited tickets: before 1 of 3, after 2 of 2.
    assert c.before.resolution_rate == pytest.approx(1 / 3)
    assert c.after.resolution_rate == pytest.approx(1.0)
    # Samples are the topic's own tickets that hold its words (the theme 电动自行车充电设施建设 → 充电 …).
    assert [s.number for s in c.samples] == ["A5", "A4"]


def test_three_party_without_categories_is_empty(w):
    c = selectors.citizens(w.topic.__class__.objects.get(pk=w.topic.pk).__class__.objects.create(
        topic_year=w.topic_year, month=5, theme="无分类", lead_unit=w.lead_unit))
    assert c.volumes == [] and c.before is None


def test_overview_totals(w):
    services.group_join(actor=w.li.user, group=w.group)
    item = _item(w)
    services.list_item_update(actor=w.lead_handler, item=item, note="完成", status="done")
    _item(w, kind="policy", due_date=dt.date(2020, 1, 1))
    services.activity_log(actor=w.li.user, problem=w.problem, kind="research", held_on=dt.date(2025, 5, 8),
                          place="通州", person_count=7)
    services.opinion_submit(actor=w.li.user, problem=w.problem, kind="speech", title="发言", text="内容")
    ov = selectors.overview(w.topic_year)
    assert ov.totals == {"problems": 2, "members": 2, "sign_ups": 2, "items": 2, "done": 1, "overdue": 1,
                         "activities": 1, "person_count": 7, "opinions": 1, "speeches": 1, "opinion_reports": 0,
                         "proposals": 0}
    gov = selectors.government(w.problem)
    assert (gov.total, gov.done, gov.overdue) == (2, 1, 1)
    assert ListItem.objects.count() == 2
    assert UserFactory  # factories importable for the view tests


def test_three_party_months_never_imported_are_no_data_and_samples_belong_to_the_problem(w):
    """Topic month 2025-04, window 2: nothing at all was imported for 2025-02, so it is missing, not 0; a ticket of
    the topic's categories that does not speak of its problem is never a sample."""
    t = dt.datetime
    ticket("B1", w.sub_category, t(2025, 3, 5, 9, tzinfo=BJ), unit=w.lead_unit, summary="小区充电桩不够用")
    ticket("B2", w.sub_category, t(2025, 4, 6, 9, tzinfo=BJ), unit=w.lead_unit, summary="公共厕所无人保洁",
           text="公共厕所无人保洁，气味很大")
    ticket("B3", w.sub_category, t(2025, 4, 7, 9, tzinfo=BJ), unit=w.lead_unit, summary="楼下充电桩坏了",
           text="楼下充电桩坏了，电动自行车没处充电")
    ticket("B4", w.sub_category, t(2025, 5, 7, 9, tzinfo=BJ), unit=w.lead_unit, summary="红绿灯时间太短",
           text="路口红绿灯时间太短")
    w.topic.refresh_from_db()
    c = selectors.citizens(w.topic, window=2, keywords=selectors.problem_keywords(w.problem))
    assert [(v.month.isoformat(), v.count) for v in c.volumes] == [
        ("2025-02-01", None), ("2025-03-01", 1), ("2025-04-01", 2), ("2025-05-01", 1)]
    assert (c.before_total, c.after_total) == (1, 3)
    assert c.change_pct == "+50.0%"  # 1 a month over the one month with data before, 1.5 after
    assert [s.number for s in c.samples] == ["B3"]
