"""Proposals at scale: list API and page, Chinese full-text search and statistics over 100,000 proposals.

    python bench/proposals_scale.py                      # 100,000 proposals, SQLite then PostgreSQL
    python bench/proposals_scale.py --db sqlite --quick  # 5,000 proposals, SQLite only
    python bench/proposals_scale.py --db postgres --reuse  # measure again on the database loaded last time

Targets (issue 4, "Performance"): filtered list API and page p95 ≤ 100 ms, full-text search p95 ≤ 150 ms,
statistics page ≤ 500 ms.

Each database is a separate benchmark database — a SQLite file under /tmp/minsheng_bench_sqlite/ or the
PostgreSQL database ``minsheng_bench`` (dropped and created again) — never the development database. The
world (term, four sessions, 32 sectors, ~100 units, ~760 members, staff/leader/unit accounts) comes from the
core demo loader; the proposals, proposers, handling records, replies and evaluations are then written
with ``bulk_create`` in batches, NOT through the services (which would take hours for 100,000 and write
events and notifications the benchmark does not read); the search index is built with ``search_rebuild()``
and timed. Requests go through ``django.test.Client`` (the whole middleware, view and template stack, no
network), logged in with ``force_login`` as the office staff and as a unit handler.

``--keep`` leaves the database in place and ``--reuse`` measures it again (after applying new migrations):
the way to time a code change without loading again. There is one PostgreSQL benchmark database, so a
``--quick`` PostgreSQL run replaces a kept 100,000-proposal one.

``--db both`` runs each database in its own child process (settings are read once per process) and prints
a combined table at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SQLITE_DIR = Path("/tmp/minsheng_bench_sqlite")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "minsheng_bench"
RESULTS = Path("/tmp/minsheng_bench_results")
TZ = ZoneInfo("Asia/Shanghai")

TARGETS = {"list": 100.0, "page": 100.0, "search": 150.0, "stats": 500.0}
TARGET_LABEL = {"list": "list API p95", "page": "list page p95", "search": "search p95", "stats": "statistics"}

TOPICS = [
    ("老旧小区加装电梯", "城乡建设管理"), ("老旧小区综合整治", "城乡建设管理"), ("社区养老服务驿站运营", "公共事业发展"),
    ("居家养老服务补贴", "公共事业发展"), ("普惠托育服务供给", "公共事业发展"), ("中小学课后服务质量", "公共事业发展"),
    ("基层医疗机构药品配备", "公共事业发展"), ("新就业形态劳动者权益保障", "社会法治建设"), ("残疾人就业帮扶", "社会法治建设"),
    ("背街小巷环境整治", "城乡建设管理"), ("居住区停车难治理", "城乡建设管理"), ("垃圾分类长效机制", "城乡建设管理"),
    ("冬季供暖质量监管", "城乡建设管理"), ("地铁接驳公交优化", "城乡建设管理"), ("营商环境一件事集成办", "经济科技"),
    ("专精特新中小企业融资", "经济科技"), ("数字经济标杆城市建设", "经济科技"), ("中关村科技成果转化", "经济科技"),
    ("农村集体经济发展", "经济科技"), ("汛期城市内涝防治", "城乡建设管理"), ("电动自行车充电安全", "社会法治建设"),
    ("老年人数字鸿沟", "公共事业发展"), ("中轴线申遗后保护利用", "公共事业发展"), ("社区食堂建设", "公共事业发展"),
    ("学前教育学位供给", "公共事业发展"), ("物业服务质量提升", "城乡建设管理"), ("公共法律服务进社区", "社会法治建设"),
    ("慢性病长处方政策", "公共事业发展"), ("京津冀协同就医", "公共事业发展"), ("回天地区公共服务提升", "城乡建设管理"),
    ("城市副中心职住平衡", "城乡建设管理"), ("保障性租赁住房供给", "城乡建设管理"), ("生活垃圾末端处理设施", "城乡建设管理"),
    ("校园周边交通安全", "社会法治建设"), ("非遗传承人才培养", "公共事业发展"), ("农产品冷链物流", "经济科技"),
    ("新能源汽车充电桩布局", "经济科技"), ("社区心理健康服务", "公共事业发展"), ("外卖骑手交通违法治理", "社会法治建设"),
    ("历史文化街区活化", "公共事业发展"),
]
OPENINGS = ["近年来，", "当前，", "据调研，", "从群众来信来访看，", "随着城市更新推进，", "自本市相关条例施行以来，"]
PROBLEMS = [
    "{place}部分街道反映较为集中，群众诉求强烈。", "{place}的相关工作取得一定成效，但仍存在短板。",
    "{place}居民对{topic}满意度不高，12345热线诉求逐年上升。", "{place}试点经验尚未在全市推广。",
]
CAUSES = [
    "主要原因是政策衔接不够、责任主体不清、资金保障不足，{topic}的长效机制尚未形成。",
    "一是部门之间信息不共享；二是基层力量薄弱；三是社会力量参与渠道不畅。",
    "相关标准滞后于实际需要，考核评价偏重过程、忽视结果，群众获得感不强。",
]
SUGGESTIONS = [
    "一、完善{topic}相关政策；二、明确市区街道职责分工；三、建立稳定的资金保障和考核评价机制。",
    "建议由市级部门牵头制定{topic}三年行动计划，加大财政投入，引入社会资本，并将成效纳入绩效考核。",
    "建议开展{topic}专项调研，总结{place}试点经验，加快出台实施细则，做好政策宣传解读。",
]

# Share of proposals per status: the current session is in mid-handling, earlier sessions mostly closed.
CURRENT = {"draft": 3, "submitted": 4, "first_review": 3, "second_review": 3, "returned": 1, "not_filed": 2,
           "referred": 2, "merged": 1, "withdrawn": 1, "filed": 5, "assigned": 40, "replied": 20, "closed": 15}
PAST = {"draft": 0.5, "returned": 0.5, "not_filed": 3, "referred": 2, "merged": 1.5, "withdrawn": 1, "assigned": 2,
        "replied": 3, "closed": 86.5}
KINDS = {"member": 70, "joint": 15, "party": 6, "organisation": 3, "sector": 3, "group": 2, "committee": 1}


# ---------------------------------------------------------------------------------------------- set-up


def configure(db: str, n: int) -> None:
    """Point Django at the benchmark database (before django.setup())."""
    os.environ.setdefault("MINSHENG_ENV", "development")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings"
    os.environ["MINSHENG_VAR_DIR"] = str(SQLITE_DIR)
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_DIR / f'bench-{n}.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"


def fresh_database(db: str, n: int) -> None:
    if db == "sqlite":
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (SQLITE_DIR / f"bench-{n}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")


def drop_database(db: str, n: int) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (SQLITE_DIR / f"bench-{n}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load(n: int, seed: int, say) -> dict[str, float]:
    """The world from the core demo loader, then `n` proposals and everything hanging off them in bulk."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from minsheng.core import areas, demo
    from minsheng.core.models import Member, Session, Unit
    from minsheng.core.search import search_rebuild
    from minsheng.proposals.models import (
        Evaluation,
        Handling,
        NotFiledReason,
        Proposal,
        Proposer,
        Reply,
        ResultCategory,
        SubjectArea,
    )

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = time.perf_counter() - t0
    rng = random.Random(seed)
    t0 = time.perf_counter()
    areas.areas_load(communities=False)
    with transaction.atomic():
        demo._load_core(rng, lambda s: None)
    timings["world_s"] = time.perf_counter() - t0
    User = get_user_model()
    staff = User.objects.get(username="staff")
    leaders = list(User.objects.filter(role="leader"))
    members = list(Member.objects.filter(status="active").select_related("sector", "area"))
    conveners = {m.sector_id: m for m in members}
    units = list(Unit.objects.filter(active=True).order_by("pk"))
    home = Unit.objects.get(name="北京市民政局")  # the demo unit handler's unit: make it a busy one
    # A few units get most of the work, as in life: weights fall off with rank, 民政局 near the top.
    units.remove(home)
    units.insert(2, home)
    unit_weights = [1 / (1 + i) ** 0.6 for i in range(len(units))]
    for unit in units[:6]:
        if not User.objects.filter(unit=unit, role="unit_handler").exists():
            User.objects.create(username=f"bench_u{unit.pk}", role="unit_handler", unit=unit, display_name="经办人")
    sessions = list(Session.objects.order_by("number"))
    areas_by_name = {a.name: a for a in SubjectArea.objects.all()}
    categories = {c.code: c for c in ResultCategory.objects.all()}
    reasons = list(NotFiledReason.objects.all())
    today = timezone.localdate()
    place_names = sorted({m.area.name for m in members if m.area_id}) or ["本市"]

    proposals: list[Proposal] = []
    proposers: list[Proposer] = []
    handlings: list[Handling] = []
    replies: list[Reply] = []
    evaluations: list[Evaluation] = []
    serials = {s.pk: 0 for s in sessions}
    filed_recent: dict[int, list[int]] = {s.pk: [] for s in sessions}
    members_of: dict[int, list[int]] = {}
    hid = rid = eid = xid = 0
    t0 = time.perf_counter()
    for pid in range(1, n + 1):
        # 40% of the proposals in the current (fourth) session, 20% in each earlier one.
        session = sessions[-1] if rng.random() < 0.4 else rng.choice(sessions[:-1])
        current = session is sessions[-1]
        status = pick(rng, CURRENT if current else PAST)
        kind = pick(rng, KINDS)
        topic, area = rng.choice(TOPICS)
        place = rng.choice(place_names)
        year = session.opens_on.year
        plenary = rng.random() < 0.8
        submitted = (dt.datetime(year, 1, rng.randint(2, session.opens_on.day + 2), rng.randint(8, 18), tzinfo=TZ) if plenary
                     else dt.datetime(year, rng.randint(2, 10), rng.randint(1, 28), rng.randint(8, 18), tzinfo=TZ))
        p = Proposal(
            id=pid, term_id=session.term_id, kind=kind, status=status, is_urgent=rng.random() < 0.005,
            title=rng.choice([f"关于{topic}的提案", f"关于进一步做好{topic}工作的建议", f"关于{place}{topic}的提案",
                              f"关于加强{topic}的建议"]),
            situation=rng.choice(OPENINGS) + f"{topic}问题受到群众普遍关注。" + rng.choice(PROBLEMS).format(place=place, topic=topic),
            analysis=rng.choice(CAUSES).format(topic=topic),
            suggestions=rng.choice(SUGGESTIONS).format(topic=topic, place=place),
            subject_area=areas_by_name.get(area), consent_publish=rng.random() < 0.85, created_by=staff,
            created_at=submitted - dt.timedelta(days=rng.randint(1, 20)),
        )
        if status != "draft":
            serials[session.pk] += 1
            p.session_id, p.serial = session.pk, serials[session.pk]
            p.timing = "plenary" if plenary else "interim"
            p.submitted_at = submitted
        if kind == "party":
            p.org_name = "党派"
        elif kind in ("organisation", "sector", "group", "committee"):
            p.org_name = "集体"
        # Proposers: a first proposer (for a collective proposal its convener), co-signers on a joint one.
        first = rng.choice(members)
        if kind in ("party", "organisation", "sector", "group", "committee"):
            first = conveners.get(first.sector_id, first)
        signers = [first]
        extra = rng.randint(1, 4) if kind == "joint" else (1 if kind == "member" and rng.random() < 0.1 else 0)
        for m in rng.sample(members, extra):
            if m not in signers:
                signers.append(m)
        for order, m in enumerate(signers, 1):
            xid += 1
            proposers.append(Proposer(id=xid, proposal_id=pid, member_id=m.pk, order=order, is_first=order == 1,
                                      confirmed_at=p.created_at))
        members_of[pid] = [m.pk for m in signers]
        if status in ("not_filed", "referred", "merged", "withdrawn", "returned"):
            p.review_note = "经审查" if status != "returned" else "请补充具体数据和可操作的建议"
            if status == "not_filed":
                p.not_filed_reason = rng.choice(reasons)
            elif status == "referred":
                p.referred_to_id = rng.choice(units).pk
            elif status == "merged":
                target = filed_recent[session.pk][-1] if filed_recent[session.pk] else None
                if target is None:
                    p.status = "not_filed"
                    p.not_filed_reason = reasons[-1]
                else:
                    p.merged_into_id = target
                    if first.pk not in members_of[target]:  # the target carries the merged proposer's credit
                        xid += 1
                        members_of[target].append(first.pk)
                        proposers.append(Proposer(id=xid, proposal_id=target, member_id=first.pk,
                                                  order=len(members_of[target]), via_id=pid, confirmed_at=submitted))
        if status in ("filed", "assigned", "replied", "closed"):
            p.filed_at = submitted + dt.timedelta(days=rng.randint(5, 25))
            filed_recent[session.pk].append(pid)
            del filed_recent[session.pk][:-20]
        if status in ("assigned", "replied", "closed"):
            p.assigned_at = p.filed_at + dt.timedelta(days=rng.randint(3, 15))
            if rng.random() < 0.03:
                p.is_key = True
                p.supervising_leader = rng.choice(leaders) if leaders else None
            start = timezone.localtime(p.assigned_at).date()
            due = start + dt.timedelta(days=91)
            mode = rng.choices(["single", "separate", "lead"], weights=[55, 25, 20])[0]
            chosen = []
            while len(chosen) < 3:
                u = rng.choices(units, weights=unit_weights)[0]
                if u not in chosen:
                    chosen.append(u)
            plan = ([(chosen[0], "single")] if mode == "single" else
                    [(chosen[0], "separate"), (chosen[1], "separate")] if mode == "separate" else
                    [(chosen[0], "lead"), (chosen[1], "co")])
            lead_id = None
            closed_at = None
            for unit, hmode in plan:
                if rng.random() < 0.02:  # re-assigned once: a closed record plus a new one for another unit
                    hid += 1
                    handlings.append(Handling(id=hid, proposal_id=pid, unit_id=chosen[2].pk, mode=hmode, status="reassigned",
                                              assigned_at=p.assigned_at, due_date=due,
                                              reassign_deadline=start + dt.timedelta(days=14)))
                hid += 1
                h = Handling(id=hid, proposal_id=pid, unit_id=unit.pk, mode=hmode, assigned_at=p.assigned_at, due_date=due,
                             reassign_deadline=start + dt.timedelta(days=14), lead_id=lead_id if hmode == "co" else None)
                if hmode == "lead":
                    lead_id = hid
                h.signed_at = p.assigned_at + dt.timedelta(days=rng.randint(1, 5))
                if hmode == "co":
                    h.status = "opinion_sent" if status != "assigned" or rng.random() < 0.6 else "signed"
                    if h.status == "opinion_sent":
                        h.opinion, h.opinion_sent_at = "同意主办单位意见，将配合做好相关工作。", h.signed_at + dt.timedelta(days=20)
                elif status == "assigned":
                    h.status = rng.choices(["new", "signed", "in_progress", "countersigning", "reviewing", "replied"],
                                           weights=[10, 15, 45, 5, 10, 15])[0]
                    if h.status == "new":
                        h.signed_at = None
                    if h.status != "replied" and due < today:
                        h.overdue_since = due + dt.timedelta(days=1)
                else:
                    h.status = "closed" if status == "closed" else "replied"
                if h.status in ("replied", "closed") and hmode != "co":
                    late = rng.random() < 0.12
                    h.replied_at = dt.datetime.combine(due + dt.timedelta(days=rng.randint(1, 30) if late else -rng.randint(0, 60)),
                                                       dt.time(10), tzinfo=TZ)
                    code = rng.choices(["A", "B", "C"], weights=[62, 28, 10])[0]
                    if code == "B" and status == "replied":
                        h.status = "follow_up"
                    if rng.random() < 0.05:  # sent back once before the approved reply
                        rid += 1
                        replies.append(Reply(id=rid, handling_id=hid, round=1, category=categories[code], status="sent_back",
                                             text="经认真研究，现答复如下：……", drafted_at=h.replied_at - dt.timedelta(days=10),
                                             review_note="请补充办理措施"))
                    rid += 1
                    replies.append(Reply(id=rid, handling_id=hid, round=1, category=categories[code], status="approved",
                                         text=f"经认真研究，现就{topic}答复如下：一、……二、……三、……", signer="分管局领导",
                                         contact_person="经办人", contact_phone="010-12345678",
                                         drafted_at=h.replied_at - dt.timedelta(days=3), reviewed_at=h.replied_at))
                    closed_at = max(closed_at or h.replied_at, h.replied_at)
                    if status == "closed" or (status == "replied" and rng.random() < 0.5):
                        for member_id in members_of[pid]:
                            eid += 1
                            evaluations.append(Evaluation(
                                id=eid, handling_id=hid, reply_id=rid, member_id=member_id,
                                satisfaction=rng.choices(["satisfied", "basic", "dissatisfied"], weights=[80, 17, 3])[0],
                                attitude="满意", pertinence="针对", result_view="同意",
                                created_at=h.replied_at + dt.timedelta(days=rng.randint(3, 20))))
                handlings.append(h)
            if status == "closed" and closed_at:
                p.closed_at = closed_at + dt.timedelta(days=30)
        proposals.append(p)
    timings["generate_s"] = time.perf_counter() - t0
    say(f"generated {len(proposals):,} proposals, {len(proposers):,} proposers, {len(handlings):,} handling records, "
        f"{len(replies):,} replies, {len(evaluations):,} evaluations in {timings['generate_s']:.1f} s")

    t0 = time.perf_counter()
    batch = 2000
    for model, rows in ((Proposal, [p for p in proposals if not p.merged_into_id]),
                        (Proposal, [p for p in proposals if p.merged_into_id]), (Proposer, proposers),
                        (Handling, [h for h in handlings if h.mode != "co"]), (Handling, [h for h in handlings if h.mode == "co"]),
                        (Reply, replies), (Evaluation, evaluations)):
        with transaction.atomic():
            for i in range(0, len(rows), batch):
                model.objects.bulk_create(rows[i:i + batch])
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Proposal, Proposer, Handling, Reply, Evaluation]):
                cursor.execute(sql)
    timings["insert_s"] = time.perf_counter() - t0
    say(f"bulk-inserted in {timings['insert_s']:.1f} s (bulk_create in batches of {batch}, not the services)")

    t0 = time.perf_counter()
    entries = search_rebuild()
    timings["search_rebuild_s"] = time.perf_counter() - t0
    timings["search_entries"] = entries
    say(f"search_rebuild(): {entries:,} entries in {timings['search_rebuild_s']:.1f} s")
    timings["analyze_s"] = analyze(say)
    return timings


