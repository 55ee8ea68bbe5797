"""Every write of the supervision: planning the topic year, forming groups, the three lists and their
progress, activities, opinions and the proposals linked to a problem.

Each service checks permission and input first (raising a domain error with a stable code and changing
nothing), then changes rows inside one transaction, records an Event, and sends notifications (mail, if
any, only after the commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from minsheng.core.models import LivelihoodTag, Member, Notification, Unit, User
from minsheng.core.services import event_record, notify
from minsheng.core.text import strip_control
from minsheng.hotline.models import Category
from minsheng.proposals.models import Proposal

from . import errors
from .choices import (
    ITEM_OPEN,
    PROPOSAL_UNLINKABLE,
    ActivityKind,
    ItemStatus,
    JoinedVia,
    ListKind,
    OpinionKind,
)
from .models import (
    Activity,
    GroupMembership,
    ListItem,
    Opinion,
    Problem,
    ProblemProposal,
    ProgressUpdate,
    SupervisionGroup,
    Topic,
    TopicYear,
)

MAX_PROBLEMS = 3


# --- helpers -------------------------------------------------------------------------------------------


def _require(actor: User, perm: str, obj: Any = None, message: str | None = None, code: str | None = None) -> None:
    if not actor.has_perm(perm, obj):
        raise Forbidden(message or _("You may not do this."), code=code)


def _transition(obj: Any, allowed: Iterable[str], action: str) -> str:
    if obj.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(action)s: the item is %(status)s.") % {"action": action, "status": obj.get_status_display()},
            code=errors.ITEM_DONE,
        )
    return obj.status


def _text(value: str | None, field: str, limit: int) -> str:
    value = strip_control(value or "", multiline=True).strip()
    if not value:
        raise Invalid(_("This field is required: %(field)s.") % {"field": field}, fields={field: "required"})
    if len(value) > limit:
        raise Invalid(_("This field is too long: %(field)s.") % {"field": field}, fields={field: f"max {limit} characters"})
    return value


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise Invalid(_("Unknown value for %(field)s: %(value)s.") % {"field": field, "value": value},
                      fields={field: "choice"})
    return value


def _own_member(actor: User) -> Member:
    member = getattr(actor, "member", None) if actor.is_authenticated and hasattr(actor, "member") else None
    if member is None:
        raise Forbidden(_("Only a member can do this."), code=errors.NOT_A_MEMBER)
    return member


def _staff_users() -> list[User]:
    return list(User.objects.filter(role="staff", is_active=True))


def _unit_users(unit: Unit) -> list[User]:
    return list(User.objects.filter(unit=unit, role="unit_handler", is_active=True))


def _group_users(group: SupervisionGroup) -> list[User]:
    return [m.member.user for m in group.memberships.select_related("member__user") if m.member.user_id]


# --- planning ------------------------------------------------------------------------------------------


@transaction.atomic
def topic_year_create(*, actor: User, year: int, title: str) -> TopicYear:
    """Open a year's plan of monthly topics (staff)."""
    _require(actor, "supervision.manage")
    title = _text(title, "title", 120)
    if not 2000 <= int(year) <= 2100:
        raise Invalid(_("Give a year between 2000 and 2100."), fields={"year": "range"})
    if TopicYear.objects.filter(year=year).exists():
        raise Conflict(_("The topic year %(year)s already exists.") % {"year": year}, code=errors.YEAR_EXISTS)
    topic_year = TopicYear.objects.create(year=year, title=title)
    event_record(actor=actor, verb="topic_year_created", target=topic_year, note=title)
    return topic_year


