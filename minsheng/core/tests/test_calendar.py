"""The working-day calendar against the 2026 Spring Festival and National Day, computed by hand."""

import datetime as dt

import pytest

from minsheng.core import calendar
from minsheng.core.errors import Invalid
from minsheng.core.models import CalendarDay, DeadlineRule

pytestmark = pytest.mark.django_db
D = dt.date


def test_seeded_2026_spring_festival_and_make_up_workdays():
    holidays = set(CalendarDay.objects.filter(date__range=(D(2026, 2, 1), D(2026, 2, 28)), kind="holiday")
                   .values_list("date", flat=True))
    # 15–23 Feb 2026; only the weekdays need a row (16–20 and 23).
    assert holidays == {D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23)}
    workdays = set(CalendarDay.objects.filter(date__year=2026, kind="workday").values_list("date", flat=True))
    assert {D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)} <= workdays


@pytest.mark.parametrize(("day", "expected"), [
    (D(2026, 2, 14), True),   # Saturday, make-up workday
    (D(2026, 2, 16), False),  # Monday, Spring Festival
    (D(2026, 2, 21), False),  # Saturday inside the holiday
    (D(2026, 2, 24), True),   # first day back
    (D(2026, 10, 7), False),  # National Day
    (D(2026, 10, 10), True),  # Saturday, make-up workday
    (D(2026, 10, 11), False),  # ordinary Sunday
    (D(2026, 11, 25), True),  # ordinary Wednesday
])
def test_is_working_day(day, expected):
    assert calendar.is_working_day(day) is expected


@pytest.mark.parametrize(("start", "n", "expected"), [
    (D(2026, 2, 12), 1, D(2026, 2, 13)),
    (D(2026, 2, 13), 1, D(2026, 2, 14)),   # the make-up Saturday counts
    (D(2026, 2, 13), 2, D(2026, 2, 24)),   # then nine days off
    (D(2026, 9, 30), 1, D(2026, 10, 8)),   # National Day week skipped
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # …and the make-up Saturday counts
    (D(2026, 9, 18), 1, D(2026, 9, 20)),   # Sunday 20 Sep is a workday
    (D(2026, 9, 24), 1, D(2026, 9, 28)),   # Mid-autumn Friday off
    (D(2026, 9, 21), 15, D(2026, 10, 19)),
    (D(2026, 5, 6), 0, D(2026, 5, 6)),
])
def test_add_working_days(start, n, expected):
    assert calendar.add_working_days(start, n) == expected


def test_working_days_between_spans_the_spring_festival():
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5
    assert calendar.working_days_between(D(2026, 2, 27), D(2026, 2, 13)) == -5
    assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2026, 1, 5), -1)


def test_due_date_of_three_months_rolls_past_national_day():
    # 1 Jul + 3 months = 1 Oct, a holiday: the period ends on the next working day, 8 Oct.
    assert calendar.due_date("proposal-reply", D(2026, 7, 1)) == D(2026, 10, 8)
    # Month ends are clamped: 30 Nov + 3 months = 28 Feb 2027 (a Sunday) → Monday 1 Mar.
    assert calendar.due_date("proposal-reply", D(2026, 11, 30)) == D(2027, 3, 1)


def test_due_date_working_days_and_hours():
    assert calendar.due_date("proposal-contact", D(2026, 9, 21)) == D(2026, 10, 19)
    start = dt.datetime(2026, 10, 1, 9, 0)
    assert calendar.due_date("hotline-24h", start) == dt.datetime(2026, 10, 2, 9, 0)


def test_rules_are_editable_and_edits_survive_reseeding():
    DeadlineRule.objects.filter(code="proposal-reply").update(amount=2)
    assert calendar.ensure_default_rules() == 0
    assert calendar.due_date("proposal-reply", D(2026, 3, 2)) == D(2026, 5, 6)  # 2 May is in the Labour Day break


def test_editing_a_calendar_day_changes_deadlines():
    CalendarDay.objects.create(date=D(2026, 11, 26), kind="holiday", name="临时休息")
    assert calendar.add_working_days(D(2026, 11, 25), 1) == D(2026, 11, 27)


def test_unknown_rule_is_a_field_error():
    with pytest.raises(Invalid) as info:
        calendar.due_date("no-such-rule", D(2026, 1, 5))
    assert info.value.code == "unknown_deadline_rule"
    assert info.value.fields == {"rule": "unknown"}


def test_reseed_restores_what_the_migrations_seeded():
    from minsheng.core.models import LivelihoodTag
    from minsheng.core.seeding import reseed

    DeadlineRule.objects.all().delete()
    LivelihoodTag.objects.filter(kind="five_qualities").delete()
    CalendarDay.objects.filter(date__year=2026).delete()
    names = reseed()
    assert "core.0003_seed_reference" in names
    assert DeadlineRule.objects.count() == len(calendar.DEFAULT_RULES)
    assert LivelihoodTag.objects.filter(kind="five_qualities").count() == 5
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