def analyze(say) -> float:
    """Planner statistics, as a running site has them (PostgreSQL's autovacuum; SQLite's `PRAGMA optimize`)."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    elapsed = time.perf_counter() - t0
    say(f"{'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'} in {elapsed:.1f} s")
    return elapsed


# ------------------------------------------------------------------------------------------- measuring


def cases(n: int) -> list[tuple[str, str, str]]:
    """(group, who, url) of every measured request."""
    from minsheng.core.models import Session, Unit

    sessions = list(Session.objects.order_by("number"))
    current, first = sessions[-1].pk, sessions[0].pk
    busy = Unit.objects.get(name="北京市民政局").pk
    deep = max(2, n // 2500)  # a page deep into the closed proposals of the first session
    return [
        ("list", "staff", "/api/proposals"),
        ("list", "staff", "/api/proposals?status=assigned&page=3"),
        ("list", "staff", f"/api/proposals?status=closed&session={first}&page={deep}"),
        ("list", "staff", "/api/proposals?kind=joint&timing=plenary&page=2"),
        ("list", "staff", f"/api/proposals?unit={busy}&page=2"),
        ("list", "staff", "/api/proposals?overdue=true"),
        ("list", "staff", f"/api/proposals?is_key=true&session={current}"),
        ("list", "unit", "/api/proposals"),
        ("list", "unit", "/api/proposals?status=assigned&page=2"),
        ("page", "staff", "/proposals/"),
        ("page", "staff", "/proposals/?status=assigned&page=2"),
        ("page", "staff", f"/proposals/?session={current}&kind=member&page=10"),
        ("page", "staff", "/proposals/?overdue=1"),
        ("page", "unit", "/proposals/?status=assigned"),
        ("search", "staff", "/api/proposals?q=老旧小区"),
        ("search", "staff", "/api/proposals?q=养老服务"),
        ("search", "staff", "/api/proposals?q=垃圾分类 长效机制"),
        ("search", "staff", "/api/proposals?q=中轴线&status=closed"),
        ("search", "staff", "/api/proposals?q=量子计算"),
        ("search", "unit", "/api/proposals?q=停车难"),
        ("search", "staff", "/proposals/?q=老旧小区"),
        ("search", "staff", "/search/?q=老旧小区"),
        ("search", "staff", "/search/?q=养老"),
        ("stats", "staff", "/proposals/statistics/"),
        ("stats", "staff", f"/proposals/statistics/?session={current}"),
        ("stats", "staff", "/api/proposals-statistics"),
        # A timeline event before every run: the page serves the stale snapshot and queues a recount.
        ("stats", "staff", "/proposals/statistics/" + AFTER_CHANGE),
    ]


AFTER_CHANGE = "#after-a-change"


def _change() -> None:
    """What any service does: a new timeline event (the statistics snapshots are out of date after it)."""
    from minsheng.core.services import event_record
    from minsheng.proposals.models import Proposal

    event_record(actor=None, verb="bench.change", target=Proposal.objects.order_by("-id").first())


def recount(runs: int, say) -> dict:
    """The worker's side: one full recount of the figures (what a stale page queues), cold."""
    from minsheng.proposals.services import statistics_refresh

    row = {}
    for scope, kwargs in (("all", {}), ("session", {"session": _current_session()})):
        times, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            statistics_refresh(**kwargs)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        row[scope] = {"p50": statistics.median(times), "max": max(times), "cpu_p50": statistics.median(cpu)}
        say(f"  info recount {scope:7s} (worker, not a request) p50 {row[scope]['p50']:7.1f}  max {row[scope]['max']:7.1f} ms"
            f"  cpu {row[scope]['cpu_p50']:6.1f}")
    return row


