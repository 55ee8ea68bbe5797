"""Reads of the supervision: the year's plan, sector coverage, the three-party page of a problem (with the
proposals linked to it) and the leaders' overview. Each runs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.errors import Invalid
from minsheng.core.models import Member, Sector, User
from minsheng.hotline.models import Category, Ticket
from minsheng.hotline.selectors import RateRow, add_months, apply_rules, rate_aggregates, ruleset_for
from minsheng.proposals.models import Proposal, Proposer
from minsheng.proposals.selectors import proposal_by_number

from . import errors
from .choices import PROPOSAL_UNLINKABLE, ItemStatus, ListKind
from .models import (
    Activity,
    GroupMembership,
    ListItem,
    Opinion,
    Problem,
    ProblemProposal,
    ProgressUpdate,
    Topic,
    TopicYear,
)

WINDOW_MONTHS = 6  # months shown before and after a topic's month on the three-party page


def topic_years() -> QuerySet[TopicYear]:
    return TopicYear.objects.annotate(topic_count=Count("topics", distinct=True),
                                      problem_count=Count("topics__problems", distinct=True)).order_by("-year")


def year_topics(topic_year: TopicYear) -> list[Topic]:
    """The year's topics with their problems, groups (member counts) and departments."""
    problems = (Problem.objects.select_related("group__convener")
                .annotate(member_count=Count("group__memberships", distinct=True),
                          item_count=Count("items", distinct=True)))
    return list(Topic.objects.filter(topic_year=topic_year).select_related("lead_unit")
                .prefetch_related("co_units", "tags", "categories", Prefetch("problems", queryset=problems)))


def problem_detail(pk: int) -> Problem | None:
    return (Problem.objects.select_related("topic__topic_year", "topic__lead_unit", "group__convener")
            .prefetch_related("topic__categories", "topic__co_units").filter(pk=pk).first())


def group_members(problem: Problem) -> list[GroupMembership]:
    return list(GroupMembership.objects.filter(group__problem=problem).select_related("member__sector")
                .order_by("joined_at", "id"))


@dataclass
class Coverage:
    sectors: int
    covered: list[Sector]
    missing: list[Sector]


def sector_coverage(topic_year: TopicYear) -> Coverage:
    """Which active sectors (界别) have at least one member in one of the year's groups, and which do not."""
    covered_ids = set(GroupMembership.objects.filter(group__problem__topic__topic_year=topic_year)
                      .values_list("member__sector_id", flat=True).distinct())
    sectors = list(Sector.objects.filter(active=True).order_by("order", "id"))
    return Coverage(sectors=len(sectors), covered=[s for s in sectors if s.pk in covered_ids],
                    missing=[s for s in sectors if s.pk not in covered_ids])


# --- the three-party page ------------------------------------------------------------------------------


