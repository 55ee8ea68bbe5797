"""The working-day calendar: statutory holidays and make-up workdays (调休) on top of Mon–Fri.

Every deadline in this domain counts working days or calendar periods; `due_date` turns a named
`DeadlineRule` and a start into a due date. Exceptions to the ordinary week live in `CalendarDay`
(seeded from the `chinesecalendar` package by `load_calendar`, editable in admin).

Conventions (domain.md §1.4, and the ordinary rule for legal periods):
- `add_working_days(start, n)` is the n-th working day *after* `start`; the start day does not count.
- A period in calendar days or months that ends on a non-working day ends on the next working day.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Iterable

from .choices import DayKind, DeadlineUnit
from .errors import UNKNOWN_DEADLINE_RULE, Invalid
from .models import CalendarDay, DeadlineRule


class WorkCalendar:
    """Answers working-day questions for a date range with one query for the exceptions."""

    def __init__(self, exceptions: dict[dt.date, str]) -> None:
        self.exceptions = exceptions

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> WorkCalendar:
        rows = CalendarDay.objects.filter(date__range=(min(start, end), max(start, end))).values_list("date", "kind")
        return cls(dict(rows))

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.exceptions.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def _span_for(n: int) -> int:
    # Generous: the longest Chinese holiday run is 8–9 days; weekends add 2 of every 7.
    return abs(n) * 2 + 30


def is_working_day(day: dt.date) -> bool:
    return WorkCalendar.load(day, day).is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n ≥ 0; n = 0 returns `start`)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    if n == 0:
        return start
    horizon = start + dt.timedelta(days=_span_for(n))
    cal = WorkCalendar.load(start, horizon)
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if day > horizon:  # only for absurdly long spans: load the next stretch
            horizon = day + dt.timedelta(days=_span_for(n - counted))
            cal = WorkCalendar.load(day, horizon)
        if cal.is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days have passed from `start` to `end`.

    Negative when `end` is before `start`.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    cal = WorkCalendar.load(start, end)
    count = sum(1 for i in range(1, (end - start).days + 1) if cal.is_working_day(start + dt.timedelta(days=i)))
    return sign * count


def next_working_day(day: dt.date, *, cal: WorkCalendar | None = None) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    cal = cal or WorkCalendar.load(day, day + dt.timedelta(days=30))
    while not cal.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, pycalendar.monthrange(year, month)[1]))


def get_rule(code: str) -> DeadlineRule:
    try:
        return DeadlineRule.objects.get(code=code)
    except DeadlineRule.DoesNotExist:
        raise Invalid(f"No deadline rule named {code!r}.", code=UNKNOWN_DEADLINE_RULE,
                      fields={"rule": "unknown"}) from None


def due_date(rule: str | DeadlineRule, start: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """The due date of `rule` (a code or a rule) counted from `start`.

    Hour rules need and return a datetime; the others return a date.
    """
    rule = get_rule(rule) if isinstance(rule, str) else rule
    if rule.unit == DeadlineUnit.HOURS:
        if not isinstance(start, dt.datetime):
            raise ValueError("an hour rule needs a datetime start")
        return start + dt.timedelta(hours=rule.amount)
    day = start.date() if isinstance(start, dt.datetime) else start
    if rule.unit == DeadlineUnit.WORKING_DAYS:
        return add_working_days(day, rule.amount)
    end = day + dt.timedelta(days=rule.amount) if rule.unit == DeadlineUnit.CALENDAR_DAYS else add_months(day, rule.amount)
    return next_working_day(end)


# Defaults from domain.md (§1.4 proposals, §2 opinions, §3 hotline); every one is editable in admin.
DEFAULT_RULES: list[tuple[str, str, int, str, str]] = [
    ("proposal-reply", "提案办理答复期限", 3, DeadlineUnit.MONTHS, "domain.md §1.4: reply within 3 months of assignment"),
    ("proposal-extension-cap", "提案延期答复上限", 6, DeadlineUnit.MONTHS, "domain.md §1.4: formal reply no later than 6 months"),
    ("proposal-reassign-request", "申请调整承办单位期限", 10, DeadlineUnit.WORKING_DAYS, "issue 4: 10 working days to ask for re-assignment"),
    ("proposal-co-opinion", "会办单位意见期限", 1, DeadlineUnit.MONTHS, "issue 4: 1 month for co-unit opinions"),
    ("proposal-contact", "办前沟通期限", 15, DeadlineUnit.WORKING_DAYS, "domain.md §1.4: contact the proposer within 15 working days"),
    ("proposal-evaluation", "提案者评价期限", 15, DeadlineUnit.WORKING_DAYS, "domain.md §1.4: evaluation within 15 working days"),
    ("proposal-fast-track", "直通车提案答复期限", 10, DeadlineUnit.WORKING_DAYS, "[VERIFY] urgent proposals: configurable"),
    ("proposal-reminder-lead", "到期前提醒", 5, DeadlineUnit.WORKING_DAYS, "reminder this many working days before due"),
    ("hotline-2h", "12345 紧急诉求", 2, DeadlineUnit.HOURS, "domain.md §3: [VERIFY] 2 hours"),
    ("hotline-24h", "12345 24小时诉求", 24, DeadlineUnit.HOURS, "domain.md §3: [VERIFY] 24 hours"),
    ("hotline-7d", "12345 7日诉求", 7, DeadlineUnit.CALENDAR_DAYS, "domain.md §3: [VERIFY] 7 days"),
    ("hotline-15d", "12345 15日诉求", 15, DeadlineUnit.CALENDAR_DAYS, "domain.md §3: [VERIFY] 15 days"),
    ("opinion-feedback", "社情民意反馈期限", 15, DeadlineUnit.WORKING_DAYS, "[VERIFY] configurable"),
]


def ensure_default_rules(codes: Iterable[str] | None = None) -> int:
    """Create the default deadline rules that are missing; never overwrite an edited one."""
    wanted = set(codes) if codes is not None else None
    created = 0
    for code, name, amount, unit, note in DEFAULT_RULES:
        if wanted is not None and code not in wanted:
            continue
        _, was_created = DeadlineRule.objects.get_or_create(
            code=code, defaults={"name": name, "amount": amount, "unit": unit, "note": note}
        )
        created += was_created
    return created


def calendar_load(*, years: Iterable[int] | None = None) -> int:
    """Seed `CalendarDay` from the `chinesecalendar` package; existing (possibly edited) days are kept."""
    import chinese_calendar

    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if (years is None or day.year in years) and day.weekday() < 5 and day not in existing:
            rows.append(CalendarDay(date=day, kind=DayKind.HOLIDAY, name=_holiday_name(name)))
    for day, name in chinese_calendar.workdays.items():
        if (years is None or day.year in years) and day.weekday() >= 5 and day not in existing:
            rows.append(CalendarDay(date=day, kind=DayKind.WORKDAY, name=_holiday_name(name)))
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(value: object) -> str:
    text = str(value) if value else ""
    return _HOLIDAY_NAMES.get(text, text)
