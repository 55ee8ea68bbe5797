"""Every home figure equals the count of the list it links to, for every role (issue: 逾期承办 233 beside a
statistics table of 0; 待审查提案 108 opening a list of 43; 在任委员 748 opening 757 members); each role's home
answers its own questions; the home runs a fixed number of queries whatever the data."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import login
from minsheng.core import selectors as core_selectors
from minsheng.core.models import Job
from minsheng.core.tests.factories import MemberFactory, UserFactory
from minsheng.hotline.tests.factories import TicketFactory, geo
from minsheng.proposals import services
from minsheng.proposals.models import Handling, ResultCategory, StatisticsSnapshot
from minsheng.proposals.tests.factories import TEXT, filed_proposal, make_world
from minsheng.supervision import services as supervision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _reply(world, handling, handler, code="A"):
    services.handling_sign(actor=handler, handling=handling)
    services.handling_contact(actor=handler, handling=handling, method="phone", contacted_on=TODAY)
    services.handling_draft_reply(actor=handler, handling=handling, category=ResultCategory.objects.get(code=code),
                                  text="答复")


@pytest.fixture
def world():
    """Proposals at every stage (drafts, review, filed, handled: one overdue by seven weeks, one key proposal the
    leader supervises, one replied and waiting for its evaluation, one closed), 12345 tickets in two districts,
    a 每月一题 year with an overdue list item, a running job, a district user."""
    w = make_world()
    places = geo()
    w.district = UserFactory(username="district", role="district_staff", district=places["chaoyang"])
    w.first.area = places["chaoyang"]
    w.first.save()
    MemberFactory(name="退休委员", status="retired", term=w.first.term, sector=w.first.sector)
    # Drafts: the first proposer's with an invited co-signer; the office's own organisation draft.
    services.proposal_create(actor=w.first.user, term=w.session.term, cosigners=[w.cosigner], **TEXT)
    services.proposal_create(actor=w.staff, term=w.session.term, kind="party", **{**TEXT, "title": "关于民主党派的提案"})
    for step in (None, "first", "second"):
        p = services.proposal_create(actor=w.outsider.user, term=w.session.term, **TEXT)
        services.proposal_submit(actor=w.outsider.user, proposal=p)
        if step:
            services.proposal_review(actor=w.staff, proposal=p, step="first")
        if step == "second":
            services.proposal_review(actor=w.staff, proposal=p, step="second")
    filed_proposal(w, is_urgent=True)
    late, key, replied, closed, joint = (filed_proposal(w) for _ in range(5))
    for p in (late, key, replied, closed):
        services.proposal_assign(actor=w.staff, proposal=p, mode="single", units=[w.lead_unit])
    services.proposal_assign(actor=w.staff, proposal=joint, mode="lead", units=[w.lead_unit], co_units=[w.co_unit])
    Handling.objects.filter(proposal=late).update(due_date=TODAY - dt.timedelta(weeks=7))
    services.proposal_mark_key(actor=w.staff, proposal=key, leader=w.leader)
    Handling.objects.filter(proposal=key).update(due_date=TODAY - dt.timedelta(days=3))
    for p in (replied, closed):
        h = p.handlings.get()
        _reply(w, h, w.lead_handler)
        services.reply_review(actor=w.staff, handling=h, approve=True)
    services.evaluation_submit(actor=w.first.user, handling=closed.handlings.get(), satisfaction="satisfied")
    lead = joint.handlings.get(unit=w.lead_unit)
    services.handling_request_extension(actor=w.lead_handler, handling=lead, reason="需要调研",
                                        requested_due=lead.due_date + dt.timedelta(days=30))
    # 12345: two districts, the latest month.
    for street in (places["jianwai"], places["jianwai"], places["sanlitun"]):
        TicketFactory(unit=w.lead_unit, street=street, district=places["chaoyang"])
    TicketFactory(unit=w.other_unit, street=places["xibeiwang"], district=places["haidian"], satisfaction="unsatisfied")
    # 每月一题: one overdue list item of the lead unit, one done.
    year = supervision.topic_year_create(actor=w.staff, year=TODAY.year, title="每月一题")
    topic = supervision.topic_create(actor=w.staff, topic_year=year, month=4, theme="充电设施", lead_unit=w.lead_unit)
    problem = supervision.problem_add(actor=w.staff, topic=topic, text="老旧小区充电桩不足")
    supervision.list_item_create(actor=w.staff, problem=problem, kind="task", text="建设充电桩", owner=w.lead_unit,
                                 due_date=TODAY - dt.timedelta(days=10))
    done = supervision.list_item_create(actor=w.staff, problem=problem, kind="policy", text="出台办法", owner=w.lead_unit)
    supervision.list_item_update(actor=w.staff, item=done, note="已出台", status="done")
    Job.objects.create(kind="x", title="导入12345数据", status="running", created_by=w.staff)
    return w


def _users(w):
    return {"staff": w.staff, "leader": w.leader, "member": w.first.user, "unit": w.lead_handler, "co_unit": w.co_handler,
            "district": w.district}


def _pct(value):
    return "—" if value is None else f"{100 * value:.2f}%"


def _reported(client, card):
    """What the page a figure links to shows for it, in the figure's own format."""
    response = client.get(card.url)
    assert response.status_code == 200, card.url
    ctx, parts = response.context, urlsplit(card.url)
    path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
    if path in ("/proposals/", "/members/", "/units/", "/proposals/desk/", "/hotline/tickets/", "/supervision/desk/",
                "/notifications/"):
        return ctx["page"].count
    if path == "/proposals/overdue/":
        assert ctx["total"] == sum(row["count"] for row in ctx["board"])
        return ctx["total"]
    if path == "/sectors/":
        return sum(1 for s in ctx["sectors"] if s.member_count)
    if path == "/districts/":
        return len(ctx["districts"])
    if path == "/proposals/statistics/":
        rate = ctx["stats"].satisfaction_rate
        return "—" if rate is None else f"{rate}%"
    if path == "/supervision/overview/":
        totals = ctx["overview"].totals
        return {"List items done": f"{totals['done']} / {totals['items']}", "Overdue list items": totals["overdue"],
                "Activities": totals["activities"], "Person-times (人次)": totals["person_count"]}[card.label]
    if path == "/hotline/rates/":
        chart = json.loads(ctx["chart"])
        if "key" in query or query.get("by", "street") != "district":  # the trend's latest month: the figure's month
            rates = {"response": chart["response"][-1], "resolution": chart["resolution"][-1],
                     "satisfaction": chart["satisfaction"][-1]}
            for word, rate in rates.items():
                if word in card.label.lower():
                    return "—" if rate is None else f"{rate:.2f}%"
            if card.label.startswith("Streets"):
                return len(ctx["rows"])
            raise AssertionError(card.label)
        rows = ctx["rows"]
        [row] = [r for r in rows if r.key == ctx["request"].user.district_id]
        if card.label.startswith("Rank"):
            return f"{[r.key for r in rows if r.score is not None].index(row.key) + 1} / {len(rows)}"
        return row.total
    if path.startswith(("/members/", "/units/")):
        assert card.value in response.content.decode()
        return card.value
    raise AssertionError(f"no reader for {card.url}")