@transaction.atomic
def topic_create(*, actor: User, topic_year: TopicYear, month: int, theme: str, lead_unit: Unit,
                 co_units: Iterable[Unit] = (), categories: Iterable[Category] = (),
                 tags: Iterable[LivelihoodTag] = ()) -> Topic:
    """Add a monthly topic with its lead and co-departments and the hotline categories that measure it."""
    _require(actor, "supervision.manage")
    theme = _text(theme, "theme", 120)
    if not 1 <= int(month) <= 12:
        raise Invalid(_("The month must be 1 to 12."), fields={"month": "range"})
    if lead_unit is None:
        raise Invalid(_("Name the lead department."), fields={"lead_unit": "required"})
    if Topic.objects.filter(topic_year=topic_year, month=month, theme=theme).exists():
        raise Conflict(_("This month already has that theme."), code=errors.MONTH_TAKEN)
    topic = Topic.objects.create(topic_year=topic_year, month=month, theme=theme, lead_unit=lead_unit)
    topic.co_units.set([u for u in co_units if u != lead_unit])
    topic.categories.set(categories)
    topic.tags.set(tags)
    event_record(actor=actor, verb="topic_created", target=topic, note=theme)
    notify(recipients=_unit_users(lead_unit), kind=Notification.Kind.ACTION,
           title=_("Your department leads the monthly topic: %(theme)s") % {"theme": theme})
    return topic


@transaction.atomic
def problem_add(*, actor: User, topic: Topic, text: str) -> Problem:
    """Add one of the topic's 2–3 problems."""
    _require(actor, "supervision.manage")
    text = _text(text, "text", 200)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    count = topic.problems.count()
    if count >= MAX_PROBLEMS:
        raise Invalid(_("A topic has at most %(n)s problems.") % {"n": MAX_PROBLEMS}, code=errors.TOO_MANY_PROBLEMS,
                      fields={"text": "too_many"})
    problem = Problem.objects.create(topic=topic, order=count + 1, text=text)
    event_record(actor=actor, verb="problem_added", target=topic, note=text, data={"problem": problem.pk})
    return problem


# --- groups --------------------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: User, problem: Problem, convener: Member | None = None) -> SupervisionGroup:
    """Form the problem's supervision group (one per problem); the convener is its first member."""
    _require(actor, "supervision.manage")
    if SupervisionGroup.objects.filter(problem=problem).exists():
        raise Conflict(_("This problem already has its supervision group."), code=errors.GROUP_EXISTS)
    group = SupervisionGroup.objects.create(problem=problem, convener=convener)
    if convener is not None:
        GroupMembership.objects.create(group=group, member=convener, joined_via=JoinedVia.CONVENER)
    event_record(actor=actor, verb="group_formed", target=problem, note=convener.name if convener else "")
    if convener is not None and convener.user_id:
        notify(recipients=[convener.user], kind=Notification.Kind.ACTION, title=_("You convene the supervision group: %(p)s") % {"p": problem.text})
    return group


def _add_member(group: SupervisionGroup, member: Member, via: str) -> GroupMembership:
    if GroupMembership.objects.filter(group=group, member=member).exists():
        raise Conflict(_("%(name)s is already in this group.") % {"name": member.name}, code=errors.ALREADY_IN_GROUP)
    try:
        with transaction.atomic():
            return GroupMembership.objects.create(group=group, member=member, joined_via=via)
    except IntegrityError as exc:  # a simultaneous sign-up of the same member
        raise Conflict(_("%(name)s is already in this group.") % {"name": member.name},
                       code=errors.ALREADY_IN_GROUP) from exc


@transaction.atomic
def group_join(*, actor: User, group: SupervisionGroup) -> GroupMembership:
    """A member signs up for a group (自愿报名); a member may join several groups, each once."""
    member = _own_member(actor)
    _require(actor, "supervision.join_group", code=errors.NOT_A_MEMBER)
    membership = _add_member(group, member, JoinedVia.VOLUNTEER)
    event_record(actor=actor, verb="group_joined", target=group.problem, note=member.name)
    if group.convener_id and group.convener.user_id and group.convener.user_id != actor.pk:
        notify(recipients=[group.convener.user], kind=Notification.Kind.FOLLOW,
               title=_("%(name)s joined your supervision group") % {"name": member.name})
    return membership


@transaction.atomic
def group_invite(*, actor: User, group: SupervisionGroup, member: Member) -> GroupMembership:
    """Staff invite a member into a group (重点邀请)."""
    _require(actor, "supervision.manage")
    if member is None:
        raise Invalid(_("Name the member to invite."), fields={"member": "required"})
    membership = _add_member(group, member, JoinedVia.INVITED)
    event_record(actor=actor, verb="group_invited", target=group.problem, note=member.name)
    if member.user_id:
        notify(recipients=[member.user], kind=Notification.Kind.FOLLOW,
               title=_("You were invited to the supervision group: %(p)s") % {"p": group.problem.text})
    return membership


