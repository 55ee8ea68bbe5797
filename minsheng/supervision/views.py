"""Supervision pages: the topic years, a year's plan with its sector coverage, the three-party page of a
problem with the actions each role may take, a unit's list items and the leaders' overview. Every action
calls a service; a refusal shows its message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core.errors import DomainError
from minsheng.core.models import LivelihoodTag, Member, Unit
from minsheng.core.pagination import paginate
from minsheng.hotline import selectors as hotline_selectors

from . import selectors, services
from .choices import ActivityKind, ItemStatus, ListKind, OpinionKind
from .models import ListItem, Problem, SupervisionGroup, Topic, TopicYear


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _perform(request: HttpRequest, action: Callable[[], object]) -> object | None:
    """Run one service call for a page, turning its refusal into the message the user sees."""
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, _("Done."))
    return result


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [i for i in (_int(v) for v in request.POST.getlist(name)) if i]


def _can_view(request: HttpRequest) -> None:
    if not request.user.has_perm("supervision.view"):
        raise PermissionDenied


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _can_view(request)
    return render(request, "supervision/index.html", {
        "years": list(selectors.topic_years()), "can_manage": request.user.has_perm("supervision.manage"),
        "this_year": dt.date.today().year,
    })


@login_required
@require_POST
def year_new(request: HttpRequest) -> HttpResponse:
    year = _perform(request, lambda: services.topic_year_create(
        actor=request.user, year=_int(request.POST.get("year")) or 0, title=request.POST.get("title", "")))
    return redirect("supervision:year", year.pk) if year else redirect("supervision:index")


@login_required
def year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _can_view(request)
    year = get_object_or_404(TopicYear, pk=pk)
    can_manage = request.user.has_perm("supervision.manage")
    member = selectors.my_member(request.user)
    mine = set(member.supervision_groups.values_list("pk", flat=True)) if member else set()
    return render(request, "supervision/year.html", {
        "year": year, "topics": selectors.year_topics(year), "coverage": selectors.sector_coverage(year),
        "can_manage": can_manage, "can_join": request.user.has_perm("supervision.join_group") and member is not None,
        "my_groups": mine,
        "units": Unit.objects.filter(active=True).order_by("name") if can_manage else [],
        "categories": hotline_selectors.categories_for_choice() if can_manage else [],
        "tags": LivelihoodTag.objects.all() if can_manage else [],
        "members": Member.objects.select_related("sector").order_by("name") if can_manage else [],
    })


@login_required
@require_POST
def topic_new(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(TopicYear, pk=pk)
    p = request.POST
    _perform(request, lambda: services.topic_create(
        actor=request.user, topic_year=year, month=_int(p.get("month")) or 0, theme=p.get("theme", ""),
        lead_unit=Unit.objects.filter(pk=_int(p.get("lead_unit"))).first(),
        co_units=list(Unit.objects.filter(pk__in=_ids(request, "co_units"))),
        categories=hotline_selectors.categories_by_ids(_ids(request, "categories")),
        tags=list(LivelihoodTag.objects.filter(pk__in=_ids(request, "tags")))))
    return redirect("supervision:year", year.pk)


@login_required
@require_POST
def problem_new(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=pk)
    problem = _perform(request, lambda: services.problem_add(actor=request.user, topic=topic,
                                                             text=request.POST.get("text", "")))
    if problem is not None and request.POST.get("convener") is not None:
        convener = Member.objects.filter(pk=_int(request.POST.get("convener"))).first()
        _perform(request, lambda: services.group_create(actor=request.user, problem=problem, convener=convener))
    return redirect("supervision:year", topic.topic_year_id)


@login_required
@require_POST
def group_join(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(SupervisionGroup.objects.select_related("problem", "convener__user"), pk=pk)
    _perform(request, lambda: services.group_join(actor=request.user, group=group))
    return redirect("supervision:problem", group.problem_id)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The three-party page: what citizens said, what government did, what members found."""
    _can_view(request)
    problem = selectors.problem_detail(pk)
    if problem is None:
        raise Http404
    user = request.user
    can_manage = user.has_perm("supervision.manage")
    member = selectors.my_member(user)
    memberships = selectors.group_members(problem)
    in_group = member is not None and any(m.member_id == member.pk for m in memberships)
    government = selectors.government(problem)
    for _kind, _label, items in government.lists:
        for item in items:
            item.can_update = item.status != ItemStatus.DONE and user.has_perm("supervision.update_item", item)
    members_side = selectors.members_side(problem, viewer=user)
    for link in members_side.proposals:
        link.can_unlink = user.has_perm("supervision.unlink_proposal", link)
    return render(request, "supervision/problem.html", {
        "problem": problem, "topic": problem.topic, "group": getattr(problem, "group", None) if hasattr(problem, "group") else None,
        "memberships": memberships, "citizens": selectors.citizens(problem.topic, keywords=selectors.problem_keywords(problem)), "government": government,
        "members_side": members_side, "can_manage": can_manage, "in_group": in_group,
        "can_join": member is not None and not in_group and user.has_perm("supervision.join_group"),
        "can_contribute": in_group or can_manage,
        "my_proposals": selectors.my_proposals(user) if in_group else [],
        "list_kinds": ListKind.choices, "item_statuses": ItemStatus.choices, "activity_kinds": ActivityKind.choices,
        "opinion_kinds": OpinionKind.choices,
        "units": Unit.objects.filter(active=True).order_by("name") if can_manage else [],
        "all_members": Member.objects.order_by("name") if can_manage else [],
        "today": dt.date.today(),
        "events": selectors.problem_timeline(problem, [i for _k, _l, items in government.lists for i in items]),
    })