def _current_session() -> int:
    from minsheng.core.models import Session

    return Session.objects.order_by("-number").values_list("pk", flat=True).first()


def counting(executed: list[str]):
    """A database execute wrapper that notes every statement (to report each request's query count)."""

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def measure(n: int, runs: int, stats_runs: int, say) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    User = get_user_model()
    clients = {}
    for who, user in (("staff", User.objects.get(username="staff")), ("unit", User.objects.get(username="unit"))):
        client = Client()
        client.force_login(user)
        clients[who] = client
    rows = []
    for group, who, url in cases(n):
        client = clients[who]
        repeat, warm = (stats_runs, 2) if group == "stats" else (runs, 5)
        change = url.endswith(AFTER_CHANGE)
        path = url.removesuffix(AFTER_CHANGE)
        for _ in range(warm):
            if change:
                _change()
            response = client.get(path)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        executed: list[str] = []
        if change:
            _change()
        with connection.execute_wrapper(counting(executed)):
            response = client.get(path)
        body = response.json() if url.startswith("/api/proposals?") else None
        times, cpu = [], []
        for _ in range(repeat):
            if change:
                _change()
            t, c = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        times.sort()
        row = {"group": group, "who": who, "url": url, "runs": repeat, "queries": len(executed),
               "count": body["count"] if body else None, "p50": statistics.median(times),
               "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], "max": times[-1],
               "cpu_p50": statistics.median(cpu), "target": TARGETS[group], "load": os.getloadavg()[0]}
        rows.append(row)
        flag = "ok " if row["p95"] <= row["target"] else "OVER"
        say(f"  {flag} {group:6s} {who:5s} p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  max {row['max']:7.1f} ms "
            f"(≤ {row['target']:.0f})  cpu {row['cpu_p50']:6.1f}  load {row['load']:4.1f}  {row['queries']:2d} q  {'' if row['count'] is None else f'{row['count']:>6} hits  '}{url}")
    return rows


