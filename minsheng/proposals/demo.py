"""Demo proposals: about 1,500 in every state, with handling records, replies, evaluations and overdue
items, all made through the services so every one has its timeline."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from minsheng.core.demo import TZ, EventClock, register_step
from minsheng.core.models import LivelihoodTag, Member, Session, Unit, User

from . import services
from .models import NotFiledReason, Proposal, Proposer, ResultCategory, SubjectArea

TOPICS = [
    ("老旧小区加装电梯", "城乡建设管理", "住有所居"), ("社区养老服务驿站运营", "公共事业发展", "老有所养"),
    ("普惠托育服务供给", "公共事业发展", "幼有所育"), ("中小学课后服务质量", "公共事业发展", "学有所教"),
    ("基层医疗机构药品配备", "公共事业发展", "病有所医"), ("新就业形态劳动者权益保障", "社会法治建设", "劳有所得"),
    ("残疾人就业帮扶", "社会法治建设", "弱有所扶"), ("背街小巷环境整治", "城乡建设管理", "宜居性"),
    ("居住区停车难治理", "城乡建设管理", "便利性"), ("垃圾分类长效机制", "城乡建设管理", "宜居性"),
    ("冬季供暖质量监管", "城乡建设管理", "住有所居"), ("地铁接驳公交优化", "城乡建设管理", "便利性"),
    ("营商环境一件事集成办", "经济科技", "便利性"), ("专精特新中小企业融资", "经济科技", "劳有所得"),
    ("数字经济标杆城市建设", "经济科技", "多样性"), ("中关村科技成果转化", "经济科技", "多样性"),
    ("农村集体经济发展", "经济科技", "劳有所得"), ("汛期城市内涝防治", "城乡建设管理", "安全性"),
    ("电动自行车充电安全", "社会法治建设", "安全性"), ("老年人数字鸿沟", "公共事业发展", "老有所养"),
    ("中轴线申遗后保护利用", "公共事业发展", "多样性"), ("社区食堂建设", "公共事业发展", "老有所养"),
    ("学前教育学位供给", "公共事业发展", "幼有所育"), ("物业服务质量提升", "城乡建设管理", "宜居性"),
    ("公共法律服务进社区", "社会法治建设", "公正性"), ("慢性病长处方政策", "公共事业发展", "病有所医"),
    ("京津冀协同就医", "公共事业发展", "病有所医"), ("回天地区公共服务提升", "城乡建设管理", "便利性"),
    ("城市副中心职住平衡", "城乡建设管理", "住有所居"), ("保障性租赁住房供给", "城乡建设管理", "住有所居"),
]


def reset() -> None:
    """Remove every proposal (handling records, replies and evaluations go with them)."""
    Proposer.objects.all().delete()
    Proposal.objects.update(merged_into=None)
    Proposal.objects.all().delete()


@register_step("proposals", reset=reset)
def load(size: str, rng: random.Random, say: Callable[[str], None], count: int | None = None) -> None:
    count = count or (1500 if size == "small" else 6000)
    staff = User.objects.get(username="staff")
    leaders = list(User.objects.filter(role="leader"))
    members = list(Member.objects.filter(status="active").exclude(user__isnull=True)) or []
    plain = list(Member.objects.filter(status="active", user__isnull=True)[:400])
    # Give demo members accounts lazily: proposers must be able to evaluate.
    accounts = _member_accounts(plain, rng)
    members += accounts
    units = list(Unit.objects.filter(active=True, kind__in=["government", "district", "party_mass", "enterprise"]))
    session = Session.objects.order_by("-proposal_cutoff").first()
    areas = {a.name: a for a in SubjectArea.objects.all()}
    tags = {t.name: t for t in LivelihoodTag.objects.all()}
    categories = {c.code: c for c in ResultCategory.objects.all()}
    reasons = list(NotFiledReason.objects.all())
    today = timezone.localdate()
    made = 0
    filed_pool: list[int] = []
    # Each call's events are back-dated to the simulated moment of the call (its own random draws, so the
    # demo world stays what the seed makes it).
    clock = EventClock()
    for i in range(count):
        topic, area, tag = rng.choice(TOPICS)
        first = rng.choice(members)
        cosigners = rng.sample([m for m in members if m != first], rng.choice((0, 0, 0, 1, 2)))
        tick = random.Random(i)
        with transaction.atomic():
            drafted = clock.at()
            proposal = services.proposal_create(
                actor=staff, term=session.term, first_member=first, cosigners=cosigners,
                title=f"关于{topic}的提案" if i % 7 else f"关于进一步做好{topic}工作的建议",
                situation=f"近年来，{topic}问题受到群众普遍关注。{first.area.name if first.area_id else '本市'}部分街道反映较为集中。",
                analysis=f"主要原因是政策衔接不够、责任主体不清、资金保障不足，{topic}的长效机制尚未形成。",
                suggestions=f"一、完善{topic}相关政策；二、明确市区街道职责分工；三、建立稳定的资金保障和考核评价机制。",
                subject_area=areas.get(area), tags=[tags[tag]] if tag in tags else [], consent_publish=rng.random() < 0.85,
                is_urgent=rng.random() < 0.01,
            )
            confirmed = clock.at()
            for member in cosigners:
                services.proposer_confirm(actor=member.user, proposal=proposal)
            roll = rng.random()
            if roll < 0.03:
                draft_at = timezone.now() - dt.timedelta(days=tick.randint(2, 40), minutes=tick.randint(0, 600))
                clock.set(drafted, draft_at)
                clock.set(confirmed, draft_at + dt.timedelta(hours=tick.randint(1, 30)))
                continue  # stays a draft
            when = dt.datetime(2026, 1, rng.randint(5, 24), rng.randint(8, 11), tzinfo=TZ) if rng.random() < 0.8 else \
                dt.datetime(2026, rng.randint(2, 10), rng.randint(1, 28), 10, tzinfo=TZ)
            moment = when + dt.timedelta(minutes=tick.randint(0, 59))
            clock.set(drafted, moment - dt.timedelta(days=tick.randint(2, 12), minutes=tick.randint(0, 300)))
            clock.set(confirmed, moment - dt.timedelta(hours=tick.randint(2, 30)))
            clock.at(when)
            services.proposal_submit(actor=first.user or staff, proposal=proposal, now=when)
            if roll < 0.06:
                continue
            moment = _later(clock, moment, tick, days=(1, 6))
            services.proposal_review(actor=staff, proposal=proposal, step="first")
            if roll < 0.08:
                continue
            moment = _later(clock, moment, tick, days=(1, 8))
            services.proposal_review(actor=staff, proposal=proposal, step="second")
            if roll < 0.10:
                continue
            moment = _later(clock, moment, tick, days=(2, 10))
            if roll < 0.11:
                services.proposal_decide(actor=staff, proposal=proposal, outcome="return", note="请补充具体数据和可操作的建议")
                continue
            if roll < 0.13:
                services.proposal_decide(actor=staff, proposal=proposal, outcome="not_file", reason=rng.choice(reasons))
                continue
            if roll < 0.15:
                services.proposal_decide(actor=staff, proposal=proposal, outcome="refer", refer_to=rng.choice(units))
                continue
            target = Proposal.objects.filter(pk__in=filed_pool[-50:], status__in=("filed", "assigned")).first()
            if roll < 0.16 and target:
                services.proposal_decide(actor=staff, proposal=proposal, outcome="merge", merge_into=target)
                continue
            services.proposal_decide(actor=staff, proposal=proposal, outcome="file")
            filed_pool.append(proposal.pk)
            if roll < 0.19:
                continue
            _handle(proposal, rng, staff, leaders, units, categories, today, roll, clock=clock, tick=tick, after=moment)
        made += 1
        if (i + 1) % 250 == 0:
            say(f"  {i + 1} proposals")
    clock.apply()
    say(f"  {Proposal.objects.count()} proposals")


def _later(clock: EventClock, moment: dt.datetime, tick: random.Random, *, days: tuple[int, int]) -> dt.datetime:
    """The moment of the next step: some working hours `days` later; marked for the events it writes."""
    later = (moment + dt.timedelta(days=tick.randint(*days))).replace(hour=tick.randint(9, 17),
                                                                      minute=tick.randint(0, 59))
    later = max(later, moment + dt.timedelta(minutes=5))
    clock.at(later)
    return later


def _between(start: dt.datetime, end: dt.datetime, share: float) -> dt.datetime:
    return start + (end - start) * share


def _member_accounts(plain: list[Member], rng: random.Random) -> list[Member]:
    users = []
    for member in plain:
        user = User(username=f"demo_m{member.pk}", role="member", display_name=member.name)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="demo_m")}
    for member in plain:
        member.user = by_name[f"demo_m{member.pk}"]
    Member.objects.bulk_update(plain, ["user"])
    return plain


def _handle(proposal: Proposal, rng: random.Random, staff: User, leaders: list[User], units: list[Unit],
            categories: dict, today: dt.date, roll: float, *, clock: EventClock, tick: random.Random,
            after: dt.datetime) -> None:
    start = today - dt.timedelta(days=rng.randint(15, 150))
    mode = rng.choice(("single", "single", "single", "separate", "lead"))
    chosen = rng.sample(units, 3)
    # The handling's events fall between its assignment and now, in the order the steps are written.
    now = timezone.now()
    assigned = max(dt.datetime.combine(start, dt.time(10, tick.randint(0, 59)), tzinfo=TZ),
                   after + dt.timedelta(hours=2))
    assigned = min(assigned, now - dt.timedelta(hours=1))
    last = [assigned]

    def at(moment: dt.datetime) -> None:
        last[0] = max(moment, last[0] + dt.timedelta(minutes=1))
        clock.at(last[0])

    clock.at(assigned)
    if mode == "single":
        handlings = services.proposal_assign(actor=staff, proposal=proposal, mode=mode, units=chosen[:1], start=start)
    elif mode == "separate":
        handlings = services.proposal_assign(actor=staff, proposal=proposal, mode=mode, units=chosen[:2], start=start)
    else:
        handlings = services.proposal_assign(actor=staff, proposal=proposal, mode=mode, units=chosen[:1], co_units=chosen[1:2], start=start)
    if rng.random() < 0.05 and leaders:
        at(_between(assigned, now, 0.02))
        services.proposal_mark_key(actor=staff, proposal=proposal, leader=rng.choice(leaders))
    progress = rng.random()
    handler_for = {}
    for h in handlings:
        handler = User.objects.filter(unit=h.unit, role="unit_handler").first() or _unit_handler(h.unit)
        handler_for[h.pk] = handler
        if progress < 0.1:
            continue  # not yet signed (some will be overdue)
        signed = _between(assigned, now, tick.uniform(0.03, 0.08))
        at(signed)
        services.handling_sign(actor=handler, handling=h)
        method = rng.choice(("meeting", "phone", "symposium", "visit"))
        contacted_on = start + dt.timedelta(days=rng.randint(3, 14))
        contacted = max(dt.datetime.combine(contacted_on, dt.time(15, tick.randint(0, 59)), tzinfo=TZ),
                        signed + dt.timedelta(minutes=30))
        at(min(contacted, _between(assigned, now, 0.3)))
        services.handling_contact(actor=handler, handling=h, method=method, contacted_on=contacted_on,
                                  note="与提案者沟通办理思路")
        if h.mode == "co":
            at(_between(assigned, now, tick.uniform(0.32, 0.45)))
            services.handling_send_opinion(actor=handler, handling=h, text="同意主办单位意见，将配合做好相关工作。")
    if progress < 0.3 or roll < 0.25:
        return  # still being handled
    replying = [h for h in handlings if h.mode != "co"]
    for h in replying:
        code = rng.choices(["A", "B", "C"], weights=[62, 28, 10])[0]
        drafted = _between(assigned, now, tick.uniform(0.5, 0.7))
        at(drafted)
        services.handling_draft_reply(actor=handler_for[h.pk], handling=h, category=categories[code],
                                      text="经认真研究，现答复如下：一、……二、……三、……", signer="分管局领导", contact_person="经办人",
                                      contact_phone="010-12345678")
        at(_between(drafted, now, 0.1))
        for co in h.co_handlings.all():
            services.handling_countersign(actor=handler_for[co.pk], handling=co)
        at(_between(drafted, now, tick.uniform(0.2, 0.3)))
        services.reply_review(actor=staff, handling=h, approve=True)
    if roll < 0.40:
        return  # replied, awaiting evaluation
    at(_between(assigned, now, tick.uniform(0.85, 0.97)))
    for h in replying:
        for proposer in proposal.proposers.select_related("member__user"):
            satisfaction = rng.choices(["satisfied", "basic", "dissatisfied"], weights=[80, 17, 3])[0]
            services.evaluation_submit(actor=proposer.member.user, handling=h, satisfaction=satisfaction,
                                       attitude="满意", pertinence="针对", result_view="同意")


def _unit_handler(unit: Unit) -> User:
    user = User(username=f"demo_u{unit.pk}", role="unit_handler", unit=unit, display_name=f"{unit.short_name or unit.name}经办人")
    user.set_unusable_password()
    user.save()
    return user
