"""factory_boy factories for the core models."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from minsheng.core import models

TZ = ZoneInfo("Asia/Shanghai")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = "member"
    password = factory.django.Password("pw-for-tests-1")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Term
        django_get_or_create = ("number",)

    number = 14
    name = "政协北京市第十四届委员会"
    starts_on = dt.date(2023, 1, 13)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Session

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda s: f"十四届{s.number}次会议")
    opens_on = dt.date(2026, 1, 21)
    proposal_cutoff = dt.datetime(2026, 1, 24, 12, 0, tzinfo=TZ)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Sector
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"界别{n}")
    category = "professional"
    order = factory.Sequence(lambda n: n)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Party
        django_get_or_create = ("name",)

    name = "九三学社"
    short_name = "九三学社"
    kind = "democratic"


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Committee
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"专委会{n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:08d}")
    name = factory.Sequence(lambda n: f"地区{n}")
    level = "street"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"承办单位{n}")
    kind = "government"
    organ = "government"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Member

    name = factory.Sequence(lambda n: f"委员{n}")
    term = factory.SubFactory(TermFactory)
    sector = factory.SubFactory(SectorFactory, name="医药卫生界")
    phone = "13800001111"
    workplace = "北京协和医院主任医师"
