"""Demo supervision: Beijing's 2024-style list of 13 problems in five monthly topics, one group per
problem covering all 32 sectors, the three lists in progress, activities, opinions and the proposals
written on each problem linked to it (the proposals step runs first) — all through the services, so
every change has its timeline. Fast: a few hundred service calls."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from minsheng.core.demo import TZ, EventClock, register_step
from minsheng.core.models import LivelihoodTag, Member, Sector, Unit, User
from minsheng.hotline.models import Category, Ticket
from minsheng.proposals.models import Proposal

from . import services
from .choices import PROPOSAL_UNLINKABLE
from .models import SupervisionGroup, TopicYear

# (month, theme, lead department, co-departments, linked top-level categories, tag, problems)
PLAN = [
    (1, "交通出行", "北京市交通委员会", ["北京市公安局", "北京市城市管理委员会"], ["交通管理", "城市管理"], "便利性",
     ["电动自行车充电设施建设", "小区周边公共停车资源有偿错时共享", "校园周边交通综合治理"]),
    (3, "就业与就医", "北京市人力资源和社会保障局", ["北京市卫生健康委员会", "北京市民政局"], ["劳动和社会保障", "医疗卫生"], "劳有所得",
     ["重点群体就业质量", "医疗秩序管理"]),
    (5, "城市环境", "北京市园林绿化局", ["北京市生态环境局", "北京市公安局"], ["环境保护", "城市管理"], "宜居性",
     ["公园管理服务优化", "文明养犬", "餐饮油烟治理"]),
    (7, "消费服务", "北京市市场监督管理局", ["北京市文化和旅游局", "北京市体育局", "北京市商务局"], ["市场管理"], "安全性",
     ["旅行社管理", "快递末端网点投递服务质量", "体育行业预付式消费治理"]),
    (9, "住房与物业", "北京市住房和城乡建设委员会", ["北京市市场监督管理局", "北京市民政局"], ["住房", "城乡建设"], "住有所居",
     ["居民住宅老旧电梯安全监管", "物业服务规范管理"]),
]
LISTS = [
    ("responsibility", "明确{p}牵头部门与属地街乡责任分工"), ("responsibility", "建立{p}问题台账，逐项销号"),
    ("policy", "出台{p}工作方案"), ("policy", "修订{p}相关管理办法"),
    ("task", "完成{p}重点点位排查"), ("task", "开展{p}专项整治行动"), ("task", "建立{p}长效考核机制"),
]
ACTIVITIES = [("research", "{d}街道及重点小区"), ("symposium", "市政协机关会议室"), ("consultation", "京华议事厅"),
              ("inspection", "{d}相关点位"), ("look_back", "{d}整改点位")]
DISTRICTS = ["东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区", "大兴区", "顺义区"]


def reset() -> None:
    """Remove every topic year (topics, problems, groups, lists, activities and opinions go with it)."""
    TopicYear.objects.all().delete()


def _unit(name: str, fallback: list[Unit]) -> Unit:
    return Unit.objects.filter(name=name).first() or fallback[0]


@register_step("supervision", reset=reset)
def load(size: str, rng: random.Random, say: Callable[[str], None]) -> None:
    staff = User.objects.get(username="staff")
    latest = Ticket.objects.order_by("-month").values_list("month", flat=True).first()
    year = latest.year if latest else timezone.localdate().year
    fallback = list(Unit.objects.filter(active=True).order_by("id")[:1])
    if not fallback:
        say("  no units: supervision demo skipped")
        return
    desk_unit = User.objects.filter(username="unit").values_list("unit", flat=True).first()
    categories = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    tags = {t.name: t for t in LivelihoodTag.objects.all()}
    sectors = list(Sector.objects.filter(active=True).order_by("order", "id"))
    by_sector: dict[int, list[Member]] = {}
    for m in Member.objects.filter(status="active").select_related("user").order_by("id"):
        by_sector.setdefault(m.sector_id, []).append(m)
    today = timezone.localdate()
    # Each call's events are back-dated to the simulated moment of the call (the plan in January, a problem's
    # lists and activities from its month on), with the clock's own random draws.
    clock, tick = EventClock(), random.Random(year)

    def at(day: dt.date, hour: int = 10) -> None:
        clock.at(dt.datetime.combine(day, dt.time(hour, tick.randint(0, 59)), tzinfo=TZ))

    with transaction.atomic():
        at(dt.date(year, 1, 6), 9)
        topic_year = services.topic_year_create(actor=staff, year=year, title=f"{year}年“每月一题”民主监督")
        problems = []
        for month, theme, lead, co, cats, tag, texts in PLAN:
            at(dt.date(year, 1, 8), 9 + len(problems) // 3)
            topic = services.topic_create(
                actor=staff, topic_year=topic_year, month=month, theme=theme, lead_unit=_unit(lead, fallback),
                co_units=[u for u in Unit.objects.filter(name__in=co)],
                categories=[categories[c] for c in cats if c in categories], tags=[tags[tag]] if tag in tags else [])
            problems += [(topic, services.problem_add(actor=staff, topic=topic, text=text)) for text in texts]
        # One group per problem; every sector gets at least one member somewhere (界别全覆盖).
        pools = [by_sector.get(s.pk, []) for s in sectors]
        groups = []
        for i, (_topic, problem) in enumerate(problems):
            pool = pools[i % len(pools)] or [m for p in pools for m in p[:1]]
            at(dt.date(year, 1, 13 + i % 3), 14)
            groups.append(services.group_create(actor=staff, problem=problem, convener=pool[0] if pool else None))
        for k, pool in enumerate(pools):
            if not pool:
                continue
            for j, member in enumerate(pool[1:4] if k < len(problems) else pool[:3]):
                group = groups[(k + j * 5) % len(groups)]
                if group.convener_id == member.pk:
                    continue
                at(dt.date(year, 1, 16 + tick.randint(0, 12)), tick.randint(9, 20))
                if member.user_id and rng.random() < 0.6:
                    services.group_join(actor=member.user, group=group)
                else:
                    services.group_invite(actor=staff, group=group, member=member)
        for (topic, problem), group in zip(problems, groups, strict=True):
            start = dt.date(year, topic.month, 1)
            members = list(group.members.all())
            for n, (kind, text) in enumerate(LISTS):
                owner = topic.lead_unit if n % 3 else (Unit.objects.filter(pk=desk_unit).first() if desk_unit and n == 0
                                                       and problem.order == 1 else topic.lead_unit)
                at(start + dt.timedelta(days=n // 3), 10 + n % 3)
                item = services.list_item_create(actor=staff, problem=problem, kind=kind, text=text.format(p=problem.text),
                                                 owner=owner, due_date=start + dt.timedelta(days=60 + 30 * n))
                roll = rng.random()
                if start <= today and roll < 0.75:
                    at(_before(start + dt.timedelta(days=tick.randint(14, 40)), today), 16)
                    services.list_item_update(actor=staff, item=item, note="已制定推进计划并启动实施",
                                              evidence="工作方案及会议纪要")
                    if roll < 0.4:
                        at(_before(start + dt.timedelta(days=tick.randint(45, 50 + 30 * n)), today), 17)
                        services.list_item_update(actor=staff, item=item, note="已完成并通过验收", status="done",
                                                  evidence="验收报告、现场照片")
            for n in range(rng.randint(7, 11)):
                kind, place = ACTIVITIES[n % len(ACTIVITIES)]
                held = start + dt.timedelta(days=7 + 19 * n)
                if held > today and n > 2:
                    break
                people = rng.sample(members, min(len(members), rng.randint(2, 6))) if members else []
                at(_before(held + dt.timedelta(days=1), today), 18)
                services.activity_log(actor=staff, problem=problem, kind=kind, held_on=held,
                                      place=place.format(d=rng.choice(DISTRICTS)), participants=people,
                                      person_count=len(people) + rng.randint(3, 15), at_council_hall=kind == "consultation",
                                      summary=f"围绕{problem.text}听取部门情况介绍，实地查看并与群众座谈。")
            for n, member in enumerate(members[:2]):
                at(_before(dt.date(year, topic.month, 20) + dt.timedelta(days=2 * n), today), 15)
                services.opinion_submit(
                    actor=staff, problem=problem, member=member, kind="speech" if n == 0 else "opinion",
                    title=f"关于{problem.text}的{'月度例会发言' if n == 0 else '意见建议'}",
                    text=f"建议进一步压实{topic.lead_unit.name}牵头责任，完善{problem.text}长效机制，加强数据共享与群众评价。",
                    meeting_date=dt.date(year, topic.month, 20) if n == 0 else None)
        linked = link_proposals(groups, staff, clock=clock)
        clock.apply()
    say(f"  {len(problems)} problems in {len(PLAN)} topics, {len(groups)} groups, {linked} proposals linked")


def _before(day: dt.date, today: dt.date) -> dt.date:
    """A day of the simulation, no later than today (an event is not written in the future)."""
    return min(day, today)


# Words too common in proposal titles and problems to say that one is about the other.
GENERIC_WORDS = ("进一步做好", "关于", "提案", "建议", "工作", "加快", "设施", "建设", "管理", "服务", "质量", "治理", "安全",
                 "规范", "优化", "综合", "提升", "机制", "的")


def _bigrams(text: str) -> set[str]:
    for word in GENERIC_WORDS:
        text = text.replace(word, " ")
    pairs = {text[i:i + 2] for i in range(len(text) - 1)}
    return {pair for pair in pairs if " " not in pair}


def link_proposals(groups: list[SupervisionGroup], staff: User, *, per_group: int = 2,
                   clock: EventClock | None = None) -> int:
    """Link to each problem up to `per_group` submitted proposals written on it (their titles share words
    with the problem): a proposer in the problem's group links their own, staff link the others. None when
    the proposals step did not run."""
    proposals = list(Proposal.objects.filter(serial__isnull=False).exclude(status__in=PROPOSAL_UNLINKABLE)
                     .prefetch_related("proposers").order_by("id"))
    linked = 0
    for group in groups:
        words = _bigrams(group.problem.text)
        scored = sorted(((len(words & _bigrams(p.title)), p.pk, p) for p in proposals), key=lambda t: (-t[0], t[1]))
        members = {m.pk: m for m in group.members.select_related("user") if m.user_id}
        for overlap, _pk, proposal in scored[:per_group]:
            if not overlap:
                break
            proposer = next((members[p.member_id] for p in proposal.proposers.all() if p.member_id in members), None)
            if clock is not None:  # a few days after both the proposal and the problem's topic month
                topic = group.problem.topic
                begun = dt.datetime(topic.topic_year.year, topic.month, 1, 10, tzinfo=TZ)
                clock.at(max(begun, proposal.submitted_at or begun) + dt.timedelta(days=3, minutes=7 * linked))
            services.problem_proposal_link(actor=proposer.user if proposer else staff, problem=group.problem,
                                           proposal=proposal)
            linked += 1
    return linked
