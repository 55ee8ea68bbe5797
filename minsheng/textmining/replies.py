"""Score a government reply against the message it answers.

Four sub-scores in [0, 1] and an overall score in [0, 100] (``score_reply`` / ``score_replies``):

* **relevance** — does the reply talk about what the message asked? ``0.5·min(1, cos/0.3) +
  0.5·coverage`` where ``cos`` is the TF-IDF cosine of message and reply (rjieba words; IDF over
  the batch when scoring many) and ``coverage`` the share of the subject's content words found in
  the reply. A cosine of 0.3 is already a close match for texts of such different lengths.
* **completeness** — ``0.15·greeting + 0.15·closing + 0.7·points``: a greeting in the first 40
  characters (您好, 网友, 市民 …), a closing in the last 80 (感谢, 特此回复, a date …), and the
  share of the message's points that the reply takes up. Points are the enumerated items of the
  message (一、 1. （1）…) or its questions and demands (sentences with 吗, ？, 请, 希望, 要求 …),
  or the subject when there are none; a point is taken up when at least half of its (at most
  three) rarest content words occur in the reply. A reply under 30 characters ("留言已收悉")
  scores at most 0.2 for points.
* **interpretability** — ``0.4·rule + 0.3·reason + 0.3·next_step``: cites a rule, law or
  policy (《…》, 法, 条例, 规定, 办法, 政策, 文件, 标准, 第…条), gives a reason or finding (因为,
  由于, 经调查, 经核实, 根据, 依据 …), names a next step or contact (将, 下一步, 预计, 计划,
  联系电话, 可向, 咨询 …).
* **timeliness** — lag from ``posted_at`` to ``replied_at`` in working days against
  ``DeadlineRule`` (default 15 working days). Working days are China's official ones
  (``china_working_days``: public holidays off, make-up weekend days on, from the
  ``chinesecalendar`` package for the years it covers, Monday–Friday outside them, with a note)
  unless a ``calendar`` function ``(start, end) -> working days`` is given (the platform passes
  its own holiday calendar). Score ``1 − 0.5·lag/deadline`` on time (0.5 at the deadline), then
  ``0.5·exp(−(lag − deadline)/deadline)`` when late. Missing or unreadable times give no score.

``overall = 100 × (0.3·relevance + 0.25·completeness + 0.25·interpretability + 0.2·timeliness)``,
re-weighted over the available sub-scores when timeliness is missing. An empty reply scores 0
everywhere ("no reply"), whatever its times.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
import rjieba

from minsheng.textmining.hot_messages import parse_time
from minsheng.textmining.normalize import clean, to_simplified
from minsheng.textmining.segment import default_stop_words

__all__ = ["DeadlineRule", "ReplyScore", "china_working_days", "has_reply", "score_replies", "score_reply", "weekday_count"]

REQUIRED_COLUMNS = ("message_id", "subject", "detail", "reply", "posted_at", "replied_at")
WEIGHTS = {"relevance": 0.3, "completeness": 0.25, "interpretability": 0.25, "timeliness": 0.2}

_GREETING = re.compile(r"您好|你好|网友|市民|同志|尊敬|先生|女士|来信人|留言人")
_CLOSING = re.compile(
    r"感谢|谢谢|特此回复|此复|特此答复|欢迎|理解|支持|祝|20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
)
_RULE = re.compile(
    r"《[^》]{2,40}》|法规|法律|条例|规定|办法|政策|文件|标准|规范|细则|通知|意见|第[一二三四五六七八九十百0-9]+条|法"
)
_REASON = re.compile(r"因为|由于|原因|经调查|经核实|经查|经了解|调查了解|核实|根据|依据|按照|鉴于|因此|所以")
_NEXT = re.compile(
    r"将|下一步|预计|计划|拟|尽快|督促|责成|联系电话|电话|可向|咨询|请您|办理|前往|地址|跟进|安排"
)
_ENUM = re.compile(
    r"(?:^|[。；;！!？?\s])(?:[一二三四五六七八九十]+[、.．]|[0-9]{1,2}[、.．)）]|[（(][0-9一二三四五六七八九十]{1,2}[)）])"
)
_SENTENCE = re.compile(r"[^。！!？?；;\n]+[。！!？?；;]?")
_ASK = re.compile(r"吗|？|\?|请|希望|要求|建议|能否|是否|何时|什么时候|为什么|为何|怎么|如何|呼吁|恳请|盼")


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """How long a reply may take: ``days`` working days (``working=False``: calendar days)."""

    days: int = 15
    working: bool = True


@dataclass(frozen=True, slots=True)
class ReplyScore:
    """Sub-scores in [0, 1] (``timeliness`` ``None`` without times), lag and overall (0–100)."""

    relevance: float
    completeness: float
    interpretability: float
    timeliness: float | None
    lag_days: float | None
    overall: float
    notes: str


def weekday_count(start: date, end: date) -> int:
    """Monday–Friday days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def has_reply(reply: object) -> bool:
    """Whether a reply cell holds any text once cleaned (``_x000D_`` and spaces are none)."""
    return bool(clean(str(reply or "")).strip())


