"""Reads of the core app: directory queries, timelines, dashboard figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
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
    """One figure on a home page. `url` opens the records it counts: the figure is computed by the same
    selector (and the same filters) as that list, so the two always agree."""

    label: str
    value: int | str
    url: str = ""
    icon: str = "bar-chart"
    note: str = ""
    tone: str = ""  # "danger" when the figure counts something late, "primary" for the user's own queue


@dataclass
class Task:
    """One line of a home page's to-do list: what to do next, with its due date and days overdue."""

    title: str
    url: str
    detail: str = ""
    due: dt.date | None = None
    days_overdue: int = 0
    badge: str = ""  # a short state label (a status, "awaiting co-signers")


@dataclass
class Trend:
    """A figure over time, drawn with ECharts on the home page: `series` are dicts of name, kind ("line" or
    "bar"), values and axis (0: the left axis, 1: the right one)."""

    key: str
    title: str
    url: str
    labels: list[str]
    series: list[dict]
    unit: str = ""  # of the left axis ("%")

    @property
    def element_id(self) -> str:
        return f"trend-{self.key}"

    @property
    def data_id(self) -> str:
        return f"trend-{self.key}-data"

    @property
    def data(self) -> dict:
        return {"labels": self.labels, "series": self.series, "unit": self.unit}


@dataclass
class Action:
    """A button at the top of a home page (新建提案)."""

    label: str
    url: str
    icon: str = "plus"
    testid: str = ""


@dataclass
class Section:
    """A block of a home page: its figures, the tasks behind them (soonest due first) and a trend."""

    key: str
    title: str
    cards: list[Card] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    trend: Trend | None = None
    url: str = ""  # "all of it"
    url_label: str = ""
    empty: str = ""  # shown when there are no tasks
    order: int = 50  # smaller first


HomeItem = Card | Section | Action


@dataclass
class Dashboard:
    title: str
    sections: list[Section] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return [card for section in self.sections for card in section.cards]

    @property
    def trends(self) -> list[Trend]:
        return [section.trend for section in self.sections if section.trend]


# Apps add their own figures: provider(user) -> list of Section, Action or Card (a bare card joins the role's
# general section), called for every role.
DASHBOARD_PROVIDERS: list[Callable[[User], list[HomeItem]]] = []


def sectors_covered() -> QuerySet[Sector]:
    """The sectors with at least one serving member (the sector list shows their member counts)."""
    return sector_list().filter(member_count__gt=0)


def running_jobs() -> QuerySet[Job]:
    return Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).order_by("created_at", "pk")


JOBS_ON_HOME = 5


def _members_url(**filters: object) -> str:
    return reverse("core:member_list") + "?" + urlencode({"status": MemberStatus.ACTIVE, **filters})


def _committee_cards() -> list[Card]:
    """Members and sectors: the figures of the member list (serving members only) and the sector list."""
    members = member_list(status=MemberStatus.ACTIVE)
    return [
        Card(_("Serving members"), members.count(), _members_url(), "people"),
        Card(_("Sectors covered"), sectors_covered().count(), reverse("core:sector_list"), "diagram-3",
             note=_("of %(n)s sectors") % {"n": Sector.objects.filter(active=True).count()}),
    ]


def _general_section(user: User) -> Section:
    """The role's own record: its committee, sector, unit or district, and the inbox."""
    role = user.role
    cards: list[Card] = []
    if user.is_superuser or role == Role.STAFF:
        title = _("Directory")
        cards += _committee_cards() + [
            Card(_("Standing committee members"), member_list(status=MemberStatus.ACTIVE, standing=True).count(),
                 _members_url(standing=1), "star"),
            Card(_("Handling units"), unit_list().count(), reverse("core:unit_list"), "building"),
            Card(_("Districts"), district_list().count(), reverse("core:district_list"), "geo-alt"),
        ]
    elif role == Role.LEADER:
        title = _("The committee")
        cards += _committee_cards()
    elif role == Role.MEMBER:
        title = _("My record")
        member = Member.objects.filter(user=user).select_related("sector").first()
        if member:
            cards += [
                Card(_("My sector"), member.sector.name, reverse("core:member_detail", args=[member.pk]), "diagram-3"),
                Card(_("Members in my sector"), member_list(sector=member.sector_id, status=MemberStatus.ACTIVE).count(),
                     _members_url(sector=member.sector_id), "people"),
            ]
    elif role == Role.UNIT_HANDLER:
        title = _("My unit")
        if user.unit_id:
            cards.append(Card(_("My unit"), user.unit.name, reverse("core:unit_detail", args=[user.unit_id]), "building"))
    elif role == Role.DISTRICT_STAFF:
        title = _("My district")
        if user.district_id:
            cards.append(Card(_("Members in my district"),
                              member_list(area=user.district_id, status=MemberStatus.ACTIVE).count(),
                              _members_url(area=user.district_id), "people", note=user.district.name))
    else:
        title = _("Home")
    # The to-do count, as the bell shows it: unread notifications the person must act on.
    cards.append(Card(_("Notifications to act on"), notification_todo_count(user),
                      reverse("core:notifications") + "?tab=action&unread=1", "bell"))
    return Section("general", title, cards=cards, order=90)