# --- the three lists -----------------------------------------------------------------------------------


@transaction.atomic
def list_item_create(*, actor: User, problem: Problem, kind: str, text: str, owner: Unit,
                     due_date: dt.date | None = None) -> ListItem:
    """Put an item on one of the problem's three lists, owned by a unit (staff)."""
    _require(actor, "supervision.manage")
    kind = _choice(kind, ListKind, "kind")
    text = _text(text, "text", 300)
    if owner is None:
        raise Invalid(_("Name the owner unit."), fields={"owner": "required"})
    item = ListItem.objects.create(problem=problem, kind=kind, text=text, owner=owner, due_date=due_date)
    event_record(actor=actor, verb="item_added", target=item, to_state=item.status, note=text)
    notify(recipients=_unit_users(owner), kind=Notification.Kind.ACTION, title=_("A new list item for your unit: %(t)s") % {"t": text})
    return item


@transaction.atomic
def list_item_update(*, actor: User, item: ListItem, note: str, evidence: str = "",
                     status: str | None = None) -> ProgressUpdate:
    """Report progress on an item, with evidence; only the owner unit's handlers or staff may."""
    item = ListItem.objects.select_for_update(of=("self",)).select_related("problem").get(pk=item.pk)
    _require(actor, "supervision.update_item", item, _("Only the owner unit may update this item."),
             code=errors.NOT_ITEM_OWNER)
    before = _transition(item, ITEM_OPEN, _("update"))
    note = _text(note, "note", 4000)
    evidence = (evidence or "").strip()[:4000]
    status = _choice(status, ItemStatus, "status") if status else (
        ItemStatus.IN_PROGRESS if before == ItemStatus.OPEN else before)
    update = ProgressUpdate.objects.create(item=item, author=actor, note=note, evidence=evidence, status=status)
    item.status = status
    item.updated_at = timezone.now()
    item.save(update_fields=["status", "updated_at"])
    event_record(actor=actor, verb="item_progress", target=item, from_state=before, to_state=status, note=note)
    if status == ItemStatus.DONE and hasattr(item.problem, "group"):
        notify(recipients=_group_users(item.problem.group), kind=Notification.Kind.FOLLOW,
               title=_("List item completed: %(t)s") % {"t": item.text})
    return update


# --- what members do ------------------------------------------------------------------------------------


@transaction.atomic
def activity_log(*, actor: User, problem: Problem, kind: str, held_on: dt.date, place: str,
                 participants: Sequence[Member] = (), person_count: int | None = None, at_council_hall: bool = False,
                 summary: str = "") -> Activity:
    """Log a group activity; `person_count` (人次) defaults to the number of participants named."""
    _require(actor, "supervision.contribute", problem, _("Only the group's members or staff may log an activity."),
             code=errors.NOT_IN_GROUP)
    kind = _choice(kind, ActivityKind, "kind")
    place = _text(place, "place", 120)
    if held_on is None:
        raise Invalid(_("Give the date."), fields={"held_on": "required"})
    participants = list(dict.fromkeys(participants))
    count = len(participants) if person_count is None else int(person_count)
    if count < len(participants):
        raise Invalid(_("The person-times cannot be fewer than the participants named."), fields={"person_count": "min"})
    activity = Activity.objects.create(problem=problem, kind=kind, held_on=held_on, place=place,
                                       at_council_hall=at_council_hall, person_count=count,
                                       summary=(summary or "").strip()[:4000], created_by=actor)
    activity.participants.set(participants)
    event_record(actor=actor, verb="activity_logged", target=problem, note=f"{activity.get_kind_display()} {place}",
                 data={"activity": activity.pk})
    notify(recipients=_staff_users(), kind=Notification.Kind.INFO, title=_("Activity logged: %(p)s") % {"p": problem.text})
    return activity