@cache
def _official_days() -> tuple[list[date], list[date], int, int]:
    """China's public holidays that fall on weekdays and make-up working days that fall on
    weekends (``chinesecalendar``), each sorted, and the first and last year they cover."""
    import chinese_calendar

    off = sorted(day for day in chinese_calendar.holidays if day.weekday() < 5)
    on = sorted(day for day in chinese_calendar.workdays if day.weekday() >= 5)
    years = [day.year for day in chinese_calendar.holidays]
    return off, on, min(years), max(years)


def china_working_days(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``) in
    China's official calendar: Monday–Friday without the public holidays, plus the weekend days
    worked in their place. Days in years the calendar does not cover count Monday–Friday
    (``uncovered_years`` names them)."""
    if end <= start:
        return 0
    off, on, _, _ = _official_days()
    count = weekday_count(start, end)
    count -= bisect_right(off, end) - bisect_right(off, start)
    count += bisect_right(on, end) - bisect_right(on, start)
    return count


def uncovered_years(start: date, end: date) -> list[int]:
    """The years from ``start`` to ``end`` whose holidays ``china_working_days`` does not know."""
    _, _, first, last = _official_days()
    return [year for year in range(start.year, end.year + 1) if not first <= year <= last]


@cache
def _stops() -> frozenset[str]:
    return default_stop_words() | frozenset({"问题", "反映", "您好", "你好", "网友", "留言", "回复", "如下"})


def _words(text: str) -> list[str]:
    stops = _stops()
    return [
        w for w in rjieba.cut(text) if len(w) > 1 and w not in stops and not w.isdigit() and not w.isspace()
    ]


def _points(subject: str, detail: str) -> list[str]:
    marks = [m.start() for m in _ENUM.finditer(detail)]
    if len(marks) >= 2:
        bounds = [*marks, len(detail)]
        return [detail[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if len(detail[a:b].strip()) > 4]
    asks = [s for s in _SENTENCE.findall(detail) if _ASK.search(s) and len(s) > 6]
    return asks[:8] or [subject or detail[:80]]


def _timeliness(
    posted: datetime | None,
    replied: datetime | None,
    rule: DeadlineRule,
    calendar: Callable[[date, date], int] | None,
) -> tuple[float | None, float | None]:
    if posted is None or replied is None or replied < posted:
        return None, None
    if rule.working:
        lag = float((calendar or china_working_days)(posted.date(), replied.date()))
    else:
        lag = (replied - posted).total_seconds() / 86400
    deadline = max(1, rule.days)
    if lag <= deadline:
        return 1.0 - 0.5 * lag / deadline, lag
    return 0.5 * math.exp(-(lag - deadline) / deadline), lag


def _no_timeliness(
    posted_at: object, posted: datetime | None, replied_at: object, replied: datetime | None
) -> str:
    """Why timeliness is not scored (the overall score is then re-weighted without it)."""
    for name, value, parsed in (("posted_at", posted_at, posted), ("replied_at", replied_at, replied)):
        if parsed is None:
            if value is None or not str(value).strip():
                return f"no {name}: timeliness not scored"
            return f"{name} {str(value).strip()!r} is not a date: timeliness not scored"
    return "replied_at before posted_at: timeliness not scored"


def _cosine(a: Counter[str], b: Counter[str], idf: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum((1 + math.log(c)) * (1 + math.log(b[w])) * idf.get(w, 1.0) ** 2 for w, c in a.items() if w in b)
    na = math.sqrt(sum(((1 + math.log(c)) * idf.get(w, 1.0)) ** 2 for w, c in a.items()))
    nb = math.sqrt(sum(((1 + math.log(c)) * idf.get(w, 1.0)) ** 2 for w, c in b.items()))
    return dot / (na * nb) if na and nb else 0.0


def score_reply(
    subject: str,
    detail: str,
    reply: str,
    posted_at: str | datetime | None = None,
    replied_at: str | datetime | None = None,
    *,
    rule: DeadlineRule = DeadlineRule(),
    calendar: Callable[[date, date], int] | None = None,
    idf: Mapping[str, float] | None = None,
) -> ReplyScore:
    """Score one reply (see the module docstring for every term)."""
    subject = to_simplified(clean(subject or ""))
    detail = to_simplified(clean(detail or ""))
    reply = to_simplified(clean(reply or ""))
    if not has_reply(reply):
        return ReplyScore(0.0, 0.0, 0.0, None, None, 0.0, "no reply")
    weights = idf or {}
    message_words = Counter(_words(subject + " " + subject + " " + detail))
    reply_words = Counter(_words(reply))
    cos = _cosine(message_words, reply_words, weights)
    subject_words = set(_words(subject))
    coverage = (sum(1 for w in subject_words if w in reply) / len(subject_words)) if subject_words else cos
    relevance = 0.5 * min(1.0, cos / 0.3) + 0.5 * coverage

    notes: list[str] = []
    greeting = 1.0 if _GREETING.search(reply[:40]) else 0.0
    closing = 1.0 if _CLOSING.search(reply[-80:]) else 0.0
    points = _points(subject, detail)
    taken = 0
    for point in points:
        # Ties broken by the word itself: set order differs between processes (PYTHONHASHSEED).
        words = sorted(set(_words(point)), key=lambda w: (-weights.get(w, float(len(w))), w))[:3]
        if words and sum(1 for w in words if w in reply) * 2 >= len(words):
            taken += 1
    point_share = taken / len(points) if points else 0.0
    if len(reply) < 30:
        point_share = min(point_share, 0.2)
        notes.append("reply too short")
    completeness = 0.15 * greeting + 0.15 * closing + 0.7 * point_share
    if not greeting:
        notes.append("no greeting")
    if not closing:
        notes.append("no closing")
    notes.append(f"points {taken}/{len(points)}")

    rule_hit = 1.0 if _RULE.search(reply) else 0.0
    reason_hit = 1.0 if _REASON.search(reply) else 0.0
    next_hit = 1.0 if _NEXT.search(reply) else 0.0
    interpretability = 0.4 * rule_hit + 0.3 * reason_hit + 0.3 * next_hit
    for flag, label in ((rule_hit, "no rule cited"), (reason_hit, "no reason"), (next_hit, "no next step")):
        if not flag:
            notes.append(label)

    posted = posted_at if isinstance(posted_at, datetime) else parse_time(posted_at or "")
    replied = replied_at if isinstance(replied_at, datetime) else parse_time(replied_at or "")
    timeliness, lag = _timeliness(posted, replied, rule, calendar)
    if timeliness is None:
        notes.append(_no_timeliness(posted_at, posted, replied_at, replied))
    if lag is not None and rule.working and calendar is None and posted and replied:
        unknown = uncovered_years(posted.date(), replied.date())
        if unknown:
            years = ", ".join(map(str, unknown)) if len(unknown) <= 3 else f"{unknown[0]}–{unknown[-1]}"
            notes.append(f"holidays of {years} not known: Monday–Friday counted")
    if lag is not None and lag > rule.days:
        notes.append(f"late: {lag:g} > {rule.days} {'working ' if rule.working else ''}days")
    parts = {"relevance": relevance, "completeness": completeness, "interpretability": interpretability}
    if timeliness is not None:
        parts["timeliness"] = timeliness
    total = sum(WEIGHTS[k] for k in parts)
    overall = 100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()) / total
    return ReplyScore(
        relevance=round(relevance, 4),
        completeness=round(completeness, 4),
        interpretability=round(interpretability, 4),
        timeliness=None if timeliness is None else round(timeliness, 4),
        lag_days=None if lag is None else round(lag, 2),
        overall=round(overall, 2),
        notes="; ".join(notes),
    )


def score_replies(
    rows: Sequence[Mapping[str, str]],
    *,
    rule: DeadlineRule = DeadlineRule(),
    calendar: Callable[[date, date], int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ReplyScore]:
    """Score rows with the columns of ``replies.csv``; IDF is computed over the batch."""
    docs = [
        set(
            _words(
                to_simplified(
                    clean(f"{r.get('subject') or ''} {r.get('detail') or ''} {r.get('reply') or ''}")
                )
            )
        )
        for r in rows
    ]
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    idf = {w: float(np.log((1 + n) / (1 + c)) + 1.0) for w, c in df.items()}
    out: list[ReplyScore] = []
    for i, row in enumerate(rows):
        out.append(
            score_reply(
                row.get("subject") or "",
                row.get("detail") or "",
                row.get("reply") or "",
                row.get("posted_at"),
                row.get("replied_at"),
                rule=rule,
                calendar=calendar,
                idf=idf,
            )
        )
        if progress is not None and i % 200 == 199:
            progress(200)
    return out
