"""Reads of the supervision: the year's plan, sector coverage, the three-party page of a problem (with the
proposals linked to it) and the leaders' overview. Each runs a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.errors import Invalid
from minsheng.core.models import Member, Sector, User
from minsheng.hotline.selectors import CategoryEvidence, category_descendants, category_evidence
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


def problem_keywords(problem: Problem) -> list[str]:
    """The words of a problem (and its topic's theme) that its typical tickets must hold."""
    from minsheng.textmining.segment import tokens

    words = [w for w in tokens(f"{problem.text} {problem.topic.theme}") if len(w) > 1]
    return list(dict.fromkeys(words))


def citizens(topic: Topic, *, window: int = WINDOW_MONTHS, samples: int = 5,
             keywords: list[str] | None = None) -> CategoryEvidence:
    """What citizens said (through the hotline's selectors): ticket volume by month in the topic's linked
    categories and their sub-categories, from `window` months before the topic's month to `window - 1` after,
    the three rates before and after, and sample tickets holding `keywords` (default: the theme's words).

    Cached by the hotline (keyed by the data stamp: a new import or rule set counts again)."""
    from minsheng.hotline.selectors import cached

    topic_month = dt.date(topic.topic_year.year, topic.month, 1)
    category_ids = category_descendants({c.pk for c in topic.categories.all()})
    if not category_ids:
        return CategoryEvidence(topic_month, [], 0, 0, None, None)
    if keywords is None:
        from minsheng.textmining.segment import tokens

        keywords = list(dict.fromkeys(w for w in tokens(topic.theme) if len(w) > 1))
    return cached("citizens", lambda: category_evidence(category_ids=category_ids, topic_month=topic_month,
                                                        window=window, samples=samples, keywords=keywords),
                  topic_month, sorted(category_ids), window, samples, sorted(keywords))


Citizens = CategoryEvidence


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


# --- Home pages ------------------------------------------------------------------------------------------


def _home_overview(topic_year: TopicYear) -> Overview:
    """`overview` for the home pages, cached under the newest timeline event (every change to a group, list
    item, activity or opinion writes one), so a home view does not recount the year."""
    from django.core.cache import cache

    from minsheng.core.models import Event

    stamp = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return cache.get_or_set(f"supervision:overview:{topic_year.pk}:{stamp}:{timezone.localdate()}",
                            lambda: overview(topic_year), 600)


def dashboard_cards(user: User) -> list:
    """每月一题 on the home pages: the office the year's progress as the supervision overview counts it (list
    items done, overdue, activities, 人次) and each month's list progress; a unit handler its own list items."""
    from django.urls import reverse

    from minsheng.core.selectors import Card, Section, Task, Trend

    if not user.is_authenticated:
        return []
    if user.role == "unit_handler" and user.unit_id:
        desk = reverse("supervision:desk")
        overdue = item_list(user, mine=True, overdue=True).count()
        return [Section("supervision", _("Monthly-topic list items"), order=30, url=desk, url_label=_("Our list items"), cards=[
            Card(_("Our list items"), item_list(user, mine=True).count(), desk, "list-check"),
            Card(_("Overdue list items"), overdue, f"{desk}?overdue=1", "exclamation-triangle", tone="danger" if overdue else "")])]
    if not user.has_perm("supervision.view_overview"):
        return []
    topic_year = TopicYear.objects.order_by("-year").first()
    if topic_year is None:
        return []
    view = _home_overview(topic_year)
    t = view.totals
    url = f"{reverse('supervision:overview')}?year={topic_year.pk}"
    months = sorted({r.problem.topic.month for r in view.rows})
    done = {m: sum(r.done for r in view.rows if r.problem.topic.month == m) for m in months}
    items = {m: sum(r.items for r in view.rows if r.problem.topic.month == m) for m in months}
    late = sorted((r for r in view.rows if r.overdue), key=lambda r: (-r.overdue, r.problem.topic.month))
    return [Section(
        "supervision", _("Monthly topics %(year)s") % {"year": topic_year.year}, order=50, url=url,
        url_label=_("Supervision overview"), empty=_("No list item is overdue."),
        cards=[Card(_("List items done"), f"{t['done']} / {t['items']}", url, "list-check",
                    note=f"{round(100 * t['done'] / t['items'])}%" if t["items"] else ""),
               Card(_("Overdue list items"), t["overdue"], url, "exclamation-triangle", tone="danger" if t["overdue"] else ""),
               Card(_("Activities"), t["activities"], url, "calendar-event"),
               Card(_("Person-times (人次)"), t["person_count"], url, "people")],
        tasks=[Task(r.problem.text, reverse("supervision:problem", args=[r.problem.pk]),
                    detail=_("%(n)s overdue of %(items)s list items") % {"n": r.overdue, "items": r.items},
                    badge=_("Month %(m)s") % {"m": r.problem.topic.month}) for r in late[:5]],
        trend=Trend("supervision", _("List items done per topic month"), url,
                    [_("Month %(m)s") % {"m": m} for m in months], [
                        {"name": _("List items done"), "kind": "bar", "values": [done[m] for m in months], "axis": 0},
                        {"name": _("List items"), "kind": "line", "values": [items[m] for m in months], "axis": 0}]) if months else None,
    )]
