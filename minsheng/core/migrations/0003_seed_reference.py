"""Seed the vocabularies every installation needs: 七有 and 五性 tags, default deadline rules, and the
statutory holidays and make-up workdays from the `chinesecalendar` package. Edits made later in admin
are kept: each seed only adds what is missing."""

from django.db import migrations

SEVEN_HAVES = ["幼有所育", "学有所教", "劳有所得", "病有所医", "老有所养", "住有所居", "弱有所扶"]
# domain.md §7: the commonly cited set; wording [VERIFY], editable in admin.
FIVE_QUALITIES = ["便利性", "宜居性", "多样性", "公正性", "安全性"]


def seed(apps, schema_editor):
    from minsheng.core.calendar import DEFAULT_RULES, _holiday_name

    Tag = apps.get_model("core", "LivelihoodTag")
    for kind, names in (("seven_haves", SEVEN_HAVES), ("five_qualities", FIVE_QUALITIES)):
        for order, name in enumerate(names, 1):
            Tag.objects.get_or_create(kind=kind, name=name, defaults={"order": order})

    Rule = apps.get_model("core", "DeadlineRule")
    for code, name, amount, unit, note in DEFAULT_RULES:
        Rule.objects.get_or_create(code=code, defaults={"name": name, "amount": amount, "unit": unit, "note": note})

    import chinese_calendar

    Day = apps.get_model("core", "CalendarDay")
    existing = set(Day.objects.values_list("date", flat=True))
    rows = [Day(date=d, kind="holiday", name=_holiday_name(n)) for d, n in chinese_calendar.holidays.items()
            if d.year >= 2018 and d.weekday() < 5 and d not in existing]
    rows += [Day(date=d, kind="workday", name=_holiday_name(n)) for d, n in chinese_calendar.workdays.items()
             if d.year >= 2018 and d.weekday() >= 5 and d not in existing]
    Day.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
