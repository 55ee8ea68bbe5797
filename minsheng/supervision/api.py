"""Supervision API: plan the year (staff), form groups and sign up (members), the three lists and their
progress (owner units), activities, opinions and linked proposals (group members), the three-party view
and the coverage of sectors. A role that may not act gets 403 with a code, bad input 422, a duplicate 409; nothing changes."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from minsheng.core.errors import Forbidden
from minsheng.core.lookups import object_by_id as _one
from minsheng.core.lookups import objects_by_ids as _objects
from minsheng.core.models import LivelihoodTag, Member, Unit
from minsheng.core.pagination import paginate
from minsheng.core.schemas import Page
from minsheng.hotline.models import Category
from minsheng.proposals.models import Proposal

from . import selectors, services
from .models import ListItem, Problem, SupervisionGroup, Topic, TopicYear
from .schemas import (
    ActivityIn,
    ActivityOut,
    CoverageOut,
    GroupIn,
    InviteIn,
    ItemIn,
    ItemOut,
    MembershipOut,
    OpinionIn,
    OpinionOut,
    OverviewOut,
    ProblemIn,
    ProblemOut,
    ProgressIn,
    ProposalLinkIn,
    ProposalLinkOut,
    ThreePartyOut,
    TopicIn,
    TopicOut,
    TopicYearDetailOut,
    TopicYearIn,
    TopicYearOut,
    UpdateOut,
)

router = Router(tags=["supervision"])


def _view(request) -> None:
    if not request.user.has_perm("supervision.view"):
        raise Forbidden("You may not see the supervision.")


def _problem_out(p: Problem) -> dict:
    group = getattr(p, "group", None) if hasattr(p, "group") else None
    return {"id": p.pk, "topic_id": p.topic_id, "order": p.order, "text": p.text,
            "group_id": group.pk if group else None,
            "convener": group.convener.name if group and group.convener_id else None,
            "member_count": getattr(p, "member_count", 0)}


def _topic_out(t: Topic) -> dict:
    return {"id": t.pk, "month": t.month, "theme": t.theme, "lead_unit_id": t.lead_unit_id, "lead_unit": t.lead_unit.name,
            "co_units": [u.pk for u in t.co_units.all()], "categories": [c.pk for c in t.categories.all()],
            "problems": [_problem_out(p) for p in t.problems.all()]}


def _item_out(i: ListItem) -> dict:
    return {"id": i.pk, "problem_id": i.problem_id, "kind": i.kind, "text": i.text, "owner_id": i.owner_id,
            "owner": i.owner.name, "due_date": i.due_date, "status": i.status, "overdue": i.is_overdue}


def _activity_out(a) -> dict:
    count = getattr(a, "participant_count", None)
    return {"id": a.pk, "problem_id": a.problem_id, "kind": a.kind, "held_on": a.held_on, "place": a.place,
            "at_council_hall": a.at_council_hall, "person_count": a.person_count, "summary": a.summary,
            "participant_count": count if count is not None else len(a.participants.all())}


def _opinion_out(o) -> dict:
    return {"id": o.pk, "problem_id": o.problem_id, "member_id": o.member_id, "kind": o.kind, "title": o.title,
            "text": o.text, "meeting_date": o.meeting_date}


def _link_out(link) -> dict:
    p = link.proposal
    return {"problem_id": link.problem_id, "proposal_id": p.pk, "number": p.number, "title": p.title,
            "status": p.status, "proposers": [pr.member.name for pr in p.proposers.all()] or ([p.org_name] if p.org_name else []),
            "linked_by": link.linked_by.display_name or link.linked_by.username, "linked_at": link.linked_at}


def _problem(request, pk: int) -> Problem:
    _view(request)
    return get_object_or_404(Problem.objects.select_related("topic__topic_year", "group__convener"), pk=pk)


# --- the year's plan ----------------------------------------------------------------------------------


@router.get("/years", response=list[TopicYearOut], summary="Topic years, newest first")
def year_list(request):
    _view(request)
    return list(TopicYear.objects.order_by("-year"))


@router.post("/years", response={201: TopicYearOut}, summary="Open a topic year (staff)")
def year_create(request, payload: TopicYearIn):
    return Status(201, services.topic_year_create(actor=request.user, year=payload.year, title=payload.title))


@router.get("/years/{pk}", response=TopicYearDetailOut, summary="A year with its topics and problems")
def year_get(request, pk: int):
    _view(request)
    year = get_object_or_404(TopicYear, pk=pk)
    return {"id": year.pk, "year": year.year, "title": year.title,
            "topics": [_topic_out(t) for t in selectors.year_topics(year)]}


@router.get("/years/{pk}/coverage", response=CoverageOut, summary="Active sectors covered and not yet covered")
def year_coverage(request, pk: int):
    _view(request)
    cov = selectors.sector_coverage(get_object_or_404(TopicYear, pk=pk))
    return {"sectors": cov.sectors, "covered": cov.covered, "missing": cov.missing}


@router.get("/years/{pk}/overview", response=OverviewOut, summary="The year's figures per problem (office and leaders)")
def year_overview(request, pk: int):
    if not request.user.has_perm("supervision.view_overview"):
        raise Forbidden("Only the office and leaders see the overview.")
    year = get_object_or_404(TopicYear, pk=pk)
    ov = selectors.overview(year)
    rows = [{"problem_id": r.problem.pk, "problem": r.problem.text, "month": r.problem.topic.month, "members": r.members,
             "items": r.items, "done": r.done, "overdue": r.overdue, "activities": r.activities,
             "person_count": r.person_count, "opinions": r.opinions, "speeches": r.speeches, "proposals": r.proposals}
            for r in ov.rows]
    return {"year": year.year, "totals": ov.totals, "rows": rows, "missing_sectors": ov.coverage.missing}


@router.post("/years/{pk}/topics", response={201: TopicOut}, summary="Add a monthly topic (staff)")
def topic_create(request, pk: int, payload: TopicIn):
    year = get_object_or_404(TopicYear, pk=pk)
    topic = services.topic_create(
        actor=request.user, topic_year=year, month=payload.month, theme=payload.theme,
        lead_unit=_one(Unit, payload.lead_unit, "lead_unit"), co_units=_objects(Unit, payload.co_units, "co_units"),
        categories=_objects(Category, payload.categories, "categories"),
        tags=_objects(LivelihoodTag, payload.tags, "tags"))
    return Status(201, _topic_out(Topic.objects.select_related("lead_unit").get(pk=topic.pk)))


@router.post("/topics/{pk}/problems", response={201: ProblemOut}, summary="Add one of the topic's 2–3 problems (staff)")
def problem_create(request, pk: int, payload: ProblemIn):
    problem = services.problem_add(actor=request.user, topic=get_object_or_404(Topic, pk=pk), text=payload.text)
    return Status(201, _problem_out(problem))


# --- groups ----------------------------------------------------------------------------------------------


def _membership_out(m) -> dict:
    return {"group_id": m.group_id, "member_id": m.member_id, "member": m.member.name, "sector": m.member.sector.name,
            "joined_via": m.joined_via}


@router.post("/problems/{pk}/group", response={201: ProblemOut}, summary="Form the problem's group (staff)")
def group_create(request, pk: int, payload: GroupIn):
    problem = _problem(request, pk)
    services.group_create(actor=request.user, problem=problem, convener=_one(Member, payload.convener, "convener"))
    return Status(201, _problem_out(Problem.objects.select_related("group__convener").get(pk=pk)))


@router.get("/problems/{pk}/members", response=list[MembershipOut], summary="The group's members")
def group_members(request, pk: int):
    return [_membership_out(m) for m in selectors.group_members(_problem(request, pk))]


@router.post("/groups/{pk}/join", response={201: MembershipOut}, summary="Sign up for a group (a member)")
def group_join(request, pk: int):
    _view(request)
    group = get_object_or_404(SupervisionGroup.objects.select_related("problem", "convener__user"), pk=pk)
    return Status(201, _membership_out(services.group_join(actor=request.user, group=group)))


@router.post("/groups/{pk}/invite", response={201: MembershipOut}, summary="Invite a member into a group (staff)")
def group_invite(request, pk: int, payload: InviteIn):
    group = get_object_or_404(SupervisionGroup.objects.select_related("problem"), pk=pk)
    member = _one(Member, payload.member, "member")
    return Status(201, _membership_out(services.group_invite(actor=request.user, group=group, member=member)))


# --- the three lists --------------------------------------------------------------------------------------


@router.get("/items", response=Page[ItemOut], summary="List items: one problem's, or the caller's unit's (mine=true)")
def item_list(request, problem: int | None = None, mine: bool = False, status: str | None = None,
              overdue: bool | None = None, page: int = 1, page_size: int = 50):
    _view(request)
    result = paginate(selectors.item_list(request.user, problem=problem, mine=mine, status=status, overdue=overdue),
                      page=page, page_size=page_size)
    return {**result.__dict__, "results": [_item_out(i) for i in result.results]}


@router.post("/problems/{pk}/items", response={201: ItemOut}, summary="Add an item to one of the three lists (staff)")
def item_create(request, pk: int, payload: ItemIn):
    problem = _problem(request, pk)
    item = services.list_item_create(actor=request.user, problem=problem, kind=payload.kind, text=payload.text,
                                     owner=_one(Unit, payload.owner, "owner"), due_date=payload.due_date)
    return Status(201, _item_out(item))


@router.post("/items/{pk}/progress", response={201: UpdateOut}, summary="Report progress (the owner unit or staff)")
def item_progress(request, pk: int, payload: ProgressIn):
    _view(request)
    item = get_object_or_404(ListItem, pk=pk)
    u = services.list_item_update(actor=request.user, item=item, note=payload.note, evidence=payload.evidence,
                                  status=payload.status)
    return Status(201, {"id": u.pk, "note": u.note, "evidence": u.evidence, "status": u.status,
                 "author": u.author.display_name or u.author.username, "created_at": u.created_at})


# --- activities and opinions ---------------------------------------------------------------------------


@router.get("/activities", response=Page[ActivityOut], summary="Activities, of one problem or one year")
def activity_list(request, problem: int | None = None, year: int | None = None, page: int = 1, page_size: int = 50):
    _view(request)
    result = paginate(selectors.activity_list(problem=problem, year=year), page=page, page_size=page_size)
    return {**result.__dict__, "results": [_activity_out(a) for a in result.results]}


@router.post("/problems/{pk}/activities", response={201: ActivityOut}, summary="Log an activity (a group member)")
def activity_create(request, pk: int, payload: ActivityIn):
    problem = _problem(request, pk)
    activity = services.activity_log(
        actor=request.user, problem=problem, kind=payload.kind, held_on=payload.held_on, place=payload.place,
        participants=_objects(Member, payload.participants, "participants"), person_count=payload.person_count,
        at_council_hall=payload.at_council_hall, summary=payload.summary)
    return Status(201, _activity_out(activity))


@router.post("/problems/{pk}/opinions", response={201: OpinionOut}, summary="Submit an opinion or a speech")
def opinion_create(request, pk: int, payload: OpinionIn):
    problem = _problem(request, pk)
    opinion = services.opinion_submit(actor=request.user, problem=problem, kind=payload.kind, title=payload.title,
                                      text=payload.text, meeting_date=payload.meeting_date,
                                      member=_one(Member, payload.member, "member"))
    return Status(201, _opinion_out(opinion))


# --- proposals linked to a problem -----------------------------------------------------------------------


@router.get("/problems/{pk}/proposals", response=list[ProposalLinkOut], summary="The proposals linked to a problem")
def proposal_links(request, pk: int):
    return [_link_out(link) for link in selectors.linked_proposals(_problem(request, pk), viewer=request.user)]


@router.post("/problems/{pk}/proposals", response={201: ProposalLinkOut},
             summary="Link a proposal by number or id (staff; group members their own)")
def proposal_link(request, pk: int, payload: ProposalLinkIn):
    problem = _problem(request, pk)
    proposal = selectors.proposal_lookup(number=payload.number, pk=payload.proposal)
    link = services.problem_proposal_link(actor=request.user, problem=problem, proposal=proposal)
    return Status(201, _link_out(next(x for x in selectors.linked_proposals(problem) if x.pk == link.pk)))


@router.delete("/problems/{pk}/proposals/{proposal_id}", response={204: None},
               summary="Unlink a proposal (staff, or whoever linked it)")
def proposal_unlink(request, pk: int, proposal_id: int):
    problem = _problem(request, pk)
    proposal = get_object_or_404(Proposal, pk=proposal_id)
    services.problem_proposal_unlink(actor=request.user, problem=problem, proposal=proposal)
    return Status(204, None)


# --- three parties ----------------------------------------------------------------------------------------


def _rates(row) -> dict | None:
    if row is None:
        return None
    return {"total": row.total, "resolution_rate": row.resolution_rate, "satisfaction_rate": row.satisfaction_rate,
            "response_rate": row.response_rate}


@router.get("/problems/{pk}/three-party", response=ThreePartyOut,
            summary="What citizens said, what government did, what members found")
def three_party(request, pk: int):
    problem = _problem(request, pk)
    cit = selectors.citizens(problem.topic, keywords=selectors.problem_keywords(problem))
    gov = selectors.government(problem)
    mem = selectors.members_side(problem, viewer=request.user)
    return {"problem": _problem_out(problem), "topic_month": cit.topic_month,
            "volumes": [v.__dict__ for v in cit.volumes], "before_total": cit.before_total,
            "after_total": cit.after_total, "before": _rates(cit.before), "after": _rates(cit.after),
            "items": [_item_out(i) for _, _, items in gov.lists for i in items], "items_done": gov.done,
            "items_overdue": gov.overdue, "activities": [_activity_out(a) for a in mem.activities],
            "opinions": [_opinion_out(o) for o in mem.opinions], "proposals": [_link_out(x) for x in mem.proposals],
            "person_count": mem.person_count}
