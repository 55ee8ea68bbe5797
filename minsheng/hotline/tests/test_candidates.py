"""Monthly-topic candidates against a hand-built year of tickets."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command

from minsheng.hotline.candidates import topic_candidates
from minsheng.hotline.models import Ticket

from .factories import BEIJING, CategoryFactory, TicketFactory, geo

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    g = geo()
    heating = CategoryFactory(name="供暖")
    noise = CategoryFactory(name="施工噪音")
    parking = CategoryFactory(name="停车管理")
    # 供暖: every month, both districts, half unresolved → persistent, hard, spread.
    for month in range(1, 13):
        for i, (district, street) in enumerate(((g["chaoyang"], g["jianwai"]), (g["haidian"], g["xibeiwang"])) * 2):
            TicketFactory(category=heating, district=district, street=street, resolved=i % 2 == 0,
                          satisfaction="unsatisfied" if i % 2 else "satisfied",
                          received_at=dt.datetime(2025, month, 10, 9, tzinfo=BEIJING), summary=f"暖气不热{month}-{i}")
    # 施工噪音: a spike of 60 in July on one street, all resolved.
    for i in range(60):
        TicketFactory(category=noise, district=g["chaoyang"], street=g["sanlitun"], resolved=True,
                      received_at=dt.datetime(2025, 7, 1 + i % 28, 22, tzinfo=BEIJING))
    # 停车管理: a few each month in one district, resolved.
    for month in range(1, 13):
        TicketFactory(category=parking, district=g["haidian"], street=g["xibeiwang"],
                      received_at=dt.datetime(2025, month, 5, 9, tzinfo=BEIJING))
    TicketFactory(category=heating, received_at=dt.datetime(2024, 12, 31, 23, tzinfo=BEIJING))  # another year
    return heating, noise, parking


def test_persistent_hard_city_wide_problem_ranks_first(year):
    heating, noise, parking = year
    ranked = topic_candidates(year=2025)
    assert [c.category for c in ranked] == ["供暖", "施工噪音", "停车管理"]
    first = ranked[0]
    assert first.volume == 48
    assert first.by_month == [4] * 12
    assert first.districts == 2
    assert first.top_district_share == 0.5
    assert (first.resolution_rate, first.satisfaction_rate) == (50.0, 50.0)
    assert first.signals == {"frequency": 0.8, "persistence": 1.0, "hardness": 0.5, "city_wide": 0.5, "growth": 0.5}
    # 0.30×0.8 + 0.20×1 + 0.25×0.5 + 0.15×0.5 + 0.10×0.5 = 0.69 (geo() makes two districts; both have tickets)
    assert first.score == 69.0
    assert len(first.samples) == 3 and all(s[1] == "来电人反映暖气不热。" for s in first.samples)
    sampled = Ticket.objects.filter(number__in=[n for n, _text in first.samples])
    assert {(t.category, t.resolved) for t in sampled} == {(heating, False)}
    spike = ranked[1]
    assert spike.signals["persistence"] == round(1 / 12, 3)
    assert spike.signals["hardness"] == 0.0


def test_candidates_command_writes_csv(year, tmp_path, capsys):
    out = tmp_path / "candidates.csv"
    call_command("hotline", "candidates", "--year", "2025", "--top", "2", "--out", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["rank", "score", "category", "volume"]
    assert [r[2] for r in rows[1:]] == ["供暖", "施工噪音"]
    assert "2 candidates for 2025" in capsys.readouterr().out


def test_empty_year_gives_no_candidates(db):
    assert topic_candidates(year=2030) == []


def test_candidates_page_and_planning_a_topic(client, year):
    from conftest import login
    from minsheng.core.tests.factories import UnitFactory, UserFactory
    from minsheng.supervision.models import Topic, TopicYear

    heating, _, _ = year
    staff = UserFactory(username="planner", role="staff", is_staff=True)
    member = UserFactory(username="m1", role="member")
    topic_year = TopicYear.objects.create(year=2026, title="2026年每月一题")
    lead = UnitFactory(name="北京市城市管理委员会")
    UnitFactory(name="朝阳门街道办事处", kind="street")
    login(client, member)
    assert client.get("/hotline/candidates/?year=2025").status_code == 403
    login(client, staff)
    html = client.get("/hotline/candidates/?year=2025").content.decode()
    assert "供暖" in html and "施工噪音" in html
    assert "北京市城市管理委员会" in html and "朝阳门街道办事处" not in html  # streets do not lead topics
    r = client.post("/hotline/candidates/plan/", {"topic_year": topic_year.pk, "category": heating.pk, "month": "11",
                                                   "lead_unit": lead.pk, "year": "2025"})
    assert r.status_code == 302
    topic = Topic.objects.get()
    assert (topic.month, topic.theme, topic.lead_unit, list(topic.categories.all())) == (11, "供暖", lead, [heating])


def test_keywords_say_what_sets_each_problem_apart():
    from minsheng.hotline.candidates import distinctive_words

    heating = ["小区暖气不热，室温只有十五度。", "暖气片不热，供热公司不来维修。", "暖气不热，要求供热公司排查管线。"] * 4
    noise = ["夜间施工噪音扰民，工地凌晨还在打桩。", "工地施工噪音大，影响休息。", "施工噪音持续到深夜。"] * 4
    words = distinctive_words([heating, noise, []])
    assert "暖气" in words[0] and "供热" in words[0] and "施工" not in words[0]
    assert "施工" in words[1] and "噪音" in words[1] and "暖气" not in words[1]
    assert words[2] == [] and all(len(w) > 1 for w in words[0] + words[1])
    assert len(words[0]) <= 6


def test_candidates_carry_keywords_from_their_tickets(year):
    heating, noise, _ = year
    from minsheng.hotline.models import Ticket

    Ticket.objects.filter(category=noise).update(text="夜间施工噪音扰民，工地凌晨打桩。")
    ranked = {c.category: c for c in topic_candidates(year=2025)}
    assert "噪音" in ranked["施工噪音"].keywords and "暖气" in ranked["供暖"].keywords


def test_typical_tickets_are_the_candidates_own_and_say_what_its_keywords_say(places):
    from minsheng.hotline.candidates import typical_tickets

    g = places
    charging = CategoryFactory(name="电动自行车充电")
    toilets = CategoryFactory(name="公厕管理")
    for month in range(1, 13):
        for i in range(3):
            TicketFactory(category=charging, district=g["chaoyang"], street=g["jianwai"], resolved=i != 0,
                          received_at=dt.datetime(2025, month, 3 + i, 9, tzinfo=BEIJING), summary=f"充电{month}-{i}",
                          text="小区没有电动自行车充电桩，居民飞线充电，存在火灾隐患。")
            TicketFactory(category=toilets, district=g["haidian"], street=g["xibeiwang"], resolved=False,
                          received_at=dt.datetime(2025, month, 4 + i, 9, tzinfo=BEIJING), summary=f"公厕{month}-{i}",
                          text="路边公厕卫生条件差，无人保洁，气味难闻。")
    # The newest ticket of the category says nothing of charging (misfiled): never a typical ticket.
    TicketFactory(number="MISFILED", category=charging, district=g["chaoyang"], resolved=False,
                  received_at=dt.datetime(2025, 12, 30, 9, tzinfo=BEIJING), summary="信号灯故障",
                  text="路口信号灯坏了，要求维修。")
    ranked = {c.category: c for c in topic_candidates(year=2025)}
    candidate = ranked["电动自行车充电"]
    assert {"充电", "充电桩"} & set(candidate.keywords) and not {"公厕", "保洁"} & set(candidate.keywords)
    numbers = [n for n, _text in candidate.samples]
    own = dict(Ticket.objects.filter(category=charging).values_list("number", "text"))
    assert len(numbers) == 3 and set(numbers) <= set(own) and "MISFILED" not in numbers
    assert all(any(w in own[n] for w in candidate.keywords) for n in numbers)
    # The unresolved first, the newest among them: those of December, November, October.
    summaries = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "summary"))
    assert [summaries[n] for n in numbers] == ["充电12-0", "充电11-0", "充电10-0"]
    assert {text for _n, text in candidate.samples} == {"小区没有电动自行车充电桩，居民飞线充电，存在火灾隐患。"}
    # The rule, straight: no keyword → not chosen; no keywords at all → the newest unresolved; no text → summary.
    rows = [("A", "", "飞线充电", True), ("B", "", "信号灯", False), ("C", "充电桩坏了", "", False)]
    assert typical_tickets(rows, ["充电"], 3) == [("C", "充电桩坏了"), ("A", "飞线充电")]
    assert typical_tickets(rows, [], 3) == [("B", "信号灯"), ("C", "充电桩坏了")]


def test_months_without_any_ticket_are_missing_not_zero(places, tmp_path):
    g = places
    heating, noise = CategoryFactory(name="供暖"), CategoryFactory(name="施工噪音")
    # Data from July only (the first half was never imported): 2 heating tickets a month, noise only in December.
    for month in range(7, 13):
        for i in range(2):
            TicketFactory(category=heating, district=g["chaoyang"], street=g["jianwai"],
                          received_at=dt.datetime(2025, month, 10 + i, 9, tzinfo=BEIJING))
    TicketFactory(category=noise, district=g["chaoyang"], street=g["jianwai"],
                  received_at=dt.datetime(2025, 12, 1, 22, tzinfo=BEIJING))
    ranked = {c.category: c for c in topic_candidates(year=2025)}
    first = ranked["供暖"]
    assert first.by_month == [None] * 6 + [2] * 6
    assert (first.growth, first.growth_pct, first.signals["growth"]) == (None, None, 0.5)
    assert first.signals["persistence"] == 1.0  # every month with data
    assert ranked["施工噪音"].by_month == [None] * 6 + [0, 0, 0, 0, 0, 1]
    assert ranked["施工噪音"].signals["persistence"] == round(1 / 6, 3)
    out = tmp_path / "c.csv"
    call_command("hotline", "candidates", "--year", "2025", "--out", str(out))
    rows = {r[2]: r for r in list(csv.reader(out.open(encoding="utf-8-sig")))[1:]}
    assert rows["供暖"][4] == ";;;;;;2;2;2;2;2;2" and rows["供暖"][10] == ""


def test_growth_compares_monthly_means_of_the_months_with_data(places):
    g = places
    heating = CategoryFactory(name="供暖")
    for month, n in ((2, 2), (3, 2), (8, 3), (9, 3)):  # 4 months imported: 2 a month, then 3 a month
        for i in range(n):
            TicketFactory(category=heating, district=g["chaoyang"], street=g["jianwai"],
                          received_at=dt.datetime(2025, month, 10 + i, 9, tzinfo=BEIJING))
    [candidate] = topic_candidates(year=2025)
    assert candidate.by_month == [None, 2, 2, None, None, None, None, 3, 3, None, None, None]
    assert (candidate.growth, candidate.growth_pct) == (0.5, "+50.0%")


def test_the_page_says_no_data_for_missing_months_and_growth(client, places):
    from conftest import login
    from minsheng.core.tests.factories import UserFactory

    heating = CategoryFactory(name="供暖")
    TicketFactory(category=heating, received_at=dt.datetime(2025, 12, 10, 9, tzinfo=BEIJING), resolved=None,
                  satisfaction="not_rated")
    login(client, UserFactory(username="planner", role="staff", is_staff=True))
    html = client.get("/hotline/candidates/?year=2025").content.decode()
    months = html.split('data-testid="candidate-months">')[1].split("</td>")[0]
    assert months.count("—") == 11 and months.endswith(" 1")
    growth = html.split('data-testid="candidate-growth">')[1].split("</td>")[0]
    assert "无数据" in growth
    assert "—%" not in html