def _jobs_section(user: User) -> Section | None:
    """Long work in progress, for the office staff who start it (leaders have no back-office work)."""
    if not (user.is_superuser or user.role == Role.STAFF):
        return None
    jobs = list(running_jobs().select_related("created_by")[:JOBS_ON_HOME + 1])
    tasks = [Task(job.title, reverse("core:job_detail", args=[job.pk]), detail=job.get_status_display(),
                  badge="" if job.percent is None else f"{job.percent}%")
             for job in jobs[:JOBS_ON_HOME]]
    return Section("jobs", _("Jobs running"), tasks=tasks, url=reverse("core:job_list"), url_label=_("All jobs"),
                   empty=_("No job is running."), order=70)


def _home_title(user: User) -> str:
    titles = {Role.STAFF: _("Office workbench"), Role.LEADER: _("Leader's overview"), Role.MEMBER: _("Member's desk"),
              Role.UNIT_HANDLER: _("Handling unit desk"), Role.DISTRICT_STAFF: _("District desk")}
    return titles.get(Role.STAFF if user.is_superuser else user.role, _("Home"))


def dashboard(user: User) -> Dashboard:
    """The home page of the user's role: sections of figures, each figure linked to the list it counts, the
    tasks waiting for the user (soonest due first) and trends; apps add theirs through DASHBOARD_PROVIDERS."""
    board = Dashboard(title=_home_title(user))
    general = _general_section(user)
    for item in [_jobs_section(user), *(i for provider in DASHBOARD_PROVIDERS for i in provider(user))]:
        if isinstance(item, Section):
            board.sections.append(item)
        elif isinstance(item, Action):
            board.actions.append(item)
        elif isinstance(item, Card):
            general.cards.insert(len(general.cards) - 1, item)
    board.sections.append(general)
    board.sections.sort(key=lambda s: s.order)
    return board


# --- Notifications -----------------------------------------------------------------------------------------

# The inbox tabs: 待办 (to do), 关注 (following), 动态 (updates, with the daily digests that group them).
NOTIFICATION_TABS: dict[str, tuple[str, ...]] = {
    "action": (Notification.Kind.ACTION,),
    "follow": (Notification.Kind.FOLLOW,),
    "info": (Notification.Kind.INFO, Notification.Kind.DIGEST),
}


def notification_todo_count(user: User) -> int:
    """The bell's figure: the user's unread to-dos (to-dos are never grouped into a digest)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.ACTION, read_at__isnull=True).count()


def notification_counts(user: User) -> dict[str, int]:
    """Unread notifications shown in the inbox, per tab and in all (`unread`), in one query."""
    rows = (Notification.objects.filter(recipient=user, read_at__isnull=True, digest__isnull=True)
            .values("kind").annotate(n=Count("id")).order_by())
    by_kind = {row["kind"]: row["n"] for row in rows}
    counts = {tab: sum(by_kind.get(k, 0) for k in kinds) for tab, kinds in NOTIFICATION_TABS.items()}
    counts["unread"] = sum(by_kind.values())
    return counts


def notification_list(user: User, *, tab: str | None = None, unread: bool = False,
                      digest: Notification | None = None) -> QuerySet[Notification]:
    """The user's inbox, newest first: what shows on its own (items grouped into a digest show through it),
    of one tab; or the items of one of the user's digests, by kind then time."""
    qs = Notification.objects.filter(recipient=user)
    if digest is not None:
        return qs.filter(digest=digest).order_by("kind", "created_at", "id")
    qs = qs.filter(digest__isnull=True)
    if tab in NOTIFICATION_TABS:
        qs = qs.filter(kind__in=NOTIFICATION_TABS[tab])
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_preferences(user: User) -> list[dict[str, object]]:
    """The user's choice for each kind (the default where none is stored): kind, delivery, email."""
    from .models import NotificationPreference

    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    result = []
    for kind in NotificationPreference.KINDS:
        delivery, email = NotificationPreference.DEFAULTS[kind]
        if kind in stored:
            delivery, email = stored[kind].delivery, stored[kind].email
        result.append({"kind": kind.value, "label": kind.label, "delivery": delivery, "email": email})
    return result


def notifications_awaiting_digest(*, day) -> QuerySet[Notification]:
    """Follow and info items waiting for the daily digest that the digest of `day` gathers: those made before
    that day ended (local time) and not yet in a digest."""
    import datetime as dt

    from django.utils import timezone

    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return Notification.objects.filter(delivery=Notification.Delivery.DIGEST, digest__isnull=True, created_at__lt=end,
                                       kind__in=(Notification.Kind.FOLLOW, Notification.Kind.INFO))


def notification_digest_recipients(*, day, after: int = 0) -> list[int]:
    """Ids of the users (above `after`, ascending) with items waiting for the digest of `day`."""
    return list(notifications_awaiting_digest(day=day).filter(recipient_id__gt=after).order_by("recipient_id")
                .values_list("recipient_id", flat=True).distinct())


def event_actor(target: models.Model, verb: str) -> User | None:
    """Who last did `verb` to `target` (None if nobody did): the person a notification about it asks to act,
    e.g. the staff member who assigned a proposal decides the requests on its handling."""
    event = (Event.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk),
                                  verb=verb, actor__isnull=False)
             .select_related("actor").order_by("-created_at", "-id").first())
    return event.actor if event else None