@login_required
@require_POST
def problem_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    problem = get_object_or_404(Problem.objects.select_related("topic"), pk=pk)
    p, user = request.POST, request.user
    group = SupervisionGroup.objects.filter(problem=problem).select_related("problem", "convener__user").first()
    if action == "group" and group is None:
        convener = Member.objects.filter(pk=_int(p.get("convener"))).first()
        _perform(request, lambda: services.group_create(actor=user, problem=problem, convener=convener))
    elif action == "join" and group is not None:
        _perform(request, lambda: services.group_join(actor=user, group=group))
    elif action == "invite" and group is not None:
        member = get_object_or_404(Member, pk=_int(p.get("member")))
        _perform(request, lambda: services.group_invite(actor=user, group=group, member=member))
    elif action == "item":
        owner = Unit.objects.filter(pk=_int(p.get("owner"))).first()
        _perform(request, lambda: services.list_item_create(actor=user, problem=problem, kind=p.get("kind", ""),
                                                            text=p.get("text", ""), owner=owner,
                                                            due_date=_date(p.get("due_date"))))
    elif action == "activity":
        participants = list(Member.objects.filter(pk__in=_ids(request, "participants")))
        _perform(request, lambda: services.activity_log(
            actor=user, problem=problem, kind=p.get("kind", ""), held_on=_date(p.get("held_on")), place=p.get("place", ""),
            participants=participants, person_count=_int(p.get("person_count")),
            at_council_hall=p.get("at_council_hall") == "on", summary=p.get("summary", "")))
    elif action == "opinion":
        _perform(request, lambda: services.opinion_submit(
            actor=user, problem=problem, kind=p.get("kind", ""), title=p.get("title", ""), text=p.get("text", ""),
            meeting_date=_date(p.get("meeting_date"))))
    elif action == "link-proposal":
        _perform(request, lambda: services.problem_proposal_link(
            actor=user, problem=problem, proposal=selectors.proposal_lookup(number=p.get("number", "").strip())))
    elif action == "unlink-proposal":
        _perform(request, lambda: services.problem_proposal_unlink(
            actor=user, problem=problem, proposal=selectors.proposal_lookup(pk=_int(p.get("proposal")))))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("supervision:problem", problem.pk)


@login_required
@require_POST
def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ListItem, pk=pk)
    p = request.POST
    _perform(request, lambda: services.list_item_update(actor=request.user, item=item, note=p.get("note", ""),
                                                        evidence=p.get("evidence", ""), status=p.get("status") or None))
    return redirect("supervision:desk") if p.get("from") == "desk" else redirect("supervision:problem", item.problem_id)


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """A unit's list items, due first, with a progress form on each open one."""
    if request.user.role != "unit_handler" or not request.user.unit_id:
        raise PermissionDenied
    g = request.GET
    overdue = {"1": True, "0": False}.get(g.get("overdue", ""))
    page = paginate(selectors.item_list(request.user, mine=True, status=g.get("status") or None, overdue=overdue),
                    page=_int(g.get("page")) or 1, page_size=25)
    return render(request, "supervision/desk.html", {"page": page, "item_statuses": ItemStatus.choices,
                                                     "list_kinds": dict(ListKind.choices)})


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("supervision.view_overview"):
        raise PermissionDenied
    years = list(TopicYear.objects.order_by("-year"))
    chosen = next((y for y in years if y.pk == _int(request.GET.get("year"))), years[0] if years else None)
    return render(request, "supervision/overview.html", {
        "years": years, "year": chosen, "overview": selectors.overview(chosen) if chosen else None,
    })


@login_required
def year_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The year-end report in Word."""
    if not request.user.has_perm("supervision.view_overview"):
        raise PermissionDenied
    from minsheng.core.exports import DOCX

    from .exports import year_report as render_report

    topic_year = get_object_or_404(TopicYear, pk=pk)
    response = HttpResponse(render_report(topic_year), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="meiyueyiti-{topic_year.year}.docx"'
    return response