def _sign_in(client, user):
    login(client, user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.mark.parametrize("role", ["staff", "leader", "member", "unit", "co_unit", "district"])
def test_every_figure_equals_the_list_it_opens(client, world, role):
    _sign_in(client, _users(world)[role])
    cards = client.get("/").context["dashboard"].cards
    assert cards
    for card in cards:
        assert card.url, card.label  # every figure opens its records
        assert _reported(client, card) == card.value, (card.label, card.url)


def _figures(client, user):
    _sign_in(client, user)
    board = client.get("/").context["dashboard"]
    return board, {c.label: c.value for c in board.cards}


def test_staff_home_is_the_office_queues(client, world):
    board, cards = _figures(client, world.staff)
    assert [s.key for s in board.sections] == ["review", "assign", "handling", "hotline", "supervision", "jobs", "general"]
    assert (cards["Proposals under review"], cards["Waiting for the first review"], cards["In first review"],
            cards["In second review"]) == (3, 1, 1, 1)
    assert (cards["Filed, to assign"], cards["Being handled"]) == (1, 3)
    assert (cards["With a reply to approve"], cards["With a request to decide"], cards["Overdue handlings"]) == (0, 1, 2)
    assert (cards["Serving members"], cards["Sectors covered"]) == (3, 1)  # the retired member is not counted
    [overdue] = [s for s in board.sections if s.key == "handling"]
    assert [t.days_overdue for t in overdue.tasks] == [49, 3]  # the longest overdue first, with its days
    [jobs] = [s for s in board.sections if s.key == "jobs"]
    assert [t.title for t in jobs.tasks] == ["导入12345数据"]
    [fast] = [s for s in board.sections if s.key == "assign"]
    assert fast.tasks[0].badge == "Fast track"


def test_the_overdue_figure_the_board_and_the_statistics_agree(client, world):
    login(client, world.staff)
    assert client.get("/proposals/overdue/").context["total"] == 2
    stats = client.get("/proposals/statistics/").context["stats"]
    assert ([(u["unit__name"], u["overdue"]) for u in stats.units], stats.overdue_handlings) == ([("北京市民政局", 2)], 2)
    html = client.get("/proposals/overdue/").content.decode()
    assert html.count('data-testid="days-overdue"') == 2
    assert "49 days overdue" in html or "逾期 49 天" in html


def test_leader_home_answers_the_leaders_questions(client, world):
    board, cards = _figures(client, world.leader)
    assert [s.key for s in board.sections] == ["proposals", "supervise", "hotline", "supervision", "general"]
    assert (cards["Proposals received"], cards["Filed"], cards["Replied or closed"]) == (9, 6, 2)
    assert cards["Satisfaction rate"] == "100.0%"
    assert (cards["Overdue handlings"], cards["Key proposals"], cards["Key proposals I supervise"]) == (2, 1, 1)
    assert "Jobs running" not in cards and "Handling units" not in cards  # no back-office figures
    [supervise] = [s for s in board.sections if s.key == "supervise"]
    assert [(t.days_overdue, t.detail) for t in supervise.tasks] == [(3, "北京市民政局 · Key proposal")]
    assert {t.key for t in board.trends} == {"proposals", "hotline", "supervision"}
    html = client.get("/").content.decode()
    assert html.count('data-testid="home-trend"') == 3
    assert 'echarts.min.js' in html and '<script nonce="' in html
    assert cards["List items done"] == "1 / 2" and cards["Overdue list items"] == 1


def test_member_home_has_new_proposal_drafts_and_replies_to_evaluate(client, world):
    board, cards = _figures(client, world.first.user)
    assert [(a.label, a.url) for a in board.actions] == [("New proposal", "/proposals/new/")]
    assert (cards["My proposals"], cards["My drafts"], cards["My drafts awaiting co-signers"],
            cards["Proposals with a reply to evaluate"], cards["Waiting for my co-signature"]) == (6, 1, 1, 1, 0)
    [todo] = [s for s in board.sections if s.key == "todo"]
    assert [t.badge for t in todo.tasks] == ["Reply", "Awaiting co-signers"]
    assert todo.tasks[1].detail == "Waiting for: 李秀英"
    _board, cards = _figures(client, world.cosigner.user)
    assert cards["Waiting for my co-signature"] == 1
    assert 'data-testid="new-proposal"' in client.get("/").content.decode()


def test_unit_home_and_desk_lead_with_what_is_due(client, world):
    board, cards = _figures(client, world.lead_handler)
    assert (cards["To do"], cards["To sign"], cards["Overdue"]) == (3, 3, 2)
    assert (cards["Our list items"], cards["Overdue list items"]) == (2, 1)
    [desk] = [s for s in board.sections if s.key == "desk"]
    assert [t.days_overdue for t in desk.tasks][:2] == [49, 3]  # the overdue first, soonest due first
    page = client.get("/proposals/desk/")
    rows = page.context["page"].results
    assert [(h.status, h.days_overdue, h.next_label) for h in rows] == [
        ("new", 49, "Sign for it"), ("new", 3, "Sign for it"), ("new", 0, "Sign for it")]  # soonest due first
    html = page.content.decode()
    assert html.count('data-testid="days-overdue"') == 2
    assert html.count('data-testid="desk-sign"') == 3
    done = client.get("/proposals/desk/?show=done").context["page"]
    assert sorted(h.status for h in done.results) == ["closed", "replied"]


def test_district_home_shows_its_district(client, world):
    board, cards = _figures(client, world.district)
    assert [s.key for s in board.sections] == ["hotline", "general"]
    labels = [c.label for c in board.cards]
    assert labels[1:] == ["Response rate", "Resolution rate", "Satisfaction rate", "Rank among districts",
                          "Streets and townships rated", "Members in my district", "Notifications to act on"]
    assert (board.cards[0].value, cards["Satisfaction rate"], cards["Rank among districts"],
            cards["Streets and townships rated"], cards["Members in my district"]) == (3, "100.00%", "1 / 2", 2, 1)
    assert board.trends[0].key == "hotline-district"


def _home_queries(client, user):
    """The home page's queries (warm: the 12345 month figures, the statistics snapshot and the trends are
    cached), and the dashboard selector's own among them."""
    login(client, user)
    client.get("/")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/").status_code == 200
    fresh = type(user).objects.get(pk=user.pk)  # no permission cache
    with CaptureQueriesContext(connection) as figures:
        core_selectors.dashboard(fresh)
    return len(page), len(figures)


# The dashboard selector's queries per role: one COUNT per figure, one query per task list (plus its prefetches),
# the cached month-wide figures' data stamps.
HOME_QUERIES = {"staff": 29, "leader": 22, "member": 22, "unit": 11, "district": 8}


@pytest.mark.parametrize("role", ["staff", "leader", "member", "unit", "district"])
def test_home_query_count_per_role_does_not_grow_with_the_data(client, world, role):
    user = _users(world)[role]
    page, figures = _home_queries(client, user)
    assert figures == HOME_QUERIES[role]
    for _ in range(3):  # more of everything a home lists
        p = filed_proposal(world)
        services.proposal_assign(actor=world.staff, proposal=p, mode="single", units=[world.lead_unit])
        Handling.objects.filter(proposal=p).update(due_date=TODAY - dt.timedelta(days=1))
        services.proposal_create(actor=world.first.user, term=world.session.term, cosigners=[world.cosigner], **TEXT)
    StatisticsSnapshot.objects.all().delete()  # (a stale snapshot would add the refresh request's UPDATE)
    assert _home_queries(client, user) == (page, figures)
