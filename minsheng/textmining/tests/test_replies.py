"""Reply scoring (``minsheng.textmining.replies``)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from minsheng.textmining import replies

REPO_ROOT = Path(__file__).resolve().parents[3]

SUBJECT = "A2区景蓉华苑小区停车收费问题"
DETAIL = "小区业委会没有召开业主大会就制定停车收费方案，请问这样合法吗？希望住建局调查处理。"
GOOD = (
    "网友您好！您反映的景蓉华苑小区停车收费问题已收悉。经调查了解，业委会于4月召开了业主大会，"
    "根据《物业管理条例》第十一条，停车收费方案须经业主大会表决。下一步，住建局将督促业委会依法依规"
    "重新表决，如有疑问可拨打联系电话0731-12345678咨询。感谢您对我们工作的支持。2019年5月9日"
)
BAD = "留言已收悉。"


def test_a_full_reply_scores_high_on_every_part():
    score = replies.score_reply(SUBJECT, DETAIL, GOOD, "2019/4/25 9:32:09", "2019/5/9 14:56:53")
    assert score.relevance > 0.6
    assert score.completeness == 1.0
    assert score.interpretability == 1.0
    # 10 weekdays, less the May Day holidays on Wednesday to Friday, plus the two Sundays worked
    assert score.lag_days == 9.0
    assert score.timeliness == pytest.approx(1 - 0.5 * 9 / 15, abs=1e-4)
    assert score.overall > 80
    assert score.notes == "points 2/2"


def test_an_empty_acknowledgement_scores_low_and_says_why():
    score = replies.score_reply(SUBJECT, DETAIL, BAD, "2019/4/25", "2019/4/26")
    assert score.relevance == 0.0
    assert score.interpretability == 0.0
    assert score.overall < 30
    assert "reply too short" in score.notes
    assert "no rule cited" in score.notes


def test_late_replies_lose_timeliness():
    on_time = replies.score_reply(SUBJECT, DETAIL, GOOD, "2019-04-01", "2019-04-05")
    late = replies.score_reply(SUBJECT, DETAIL, GOOD, "2019-04-01", "2019-06-28")
    assert on_time.timeliness is not None and late.timeliness is not None
    assert late.timeliness < 0.5 < on_time.timeliness
    assert "late: 61 > 15 working days" in late.notes  # 64 weekdays, 5 of them holidays, 2 Sundays worked


def test_missing_times_drop_timeliness_from_the_overall():
    score = replies.score_reply(SUBJECT, DETAIL, GOOD, "", "not a date")
    assert score.timeliness is None
    assert score.lag_days is None
    assert 0 < score.overall <= 100
    assert score.notes == "points 2/2; no posted_at: timeliness not scored"


@pytest.mark.parametrize(
    ("posted", "replied", "note"),
    [
        ("2019/4/25", "", "no replied_at: timeliness not scored"),
        ("2019/4/25", "未知", "replied_at '未知' is not a date: timeliness not scored"),
        ("2019/4/25", "2019/4/20", "replied_at before posted_at: timeliness not scored"),
    ],
)
def test_why_timeliness_is_missing_is_noted(posted, replied, note):
    assert replies.score_reply(SUBJECT, DETAIL, GOOD, posted, replied).notes == f"points 2/2; {note}"


def test_scores_do_not_depend_on_the_process_hash_seed():
    script = (
        "from minsheng.textmining import replies\n"
        "print(replies.score_reply('小区停车收费问题和物业费上涨问题', '停车收费标准是否合法？物业费为何上涨？"
        "业委会为何不公示账目？', '您好，停车收费标准经物价部门核定，物业费调整已公示。谢谢。').notes)"
    )
    notes = {
        subprocess.run(
            [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(notes) == 1


def test_calendar_days_and_a_custom_calendar():
    rule = replies.DeadlineRule(days=15, working=False)
    score = replies.score_reply(SUBJECT, DETAIL, GOOD, "2019-04-01 00:00", "2019-04-11 00:00", rule=rule)
    assert score.lag_days == 10.0
    holidays = replies.score_reply(SUBJECT, DETAIL, GOOD, "2019-04-01", "2019-04-11", calendar=lambda a, b: 3)
    assert holidays.lag_days == 3.0


def test_china_working_days_follow_the_official_calendar():
    assert replies.china_working_days(date(2019, 9, 30), date(2019, 10, 8)) == 1  # National Day week
    assert replies.weekday_count(date(2019, 9, 30), date(2019, 10, 8)) == 6
    assert replies.china_working_days(date(2019, 9, 28), date(2019, 9, 29)) == 1  # a Sunday worked
    assert replies.china_working_days(date(2019, 4, 5), date(2019, 4, 8)) == 1  # Qingming Friday off
    assert replies.china_working_days(date(2019, 4, 8), date(2019, 4, 1)) == 0
    # far-off years, which no version of the calendar package will cover soon
    assert replies.uncovered_years(date(2099, 12, 20), date(2100, 1, 10)) == [2099, 2100]


def test_a_lag_in_years_without_a_holiday_calendar_is_counted_monday_to_friday_and_noted():
    score = replies.score_reply(SUBJECT, DETAIL, GOOD, "2099-12-20", "2100-01-10")
    assert score.lag_days == replies.weekday_count(date(2099, 12, 20), date(2100, 1, 10)) == 15
    assert score.notes == "points 2/2; holidays of 2099, 2100 not known: Monday–Friday counted"
    assert "not known" not in replies.score_reply(SUBJECT, DETAIL, GOOD, "2099-12-20", "2100-01-10",
                                                  calendar=replies.weekday_count).notes


@pytest.mark.parametrize("reply", ["", "   ", "_x000D_"])
def test_an_empty_reply_scores_zero(reply):
    score = replies.score_reply(SUBJECT, DETAIL, reply, "2019-04-01", "2019-04-02")
    assert score == replies.ReplyScore(0.0, 0.0, 0.0, None, None, 0.0, "no reply")


def test_weekday_count_skips_weekends():
    assert replies.weekday_count(date(2019, 4, 5), date(2019, 4, 8)) == 1  # Friday → Monday
    assert replies.weekday_count(date(2019, 4, 1), date(2019, 4, 15)) == 10
    assert replies.weekday_count(date(2019, 4, 8), date(2019, 4, 1)) == 0


def test_score_replies_scores_every_row():
    rows = [
        {
            "subject": SUBJECT,
            "detail": DETAIL,
            "reply": GOOD,
            "posted_at": "2019/4/25",
            "replied_at": "2019/5/9",
        },
        {
            "subject": SUBJECT,
            "detail": DETAIL,
            "reply": BAD,
            "posted_at": "2019/4/25",
            "replied_at": "2019/5/9",
        },
    ]
    scores = replies.score_replies(rows)
    assert len(scores) == 2
    assert scores[0].overall > scores[1].overall


@pytest.mark.shared_data
def test_shared_replies_score_in_range_and_rank_acknowledgements_last():
    data = Path(os.environ.get("MINSHENG_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    path = data / "messages" / "replies.csv"
    if not path.is_file():
        pytest.skip(f"shared data not found at {data} (set MINSHENG_SHARED_DATA)")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))[:400]
    scores = replies.score_replies(rows)
    assert all(0 <= s.overall <= 100 for s in scores)
    short = [s.overall for s, r in zip(scores, rows, strict=True) if len(r["reply"]) < 30]
    long = [s.overall for s, r in zip(scores, rows, strict=True) if len(r["reply"]) > 300]
    assert short and long
    assert sum(short) / len(short) < sum(long) / len(long)
