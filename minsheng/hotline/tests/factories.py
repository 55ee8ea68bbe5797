"""factory_boy factories and a small map for the hotline tests."""

from __future__ import annotations

import datetime as dt

import factory

from minsheng.core.models import Area, Unit
from minsheng.hotline import models

BEIJING = dt.timezone(dt.timedelta(hours=8))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Category
        django_get_or_create = ("parent", "name")

    name = factory.Sequence(lambda n: f"类别{n}")
    parent = None


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Ticket

    number = factory.Sequence(lambda n: f"T{n:08d}")
    kind = "complaint"
    channel = "phone"
    received_at = dt.datetime(2025, 11, 3, 9, 30, tzinfo=BEIJING)
    responded_in_time = True
    resolved = True
    satisfaction = "satisfied"
    text = "来电人反映暖气不热。"


def geo() -> dict[str, object]:
    """Two districts, four streets (two 街道, two townships), one community, two units."""
    chaoyang, _ = Area.objects.get_or_create(code="110105", defaults={"name": "朝阳区", "level": "district"})
    haidian, _ = Area.objects.get_or_create(code="110108", defaults={"name": "海淀区", "level": "district"})

    def street(code: str, name: str, parent: Area) -> Area:
        return Area.objects.get_or_create(code=code, defaults={"name": name, "level": "street", "parent": parent})[0]

    jianwai = street("110105001", "建外街道", chaoyang)
    sanlitun = street("110105002", "三里屯街道", chaoyang)
    sunhe = street("110105040", "孙河地区", chaoyang)
    xibeiwang = street("110108040", "西北旺镇", haidian)
    community = Area.objects.get_or_create(code="110105001001", defaults={
        "name": "建国门外社区居委会", "level": "community", "parent": jianwai})[0]
    heat, _ = Unit.objects.get_or_create(name="北京市热力集团有限责任公司", defaults={"kind": "enterprise"})
    office, _ = Unit.objects.get_or_create(name="朝阳区建外街道办事处", defaults={"kind": "street"})
    return {"chaoyang": chaoyang, "haidian": haidian, "jianwai": jianwai, "sanlitun": sanlitun, "sunhe": sunhe,
            "xibeiwang": xibeiwang, "community": community, "heat": heat, "office": office}