def child(args: argparse.Namespace) -> int:
    n = 5000 if args.quick else args.n
    configure(args.db, n)

    def say(text: str) -> None:
        print(f"[{args.db}] {text}", flush=True)

    if not args.reuse:
        fresh_database(args.db, n)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.reuse:
        call_command("migrate", verbosity=0)  # picks up new index migrations
        analyze(say)
        load_info = json.loads((RESULTS / f"{args.db}-{n}-load.json").read_text()) if (RESULTS / f"{args.db}-{n}-load.json").exists() else {}
        say("reusing the database loaded before")
    else:
        load_info = load(n, args.seed, say)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.db}-{n}-load.json").write_text(json.dumps(load_info))
    from minsheng.core.models import Member, Unit
    from minsheng.proposals.models import Evaluation, Handling, Proposal, Proposer, Reply

    counts = {m.__name__: m.objects.count() for m in (Proposal, Proposer, Handling, Reply, Evaluation, Member, Unit)}
    say("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    say(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    say(f"measuring: {args.runs} runs after 5 warm-ups ({args.stats_runs} after 2 for statistics)")
    rows = measure(n, args.runs, args.stats_runs, say)
    recounts = recount(3, say)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.db}-{n}.json").write_text(json.dumps({"db": args.db, "n": n, "load": load_info, "counts": counts,
                                                             "rows": rows, "recount": recounts}, ensure_ascii=False, indent=1))
    connection.close()
    if not args.keep:
        drop_database(args.db, n)
    return 0


