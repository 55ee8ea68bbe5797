"""A small supervision world: a 2025 topic year with one topic and two problems, units with handlers,
members in three sectors, and hotline categories linked to the topic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minsheng.core.models import Member, Sector, Unit, User
from minsheng.core.tests.factories import MemberFactory, SectorFactory, TermFactory, UnitFactory, UserFactory
from minsheng.hotline.models import Category
from minsheng.supervision import services
from minsheng.supervision.models import Problem, SupervisionGroup, Topic, TopicYear


@dataclass
class World:
    staff: User
    leader: User
    lead_unit: Unit
    other_unit: Unit
    lead_handler: User
    other_handler: User
    wang: Member
    li: Member
    zhao: Member
    sectors: list[Sector]
    topic_year: TopicYear
    topic: Topic
    problem: Problem
    problem2: Problem
    group: SupervisionGroup
    category: Category
    sub_category: Category


def make_world() -> World:
    term = TermFactory()
    sectors = [SectorFactory(name=n) for n in ("医药卫生界", "经济界", "教育界")]
    members = []
    for (username, name), sector in zip((("wang", "王建华"), ("li", "李秀英"), ("zhao", "赵志强")), sectors, strict=True):
        user = UserFactory(username=username, role="member", display_name=name)
        members.append(MemberFactory(name=name, user=user, sector=sector, term=term))
    staff = UserFactory(username="staff", role="staff", is_staff=True)
    lead, other = UnitFactory(name="北京市城市管理委员会"), UnitFactory(name="北京市交通委员会")
    category = Category.objects.create(name="测试·充电设施管理")
    sub = Category.objects.create(name="电动自行车充电", parent=category)
    topic_year = services.topic_year_create(actor=staff, year=2025, title="2025年每月一题")
    topic = services.topic_create(actor=staff, topic_year=topic_year, month=4, theme="电动自行车充电设施建设",
                                  lead_unit=lead, co_units=[other], categories=[category])
    problem = services.problem_add(actor=staff, topic=topic, text="老旧小区充电桩不足")
    problem2 = services.problem_add(actor=staff, topic=topic, text="飞线充电屡禁不止")
    group = services.group_create(actor=staff, problem=problem, convener=members[0])
    return World(
        staff=staff, leader=UserFactory(username="leader", role="leader"), lead_unit=lead, other_unit=other,
        lead_handler=UserFactory(username="cgw", role="unit_handler", unit=lead),
        other_handler=UserFactory(username="jtw", role="unit_handler", unit=other),
        wang=members[0], li=members[1], zhao=members[2], sectors=sectors, topic_year=topic_year, topic=topic,
        problem=problem, problem2=problem2, group=group, category=category, sub_category=sub,
    )


def ticket(number: str, category: Category | None, received: dt.datetime, **fields):
    from minsheng.hotline.tests.factories import TicketFactory

    return TicketFactory(number=number, category=category, received_at=received, **fields)


def proposal(member: Member, title: str = "关于加快老旧小区充电桩建设的提案", *, submit: bool = True, cosigners=()):
    """A proposal by `member` (first proposer) in session 14-4, submitted unless `submit` is False: its number
    is 14-4-000n in the order made."""
    from minsheng.core.models import Session
    from minsheng.core.tests.factories import SessionFactory
    from minsheng.proposals import services as proposals

    term = member.term
    if not Session.objects.filter(term=term).exists():
        SessionFactory(term=term, number=4, name="十四届四次会议")
    made = proposals.proposal_create(actor=member.user, term=term, title=title, cosigners=cosigners,
                                     situation="老旧小区充电桩不足，飞线充电隐患突出。", analysis="缺少场地、电力增容难。",
                                     suggestions="一、统筹场地；二、电力增容；三、加强巡查。")
    for cosigner in cosigners:
        proposals.proposer_confirm(actor=cosigner.user, proposal=made)
    if submit:
        proposals.proposal_submit(actor=member.user, proposal=made)
    made.refresh_from_db()
    return made
