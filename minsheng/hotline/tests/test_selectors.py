"""The three rates against hand-computed fixtures, rule-set variants, rankings with ties, the generator."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.core.errors import Invalid
from minsheng.hotline import errors, selectors, services, synthetic
from minsheng.hotline.models import Category, RateRuleSet
from minsheng.hotline.selectors import RateRow, rank_rows

from .factories import BEIJING, TicketFactory

pytestmark = pytest.mark.django_db
NOV = dt.datetime(2025, 11, 10, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def month_of_tickets(places):
    """建外街道, November 2025: 10 assessable dispatched tickets — 9 responded in time, 8 revisited of which
    6 resolved, rated 5 满意, 2 基本满意, 1 不满意 — plus one excluded ticket and one enquiry answered
    directly (neither assessed), and one October ticket (another month)."""
    heat, street, district = places["heat"], places["jianwai"], places["chaoyang"]
    heating = Category.objects.get(name="暖气不热")
    common = {"unit": heat, "street": street, "district": district, "category": heating, "received_at": NOV}
    plan = [  # (responded, resolved, satisfaction)
        (True, True, "satisfied"), (True, True, "satisfied"), (True, True, "satisfied"),
        (True, True, "satisfied"), (True, False, "satisfied"), (True, True, "basic"),
        (True, False, "basic"), (False, True, "unsatisfied"), (True, None, "not_rated"), (True, None, "not_rated"),
    ]
    for responded, resolved, satisfaction in plan:
        TicketFactory(responded_in_time=responded, resolved=resolved, satisfaction=satisfaction, **common)
    TicketFactory(excluded=True, exclusion_reason="重复诉求", responded_in_time=False, resolved=False,
                  satisfaction="unsatisfied", **common)
    TicketFactory(kind="consult", unit=None, street=street, district=district, received_at=NOV,
                  responded_in_time=None, resolved=None, satisfaction="not_rated")
    TicketFactory(received_at=dt.datetime(2025, 10, 31, 23, 59, tzinfo=BEIJING), responded_in_time=False,
                  **{k: v for k, v in common.items() if k != "received_at"})
    return places


def test_rates_by_street_match_the_hand_computation(month_of_tickets):
    [row] = selectors.rates(month="2025-11", by="street")
    assert (row.name, row.kind, row.total, row.assessable) == ("建外街道", "street", 11, 10)
    assert (row.flagged, row.responded, row.revisited, row.resolved) == (10, 9, 8, 6)
    assert (row.satisfied, row.basic, row.unsatisfied) == (5, 2, 1)
    assert row.response_rate == pytest.approx(9 / 10)
    assert row.resolution_rate == pytest.approx(6 / 8)
    assert row.satisfaction_rate == pytest.approx((5 + 0.8 * 2) / 8)  # 0.825
    assert row.score == pytest.approx(100 * (0.1 * 0.9 + 0.45 * 0.75 + 0.45 * 0.825))  # 79.875


def test_rates_by_every_dimension_group_the_same_tickets(month_of_tickets):
    places = month_of_tickets
    by_unit = selectors.rates(month="2025-11", by="unit")
    assert [(r.name, r.assessable) for r in by_unit] == [("北京市热力集团有限责任公司", 10)]
    by_district = selectors.rates(month="2025-11", by="district")
    assert [(r.key, r.assessable, r.total) for r in by_district] == [(places["chaoyang"].pk, 10, 11)]
    by_category = selectors.rates(month="2025-11", by="category")  # rolled up to the top level
    assert [(r.name, r.resolved) for r in by_category] == [("公共服务", 6)]
    assert selectors.rates(month="2025-10", by="street")[0].response_rate == 0.0
    assert selectors.rates(month="2025-09", by="street") == []


def test_rule_set_versions_change_the_formula(month_of_tickets, users):
    base = RateRuleSet.objects.get()
    services.ruleset_new_version(actor=users["staff"], base=base, valid_from=dt.date(2025, 11, 1),
                                 resolution_denominator="assessable", satisfaction_denominator="assessable",
                                 weight_basic="1", score_weights={"default": {"response": 0, "resolution": 0.5,
                                                                              "satisfaction": 0.5}})
    [row] = selectors.rates(month="2025-11", by="street")
    assert row.resolution_rate == pytest.approx(6 / 10)
    assert row.satisfaction_rate == pytest.approx(7 / 10)
    assert row.score == pytest.approx(65.0)
    # October still uses version 1.
    [october] = selectors.rates(month="2025-10", by="street")
    assert selectors.ruleset_for(dt.date(2025, 10, 1)).version == 1
    assert october.resolution_rate == 1.0


def test_rule_set_can_restrict_kinds_and_count_direct_answers(month_of_tickets, users):
    base = RateRuleSet.objects.get()
    services.ruleset_new_version(actor=users["staff"], base=base, dispatched_only=False, assessed_kinds=["consult"])
    [row] = selectors.rates(month="2025-11", by="street")
    # The enquiry carries no response flag: its response rate is "no data", not 0 %.
    assert (row.total, row.assessable, row.flagged, row.responded, row.response_rate) == (1, 1, 0, 0, None)
    assert row.resolution_rate is None and row.score is None


def test_trend_by_month(month_of_tickets):
    rows = selectors.city_rates(months=[dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)])
    assert [(r.key, r.assessable) for r in rows] == [("2025-10", 1), ("2025-11", 10), ("2025-12", 0)]
    assert rows[1].satisfaction_rate == pytest.approx(0.825)
    assert rows[2].response_rate is None


def test_bad_month_and_dimension_are_refused():
    with pytest.raises(Invalid) as info:
        selectors.rates(month="2025-13", by="street")
    assert info.value.code == errors.BAD_MONTH
    with pytest.raises(Invalid) as info:
        selectors.rates(month="2025-11", by="planet")
    assert info.value.code == errors.BAD_DIMENSION


def _row(name: str, score: float | None, assessable: int = 100) -> RateRow:
    return RateRow(key=name, name=name, kind="street", assessable=assessable, score=score)


def test_ranking_ties_share_a_rank_and_stretch_the_red_list():
    rows = [_row("甲", 90.0), _row("乙", 85.004, 50), _row("丙", 84.996, 80), _row("丁", 80.0), _row("戊", 70.0),
            _row("己", 60.0)]
    ranked, red, black = rank_rows(rows, list_size=2)
    assert [(r.name, r.rank) for r in ranked] == [("甲", 1), ("丙", 2), ("乙", 2), ("丁", 4), ("戊", 5), ("己", 6)]
    assert [r.name for r in red] == ["甲", "丙", "乙"]
    assert [r.name for r in black] == ["己", "戊"]


def test_ranking_tie_at_the_bottom_and_small_groups_do_not_repeat_rows():
    rows = [_row("甲", 95.0), _row("乙", 70.0, 10), _row("丙", 70.0, 20)]
    ranked, red, black = rank_rows(rows, list_size=1)
    assert [(r.name, r.rank) for r in ranked] == [("甲", 1), ("丙", 2), ("乙", 2)]
    assert [r.name for r in red] == ["甲"]
    assert [r.name for r in black] == ["乙", "丙"]
    ranked, red, black = rank_rows([_row("甲", 95.0)], list_size=5)
    assert ([r.name for r in red], black) == (["甲"], [])


def test_street_ranking_groups_streets_and_townships(places):
    def tickets(street, n, resolved_every):
        for i in range(n):
            TicketFactory(unit=places["office"], street=street, district=street.parent, received_at=NOV,
                          resolved=i % resolved_every != 0)

    tickets(places["jianwai"], 12, 3)  # 8 of 12 resolved
    tickets(places["sanlitun"], 12, 4)  # 9 of 12
    tickets(places["sunhe"], 12, 2)  # township
    tickets(places["xibeiwang"], 5, 2)  # too few to be ranked (min 10)
    ranking = selectors.street_ranking(month="2025-11")
    assert [(r.name, r.rank) for r in ranking.groups["street"]] == [("三里屯街道", 1), ("建外街道", 2)]
    assert [r.name for r in ranking.groups["township"]] == ["孙河地区"]
    assert [r.name for r in ranking.unranked] == ["西北旺镇"]
    assert [r.name for r in ranking.red["street"]] == ["三里屯街道", "建外街道"]
    assert ranking.black["street"] == []


def test_generator_is_deterministic_and_believable(tmp_path):
    streets = synthetic._streets_from_csv("11")
    streets = [s for s in streets if s.name.endswith(synthetic.STREET_SUFFIXES)]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    synthetic.generate_file(a, tickets=3000, months=12, start=dt.date(2024, 1, 1), seed=7, streets=streets)
    synthetic.generate_file(b, tickets=3000, months=12, start=dt.date(2024, 1, 1), seed=7, streets=streets)
    assert a.read_bytes() == b.read_bytes()
    import csv

    with a.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3000
    assert len({r["工单编号"] for r in rows}) == 3000
    assert {r["区"] for r in rows} == set(synthetic.DISTRICT_WEIGHTS)
    heating = [r["受理时间"][5:7] for r in rows if r["二级分类"] == "供暖"]
    assert heating.count("11") > 4 * max(1, heating.count("07"))
    consult = sum(r["诉求类型"] == "咨询" for r in rows) / 3000
    assert 0.55 < consult < 0.62
    assert rows[0]["受理时间"] <= rows[-1]["受理时间"]


def test_months_with_tickets_leave_out_months_never_imported(month_of_tickets):
    assert selectors.months_with_tickets(dt.date(2025, 9, 1), dt.date(2026, 1, 1)) == {
        dt.date(2025, 10, 1), dt.date(2025, 11, 1)}