def summary(dbs: list[str], n: int) -> None:
    results = {db: json.loads((RESULTS / f"{db}-{n}.json").read_text()) for db in dbs
               if (RESULTS / f"{db}-{n}.json").exists()}
    if not results:
        return
    print(f"\nSummary, n = {n:,} proposals, ms: median of the requests' p50 / worst request's p95 / "
          f"worst request's process CPU p50 (for SQLite all the work; for PostgreSQL without the server's)")
    print(f"{'metric':18s} {'target':>7s} " + " ".join(f"{db:>34s}" for db in results))
    for group in TARGETS:
        cells = []
        for data in results.values():
            rows = [r for r in data["rows"] if r["group"] == group]
            worst = max(rows, key=lambda r: r["p95"])
            median = statistics.median(r["p50"] for r in rows)
            cpu = max(r.get("cpu_p50", 0) for r in rows)
            cells.append(f"{median:5.0f} / {worst['p95']:5.0f} / cpu {cpu:5.0f} {'ok' if worst['p95'] <= TARGETS[group] else '!!'}")
        print(f"{TARGET_LABEL[group]:18s} {TARGETS[group]:7.0f} " + " ".join(f"{c:>34s}" for c in cells))
    for db, data in results.items():
        loads = [r["load"] for r in data["rows"] if "load" in r]
        if loads:
            print(f"{db}: load average during the measurements {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs")
    for db, data in results.items():
        load_info = data.get("load") or {}
        if "search_rebuild_s" in load_info:
            print(f"{db}: search_rebuild() {load_info['search_entries']:,} entries in {load_info['search_rebuild_s']:.1f} s; "
                  f"bulk insert {load_info['insert_s']:.1f} s")
    print("Data written with bulk_create (not the services): fine for a read benchmark, but no events or notifications.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--n", type=int, default=100_000, help="proposals (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 proposals")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per list/search request (after 5 warm-ups)")
    parser.add_argument("--stats-runs", type=int, default=10, help="timed runs per statistics request (after 2 warm-ups)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure the database kept by an earlier --keep run")
    args = parser.parse_args()
    n = 5000 if args.quick else args.n
    if args.db != "both":
        code = child(args)
        summary([args.db], n)
        return code
    code = 0
    for db in ("sqlite", "postgres"):
        argv = [sys.executable, __file__, "--db", db, "--n", str(args.n), "--runs", str(args.runs),
                "--stats-runs", str(args.stats_runs), "--seed", str(args.seed)]
        argv += [flag for flag, on in (("--quick", args.quick), ("--keep", args.keep), ("--reuse", args.reuse)) if on]
        code = subprocess.call(argv) or code
    summary(["sqlite", "postgres"], n)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