@transaction.atomic
def opinion_submit(*, actor: User, problem: Problem, kind: str, title: str, text: str,
                   meeting_date: dt.date | None = None, member: Member | None = None) -> Opinion:
    """A group member submits an opinion report or the text of a speech at the monthly reform meeting;
    staff may enter one on a member's behalf."""
    if member is None:
        member = _own_member(actor)
    elif not actor.has_perm("supervision.manage"):
        raise Forbidden(_("Only staff enter an opinion for another member."))
    _require(actor, "supervision.contribute", problem, _("Only the group's members may submit an opinion."),
             code=errors.NOT_IN_GROUP)
    kind = _choice(kind, OpinionKind, "kind")
    opinion = Opinion.objects.create(problem=problem, member=member, kind=kind, title=_text(title, "title", 120),
                                     text=_text(text, "text", 20000), meeting_date=meeting_date)
    event_record(actor=actor, verb="opinion_submitted", target=problem, note=opinion.title, data={"opinion": opinion.pk})
    notify(recipients=_staff_users(), kind=Notification.Kind.INFO, title=_("Opinion submitted: %(t)s") % {"t": opinion.title})
    return opinion


# --- proposals linked to a problem ------------------------------------------------------------------------


def _proposal_label(proposal: Proposal) -> str:
    return f"{proposal.number} {proposal.title}".strip()


@transaction.atomic
def problem_proposal_link(*, actor: User, problem: Problem, proposal: Proposal) -> ProblemProposal:
    """Link a proposal to a problem as one of its outputs: staff link any; the group's convener and members
    link only a proposal they are a proposer of. A draft, withdrawn or merged proposal cannot be linked,
    and a proposal is linked to a problem once."""
    _require(actor, "supervision.contribute", problem, _("Only the group's members or staff may link a proposal."),
             code=errors.NOT_IN_GROUP)
    link = ProblemProposal(problem=problem, proposal=proposal, linked_by=actor)
    _require(actor, "supervision.link_proposal", link, _("A group member may link only their own proposals."),
             code=errors.NOT_OWN_PROPOSAL)
    if proposal.status in PROPOSAL_UNLINKABLE:
        raise InvalidTransition(
            _("Only a submitted proposal can be linked; “%(title)s” is %(status)s.")
            % {"title": proposal.title, "status": proposal.get_status_display()},
            code=errors.PROPOSAL_NOT_LINKABLE)
    if ProblemProposal.objects.filter(problem=problem, proposal=proposal).exists():
        raise Conflict(_("Proposal %(p)s is already linked to this problem.") % {"p": _proposal_label(proposal)},
                       code=errors.PROPOSAL_ALREADY_LINKED)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:  # the same link made at the same moment by someone else
        raise Conflict(_("Proposal %(p)s is already linked to this problem.") % {"p": _proposal_label(proposal)},
                       code=errors.PROPOSAL_ALREADY_LINKED) from exc
    # The timeline is public to every signed-in user: the number only (the title may not be published).
    event_record(actor=actor, verb="proposal_linked", target=problem, note=proposal.number,
                 data={"proposal": proposal.pk})
    notify(recipients=[u for u in _staff_users() if u.pk != actor.pk], kind=Notification.Kind.INFO,
           title=_("Proposal linked to %(p)s: %(t)s") % {"p": problem.text, "t": _proposal_label(proposal)})
    return link


@transaction.atomic
def problem_proposal_unlink(*, actor: User, problem: Problem, proposal: Proposal) -> None:
    """Remove a proposal from a problem's outputs (staff, or whoever linked it)."""
    link = ProblemProposal.objects.select_for_update().filter(problem=problem, proposal=proposal).first()
    if link is None:
        raise NotFound(_("Proposal %(p)s is not linked to this problem.") % {"p": _proposal_label(proposal)},
                       code=errors.PROPOSAL_NOT_LINKED)
    _require(actor, "supervision.unlink_proposal", link, _("Only staff or whoever linked it may unlink a proposal."),
             code=errors.NOT_OWN_PROPOSAL)
    link.delete()
    event_record(actor=actor, verb="proposal_unlinked", target=problem, note=proposal.number,
                 data={"proposal": proposal.pk})
