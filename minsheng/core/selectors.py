"""Reads of the core app: directory queries, timelines, dashboard figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import AreaLevel, JobStatus, MemberStatus, Role
from .models import Area, Event, Job, Member, Notification, Sector, Unit, User
from .search import search_ids


def member_list(*, q: str = "", sector: int | None = None, party: int | None = None, committee: int | None = None,
                area: int | None = None, standing: bool | None = None, status: str | None = None) -> QuerySet[Member]:
    """Members with the joins a list needs (sector, party, area, committees), filtered."""
    qs = Member.objects.select_related("sector", "party", "area", "term").prefetch_related("committees")
    if sector:
        qs = qs.filter(sector_id=sector)
    if party:
        qs = qs.filter(party_id=party)
    if committee:
        qs = qs.filter(committees__id=committee)
    if area:
        qs = qs.filter(area_id=area)
    if standing is not None:
        qs = qs.filter(is_standing=standing)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(pk__in=[int(i) for i in search_ids(q, model=Member, limit=2000)]) | Q(name__contains=q))
    return qs.order_by("sector__order", "name", "pk")


def unit_list(*, q: str = "", kind: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent", "area").filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(pk__in=[int(i) for i in search_ids(q, model=Unit, limit=2000)]))
    return qs.order_by("kind", "name")


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.annotate(
        member_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE))
    ).select_related("convener").order_by("order", "pk")


def district_list() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.DISTRICT).annotate(street_count=Count("children")).order_by("code")


def timeline(obj: models.Model) -> QuerySet[Event]:
    """The events of one object, oldest first, with their actors."""
    return Event.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    ).select_related("actor").order_by("created_at", "id")


def attachments_of(obj: models.Model) -> QuerySet:
    from .models import Attachment

    return Attachment.objects.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)).select_related("uploaded_by")


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass
class Card:
    """One figure on a home dashboard."""

    label: str
    value: int | str
    url: str = ""
    icon: str = "bar-chart"
    note: str = ""


@dataclass
class Dashboard:
    title: str
    cards: list[Card] = field(default_factory=list)


# Apps add their own figures: provider(user) -> list[Card], called for every role.
DASHBOARD_PROVIDERS: list[Callable[[User], list[Card]]] = []


def dashboard(user: User) -> Dashboard:
    """The home page figures for the user's role, computed from the data."""
    role = user.role
    cards: list[Card] = []
    if user.is_superuser or role in (Role.STAFF, Role.LEADER):
        members = Member.objects.filter(status=MemberStatus.ACTIVE)
        cards += [
            Card(_("Serving members"), members.count(), reverse("core:member_list"), "people"),
            Card(_("Sectors covered"), members.values("sector").distinct().count(), reverse("core:sector_list"), "diagram-3",
                 note=_("of %(n)s sectors") % {"n": Sector.objects.filter(active=True).count()}),
            Card(_("Standing committee members"), members.filter(is_standing=True).count(), reverse("core:member_list") + "?standing=1", "star"),
            Card(_("Handling units"), Unit.objects.filter(active=True).count(), reverse("core:unit_list"), "building"),
            Card(_("Districts"), Area.objects.filter(level=AreaLevel.DISTRICT).count(), reverse("core:district_list"), "geo-alt"),
            Card(_("Jobs running"), Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count(), reverse("core:job_list"), "hourglass-split"),
        ]
        title = _("Leader's overview") if role == Role.LEADER else _("Office workbench")
    elif role == Role.MEMBER:
        member = Member.objects.filter(user=user).select_related("sector", "party").first()
        if member:
            cards += [
                Card(_("My sector"), member.sector.name, reverse("core:member_detail", args=[member.pk]), "diagram-3"),
                Card(_("Members in my sector"), Member.objects.filter(sector=member.sector_id, status=MemberStatus.ACTIVE).count(),
                     reverse("core:member_list") + f"?sector={member.sector_id}", "people"),
            ]
        title = _("Member's desk")
    elif role == Role.UNIT_HANDLER:
        unit = user.unit
        if unit:
            cards.append(Card(_("My unit"), unit.name, reverse("core:unit_detail", args=[unit.pk]), "building"))
            cards.append(Card(_("Colleagues in my unit"), User.objects.filter(unit=unit, is_active=True).count(), "", "person-badge"))
        title = _("Handling unit desk")
    elif role == Role.DISTRICT_STAFF:
        district = user.district
        if district:
            cards += [
                Card(_("My district"), district.name, "", "geo-alt"),
                Card(_("Streets and townships"), Area.objects.filter(parent=district, level=AreaLevel.STREET).count(), "", "signpost"),
                Card(_("Members in my district"), Member.objects.filter(area=district, status=MemberStatus.ACTIVE).count(),
                     reverse("core:member_list") + f"?area={district.pk}", "people"),
            ]
        title = _("District desk")
    else:
        title = _("Home")
    cards.append(Card(_("Unread notifications"), unread_count(user), reverse("core:notifications"), "bell"))
    for provider in DASHBOARD_PROVIDERS:
        cards.extend(provider(user))
    return Dashboard(title=title, cards=cards)
