"""A small proposal world: a term with its 2026 session, units with handlers, members with accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from minsheng.core.models import Member, Session, Unit, User
from minsheng.core.tests.factories import (
    MemberFactory,
    SectorFactory,
    SessionFactory,
    TermFactory,
    UnitFactory,
    UserFactory,
)
from minsheng.proposals import services
from minsheng.proposals.models import Proposal

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class World:
    staff: User
    leader: User
    first: Member
    cosigner: Member
    outsider: Member
    lead_unit: Unit
    co_unit: Unit
    other_unit: Unit
    lead_handler: User
    co_handler: User
    other_handler: User
    session: Session


def make_world() -> World:
    term = TermFactory()
    session = SessionFactory(term=term, number=4, name="十四届四次会议", opens_on=dt.date(2026, 1, 21),
                             proposal_cutoff=dt.datetime(2026, 1, 24, 12, 0, tzinfo=TZ))
    health = SectorFactory(name="医药卫生界")
    members = []
    for username, name in (("wang", "王建华"), ("li", "李秀英"), ("zhao", "赵志强")):
        user = UserFactory(username=username, role="member", display_name=name)
        members.append(MemberFactory(name=name, user=user, sector=health, term=term))
    lead, co, other = UnitFactory(name="北京市民政局"), UnitFactory(name="北京市卫生健康委员会"), UnitFactory(name="北京市交通委员会")
    return World(
        staff=UserFactory(username="staff", role="staff", is_staff=True),
        leader=UserFactory(username="leader", role="leader"),
        first=members[0], cosigner=members[1], outsider=members[2], lead_unit=lead, co_unit=co, other_unit=other,
        lead_handler=UserFactory(username="mz", role="unit_handler", unit=lead),
        co_handler=UserFactory(username="wjw", role="unit_handler", unit=co),
        other_handler=UserFactory(username="jtw", role="unit_handler", unit=other),
        session=session,
    )


TEXT = {
    "title": "关于加快老旧小区加装电梯的提案",
    "situation": "全市老旧小区约有六千余栋多层住宅没有电梯，老年居民上下楼困难。",
    "analysis": "审批环节多、居民意见难统一、资金分担机制不清。",
    "suggestions": "一、简化审批；二、建立资金分担机制；三、由街道牵头组织协商。",
}


def filed_proposal(world: World, **extra) -> Proposal:
    """A proposal by world.first, submitted, reviewed twice and filed."""
    proposal = services.proposal_create(actor=world.first.user, term=world.session.term, **{**TEXT, **extra})
    services.proposal_submit(actor=world.first.user, proposal=proposal)
    services.proposal_review(actor=world.staff, proposal=proposal, step="first")
    services.proposal_review(actor=world.staff, proposal=proposal, step="second")
    services.proposal_decide(actor=world.staff, proposal=proposal, outcome="file")
    proposal.refresh_from_db()
    return proposal