def _with_descendants(root_ids: set[int]) -> set[int]:
    if not root_ids:
        return set()
    children: dict[int, list[int]] = {}
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(root_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return found


@dataclass
class MonthVolume:
    month: dt.date
    count: int
    after: bool  # in or after the topic's month


@dataclass
class Citizens:
    topic_month: dt.date
    volumes: list[MonthVolume]
    before_total: int
    after_total: int
    before: RateRow | None
    after: RateRow | None
    samples: list[Ticket] = field(default_factory=list)

    @property
    def max_count(self) -> int:
        return max([v.count for v in self.volumes] or [0])

    @property
    def change_pct(self) -> str:
        """Average monthly volume after against before."""
        before = [v for v in self.volumes if not v.after]
        after = [v for v in self.volumes if v.after]
        if not before or not after or not self.before_total:
            return "—"
        avg_before, avg_after = self.before_total / len(before), self.after_total / len(after)
        return f"{100 * (avg_after - avg_before) / avg_before:+.1f}%"


def citizens(topic: Topic, *, window: int = WINDOW_MONTHS, samples: int = 5) -> Citizens:
    """Ticket volume by month in the topic's linked categories (and their sub-categories), from `window`
    months before the topic's month to `window - 1` after it, with the three rates before and after.

    Through the hotline's cache (keyed by the data stamp: a new import or rule set counts again): with a
    year of tickets these aggregates cost more than the rest of the three-party page."""
    from minsheng.hotline.selectors import cached

    topic_month = dt.date(topic.topic_year.year, topic.month, 1)
    category_ids = _with_descendants({c.pk for c in topic.categories.all()})
    if not category_ids:
        return Citizens(topic_month, [], 0, 0, None, None)
    return cached("citizens", lambda: _citizens(topic_month, category_ids, window, samples),
                  topic_month, sorted(category_ids), window, samples)


def _citizens(topic_month: dt.date, category_ids: set[int], window: int, samples: int) -> Citizens:
    start, end = add_months(topic_month, -window), add_months(topic_month, window)
    qs = Ticket.objects.filter(category_id__in=category_ids, month__gte=start, month__lt=end)
    counts = {row["month"]: row["n"] for row in qs.values("month").annotate(n=Count("id")).order_by("month")}
    volumes, month = [], start
    while month < end:
        volumes.append(MonthVolume(month, counts.get(month, 0), month >= topic_month))
        month = add_months(month, 1)
    try:
        ruleset = ruleset_for(topic_month)
    except Invalid:  # no rate rule set covers the month: volumes only
        ruleset = None
    rated = qs
    if ruleset is not None and ruleset.assessed_kinds:
        rated = rated.filter(kind__in=ruleset.assessed_kinds)
    if ruleset is not None and ruleset.dispatched_only:
        rated = rated.filter(unit__isnull=False)
    split = (rated.annotate(after=Case(When(month__gte=topic_month, then=Value(True)), default=Value(False),
                                         output_field=BooleanField())).values("after").annotate(**rate_aggregates()).order_by())
    rows: dict[bool, RateRow] = {}
    for row in split if ruleset is not None else ():
        after = bool(row.pop("after"))
        rows[after] = apply_rules(RateRow(key="after" if after else "before", **row), ruleset)
    sample = list(qs.filter(month__gte=topic_month).exclude(summary="").order_by("-received_at")
                  .only("number", "summary", "received_at")[:samples])
    return Citizens(topic_month=topic_month, volumes=volumes,
                    before_total=sum(v.count for v in volumes if not v.after),
                    after_total=sum(v.count for v in volumes if v.after),
                    before=rows.get(False), after=rows.get(True), samples=sample)


@dataclass
class Government:
    lists: list[tuple[str, str, list[ListItem]]]  # (kind, label, items)
    done: int
    total: int
    overdue: int


def government(problem: Problem) -> Government:
    """The three lists of a problem, each item with its owner and progress updates (newest first)."""
    items = list(ListItem.objects.filter(problem=problem).select_related("owner")
                 .prefetch_related(Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author"))))
    lists = [(kind, label, [i for i in items if i.kind == kind]) for kind, label in ListKind.choices]
    return Government(lists=lists, done=sum(i.status == ItemStatus.DONE for i in items), total=len(items),
                      overdue=sum(i.is_overdue for i in items))


@dataclass
class MembersSide:
    activities: list[Activity]
    opinions: list[Opinion]
    person_count: int
    proposals: list[ProblemProposal] = field(default_factory=list)


def members_side(problem: Problem, viewer: User | None = None) -> MembersSide:
    activities = list(Activity.objects.filter(problem=problem).prefetch_related("participants"))
    opinions = list(Opinion.objects.filter(problem=problem).select_related("member"))
    return MembersSide(activities=activities, opinions=opinions, person_count=sum(a.person_count for a in activities),
                       proposals=linked_proposals(problem, viewer=viewer))


# --- proposals linked to a problem ------------------------------------------------------------------------

def proposal_lookup(*, number: str | None = None, pk: int | None = None) -> Proposal:
    """The proposal to link, by its printed number or its id; 422 naming the field when there is none."""
    if number:
        proposal = proposal_by_number(number)
        if proposal is None:
            raise Invalid(_("No proposal has the number “%(n)s” (write it as 14-4-0123).") % {"n": number.strip()},
                          code=errors.PROPOSAL_NOT_FOUND, fields={"number": "not found"})
        return proposal
    if not pk:
        raise Invalid(_("Name the proposal by its number."), code=errors.PROPOSAL_NOT_FOUND, fields={"number": "required"})
    proposal = Proposal.objects.select_related("term", "session").filter(pk=pk).first()
    if proposal is None:
        raise Invalid(_("Unknown proposal: %(id)s.") % {"id": pk}, code=errors.PROPOSAL_NOT_FOUND,
                      fields={"proposal": "not found"})
    return proposal


def linked_proposals(problem: Problem | int, *, viewer: User | None = None) -> list[ProblemProposal]:
    """The proposals linked to a problem, first linked first, each with its number, state and proposers
    (two queries, whatever the number of links; a third with `viewer`, who sees only the proposals they may
    see anywhere else: their own, their unit's, all for the office — or published ones)."""
    from minsheng.proposals.selectors import proposals_viewable

    proposers = Proposer.objects.select_related("member").order_by("order", "id")
    links = list(ProblemProposal.objects.filter(problem=problem)
                 .select_related("proposal__term", "proposal__session", "linked_by")
                 .prefetch_related(Prefetch("proposal__proposers", queryset=proposers))
                 .order_by("linked_at", "id"))
    if viewer is None or not links:
        return links
    allowed = set(proposals_viewable(viewer, Proposal.objects.filter(pk__in=[x.proposal_id for x in links]))
                  .values_list("pk", flat=True))
    return [x for x in links if x.proposal_id in allowed]


def proposal_problems(proposal: Proposal | int) -> list[ProblemProposal]:
    """The 每月一题 problems a proposal is linked to, newest year first (one query)."""
    return list(ProblemProposal.objects.filter(proposal=proposal)
                .select_related("problem__topic__topic_year")
                .order_by("-problem__topic__topic_year__year", "problem__topic__month", "problem__order", "id"))


def my_proposals(user: User) -> list[Proposal]:
    """The linkable proposals the user is a proposer of (offered when linking by number)."""
    member = my_member(user)
    if member is None:
        return []
    return list(Proposal.objects.filter(proposers__member=member).exclude(status__in=PROPOSAL_UNLINKABLE)
                .exclude(serial=None).select_related("term", "session").order_by("-id")[:50])


# --- lists for pages and the API ----------------------------------------------------------------------


def item_list(user: User, *, problem: int | None = None, mine: bool = False, status: str | None = None,
              overdue: bool | None = None) -> QuerySet[ListItem]:
    """List items, optionally one problem's or (for a unit handler) their own unit's."""
    qs = ListItem.objects.select_related("owner", "problem__topic__topic_year")
    if problem:
        qs = qs.filter(problem_id=problem)
    if mine:
        qs = qs.filter(owner_id=getattr(user, "unit_id", None) or 0)
    if status:
        qs = qs.filter(status=status)
    if overdue is not None:
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=ItemStatus.DONE)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.order_by("due_date", "id")


def activity_list(*, problem: int | None = None, year: int | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("problem").annotate(participant_count=Count("participants"))
    if problem:
        qs = qs.filter(problem_id=problem)
    if year:
        qs = qs.filter(problem__topic__topic_year__year=year)
    return qs.order_by("-held_on", "-id")


@dataclass
class OverviewRow:
    problem: Problem
    members: int
    items: int
    done: int
    overdue: int
    activities: int
    person_count: int
    opinions: int
    speeches: int
    proposals: int = 0


@dataclass
class Overview:
    rows: list[OverviewRow]
    coverage: Coverage
    totals: dict[str, int]


def overview(topic_year: TopicYear) -> Overview:
    """Per problem: group size, list progress, activities, 人次, opinions, speeches and linked proposals; and
    the year's totals (the figures of the year-end report). The year's `proposals` counts distinct proposals,
    so one linked to two problems counts once there (and once in each problem's row)."""
    today = timezone.localdate()
    problems = list(
        Problem.objects.filter(topic__topic_year=topic_year).select_related("topic")
        .annotate(
            n_members=Count("group__memberships", distinct=True),
            n_items=Count("items", distinct=True),
            n_done=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
            n_overdue=Count("items", filter=Q(items__due_date__lt=today) & ~Q(items__status=ItemStatus.DONE),
                            distinct=True),
        ).order_by("topic__month", "order", "id")
    )
    acts = {r["problem"]: r for r in Activity.objects.filter(problem__topic__topic_year=topic_year)
            .values("problem").annotate(n=Count("id"), people=Sum("person_count")).order_by()}
    ops = {r["problem"]: r for r in Opinion.objects.filter(problem__topic__topic_year=topic_year)
           .values("problem").annotate(n=Count("id"), speeches=Count("id", filter=Q(kind="speech"))).order_by()}
    links = ProblemProposal.objects.filter(problem__topic__topic_year=topic_year)
    props = dict(links.values("problem").annotate(n=Count("id")).values_list("problem", "n").order_by())
    rows = [OverviewRow(problem=p, members=p.n_members, items=p.n_items, done=p.n_done, overdue=p.n_overdue,
                        activities=acts.get(p.pk, {}).get("n", 0), person_count=acts.get(p.pk, {}).get("people") or 0,
                        opinions=ops.get(p.pk, {}).get("n", 0), speeches=ops.get(p.pk, {}).get("speeches", 0),
                        proposals=props.get(p.pk, 0))
            for p in problems]
    distinct_members = (GroupMembership.objects.filter(group__problem__topic__topic_year=topic_year)
                        .values("member").distinct().count())
    totals = {"problems": len(rows), "members": distinct_members, "sign_ups": sum(r.members for r in rows),
              "items": sum(r.items for r in rows), "done": sum(r.done for r in rows),
              "overdue": sum(r.overdue for r in rows), "activities": sum(r.activities for r in rows),
              "person_count": sum(r.person_count for r in rows), "opinions": sum(r.opinions for r in rows),
              "speeches": sum(r.speeches for r in rows),
              "opinion_reports": sum(r.opinions - r.speeches for r in rows),
              "proposals": links.values("proposal").distinct().count()}
    return Overview(rows=rows, coverage=sector_coverage(topic_year), totals=totals)


def my_member(user: User) -> Member | None:
    return getattr(user, "member", None) if user.is_authenticated and hasattr(user, "member") else None


def problem_timeline(problem: Problem, items: list[ListItem], limit: int = 60) -> list:
    """The latest events of a problem and of its list items, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.models import Event

    problem_ct, item_ct = ContentType.objects.get_for_model(Problem), ContentType.objects.get_for_model(ListItem)
    events = (Event.objects.filter(Q(target_type=problem_ct, target_id=str(problem.pk))
                                   | Q(target_type=item_ct, target_id__in=[str(i.pk) for i in items]))
              .select_related("actor").order_by("-created_at", "-id")[:limit])
    return list(reversed(list(events)))
