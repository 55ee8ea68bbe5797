"""Monthly-topic candidates against a hand-built year of tickets."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command

from minsheng.hotline.candidates import topic_candidates

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
    assert len(first.samples) == 3 and all(s[1].startswith("暖气不热") for s in first.samples)
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
