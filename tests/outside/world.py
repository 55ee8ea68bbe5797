"""The world the access matrix is checked in: one person per role, and one object of each situation that
permissions tell apart (another member's draft, a proposal not yet public, another unit's handling, …).

Every object is made through the services, as a user would make it. `names(world)` maps the matrix's
placeholders (`{proposal}`, `{other_handling}`, …) to ids.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.models import Area, Job, Member, Notification, Unit, User

TZ = ZoneInfo("Asia/Shanghai")

# The matrix's columns, in order.
ROLES = ["anon", "member", "member2", "unit", "unit2", "district", "staff", "leader"]

TEXT = {
    "title": "关于加快老旧小区加装电梯的提案",
    "situation": "全市老旧小区约有六千余栋多层住宅没有电梯，老年居民上下楼困难。",
    "analysis": "审批环节多、居民意见难统一、资金分担机制不清。",
    "suggestions": "一、简化审批；二、建立资金分担机制；三、由街道牵头组织协商。",
}


@dataclass
class World:
    users: dict[str, User | None]
    ids: dict[str, object] = field(default_factory=dict)


def build() -> World:
    from minsheng.core import jobs
    from minsheng.core.services import api_token_create, attachment_add, notify
    from minsheng.core.tests.factories import (
        AreaFactory,
        MemberFactory,
        SectorFactory,
        SessionFactory,
        TermFactory,
        UnitFactory,
        UserFactory,
    )
    from minsheng.hotline.tests.factories import TicketFactory
    from minsheng.proposals import services as proposals
    from minsheng.proposals.models import ResultCategory
    from minsheng.supervision import services as supervision

    term = TermFactory()
    SessionFactory(term=term, number=4, name="十四届四次会议", opens_on=dt.date(2026, 1, 21),
                   proposal_cutoff=dt.datetime(2026, 1, 24, 12, 0, tzinfo=TZ))
    sector = SectorFactory(name="医药卫生界")
    chaoyang = Area.objects.filter(code="110105").first() or AreaFactory(level="district", name="朝阳区", code="110105")
    haidian = Area.objects.filter(code="110108").first() or AreaFactory(level="district", name="海淀区", code="110108")
    unit1, unit2 = UnitFactory(name="北京市民政局"), UnitFactory(name="北京市交通委员会")
    member_user = UserFactory(username="m1", role="member", display_name="王建华")
    member2_user = UserFactory(username="m2", role="member", display_name="李秀英")
    member = MemberFactory(user=member_user, name="王建华", sector=sector, term=term, area=chaoyang)
    member2 = MemberFactory(user=member2_user, name="李秀英", sector=sector, term=term, area=haidian)
    users: dict[str, User | None] = {
        "anon": None,
        "member": member_user,
        "member2": member2_user,
        "unit": UserFactory(username="u1", role="unit_handler", unit=unit1),
        "unit2": UserFactory(username="u2", role="unit_handler", unit=unit2),
        # District staff of another district than the member's (the member sits for 朝阳区).
        "district": UserFactory(username="d1", role="district_staff", district=haidian),
        "staff": UserFactory(username="s1", role="staff", is_staff=True),
        "leader": UserFactory(username="l1", role="leader"),
    }
    staff = users["staff"]
    world = World(users=users)
    ids = world.ids

    def new(**extra):
        return proposals.proposal_create(actor=member_user, term=term, **{**TEXT, **extra})

    # Proposals: a draft, one in first review, one filed and handled by two units separately (分办).
    draft = new(title="草稿：关于社区食堂的提案")
    review = new(title="初审中：关于养老驿站的提案")
    proposals.proposal_submit(actor=member_user, proposal=review)
    proposals.proposal_review(actor=staff, proposal=review, step="first")
    handled = new(title="承办中：关于加装电梯的提案")
    proposals.proposal_submit(actor=member_user, proposal=handled)
    proposals.proposal_review(actor=staff, proposal=handled, step="first")
    proposals.proposal_review(actor=staff, proposal=handled, step="second")
    proposals.proposal_decide(actor=staff, proposal=handled, outcome="file")
    proposals.proposal_assign(actor=staff, proposal=handled, mode="separate", units=[unit1, unit2],
                              start=dt.date(2026, 9, 21))
    handling = handled.handlings.get(unit=unit1)
    other_handling = handled.handlings.get(unit=unit2)
    proposals.handling_sign(actor=users["unit"], handling=handling)
    proposals.handling_contact(actor=users["unit"], handling=handling, method="meeting", contacted_on=dt.date(2026, 9, 25))
    category = ResultCategory.objects.order_by("code").first()
    proposals.handling_draft_reply(actor=users["unit"], handling=handling, category=category, text="已列入计划。",
                                   contact_person="张三", contact_phone="010-12345678")
    request = proposals.handling_request_extension(actor=users["unit2"], handling=other_handling, reason="需要调研",
                                                   requested_due=dt.date(2027, 3, 1))
    ids.update(draft=draft.pk, review=review.pk, proposal=handled.pk, handling=handling.pk,
               other_handling=other_handling.pk, request=request.pk)
    # 每月一题: a year, a topic led by unit 1, a problem with a group, a list item owned by unit 1.
    year = supervision.topic_year_create(actor=staff, year=2026, title="2026年每月一题")
    topic = supervision.topic_create(actor=staff, topic_year=year, month=4, theme="电动自行车充电设施建设",
                                     lead_unit=unit1, co_units=[unit2], categories=[])
    problem = supervision.problem_add(actor=staff, topic=topic, text="老旧小区充电桩不足")
    group = supervision.group_create(actor=staff, problem=problem, convener=member)
    item = supervision.list_item_create(actor=staff, problem=problem, kind="task", text="充电桩缺口", owner=unit1)
    ids.update(year=year.pk, topic=topic.pk, problem=problem.pk, group=group.pk, item=item.pk)
    # 12345: a ticket of each unit.
    ticket = TicketFactory(unit=unit1, district=chaoyang)
    other_ticket = TicketFactory(unit=unit2, district=haidian)
    ids.update(ticket=ticket.pk, other_ticket=other_ticket.pk)
    # Core: the members, a unit, a job of staff's, a notification and a token of the member's, an attachment
    # on the member's draft.
    job = jobs.job_create(kind="core.search_rebuild", actor=staff)
    note = notify(recipients=[member_user], title="测试通知")[0]
    token, _key = api_token_create(actor=member_user, name="script")
    attachment = attachment_add(actor=member_user, target=draft,
                                upload=SimpleUploadedFile("材料.txt", "附件内容".encode(), content_type="text/plain"))
    ids.update(member_record=member.pk, member2_record=member2.pk, unit_id=unit1.pk, job=str(job.pk),
               notification=note.pk, token=token.pk, attachment=attachment.pk, district_id=chaoyang.pk,
               missing=2**62, uuid=str(uuid.UUID(int=1)))
    return world


def names(world: World) -> dict[str, object]:
    return dict(world.ids)


__all__ = ["ROLES", "World", "build", "names", "Job", "Member", "Notification", "Unit"]
